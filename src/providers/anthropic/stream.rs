//! Stream: Anthropic's events as OpenAI chunks. `message_start` gives the id, model
//! and input usage (and the first chunk, with `role`); text, tool-input and thinking
//! deltas become content, tool-call and `reasoning_content` deltas; `message_delta`
//! gives the finish reason; `message_stop` is the end marker. Tool calls are numbered
//! among tool calls, not among content blocks, as OpenAI numbers them.

use std::borrow::Cow;

use crate::json::Value;

use super::error::stream_error;
use super::response::{map_stop_reason, thinking_block, WireMessage, WireUsage};
use crate::error::Result;
use crate::json::{str_of, string_of};
use crate::providers::template::TextTemplate;
use crate::providers::wire::{event_json, malformed_event};
use crate::providers::Translation;
use crate::scan::{Scan, Scanner};
use crate::sse::SseEvent;
use crate::stream::{ChunkSink, Flow};
use crate::types::{ChatCompletionChunk, Delta, FunctionDelta, ToolCallDelta};

enum Event {
    MessageStart {
        message: WireMessage,
    },
    ContentBlockStart {
        index: u32,
        content_block: StartBlock,
    },
    ContentBlockDelta {
        index: u32,
        delta: BlockDelta,
    },
    MessageDelta {
        stop_reason: Option<String>,
        usage: Option<WireUsage>,
    },
    ContentBlockStop {
        index: u32,
    },
    MessageStop,
    Error,
    /// `ping` and event types yet to come.
    Ignored,
}

enum StartBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
    },
    Thinking,
    RedactedThinking {
        data: String,
    },
    /// Server tool use and results, and block types yet to come, as they came.
    Other(Value),
}

enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    ThinkingDelta {
        thinking: String,
    },
    SignatureDelta {
        signature: String,
    },
    /// A citation of the text block (web search, documents), as it came.
    CitationsDelta {
        citation: Value,
    },
    Other,
}

/// An event as it comes, read in place by the pull scanner: the hot
/// `content_block_delta` borrows its text from the event; the rarer events' objects
/// are read as JSON.
#[derive(Default)]
struct WireEvent<'a> {
    kind: Option<Cow<'a, str>>,
    index: Option<f64>,
    delta: Option<WireDelta<'a>>,
    message: Option<Value>,
    content_block: Option<Value>,
    usage: Option<Value>,
    /// Where the delta's `text` string lies, and where the `delta` member ends (for
    /// [`TextTemplate`]).
    text_span: Option<(usize, usize)>,
    delta_end: usize,
}

/// A `content_block_delta`'s or a `message_delta`'s `delta`.
#[derive(Default)]
struct WireDelta<'a> {
    kind: Option<Cow<'a, str>>,
    text: Option<Cow<'a, str>>,
    partial_json: Option<Cow<'a, str>>,
    thinking: Option<Cow<'a, str>>,
    signature: Option<Cow<'a, str>>,
    stop_reason: Option<Cow<'a, str>>,
    citation: Option<Value>,
}

impl<'a> WireEvent<'a> {
    fn scan(data: &'a str) -> Scan<Self> {
        let mut s = Scanner::new(data);
        let mut w = WireEvent::default();
        s.object(|s, key| {
            match key {
                "type" => w.kind = s.string()?,
                // Lenient until the type is known: only the types that need an index
                // (or a delta's text) refuse an event without one.
                "index" => w.index = s.number_if()?,
                "delta" if s.null()? => {}
                "delta" => {
                    let (delta, text_span) = WireDelta::scan(s)?;
                    w.delta = Some(delta);
                    w.text_span = text_span;
                    w.delta_end = s.position();
                }
                "message" => w.message = Some(s.value()?),
                "content_block" => w.content_block = Some(s.value()?),
                "usage" => w.usage = Some(s.value()?),
                _ => s.skip()?,
            }
            Ok(())
        })?;
        s.finish()?;
        Ok(w)
    }
}

impl<'a> WireDelta<'a> {
    /// The delta, and where its `text` string lies when it is one.
    fn scan(s: &mut Scanner<'a>) -> Scan<(Self, Option<(usize, usize)>)> {
        let mut d = WireDelta::default();
        let mut text_span = None;
        s.object(|s, key| {
            let slot = match key {
                "type" => &mut d.kind,
                "text" => {
                    let start = s.position();
                    d.text = s.string_if()?;
                    text_span = d.text.as_ref().map(|_| (start, s.position()));
                    return Ok(());
                }
                "partial_json" => &mut d.partial_json,
                "thinking" => &mut d.thinking,
                "signature" => &mut d.signature,
                "stop_reason" => &mut d.stop_reason,
                "citation" => {
                    d.citation = Some(s.value()?);
                    return Ok(());
                }
                _ => return s.skip(),
            };
            *slot = s.string_if()?;
            Ok(())
        })?;
        Ok((d, text_span))
    }
}

/// Top-level keys the full reader takes from a `content_block_delta` (see
/// [`TextTemplate`]); `message`, `content_block` and `usage` do not count for one.
const READ_KEYS: &[&str] = &["type", "index", "delta"];

impl Event {
    /// `None` when the text is no event or the event lacks what its type promises.
    /// With it, the template of a text delta, whose successors may then be read by
    /// their text alone.
    fn parse(data: &str) -> Option<(Self, Option<TextTemplate>)> {
        let w = WireEvent::scan(data).ok()?;
        let text_delta = w.kind.as_deref() == Some("content_block_delta")
            && w.delta.as_ref().and_then(|d| d.kind.as_deref()) == Some("text_delta");
        let template = w
            .text_span
            .filter(|_| text_delta && w.index.is_some())
            .and_then(|span| TextTemplate::new(data, span, w.delta_end, READ_KEYS, &["delta"]));
        Some((Self::from_wire(w)?, template))
    }

    fn from_wire(w: WireEvent) -> Option<Self> {
        // Indexes are small counts; any number reads, as elsewhere.
        let index = || w.index.map(|n| n as u32);
        Some(match w.kind.as_deref()? {
            "message_start" => Event::MessageStart {
                message: WireMessage::read(w.message.as_ref()?)?,
            },
            "content_block_start" => Event::ContentBlockStart {
                index: index()?,
                content_block: StartBlock::read(w.content_block.as_ref()?)?,
            },
            "content_block_delta" => Event::ContentBlockDelta {
                index: index()?,
                delta: BlockDelta::from_wire(w.delta?)?,
            },
            "message_delta" => Event::MessageDelta {
                stop_reason: w.delta?.stop_reason.map(Cow::into_owned),
                usage: w
                    .usage
                    .as_ref()
                    .filter(|u| !u.is_null())
                    .map(WireUsage::read),
            },
            "content_block_stop" => Event::ContentBlockStop { index: index()? },
            "message_stop" => Event::MessageStop,
            "error" => Event::Error,
            _ => Event::Ignored,
        })
    }
}

impl StartBlock {
    fn read(v: &Value) -> Option<Self> {
        let text = |key| string_of(v, key);
        Some(match str_of(v, "type")? {
            "text" => StartBlock::Text {
                text: text("text").unwrap_or_default(),
            },
            "tool_use" => StartBlock::ToolUse {
                id: text("id")?,
                name: text("name")?,
            },
            "thinking" => StartBlock::Thinking,
            "redacted_thinking" => StartBlock::RedactedThinking {
                data: text("data")?,
            },
            _ => StartBlock::Other(v.clone()),
        })
    }
}

impl BlockDelta {
    fn from_wire(d: WireDelta) -> Option<Self> {
        Some(match d.kind.as_deref()? {
            "text_delta" => BlockDelta::TextDelta {
                text: d.text?.into_owned(),
            },
            "input_json_delta" => BlockDelta::InputJsonDelta {
                partial_json: d.partial_json?.into_owned(),
            },
            "thinking_delta" => BlockDelta::ThinkingDelta {
                thinking: d.thinking?.into_owned(),
            },
            "signature_delta" => BlockDelta::SignatureDelta {
                signature: d.signature?.into_owned(),
            },
            "citations_delta" => BlockDelta::CitationsDelta {
                citation: d.citation?,
            },
            _ => BlockDelta::Other,
        })
    }
}

/// What a content block's deltas become.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BlockRole {
    /// Tool input of the n-th tool call.
    Tool(u32),
    /// Tool input that is the answer itself (JSON mode).
    Answer,
}

#[derive(Debug)]
pub struct AnthropicStream {
    translation: Translation,
    created: u64,
    id: String,
    model: String,
    usage: WireUsage,
    /// Tool blocks by content-block index, and whether any input arrived for them.
    blocks: Vec<(u32, BlockRole, bool)>,
    tool_calls: u32,
    started: bool,
    /// The thinking block being streamed: its index, text and signature, sent whole
    /// (as `thinking_blocks`) when it stops, for the caller to send back.
    thinking: Option<(u32, String, String)>,
    /// The provider block being streamed (a server tool's use, say): its index, the
    /// block and the input JSON streamed for it, sent whole (as `provider_content`)
    /// when it stops.
    provider: Option<(u32, Value, String)>,
    /// The last event, when it was a text delta: the next may be the same but for
    /// its text (see [`TextTemplate`]).
    template: Option<TextTemplate>,
}

impl AnthropicStream {
    pub fn new(translation: Translation, created: u64) -> Self {
        AnthropicStream {
            translation,
            created,
            id: String::new(),
            model: String::new(),
            usage: WireUsage::default(),
            blocks: Vec::new(),
            tool_calls: 0,
            started: false,
            thinking: None,
            provider: None,
            template: None,
        }
    }

    fn chunk(&self, delta: Delta, finish_reason: Option<String>) -> ChatCompletionChunk {
        ChatCompletionChunk::single(&self.id, self.created, &self.model, delta, finish_reason)
    }

    fn emit(&self, sink: &mut ChunkSink, delta: Delta) {
        sink.push(&self.chunk(delta, None));
    }

    pub fn on_event(&mut self, event: &SseEvent, sink: &mut ChunkSink) -> Result<Flow> {
        let data = event.data.as_str();
        if let Some(text) = self.template.as_ref().and_then(|t| t.text_of(data)) {
            // What a text delta becomes below, without building the chunk.
            sink.push_content(&self.id, self.created, &self.model, &text);
            return Ok(Flow::Continue);
        }
        let parsed = match Event::parse(data) {
            Some((event, template)) => {
                self.template = template;
                event
            }
            // Not an event: say why, reading again slowly (this happens once).
            None => {
                event_json(data)?;
                return Err(malformed_event(data, "an event lacks its fields"));
            }
        };
        match parsed {
            // A repeated message_start (seen in recorded traffic) starts nothing new.
            Event::MessageStart { .. } if self.started => {}
            Event::MessageStart { message } => {
                self.started = true;
                self.id = message.id;
                self.model = message.model;
                self.usage = message.usage;
                let delta = Delta {
                    role: Some("assistant".into()),
                    content: Some(String::new()),
                    ..Delta::default()
                };
                self.emit(sink, delta);
            }
            Event::ContentBlockStart {
                index,
                content_block,
            } => match content_block {
                StartBlock::Text { text } if !text.is_empty() => self.emit(sink, text_delta(text)),
                StartBlock::Thinking => self.thinking = Some((index, String::new(), String::new())),
                StartBlock::RedactedThinking { data } => {
                    let block = crate::json!({"type": "redacted_thinking", "data": data});
                    self.emit(sink, blocks_delta(block));
                }
                StartBlock::ToolUse { name, .. }
                    if self.translation.json_tool.as_deref() == Some(&name) =>
                {
                    self.blocks.push((index, BlockRole::Answer, false));
                }
                StartBlock::ToolUse { id, name } => {
                    let n = self.tool_calls;
                    self.tool_calls += 1;
                    self.blocks.push((index, BlockRole::Tool(n), false));
                    let call = ToolCallDelta {
                        index: n,
                        id: Some(id),
                        kind: Some("function".into()),
                        function: Some(FunctionDelta {
                            name: Some(name),
                            arguments: Some(String::new()),
                        }),
                    };
                    self.emit(sink, Delta::tool_call(call));
                }
                StartBlock::Other(block) => self.provider = Some((index, block, String::new())),
                _ => {}
            },
            Event::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => self.emit(sink, text_delta(text)),
                BlockDelta::SignatureDelta { signature } => {
                    if let Some((i, _, sig)) = &mut self.thinking {
                        if *i == index {
                            sig.push_str(&signature);
                        }
                    }
                }
                BlockDelta::ThinkingDelta { thinking } => {
                    if let Some((i, text, _)) = &mut self.thinking {
                        if *i == index {
                            text.push_str(&thinking);
                        }
                    }
                    let delta = Delta {
                        reasoning_content: Some(thinking),
                        ..Delta::default()
                    };
                    self.emit(sink, delta);
                }
                BlockDelta::InputJsonDelta { partial_json } if partial_json.is_empty() => {}
                BlockDelta::InputJsonDelta { partial_json }
                    if self.provider.as_ref().is_some_and(|p| p.0 == index) =>
                {
                    if let Some((_, _, input)) = &mut self.provider {
                        input.push_str(&partial_json);
                    }
                }
                BlockDelta::CitationsDelta { citation } => {
                    self.emit(sink, provider_delta(citation));
                }
                BlockDelta::InputJsonDelta { partial_json } => {
                    let block = self.blocks.iter_mut().find(|(i, _, _)| *i == index);
                    let role = block.map(|b| {
                        b.2 = true;
                        b.1
                    });
                    match role {
                        Some(BlockRole::Answer) => self.emit(sink, text_delta(partial_json)),
                        Some(BlockRole::Tool(n)) => {
                            let call = ToolCallDelta {
                                index: n,
                                id: None,
                                kind: None,
                                function: Some(FunctionDelta {
                                    name: None,
                                    arguments: Some(partial_json),
                                }),
                            };
                            self.emit(sink, Delta::tool_call(call));
                        }
                        None => {}
                    }
                }
                BlockDelta::Other => {}
            },
            Event::MessageDelta { stop_reason, usage } => {
                if let Some(usage) = usage {
                    self.usage.update(&usage);
                }
                if let Some(reason) = stop_reason {
                    let finish = map_stop_reason(&reason, &self.translation).to_string();
                    sink.push(&self.chunk(Delta::default(), Some(finish)));
                }
            }
            Event::MessageStop => {
                if self.translation.include_usage {
                    let mut last = self.chunk(Delta::default(), None);
                    last.choices.clear();
                    last.usage = Some(self.usage.to_openai());
                    sink.push(&last);
                }
                return Ok(Flow::Done);
            }
            Event::Error => return Err(stream_error(data)),
            Event::ContentBlockStop { index }
                if self.thinking.as_ref().is_some_and(|t| t.0 == index) =>
            {
                if let Some((_, text, signature)) = self.thinking.take() {
                    self.emit(sink, blocks_delta(thinking_block(&text, Some(&signature))));
                }
            }
            Event::ContentBlockStop { index }
                if self.provider.as_ref().is_some_and(|p| p.0 == index) =>
            {
                if let Some((_, mut block, input)) = self.provider.take() {
                    // The input as JSON, as in the plain answer; as its text if broken.
                    if let (false, Value::Object(b)) = (input.is_empty(), &mut block) {
                        let parsed = crate::json::parse(&input).unwrap_or(Value::String(input));
                        b.set("input", parsed);
                    }
                    self.emit(sink, provider_delta(block));
                }
            }
            Event::ContentBlockStop { index } => {
                // A tool called without input streams no input at all: its arguments
                // are `{}`, as in the plain answer, never an empty string.
                let empty = self.blocks.iter().find(|(i, _, got)| *i == index && !*got);
                if let Some(&(_, role, _)) = empty {
                    let delta = match role {
                        BlockRole::Answer => text_delta("{}".into()),
                        BlockRole::Tool(n) => Delta::tool_call(ToolCallDelta {
                            index: n,
                            id: None,
                            kind: None,
                            function: Some(FunctionDelta {
                                name: None,
                                arguments: Some("{}".into()),
                            }),
                        }),
                    };
                    self.emit(sink, delta);
                }
            }
            Event::Ignored => {}
        }
        Ok(Flow::Continue)
    }
}

fn text_delta(text: String) -> Delta {
    Delta {
        content: Some(text),
        ..Delta::default()
    }
}

fn provider_delta(block: Value) -> Delta {
    Delta {
        provider_content: Some(vec![block]),
        ..Delta::default()
    }
}

fn blocks_delta(block: crate::json::Value) -> Delta {
    Delta {
        thinking_blocks: Some(vec![block]),
        ..Delta::default()
    }
}

#[cfg(test)]
mod tests {
    use crate::json;
    use crate::json::Value;
    use crate::providers::{Translation, WireFormat};
    use crate::stream::ChatStream;

    const TEXT: &str = include_str!("../../../tests/fixtures/anthropic/stream_text.sse");
    const TOOL_USE: &str = include_str!("../../../tests/fixtures/anthropic/stream_tool_use.sse");
    const THINKING: &str = include_str!("../../../tests/fixtures/anthropic/stream_thinking.sse");
    const OVERLOADED: &str =
        include_str!("../../../tests/fixtures/anthropic/stream_overloaded.sse");

    #[test]
    fn unknown_events_are_ignored_whatever_their_fields() {
        let mut s = stream(&Translation::default());
        let ping =
            "event: ping\ndata: {\"type\":\"ping\",\"index\":\"x\",\"delta\":{\"text\":5}}\n\n";
        assert_eq!(s.feed(ping.as_bytes()).unwrap(), "");
        let bad = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":\"x\",\"delta\":{\"type\":\"text_delta\",\"text\":\"a\"}}\n\n";
        assert!(s
            .feed(bad.as_bytes())
            .unwrap_err()
            .message
            .contains("malformed"));
    }

    fn stream(translation: &Translation) -> ChatStream {
        ChatStream::new(WireFormat::Anthropic, translation, 1_700_000_000)
    }

    /// Feeds the parts in order; returns the stream and every chunk it produced.
    fn run(translation: &Translation, parts: &[&[u8]]) -> (ChatStream, Vec<Value>) {
        crate::stream::as_js::run(stream(translation), parts, true)
    }

    #[test]
    fn streamed_server_tool_blocks_and_citations_come_whole_as_provider_content() {
        let e = |kind: &str, data: &str| format!("event: {kind}\ndata: {data}\n\n");
        let wire = [
            e("message_start", r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}"#),
            e("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}"#),
            e("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"shan"}}"#),
            e("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"non\"}"}}"#),
            e("content_block_stop", r#"{"type":"content_block_stop","index":0}"#),
            e("content_block_start", r#"{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://e.org","title":"E"}]}}"#),
            e("content_block_stop", r#"{"type":"content_block_stop","index":1}"#),
            e("content_block_start", r#"{"type":"content_block_start","index":2,"content_block":{"type":"text","text":""}}"#),
            e("content_block_delta", r#"{"type":"content_block_delta","index":2,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://e.org","cited_text":"Shannon was born"}}}"#),
            e("content_block_delta", r#"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"Born in 1916."}}"#),
            e("content_block_stop", r#"{"type":"content_block_stop","index":2}"#),
            e("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}"#),
            e("message_stop", r#"{"type":"message_stop"}"#),
        ]
        .concat();
        let (s, chunks) = run(&Translation::default(), &[wire.as_bytes()]);
        let provider: Vec<_> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["provider_content"].as_array())
            .flatten()
            .cloned()
            .collect();
        assert_eq!(provider.len(), 3);
        assert_eq!(
            provider[0]["input"],
            json!({"query": "shannon"}),
            "input streamed, joined"
        );
        assert_eq!(provider[1]["type"], "web_search_tool_result");
        assert_eq!(provider[2]["cited_text"], "Shannon was born");
        let done = crate::json::to_value(&s.final_completion());
        assert_eq!(
            done["choices"][0]["message"]["provider_content"],
            json!(provider)
        );
        assert_eq!(done["choices"][0]["message"]["content"], "Born in 1916.");
    }

    use crate::stream::as_js::content;

    #[test]
    fn text_stream_becomes_openai_chunks() {
        let t = Translation {
            include_usage: true,
            ..Translation::default()
        };
        let (s, chunks) = run(&t, &[TEXT.as_bytes()]);
        assert_eq!(
            chunks[0],
            json!({"id": "msg_01TextFixture", "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": "claude-sonnet-4-5-20250929",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null}]})
        );
        assert_eq!(content(&chunks), "Bonjour, le café ☕ est prêt 🦀.");
        let finish: Vec<_> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["finish_reason"].as_str())
            .collect();
        assert_eq!(finish, ["stop"]);
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"], json!([]));
        assert_eq!(
            last["usage"],
            json!({"prompt_tokens": 60, "completion_tokens": 12, "total_tokens": 72, "prompt_tokens_details": {"cached_tokens": 20, "cache_creation_tokens": 0}})
        );
        let done = s.final_completion();
        assert_eq!(
            done.choices[0].message.content.as_deref(),
            Some("Bonjour, le café ☕ est prêt 🦀.")
        );
        assert_eq!(done.usage.unwrap().total_tokens, 72);
    }

    #[test]
    fn without_include_usage_there_is_no_usage_chunk() {
        let (_, chunks) = run(&Translation::default(), &[TEXT.as_bytes()]);
        assert!(chunks.iter().all(|c| c.get("usage").is_none()));
    }

    #[test]
    fn split_at_every_byte_gives_the_same_chunks() {
        for fixture in [TEXT, TOOL_USE, THINKING] {
            let bytes = fixture.as_bytes();
            let (_, whole) = run(&Translation::default(), &[bytes]);
            for at in 1..bytes.len() {
                let (_, split) = run(&Translation::default(), &[&bytes[..at], &bytes[at..]]);
                assert_eq!(split, whole, "split at byte {at}");
            }
        }
    }

    #[test]
    fn tool_calls_are_numbered_among_tool_calls() {
        let (s, chunks) = run(&Translation::default(), &[TOOL_USE.as_bytes()]);
        let calls: Vec<&Value> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["tool_calls"].as_array()?.first())
            .collect();
        assert_eq!(
            calls[0],
            &json!({"index": 0, "id": "toolu_01A", "type": "function", "function": {"name": "get_weather", "arguments": ""}})
        );
        // Empty input_json_delta fragments are skipped: the next call delta has text.
        assert_eq!(
            calls[1],
            &json!({"index": 0, "function": {"arguments": "{\"location\": "}})
        );
        assert!(
            calls
                .iter()
                .any(|c| c["index"] == 1 && c["id"] == "toolu_01B"),
            "second call is index 1, not block 2"
        );
        let done = s.final_completion();
        let message = &done.choices[0].message;
        assert_eq!(message.content.as_deref(), Some("Let me check."));
        let tool_calls = message.tool_calls.as_ref().unwrap();
        assert_eq!(
            tool_calls[0].function.arguments,
            r#"{"location": "SF", "units": "c"}"#
        );
        assert_eq!(tool_calls[1].function.name, "get_time");
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("tool_calls"));
    }

    #[test]
    fn thinking_is_reasoning_content_not_content() {
        let (s, _) = run(&Translation::default(), &[THINKING.as_bytes()]);
        let done = s.final_completion();
        assert_eq!(done.choices[0].message.content.as_deref(), Some("185"));
        assert_eq!(
            done.choices[0].message.reasoning_content.as_deref(),
            Some("The previous result was 925. 925 ÷ 5 = 185.")
        );
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("length"));
        assert_eq!(
            done.choices[0].message.thinking_blocks,
            Some(vec![
                json!({"type": "thinking", "thinking": "The previous result was 925. 925 ÷ 5 = 185.", "signature": "EqQBCkgIARABGAIiQL"})
            ])
        );
    }

    #[test]
    fn json_mode_tool_input_streams_as_content() {
        let t = Translation {
            json_tool: Some("get_weather".into()),
            ..Translation::default()
        };
        let (s, _) = run(&t, &[TOOL_USE.as_bytes()]);
        let done = s.final_completion();
        let message = &done.choices[0].message;
        assert_eq!(
            message.content.as_deref(),
            Some(r#"Let me check.{"location": "SF", "units": "c"}"#)
        );
        assert_eq!(
            message.tool_calls.as_ref().map(Vec::len),
            Some(1),
            "only the other tool stays a call"
        );
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn a_tool_without_input_gets_empty_object_arguments_and_a_repeated_start_is_ignored() {
        let start = r#"{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1}}}"#;
        let events = [
            ("message_start", start),
            ("message_start", start),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"now","input":{}}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":0}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}"#,
            ),
            ("message_stop", r#"{"type":"message_stop"}"#),
        ];
        let wire: String = events
            .iter()
            .map(|(e, d)| format!("event: {e}\ndata: {d}\n\n"))
            .collect();
        let (s, chunks) = run(&Translation::default(), &[wire.as_bytes()]);
        let roles = chunks
            .iter()
            .filter(|c| c["choices"][0]["delta"]["role"].is_string())
            .count();
        assert_eq!(roles, 1);
        let done = s.final_completion();
        assert_eq!(
            done.choices[0].message.tool_calls.as_ref().unwrap()[0]
                .function
                .arguments,
            "{}"
        );
    }

    #[test]
    fn an_error_event_is_the_matching_api_error_after_the_chunks_before_it() {
        let mut s = stream(&Translation::default());
        let batch = s.feed(OVERLOADED.as_bytes()).unwrap();
        assert!(
            batch.contains("\"Hel\""),
            "chunks before the error are handed out first"
        );
        let e = s.feed(b"").unwrap_err();
        assert_eq!(
            (e.status, e.class_name()),
            (Some(529), "InternalServerError")
        );
        assert_eq!(e.message, "529 Overloaded");
    }

    #[test]
    fn a_stream_without_message_stop_is_cut() {
        let cut = TEXT.find("event: message_stop").unwrap();
        let mut s = stream(&Translation::default());
        s.feed(&TEXT.as_bytes()[..cut]).unwrap();
        assert_eq!(s.end().unwrap_err().class_name(), "APIConnectionError");
    }

    mod text_templates {
        use super::*;
        use proptest::prelude::*;

        const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n";
        const PING: &str = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

        /// Events of the kinds a stream mixes: text deltas (the fast path's, with and
        /// without the padding Anthropic sends) and what must leave it.
        fn event() -> impl Strategy<Value = String> {
            let text = "[a-z \"\\\\é🦀\n]{0,6}".prop_map(|t| crate::json::to_string(&t));
            let delta = |index: u32, text: String, tail: &str| {
                format!("event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":{index},\"delta\":{{\"type\":\"text_delta\",\"text\":{text}}}{tail}}}\n\n")
            };
            prop_oneof![
                4 => text.clone().prop_map(move |t| delta(0, t, "")),
                2 => text.clone().prop_map(move |t| delta(0, t, "          ")),
                1 => text.clone().prop_map(move |t| delta(1, t, "")),
                1 => text.clone().prop_map(move |t| delta(0, t, ",\"index\":1")),
                1 => text.clone().prop_map(move |t| delta(0, t, ",\"type\":\"ping\"")),
                1 => text.clone().prop_map(move |t| delta(0, t, ",\"usage\":{\"output_tokens\":3}")),
                1 => text.clone().prop_map(move |t| delta(0, t, "").replace("text_delta", "thinking_delta").replace("\"text\"", "\"thinking\"")),
                1 => Just(PING.to_string()),
            ]
        }

        proptest! {
            /// The chunks and the final completion are those of the same events read
            /// whole (a ping between every two events keeps every one off the fast path).
            #[test]
            fn fast_path_gives_what_reading_every_event_whole_gives(events in prop::collection::vec(event(), 1..12)) {
                let fast = format!("{START}{}", events.concat());
                let slow = format!("{START}{PING}{}", events.join(PING));
                let read = |wire: &str| {
                    let s = ChatStream::new(WireFormat::Anthropic, &Translation::default(), 7);
                    let (s, chunks) = crate::stream::as_js::run(s, &[wire.as_bytes()], false);
                    (chunks, s.final_completion())
                };
                prop_assert_eq!(read(&fast), read(&slow));
            }
        }
    }
}
