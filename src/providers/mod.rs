//! Providers: how each one is reached (a preset row) and how its wire format is
//! spoken (an adapter module per format). This file dispatches on the format.

pub mod anthropic;
pub mod capabilities;
pub mod cohere;
pub mod gemini;
#[cfg(test)]
mod no_answer_tests;
pub mod openai;
pub mod presets;
pub mod reasoning;
#[cfg(test)]
mod reasoning_tests;
pub mod rewrites;
pub mod template;
pub mod translate;
pub mod wire;

pub use capabilities::Capabilities;
pub use presets::{preset, Auth, Preset, Quirks, Route, PRESETS};

use crate::config::Endpoint;
use crate::error::{Error, Result};
use crate::http::HttpRequest;
use crate::types::{ChatParams, ChatRequest, Message};

/// The wire formats OneLLM speaks. Most providers speak OpenAI's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    OpenAi,
    Anthropic,
    Gemini,
    Cohere,
}

/// What translating a request decided that translating its answer must know.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Translation {
    /// The forced tool whose input is the answer, when JSON mode is emulated by one.
    pub json_tool: Option<String>,
    /// `stream_options.include_usage`, which translating formats honour themselves.
    pub include_usage: bool,
    /// The model asked for, for formats whose answers do not name it (Cohere).
    pub model: String,
    /// Where an OpenAI-compatible stream's usage hides (Groq's `x_groq`), if not in a
    /// usage chunk.
    pub stream_usage_field: Option<&'static str>,
    /// Tool calls come back without `type` (and, streamed, without `index`): Mistral.
    pub untyped_tool_calls: bool,
    /// The host's name for reasoning text, renamed to `reasoning_content`.
    pub reasoning_field: Option<&'static str>,
}

pub fn build_request(
    endpoint: &Endpoint,
    model: &str,
    req: &ChatRequest,
) -> Result<(HttpRequest, Translation)> {
    let translated = |name| refuse_untranslatable(&req.params, name);
    let (mut http, translation) = match endpoint.format {
        WireFormat::OpenAi => openai::build_request(endpoint, model, req)?,
        WireFormat::Anthropic => {
            translated("anthropic")?;
            anthropic::build_request(endpoint, model, req)?
        }
        WireFormat::Gemini => {
            translated("gemini")?;
            gemini::build_request(endpoint, model, req)?
        }
        WireFormat::Cohere => {
            translated("cohere")?;
            cohere::build_request(endpoint, model, req)?
        }
    };
    if let Some(key) = &endpoint.api_key {
        match endpoint.auth {
            Auth::Bearer => http.set_header("authorization", &format!("Bearer {}", key.expose())),
            Auth::Header(name) => http.set_header(name, key.expose()),
        }
    }
    Ok((http, translation))
}

/// What no translated format can say, refused once for all of them (their builders
/// skip a `function` message, known to be absent by then): `logit_bias`, and the
/// deprecated `function` role, whose answers have no call id to pair with.
fn refuse_untranslatable(p: &ChatParams, format: &str) -> Result<()> {
    if p.logit_bias.as_ref().is_some_and(|b| !b.is_empty()) {
        let why = format!("{format} does not support `logit_bias`");
        return Err(Error::invalid("logit_bias", why));
    }
    let function = p
        .messages
        .iter()
        .position(|m| matches!(m, Message::Function { .. }));
    if let Some(i) = function {
        let why =
            format!("the deprecated `function` role is not supported for {format}: use `tool`");
        return Err(Error::invalid(format!("messages[{i}].role"), why));
    }
    Ok(())
}

/// A JSON POST to `url`, accepting an event stream when the call streams: the
/// request every adapter sends.
pub fn json_request(url: String, body: &crate::json::Map, stream: bool) -> Result<HttpRequest> {
    let body = crate::json::to_string(body);
    let mut http = HttpRequest::post_json(url, body);
    let accept = if stream {
        "text/event-stream"
    } else {
        "application/json"
    };
    http.set_header("accept", accept);
    Ok(http)
}

/// An error status's body as the typed error.
pub fn error_from_response(
    format: WireFormat,
    status: u16,
    headers: Vec<(String, String)>,
    body: &str,
) -> Error {
    match format {
        WireFormat::OpenAi => openai::error_from_response(status, headers, body),
        WireFormat::Anthropic => anthropic::error_from_response(status, headers, body),
        WireFormat::Gemini => gemini::error_from_response(status, headers, body),
        // `{"id", "message"}`: the generic reading takes its message.
        WireFormat::Cohere => openai::error_from_response(status, headers, body),
    }
}

/// A 2xx body as `chat.completion` JSON text.
pub fn parse_completion(
    format: WireFormat,
    status: u16,
    headers: &[(String, String)],
    body: String,
    translation: &Translation,
    created: u64,
) -> Result<String> {
    match format {
        WireFormat::OpenAi => {
            openai::parse_completion(status, headers, &body)?;
            let renamed = translation
                .reasoning_field
                .and_then(|f| openai::fixups::rename_reasoning(&body, f));
            let body = renamed.unwrap_or(body);
            let fixed = translation
                .untyped_tool_calls
                .then(|| openai::fixups::openai_shape(&body))
                .flatten();
            Ok(fixed.unwrap_or(body))
        }
        WireFormat::Anthropic => {
            anthropic::parse_completion(status, headers, &body, translation, created)
        }
        WireFormat::Gemini => {
            gemini::parse_completion(status, headers, &body, translation, created)
        }
        WireFormat::Cohere => {
            cohere::parse_completion(status, headers, &body, translation, created)
        }
    }
}

/// Test support: a README section between `<!-- {name}:start -->` and its end marker
/// must be `table`, generated from the code; `ONELLM_UPDATE_README=1 cargo test`
/// rewrites it instead.
#[cfg(test)]
pub(crate) fn check_readme_section(name: &str, table: &str) {
    let readme = include_str!("../../README.md");
    let start = format!("<!-- {name}:start -->\n");
    let end = format!("<!-- {name}:end -->");
    let from = readme.find(&start).expect("README has the markers") + start.len();
    let to = readme[from..].find(&end).expect("end marker") + from;
    if readme[from..to] != *table && std::env::var_os("ONELLM_UPDATE_README").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let updated = format!("{}{}{}", &readme[..from], table, &readme[to..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert_eq!(
        readme[from..to],
        *table,
        "README's {name} table is stale: run ONELLM_UPDATE_README=1 cargo test"
    );
}

#[cfg(test)]
mod tests {
    use crate::config::ClientOptions;
    use crate::json;
    use crate::types::ChatRequest;

    /// `logit_bias` and the `function` role reach no translated format: each is refused
    /// naming the field (the message's index) and the provider, before anything is sent.
    #[test]
    fn what_no_translated_format_can_say_is_refused_by_name() {
        let function = json!([{"role": "user", "content": "Hi"},
            {"role": "function", "name": "f", "content": "{}"}]);
        for provider in ["anthropic", "gemini", "cohere"] {
            let opts =
                ClientOptions::from_value(&json!({"apiKeys": {provider: "k-0123456789"}})).unwrap();
            let endpoint = opts.endpoint(provider, "m", &|_| None).unwrap();
            let cases = [
                (
                    json!({"logit_bias": {"1": 5}}),
                    "logit_bias",
                    "does not support",
                ),
                (
                    json!({"messages": function}),
                    "messages[1].role",
                    "use `tool`",
                ),
            ];
            for (extra, param, says) in cases {
                let mut params =
                    json!({"model": "x/m", "messages": [{"role": "user", "content": "Hi"}]});
                for (k, v) in extra.as_object().unwrap().iter() {
                    params[k.as_str()] = v.clone();
                }
                let req = ChatRequest::from_json(params).unwrap();
                let e = super::build_request(&endpoint, "m", &req).unwrap_err();
                assert_eq!(e.class_name(), "InvalidRequestError");
                assert_eq!(e.param.as_deref(), Some(param), "{provider}");
                assert!(
                    e.message.contains(says) && e.message.contains(provider),
                    "{}",
                    e.message
                );
            }
        }
    }
}
