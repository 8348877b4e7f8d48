//! The OpenAI chat-completions request, typed.
//!
//! The caller's params are kept twice: as the JSON object they sent (so
//! OpenAI-compatible providers get every field, known or not, unchanged) and as
//! [`ChatParams`], the typed view that validates each known field and that translating
//! adapters read. Reference: <https://platform.openai.com/docs/api-reference/chat/create>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// OneLLM's own parameters: they steer the client and are never sent to a provider.
pub const ONELLM_PARAMS: [&str; 3] = ["timeout", "retries", "fallback_models"];

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChatParams {
    pub model: String,
    pub messages: Vec<Message>,
    pub frequency_penalty: Option<f64>,
    pub logit_bias: Option<BTreeMap<String, f64>>,
    pub logprobs: Option<bool>,
    pub top_logprobs: Option<u32>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub n: Option<u32>,
    pub presence_penalty: Option<f64>,
    pub response_format: Option<ResponseFormat>,
    pub seed: Option<i64>,
    pub stop: Option<Stop>,
    pub stream: Option<bool>,
    pub stream_options: Option<StreamOptions>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub tools: Option<Vec<Tool>>,
    pub tool_choice: Option<ToolChoice>,
    pub parallel_tool_calls: Option<bool>,
    pub user: Option<String>,
    /// OneLLM: seconds per attempt (a float, as in the Python seed of this API).
    pub timeout: Option<f64>,
    /// OneLLM: extra attempts on the primary model.
    pub retries: Option<u32>,
    /// OneLLM: models tried in order once the primary is exhausted.
    pub fallback_models: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    System {
        content: Content,
        name: Option<String>,
    },
    Developer {
        content: Content,
        name: Option<String>,
    },
    User {
        content: Content,
        name: Option<String>,
    },
    Assistant {
        content: Option<Content>,
        name: Option<String>,
        tool_calls: Option<Vec<MessageToolCall>>,
        refusal: Option<String>,
        /// Anthropic's signed thinking blocks, as an earlier answer returned them.
        thinking_blocks: Option<Vec<Value>>,
    },
    Tool {
        content: Content,
        tool_call_id: String,
    },
    /// The deprecated `function` role, still accepted by OpenAI.
    Function {
        content: Option<String>,
        name: String,
    },
}

/// Message content: a string, or a list of parts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    Text {
        text: String,
    },
    ImageUrl {
        image_url: ImageUrl,
    },
    InputAudio {
        input_audio: InputAudio,
    },
    AudioUrl {
        audio_url: AudioUrl,
    },
    /// A part type OneLLM does not know (OpenAI adds them, e.g. `file`): OpenAI-compatible
    /// providers get it unchanged; translating adapters reject it by name.
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImageUrl {
    pub url: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputAudio {
    /// Base64 audio bytes.
    pub data: String,
    pub format: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AudioUrl {
    pub url: String,
}

/// A tool call in an assistant message of the request. `function` is absent for tool
/// types other than `function` (OpenAI's `custom` tools), which pass through untouched.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessageToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub function: Option<FunctionCall>,
}

/// A tool call in a response.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text, as OpenAI sends it.
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchema },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct JsonSchema {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<Value>,
    pub strict: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StreamOptions {
    pub include_usage: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tool {
    #[serde(rename = "type")]
    pub kind: String,
    /// Absent for tool types other than `function`, which pass through untouched.
    pub function: Option<FunctionDef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FunctionDef {
    pub name: String,
    pub description: Option<String>,
    pub parameters: Option<Value>,
    pub strict: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ToolChoice {
    /// `none`, `auto` or `required`.
    Mode(ToolChoiceMode),
    Named(NamedToolChoice),
    /// Another object form (OpenAI's `allowed_tools`, `custom`): passed through.
    Other(Map<String, Value>),
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    None,
    Auto,
    Required,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NamedToolChoice {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: NamedFunction,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NamedFunction {
    pub name: String,
}

/// A validated request: the caller's JSON object and its typed view.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub raw: Map<String, Value>,
    pub params: ChatParams,
}

impl ChatRequest {
    /// Validates the caller's params. Errors name the offending field by its path
    /// (`messages[0].content`, `temperature`).
    pub fn from_json(value: Value) -> Result<Self> {
        let Value::Object(raw) = value else {
            return Err(Error::invalid(
                "",
                "the request params must be an object with `model` and `messages`",
            ));
        };
        for required in ["model", "messages"] {
            if raw.get(required).is_none_or(Value::is_null) {
                return Err(Error::invalid(
                    required,
                    format!("missing required parameter `{required}`"),
                ));
            }
        }
        let view = Value::Object(raw);
        let params = serde_path_to_error::deserialize::<_, ChatParams>(&view).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            Error::invalid(path.clone(), format!("invalid `{path}`: {inner}"))
        })?;
        let Value::Object(raw) = view else {
            unreachable!("built as an object above")
        };
        Ok(ChatRequest { raw, params })
    }

    pub fn is_stream(&self) -> bool {
        self.params.stream == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use serde_json::json;

    fn invalid(v: Value) -> Error {
        let e = ChatRequest::from_json(v).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        e
    }

    #[test]
    fn every_openai_parameter_is_read() {
        let req = ChatRequest::from_json(json!({
            "model": "openai/gpt-4o",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
                    {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                    {"type": "file", "file": {"file_id": "f"}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "c1", "content": "42"}
            ],
            "frequency_penalty": 0.5, "presence_penalty": -0.5,
            "logit_bias": {"50256": -100}, "logprobs": true, "top_logprobs": 2,
            "max_tokens": 10, "max_completion_tokens": 20, "n": 2,
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": true}},
            "seed": 7, "stop": ["\n"], "stream": true, "stream_options": {"include_usage": true},
            "temperature": 0.2, "top_p": 0.9,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
            "tool_choice": {"type": "function", "function": {"name": "f"}},
            "parallel_tool_calls": false, "user": "u1",
            "timeout": 1.5, "retries": 2, "fallback_models": ["openai/gpt-4o-mini"],
            "some_future_param": {"kept": true}
        }))
        .unwrap();
        let p = &req.params;
        assert_eq!(p.messages.len(), 4);
        assert_eq!(p.top_logprobs, Some(2));
        assert_eq!(p.stop, Some(Stop::Many(vec!["\n".into()])));
        assert!(matches!(
            p.response_format,
            Some(ResponseFormat::JsonSchema { .. })
        ));
        assert!(matches!(p.tool_choice, Some(ToolChoice::Named(_))));
        assert_eq!(p.timeout, Some(1.5));
        assert_eq!(
            p.fallback_models.as_deref(),
            Some(&["openai/gpt-4o-mini".to_string()][..])
        );
        assert!(req.is_stream());
        assert_eq!(req.raw["some_future_param"], json!({"kept": true}));
        let Message::User {
            content: Content::Parts(parts),
            ..
        } = &p.messages[1]
        else {
            panic!("user parts")
        };
        assert_eq!(parts[3], ContentPart::Other);
    }

    #[test]
    fn newer_openai_tool_forms_pass() {
        let req = ChatRequest::from_json(json!({"model": "openai/x", "messages": [
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "custom", "custom": {"name": "t", "input": "x"}}]}
        ],
        "tools": [{"type": "custom", "custom": {"name": "t"}}],
        "tool_choice": {"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}}))
        .unwrap();
        assert!(matches!(req.params.tool_choice, Some(ToolChoice::Other(_))));
        assert_eq!(req.params.tools.unwrap()[0].function, None);
        let e = invalid(json!({"model": "openai/x", "messages": [], "tool_choice": "sometimes"}));
        assert_eq!(e.param.as_deref(), Some("tool_choice"));
    }

    #[test]
    fn wrong_type_names_the_field() {
        let e = invalid(json!({"model": "openai/x", "messages": [], "temperature": "hot"}));
        assert_eq!(e.param.as_deref(), Some("temperature"));
        assert!(e.message.contains("`temperature`"), "{}", e.message);
        assert!(e.message.contains("\"hot\""), "{}", e.message);
    }

    #[test]
    fn nested_wrong_type_names_the_path() {
        let e = invalid(json!({"model": "openai/x", "messages": [
            {"role": "user", "content": "hi"},
            {"role": "tool", "content": "x"}
        ]}));
        assert_eq!(e.param.as_deref(), Some("messages[1]"));
        assert!(e.message.contains("tool_call_id"), "{}", e.message);
        let e =
            invalid(json!({"model": "openai/x", "messages": [{"role": "robot", "content": "x"}]}));
        assert_eq!(e.param.as_deref(), Some("messages[0].role"));
        assert!(e.message.contains("robot"), "{}", e.message);
        let e = invalid(json!({"model": "openai/x", "messages": [], "n": 1.5}));
        assert_eq!(e.param.as_deref(), Some("n"));
    }

    #[test]
    fn missing_messages_or_model_is_named() {
        assert_eq!(
            invalid(json!({"model": "openai/x"})).param.as_deref(),
            Some("messages")
        );
        assert_eq!(
            invalid(json!({"messages": []})).param.as_deref(),
            Some("model")
        );
        assert_eq!(
            invalid(json!({"model": "openai/x", "messages": null}))
                .param
                .as_deref(),
            Some("messages")
        );
        assert!(invalid(json!([1, 2])).message.contains("object"));
    }

    #[test]
    fn null_optionals_are_absent() {
        let req = ChatRequest::from_json(json!({
            "model": "openai/x", "messages": [], "temperature": null, "stream": null
        }))
        .unwrap();
        assert_eq!(req.params.temperature, None);
        assert!(!req.is_stream());
    }
}
