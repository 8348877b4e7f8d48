//! What each provider honours. One table drives both validation — a parameter that
//! would silently change the answer where the provider cannot honour it is rejected
//! before anything is sent; a best-effort hint is dropped — and the README's table,
//! which a test keeps identical to [`markdown_table`].

use crate::error::{Error, Result};
use crate::types::request::{ContentPart, ResponseFormat};
use crate::types::{ChatParams, Content, Message};

use super::presets::PRESETS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub tools: bool,
    /// Tool calls arrive in streams (not only in plain answers).
    pub stream_tools: bool,
    pub json_object: bool,
    pub json_schema: bool,
    /// Image input.
    pub vision: bool,
    /// Audio input.
    pub audio: bool,
    /// The largest `n` honoured.
    pub max_n: u32,
    pub logprobs: bool,
    /// Whether `seed` is honoured; when not, it is dropped (a hint, not a contract).
    pub seed: bool,
}

impl Capabilities {
    /// Everything OpenAI does: the assumption for a custom OpenAI-compatible server,
    /// which is the caller's to know.
    pub const ALL: Capabilities = Capabilities {
        tools: true,
        stream_tools: true,
        json_object: true,
        json_schema: true,
        vision: true,
        audio: true,
        max_n: 128,
        logprobs: true,
        seed: true,
    };
}

/// What a model family adds to its provider's row.
pub type Widen = fn(Capabilities) -> Capabilities;

/// Model families that honour more than their provider's row: Cohere's vision models
/// take `image_url` parts (its v2 chat reference) where its text models refuse them.
/// (provider, model id prefix, what the family adds.)
pub const FAMILIES: &[(&str, &str, Widen)] = &[
    ("cohere", "command-a-vision", with_vision),
    ("cohere", "c4ai-aya-vision", with_vision),
    ("cohere", "aya-vision", with_vision),
];

fn with_vision(caps: Capabilities) -> Capabilities {
    Capabilities {
        vision: true,
        ..caps
    }
}

/// What `model` of `provider` honours: the provider's row, widened for its family.
pub fn for_model(caps: Capabilities, provider: &str, model: &str) -> Capabilities {
    let mut caps = caps;
    for (p, prefix, widen) in FAMILIES {
        if *p == provider && model.starts_with(prefix) {
            caps = widen(caps);
        }
    }
    caps
}

/// Rejects what the provider cannot honour, naming the field and the provider.
pub fn check(caps: &Capabilities, provider: &str, p: &ChatParams, stream: bool) -> Result<()> {
    let refuse = |param: &str, what: &str| {
        Err(Error::invalid(
            param,
            format!("{provider} does not support {what}"),
        ))
    };
    if p.tools.as_ref().is_some_and(|t| !t.is_empty()) {
        if !caps.tools {
            return refuse("tools", "tools");
        }
        if stream && !caps.stream_tools {
            return refuse("tools", "tool calls in streams (use stream: false)");
        }
    }
    match &p.response_format {
        Some(ResponseFormat::JsonObject) if !caps.json_object => {
            return refuse("response_format", "response_format json_object");
        }
        Some(ResponseFormat::JsonSchema { .. }) if !caps.json_schema => {
            return refuse("response_format", "response_format json_schema");
        }
        _ => {}
    }
    if let Some(n) = p.n.filter(|n| *n > caps.max_n) {
        return refuse("n", &format!("n = {n} (at most {})", caps.max_n));
    }
    if !caps.logprobs {
        if p.logprobs == Some(true) {
            return refuse("logprobs", "logprobs");
        }
        if p.top_logprobs.is_some() {
            return refuse("top_logprobs", "logprobs");
        }
    }
    for (i, message) in p.messages.iter().enumerate() {
        let content = match message {
            Message::User { content, .. } => content,
            _ => continue,
        };
        let Content::Parts(parts) = content else {
            continue;
        };
        for (j, part) in parts.iter().enumerate() {
            let param = format!("messages[{i}].content[{j}]");
            match part {
                ContentPart::ImageUrl { .. } if !caps.vision => {
                    return refuse(&param, "image input");
                }
                ContentPart::InputAudio { .. } | ContentPart::AudioUrl { .. } if !caps.audio => {
                    return refuse(&param, "audio input");
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn mark(yes: bool) -> &'static str {
    if yes {
        "✓"
    } else {
        "—"
    }
}

/// The README's capability table, generated from [`PRESETS`] and [`FAMILIES`].
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| provider | tools | streamed tool calls | JSON mode | JSON schema | vision | audio | n | logprobs | seed |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for p in PRESETS {
        out.push_str(&row(&format!("`{}`", p.name), &p.caps));
    }
    for (provider, prefix, widen) in FAMILIES {
        if let Some(p) = PRESETS.iter().find(|p| p.name == *provider) {
            out.push_str(&row(&format!("`{provider}/{prefix}…`"), &widen(p.caps)));
        }
    }
    out
}

fn row(name: &str, c: &Capabilities) -> String {
    let n = if c.max_n == 1 {
        "1".to_string()
    } else {
        format!("≤ {}", c.max_n)
    };
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        mark(c.tools),
        mark(c.stream_tools),
        mark(c.json_object),
        mark(c.json_schema),
        mark(c.vision),
        mark(c.audio),
        n,
        mark(c.logprobs),
        if c.seed { "✓" } else { "dropped" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::types::ChatRequest;

    const NONE: Capabilities = Capabilities {
        tools: false,
        stream_tools: false,
        json_object: false,
        json_schema: false,
        vision: false,
        audio: false,
        max_n: 1,
        logprobs: false,
        seed: false,
    };

    fn check_json(caps: &Capabilities, extra: crate::json::Value) -> Result<()> {
        let mut p = json!({"model": "x/y", "messages": []});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let req = ChatRequest::from_json(p).unwrap();
        check(caps, "acme", &req.params, req.is_stream())
    }

    #[test]
    fn what_would_change_the_answer_is_refused_by_name() {
        let cases = [
            (
                json!({"tools": [{"type": "function", "function": {"name": "f"}}]}),
                "tools",
            ),
            (
                json!({"response_format": {"type": "json_object"}}),
                "response_format",
            ),
            (
                json!({"response_format": {"type": "json_schema", "json_schema": {"name": "s"}}}),
                "response_format",
            ),
            (json!({"n": 2}), "n"),
            (json!({"logprobs": true}), "logprobs"),
            (json!({"top_logprobs": 2}), "top_logprobs"),
            (
                json!({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]}),
                "messages[0].content[0]",
            ),
            (
                json!({"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}]}]}),
                "messages[0].content[1]",
            ),
        ];
        for (extra, param) in cases {
            let e = check_json(&NONE, extra.clone()).unwrap_err();
            assert_eq!(e.param.as_deref(), Some(param), "{extra}");
            assert!(
                e.message.starts_with("acme does not support"),
                "{}",
                e.message
            );
            assert!(check_json(&Capabilities::ALL, extra).is_ok());
        }
        let no_stream_tools = Capabilities {
            stream_tools: false,
            ..Capabilities::ALL
        };
        let tools =
            json!({"tools": [{"type": "function", "function": {"name": "f"}}], "stream": true});
        assert!(check_json(&no_stream_tools, tools)
            .unwrap_err()
            .message
            .contains("streams"));
        // Hints are not refused here: adapters drop them.
        assert!(check_json(
            &NONE,
            json!({"seed": 1, "user": "u", "n": 1, "logprobs": false})
        )
        .is_ok());
    }

    #[test]
    fn the_readme_table_is_the_code_table() {
        crate::providers::check_readme_section("capabilities", &markdown_table());
    }
}
