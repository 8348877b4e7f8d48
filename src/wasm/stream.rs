//! A streamed answer as JS sees it: each `next()` reads the body until at least one
//! chunk is complete and resolves to the array of chunks that read completed, so the
//! boundary is crossed once per network read, not once per token.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};
use web_sys::{AbortController, ReadableStreamDefaultReader};

use super::convert::{error_to_js, parse_json, to_js};
use super::fetch::FetchBody;
use crate::error::{Error, ErrorKind, Result};
use crate::stream::ChatStream;

struct Inner {
    core: ChatStream,
    reader: Option<ReadableStreamDefaultReader>,
    body: FetchBody,
    ended: bool,
}

#[wasm_bindgen]
pub struct StreamReader {
    inner: Rc<RefCell<Inner>>,
    controller: AbortController,
    provider: String,
    model: String,
}

impl StreamReader {
    pub fn new(core: ChatStream, body: FetchBody, provider: &str, model: &str) -> Result<Self> {
        let reader = body.response.body().map(|b| {
            b.get_reader()
                .unchecked_into::<ReadableStreamDefaultReader>()
        });
        let controller = body.attempt.controller.clone();
        Ok(StreamReader {
            inner: Rc::new(RefCell::new(Inner {
                core,
                reader,
                body,
                ended: false,
            })),
            controller,
            provider: provider.to_string(),
            model: model.to_string(),
        })
    }
}

#[wasm_bindgen]
impl StreamReader {
    /// The controller that aborts the request and the body read (`stream.controller`).
    #[wasm_bindgen(getter)]
    pub fn controller(&self) -> AbortController {
        self.controller.clone()
    }

    /// Which provider answered.
    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.provider.clone()
    }

    /// Which model answered, without its provider prefix.
    #[wasm_bindgen(getter)]
    pub fn model(&self) -> String {
        self.model.clone()
    }

    /// Resolves to the next batch of chunks (an array), or `undefined` at the end.
    pub fn next(&self) -> Promise {
        let inner = self.inner.clone();
        let (provider, model) = (self.provider.clone(), self.model.clone());
        future_to_promise(async move {
            next_batch(&inner).await.map_err(|e| {
                let e = e.at(&provider, &model);
                inner.borrow_mut().ended = true;
                cancel(&inner);
                error_to_js(&e)
            })
        })
    }

    /// The `chat.completion` that the chunks read so far add up to.
    #[wasm_bindgen(js_name = finalCompletion)]
    pub fn final_completion(&self) -> JsValue {
        to_js(&self.inner.borrow().core.final_completion())
    }

    /// Stops reading and releases the connection.
    pub fn cancel(&self) {
        self.inner.borrow_mut().ended = true;
        cancel(&self.inner);
    }
}

fn cancel(inner: &Rc<RefCell<Inner>>) {
    if let Some(reader) = inner.borrow_mut().reader.take() {
        // `cancel()` rejects when the body already failed (it was aborted, say); the
        // rejection is expected and must not surface as an unhandled one.
        let cancelled = JsFuture::from(reader.cancel());
        spawn_local(async move {
            let _ = cancelled.await;
        });
    }
}

async fn next_batch(inner: &Rc<RefCell<Inner>>) -> Result<JsValue> {
    loop {
        let read = {
            let state = inner.borrow();
            if state.ended || state.core.is_done() {
                drop(state);
                inner.borrow_mut().ended = true;
                cancel(inner);
                return Ok(JsValue::UNDEFINED);
            }
            match &state.reader {
                Some(reader) => reader.read(),
                None => return Err(Error::connection("the response has no body")),
            }
        };
        let result = JsFuture::from(read).await.map_err(|e| {
            let state = inner.borrow();
            let error = state.body.attempt.error(&e, state.body.timeout_ms);
            match error.kind {
                ErrorKind::Connection => {
                    Error::connection(format!("stream ended before completion: {}", error.message))
                }
                _ => error,
            }
        })?;
        let mut state = inner.borrow_mut();
        let done = Reflect::get(&result, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            state.ended = true;
            state.reader = None;
            state.core.end()?;
            return Ok(JsValue::UNDEFINED);
        }
        let value = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
        let bytes = value
            .dyn_ref::<Uint8Array>()
            .map(Uint8Array::to_vec)
            .unwrap_or_default();
        let batch = state.core.feed(&bytes)?;
        if !batch.is_empty() {
            return Ok(parse_json(&batch));
        }
    }
}
