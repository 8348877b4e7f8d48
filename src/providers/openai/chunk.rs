//! The hot path of OpenAI-format streams: a `chat.completion.chunk` read in place.
//!
//! The chunk text goes on to JS as it came; Rust reads it only to keep the running
//! total for `finalChatCompletion()`. So it is read into borrowed views of the fields
//! that total needs, skipping the rest without building it: no `Value` tree, and no
//! string copied unless it has escapes. This is the one derived `Deserialize` in the
//! crate (a single instance, for `&str` input): hand-reading a `Value` here cost three
//! times as much per chunk (issue 8). Read leniently, as openai-node reads chunks:
//! compatible servers omit or null fields OpenAI always sends, or send `created` as a
//! float. Only `choices` is required, which tells a chunk from an `{"error": ...}`.

use serde::Deserialize;
use serde_json::Value;

use crate::accumulate::{Accumulator, ChoiceDelta, ToolDelta};
use crate::providers::wire::{text, Text};

/// Any JSON number as a count: fractions drop, negatives and NaN read as 0.
fn count(n: Option<f64>) -> u64 {
    n.map_or(0, |n| n as u64)
}

#[derive(Debug, Deserialize)]
pub struct WireChunk<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    created: Option<f64>,
    #[serde(borrow)]
    model: Option<Text<'a>>,
    #[serde(borrow)]
    system_fingerprint: Option<Text<'a>>,
    #[serde(borrow)]
    choices: Vec<WireChoice<'a>>,
    /// Kept as JSON: at most one per stream, read by `Usage::read`.
    pub usage: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct WireChoice<'a> {
    index: Option<f64>,
    #[serde(borrow)]
    delta: Option<WireDelta<'a>>,
    logprobs: Option<Value>,
    #[serde(borrow)]
    finish_reason: Option<Text<'a>>,
}

#[derive(Debug, Deserialize)]
struct WireDelta<'a> {
    #[serde(borrow)]
    content: Option<Text<'a>>,
    #[serde(borrow)]
    refusal: Option<Text<'a>>,
    #[serde(borrow)]
    reasoning_content: Option<Text<'a>>,
    thinking_blocks: Option<Vec<Value>>,
    #[serde(borrow)]
    tool_calls: Option<Vec<WireToolCall<'a>>>,
}

#[derive(Debug, Deserialize)]
struct WireToolCall<'a> {
    index: Option<f64>,
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    function: Option<WireFunction<'a>>,
}

#[derive(Debug, Deserialize)]
struct WireFunction<'a> {
    #[serde(borrow)]
    name: Option<Text<'a>>,
    #[serde(borrow)]
    arguments: Option<Text<'a>>,
}

impl<'a> WireChunk<'a> {
    /// `None` when the text is no chunk: not JSON, or no `choices` array.
    pub fn parse(data: &'a str) -> Option<Self> {
        serde_json::from_str(data).ok()
    }

    /// Adds this chunk to the running total.
    pub fn fold_into(&self, acc: &mut Accumulator) {
        acc.head(
            text(&self.id).unwrap_or_default(),
            count(self.created),
            text(&self.model).unwrap_or_default(),
            text(&self.system_fingerprint),
        );
        for c in &self.choices {
            let index = u32::try_from(count(c.index)).unwrap_or(u32::MAX);
            let delta = c.delta.as_ref();
            acc.choice_delta(ChoiceDelta {
                index,
                content: delta.and_then(|d| text(&d.content)),
                refusal: delta.and_then(|d| text(&d.refusal)),
                reasoning: delta.and_then(|d| text(&d.reasoning_content)),
                thinking_blocks: delta
                    .and_then(|d| d.thinking_blocks.as_deref())
                    .unwrap_or_default(),
                finish_reason: text(&c.finish_reason),
                logprobs: c.logprobs.as_ref(),
            });
            for t in delta
                .and_then(|d| d.tool_calls.as_ref())
                .into_iter()
                .flatten()
            {
                let f = t.function.as_ref();
                acc.tool_delta(
                    index,
                    ToolDelta {
                        index: u32::try_from(count(t.index)).unwrap_or(u32::MAX),
                        id: text(&t.id),
                        name: f.and_then(|f| text(&f.name)),
                        arguments: f.and_then(|f| text(&f.arguments)),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn fields_are_borrowed_unless_escaped() {
        let data = r#"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"plain"}},{"index":1,"delta":{"content":"a\nb"}}]}"#;
        let chunk = WireChunk::parse(data).unwrap();
        let content = |i: usize| {
            &chunk.choices[i]
                .delta
                .as_ref()
                .unwrap()
                .content
                .as_ref()
                .unwrap()
                .0
        };
        assert!(matches!(content(0), Cow::Borrowed("plain")));
        assert_eq!(content(1).as_ref(), "a\nb");
    }

    #[test]
    fn compatible_servers_are_read_leniently() {
        let data = r#"{"id":null,"created":1.7e9,"model":"m","extra":{"x":[1,2]},"choices":[{"delta":null},{"index":1,"delta":{"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3}}"#;
        let chunk = WireChunk::parse(data).unwrap();
        let mut acc = Accumulator::default();
        chunk.fold_into(&mut acc);
        let done = acc.finish();
        assert_eq!(done.created, 1_700_000_000);
        assert_eq!(done.id, "");
        assert_eq!(done.choices.len(), 2);
        let call = &done.choices[1].message.tool_calls.as_ref().unwrap()[0];
        assert_eq!(
            (
                call.function.name.as_str(),
                call.function.arguments.as_str()
            ),
            ("f", "{}")
        );
        assert_eq!(done.choices[1].finish_reason.as_deref(), Some("tool_calls"));
        assert!(chunk.usage.is_some());
    }

    #[test]
    fn no_choices_or_no_json_is_no_chunk() {
        assert!(WireChunk::parse(r#"{"error":{"message":"x"}}"#).is_none());
        assert!(WireChunk::parse("{\"choices\": [").is_none());
        assert!(WireChunk::parse(r#"{"choices":[{"index":"zero"}]}"#).is_none());
    }
}
