//! Stream (`:streamGenerateContent?alt=sse`): every event is a whole response
//! fragment and there is no end marker, so a body that ends once every candidate
//! has a `finishReason` has ended properly, and one that ends before is cut.
//!
//! A fragment repeats all of the one before it but its text (the candidate, its
//! role, `usageMetadata`, `modelVersion`, `responseId`): after a plain text fragment,
//! one that is byte for byte the same but for its text string is read by that string
//! alone (a [`TextTemplate`] reaching to the fragment's last `}`), since the full
//! reader would take nothing else from it that it has not taken already.

use super::error::stream_error;
use super::response::{
    call_id, fallback_id, map_finish_reason, map_logprobs, UsageMetadata, WireResponse,
};
use crate::accumulate::{MAX_CHOICES, TOO_MANY};
use crate::error::Result;
use crate::providers::template::TextTemplate;
use crate::providers::wire::malformed_event;
use crate::providers::Translation;
use crate::sse::SseEvent;
use crate::stream::{ChunkSink, Flow};
use crate::types::{ChatCompletionChunk, ChunkChoice, Delta, FunctionDelta, ToolCallDelta};

#[derive(Debug, Default)]
struct CandidateState {
    index: u32,
    finished: bool,
    calls: usize,
}

#[derive(Debug)]
pub struct GeminiStream {
    translation: Translation,
    created: u64,
    id: Option<String>,
    model: String,
    usage: Option<UsageMetadata>,
    candidates: Vec<CandidateState>,
    template: Option<TextTemplate>,
}

impl GeminiStream {
    pub fn new(translation: Translation, created: u64) -> Self {
        GeminiStream {
            translation,
            created,
            id: None,
            model: String::new(),
            usage: None,
            candidates: Vec::new(),
            template: None,
        }
    }

    fn id(&self) -> String {
        self.id.clone().unwrap_or_default()
    }

    fn chunk(&self, choices: Vec<ChunkChoice>) -> ChatCompletionChunk {
        ChatCompletionChunk::new(&self.id(), self.created, &self.model, choices)
    }

    /// The candidate's state, and whether this is its first fragment; `None` past
    /// [`MAX_CHOICES`] candidates (Gemini makes at most 8).
    fn candidate(&mut self, index: u32) -> Option<(&mut CandidateState, bool)> {
        match self.candidates.iter().position(|c| c.index == index) {
            Some(at) => Some((&mut self.candidates[at], false)),
            None if self.candidates.len() >= MAX_CHOICES => None,
            None => {
                self.candidates.push(CandidateState {
                    index,
                    ..CandidateState::default()
                });
                Some((self.candidates.last_mut()?, true))
            }
        }
    }

    pub fn on_event(&mut self, event: &SseEvent, sink: &mut ChunkSink) -> Result<Flow> {
        let data = event.data.as_str();
        if let Some(text) = self.template.as_ref().and_then(|t| t.text_of(data)) {
            let id = self.id.as_deref().unwrap_or_default();
            sink.push_content(id, self.created, &self.model, &text);
            return Ok(Flow::Continue);
        }
        self.template = None;
        let fragment = WireResponse::parse(data)
            .map_err(|e| malformed_event(data, &format!("not a fragment, at byte {}", e.at)))?;
        if let Some(error) = &fragment.error {
            return Err(stream_error(error));
        }
        // The first fragment names the answer for good; without a responseId, a
        // fallback id unique to this answer.
        if self.id.is_none() {
            self.id = Some(
                fragment
                    .response_id
                    .clone()
                    .unwrap_or_else(|| fallback_id(self.created)),
            );
        }
        if let Some(model) = &fragment.model_version {
            self.model.clone_from(model);
        }
        if fragment.usage_metadata.is_some() {
            self.usage.clone_from(&fragment.usage_metadata);
        }
        let response_id = self.id();
        let mut choices = Vec::new();
        for c in &fragment.candidates {
            // JSON leaves out a zero index; position is no stand-in for it.
            let index = c.index.unwrap_or(0);
            let (state, first) = self
                .candidate(index)
                .ok_or_else(|| malformed_event(data, TOO_MANY))?;
            let mut delta = Delta::default();
            if first {
                delta.role = Some("assistant".into());
            }
            for part in c
                .content
                .as_ref()
                .map_or(&[][..], |content| &content.parts[..])
            {
                if let Some(other) = &part.other {
                    let list = delta.provider_content.get_or_insert_with(Vec::new);
                    list.push(other.clone());
                } else if let Some(call) = &part.function_call {
                    let n = state.calls;
                    state.calls += 1;
                    delta
                        .tool_calls
                        .get_or_insert_with(Vec::new)
                        .push(ToolCallDelta {
                            index: n as u32,
                            id: Some(call_id(
                                &response_id,
                                index,
                                n,
                                part.thought_signature.as_deref(),
                            )),
                            kind: Some("function".into()),
                            function: Some(FunctionDelta {
                                name: Some(call.name.clone()),
                                arguments: Some(call.arguments()),
                            }),
                        });
                } else if let Some(text) = &part.text {
                    let slot = if part.thought {
                        &mut delta.reasoning_content
                    } else {
                        &mut delta.content
                    };
                    slot.get_or_insert_with(String::new).push_str(text);
                }
            }
            let finish_reason = c.finish_reason.as_deref().map(|r| {
                state.finished = true;
                map_finish_reason(r, state.calls > 0).to_string()
            });
            choices.push(ChunkChoice {
                index,
                delta,
                logprobs: c.logprobs_result.as_ref().map(map_logprobs),
                finish_reason,
            });
        }
        // A prompt blocked outright: no candidates, one filtered choice.
        let blocked = fragment
            .prompt_feedback
            .as_ref()
            .is_some_and(|f| f.block_reason.is_some());
        if fragment.candidates.is_empty() && blocked {
            if let Some((state, _)) = self.candidate(0) {
                state.finished = true;
            }
            choices.push(ChunkChoice {
                index: 0,
                delta: Delta {
                    role: Some("assistant".into()),
                    ..Delta::default()
                },
                logprobs: None,
                finish_reason: Some("content_filter".into()),
            });
        }
        if choices.is_empty() {
            return Ok(Flow::Continue);
        }
        // One candidate with one text part, which made a bare text delta: its
        // successors that differ only in that text may take the fast path.
        if sink.push(&self.chunk(choices)) {
            if let [c] = fragment.candidates.as_slice() {
                if let Some([part]) = c.content.as_ref().map(|c| &c.parts[..]) {
                    self.template = part.text_span.and_then(|span| {
                        let end = data.bytes().rposition(|b| b == b'}')?;
                        TextTemplate::new(data, span, end, &[], &[])
                    });
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// At the end of the body: a proper end if every candidate finished; then the
    /// usage chunk, when asked for.
    pub fn at_end(&mut self, sink: &mut ChunkSink) -> bool {
        let complete = !self.candidates.is_empty() && self.candidates.iter().all(|c| c.finished);
        if complete && self.translation.include_usage {
            if let Some(usage) = &self.usage {
                let mut last = self.chunk(Vec::new());
                last.usage = Some(usage.to_openai());
                sink.push(&last);
            }
        }
        complete
    }
}

#[cfg(test)]
mod tests {
    use crate::json;
    use crate::json::Value;
    use crate::providers::{Translation, WireFormat};
    use crate::stream::ChatStream;

    const TEXT: &str = include_str!("../../../tests/fixtures/gemini/stream_text.sse");
    const CALLS: &str = include_str!("../../../tests/fixtures/gemini/stream_function_call.sse");
    const BLOCKED: &str = include_str!("../../../tests/fixtures/gemini/stream_blocked.sse");
    const SAFETY: &str = include_str!("../../../tests/fixtures/gemini/stream_safety.sse");

    fn run(translation: &Translation, parts: &[&[u8]]) -> (ChatStream, Vec<Value>) {
        let s = ChatStream::new(WireFormat::Gemini, translation, 1_700_000_000);
        crate::stream::as_js::run(s, parts, true)
    }

    use crate::stream::as_js::content;

    /// A fragment with a candidate per item fails at once, past the most candidates
    /// kept, instead of costing time quadratic in its size.
    #[test]
    fn a_fragment_with_too_many_candidates_is_malformed() {
        let candidates: Vec<String> = (0..100_000)
            .map(|i| format!(r#"{{"index":{i},"content":{{"parts":[{{"text":"x"}}]}}}}"#))
            .collect();
        let wire = format!(
            "data: {{\"candidates\":[{}]}}\r\n\r\n",
            candidates.join(",")
        );
        let mut s = ChatStream::new(WireFormat::Gemini, &Translation::default(), 1);
        let e = s.feed(wire.as_bytes()).unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert!(e.message.contains("more than 128 choices"), "{}", e.message);
    }

    #[test]
    fn streamed_code_execution_parts_come_as_provider_content() {
        let wire = format!(
            "data: {}\r\n\r\n",
            crate::providers::gemini::response::tests_data::CODE_EXECUTION
        );
        let (s, chunks) = run(&Translation::default(), &[wire.as_bytes()]);
        let parts = chunks[0]["choices"][0]["delta"]["provider_content"]
            .as_array()
            .unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0]["executableCode"]["language"], "PYTHON");
        let done = crate::json::to_value(&s.final_completion());
        assert_eq!(
            done["choices"][0]["message"]["provider_content"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn crlf_fragments_become_chunks_and_the_end_of_body_ends_it() {
        let t = Translation {
            include_usage: true,
            ..Translation::default()
        };
        let (s, chunks) = run(&t, &[TEXT.as_bytes()]);
        assert_eq!(
            chunks[0]["choices"][0]["delta"],
            json!({"role": "assistant", "content": "Die Hauptstadt"})
        );
        assert_eq!(chunks[0]["id"], "resp_fixture_1");
        assert_eq!(chunks[0]["model"], "gemini-2.0-flash");
        assert_eq!(
            content(&chunks),
            "Die Hauptstadt von Wyoming ist **Cheyenne** – schön 🦬.\n"
        );
        assert_eq!(chunks[2]["choices"][0]["finish_reason"], "stop");
        let last = chunks.last().unwrap();
        assert_eq!(last["choices"], json!([]));
        assert_eq!(last["usage"]["total_tokens"], 17);
        assert_eq!(last["usage"]["prompt_tokens_details"]["cached_tokens"], 3);
        assert_eq!(
            s.final_completion().choices[0].finish_reason.as_deref(),
            Some("stop")
        );
    }

    #[test]
    fn split_at_every_byte_gives_the_same_chunks() {
        for fixture in [TEXT, CALLS, BLOCKED, SAFETY] {
            let bytes = fixture.as_bytes();
            let (_, whole) = run(&Translation::default(), &[bytes]);
            for at in 1..bytes.len() {
                let (_, split) = run(&Translation::default(), &[&bytes[..at], &bytes[at..]]);
                assert_eq!(split, whole, "split at byte {at}");
            }
        }
    }

    #[test]
    fn function_calls_and_thoughts() {
        let (s, chunks) = run(
            &Translation {
                include_usage: true,
                ..Translation::default()
            },
            &[CALLS.as_bytes()],
        );
        let done = s.final_completion();
        let m = &done.choices[0].message;
        assert_eq!(m.reasoning_content.as_deref(), Some("Thinking about time."));
        assert_eq!(m.content, None);
        let calls = m.tool_calls.as_ref().unwrap();
        assert_eq!(
            (
                calls[0].function.name.as_str(),
                calls[0].function.arguments.as_str()
            ),
            ("now", "{}")
        );
        assert_eq!(calls[1].function.arguments, r#"{"a":1,"b":2}"#);
        assert_ne!(calls[0].id, calls[1].id);
        assert_eq!(done.choices[0].finish_reason.as_deref(), Some("tool_calls"));
        let usage = &chunks.last().unwrap()["usage"];
        assert_eq!(
            (
                usage["completion_tokens"].as_u64(),
                usage["completion_tokens_details"]["reasoning_tokens"].as_u64()
            ),
            (Some(13), Some(5))
        );
    }

    #[test]
    fn blocked_prompt_and_safety_stop_are_content_filter() {
        let (s, _) = run(&Translation::default(), &[BLOCKED.as_bytes()]);
        assert_eq!(
            s.final_completion().choices[0].finish_reason.as_deref(),
            Some("content_filter")
        );
        let (s, chunks) = run(&Translation::default(), &[SAFETY.as_bytes()]);
        assert_eq!(content(&chunks), "Here is");
        assert_eq!(
            s.final_completion().choices[0].finish_reason.as_deref(),
            Some("content_filter")
        );
    }

    #[test]
    fn a_body_ending_before_a_finish_reason_is_cut() {
        let cut = TEXT.rfind("data: ").unwrap();
        let mut s = ChatStream::new(WireFormat::Gemini, &Translation::default(), 0);
        s.feed(&TEXT.as_bytes()[..cut]).unwrap();
        assert_eq!(s.end().unwrap_err().class_name(), "APIConnectionError");
        let mut s = ChatStream::new(WireFormat::Gemini, &Translation::default(), 0);
        s.feed(&TEXT.as_bytes()[..cut + 40]).unwrap();
        assert!(s.end().unwrap_err().message.contains("middle of an event"));
    }

    #[test]
    fn an_error_fragment_is_the_matching_api_error() {
        let mut s = ChatStream::new(WireFormat::Gemini, &Translation::default(), 0);
        let e = s
            .feed(b"data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n")
            .unwrap_err();
        assert_eq!(
            (e.class_name(), e.status),
            ("InternalServerError", Some(503))
        );
        assert!(crate::retry::should_retry(&e));
    }

    mod text_templates {
        use super::*;
        use proptest::prelude::*;

        const START: &str = "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}],\"role\": \"model\"}}],\"modelVersion\": \"gemini-x\",\"responseId\": \"r1\"}\r\n\r\n";
        /// Takes nothing from the stream but its place: no candidate, no usage, no
        /// model, and the id is set already. Between two events, it keeps the second
        /// off the fast path.
        const NEUTRAL: &str = "data: {\"candidates\": []}\r\n\r\n";

        /// Fragments of the kinds a stream mixes: plain text (the fast path's), text
        /// with other usage or model, thoughts, a second part, a finish, a call.
        fn event() -> impl Strategy<Value = String> {
            let text = "[a-z \"\\\\é🦀\n]{0,6}".prop_map(|t| crate::json::to_string(&t));
            let fragment = |parts: String, tail: &str, usage: u32, model: &str| {
                format!("data: {{\"candidates\": [{{\"content\": {{\"parts\": [{parts}],\"role\": \"model\"}}{tail}}}],\"usageMetadata\": {{\"promptTokenCount\": {usage}}},\"modelVersion\": \"{model}\",\"responseId\": \"r1\"}}\r\n\r\n")
            };
            prop_oneof![
                6 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t}}}"), "", 7, "gemini-x")),
                1 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t}}}"), "", 8, "gemini-x")),
                1 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t}}}"), "", 7, "gemini-y")),
                1 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t},\"thought\": true}}"), "", 7, "gemini-x")),
                1 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t}}},{{\"text\": \"!\"}}"), "", 7, "gemini-x")),
                1 => text.clone().prop_map(move |t| fragment(format!("{{\"text\": {t}}}"), ",\"finishReason\": \"STOP\"", 7, "gemini-x")),
                1 => Just(fragment("{\"functionCall\": {\"name\": \"f\", \"args\": {}}}".into(), "", 7, "gemini-x")),
            ]
        }

        proptest! {
            /// The chunks and the final completion are those of the same fragments
            /// read whole.
            #[test]
            fn fast_path_gives_what_reading_every_fragment_whole_gives(events in prop::collection::vec(event(), 1..12)) {
                let fast = format!("{START}{}", events.concat());
                let slow = format!("{START}{NEUTRAL}{}", events.join(NEUTRAL));
                let read = |wire: &str| {
                    let s = ChatStream::new(WireFormat::Gemini, &Translation::default(), 7);
                    let (s, chunks) = crate::stream::as_js::run(s, &[wire.as_bytes()], false);
                    (chunks, s.final_completion())
                };
                prop_assert_eq!(read(&fast), read(&slow));
            }
        }

        /// Which fragments leave a template behind: plain text ones, after the first.
        #[test]
        fn plain_text_fragments_after_the_first_make_a_template() {
            use crate::providers::gemini::stream::GeminiStream;
            let mut g = GeminiStream::new(Translation::default(), 7);
            let mut sink = crate::stream::ChunkSink::default();
            let data = |line: &str| crate::sse::SseEvent {
                data: line.trim_start_matches("data: ").trim_end().to_string(),
                ..crate::sse::SseEvent::default()
            };
            let mut made = Vec::new();
            for line in [
                START,
                START,
                &START.replace("\"Hi\"", "\"Hi\",\"thought\": true"),
                START,
                &START.replace("Hi", "there"),
            ] {
                g.on_event(&data(line), &mut sink).unwrap();
                made.push(g.template.is_some());
            }
            assert_eq!(made, [false, true, false, true, true]);
        }
    }
}
