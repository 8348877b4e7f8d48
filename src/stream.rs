//! A streamed answer, sans I/O: network reads go in, batches of OpenAI
//! `chat.completion.chunk`s come out as one JSON array text per read, so the Wasm
//! shell crosses into JS once per read (one `JSON.parse`), not once per token.

use crate::accumulate::Accumulator;
use crate::error::{Error, Result};
use crate::providers::anthropic::AnthropicStream;
use crate::providers::openai::OpenAiStream;
use crate::providers::{Translation, WireFormat};
use crate::sse::{SseDecoder, SseEvent};
use crate::types::{ChatCompletion, ChatCompletionChunk};

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
    batch: String,
    acc: Accumulator,
}

impl ChunkSink {
    /// Adds a chunk whose exact JSON text is already at hand (OpenAI passthrough).
    pub fn push_raw(&mut self, json: &str, chunk: &ChatCompletionChunk) {
        self.batch
            .push(if self.batch.is_empty() { '[' } else { ',' });
        self.batch.push_str(json);
        self.acc.push(chunk);
    }

    /// Adds a chunk a translator built.
    pub fn push(&mut self, chunk: &ChatCompletionChunk) {
        let json = serde_json::to_string(chunk).expect("chunks always serialise");
        self.push_raw(&json, chunk);
    }

    fn take_batch(&mut self) -> String {
        if self.batch.is_empty() {
            return String::new();
        }
        self.batch.push(']');
        std::mem::take(&mut self.batch)
    }
}

#[derive(Debug)]
enum Translator {
    OpenAi(OpenAiStream),
    Anthropic(AnthropicStream),
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
            WireFormat::OpenAi => Translator::OpenAi(OpenAiStream),
            WireFormat::Anthropic => {
                Translator::Anthropic(AnthropicStream::new(translation.clone(), created))
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
        let batch = self.sink.take_batch();
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
    pub fn end(&mut self) -> Result<()> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if self.done {
            return Ok(());
        }
        // An end marker cut short of its blank line still ends the stream properly.
        let partial = self.decoder.has_partial_event();
        let flushed = self.decoder.finish(&mut self.events);
        if flushed.is_ok() && partial {
            let marker = self.events.iter().any(|e| match &self.translator {
                Translator::OpenAi(_) => e.data == "[DONE]",
                Translator::Anthropic(_) => e.event == "message_stop",
            });
            self.events.clear();
            if marker {
                self.done = true;
                return Ok(());
            }
        }
        self.events.clear();
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

    /// The completion the chunks so far add up to.
    pub fn final_completion(&self) -> ChatCompletion {
        self.sink.acc.finish()
    }
}
