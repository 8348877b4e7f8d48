//! The core's [`Transport`] on `fetch`: the caller's injected one, or the global one
//! looked up at call time (so it works where there is no `window`: Workers, Deno,
//! Node). Each attempt gets its own `AbortController`, aborted by the caller's signal
//! or by the attempt's timer, which is how a hung request becomes `APITimeoutError`.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, Response};

use super::convert::{global_property, js_message, js_message_with_cause};
use super::timers::{clear_timeout, set_timeout, Timer};
use crate::client::Transport;
use crate::error::{says_timed_out, Error, Result};
use crate::http::{HttpRequest, HttpResponse};

#[derive(Clone)]
pub struct FetchTransport {
    pub fetch: Option<Function>,
    pub signal: Option<AbortSignal>,
}

/// One attempt's cancellation: its controller, the link from the caller's signal,
/// its timer and, once its stream has begun, its idle limit. Dropping it clears the
/// timer and unlinks the signal.
pub struct Attempt {
    pub controller: AbortController,
    pub timed_out: Rc<Cell<bool>>,
    /// Set when a read waited [`Idle::ms`] without a byte.
    stalled: Rc<Cell<bool>>,
    user_signal: Option<(AbortSignal, Closure<dyn FnMut()>)>,
    timer: Option<Timer>,
    idle: Option<Idle>,
}

/// The idle limit of a started stream: armed while each read waits, cleared when
/// it returns, so a caller who is slow to ask for chunks is never taken for a stall.
/// One closure for the stream's life; each read costs a `setTimeout` and a
/// `clearTimeout`.
struct Idle {
    ms: f64,
    on_idle: Closure<dyn FnMut()>,
}

impl Attempt {
    fn new(signal: Option<&AbortSignal>, timeout_ms: Option<f64>) -> Result<Attempt> {
        let controller = AbortController::new().map_err(|e| Error::connection(js_message(&e)))?;
        Ok(Attempt::with_controller(controller, signal, timeout_ms))
    }

    fn with_controller(
        controller: AbortController,
        signal: Option<&AbortSignal>,
        timeout_ms: Option<f64>,
    ) -> Attempt {
        let timed_out = Rc::new(Cell::new(false));
        let user_signal = signal.map(|s| {
            let c = controller.clone();
            let on_abort = Closure::<dyn FnMut()>::new(move || c.abort());
            let _ = s.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
            (s.clone(), on_abort)
        });
        let timer = timeout_ms.and_then(|ms| {
            let c = controller.clone();
            let flag = timed_out.clone();
            Timer::start(
                ms,
                Closure::<dyn FnMut()>::new(move || {
                    flag.set(true);
                    c.abort();
                }),
            )
        });
        Attempt {
            controller,
            timed_out,
            stalled: Rc::new(Cell::new(false)),
            user_signal,
            timer,
            idle: None,
        }
    }

    /// Stops the attempt's timer: a stream's timeout covers only the wait for its
    /// first content.
    pub fn clear_timer(&mut self) {
        self.timer = None;
    }

    /// From now on a read that waits `ms` without a byte stalls the stream: the
    /// request is aborted and the read fails with `APITimeoutError`. `None`: no limit.
    pub fn watch_idle(&mut self, ms: Option<f64>) {
        self.idle = ms.map(|ms| {
            let c = self.controller.clone();
            let flag = self.stalled.clone();
            Idle {
                ms,
                on_idle: Closure::new(move || {
                    flag.set(true);
                    c.abort();
                }),
            }
        });
    }

    pub fn user_aborted(&self) -> bool {
        self.user_signal.as_ref().is_some_and(|(s, _)| s.aborted())
    }

    /// Classifies a rejection from fetch or from a body read.
    pub fn error(&self, thrown: &JsValue, timeout_ms: f64) -> Error {
        if let Some(e) = passed_back(thrown) {
            return e;
        }
        if self.user_aborted() {
            Error::user_abort()
        } else if self.stalled.get() {
            let ms = self.idle.as_ref().map_or(0.0, |i| i.ms);
            Error::timeout(format!(
                "Stream stalled: no data for {} ms",
                ms.round() as u64
            ))
        } else if self.timed_out.get() {
            // Whole milliseconds: a fraction of one says nothing, and printing a
            // double would take a shortest-float printer into the .wasm for this alone.
            Error::timeout(format!(
                "Request timed out after {} ms.",
                timeout_ms.round() as u64
            ))
        } else if self.controller.signal().aborted() {
            Error::user_abort()
        } else {
            let message = js_message_with_cause(thrown);
            if says_timed_out(&message) {
                Error::timeout(format!("Request timed out: {message}"))
            } else {
                Error::connection(format!("Connection error: {message}"))
            }
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if let Some((signal, on_abort)) = &self.user_signal {
            let _ = signal
                .remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
    }
}

/// A rejection once a signal aborts, raced against a promise that may never settle
/// (an injected fetch that ignores its signal). The listener goes with the race.
struct AbortRace {
    signal: AbortSignal,
    aborted: js_sys::Promise,
    on_abort: Closure<dyn FnMut()>,
}

impl AbortRace {
    fn new(signal: &AbortSignal) -> AbortRace {
        let slot: Rc<std::cell::RefCell<Option<Function>>> = Rc::default();
        let fill = slot.clone();
        let aborted = js_sys::Promise::new(&mut |_, reject| *fill.borrow_mut() = Some(reject));
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            if let Some(reject) = slot.borrow_mut().take() {
                let _ = reject.call0(&JsValue::UNDEFINED);
            }
        });
        let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        if signal.aborted() {
            let _ = on_abort
                .as_ref()
                .unchecked_ref::<Function>()
                .call0(&JsValue::UNDEFINED);
        }
        AbortRace {
            signal: signal.clone(),
            aborted,
            on_abort,
        }
    }

    fn race(&self, promise: &js_sys::Promise) -> js_sys::Promise {
        js_sys::Promise::race(&js_sys::Array::of2(promise, &self.aborted))
    }
}

impl Drop for AbortRace {
    fn drop(&mut self) {
        let f = self.on_abort.as_ref().unchecked_ref();
        let _ = self.signal.remove_event_listener_with_callback("abort", f);
        // Nobody waits on it any more: its rejection, if it comes, is no news.
        IGNORE.with(|ignore| drop(self.aborted.catch(ignore)));
    }
}

/// A connection error of ours that came back through a body (a stream re-read in the
/// same process with `Stream.fromReadableStream(stream.toReadableStream())`): kept as
/// it was, naming its provider, rather than wrapped in a second message.
fn passed_back(thrown: &JsValue) -> Option<Error> {
    let get = |key: &str| Reflect::get(thrown, &key.into()).ok()?.as_string();
    let provider = get("provider")?;
    let mut e = match get("name")?.as_str() {
        "APITimeoutError" => Error::timeout(get("message")?),
        "APIConnectionError" => Error::connection(get("message")?),
        _ => return None,
    };
    e.provider = Some(provider);
    e.model = get("model");
    Some(e)
}

/// A response whose body is still unread, with the attempt that can cancel it.
pub struct FetchBody {
    pub response: Response,
    reader: Option<ReadableStreamDefaultReader>,
    /// The body was handed in by the caller (`Stream.fromReadableStream`), or came
    /// from an injected fetch, which may ignore its signal: an abort alone could leave
    /// a pending read waiting for ever, so `on_abort` cancels the reader too. (The
    /// runtime's own fetch ends its body on the abort itself.)
    handed_in: bool,
    on_abort: Option<Closure<dyn FnMut()>>,
    pub attempt: Attempt,
    pub timeout_ms: f64,
    /// The body was read to its end: nothing left to cancel.
    finished: bool,
}

impl FetchBody {
    /// A body read from a response the caller already has (no request, no timeout):
    /// `Stream.fromReadableStream()`, aborted by the caller's `controller` if given.
    pub fn from_response(
        response: Response,
        controller: Option<AbortController>,
    ) -> Result<FetchBody> {
        let attempt = match controller {
            Some(c) => Attempt::with_controller(c, None, None),
            None => Attempt::new(None, None)?,
        };
        Ok(FetchBody {
            response,
            reader: None,
            handed_in: true,
            on_abort: None,
            attempt,
            timeout_ms: f64::INFINITY,
            finished: false,
        })
    }
}

impl FetchBody {
    /// Lets the body go after the end of the answer. The server has usually ended it
    /// too, and reading it to its end (rather than aborting) leaves the connection
    /// free for the next request (keep-alive), as the `openai` package does. In the
    /// background and bounded: at most [`DRAIN_BYTES`] more, for at most
    /// [`DRAIN_MS`]; then the read is cancelled and the request aborted.
    pub fn drain(mut self, transport: FetchTransport) {
        // The drain has its own bounds; the answer's idle limit is over.
        self.attempt.watch_idle(None);
        let controller = self.attempt.controller.clone();
        let reader = self.reader.clone();
        let give_up = Closure::<dyn FnMut()>::new(move || {
            if let Some(reader) = &reader {
                // Ends the pending read; its promise's rejection (if the stream has
                // errored) is caught, never an unhandled rejection.
                IGNORE.with(|ignore| drop(reader.cancel().catch(ignore)));
            }
            controller.abort();
        });
        wasm_bindgen_futures::spawn_local(async move {
            let _deadline = Timer::start(DRAIN_MS, give_up);
            let mut left = DRAIN_BYTES;
            while let Ok(Some(bytes)) = transport.read(&mut self).await {
                match left.checked_sub(bytes.len()) {
                    Some(rest) => left = rest,
                    None => break,
                }
            }
            // Dropped here: aborted unless read to its end.
        });
    }
}

/// How long, and how much, a body is read past the end of the answer.
const DRAIN_MS: f64 = 1_000.0;
const DRAIN_BYTES: usize = 64 * 1024;

thread_local! {
    /// A `catch` handler that ignores: one for the module's life.
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

impl Drop for FetchBody {
    /// A body dropped before its end (a failed attempt, a stream left early) would
    /// keep its connection open: abort it.
    fn drop(&mut self) {
        if !self.finished {
            self.attempt.controller.abort();
        }
        if let Some(on_abort) = &self.on_abort {
            let _ = self
                .attempt
                .controller
                .signal()
                .remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        }
    }
}

impl FetchTransport {
    fn fetch_fn(&self) -> Result<Function> {
        match &self.fetch {
            Some(f) => Ok(f.clone()),
            None => global_property("fetch")
                .dyn_into::<Function>()
                .map_err(|_| {
                    Error::connection(
                        "no global `fetch` in this runtime: pass one as the `fetch` option",
                    )
                }),
        }
    }
}

fn request_init(request: &HttpRequest, signal: &AbortSignal) -> Object {
    let headers = Object::new();
    for (name, value) in &request.headers {
        let _ = Reflect::set(&headers, &name.into(), &value.into());
    }
    let init = Object::new();
    let _ = Reflect::set(&init, &"method".into(), &request.method.into());
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    let _ = Reflect::set(&init, &"body".into(), &request.body.as_str().into());
    let _ = Reflect::set(&init, &"signal".into(), signal);
    init
}

impl Transport for FetchTransport {
    type Body = FetchBody;

    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse<FetchBody>> {
        if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Error::user_abort());
        }
        let attempt = Attempt::new(self.signal.as_ref(), Some(timeout_ms))?;
        let init = request_init(request, &attempt.controller.signal());
        let call = self
            .fetch_fn()?
            .call2(&JsValue::UNDEFINED, &request.url.as_str().into(), &init);
        // An injected fetch may return a non-promise: `resolve` accepts both. It may
        // also ignore its signal: the attempt then ends on its abort all the same.
        let signal = attempt.controller.signal();
        let response = match call {
            Ok(value) => {
                let promise = js_sys::Promise::resolve(&value);
                let race = self.fetch.is_some().then(|| AbortRace::new(&signal));
                let promise = match &race {
                    Some(race) => race.race(&promise),
                    None => promise,
                };
                JsFuture::from(promise).await
            }
            Err(thrown) => Err(thrown),
        }
        .map_err(|e| attempt.error(&e, timeout_ms))?;
        let (response, status) = as_response(response)?;
        Ok(HttpResponse {
            status,
            headers: headers_of(&response),
            body: FetchBody {
                response,
                reader: None,
                handed_in: self.fetch.is_some(),
                on_abort: None,
                attempt,
                timeout_ms,
                finished: false,
            },
        })
    }

    async fn text(&self, mut body: FetchBody) -> Result<String> {
        let promise = body
            .response
            .text()
            .map_err(|e| body.attempt.error(&e, body.timeout_ms))?;
        let text = JsFuture::from(promise)
            .await
            .map_err(|e| body.attempt.error(&e, body.timeout_ms))?;
        body.finished = true;
        if super::convert::too_long(&text) {
            // No status: a malformed answer, tried on the next model, never again here.
            return Err(Error::api(
                None,
                "answer past 64 Mi characters, the most onellm reads",
                Vec::new(),
                None,
            ));
        }
        Ok(text.as_string().unwrap_or_default())
    }

    async fn read(&self, body: &mut FetchBody) -> Result<Option<Vec<u8>>> {
        if body.finished {
            return Ok(None);
        }
        if body.reader.is_none() {
            // Read through Reflect: an injected Response's getter may throw.
            let stream = match Reflect::get(&body.response, &"body".into()) {
                Ok(stream) if stream.is_null() || stream.is_undefined() => {
                    body.finished = true;
                    return Ok(None);
                }
                Ok(stream) => stream.unchecked_into::<web_sys::ReadableStream>(),
                Err(thrown) => return Err(body.attempt.error(&thrown, body.timeout_ms)),
            };
            let signal = body.attempt.controller.signal();
            if signal.aborted() {
                return Err(body.attempt.error(&JsValue::UNDEFINED, body.timeout_ms));
            }
            let reader = reader_of(&stream)?;
            if body.handed_in {
                let r = reader.clone();
                let on_abort = Closure::<dyn FnMut()>::new(move || {
                    // A pending read then resolves as done; `read` below tells why.
                    IGNORE.with(|ignore| drop(r.cancel().catch(ignore)));
                });
                let _ = signal
                    .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
                body.on_abort = Some(on_abort);
            }
            body.reader = Some(reader);
        }
        let promise = body.reader.as_ref().map(ReadableStreamDefaultReader::read);
        let Some(promise) = promise else {
            return Ok(None);
        };
        let idle = body.attempt.idle.as_ref();
        let armed = idle.and_then(|i| set_timeout(i.on_idle.as_ref(), i.ms));
        let result = JsFuture::from(promise).await;
        if let Some(id) = &armed {
            clear_timeout(id);
        }
        let result = result.map_err(|e| body.attempt.error(&e, body.timeout_ms))?;
        if Reflect::get(&result, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            // A read ended by an abort (the caller's, the clock's) is no end of body.
            if body.attempt.controller.signal().aborted() {
                return Err(body.attempt.error(&JsValue::UNDEFINED, body.timeout_ms));
            }
            body.finished = true;
            body.reader = None;
            return Ok(None);
        }
        let value = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
        bytes_of(&value).map(Some)
    }

    fn settle(&self, body: &mut FetchBody, idle_ms: Option<f64>) {
        body.attempt.clear_timer();
        body.attempt.watch_idle(idle_ms);
    }
}

/// Accepts any Response-like object (an injected fetch may come from undici,
/// node-fetch or a mock, whose `Response` is not the global class), with its status:
/// an integer from 100 to 599, else no HTTP answer at all (a mock's 70000 or -200 is
/// not read as a wrapped 16-bit number).
fn as_response(value: JsValue) -> Result<(Response, u16)> {
    // A getter that throws is still a member.
    let has = |name: &str| Reflect::get(&value, &name.into()).map_or(true, |v| !v.is_undefined());
    let status = Reflect::get(&value, &"status".into())
        .ok()
        .and_then(|s| s.as_f64());
    let like = status.is_some() && has("headers") && has("text");
    if !(value.is_instance_of::<Response>() || like) {
        return Err(Error::invalid(
            "fetch",
            "`fetch` resolved to something that is not a Response",
        ));
    }
    match status {
        Some(s) if (100.0..=599.0).contains(&s) && s.fract() == 0.0 => {
            Ok((value.unchecked_into(), s as u16))
        }
        _ => Err(Error::connection(
            "`fetch` resolved to a Response whose status is not an HTTP status (100 to 599)",
        )),
    }
}

/// `body.getReader()`, catching what it throws (a body already locked or read).
fn reader_of(stream: &web_sys::ReadableStream) -> Result<ReadableStreamDefaultReader> {
    let get_reader = Reflect::get(stream, &"getReader".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| Error::connection("the response body cannot be read"))?;
    get_reader
        .call0(stream)
        .map(JsCast::unchecked_into)
        .map_err(|e| {
            Error::connection(format!(
                "the response body cannot be read: {}",
                js_message(&e)
            ))
        })
}

/// A body chunk as bytes: a `Uint8Array`, any other view or an `ArrayBuffer`.
/// Anything else would be lost text, so it is an error rather than silence.
fn bytes_of(value: &JsValue) -> Result<Vec<u8>> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if value.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(value).to_vec());
    }
    if let Some(view) = value.dyn_ref::<js_sys::DataView>() {
        let bytes = Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset() as u32,
            view.byte_length() as u32,
        );
        return Ok(bytes.to_vec());
    }
    if js_sys::ArrayBuffer::is_view(value) {
        let buffer = Reflect::get(value, &"buffer".into()).unwrap_or(JsValue::UNDEFINED);
        let offset = Reflect::get(value, &"byteOffset".into())
            .ok()
            .and_then(|v| v.as_f64());
        let length = Reflect::get(value, &"byteLength".into())
            .ok()
            .and_then(|v| v.as_f64());
        if let (Some(offset), Some(length)) = (offset, length) {
            return Ok(Uint8Array::new_with_byte_offset_and_length(
                &buffer,
                offset as u32,
                length as u32,
            )
            .to_vec());
        }
    }
    Err(Error::connection(
        "the response body yielded a chunk that is not bytes",
    ))
}

/// Response headers as lower-cased pairs (the Fetch `Headers` iterator lower-cases).
fn headers_of(response: &Response) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Through Reflect: an injected Response's `headers` getter may throw.
    let headers = Reflect::get(response, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(Some(iter)) = js_sys::try_iter(&headers) {
        for entry in iter.flatten() {
            let name = Reflect::get_u32(&entry, 0).ok().and_then(|v| v.as_string());
            let value = Reflect::get_u32(&entry, 1).ok().and_then(|v| v.as_string());
            if let (Some(name), Some(value)) = (name, value) {
                out.push((name.to_ascii_lowercase(), value));
            }
        }
    }
    out
}
