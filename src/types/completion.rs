//! `chat.completion` and `chat.completion.chunk`, with exactly OpenAI's JSON shape
//! (<https://platform.openai.com/docs/api-reference/chat/object>): fields OpenAI always
//! sends as `null` are serialised as `null`, fields it omits are omitted.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::request::ToolCall;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletion {
    pub id: String,
    pub object: String,
    pub created: u64,
    pub model: String,
    pub choices: Vec<Choice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub index: u32,
    pub message: CompletionMessage,
    pub logprobs: Option<Value>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionMessage {
    pub role: String,
    pub content: Option<String>,
    pub refusal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    /// Reasoning text some providers return beside the answer (DeepSeek's field name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Anthropic's signed thinking blocks, which must go back with the assistant turn
    /// when it called tools (LiteLLM's field name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Usage {
    #[serde(default, deserialize_with = "lenient_number")]
    pub prompt_tokens: u64,
    #[serde(default, deserialize_with = "lenient_number")]
    pub completion_tokens: u64,
    #[serde(default, deserialize_with = "lenient_number")]
    pub total_tokens: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<Value>,
}

/// Read leniently, as openai-node reads it: OpenAI-compatible servers omit or null
/// fields OpenAI always sends, or send `created` as a float. Only `choices` is
/// required, which is what tells a chunk from an `{"error": ...}` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatCompletionChunk {
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub object: String,
    #[serde(default, deserialize_with = "lenient_number")]
    pub created: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub model: String,
    pub choices: Vec<ChunkChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// `null` or absent reads as the type's default.
fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Any JSON number (or `null`) as a non-negative integer, saturating; fractions drop.
fn lenient_number<'de, D: Deserializer<'de>, T: TryFrom<u64> + Default>(
    d: D,
) -> Result<T, D::Error> {
    let n = Option::<f64>::deserialize(d)?.unwrap_or(0.0);
    // `as` saturates and maps NaN to 0; `try_from` then caps at the target's range.
    let n = n as u64;
    Ok(T::try_from(n).unwrap_or_else(|_| T::try_from(u64::from(u32::MAX)).unwrap_or_default()))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkChoice {
    #[serde(default, deserialize_with = "lenient_number")]
    pub index: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub delta: Delta,
    #[serde(default)]
    pub logprobs: Option<Value>,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Delta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Whole thinking blocks, each sent once it is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    #[serde(default, deserialize_with = "lenient_number")]
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionDelta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FunctionDelta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_from_compatible_servers_are_read_leniently() {
        let chunk: ChatCompletionChunk = serde_json::from_str(
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
        assert!(
            serde_json::from_str::<ChatCompletionChunk>(r#"{"error":{"message":"x"}}"#).is_err()
        );
    }
}
