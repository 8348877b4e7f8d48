//! `chat.completion` and `chat.completion.chunk`, with exactly OpenAI's JSON shape
//! (<https://platform.openai.com/docs/api-reference/chat/object>): fields OpenAI always
//! sends as `null` are serialised as `null`, fields it omits are omitted.

use crate::json::Value;

use crate::json::{
    field, items, object, read_items, string_of, string_or_empty, u32_of, u64_of, ToJson,
};

use super::request::ToolCall;

#[derive(Debug, Clone, PartialEq)]
pub struct ChatCompletion {
    pub id: String,
    pub object: String,
    pub created: u64,
    pub model: String,
    pub choices: Vec<Choice>,
    pub usage: Option<Usage>,
    pub system_fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub index: u32,
    pub message: CompletionMessage,
    pub logprobs: Option<Value>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionMessage {
    pub role: String,
    pub content: Option<String>,
    pub refusal: Option<String>,
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Reasoning text some providers return beside the answer (DeepSeek's field name).
    pub reasoning_content: Option<String>,
    /// Anthropic's signed thinking blocks, which must go back with the assistant turn
    /// when it called tools (LiteLLM's field name).
    pub thinking_blocks: Option<Vec<Value>>,
    /// What the provider answered that OpenAI's shape has no place for, as it came:
    /// Anthropic's server-tool blocks and citations, Gemini's code-execution and
    /// inline-data parts. Nothing answered disappears without trace.
    pub provider_content: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub prompt_tokens_details: Option<Value>,
    pub completion_tokens_details: Option<Value>,
}

/// Read leniently, as openai-node reads it: OpenAI-compatible servers omit or null
/// fields OpenAI always sends, or send `created` as a float. Only `choices` is
/// required, which is what tells a chunk from an `{"error": ...}` payload.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatCompletionChunk {
    pub id: String,
    pub object: String,
    pub created: u64,
    pub model: String,
    pub choices: Vec<ChunkChoice>,
    pub usage: Option<Usage>,
    pub system_fingerprint: Option<String>,
}

impl ChatCompletionChunk {
    /// A chunk a translating adapter builds, with its choices.
    pub fn new(id: &str, created: u64, model: &str, choices: Vec<ChunkChoice>) -> Self {
        ChatCompletionChunk {
            id: id.to_string(),
            object: "chat.completion.chunk".into(),
            created,
            model: model.to_string(),
            choices,
            usage: None,
            system_fingerprint: None,
        }
    }

    /// A chunk with the one choice (index 0) of single-choice providers.
    pub fn single(
        id: &str,
        created: u64,
        model: &str,
        delta: Delta,
        finish_reason: Option<String>,
    ) -> Self {
        let choice = ChunkChoice {
            index: 0,
            delta,
            logprobs: None,
            finish_reason,
        };
        Self::new(id, created, model, vec![choice])
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChunkChoice {
    pub index: u32,
    pub delta: Delta,
    pub logprobs: Option<Value>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delta {
    pub role: Option<String>,
    pub content: Option<String>,
    pub refusal: Option<String>,
    pub tool_calls: Option<Vec<ToolCallDelta>>,
    pub reasoning_content: Option<String>,
    /// Whole thinking blocks, each sent once it is complete.
    pub thinking_blocks: Option<Vec<Value>>,
    /// Whole provider blocks (see [`CompletionMessage::provider_content`]).
    pub provider_content: Option<Vec<Value>>,
}

impl Delta {
    /// A delta carrying one tool-call fragment, as the translating streams send them.
    pub fn tool_call(call: ToolCallDelta) -> Self {
        Delta {
            tool_calls: Some(vec![call]),
            ..Delta::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallDelta {
    pub index: u32,
    pub id: Option<String>,
    pub kind: Option<String>,
    pub function: Option<FunctionDelta>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunctionDelta {
    pub name: Option<String>,
    pub arguments: Option<String>,
}

// Writers: OpenAI's JSON, member order as OpenAI sends it; fields OpenAI omits when
// empty are skipped (`some`), fields it sends as `null` are written (`field`).

impl ToJson for ChatCompletion {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("id", &self.id)
            .field("object", &self.object)
            .field("created", &self.created)
            .field("model", &self.model)
            .field("choices", &self.choices)
            .some("usage", &self.usage)
            .some("system_fingerprint", &self.system_fingerprint)
            .end();
    }
}

impl ToJson for Choice {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("index", &self.index)
            .field("message", &self.message)
            .field("logprobs", &self.logprobs)
            .field("finish_reason", &self.finish_reason)
            .end();
    }
}

impl ToJson for CompletionMessage {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("role", &self.role)
            .field("content", &self.content)
            .field("refusal", &self.refusal)
            .some("tool_calls", &self.tool_calls)
            .some("reasoning_content", &self.reasoning_content)
            .some("thinking_blocks", &self.thinking_blocks)
            .some("provider_content", &self.provider_content)
            .end();
    }
}

impl ToJson for Usage {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("prompt_tokens", &self.prompt_tokens)
            .field("completion_tokens", &self.completion_tokens)
            .field("total_tokens", &self.total_tokens)
            .some("prompt_tokens_details", &self.prompt_tokens_details)
            .some("completion_tokens_details", &self.completion_tokens_details)
            .end();
    }
}

impl ToJson for ChatCompletionChunk {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("id", &self.id)
            .field("object", &self.object)
            .field("created", &self.created)
            .field("model", &self.model)
            .field("choices", &self.choices)
            .some("usage", &self.usage)
            .some("system_fingerprint", &self.system_fingerprint)
            .end();
    }
}

impl ToJson for ChunkChoice {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("index", &self.index)
            .field("delta", &self.delta)
            .field("logprobs", &self.logprobs)
            .field("finish_reason", &self.finish_reason)
            .end();
    }
}

impl ToJson for Delta {
    fn write_json(&self, out: &mut String) {
        object(out)
            .some("role", &self.role)
            .some("content", &self.content)
            .some("refusal", &self.refusal)
            .some("tool_calls", &self.tool_calls)
            .some("reasoning_content", &self.reasoning_content)
            .some("thinking_blocks", &self.thinking_blocks)
            .some("provider_content", &self.provider_content)
            .end();
    }
}

impl ToJson for ToolCallDelta {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("index", &self.index)
            .some("id", &self.id)
            .some("type", &self.kind)
            .some("function", &self.function)
            .end();
    }
}

impl ToJson for FunctionDelta {
    fn write_json(&self, out: &mut String) {
        object(out)
            .some("name", &self.name)
            .some("arguments", &self.arguments)
            .end();
    }
}

// Readers: chunks and usage as OpenAI-compatible servers send them, leniently, as
// openai-node reads them: fields OpenAI always sends may be absent or `null`, and
// `created` may come as a float.

impl ChatCompletionChunk {
    /// A chunk from its JSON; `None` when it is no chunk (no `choices` array, which
    /// tells a chunk from an `{"error": ...}` payload).
    pub fn read(v: &Value) -> Option<Self> {
        let Some(Value::Array(_)) = v.get("choices") else {
            return None;
        };
        Some(ChatCompletionChunk {
            id: string_or_empty(v, "id"),
            object: string_or_empty(v, "object"),
            created: u64_of(v, "created").unwrap_or(0),
            model: string_or_empty(v, "model"),
            choices: read_items(v, "choices", ChunkChoice::read),
            usage: field(v, "usage").map(Usage::read),
            system_fingerprint: string_of(v, "system_fingerprint"),
        })
    }
}

impl ChunkChoice {
    fn read(v: &Value) -> Self {
        ChunkChoice {
            index: u32_of(v, "index").unwrap_or(0),
            delta: field(v, "delta").map(Delta::read).unwrap_or_default(),
            logprobs: field(v, "logprobs").cloned(),
            finish_reason: string_of(v, "finish_reason"),
        }
    }
}

impl Delta {
    fn read(v: &Value) -> Self {
        Delta {
            role: string_of(v, "role"),
            content: string_of(v, "content"),
            refusal: string_of(v, "refusal"),
            tool_calls: field(v, "tool_calls")
                .map(|_| read_items(v, "tool_calls", ToolCallDelta::read)),
            reasoning_content: string_of(v, "reasoning_content"),
            thinking_blocks: field(v, "thinking_blocks")
                .map(|_| items(v, "thinking_blocks").to_vec()),
            provider_content: field(v, "provider_content")
                .map(|_| items(v, "provider_content").to_vec()),
        }
    }
}

impl ToolCallDelta {
    fn read(v: &Value) -> Self {
        ToolCallDelta {
            index: u32_of(v, "index").unwrap_or(0),
            id: string_of(v, "id"),
            kind: string_of(v, "type"),
            function: field(v, "function").map(|f| FunctionDelta {
                name: string_of(f, "name"),
                arguments: string_of(f, "arguments"),
            }),
        }
    }
}

impl Usage {
    /// Missing counts read as 0; the details objects are kept as sent.
    pub fn read(v: &Value) -> Self {
        let count = |key| u64_of(v, key).unwrap_or(0);
        Usage {
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
            total_tokens: count("total_tokens"),
            prompt_tokens_details: field(v, "prompt_tokens_details").cloned(),
            completion_tokens_details: field(v, "completion_tokens_details").cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<ChatCompletionChunk> {
        ChatCompletionChunk::read(&crate::json::parse(text).unwrap())
    }

    #[test]
    fn chunks_from_compatible_servers_are_read_leniently() {
        let chunk = parse(
            r#"{"id":null,"created":1.7e9,"model":"m","choices":[{"delta":null},{"index":1,"delta":{"tool_calls":[{"function":{"name":"f"}}]}}],
                "usage":{"prompt_tokens":3,"completion_tokens":null}}"#,
        )
        .unwrap();
        assert_eq!(chunk.created, 1_700_000_000);
        assert_eq!(chunk.id, "");
        assert_eq!(chunk.choices[0].index, 0);
        assert_eq!(
            chunk.choices[1].delta.tool_calls.as_ref().unwrap()[0].index,
            0
        );
        let usage = chunk.usage.unwrap();
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens
            ),
            (3, 0, 0)
        );
    }

    #[test]
    fn an_error_payload_is_no_chunk() {
        assert!(parse(r#"{"error":{"message":"x"}}"#).is_none());
    }
}
