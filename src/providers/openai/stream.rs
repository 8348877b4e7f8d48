//! Stream: `data: <chat.completion.chunk>` events ending with `data: [DONE]`. The
//! chunk text is passed on as it came; it is parsed only to check it and to keep the
//! running total. An `event: error` or an `{"error": ...}` payload is an `APIError`.

use crate::json::Value;

use super::chunk::WireChunk;
use super::error::message_of;
use super::fixups::ToolCallNumbers;
use crate::accumulate::ChoiceDelta;
use crate::error::{Error, Result};
use crate::json::{field, why_not_json};
use crate::providers::template::TextTemplate;
use crate::providers::wire::malformed_event;
use crate::providers::Translation;
use crate::sse::{preview, SseEvent};
use crate::stream::{ChunkSink, Flow};
use crate::types::{ChatCompletionChunk, Usage};

#[derive(Debug, Default)]
pub struct OpenAiStream {
    /// Where the provider puts usage instead of a usage chunk (Groq's `x_groq`).
    usage_field: Option<&'static str>,
    include_usage: bool,
    saw_usage_chunk: bool,
    hidden_usage: Option<(ChatCompletionChunk, Usage)>,
    /// The last chunk, when it was a bare text delta: the next one may be the same
    /// but for its text (see [`TextTemplate`]). Only a run of such chunks in a row
    /// takes the fast path, so the running total sees exactly what the full reader
    /// would have given it.
    template: Option<(TextTemplate, u32)>,
    /// Numbers tool-call deltas that come without `index` (Mistral's).
    numbers: Option<ToolCallNumbers>,
    /// The host's name for reasoning text (`reasoning`), renamed in each chunk.
    reasoning_field: Option<&'static str>,
}

impl OpenAiStream {
    pub fn new(translation: &Translation) -> Self {
        OpenAiStream {
            usage_field: translation.stream_usage_field,
            include_usage: translation.include_usage,
            numbers: translation
                .untyped_tool_calls
                .then(ToolCallNumbers::default),
            reasoning_field: translation.reasoning_field,
            ..OpenAiStream::default()
        }
    }

    /// Usage found under the provider's own field, with the chunk it came in.
    fn hidden_usage(&self, data: &str) -> Option<(ChatCompletionChunk, Usage)> {
        let field_name = self.usage_field?;
        // Cheap: most chunks do not carry it.
        crate::bytes::find_str(data, field_name)?;
        let value: Value = crate::json::parse(data).ok()?;
        let usage = field(field(&value, field_name)?, "usage")?;
        Some((ChatCompletionChunk::read(&value)?, Usage::read(usage)))
    }

    /// At the end marker: usage the provider hid in its own field becomes the usage
    /// chunk OpenAI would have sent (when asked for) and the final completion's usage.
    fn finish(&mut self, sink: &mut ChunkSink) {
        if self.saw_usage_chunk {
            return;
        }
        if let Some((mut last, usage)) = self.hidden_usage.take() {
            if self.include_usage {
                last.choices.clear();
                last.usage = Some(usage);
                sink.push(&last);
            } else {
                sink.set_usage(usage);
            }
        }
    }

    pub fn on_event(&mut self, event: &SseEvent, sink: &mut ChunkSink) -> Result<Flow> {
        let data = event.data.as_str();
        if data == "[DONE]" {
            self.finish(sink);
            return Ok(Flow::Done);
        }
        if event.event == "error" {
            return Err(stream_error(data));
        }
        let renamed = self
            .reasoning_field
            .and_then(|f| super::fixups::rename_reasoning(data, f));
        let data = renamed.as_deref().unwrap_or(data);
        if let Some(found) = self.hidden_usage(data) {
            self.hidden_usage = Some(found);
        }
        let fast = self.template.as_ref();
        if let Some((text, choice)) = fast.and_then(|(t, choice)| Some((t.text_of(data)?, *choice)))
        {
            sink.push_text(data, |acc| {
                acc.choice_delta(ChoiceDelta::text(choice, &text))
            });
            return Ok(Flow::Continue);
        }
        let fixed = self.numbers.as_mut().and_then(|n| n.fix_chunk(data));
        let data = fixed.as_deref().unwrap_or(data);
        let Some(chunk) = WireChunk::parse(data) else {
            // Not a chunk: an error payload, or something broken. Read again, slowly.
            let value: Value =
                crate::json::parse(data).map_err(|e| malformed_event(data, &why_not_json(&e)))?;
            return Err(if field(&value, "error").is_some() {
                stream_error(data)
            } else {
                malformed_event(data, "not a chat.completion.chunk")
            });
        };
        if let Some(usage) = &chunk.usage {
            if !usage.is_null() {
                self.saw_usage_chunk = true;
            }
        }
        self.template = chunk.text_template(data);
        sink.push_text(data, |acc| {
            chunk.fold_into(acc);
            if let Some(usage) = chunk.usage.as_ref().filter(|u| !u.is_null()) {
                acc.set_usage(Usage::read(usage));
            }
        });
        Ok(Flow::Continue)
    }
}

/// An error sent inside a stream, after a 200 status.
fn stream_error(data: &str) -> Error {
    let value: Option<Value> = crate::json::parse(data).ok();
    let error = value.map(|v| match v.get("error") {
        Some(inner) if !inner.is_null() => inner.clone(),
        _ => v,
    });
    let message = match &error {
        Some(e) => message_of(e),
        None => format!("error event in stream: {}", preview(data, 120)),
    };
    Error::api(None, message, vec![], error)
}

#[cfg(test)]
mod tests {
    use crate::json::Value;
    use crate::providers::{Translation, WireFormat};
    use crate::stream::ChatStream;

    /// A recorded OpenAI stream (gpt-4o, include_usage), as the wire sends it.
    const RECORDED: &str = concat!(
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"{\\\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"city\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\":\\\"Caf\u{e9} \u{1F980}\\\"}\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
        "data: {\"id\":\"chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe\",\"object\":\"chat.completion.chunk\",\"created\":1723031664,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_845eaabc1f\",\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":10,\"total_tokens\":27}}\n\n",
        "data: [DONE]\n\n",
    );

    fn run(parts: &[&[u8]]) -> (ChatStream, Vec<Value>) {
        let s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        crate::stream::as_js::run(s, parts, false)
    }

    #[test]
    fn chunks_pass_through_byte_for_byte_and_add_up() {
        let (mut s, chunks) = run(&[RECORDED.as_bytes()]);
        s.end().unwrap();
        assert_eq!(chunks.len(), 6);
        let expected: Vec<Value> = RECORDED
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter(|d| *d != "[DONE]")
            .map(|d| crate::json::parse(d).unwrap())
            .collect();
        assert_eq!(chunks, expected);
        let done = s.final_completion();
        assert_eq!(
            done.choices[0].message.content.as_deref(),
            Some("{\"city\":\"Café 🦀\"}")
        );
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("stop"));
        assert_eq!(done.usage.unwrap().total_tokens, 27);
        assert_eq!(done.id, "chatcmpl-9tZXEmwtoDf6vqCqEWSvDP8jx9OXe");
    }

    #[test]
    fn every_split_point_gives_the_same_chunks() {
        let bytes = RECORDED.as_bytes();
        let (_, whole) = run(&[bytes]);
        for at in 1..bytes.len() {
            let (mut s, split) = run(&[&bytes[..at], &bytes[at..]]);
            s.end().unwrap();
            assert_eq!(split, whole, "split at byte {at}");
        }
    }

    #[test]
    fn a_stream_cut_before_done_is_an_error() {
        let cut = RECORDED.find("data: [DONE]").unwrap();
        let (mut s, _) = run(&[&RECORDED.as_bytes()[..cut]]);
        let e = s.end().unwrap_err();
        assert_eq!(e.class_name(), "APIConnectionError");
        assert!(e.message.contains("before its end marker"), "{}", e.message);
        let (mut s, _) = run(&[&RECORDED.as_bytes()[..cut - 30]]);
        assert!(s.end().unwrap_err().message.contains("middle of an event"));
    }

    #[test]
    fn error_payloads_and_error_events() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        let e = s
            .feed(b"data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n")
            .unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert_eq!(e.message, "overloaded");
        assert_eq!(e.body.as_ref().unwrap()["type"], "server_error");
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        let e = s
            .feed(b"event: error\ndata: {\"message\":\"nope\"}\n\n")
            .unwrap_err();
        assert!(e.message.starts_with("nope"));
    }

    #[test]
    fn malformed_event_shows_the_data() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        let e = s
            .feed(b"data: {\"id\":\"chatcmpl-broken\", not json\n\n")
            .unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert!(e.message.contains("chatcmpl-broken"), "{}", e.message);
    }

    #[test]
    fn a_bad_event_before_the_first_content_fails_the_attempt_whole() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        let role = RECORDED.split_inclusive("\n\n").next().unwrap();
        assert_eq!(s.feed(role.as_bytes()).unwrap(), "", "a role chunk is held");
        assert!(!s.has_begun());
        let e = s.feed(b"data: {not json\n\n").unwrap_err();
        assert!(
            e.message.contains("malformed stream event"),
            "{}",
            e.message
        );
    }

    #[test]
    fn good_chunks_before_a_bad_event_in_one_read_come_first() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        // The role chunk, then the first content: the answer has begun.
        let first_events: String = RECORDED.split_inclusive("\n\n").take(2).collect();
        let read = format!("{first_events}data: {{not json\n\n");
        let batch = s.feed(read.as_bytes()).unwrap();
        assert_eq!(
            crate::json::parse(&batch)
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let e = s.feed(b"").unwrap_err();
        assert!(
            e.message.contains("malformed stream event"),
            "{}",
            e.message
        );
    }

    #[test]
    fn done_without_its_newlines_still_ends_the_stream() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        s.feed(b"data: [DONE]\n").unwrap();
        s.end().unwrap();
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        s.feed(b"data: [DO").unwrap();
        assert!(s.end().unwrap_err().message.contains("middle of an event"));
    }

    #[test]
    fn groq_usage_under_x_groq_becomes_the_usage_chunk() {
        let t = Translation {
            include_usage: true,
            stream_usage_field: Some("x_groq"),
            ..Translation::default()
        };
        let stream = concat!(
            "data: {\"id\":\"chatcmpl-g\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"llama\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"x_groq\":{\"id\":\"req_1\"}}\n\n",
            "data: {\"id\":\"chatcmpl-g\",\"object\":\"chat.completion.chunk\",\"created\":5,\"model\":\"llama\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_1\",\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,\"total_tokens\":5,\"queue_time\":0.01}}}\n\n",
            "data: [DONE]\n\n"
        );
        let mut s = ChatStream::new(WireFormat::OpenAi, &t, 0);
        let chunks = crate::json::parse(&s.feed(stream.as_bytes()).unwrap())
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"], crate::json!([]));
        assert_eq!(last["usage"]["total_tokens"], 5);
        assert_eq!(s.final_completion().usage.unwrap().prompt_tokens, 4);
        // Without include_usage: no extra chunk, but the final completion has the usage.
        let t = Translation {
            stream_usage_field: Some("x_groq"),
            ..Translation::default()
        };
        let mut s = ChatStream::new(WireFormat::OpenAi, &t, 0);
        let chunks = crate::json::parse(&s.feed(stream.as_bytes()).unwrap())
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(chunks.len(), 2);
        assert_eq!(s.final_completion().usage.unwrap().total_tokens, 5);
    }

    #[test]
    fn compatible_servers_mistral_usage_on_the_last_chunk_and_deepseek_reasoning() {
        // Mistral: usage rides on the last chunk that has choices.
        let mistral = concat!(
            "data: {\"id\":\"5319\",\"object\":\"chat.completion.chunk\",\"created\":1769088720,\"model\":\"mistral-small-latest\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null,\"logprobs\":null}]}\n\n",
            "data: {\"id\":\"5319\",\"object\":\"chat.completion.chunk\",\"created\":1769088720,\"model\":\"mistral-small-latest\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null,\"logprobs\":null}]}\n\n",
            "data: {\"id\":\"5319\",\"object\":\"chat.completion.chunk\",\"created\":1769088720,\"model\":\"mistral-small-latest\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"stop\",\"logprobs\":null}],\"usage\":{\"prompt_tokens\":13,\"total_tokens\":21,\"completion_tokens\":8}}\n\n",
            "data: [DONE]\n\n"
        );
        let (mut s, _) = run(&[mistral.as_bytes()]);
        s.end().unwrap();
        let done = s.final_completion();
        assert_eq!(done.choices[0].message.content.as_deref(), Some("Hello"));
        assert_eq!(done.usage.unwrap().total_tokens, 21);
        // DeepSeek: reasoning_content deltas add up beside the content.
        let deepseek = concat!(
            "data: {\"id\":\"d\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Count \"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"d\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null,\"reasoning_content\":\"the r's.\"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"d\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Three.\",\"reasoning_content\":null},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n"
        );
        let (mut s, chunks) = run(&[deepseek.as_bytes()]);
        s.end().unwrap();
        assert_eq!(
            chunks[0]["choices"][0]["delta"]["reasoning_content"], "Count ",
            "passed through as sent"
        );
        let m = s.final_completion().choices[0].message.clone();
        assert_eq!(
            (m.content.as_deref(), m.reasoning_content.as_deref()),
            (Some("Three."), Some("Count the r's."))
        );
    }

    #[test]
    fn bytes_after_done_are_ignored() {
        let mut s = ChatStream::new(WireFormat::OpenAi, &Default::default(), 0);
        s.feed(b"data: [DONE]\n\ndata: garbage\n\n").unwrap();
        assert!(s.is_done());
        assert_eq!(s.feed(b"data: more\n\n").unwrap(), "");
    }
    mod text_templates {
        use super::*;
        use crate::accumulate::Accumulator;
        use crate::types::ChatCompletionChunk;
        use proptest::prelude::*;

        const HEAD: &str = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"#;
        const TAIL: &str = r#"},"logprobs":null,"finish_reason":null}]"#;

        /// Chunks of the kinds a stream mixes: bare text deltas (the fast path's) and
        /// everything that must leave it.
        fn event() -> impl Strategy<Value = String> {
            let text = "[a-z \"\\\\é🦀\n]{0,6}".prop_map(|t| crate::json::to_string(&t));
            prop_oneof![
                4 => text.clone().prop_map(|t| format!("{HEAD}{t}{TAIL}}}")),
                2 => (text.clone(), "[a-zA-Z0-9]{0,8}")
                    .prop_map(|(t, pad)| format!(r#"{HEAD}{t}{TAIL},"obfuscation":"{pad}"}}"#)),
                1 => text.clone().prop_map(|t| format!(r#"{HEAD}{t}{TAIL},"usage":null}}"#)),
                1 => text.clone().prop_map(|t| format!(r#"{HEAD}{t}{TAIL},"model":"late"}}"#)),
                1 => text.clone().prop_map(|t| format!("{HEAD}{t}{TAIL}}}").replace("fp", "fp2")),
                1 => text.clone().prop_map(|t| format!("{HEAD}{t}{TAIL}}}").replace(r#""index":0"#, r#""index":1"#)),
                1 => text.clone().prop_map(|t| format!("{HEAD}{t}{TAIL}}}").replace(r#""finish_reason":null"#, r#""finish_reason":"stop""#)),
                1 => text.prop_map(|t| format!("{HEAD}{t}{TAIL}}}").replace(r#"{"content":"#, r#"{"role":"assistant","refusal":"r","content":"#)),
                1 => Just(format!(r#"{HEAD}null{TAIL},"usage":{{"prompt_tokens":2,"total_tokens":3}}}}"#)),
            ]
        }

        proptest! {
            /// The running total is what reading every chunk whole gives, whichever
            /// chunks took the fast path.
            #[test]
            fn fast_path_adds_up_as_reading_every_chunk_whole(events in prop::collection::vec(event(), 1..12)) {
                let mut wire = String::new();
                let mut oracle = Accumulator::default();
                for data in &events {
                    wire.push_str(&format!("data: {data}\n\n"));
                    let value = crate::json::parse(data).unwrap();
                    oracle.push(&ChatCompletionChunk::read(&value).unwrap());
                }
                wire.push_str("data: [DONE]\n\n");
                let mut s = ChatStream::new(WireFormat::OpenAi, &Translation::default(), 0);
                s.feed(wire.as_bytes()).unwrap();
                s.end().unwrap();
                prop_assert_eq!(s.final_completion(), oracle.finish());
            }
        }
    }
}
