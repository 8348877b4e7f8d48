//! The hot path of OpenAI-format streams: a `chat.completion.chunk` read in place.
//!
//! The chunk text goes on to JS as it came; Rust reads it only to keep the running
//! total for `finalChatCompletion()`. So it is read by the pull scanner
//! ([`crate::scan`]) into borrowed views of the fields that total needs, skipping the
//! rest without building it: hand-reading a `Value` here cost three times as much per
//! chunk (issue 8). Read leniently, as openai-node reads chunks: compatible servers
//! omit or null fields OpenAI always sends, or send `created` as a float. Only
//! `choices` is required, which tells a chunk from an `{"error": ...}` payload.

use std::borrow::Cow;

use crate::json::Value;

use crate::accumulate::{Accumulator, ChoiceDelta, ToolDelta};
use crate::providers::template::TextTemplate;
use crate::scan::{Scan, Scanner};

/// Any JSON number as a count: fractions drop, negatives and NaN read as 0.
fn count(n: Option<f64>) -> u64 {
    n.map_or(0, |n| n as u64)
}

fn index(n: Option<f64>) -> u32 {
    u32::try_from(count(n)).unwrap_or(u32::MAX)
}

/// An object, or `null` (read as absent); anything else makes the chunk no chunk.
fn object(s: &mut Scanner) -> Scan<Option<Value>> {
    match nullable(s)? {
        Some(v) if !v.is_object() => Err(crate::scan::Malformed { at: 0 }),
        v => Ok(v),
    }
}

/// A `Value` for a field that may be `null` (read as absent).
fn nullable(s: &mut Scanner) -> Scan<Option<Value>> {
    Ok(Some(s.value()?).filter(|v| !v.is_null()))
}

#[derive(Debug, Default)]
pub struct WireChunk<'a> {
    id: Option<Cow<'a, str>>,
    created: Option<f64>,
    model: Option<Cow<'a, str>>,
    system_fingerprint: Option<Cow<'a, str>>,
    choices: Vec<WireChoice<'a>>,
    /// Kept as JSON: at most one per stream, read by `Usage::read`.
    pub usage: Option<Value>,
    /// Where the `choices` array ends in the text (for [`TextTemplate`]).
    choices_end: usize,
}

#[derive(Debug, Default)]
struct WireChoice<'a> {
    index: Option<f64>,
    delta: Option<WireDelta<'a>>,
    logprobs: Option<Value>,
    finish_reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Default)]
struct WireDelta<'a> {
    content: Option<Cow<'a, str>>,
    /// Where `content`'s string lies in the text, quotes included.
    content_span: Option<(usize, usize)>,
    refusal: Option<Cow<'a, str>>,
    reasoning_content: Option<Cow<'a, str>>,
    thinking_blocks: Option<Vec<Value>>,
    tool_calls: Vec<WireToolCall<'a>>,
}

#[derive(Debug, Default)]
struct WireToolCall<'a> {
    index: Option<f64>,
    id: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    arguments: Option<Cow<'a, str>>,
}

impl<'a> WireChunk<'a> {
    /// `None` when the text is no chunk: not JSON, no `choices` array, or a field of
    /// the wrong type.
    pub fn parse(data: &'a str) -> Option<Self> {
        let mut s = Scanner::new(data);
        let mut chunk = WireChunk::default();
        let mut has_choices = false;
        s.object(|s, key| {
            match key {
                "id" => chunk.id = s.string()?,
                "created" => chunk.created = s.number()?,
                "model" => chunk.model = s.string()?,
                "system_fingerprint" => chunk.system_fingerprint = s.string()?,
                "choices" => {
                    has_choices = true;
                    // A repeated key: the last wins, as in JS's `JSON.parse`.
                    chunk.choices.clear();
                    s.array(|s| {
                        chunk.choices.push(WireChoice::scan(s)?);
                        Ok(())
                    })?;
                    chunk.choices_end = s.position();
                }
                "usage" => chunk.usage = object(s)?,
                _ => s.skip()?,
            }
            Ok(())
        })
        .ok()?;
        s.finish().ok()?;
        has_choices.then_some(chunk)
    }

    /// Adds this chunk to the running total.
    pub fn fold_into(&self, acc: &mut Accumulator) {
        acc.head(
            self.id.as_deref().unwrap_or_default(),
            count(self.created),
            self.model.as_deref().unwrap_or_default(),
            self.system_fingerprint.as_deref(),
        );
        for c in &self.choices {
            let choice = index(c.index);
            let delta = c.delta.as_ref();
            acc.choice_delta(ChoiceDelta {
                index: choice,
                content: delta.and_then(|d| d.content.as_deref()),
                refusal: delta.and_then(|d| d.refusal.as_deref()),
                reasoning: delta.and_then(|d| d.reasoning_content.as_deref()),
                thinking_blocks: delta
                    .and_then(|d| d.thinking_blocks.as_deref())
                    .unwrap_or_default(),
                provider_content: &[],
                finish_reason: c.finish_reason.as_deref(),
                logprobs: c.logprobs.as_ref(),
            });
            for t in delta.map(|d| d.tool_calls.as_slice()).unwrap_or_default() {
                acc.tool_delta(
                    choice,
                    ToolDelta {
                        index: index(t.index),
                        id: t.id.as_deref(),
                        name: t.name.as_deref(),
                        arguments: t.arguments.as_deref(),
                    },
                );
            }
        }
    }
}

/// Top-level keys the full reader takes from a chunk (see [`TextTemplate`]).
const READ_KEYS: &[&str] = &[
    "id",
    "created",
    "model",
    "system_fingerprint",
    "choices",
    "usage",
];

impl WireChunk<'_> {
    /// The template of this chunk (read from `data`) and the choice it adds to, when
    /// adding it to the running total adds its text to one choice and nothing else.
    pub fn text_template(&self, data: &str) -> Option<(TextTemplate, u32)> {
        let [c] = self.choices.as_slice() else {
            return None;
        };
        let d = c.delta.as_ref()?;
        let bare = self.usage.is_none()
            && c.logprobs.is_none()
            && c.finish_reason.is_none()
            && d.refusal.is_none()
            && d.reasoning_content.is_none()
            && d.thinking_blocks.is_none()
            && d.tool_calls.is_empty();
        if !bare {
            return None;
        }
        // `"usage": null` in every chunk is how OpenAI streams with include_usage.
        let template = TextTemplate::new(
            data,
            d.content_span?,
            self.choices_end,
            READ_KEYS,
            &["usage"],
        )?;
        Some((template, index(c.index)))
    }
}

impl<'a> WireChoice<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scan<Self> {
        let mut choice = WireChoice::default();
        s.object(|s, key| {
            match key {
                "index" => choice.index = s.number()?,
                "delta" if s.null()? => {}
                "delta" => choice.delta = Some(WireDelta::scan(s)?),
                "logprobs" => choice.logprobs = nullable(s)?,
                "finish_reason" => choice.finish_reason = s.string()?,
                _ => s.skip()?,
            }
            Ok(())
        })?;
        Ok(choice)
    }
}

impl<'a> WireDelta<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scan<Self> {
        let mut delta = WireDelta::default();
        s.object(|s, key| {
            match key {
                "content" => {
                    let start = s.position();
                    delta.content = s.string()?;
                    delta.content_span = delta.content.as_ref().map(|_| (start, s.position()));
                }
                "refusal" => delta.refusal = s.string()?,
                "reasoning_content" => delta.reasoning_content = s.string()?,
                "thinking_blocks" => {
                    delta.thinking_blocks = match nullable(s)? {
                        Some(Value::Array(blocks)) => Some(blocks),
                        Some(_) => return Err(crate::scan::Malformed { at: 0 }),
                        None => None,
                    }
                }
                "tool_calls" if s.null()? => {}
                "tool_calls" => {
                    delta.tool_calls.clear(); // a repeated key: the last wins
                    s.array(|s| {
                        delta.tool_calls.push(WireToolCall::scan(s)?);
                        Ok(())
                    })?
                }
                _ => s.skip()?,
            }
            Ok(())
        })?;
        Ok(delta)
    }
}

impl<'a> WireToolCall<'a> {
    fn scan(s: &mut Scanner<'a>) -> Scan<Self> {
        let mut call = WireToolCall::default();
        s.object(|s, key| {
            match key {
                "index" => call.index = s.number()?,
                "id" => call.id = s.string()?,
                "function" if s.null()? => {}
                "function" => s.object(|s, key| {
                    match key {
                        "name" => call.name = s.string()?,
                        "arguments" => call.arguments = s.string()?,
                        _ => s.skip()?,
                    }
                    Ok(())
                })?,
                _ => s.skip()?,
            }
            Ok(())
        })?;
        Ok(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    const HEAD: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","service_tier":"default","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"#;
    const TAIL: &str = r#"},"logprobs":null,"finish_reason":null}]"#;

    /// A chunk as OpenAI sends it: `text` a JSON string, `end` what follows `choices`.
    fn chunk(text: &str, end: &str) -> String {
        format!("{HEAD}{text}{TAIL}{end}")
    }

    fn template(data: &str) -> Option<(TextTemplate, u32)> {
        WireChunk::parse(data).unwrap().text_template(data)
    }

    #[test]
    fn a_chunk_like_the_last_but_for_its_text_is_read_by_its_text_alone() {
        let (t, choice) = template(&chunk(r#""Hel""#, r#","obfuscation":"x1"}"#)).unwrap();
        assert_eq!(choice, 0);
        let text = |data: &str| t.text_of(data).map(Cow::into_owned);
        assert_eq!(text(&chunk(r#""lo""#, "}")), Some("lo".into()));
        assert_eq!(
            text(&chunk(
                r#""a\"b \ud83e\udd80""#,
                r#","obfuscation":"QmK7s"}"#
            )),
            Some("a\"b 🦀".into())
        );
        assert_eq!(
            text(&chunk(r#""x""#, r#","usage":null,"extra":[1,{"y":2}]} "#)),
            Some("x".into())
        );
        // Anything the full reader would take more from goes the slow way.
        for other in [
            chunk(r#""x""#, r#","model":"other"}"#),
            chunk(r#""x""#, r#","usage":{"prompt_tokens":1}}"#),
            chunk(r#""x""#, r#","choices":[]}"#),
            chunk("null", "}"),
            chunk(r#""x""#, "} trailing"),
            chunk(r#""x""#, ""),
            chunk(r#""unterminated"#, "}"),
            chunk(r#""x""#, "}").replace(r#""id":"c1""#, r#""id":"c2""#),
            chunk(r#""x""#, "}").replace(r#""finish_reason":null"#, r#""finish_reason":"stop""#),
            chunk(r#""x""#, "}").replace(r#"{"content":"#, r#"{"role":"assistant","content":"#),
        ] {
            assert!(t.text_of(&other).is_none(), "{other}");
        }
    }

    #[test]
    fn only_bare_text_deltas_make_templates() {
        assert!(template(&chunk(r#""x""#, "}")).is_some());
        assert!(template(&chunk(r#""x""#, r#","usage":{"total_tokens":1}}"#)).is_none());
        assert!(template(&chunk("null", "}")).is_none());
        for (from, to) in [
            (r#""finish_reason":null"#, r#""finish_reason":"stop""#),
            (r#""logprobs":null"#, r#""logprobs":{"content":[]}"#),
            (r#"{"content":"#, r#"{"refusal":"no","content":"#),
            (
                r#"{"content":"#,
                r#"{"tool_calls":[{"index":0}],"content":"#,
            ),
        ] {
            let data = chunk(r#""x""#, "}").replace(from, to);
            assert!(template(&data).is_none(), "{data}");
        }
        let two = chunk(r#""x""#, "}").replace("}]", r#"},{"index":1,"delta":{"content":"y"}}]"#);
        assert!(template(&two).is_none());
    }

    #[test]
    fn fields_are_borrowed_unless_escaped() {
        let data = r#"{"id":"c1","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"plain"}},{"index":1,"delta":{"content":"a\nb"}}]}"#;
        let chunk = WireChunk::parse(data).unwrap();
        let content = |i: usize| {
            chunk.choices[i]
                .delta
                .as_ref()
                .unwrap()
                .content
                .as_ref()
                .unwrap()
        };
        assert!(matches!(content(0), &Cow::Borrowed("plain")));
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
        // usage must be an object (or null): a number is no usage chunk.
        assert!(WireChunk::parse(r#"{"choices":[],"usage":5}"#).is_none());
        assert!(WireChunk::parse(r#"{"choices":[],"usage":null}"#).is_some());
    }

    #[test]
    fn a_repeated_key_reads_as_json_parse_reads_it_the_last() {
        let data =
            r#"{"choices":[{"delta":{"content":"A"}}],"choices":[{"delta":{"content":"B"}}]}"#;
        let mut acc = Accumulator::default();
        WireChunk::parse(data).unwrap().fold_into(&mut acc);
        assert_eq!(
            acc.finish().choices[0].message.content.as_deref(),
            Some("B")
        );
    }
}
