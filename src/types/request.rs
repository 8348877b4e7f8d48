//! The OpenAI chat-completions request, typed.
//!
//! The caller's params are kept twice: as the JSON object they sent (so
//! OpenAI-compatible providers get every field, known or not, unchanged) and as
//! [`ChatParams`], the typed view that validates each known field and that translating
//! adapters read. Reference: <https://platform.openai.com/docs/api-reference/chat/create>.

use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::json::{object, At, Number, ToJson};

/// OneLLM's own parameters: they steer the client and are never sent to a provider.
pub const ONELLM_PARAMS: [&str; 4] = ["timeout", "idle_timeout", "retries", "fallback_models"];

#[derive(Debug, Clone, PartialEq)]
pub struct ChatParams {
    pub model: String,
    pub messages: Vec<Message>,
    /// Numbers the caller sent, kept as their JSON text: a provider gets exactly them.
    pub frequency_penalty: Option<Number>,
    pub logit_bias: Option<crate::json::Keyed<f64>>,
    pub logprobs: Option<bool>,
    pub top_logprobs: Option<u32>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    pub n: Option<u32>,
    pub presence_penalty: Option<Number>,
    pub response_format: Option<ResponseFormat>,
    pub seed: Option<i64>,
    pub stop: Option<Stop>,
    pub stream: Option<bool>,
    pub stream_options: Option<StreamOptions>,
    pub temperature: Option<Number>,
    pub top_p: Option<Number>,
    pub tools: Option<Vec<Tool>>,
    pub tool_choice: Option<ToolChoice>,
    pub parallel_tool_calls: Option<bool>,
    pub user: Option<String>,
    /// Mapped per provider and model family (`providers::reasoning`).
    pub reasoning_effort: Option<Effort>,
    /// OneLLM: seconds per attempt (a float, as in the Python seed of this API).
    pub timeout: Option<f64>,
    /// OneLLM: seconds a started stream may go without a byte (0: no limit).
    pub idle_timeout: Option<f64>,
    /// OneLLM: extra attempts on the primary model.
    pub retries: Option<u32>,
    /// OneLLM: models tried in order once the primary is exhausted.
    pub fallback_models: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
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

impl Message {
    /// The message's content, where its role has content parts.
    pub fn parts_content(&self) -> Option<&Content> {
        match self {
            Message::System { content, .. }
            | Message::Developer { content, .. }
            | Message::User { content, .. }
            | Message::Tool { content, .. } => Some(content),
            Message::Assistant { content, .. } => content.as_ref(),
            Message::Function { .. } => None,
        }
    }
}

/// Message content: a string, or a list of parts.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Clone, PartialEq)]
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
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageUrl {
    pub url: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InputAudio {
    /// Base64 audio bytes.
    pub data: String,
    pub format: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioUrl {
    pub url: String,
}

/// A tool call in an assistant message of the request. `function` is absent for tool
/// types other than `function` (OpenAI's `custom` tools), which pass through untouched.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageToolCall {
    pub id: String,
    pub kind: String,
    pub function: Option<FunctionCall>,
}

/// A tool call in a response.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub kind: String,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text, as OpenAI sends it.
    pub arguments: String,
}

impl ToJson for ToolCall {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("id", &self.id)
            .field("type", &self.kind)
            .field("function", &self.function)
            .end();
    }
}

impl ToJson for FunctionCall {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("name", &self.name)
            .field("arguments", &self.arguments)
            .end();
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchema },
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchema {
    pub name: String,
    pub description: Option<String>,
    pub schema: Option<Value>,
    pub strict: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    pub include_usage: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub kind: String,
    /// Absent for tool types other than `function`, which pass through untouched.
    pub function: Option<FunctionDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub name: String,
    pub description: Option<String>,
    pub parameters: Option<Value>,
    pub strict: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ToolChoice {
    /// `none`, `auto` or `required`.
    Mode(ToolChoiceMode),
    Named(NamedToolChoice),
    /// Another object form (OpenAI's `allowed_tools`, `custom`): passed through.
    Other(Map),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ToolChoiceMode {
    None,
    Auto,
    Required,
}

/// OpenAI's `ReasoningEffort` (openai-node's `shared.ts`), least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effort {
    None,
    Minimal,
    Low,
    Medium,
    High,
    Xhigh,
    Max,
}

impl Effort {
    pub const ALL: [Effort; 7] = [
        Effort::None,
        Effort::Minimal,
        Effort::Low,
        Effort::Medium,
        Effort::High,
        Effort::Xhigh,
        Effort::Max,
    ];

    pub fn as_str(self) -> &'static str {
        ["none", "minimal", "low", "medium", "high", "xhigh", "max"][self as usize]
    }

    fn read(at: &At) -> Result<Self> {
        let s = at.str()?;
        Effort::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                at.invalid("one of `none`, `minimal`, `low`, `medium`, `high`, `xhigh`, `max`")
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedToolChoice {
    pub kind: String,
    pub function: NamedFunction,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedFunction {
    pub name: String,
}

// Readers: each type from the caller's JSON, strictly, naming the path it refuses.

impl ChatParams {
    fn read(at: &At) -> Result<Self> {
        let f64_at = |key| at.opt(key, At::f64);
        let number_at = |key| at.opt(key, At::number);
        let u32_at = |key| at.opt(key, At::u32);
        let bool_at = |key| at.opt(key, At::bool);
        Ok(ChatParams {
            model: at.need("model")?.string()?,
            messages: at.need("messages")?.list(Message::read)?,
            frequency_penalty: number_at("frequency_penalty")?,
            logit_bias: at.opt("logit_bias", |bias| bias.map(At::f64))?,
            logprobs: bool_at("logprobs")?,
            top_logprobs: u32_at("top_logprobs")?,
            max_tokens: u32_at("max_tokens")?,
            max_completion_tokens: u32_at("max_completion_tokens")?,
            n: u32_at("n")?,
            presence_penalty: number_at("presence_penalty")?,
            response_format: at.opt("response_format", ResponseFormat::read)?,
            seed: at.opt("seed", At::i64)?,
            stop: at.opt("stop", Stop::read)?,
            stream: bool_at("stream")?,
            stream_options: at.opt("stream_options", |o| {
                o.object()?;
                Ok(StreamOptions {
                    include_usage: o.opt("include_usage", At::bool)?,
                })
            })?,
            temperature: number_at("temperature")?,
            top_p: number_at("top_p")?,
            tools: at.opt("tools", |t| t.list(Tool::read))?,
            tool_choice: at.opt("tool_choice", ToolChoice::read)?,
            parallel_tool_calls: bool_at("parallel_tool_calls")?,
            user: at.opt("user", At::string)?,
            reasoning_effort: at.opt("reasoning_effort", Effort::read)?,
            timeout: f64_at("timeout")?,
            idle_timeout: f64_at("idle_timeout")?,
            retries: u32_at("retries")?,
            fallback_models: at.opt("fallback_models", |m| m.list(At::string))?,
        })
    }
}

impl Message {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        let name = || at.opt("name", At::string);
        let content = || Content::read(&at.need("content")?);
        let role = at.need("role")?;
        Ok(match role.str()? {
            "system" => Message::System {
                content: content()?,
                name: name()?,
            },
            "developer" => Message::Developer {
                content: content()?,
                name: name()?,
            },
            "user" => Message::User {
                content: content()?,
                name: name()?,
            },
            "assistant" => Message::Assistant {
                content: at.opt("content", Content::read)?,
                name: name()?,
                tool_calls: at.opt("tool_calls", |c| c.list(MessageToolCall::read))?,
                refusal: at.opt("refusal", At::string)?,
                thinking_blocks: at.opt("thinking_blocks", |b| {
                    b.list(|block| Ok(block.value.clone()))
                })?,
            },
            "tool" => Message::Tool {
                content: content()?,
                tool_call_id: at.need("tool_call_id")?.string()?,
            },
            "function" => Message::Function {
                content: at.opt("content", At::string)?,
                name: at.need("name")?.string()?,
            },
            _ => {
                return Err(role.invalid(
                    "one of `system`, `developer`, `user`, `assistant`, `tool`, `function`",
                ))
            }
        })
    }
}

impl Content {
    fn read(at: &At) -> Result<Self> {
        match at.value {
            Value::String(text) => Ok(Content::Text(text.clone())),
            Value::Array(_) => Ok(Content::Parts(at.list(ContentPart::read)?)),
            _ => Err(at.invalid("a string or an array of content parts")),
        }
    }
}

impl ContentPart {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        let url = |key: &'static str| -> Result<(At, String)> {
            let inner = at.need(key)?;
            let url = inner.need("url")?.string()?;
            Ok((inner, url))
        };
        Ok(match at.need("type")?.str()? {
            "text" => ContentPart::Text {
                text: at.need("text")?.string()?,
            },
            "image_url" => {
                let (inner, url) = url("image_url")?;
                ContentPart::ImageUrl {
                    image_url: ImageUrl {
                        url,
                        detail: inner.opt("detail", At::string)?,
                    },
                }
            }
            "input_audio" => {
                let inner = at.need("input_audio")?;
                ContentPart::InputAudio {
                    input_audio: InputAudio {
                        data: inner.need("data")?.string()?,
                        format: inner.need("format")?.string()?,
                    },
                }
            }
            "audio_url" => ContentPart::AudioUrl {
                audio_url: AudioUrl {
                    url: url("audio_url")?.1,
                },
            },
            _ => ContentPart::Other,
        })
    }
}

impl FunctionCall {
    fn read(at: &At) -> Result<Self> {
        Ok(FunctionCall {
            name: at.need("name")?.string()?,
            arguments: at.need("arguments")?.string()?,
        })
    }
}

impl MessageToolCall {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        Ok(MessageToolCall {
            id: at.need("id")?.string()?,
            kind: at.need("type")?.string()?,
            function: at.opt("function", FunctionCall::read)?,
        })
    }
}

impl ResponseFormat {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        let kind = at.need("type")?;
        Ok(match kind.str()? {
            "text" => ResponseFormat::Text,
            "json_object" => ResponseFormat::JsonObject,
            "json_schema" => {
                let schema = at.need("json_schema")?;
                schema.object()?;
                ResponseFormat::JsonSchema {
                    json_schema: JsonSchema {
                        name: schema.need("name")?.string()?,
                        description: schema.opt("description", At::string)?,
                        schema: schema.get("schema").map(|s| s.value.clone()),
                        strict: schema.opt("strict", At::bool)?,
                    },
                }
            }
            _ => return Err(kind.invalid("one of `text`, `json_object`, `json_schema`")),
        })
    }
}

impl Stop {
    fn read(at: &At) -> Result<Self> {
        match at.value {
            Value::String(one) => Ok(Stop::One(one.clone())),
            Value::Array(_) => Ok(Stop::Many(at.list(At::string)?)),
            _ => Err(at.invalid("a string or an array of strings")),
        }
    }
}

impl Tool {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        Ok(Tool {
            kind: at.need("type")?.string()?,
            function: at.opt("function", |f| {
                f.object()?;
                Ok(FunctionDef {
                    name: f.need("name")?.string()?,
                    description: f.opt("description", At::string)?,
                    parameters: f.get("parameters").map(|p| p.value.clone()),
                    strict: f.opt("strict", At::bool)?,
                })
            })?,
        })
    }
}

impl ToolChoice {
    fn read(at: &At) -> Result<Self> {
        match at.value {
            Value::String(mode) => match mode.as_str() {
                "none" => Ok(ToolChoice::Mode(ToolChoiceMode::None)),
                "auto" => Ok(ToolChoice::Mode(ToolChoiceMode::Auto)),
                "required" => Ok(ToolChoice::Mode(ToolChoiceMode::Required)),
                _ => Err(at.invalid("`none`, `auto`, `required` or an object")),
            },
            Value::Object(map) => {
                let named = match (map.get("type"), map.get("function")) {
                    (Some(Value::String(kind)), Some(function)) => function
                        .get("name")
                        .and_then(Value::as_str)
                        .map(|name| (kind.clone(), name.to_string())),
                    _ => None,
                };
                Ok(match named {
                    Some((kind, name)) => ToolChoice::Named(NamedToolChoice {
                        kind,
                        function: NamedFunction { name },
                    }),
                    None => ToolChoice::Other(map.clone()),
                })
            }
            _ => Err(at.invalid("`none`, `auto`, `required` or an object")),
        }
    }
}

/// A validated request: the caller's JSON object and its typed view.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub raw: Map,
    pub params: ChatParams,
}

/// The refusal of params that are no object (an array, a string).
pub const NOT_PARAMS: &str = "`create` takes an object with `model` and `messages`";

impl ChatRequest {
    /// Validates the caller's params. Errors name the offending field by its path
    /// (`messages[0].content`, `temperature`).
    pub fn from_json(value: Value) -> Result<Self> {
        let Value::Object(raw) = value else {
            return Err(Error::invalid("", NOT_PARAMS));
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
        let params = ChatParams::read(&At::root(&view))?;
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
    use crate::json;

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
