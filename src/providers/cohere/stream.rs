//! Stream: Cohere's named events (`message-start`, `content-delta`,
//! `tool-plan-delta`, `tool-call-start` / `-delta` / `-end`, `message-end`, the end
//! marker) as OpenAI chunks. A `message-end` carrying an `error` is an `APIError`.

use crate::json::Value;

use super::response::{map_finish_reason, WireToolCall, WireUsage};
use crate::error::{Error, Result};
use crate::json::{field, str_of, string_of, string_or_empty, u32_of};
use crate::providers::wire::{event_json, malformed_event};
use crate::providers::Translation;
use crate::sse::SseEvent;
use crate::stream::{ChunkSink, Flow};
use crate::types::{ChatCompletionChunk, Delta, FunctionDelta, ToolCallDelta};

enum Event {
    MessageStart {
        id: String,
    },
    ContentDelta {
        delta: Value,
    },
    ToolPlanDelta {
        delta: Value,
    },
    ToolCallStart {
        index: Option<u32>,
        call: WireToolCall,
    },
    ToolCallDelta {
        index: Option<u32>,
        delta: Value,
    },
    MessageEnd {
        finish_reason: Option<String>,
        usage: Option<WireUsage>,
        error: Option<String>,
    },
    /// content-start, content-end, tool-call-end, citations, ...
    Ignored,
}

impl Event {
    /// `None` when the event lacks what its type promises.
    fn read(mut v: Value) -> Option<Self> {
        let index = u32_of(&v, "index");
        let delta = v.get_mut("delta").map(Value::take);
        Some(match str_of(&v, "type")? {
            "message-start" => Event::MessageStart {
                id: string_or_empty(&v, "id"),
            },
            "content-delta" => Event::ContentDelta { delta: delta? },
            "tool-plan-delta" => Event::ToolPlanDelta { delta: delta? },
            "tool-call-start" => {
                let message = field(delta.as_ref()?, "message")?;
                Event::ToolCallStart {
                    index,
                    call: WireToolCall::read(field(message, "tool_calls")?)?,
                }
            }
            "tool-call-delta" => Event::ToolCallDelta {
                index,
                delta: delta?,
            },
            "message-end" => {
                let delta = delta.filter(Value::is_object)?;
                // An error of another shape than a string is still an error, never a
                // quiet end: its JSON becomes the message.
                let error = field(&delta, "error").map(|e| match e {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                });
                Event::MessageEnd {
                    finish_reason: string_of(&delta, "finish_reason"),
                    usage: field(&delta, "usage").map(WireUsage::read),
                    error,
                }
            }
            _ => Event::Ignored,
        })
    }
}

/// `delta.message.<path>` as text.
fn text_at<'a>(delta: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = delta.get("message")?;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str()
}

#[derive(Debug)]
pub struct CohereStream {
    translation: Translation,
    created: u64,
    model: String,
    id: String,
    tool_calls: u32,
}

impl CohereStream {
    pub fn new(translation: Translation, created: u64) -> Self {
        CohereStream {
            model: translation.model.clone(),
            translation,
            created,
            id: String::new(),
            tool_calls: 0,
        }
    }

    fn chunk(&self, delta: Delta, finish_reason: Option<String>) -> ChatCompletionChunk {
        ChatCompletionChunk::single(&self.id, self.created, &self.model, delta, finish_reason)
    }

    pub fn on_event(&mut self, event: &SseEvent, sink: &mut ChunkSink) -> Result<Flow> {
        let data = event.data.as_str();
        let parsed = Event::read(event_json(data)?)
            .ok_or_else(|| malformed_event(data, "an event lacks its fields"))?;
        match parsed {
            Event::MessageStart { id } => {
                self.id = id;
                let delta = Delta {
                    role: Some("assistant".into()),
                    content: Some(String::new()),
                    ..Delta::default()
                };
                sink.push(&self.chunk(delta, None));
            }
            Event::ContentDelta { delta } => {
                if let Some(text) = text_at(&delta, &["content", "text"]) {
                    let delta = Delta {
                        content: Some(text.to_string()),
                        ..Delta::default()
                    };
                    sink.push(&self.chunk(delta, None));
                } else if let Some(thinking) = text_at(&delta, &["content", "thinking"]) {
                    let delta = Delta {
                        reasoning_content: Some(thinking.to_string()),
                        ..Delta::default()
                    };
                    sink.push(&self.chunk(delta, None));
                }
            }
            Event::ToolPlanDelta { delta } => {
                if let Some(plan) = text_at(&delta, &["tool_plan"]) {
                    let delta = Delta {
                        reasoning_content: Some(plan.to_string()),
                        ..Delta::default()
                    };
                    sink.push(&self.chunk(delta, None));
                }
            }
            Event::ToolCallStart { index, call } => {
                let n = index.unwrap_or(self.tool_calls);
                self.tool_calls = self.tool_calls.max(n.saturating_add(1));
                let delta = Delta::tool_call(ToolCallDelta {
                    index: n,
                    id: Some(call.id),
                    kind: Some("function".into()),
                    function: Some(FunctionDelta {
                        name: Some(call.name),
                        arguments: Some(call.arguments),
                    }),
                });
                sink.push(&self.chunk(delta, None));
            }
            Event::ToolCallDelta { index, delta } => {
                let fragment = text_at(&delta, &["tool_calls", "function", "arguments"]);
                if let Some(arguments) = fragment {
                    let delta = Delta::tool_call(ToolCallDelta {
                        index: index.unwrap_or(self.tool_calls.saturating_sub(1)),
                        id: None,
                        kind: None,
                        function: Some(FunctionDelta {
                            name: None,
                            arguments: Some(arguments.to_string()),
                        }),
                    });
                    sink.push(&self.chunk(delta, None));
                }
            }
            Event::MessageEnd {
                finish_reason,
                usage,
                error,
            } => {
                if let Some(error) = error {
                    return Err(Error::api(
                        None,
                        error.clone(),
                        vec![],
                        Some(crate::json!({ "message": error, "type": "server_error" })),
                    ));
                }
                let finish = finish_reason
                    .as_deref()
                    .map(|r| map_finish_reason(r).to_string());
                let usage = usage.as_ref().map(WireUsage::to_openai);
                let mut last = self.chunk(Delta::default(), finish);
                if self.translation.include_usage {
                    sink.push(&last);
                    last.choices.clear();
                    last.usage = usage;
                    sink.push(&last);
                } else {
                    sink.push(&last);
                    if let Some(usage) = usage {
                        sink.set_usage(usage);
                    }
                }
                return Ok(Flow::Done);
            }
            Event::Ignored => {}
        }
        Ok(Flow::Continue)
    }
}

#[cfg(test)]
mod tests {
    use crate::json;
    use crate::json::Value;
    use crate::providers::{Translation, WireFormat};
    use crate::stream::ChatStream;

    const TEXT: &str = include_str!("../../../tests/fixtures/cohere/stream_text.sse");
    const TOOLS: &str = include_str!("../../../tests/fixtures/cohere/stream_tool_call.sse");

    #[test]
    fn an_error_of_any_shape_at_message_end_is_an_api_error() {
        let t = Translation::default();
        let mut s = ChatStream::new(WireFormat::Cohere, &t, 0);
        let end = "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"ERROR\",\"error\":{\"message\":\"boom\"}}}\n\n";
        let e = s.feed(end.as_bytes()).unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert!(e.message.contains("boom"), "{}", e.message);
    }

    fn run(include_usage: bool, parts: &[&[u8]]) -> (ChatStream, Vec<Value>) {
        let t = Translation {
            include_usage,
            model: "command-a-03-2025".into(),
            ..Translation::default()
        };
        crate::stream::as_js::run(ChatStream::new(WireFormat::Cohere, &t, 11), parts, true)
    }

    #[test]
    fn text_events_become_chunks_with_usage() {
        let (s, chunks) = run(true, &[TEXT.as_bytes()]);
        assert_eq!(
            chunks[0]["choices"][0]["delta"],
            json!({"role": "assistant", "content": ""})
        );
        assert_eq!(chunks[0]["model"], "command-a-03-2025");
        let text: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(text, "La capitale est Paris 🗼.");
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"], json!([]));
        assert_eq!(last["usage"]["prompt_tokens_details"]["cached_tokens"], 448);
        let done = s.final_completion();
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("stop"));
        assert_eq!(done.usage.unwrap().total_tokens, 517);
    }

    #[test]
    fn thinking_deltas_are_reasoning_deltas() {
        let events = concat!(
            "event: message-start\ndata: {\"id\":\"t\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\",\"content\":[]}}}\n\n",
            "event: content-start\ndata: {\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"thinking\",\"thinking\":\"\"}}}}\n\n",
            "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"thinking\":\"Two and \"}}}}\n\n",
            "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"thinking\":\"two.\"}}}}\n\n",
            "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":1,\"delta\":{\"message\":{\"content\":{\"text\":\"4\"}}}}\n\n",
            "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\"}}\n\n",
        );
        // Split inside a delta: reasoning never leaks into the content.
        let (s, chunks) = run(
            false,
            &[&events.as_bytes()[..400], &events.as_bytes()[400..]],
        );
        let m = &s.final_completion().choices[0].message;
        assert_eq!(m.reasoning_content.as_deref(), Some("Two and two."));
        assert_eq!(m.content.as_deref(), Some("4"));
        assert!(chunks
            .iter()
            .any(|c| c["choices"][0]["delta"]["reasoning_content"] == "two."));
    }

    #[test]
    fn tool_plan_and_calls() {
        let (s, _) = run(false, &[TOOLS.as_bytes()]);
        let done = s.final_completion();
        let m = &done.choices[0].message;
        assert_eq!(
            m.reasoning_content.as_deref(),
            Some("I will check the weather.")
        );
        let calls = m.tool_calls.as_ref().unwrap();
        assert_eq!(
            calls[0].function.arguments,
            r#"{"location":"San Francisco"}"#
        );
        assert_eq!(
            (calls[1].id.as_str(), calls[1].function.name.as_str()),
            ("cityAttractions_dcx", "cityAttractions")
        );
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(
            done.usage.unwrap().prompt_tokens,
            1549,
            "usage without include_usage still reaches the final completion"
        );
    }

    #[test]
    fn split_at_every_byte_gives_the_same_chunks() {
        for fixture in [TEXT, TOOLS] {
            let bytes = fixture.as_bytes();
            let (_, whole) = run(true, &[bytes]);
            for at in 1..bytes.len() {
                let (_, split) = run(true, &[&bytes[..at], &bytes[at..]]);
                assert_eq!(split, whole, "split at byte {at}");
            }
        }
    }

    #[test]
    fn an_error_in_message_end_and_a_missing_end() {
        let t = Translation::default();
        let mut s = ChatStream::new(WireFormat::Cohere, &t, 0);
        let e = s
            .feed(b"event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"error\":\"internal server error\",\"finish_reason\":\"ERROR\"}}\n\n")
            .unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert!(
            crate::retry::should_retry(&e),
            "a server-side stream error is retried before the first chunk"
        );
        let cut = TEXT.find("event: message-end").unwrap();
        let mut s = ChatStream::new(WireFormat::Cohere, &t, 0);
        s.feed(&TEXT.as_bytes()[..cut]).unwrap();
        assert_eq!(s.end().unwrap_err().class_name(), "APIConnectionError");
    }
}
