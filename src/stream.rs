//! A streamed answer, sans I/O: network reads go in, batches of OpenAI
//! `chat.completion.chunk`s come out as one JSON array text per read, so the Wasm
//! shell crosses into JS once per read (one `JSON.parse`), not once per token.

use crate::accumulate::{Accumulator, ChoiceDelta};
use crate::error::{Error, Result};
use crate::json::{write_string, ToJson};
use crate::providers::anthropic::AnthropicStream;
use crate::providers::cohere::CohereStream;
use crate::providers::gemini::GeminiStream;
use crate::providers::openai::OpenAiStream;
use crate::providers::{Translation, WireFormat};
use crate::sse::{SseDecoder, SseEvent};
use crate::types::{ChatCompletion, ChatCompletionChunk, Delta};

/// Whether the provider's end marker has been seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Done,
}

/// Where translators put the chunks they make: the JSON batch for JS and the
/// running total for `finalChatCompletion()`.
#[derive(Debug, Default)]
pub struct ChunkSink {
    /// JSON array text under construction; chunks serialise straight into it.
    batch: String,
    acc: Accumulator,
    /// `id`, `created` and `model` of the last chunk sent whole, which a text delta
    /// may refer to instead of repeating them (see [`ChunkSink::push`]).
    head: Option<(String, u64, String)>,
    /// Chunks made so far, for the message of a stream that stalls.
    count: u64,
}

impl ChunkSink {
    fn open_item(&mut self) {
        self.count += 1;
        self.batch
            .push(if self.batch.is_empty() { '[' } else { ',' });
    }

    /// Adds a chunk whose exact JSON text is passed on as it came (OpenAI
    /// passthrough); `fold` adds it to the running total.
    pub fn push_text(&mut self, json: &str, fold: impl FnOnce(&mut Accumulator)) {
        self.open_item();
        self.batch.push_str(json);
        fold(&mut self.acc);
    }

    /// Adds a chunk a translator built, serialised straight into the batch.
    ///
    /// Most chunks of a translated stream are a bare text delta of the same answer.
    /// Such a chunk goes into the batch as its text alone, a JSON string, when the
    /// chunk sent whole before it has the same `id`, `created` and `model`: the JS
    /// side (`pkg-template/core.js`, `textChunk`) rebuilds it as exactly the object
    /// this serialisation gives. Each chunk's bytes then cross the boundary and pass
    /// through `JSON.parse` once, as the text, not as 200 bytes of repeated fields.
    ///
    /// Whether the chunk went short: a bare text delta of the answer sent whole before.
    pub fn push(&mut self, chunk: &ChatCompletionChunk) -> bool {
        self.open_item();
        let short =
            text_delta(chunk).filter(|_| self.same_head(&chunk.id, chunk.created, &chunk.model));
        match short {
            Some(text) => write_string(text, &mut self.batch),
            None => {
                self.head = Some((chunk.id.clone(), chunk.created, chunk.model.clone()));
                chunk.write_json(&mut self.batch);
            }
        }
        self.acc.push(chunk);
        short.is_some()
    }

    /// Adds the chunk `ChatCompletionChunk::single(id, created, model, content, None)`
    /// with `text` as its content, as [`ChunkSink::push`] would, without building it
    /// when it goes short (a translated stream's text delta after its first chunk).
    pub fn push_content(&mut self, id: &str, created: u64, model: &str, text: &str) {
        if !self.same_head(id, created, model) {
            let delta = Delta {
                content: Some(text.to_string()),
                ..Delta::default()
            };
            self.push(&ChatCompletionChunk::single(
                id, created, model, delta, None,
            ));
            return;
        }
        self.open_item();
        write_string(text, &mut self.batch);
        self.acc.head(id, created, model, None);
        self.acc.choice_delta(ChoiceDelta::text(0, text));
    }

    /// Whether the chunk sent whole last has this `id`, `created` and `model`.
    fn same_head(&self, id: &str, created: u64, model: &str) -> bool {
        matches!(&self.head, Some((i, c, m)) if i == id && *c == created && m == model)
    }

    /// Usage known only at the end, for the final completion alone.
    pub fn set_usage(&mut self, usage: crate::types::Usage) {
        self.acc.set_usage(usage);
    }

    /// The chunks made since the last batch was taken, as a JSON array text. Until
    /// the answer has begun they are held back and this gives nothing, unless the
    /// stream has `ended` or they pass [`HOLD_LIMIT`]: a stream starts, for retries
    /// and timeouts, at its first content, not at a role or a filter report.
    fn take_batch(&mut self, ended: bool) -> String {
        let ready = ended || self.acc.started() || self.batch.len() > HOLD_LIMIT;
        if self.batch.is_empty() || !ready {
            return String::new();
        }
        self.batch.push(']');
        std::mem::take(&mut self.batch)
    }
}

/// How much of content-less chunks (roles, usage, Azure's filter results) is held
/// back waiting for the answer to begin. A server that sends nothing else, forever,
/// gets its chunks passed on past this, rather than held without bound.
const HOLD_LIMIT: usize = 1 << 20;

/// The most text (content, refusal, reasoning, tool arguments) a stream keeps for
/// `finalChatCompletion()`: far beyond any real answer, far below the Wasm limit.
/// (Tests check the mechanism at 1 MiB.)
#[cfg(not(test))]
pub const MAX_KEPT: usize = 256 << 20;
#[cfg(test)]
pub const MAX_KEPT: usize = 1 << 20;

/// The text of a chunk that is nothing but a text delta of choice 0: what
/// `textChunk` in `pkg-template/core.js` rebuilds from the text alone.
fn text_delta(chunk: &ChatCompletionChunk) -> Option<&str> {
    let [choice] = chunk.choices.as_slice() else {
        return None;
    };
    let d = &choice.delta;
    let bare = chunk.object == "chat.completion.chunk"
        && chunk.usage.is_none()
        && chunk.system_fingerprint.is_none()
        && choice.index == 0
        && choice.logprobs.is_none()
        && choice.finish_reason.is_none()
        && d.role.is_none()
        && d.refusal.is_none()
        && d.tool_calls.is_none()
        && d.reasoning_content.is_none()
        && d.thinking_blocks.is_none()
        && d.provider_content.is_none();
    d.content.as_deref().filter(|_| bare)
}

#[derive(Debug)]
enum Translator {
    OpenAi(OpenAiStream),
    Anthropic(AnthropicStream),
    Gemini(GeminiStream),
    Cohere(CohereStream),
}

#[derive(Debug)]
pub struct ChatStream {
    decoder: SseDecoder,
    translator: Translator,
    sink: ChunkSink,
    events: Vec<SseEvent>,
    done: bool,
    /// An error met after good chunks of the same read: those chunks are handed out
    /// first, and the error on the next call.
    deferred: Option<Error>,
}

impl ChatStream {
    /// `created` stamps the chunks of formats that send no timestamp.
    pub fn new(format: WireFormat, translation: &Translation, created: u64) -> Self {
        let translator = match format {
            WireFormat::OpenAi => Translator::OpenAi(OpenAiStream::new(translation)),
            WireFormat::Anthropic => {
                Translator::Anthropic(AnthropicStream::new(translation.clone(), created))
            }
            WireFormat::Gemini => {
                Translator::Gemini(GeminiStream::new(translation.clone(), created))
            }
            WireFormat::Cohere => {
                Translator::Cohere(CohereStream::new(translation.clone(), created))
            }
        };
        ChatStream {
            decoder: SseDecoder::new(),
            translator,
            sink: ChunkSink::default(),
            events: Vec::new(),
            done: false,
            deferred: None,
        }
    }

    /// Feeds one network read. Returns the chunks it completed as a JSON array text,
    /// or an empty string when it completed none.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<String> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if self.done {
            return Ok(String::new());
        }
        // Events completed before a decoding error are still translated.
        let decoded = self
            .decoder
            .feed(bytes, &mut self.events)
            .map_err(|e| Error::api(None, e.to_string(), vec![], None));
        let mut failure = decoded.err();
        for event in self.events.drain(..) {
            let flow = match &mut self.translator {
                Translator::OpenAi(t) => t.on_event(&event, &mut self.sink),
                Translator::Anthropic(t) => t.on_event(&event, &mut self.sink),
                Translator::Gemini(t) => t.on_event(&event, &mut self.sink),
                Translator::Cohere(t) => t.on_event(&event, &mut self.sink),
            };
            match flow {
                Ok(Flow::Continue) => {}
                Ok(Flow::Done) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        self.events.clear();
        if let Some(why) = self.sink.acc.overflow().filter(|_| failure.is_none()) {
            failure = Some(Error::api(None, why, vec![], None));
        }
        if failure.is_none() && self.sink.acc.kept() > MAX_KEPT {
            // An answer that never ends would grow the Wasm memory to its 4 GiB limit
            // and trap: past this, the stream ends with an error, and the client goes on.
            failure = Some(Error::api(
                None,
                "answer over 256 MiB, the most kept for finalChatCompletion()",
                vec![],
                None,
            ));
        }
        let batch = self.sink.take_batch(self.done);
        // Before the answer began, a failure drops what was held with the attempt.
        match failure {
            Some(e) if batch.is_empty() => Err(e),
            Some(e) => {
                self.deferred = Some(e);
                Ok(batch)
            }
            None => Ok(batch),
        }
    }

    /// An error waiting behind chunks already handed out.
    pub fn take_deferred(&mut self) -> Option<Error> {
        self.deferred.take()
    }

    /// Called when the body ends: a stream that stops before its end marker is an
    /// error, never a silently short answer.
    pub fn end(&mut self) -> Result<String> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if self.done {
            return Ok(String::new());
        }
        // An event cut short of its blank line is still read: an end marker without
        // its newlines ends a stream properly, and a whole Gemini fragment is a
        // fragment. A cut in the middle of JSON fails to parse and is reported below.
        let partial = self.decoder.has_partial_event();
        if self.decoder.finish(&mut self.events).is_ok() {
            let events = std::mem::take(&mut self.events);
            for event in &events {
                let flow = match &mut self.translator {
                    Translator::OpenAi(t) => t.on_event(event, &mut self.sink),
                    Translator::Anthropic(t) => t.on_event(event, &mut self.sink),
                    Translator::Gemini(t) => t.on_event(event, &mut self.sink),
                    Translator::Cohere(t) => t.on_event(event, &mut self.sink),
                };
                match flow {
                    Ok(Flow::Done) => self.done = true,
                    Ok(Flow::Continue) => {}
                    Err(_) => break,
                }
            }
        }
        // Gemini has no end marker: a body ending after every candidate finished is whole.
        if let Translator::Gemini(t) = &mut self.translator {
            self.done = self.done || t.at_end(&mut self.sink);
        }
        if self.done {
            return Ok(self.sink.take_batch(true));
        }
        let how = if partial {
            "in the middle of an event"
        } else {
            "before its end marker"
        };
        Err(Error::connection(format!(
            "stream ended before completion ({how})"
        )))
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Whether the answer has begun (see [`Accumulator::started`]).
    pub fn has_begun(&self) -> bool {
        self.sink.acc.started()
    }

    /// How many chunks the stream has made.
    pub fn chunk_count(&self) -> u64 {
        self.sink.count
    }

    /// The completion the chunks so far add up to.
    pub fn final_completion(&self) -> ChatCompletion {
        self.sink.acc.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Delta;

    fn text(id: &str, content: &str) -> ChatCompletionChunk {
        let delta = Delta {
            content: Some(content.into()),
            ..Delta::default()
        };
        ChatCompletionChunk::single(id, 5, "m", delta, None)
    }

    /// A server that never ends its answer: past [`MAX_KEPT`] the stream fails with an
    /// error naming the limit, after handing out what came before it.
    #[test]
    fn an_answer_that_never_ends_is_cut_at_the_kept_limit() {
        let mut stream = ChatStream::new(WireFormat::OpenAi, &Translation::default(), 0);
        let delta = "x".repeat(64 * 1024);
        let event = format!(
            "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{delta}\"}},\"finish_reason\":null}}]}}\n\n"
        );
        let mut failed = None;
        for read in 0..64 {
            match stream.feed(event.as_bytes()) {
                Ok(_) => {}
                Err(e) => {
                    failed = Some((read, e));
                    break;
                }
            }
        }
        let (read, e) = failed.expect("the stream is cut");
        assert!(
            read * delta.len() <= MAX_KEPT + 2 * delta.len(),
            "cut near the limit, at read {read}"
        );
        assert_eq!(e.class_name(), "APIError");
        assert!(e.message.contains("finalChatCompletion()"), "{}", e.message);
    }

    /// One chunk naming a new choice, or a new tool call, per item: past the limits
    /// the stream fails naming them, instead of searching what it keeps once per item
    /// (time quadratic in the chunk's size, inside one read). The first 128 choices
    /// and 256 calls are kept, as a real answer's would be.
    #[test]
    fn a_chunk_naming_too_many_choices_or_calls_fails_the_stream() {
        let choices: Vec<String> = (0..100_000)
            .map(|i| format!(r#"{{"index":{i},"delta":{{"content":"x"}}}}"#))
            .collect();
        let calls: Vec<String> = (0..100_000)
            .map(|i| {
                format!(r#"{{"index":{i},"id":"c{i}","function":{{"name":"f","arguments":""}}}}"#)
            })
            .collect();
        let cases = [
            (choices.join(","), "more than 128 choices"),
            (
                format!(
                    r#"{{"index":0,"delta":{{"tool_calls":[{}]}}}}"#,
                    calls.join(",")
                ),
                "256 tool calls",
            ),
        ];
        for (choices, why) in cases {
            let mut stream = ChatStream::new(WireFormat::OpenAi, &Translation::default(), 0);
            let event = format!(
                "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{choices}]}}\n\n"
            );
            // What came before the limit is handed out; the error follows it.
            let e = match stream.feed(event.as_bytes()) {
                Err(e) => e,
                Ok(_) => stream.take_deferred().expect("the stream fails"),
            };
            assert_eq!(e.class_name(), "APIError");
            assert!(e.message.contains(why), "{}", e.message);
        }
        let within: Vec<String> = (0..128)
            .map(|i| format!(r#"{{"index":{},"delta":{{"content":"x"}}}}"#, 127 - i))
            .collect();
        let mut stream = ChatStream::new(WireFormat::OpenAi, &Translation::default(), 0);
        let event = format!(
            "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{}]}}\n\n",
            within.join(",")
        );
        assert!(stream.feed(event.as_bytes()).is_ok());
    }

    #[test]
    fn text_deltas_after_a_whole_chunk_go_short_and_read_back_the_same() {
        let mut sink = ChunkSink::default();
        let first = Delta {
            role: Some("assistant".into()),
            content: Some(String::new()),
            ..Delta::default()
        };
        let chunks = [
            ChatCompletionChunk::single("a", 5, "m", first, None),
            text("a", "Hel"),
            text("a", "lo \"x\""),
            text("b", "other answer"),
            text("b", "!"),
        ];
        for c in &chunks {
            sink.push(c);
        }
        let batch = sink.take_batch(true);
        let items = crate::json::parse(&batch)
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let short: Vec<bool> = items.iter().map(|i| i.is_string()).collect();
        assert_eq!(short, [false, true, true, false, true]);
        let whole: Vec<crate::json::Value> =
            chunks.iter().map(|c| crate::json::to_value(&c)).collect();
        assert_eq!(as_js::chunks(&batch, &mut None), whole);
    }
}

/// Test support: what the chunks of a stream look like from JS.
#[cfg(test)]
pub(crate) mod as_js {
    use super::ChatStream;
    use crate::json;
    use crate::json::Value;

    /// A batch's chunks as `pkg-template/core.js` hands them out: a string item is
    /// the text delta `textChunk` rebuilds after the last whole chunk (`head`).
    pub fn chunks(batch: &str, head: &mut Option<Value>) -> Vec<Value> {
        if batch.is_empty() {
            return Vec::new();
        }
        let items = match crate::json::parse(batch) {
            Ok(Value::Array(items)) => items,
            _ => panic!("a batch is a JSON array"),
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(content) => {
                    let h = head.as_ref().expect("a text delta follows a whole chunk");
                    json!({
                        "id": h["id"], "object": h["object"], "created": h["created"], "model": h["model"],
                        "choices": [{"index": 0, "delta": {"content": content}, "logprobs": null, "finish_reason": null}]
                    })
                }
                whole => {
                    *head = Some(whole.clone());
                    whole
                }
            })
            .collect()
    }

    /// The text of choice 0's content deltas, in order.
    pub fn content(chunks: &[Value]) -> String {
        chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect()
    }

    /// Feeds the parts in order, then ends the stream (unless `end` is false);
    /// returns the stream and every chunk it produced, as JS sees them.
    pub fn run(mut s: ChatStream, parts: &[&[u8]], end: bool) -> (ChatStream, Vec<Value>) {
        let mut head = None;
        let mut out = Vec::new();
        for part in parts {
            out.extend(chunks(&s.feed(part).unwrap(), &mut head));
        }
        if end {
            out.extend(chunks(&s.end().unwrap(), &mut head));
        }
        (s, out)
    }
}
