//! A streamed answer as JS sees it: each `next()` reads the body until at least one
//! chunk is complete and resolves to the array of chunks that read completed, so the
//! boundary is crossed once per network read, not once per token.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortController;

use super::convert::{error_to_js, parse_json, to_js};
use super::fetch::{FetchBody, FetchTransport};
use crate::client::next_batch;
use crate::config::DEFAULT_IDLE_TIMEOUT_MS;
use crate::error::Error;
use crate::providers::{Translation, WireFormat};
use crate::stream::ChatStream;

/// What a read needs; taken out of the reader while a read is in flight, so no
/// borrow is held across an await.
struct Parts {
    body: FetchBody,
    stream: Box<ChatStream>,
}

struct State {
    parts: Option<Parts>,
    /// The stream once its answer is complete, kept for `finalCompletion()` after
    /// its body has been let go.
    done: Option<Box<ChatStream>>,
    /// The chunks that arrived while the attempt was being judged, not yet handed out.
    first: Option<String>,
    ended: bool,
}

impl State {
    /// The answer is complete: the stream is kept for `finalCompletion()` and the
    /// body let go (see [`FetchBody::drain`]).
    fn finish(&mut self, transport: &FetchTransport) {
        self.ended = true;
        if let Some(Parts { body, stream }) = self.parts.take() {
            self.done = Some(stream);
            body.drain(transport.clone());
        }
    }
}

/// A stream whose first chunks have arrived, as `execute` hands it over.
pub struct Started {
    pub body: FetchBody,
    pub stream: Box<ChatStream>,
    pub first: Option<String>,
    pub headers: Vec<(String, String)>,
    /// The stream already ended (it had no chunk at all).
    pub ended: bool,
    /// What an error raised later in the stream must not show (the keys and credential
    /// headers of the request), as before its first chunk.
    pub secrets: Vec<crate::config::Secret>,
}

#[wasm_bindgen]
pub struct StreamReader {
    state: Rc<RefCell<State>>,
    /// Response headers, attached to errors raised later in the stream.
    headers: Rc<Vec<(String, String)>>,
    secrets: Rc<Vec<crate::config::Secret>>,
    transport: FetchTransport,
    controller: AbortController,
    provider: String,
    model: String,
    meta: JsValue,
}

impl StreamReader {
    pub fn new(
        transport: FetchTransport,
        started: Started,
        (provider, model): (&str, &str),
        meta: JsValue,
    ) -> Self {
        let Started {
            body,
            stream,
            first,
            headers,
            ended,
            secrets,
        } = started;
        let controller = body.attempt.controller.clone();
        let mut state = State {
            parts: Some(Parts { body, stream }),
            done: None,
            first,
            ended,
        };
        // A stream that ended before its first chunk lets its body go at once.
        if ended {
            state.finish(&transport);
        }
        StreamReader {
            state: Rc::new(RefCell::new(state)),
            headers: Rc::new(headers),
            secrets: Rc::new(secrets),
            transport,
            controller,
            provider: provider.to_string(),
            model: model.to_string(),
            meta,
        }
    }
}

/// Reads OpenAI-format SSE from a `Response` the caller built (for instance around
/// a `ReadableStream` a server produced with `stream.toReadableStream()`). As in the
/// `openai` package, the caller's `AbortController`, if any, is `stream.controller`.
/// The default idle limit applies: the stream has no request to time.
#[wasm_bindgen(js_name = streamFromResponse)]
pub fn stream_from_response(
    response: web_sys::Response,
    controller: JsValue,
) -> Result<StreamReader, JsValue> {
    let controller = controller.dyn_into::<AbortController>().ok();
    let mut body = FetchBody::from_response(response, controller).map_err(|e| error_to_js(&e))?;
    body.attempt.watch_idle(Some(DEFAULT_IDLE_TIMEOUT_MS));
    let stream = Box::new(ChatStream::new(
        WireFormat::OpenAi,
        &Translation::default(),
        0,
    ));
    let transport = FetchTransport {
        fetch: None,
        signal: None,
    };
    let started = Started {
        body,
        stream,
        first: None,
        headers: Vec::new(),
        // A stream the caller built holds no key of ours.
        secrets: Vec::new(),
        ended: false,
    };
    Ok(StreamReader::new(
        transport,
        started,
        ("stream", ""),
        JsValue::NULL,
    ))
}

#[wasm_bindgen]
impl StreamReader {
    /// The controller that aborts the request and the body read (`stream.controller`).
    #[wasm_bindgen(getter)]
    pub fn controller(&self) -> AbortController {
        self.controller.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.provider.clone()
    }

    /// The model that answered, without its provider prefix.
    #[wasm_bindgen(getter)]
    pub fn model(&self) -> String {
        self.model.clone()
    }

    /// Which model answered and which attempts failed first.
    #[wasm_bindgen(getter)]
    pub fn meta(&self) -> JsValue {
        self.meta.clone()
    }

    /// Resolves to the next batch of chunks (an array), or `undefined` at the end.
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        let transport = self.transport.clone();
        let (provider, model) = (self.provider.clone(), self.model.clone());
        let headers = self.headers.clone();
        let secrets = self.secrets.clone();
        future_to_promise(async move {
            let taken = {
                let mut s = state.borrow_mut();
                if let Some(first) = s.first.take() {
                    return Ok(parse_json(&first));
                }
                if s.ended {
                    return Ok(JsValue::UNDEFINED);
                }
                s.parts.take()
            };
            let Some(mut parts) = taken else {
                let e = Error::connection("next() called again before the previous read ended");
                return Err(error_to_js(&e.at(&provider, &model)));
            };
            let result = next_batch(&transport, &mut parts.body, &mut parts.stream).await;
            let mut s = state.borrow_mut();
            s.parts = Some(parts);
            match result {
                Ok(Some(batch)) => Ok(parse_json(&batch)),
                Ok(None) => {
                    s.finish(&transport);
                    Ok(JsValue::UNDEFINED)
                }
                Err(e) => {
                    s.ended = true;
                    // Dropping the body aborts its request.
                    s.parts = None;
                    let mut e = e.with_headers(&headers);
                    for secret in secrets.iter() {
                        e.redact(secret.expose());
                    }
                    Err(error_to_js(&e.at(&provider, &model)))
                }
            }
        })
    }

    /// The `chat.completion` that the chunks read so far add up to.
    #[wasm_bindgen(js_name = finalCompletion)]
    pub fn final_completion(&self) -> JsValue {
        let state = self.state.borrow();
        let stream = state
            .done
            .as_ref()
            .or(state.parts.as_ref().map(|p| &p.stream));
        stream.map_or(JsValue::UNDEFINED, |s| to_js(&s.final_completion()))
    }

    /// Stops reading and releases the connection.
    pub fn cancel(&self) {
        self.controller.abort();
        let mut s = self.state.borrow_mut();
        s.ended = true;
        s.first = None;
    }
}
