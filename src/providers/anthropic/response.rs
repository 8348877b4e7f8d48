//! Response: an Anthropic `message` as an OpenAI `chat.completion`.

use crate::json;
use crate::json::Value;

use crate::error::Result;
use crate::json::{field, items, str_of, string_of, string_or_empty, u64_of};
use crate::providers::wire::{body_json, malformed_body};
use crate::providers::Translation;
use crate::types::request::{FunctionCall, ToolCall};
use crate::types::{ChatCompletion, Choice, CompletionMessage, Usage};

#[derive(Debug)]
pub(crate) struct WireMessage {
    pub id: String,
    pub model: String,
    pub content: Vec<Block>,
    pub stop_reason: Option<String>,
    pub usage: WireUsage,
}

impl WireMessage {
    /// `None` when a content block lacks what its type promises.
    pub fn read(v: &Value) -> Option<Self> {
        v.as_object()?;
        let mut content = Vec::new();
        for block in items(v, "content") {
            content.push(Block::read(block)?);
        }
        Some(WireMessage {
            id: string_or_empty(v, "id"),
            model: string_or_empty(v, "model"),
            content,
            stop_reason: string_of(v, "stop_reason"),
            usage: field(v, "usage").map(WireUsage::read).unwrap_or_default(),
        })
    }
}

#[derive(Debug)]
pub(crate) enum Block {
    Text {
        text: String,
        /// Its `citations`, as Anthropic sent them.
        citations: Option<Value>,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    Thinking {
        thinking: String,
        signature: Option<String>,
    },
    RedactedThinking {
        data: String,
    },
    /// Server tool use and results, and block types yet to come, as they came.
    Other(Value),
}

impl Block {
    fn read(v: &Value) -> Option<Self> {
        let text = |key| string_of(v, key);
        Some(match str_of(v, "type").unwrap_or_default() {
            "text" => Block::Text {
                text: text("text")?,
                citations: v.get("citations").filter(|c| !c.is_null()).cloned(),
            },
            "tool_use" => Block::ToolUse {
                id: text("id")?,
                name: text("name")?,
                input: v.get("input")?.clone(),
            },
            "thinking" => Block::Thinking {
                thinking: text("thinking")?,
                signature: text("signature"),
            },
            "redacted_thinking" => Block::RedactedThinking {
                data: text("data")?,
            },
            _ => Block::Other(v.clone()),
        })
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct WireUsage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cache_creation_input_tokens: Option<u64>,
    pub cache_read_input_tokens: Option<u64>,
    /// `output_tokens_details.thinking_tokens`: within `output_tokens`, as OpenAI
    /// counts `reasoning_tokens` within `completion_tokens`.
    pub thinking_tokens: Option<u64>,
}

impl WireUsage {
    pub fn read(v: &Value) -> Self {
        WireUsage {
            input_tokens: u64_of(v, "input_tokens"),
            output_tokens: u64_of(v, "output_tokens"),
            cache_creation_input_tokens: u64_of(v, "cache_creation_input_tokens"),
            cache_read_input_tokens: u64_of(v, "cache_read_input_tokens"),
            thinking_tokens: field(v, "output_tokens_details")
                .and_then(|d| u64_of(d, "thinking_tokens")),
        }
    }

    /// Later usage (a `message_delta`'s) over earlier (the `message_start`'s).
    pub fn update(&mut self, later: &WireUsage) {
        let pick = |a: &mut Option<u64>, b: Option<u64>| {
            if b.is_some() {
                *a = b;
            }
        };
        pick(&mut self.input_tokens, later.input_tokens);
        pick(&mut self.output_tokens, later.output_tokens);
        pick(
            &mut self.cache_creation_input_tokens,
            later.cache_creation_input_tokens,
        );
        pick(
            &mut self.cache_read_input_tokens,
            later.cache_read_input_tokens,
        );
        pick(&mut self.thinking_tokens, later.thinking_tokens);
    }

    /// OpenAI counts every input token in `prompt_tokens`, cached or not.
    pub fn to_openai(&self) -> Usage {
        let cached = self.cache_read_input_tokens.unwrap_or(0);
        let prompt =
            // Saturating: counts come off the wire, and an overflow must not panic.
            self.input_tokens.unwrap_or(0).saturating_add(self.cache_creation_input_tokens.unwrap_or(0)).saturating_add(cached);
        let completion = self.output_tokens.unwrap_or(0);
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt.saturating_add(completion),
            // Cache writes beside reads, when Anthropic reports them (LiteLLM's name).
            prompt_tokens_details: Some(match self.cache_creation_input_tokens {
                Some(written) => {
                    json!({ "cached_tokens": cached, "cache_creation_tokens": written })
                }
                None => json!({ "cached_tokens": cached }),
            }),
            completion_tokens_details: self
                .thinking_tokens
                .map(|t| json!({ "reasoning_tokens": t })),
        }
    }
}

/// A thinking block as Anthropic wants it back in the next request.
pub(crate) fn thinking_block(thinking: &str, signature: Option<&str>) -> Value {
    json!({"type": "thinking", "thinking": thinking, "signature": signature.unwrap_or_default()})
}

/// <https://docs.anthropic.com/en/api/handling-stop-reasons>. In JSON mode the forced
/// tool call *is* the answer, so it ends as `stop`.
pub fn map_stop_reason(reason: &str, translation: &Translation) -> &'static str {
    match reason {
        "max_tokens" | "model_context_window_exceeded" => "length",
        "tool_use" if translation.json_tool.is_none() => "tool_calls",
        "refusal" => "content_filter",
        // end_turn, stop_sequence, pause_turn, the forced JSON tool, reasons yet to come
        _ => "stop",
    }
}

pub fn parse_completion(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    translation: &Translation,
    created: u64,
) -> Result<String> {
    let what = "anthropic message";
    let value = body_json(status, headers, body, what)?;
    if str_of(&value, "type") == Some("error") || field(&value, "error").is_some() {
        // Anthropic's own error object, sent with a 2xx (a proxy's doing): the error
        // its type calls for, never an empty answer.
        let mut e = super::error::stream_error(body);
        e.headers = headers.to_vec();
        return Err(e);
    }
    if value.as_object().is_none_or(|m| !m.contains_key("content")) {
        return Err(malformed_body(status, headers, body, what, "no `content`"));
    }
    let message = WireMessage::read(&value).ok_or_else(|| {
        malformed_body(
            status,
            headers,
            body,
            what,
            "a content block lacks its fields",
        )
    })?;
    let mut text: Option<String> = None;
    let mut reasoning: Option<String> = None;
    let mut thinking_blocks = Vec::new();
    let mut tool_calls = Vec::new();
    let mut provider_content = Vec::new();
    for block in message.content {
        match block {
            Block::Text { text: t, citations } => {
                text.get_or_insert_with(String::new).push_str(&t);
                // The citation objects carry the text they cite (`cited_text`).
                if let Some(Value::Array(c)) = citations {
                    provider_content.extend(c);
                }
            }
            Block::Thinking {
                thinking,
                signature,
            } => {
                reasoning
                    .get_or_insert_with(String::new)
                    .push_str(&thinking);
                thinking_blocks.push(thinking_block(&thinking, signature.as_deref()));
            }
            Block::RedactedThinking { data } => {
                thinking_blocks.push(json!({"type": "redacted_thinking", "data": data}));
            }
            Block::ToolUse { name, input, .. }
                if translation.json_tool.as_deref() == Some(&name) =>
            {
                text.get_or_insert_with(String::new)
                    .push_str(&input.to_string());
            }
            Block::ToolUse { id, name, input } => tool_calls.push(ToolCall {
                id,
                kind: "function".into(),
                function: FunctionCall {
                    name,
                    arguments: input.to_string(),
                },
            }),
            Block::Other(block) => provider_content.push(block),
        }
    }
    let completion = ChatCompletion {
        id: message.id,
        object: "chat.completion".into(),
        created,
        model: message.model,
        choices: vec![Choice {
            index: 0,
            message: CompletionMessage {
                role: "assistant".into(),
                content: text,
                refusal: None,
                tool_calls: (!tool_calls.is_empty()).then_some(tool_calls),
                reasoning_content: reasoning,
                thinking_blocks: (!thinking_blocks.is_empty()).then_some(thinking_blocks),
                provider_content: (!provider_content.is_empty()).then_some(provider_content),
            },
            logprobs: None,
            finish_reason: message
                .stop_reason
                .as_deref()
                .map(|r| map_stop_reason(r, translation).to_string()),
        }],
        usage: Some(message.usage.to_openai()),
        system_fingerprint: None,
    };
    Ok(crate::json::to_string(&completion))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str, translation: &Translation) -> Value {
        crate::json::parse(&parse_completion(200, &[], body, translation, 7).unwrap()).unwrap()
    }

    /// Recorded: claude-haiku-4-5 calling a tool.
    const TOOL_USE: &str = r#"{"model":"claude-haiku-4-5-20251001","id":"msg_01M4x4hiFuUdHzu44ih9eCGh","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_013DU6hV4C1M8dJ32ybQFAFi","name":"get_weather","input":{"location":"SF","units":"c"},"caller":{"type":"direct"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":597,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":71,"service_tier":"standard","inference_geo":"not_available"}}"#;

    #[test]
    fn a_body_that_is_no_message_object_is_an_api_error() {
        for body in ["null", "[]", "\"x\"", "5"] {
            let e = parse_completion(200, &[], body, &Translation::default(), 7).unwrap_err();
            assert!(e.message.contains("malformed"), "{body}: {}", e.message);
        }
    }

    #[test]
    fn tool_use_becomes_tool_calls() {
        let c = parse(TOOL_USE, &Translation::default());
        assert_eq!(
            c,
            json!({
                "id": "msg_01M4x4hiFuUdHzu44ih9eCGh", "object": "chat.completion", "created": 7,
                "model": "claude-haiku-4-5-20251001",
                "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": null, "refusal": null,
                    "tool_calls": [{"id": "toolu_013DU6hV4C1M8dJ32ybQFAFi", "type": "function",
                        "function": {"name": "get_weather", "arguments": "{\"location\":\"SF\",\"units\":\"c\"}"}}]
                }}],
                "usage": {"prompt_tokens": 597, "completion_tokens": 71, "total_tokens": 668,
                    "prompt_tokens_details": {"cached_tokens": 0, "cache_creation_tokens": 0}}
            })
        );
    }

    /// Shaped as the web search tool's example answer in Anthropic's documentation
    /// (docs.anthropic.com, "Web search tool"), shortened.
    pub(crate) const WEB_SEARCH: &str = r#"{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"I'll search."},{"type":"server_tool_use","id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","name":"web_search","input":{"query":"claude shannon birth date"}},{"type":"web_search_tool_result","tool_use_id":"srvtoolu_01WYG3ziw53XMcoyKL4XcZmE","content":[{"type":"web_search_result","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_content":"EqgfCioIARgBIiQ3YTAw","page_age":"April 30, 2025"}]},{"type":"text","text":"Claude Shannon was born on April 30, 1916.","citations":[{"type":"web_search_result_location","url":"https://en.wikipedia.org/wiki/Claude_Shannon","title":"Claude Shannon - Wikipedia","encrypted_index":"Eo8BCioIAhgB","cited_text":"Claude Elwood Shannon (April 30, 1916 - February 24, 2001)"}]}],"stop_reason":"end_turn","usage":{"input_tokens":6039,"output_tokens":931,"server_tool_use":{"web_search_requests":1}}}"#;

    #[test]
    fn server_tool_blocks_and_citations_are_kept_under_provider_content() {
        let c = parse(WEB_SEARCH, &Translation::default());
        let m = &c["choices"][0]["message"];
        assert_eq!(
            m["content"],
            "I'll search.Claude Shannon was born on April 30, 1916."
        );
        let kinds: Vec<_> = m["provider_content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "server_tool_use",
                "web_search_tool_result",
                "web_search_result_location"
            ]
        );
        assert_eq!(
            m["provider_content"][1]["content"][0]["page_age"],
            "April 30, 2025"
        );
        assert!(
            m.get("tool_calls").is_none(),
            "a server tool is no tool call of the caller's"
        );
    }

    #[test]
    fn text_thinking_and_cache_usage() {
        let body = r#"{"id":"m","model":"claude","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Hel"},{"type":"redacted_thinking","data":"x"},{"type":"text","text":"lo"}],"stop_reason":"max_tokens","usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":5,"output_tokens":2,"output_tokens_details":{"thinking_tokens":1}}}"#;
        let c = parse(body, &Translation::default());
        assert_eq!(c["choices"][0]["message"]["content"], "Hello");
        assert_eq!(c["choices"][0]["message"]["reasoning_content"], "hmm");
        assert_eq!(
            c["choices"][0]["message"]["thinking_blocks"],
            json!([{"type": "thinking", "thinking": "hmm", "signature": "s"}, {"type": "redacted_thinking", "data": "x"}])
        );
        assert_eq!(c["choices"][0]["finish_reason"], "length");
        assert_eq!(
            c["usage"],
            json!({"prompt_tokens": 18, "completion_tokens": 2, "total_tokens": 20,
                "prompt_tokens_details": {"cached_tokens": 5, "cache_creation_tokens": 3},
                "completion_tokens_details": {"reasoning_tokens": 1}})
        );
    }

    #[test]
    fn json_mode_tool_input_is_the_content() {
        let t = Translation {
            json_tool: Some("get_weather".into()),
            ..Translation::default()
        };
        let c = parse(TOOL_USE, &t);
        assert_eq!(
            c["choices"][0]["message"]["content"],
            "{\"location\":\"SF\",\"units\":\"c\"}"
        );
        assert_eq!(c["choices"][0]["message"].get("tool_calls"), None);
        assert_eq!(c["choices"][0]["finish_reason"], "stop");
    }

    #[test]
    fn stop_reasons() {
        let t = Translation::default();
        for (reason, want) in [
            ("end_turn", "stop"),
            ("stop_sequence", "stop"),
            ("max_tokens", "length"),
            ("tool_use", "tool_calls"),
            ("refusal", "content_filter"),
            ("pause_turn", "stop"),
        ] {
            assert_eq!(map_stop_reason(reason, &t), want, "{reason}");
        }
    }

    #[test]
    fn a_body_that_is_no_message_is_an_api_error() {
        let e = parse_completion(200, &[], "<html>", &Translation::default(), 0).unwrap_err();
        assert_eq!(e.class_name(), "APIError");
    }
}
