//! Response: a Cohere v2 chat response as an OpenAI `chat.completion`.

use crate::json;
use crate::json::Value;

use crate::error::Result;
use crate::json::{field, items, str_of, string_of, string_or_empty, u64_of};
use crate::providers::wire::{body_json, malformed_body};
use crate::providers::Translation;
use crate::types::request::{FunctionCall, ToolCall};
use crate::types::{ChatCompletion, Choice, CompletionMessage, Usage};

pub(crate) struct WireToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

impl WireToolCall {
    /// `None` without a `function` object.
    pub fn read(v: &Value) -> Option<Self> {
        let function = field(v, "function")?;
        Some(WireToolCall {
            id: string_or_empty(v, "id"),
            name: string_or_empty(function, "name"),
            arguments: string_or_empty(function, "arguments"),
        })
    }
}

/// Cohere's `usage`: token counts, billed units and cached tokens.
#[derive(Debug, Clone, Default)]
pub(crate) struct WireUsage {
    tokens: Option<Tokens>,
    billed_units: Option<Tokens>,
    cached_tokens: Option<u64>,
}

#[derive(Debug, Clone, Default)]
struct Tokens {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

impl Tokens {
    fn read(v: &Value) -> Self {
        Tokens {
            input_tokens: u64_of(v, "input_tokens"),
            output_tokens: u64_of(v, "output_tokens"),
        }
    }
}

impl WireUsage {
    pub fn read(v: &Value) -> Self {
        WireUsage {
            tokens: field(v, "tokens").map(Tokens::read),
            billed_units: field(v, "billed_units").map(Tokens::read),
            cached_tokens: u64_of(v, "cached_tokens"),
        }
    }

    /// Token counts (`tokens`) when Cohere sends them, else the billed units.
    pub fn to_openai(&self) -> Usage {
        let counts = self.tokens.as_ref().or(self.billed_units.as_ref());
        let prompt = counts.and_then(|t| t.input_tokens).unwrap_or(0);
        let completion = counts.and_then(|t| t.output_tokens).unwrap_or(0);
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt.saturating_add(completion),
            prompt_tokens_details: Some(json!({"cached_tokens": self.cached_tokens.unwrap_or(0)})),
            completion_tokens_details: None,
        }
    }
}

/// <https://docs.cohere.com/reference/chat#response.body.finish_reason>
pub fn map_finish_reason(reason: &str) -> &'static str {
    match reason {
        "MAX_TOKENS" => "length",
        "TOOL_CALL" => "tool_calls",
        "ERROR_TOXIC" => "content_filter",
        // COMPLETE, STOP_SEQUENCE, ERROR and reasons yet to come
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
    // Cohere's response names no model: it is the one asked for.
    let model = translation.model.as_str();
    let what = "cohere response";
    let response = body_json(status, headers, body, what)?;
    let message = match field(&response, "message") {
        Some(m) if m.is_object() => m,
        // Cohere's error object is `{id, message: "<text>"}`: sent with a 2xx, it is
        // the error it says, never an empty answer.
        Some(Value::String(_)) => {
            return Err(crate::providers::openai::error_from_response(
                status,
                headers.to_vec(),
                body,
            ))
        }
        _ => return Err(malformed_body(status, headers, body, what, "no `message`")),
    };
    let mut text = String::new();
    let mut thinking = String::new();
    for part in items(message, "content") {
        match str_of(part, "type") {
            Some("text") => text.push_str(str_of(part, "text").unwrap_or_default()),
            Some("thinking") => thinking.push_str(str_of(part, "thinking").unwrap_or_default()),
            _ => {}
        }
    }
    // The plan Cohere states before calling tools is reasoning too.
    if let Some(plan) = string_of(message, "tool_plan").filter(|p| !p.is_empty()) {
        if !thinking.is_empty() {
            thinking.push_str("\n\n");
        }
        thinking.push_str(&plan);
    }
    let mut calls = Vec::new();
    for c in items(message, "tool_calls") {
        let c = WireToolCall::read(c).ok_or_else(|| {
            malformed_body(status, headers, body, what, "a tool call has no `function`")
        })?;
        calls.push(ToolCall {
            id: c.id,
            kind: "function".into(),
            function: FunctionCall {
                name: c.name,
                arguments: c.arguments,
            },
        });
    }
    let completion = ChatCompletion {
        id: string_or_empty(&response, "id"),
        object: "chat.completion".into(),
        created,
        model: model.to_string(),
        choices: vec![Choice {
            index: 0,
            message: CompletionMessage {
                role: "assistant".into(),
                content: (!text.is_empty()).then_some(text),
                refusal: None,
                tool_calls: (!calls.is_empty()).then_some(calls),
                reasoning_content: (!thinking.is_empty()).then_some(thinking),
                thinking_blocks: None,
                provider_content: None,
            },
            logprobs: None,
            finish_reason: str_of(&response, "finish_reason")
                .map(|r| map_finish_reason(r).to_string()),
        }],
        usage: field(&response, "usage").map(|u| WireUsage::read(u).to_openai()),
        system_fingerprint: None,
    };
    Ok(crate::json::to_string(&completion))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Value;

    fn parse(body: &str) -> Value {
        crate::json::parse(
            &parse_completion(
                200,
                &[],
                body,
                &Translation {
                    model: "command-a".into(),
                    ..Translation::default()
                },
                3,
            )
            .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn recorded_text_answer() {
        let c = parse(
            r#"{"id": "e7592632-1e3d-424f-b129-bd5f9f980f7b", "message": {"role": "assistant", "content": [{"type": "text", "text": "The capital of France is Paris."}]},
            "finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 12, "output_tokens": 7}, "tokens": {"input_tokens": 507, "output_tokens": 10}, "cached_tokens": 448}}"#,
        );
        assert_eq!(
            c,
            json!({"id": "e7592632-1e3d-424f-b129-bd5f9f980f7b", "object": "chat.completion", "created": 3, "model": "command-a",
                "choices": [{"index": 0, "logprobs": null, "finish_reason": "stop", "message": {
                    "role": "assistant", "content": "The capital of France is Paris.", "refusal": null}}],
                "usage": {"prompt_tokens": 507, "completion_tokens": 10, "total_tokens": 517, "prompt_tokens_details": {"cached_tokens": 448}}})
        );
    }

    /// A reasoning model's answer: its `thinking` content block (Cohere's v2 chat
    /// reference, `ThinkingAssistantMessageResponseContentItem`) is reasoning.
    #[test]
    fn thinking_blocks_are_reasoning_content() {
        let c = parse(
            r#"{"id": "t1", "message": {"role": "assistant", "content": [{"type": "thinking", "thinking": "Two and two."}, {"type": "text", "text": "4"}]}, "finish_reason": "COMPLETE"}"#,
        );
        let m = &c["choices"][0]["message"];
        assert_eq!(
            (m["content"].clone(), m["reasoning_content"].clone()),
            (json!("4"), json!("Two and two."))
        );
    }

    #[test]
    fn recorded_tool_calls() {
        let c = parse(
            r#"{"id": "f201af17", "message": {"role": "assistant", "tool_plan": "I will use the weather tool.",
            "tool_calls": [{"id": "weather_dqgshstja6p9", "type": "function", "function": {"name": "weather", "arguments": "{\"location\":\"San Francisco\"}"}},
                {"id": "cityAttractions_dcxfx4myvx68", "type": "function", "function": {"name": "cityAttractions", "arguments": "{\"city\":\"San Francisco\"}"}}]},
            "finish_reason": "TOOL_CALL", "usage": {"billed_units": {"input_tokens": 119, "output_tokens": 52}}}"#,
        );
        let m = &c["choices"][0]["message"];
        assert_eq!(m["content"], Value::Null);
        assert_eq!(m["reasoning_content"], "I will use the weather tool.");
        assert_eq!(
            m["tool_calls"][1],
            json!({"id": "cityAttractions_dcxfx4myvx68", "type": "function",
            "function": {"name": "cityAttractions", "arguments": "{\"city\":\"San Francisco\"}"}})
        );
        assert_eq!(c["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(
            c["usage"]["prompt_tokens"], 119,
            "billed units when no token counts"
        );
    }

    #[test]
    fn finish_reasons() {
        for (r, want) in [
            ("COMPLETE", "stop"),
            ("STOP_SEQUENCE", "stop"),
            ("MAX_TOKENS", "length"),
            ("TOOL_CALL", "tool_calls"),
            ("ERROR_TOXIC", "content_filter"),
        ] {
            assert_eq!(map_finish_reason(r), want, "{r}");
        }
    }
}
