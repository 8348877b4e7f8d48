//! Orchestration of one `create` call: validate the params, plan the requests for the
//! primary model and each fallback, then run attempts with retries. Generic over a
//! [`Transport`] and a [`Pause`], so the same code runs on fetch in Wasm and on a
//! scripted transport in native tests.

use crate::json::Value;

use crate::config::{
    CallOptions, ClientOptions, Env, Secret, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_MS,
};
use crate::error::{is_credential_header, Error, ErrorKind, FailedAttempt, Result};
use crate::http::{HttpRequest, HttpResponse};
use crate::model::parse_model_id;
use crate::providers::{self, capabilities, Translation, WireFormat};
use crate::retry::{retry_delay_ms, should_retry};
use crate::stream::ChatStream;
use crate::types::ChatRequest;

/// The most `fallback_models` a call may name. Every request is built up front (a bad
/// fallback is refused before the primary is tried), so each holds a copy of the
/// messages: with params bounded too (`convert::MAX_TEXT`), memory stays well
/// inside the Wasm limit, which an allocation past it would trap at.
pub const MAX_FALLBACKS: usize = 8;

/// One model to try: where, and the exact request to send.
#[derive(Debug, Clone)]
pub struct Target {
    pub provider: String,
    pub model: String,
    pub format: WireFormat,
    pub request: HttpRequest,
    /// What the answer's translation needs to know about the request's.
    pub translation: Translation,
    /// The key and credential header values the request carries, so that errors can
    /// be scrubbed of them.
    pub secrets: Vec<Secret>,
}

/// Everything decided before the first byte is sent.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The primary model first, then the fallbacks in order.
    pub targets: Vec<Target>,
    /// Retries after the first attempt on the primary model (`retries`, else the
    /// call's or client's `maxRetries`).
    pub primary_retries: u32,
    /// Retries on each fallback model: the call's or client's `maxRetries`.
    pub fallback_retries: u32,
    pub timeout_ms: f64,
    /// How long a started stream may go without a byte; `None`: no limit.
    pub idle_ms: Option<f64>,
    pub stream: bool,
}

/// Validates the caller's params and options and builds every request up front, so
/// that a bad fallback is reported before the primary is even tried.
pub fn plan(options: &ClientOptions, call: &CallOptions, params: Value, env: Env) -> Result<Plan> {
    // A variable set to nothing, or to blanks, is unset, as the `openai` package reads
    // them: `OPENAI_BASE_URL=` must not become the base URL.
    let env = &|name: &str| {
        env(name)
            .map(|v| v.trim_ascii().to_string())
            .filter(|v| !v.is_empty())
    };
    // The provider is named in every validation error, so read the model id first.
    let primary = params
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let req = match ChatRequest::from_json(params) {
        Ok(req) => req,
        Err(e) => {
            return Err(
                match primary.as_deref().map(|m| parse_model_id(m, "model")) {
                    Some(Ok(id)) => e.at(id.provider, id.model),
                    _ => e,
                },
            )
        }
    };
    let mut ids = vec![("model".to_string(), req.params.model.clone())];
    for (i, m) in req
        .params
        .fallback_models
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        ids.push((format!("fallback_models[{i}]"), m.clone()));
    }
    let mut targets = Vec::with_capacity(ids.len());
    for (field, id) in &ids {
        let id = parse_model_id(id, field)?;
        let at = |e: Error| e.at(id.provider, id.model);
        if targets.len() > MAX_FALLBACKS {
            return Err(at(Error::invalid(
                "fallback_models",
                "at most 8 fallback models",
            )));
        }
        let endpoint = options.endpoint(id.provider, field, env).map_err(at)?;
        let caps = capabilities::for_model(endpoint.caps, id.provider, id.model);
        capabilities::check(&caps, id.provider, &req.params, req.is_stream()).map_err(at)?;
        let (mut request, translation) =
            providers::build_request(&endpoint, id.model, &req).map_err(at)?;
        for (name, value) in endpoint.headers.iter().chain(&call.headers) {
            match value {
                Some(v) => request.set_header(name, v),
                None => request.remove_header(name),
            }
        }
        check_headers(&request).map_err(at)?;
        let mut secrets: Vec<Secret> = Vec::new();
        if let Some(key) = &endpoint.api_key {
            secrets.push(key.clone());
        }
        for (name, value) in &request.headers {
            if is_credential_header(name) {
                secrets.push(Secret::new(value.clone()));
            }
        }
        targets.push(Target {
            provider: id.provider.to_string(),
            model: id.model.to_string(),
            format: endpoint.format,
            request,
            translation,
            secrets,
        });
    }
    let timeout_ms = match req.params.timeout {
        Some(seconds) => seconds * 1000.0,
        None => call
            .timeout
            .or(options.timeout)
            .unwrap_or(DEFAULT_TIMEOUT_MS),
    };
    let at_primary = |e: Error| e.at(&targets[0].provider, &targets[0].model);
    if !(timeout_ms.is_finite() && timeout_ms > 0.0) {
        return Err(at_primary(Error::invalid(
            "timeout",
            "`timeout` must be a positive number",
        )));
    }
    let idle_ms = match req.params.idle_timeout {
        Some(seconds) => seconds * 1000.0,
        None => call
            .idle_timeout
            .or(options.idle_timeout)
            .unwrap_or(DEFAULT_IDLE_TIMEOUT_MS),
    };
    if !(idle_ms.is_finite() && idle_ms >= 0.0) {
        return Err(at_primary(Error::invalid(
            "idle_timeout",
            "`idle_timeout` must be a number of seconds (`idleTimeout`: milliseconds), 0 for no limit",
        )));
    }
    let fallback_retries = call
        .max_retries
        .or(options.max_retries)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    Ok(Plan {
        targets,
        primary_retries: req.params.retries.unwrap_or(fallback_retries),
        fallback_retries,
        timeout_ms,
        idle_ms: (idle_ms > 0.0).then_some(idle_ms),
        stream: req.is_stream(),
    })
}

/// Header names must be HTTP tokens and values free of CR, LF and NUL; fetch would
/// reject them later with a message quoting the value, which may be a secret.
fn check_headers(request: &HttpRequest) -> Result<()> {
    // A match, not `[u8]::contains`, which brings a memchr of its own into the .wasm.
    let token = |c: u8| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            )
    };
    for (name, value) in &request.headers {
        if name.is_empty() || !name.bytes().all(token) {
            return Err(Error::invalid(
                "headers",
                format!("invalid header name {}", crate::json::to_string(name)),
            ));
        }
        if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(Error::invalid(
                format!("headers.{name}"),
                format!("the value of header `{name}` contains a line break or NUL"),
            ));
        }
    }
    Ok(())
}

/// Sends requests and reads bodies. In Wasm this is `fetch`.
#[allow(async_fn_in_trait)] // single-threaded Wasm: no `Send` bound is wanted
pub trait Transport {
    type Body;
    /// Sends one request. The attempt's timeout runs until [`Transport::settle`] or
    /// until the body has been read.
    async fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: f64,
    ) -> Result<HttpResponse<Self::Body>>;
    /// Reads a whole body as text.
    async fn text(&self, body: Self::Body) -> Result<String>;
    /// Reads the next piece of a body; `None` at its end.
    async fn read(&self, body: &mut Self::Body) -> Result<Option<Vec<u8>>>;
    /// The stream's answer has begun: the attempt succeeded, so its timeout stops,
    /// and from now on each read fails if no byte arrives for `idle_ms`.
    fn settle(&self, body: &mut Self::Body, idle_ms: Option<f64>);
}

/// Waiting between attempts, the clock, and the randomness for jitter.
#[allow(async_fn_in_trait)]
pub trait Pause {
    async fn sleep(&self, ms: f64);
    /// A number in [0, 1).
    fn random(&self) -> f64;
    /// Milliseconds since the Unix epoch, to read `retry-after` dates.
    fn now_ms(&self) -> f64;
}

/// What a successful run produced, and the attempts that failed on the way.
#[derive(Debug)]
pub struct Success<B> {
    /// Index into [`Plan::targets`] of the model that answered.
    pub target: usize,
    pub failed: Vec<FailedAttempt>,
    pub outcome: Outcome<B>,
}

#[derive(Debug)]
pub enum Outcome<B> {
    /// A whole `chat.completion`, as JSON text.
    Completion(String),
    /// A stream whose first chunks have arrived (`first` is their JSON array text,
    /// `None` for a stream that ended properly with no chunk at all).
    Stream {
        body: B,
        stream: Box<ChatStream>,
        first: Option<String>,
        /// The response headers, for errors raised later in the stream.
        headers: Vec<(String, String)>,
    },
}

/// Runs the plan: each model in turn, each with its retries. A user abort ends it at
/// once; any other error moves on to the next model, and the last one is returned
/// with every failed attempt before it. A stream counts as started, and is no longer
/// retried, once its first chunk has arrived.
pub async fn execute<T: Transport, P: Pause>(
    plan: &Plan,
    transport: &T,
    pause: &P,
) -> Result<Success<T::Body>> {
    let mut failed: Vec<FailedAttempt> = Vec::new();
    for (index, target) in plan.targets.iter().enumerate() {
        let mut retry = 0;
        loop {
            let created = (pause.now_ms() / 1000.0) as u64;
            let mut error = match attempt(plan, target, transport, created).await {
                Ok(outcome) => {
                    return Ok(Success {
                        target: index,
                        failed,
                        outcome,
                    })
                }
                Err(e) if e.kind == ErrorKind::UserAbort => {
                    return Err(with_history(e, failed));
                }
                Err(e) => e,
            };
            let retries = if index == 0 {
                plan.primary_retries
            } else {
                plan.fallback_retries
            };
            let delay = (retry < retries && should_retry(&error))
                .then(|| retry_delay_ms(&error, retry, pause.random(), pause.now_ms()))
                .flatten();
            let last = delay.is_none() && index + 1 == plan.targets.len();
            if last {
                return Err(with_history(error, failed));
            }
            error.attempts.clear();
            failed.push(FailedAttempt {
                provider: target.provider.clone(),
                model: target.model.clone(),
                error,
            });
            match delay {
                Some(ms) => {
                    pause.sleep(ms).await;
                    retry += 1;
                }
                None => break,
            }
        }
    }
    unreachable!("the last target returns from inside the loop")
}

fn with_history(mut error: Error, failed: Vec<FailedAttempt>) -> Error {
    error.attempts = failed;
    error
}

/// One attempt; `created` stamps translated answers (Anthropic sends no timestamp).
async fn attempt<T: Transport>(
    plan: &Plan,
    target: &Target,
    transport: &T,
    created: u64,
) -> Result<Outcome<T::Body>> {
    let at = |mut e: Error| {
        for secret in &target.secrets {
            e.redact(secret.expose());
        }
        e.at(&target.provider, &target.model)
    };
    let response = transport
        .send(&target.request, plan.timeout_ms)
        .await
        .map_err(at)?;
    let HttpResponse {
        status,
        headers,
        mut body,
    } = response;
    if !(200..300).contains(&status) {
        // A body that cannot be read still leaves the status to classify by, unless
        // the read was stopped by the caller or by the clock.
        let text = match transport.text(body).await {
            Ok(text) => text,
            Err(e) if matches!(e.kind, ErrorKind::UserAbort | ErrorKind::Timeout) => {
                return Err(at(e))
            }
            Err(_) => String::new(),
        };
        return Err(at(providers::error_from_response(
            target.format,
            status,
            headers,
            &text,
        )));
    }
    if plan.stream {
        let mut stream = ChatStream::new(target.format, &target.translation, created);
        let first = next_batch(transport, &mut body, &mut stream)
            .await
            .map_err(|e| at(e.with_headers(&headers)))?;
        transport.settle(&mut body, plan.idle_ms);
        return Ok(Outcome::Stream {
            body,
            stream: Box::new(stream),
            first,
            headers,
        });
    }
    let text = transport.text(body).await.map_err(at)?;
    let json = providers::parse_completion(
        target.format,
        status,
        &headers,
        text,
        &target.translation,
        created,
    )
    .map_err(at)?;
    Ok(Outcome::Completion(json))
}

/// Reads a stream's body until at least one chunk is complete: its JSON array text,
/// or `None` once the stream has properly ended. Errors are not yet tagged with the
/// provider; the caller knows it.
pub async fn next_batch<T: Transport>(
    transport: &T,
    body: &mut T::Body,
    stream: &mut ChatStream,
) -> Result<Option<String>> {
    loop {
        if let Some(e) = stream.take_deferred() {
            return Err(e);
        }
        if stream.is_done() {
            return Ok(None);
        }
        let bytes = transport.read(body).await.map_err(|mut e| {
            match e.kind {
                // Said once, even of a stream that was itself re-read from one that broke.
                ErrorKind::Connection
                    if !e.message.starts_with("stream ended before completion") =>
                {
                    e.message = format!("stream ended before completion: {}", e.message);
                }
                // The transport's idle limit, which runs once the answer has begun.
                ErrorKind::Timeout if stream.has_begun() => {
                    e.message = format!("{} after {} chunks", e.message, stream.chunk_count());
                }
                _ => {}
            }
            e
        })?;
        let Some(bytes) = bytes else {
            let last = stream.end()?;
            return Ok((!last.is_empty()).then_some(last));
        };
        let batch = stream.feed(&bytes)?;
        if !batch.is_empty() {
            return Ok(Some(batch));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use std::cell::RefCell;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Scripted transports never wait, so one poll finishes every future.
    fn block_on<F: Future>(f: F) -> F::Output {
        match pin!(f)
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("scripted futures complete at once"),
        }
    }

    type Reply = Result<(u16, &'static str, Vec<(String, String)>)>;

    /// Answers each send with the next scripted reply and records what was sent.
    #[derive(Default)]
    struct Script {
        replies: RefCell<Vec<Reply>>,
        sent: RefCell<Vec<HttpRequest>>,
        slept: RefCell<Vec<f64>>,
    }

    impl Script {
        fn new(replies: Vec<Reply>) -> Self {
            let mut replies = replies;
            replies.reverse();
            Script {
                replies: RefCell::new(replies),
                ..Default::default()
            }
        }
        fn urls(&self) -> Vec<String> {
            self.sent.borrow().iter().map(|r| r.url.clone()).collect()
        }
    }

    /// A scripted body: its pieces, as successive reads return them.
    type Pieces = std::collections::VecDeque<Vec<u8>>;

    impl Transport for Script {
        type Body = Pieces;
        async fn send(&self, r: &HttpRequest, _: f64) -> Result<HttpResponse<Pieces>> {
            self.sent.borrow_mut().push(r.clone());
            let (status, body, headers) = self.replies.borrow_mut().pop().expect("a reply")?;
            // A `|` in a scripted body separates network reads.
            let body = body.split('|').map(|p| p.as_bytes().to_vec()).collect();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        }
        async fn text(&self, body: Pieces) -> Result<String> {
            Ok(String::from_utf8(body.into_iter().flatten().collect()).unwrap())
        }
        async fn read(&self, body: &mut Pieces) -> Result<Option<Vec<u8>>> {
            match body.pop_front() {
                Some(p) if p == b"RESET" => Err(Error::connection("socket hang up")),
                // What the shell's idle limit gives when no byte came in time.
                Some(p) if p == b"STALL" => Err(Error::timeout("Stream stalled: no data for 9 ms")),
                other => Ok(other),
            }
        }
        fn settle(&self, _: &mut Pieces, _: Option<f64>) {}
    }

    impl Pause for Script {
        async fn sleep(&self, ms: f64) {
            self.slept.borrow_mut().push(ms);
        }
        fn random(&self) -> f64 {
            0.0
        }
        fn now_ms(&self) -> f64 {
            0.0
        }
    }

    const OK: &str =
        r#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}"#;
    const RATE: &str = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;

    fn options() -> ClientOptions {
        ClientOptions::from_value(&json!({
            "apiKey": "sk-test-key-0123",
            "baseURL": "http://a/v1",
            "providers": {"b": {"baseURL": "http://b/v1"}},
            "defaultHeaders": {"x-team": "red"}
        }))
        .unwrap()
    }

    fn plan_for(params: Value) -> Result<Plan> {
        plan(&options(), &CallOptions::default(), params, &|_| None)
    }

    #[test]
    fn plan_names_provider_in_validation_errors() {
        let e = plan_for(json!({"model": "openai/gpt-4o", "messages": [], "temperature": "hot"}))
            .unwrap_err();
        assert_eq!(e.class_name(), "InvalidRequestError");
        assert_eq!(e.provider.as_deref(), Some("openai"));
        assert!(e.message.contains("`temperature`") && e.message.contains("[openai/gpt-4o]"));
        let e = plan_for(json!({"model": "gpt-4o", "messages": []})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("model"));
        let e =
            plan_for(json!({"model": "openai/x", "messages": [], "fallback_models": ["zzz/y"]}))
                .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("fallback_models[0]"));
    }

    #[test]
    fn plan_resolves_timeouts_retries_and_headers() {
        let p =
            plan_for(json!({"model": "openai/x", "messages": [], "timeout": 1.5, "retries": 4}))
                .unwrap();
        assert_eq!(p.timeout_ms, 1500.0);
        assert_eq!((p.primary_retries, p.fallback_retries), (4, 2));
        assert_eq!(p.targets[0].request.header("x-team"), Some("red"));
        let call: CallOptions = CallOptions::from_value(
            &json!({"timeout": 250, "maxRetries": 0, "headers": {"x-team": null, "x-call": "1"}}),
        )
        .unwrap();
        let p = plan(
            &options(),
            &call,
            json!({"model": "openai/x", "messages": []}),
            &|_| None,
        )
        .unwrap();
        assert_eq!(
            (p.timeout_ms, p.primary_retries, p.fallback_retries),
            (250.0, 0, 0)
        );
        assert_eq!(p.targets[0].request.header("x-team"), None);
        assert_eq!(p.targets[0].request.header("x-call"), Some("1"));
        let e = plan_for(json!({"model": "openai/x", "messages": [], "timeout": -1})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("timeout"));
    }

    #[test]
    fn blank_environment_variables_are_unset() {
        let o = ClientOptions::from_value(&json!({"apiKey": "sk-test-key-0123"})).unwrap();
        let url_with = |base: &'static str| {
            let env = move |name: &str| (name == "OPENAI_BASE_URL").then(|| base.to_string());
            let params = json!({"model": "openai/x", "messages": []});
            let p = plan(&o, &CallOptions::default(), params, &env).unwrap();
            p.targets[0].request.url.clone()
        };
        assert_eq!(url_with("  "), "https://api.openai.com/v1/chat/completions");
        assert_eq!(url_with(" http://h/v1 "), "http://h/v1/chat/completions");
    }

    #[test]
    fn bad_header_values_are_refused_without_showing_them() {
        let o: ClientOptions = ClientOptions::from_value(&json!({
            "providers": {"az": {"baseURL": "http://az/v1", "headers": {"api-key": "secret-value\n0123"}}}
        }))
        .unwrap();
        let e = plan(
            &o,
            &CallOptions::default(),
            json!({"model": "az/d", "messages": []}),
            &|_| None,
        )
        .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("headers.api-key"));
        assert!(!e.message.contains("secret-value"), "{}", e.message);
    }

    #[test]
    fn credential_headers_are_scrubbed_from_errors() {
        let o: ClientOptions = ClientOptions::from_value(&json!({
            "providers": {"az": {"baseURL": "http://az/v1", "headers": {"api-key": "azure-secret-0123"}}}
        }))
        .unwrap();
        let p = plan(
            &o,
            &CallOptions::default(),
            json!({"model": "az/d", "messages": [], "retries": 0}),
            &|_| None,
        )
        .unwrap();
        let s = Script::new(vec![Ok((
            401,
            r#"{"error":{"message":"bad key azure-secret-0123"}}"#,
            vec![],
        ))]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert!(!format!("{e:?}").contains("azure-secret-0123"), "{e:?}");
    }

    #[test]
    fn retries_a_429_then_succeeds() {
        let p = plan_for(json!({"model": "openai/x", "messages": []})).unwrap();
        let retry_after = vec![("retry-after-ms".to_string(), "5".to_string())];
        let s = Script::new(vec![Ok((429, RATE, retry_after)), Ok((200, OK, vec![]))]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        assert!(matches!(out.outcome, Outcome::Completion(_)));
        assert_eq!(out.target, 0);
        assert_eq!(*s.slept.borrow(), [5.0]);
        assert_eq!(out.failed.len(), 1, "the 429 is remembered");
        assert_eq!(out.failed[0].error.status, Some(429));
    }

    #[test]
    fn never_retries_a_400() {
        let p = plan_for(json!({"model": "openai/x", "messages": []})).unwrap();
        let s = Script::new(vec![Ok((400, r#"{"error":{"message":"bad"}}"#, vec![]))]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert_eq!(e.class_name(), "BadRequestError");
        assert_eq!(e.message, "400 bad [openai/x]");
        assert_eq!(s.sent.borrow().len(), 1);
    }

    #[test]
    fn falls_back_after_retries_are_spent() {
        let p = plan_for(
            json!({"model": "openai/x", "messages": [], "retries": 1, "fallback_models": ["b/y"]}),
        )
        .unwrap();
        let s = Script::new(vec![
            Ok((500, "oops", vec![])),
            Err(Error::connection("reset")),
            Ok((200, OK, vec![])),
        ]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        assert!(matches!(out.outcome, Outcome::Completion(_)));
        assert_eq!(out.target, 1);
        let failed: Vec<_> = out
            .failed
            .iter()
            .map(|f| (f.model.as_str(), f.error.class_name()))
            .collect();
        assert_eq!(
            failed,
            [("x", "InternalServerError"), ("x", "APIConnectionError")]
        );
        assert_eq!(
            s.urls(),
            [
                "http://a/v1/chat/completions",
                "http://a/v1/chat/completions",
                "http://b/v1/chat/completions"
            ]
        );
        let body: Value = crate::json::parse(&s.sent.borrow()[2].body).unwrap();
        assert_eq!(body["model"], "y");
        assert_eq!(s.sent.borrow()[2].header("authorization"), None);
    }

    /// Past eight fallbacks the call is refused by name, before any request is built.
    #[test]
    fn more_than_eight_fallbacks_are_refused() {
        let models = |n: usize| -> Vec<String> { (0..n).map(|i| format!("b/m{i}")).collect() };
        let params = |n| json!({"model": "openai/x", "messages": [], "fallback_models": models(n)});
        assert_eq!(plan_for(params(8)).unwrap().targets.len(), 9);
        let e = plan_for(params(9)).unwrap_err();
        assert_eq!(e.class_name(), "InvalidRequestError");
        assert_eq!(e.param.as_deref(), Some("fallback_models"));
        assert!(e.message.contains("at most 8"), "{}", e.message);
    }

    #[test]
    fn the_last_models_error_is_returned_and_aborts_stop_everything() {
        let p = plan_for(
            json!({"model": "openai/x", "messages": [], "retries": 0, "fallback_models": ["b/y"]}),
        )
        .unwrap();
        let s = Script::new(vec![Ok((503, "", vec![])), Ok((404, "", vec![]))]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert_eq!(e.class_name(), "NotFoundError");
        assert_eq!(e.provider.as_deref(), Some("b"));
        assert_eq!(e.attempts.len(), 1, "the primary's failure rides along");
        assert_eq!(
            (e.attempts[0].provider.as_str(), e.attempts[0].error.status),
            ("openai", Some(503))
        );
        let s = Script::new(vec![Err(Error::user_abort())]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert_eq!(e.class_name(), "APIUserAbortError");
        assert_eq!(s.sent.borrow().len(), 1);
    }

    const CHUNK: &str = r#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"}}]}

"#;

    fn stream_plan(retries: u32) -> Plan {
        plan_for(json!({"model": "openai/x", "messages": [], "stream": true, "retries": retries}))
            .unwrap()
    }

    #[test]
    fn a_stream_failing_before_its_first_chunk_is_retried() {
        let p = stream_plan(2);
        let good = format!("{CHUNK}|data: [DONE]\n\n");
        let good: &'static str = Box::leak(good.into_boxed_str());
        let s = Script::new(vec![
            Ok((200, "data: {\"id\":|RESET", vec![])),
            Ok((
                200,
                "data: {\"error\":{\"message\":\"overloaded\"}}\n\n",
                vec![],
            )),
            Ok((200, good, vec![])),
        ]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        let Outcome::Stream { first, .. } = out.outcome else {
            panic!("a stream")
        };
        assert!(first.unwrap().contains("\"hi\""));
        let failed: Vec<_> = out
            .failed
            .iter()
            .map(|f| f.error.message.as_str())
            .collect();
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(
            failed[0].starts_with("stream ended before completion: socket hang up"),
            "{failed:?}"
        );
    }

    const ROLE: &str = r#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

"#;

    #[test]
    fn a_stream_starts_at_its_first_content_not_at_its_role_chunk() {
        let p = stream_plan(1);
        let overloaded = format!("{ROLE}|data: {{\"error\":{{\"message\":\"overloaded\"}}}}\n\n");
        let good = format!("{ROLE}|: keep-alive\n\n|{CHUNK}|data: [DONE]\n\n");
        let s = Script::new(vec![
            Ok((200, Box::leak(overloaded.into_boxed_str()), vec![])),
            Ok((200, Box::leak(good.into_boxed_str()), vec![])),
        ]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        assert_eq!(
            out.failed.len(),
            1,
            "the error after the role chunk was retried"
        );
        assert!(out.failed[0].error.message.contains("overloaded"));
        let Outcome::Stream { first, .. } = out.outcome else {
            panic!("a stream")
        };
        // The role chunk was held back, then handed out with the content, in order.
        let chunks = crate::stream::as_js::chunks(&first.unwrap(), &mut None);
        let deltas: Vec<_> = chunks
            .iter()
            .map(|c| c["choices"][0]["delta"].clone())
            .collect();
        assert_eq!(
            deltas,
            [
                json!({"role": "assistant", "content": ""}),
                json!({"content": "hi"})
            ]
        );
    }

    #[test]
    fn anthropic_overloaded_right_after_message_start_falls_back() {
        let o = ClientOptions::from_value(&json!({
            "apiKeys": {"anthropic": "sk-ant-test-0123"},
            "providers": {"anthropic": {"baseURL": "http://an/v1"}, "b": {"baseURL": "http://b/v1"}}
        }))
        .unwrap();
        let params = json!({"model": "anthropic/claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}],
            "stream": true, "retries": 0, "fallback_models": ["b/y"]});
        let p = plan(&o, &CallOptions::default(), params, &|_| None).unwrap();
        let start = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}

"#;
        let failing = format!("{start}|event: ping\ndata: {{\"type\": \"ping\"}}\n\n|event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}}}\n\n");
        let good = format!("{CHUNK}|data: [DONE]\n\n");
        let s = Script::new(vec![
            Ok((200, Box::leak(failing.into_boxed_str()), vec![])),
            Ok((200, Box::leak(good.into_boxed_str()), vec![])),
        ]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        assert_eq!(out.target, 1, "the fallback answered");
        assert_eq!(out.failed.len(), 1);
        assert_eq!(out.failed[0].error.status, Some(529));
    }

    #[test]
    fn a_stall_after_the_start_names_the_chunks_seen() {
        let p = stream_plan(0);
        let started = format!("{ROLE}{CHUNK}|STALL");
        let s = Script::new(vec![Ok((200, Box::leak(started.into_boxed_str()), vec![]))]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        let Outcome::Stream {
            mut body,
            mut stream,
            ..
        } = out.outcome
        else {
            panic!("a stream")
        };
        let e = block_on(next_batch(&s, &mut body, &mut stream)).unwrap_err();
        assert_eq!(e.class_name(), "APITimeoutError");
        assert_eq!(e.message, "Stream stalled: no data for 9 ms after 2 chunks");
    }

    #[test]
    fn idle_timeouts_resolve_like_timeouts() {
        let p = stream_plan(0);
        assert_eq!(p.idle_ms, Some(DEFAULT_IDLE_TIMEOUT_MS));
        let p = plan_for(json!({"model": "openai/x", "messages": [], "idle_timeout": 0})).unwrap();
        assert_eq!(p.idle_ms, None, "0 turns the limit off");
        let call = CallOptions::from_value(&json!({"idleTimeout": 250})).unwrap();
        let p = plan(
            &options(),
            &call,
            json!({"model": "openai/x", "messages": []}),
            &|_| None,
        )
        .unwrap();
        assert_eq!(p.idle_ms, Some(250.0));
        let p =
            plan_for(json!({"model": "openai/x", "messages": [], "idle_timeout": 1.5})).unwrap();
        assert_eq!(p.idle_ms, Some(1500.0), "the param, in seconds, wins");
        let e =
            plan_for(json!({"model": "openai/x", "messages": [], "idle_timeout": -1})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("idle_timeout"));
        assert!(e.message.contains("[openai/x]"), "{}", e.message);
    }

    #[test]
    fn a_stream_that_started_is_not_retried() {
        let p = stream_plan(2);
        let started = format!("{CHUNK}|RESET");
        let started: &'static str = Box::leak(started.into_boxed_str());
        let s = Script::new(vec![Ok((200, started, vec![]))]);
        let out = block_on(execute(&p, &s, &s)).unwrap();
        let Outcome::Stream {
            mut body,
            mut stream,
            first,
            ..
        } = out.outcome
        else {
            panic!("a stream")
        };
        assert!(first.is_some());
        let e = block_on(next_batch(&s, &mut body, &mut stream)).unwrap_err();
        assert_eq!(e.class_name(), "APIConnectionError");
        assert_eq!(s.sent.borrow().len(), 1);
    }

    #[test]
    fn an_echoed_key_is_redacted() {
        let p = plan_for(json!({"model": "openai/x", "messages": [], "retries": 0})).unwrap();
        let body = r#"{"error":{"message":"Incorrect API key provided: sk-test-key-0123.","code":"invalid_api_key"}}"#;
        let s = Script::new(vec![Ok((401, body, vec![]))]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert!(!format!("{e:?}").contains("sk-test-key-0123"), "{e:?}");
        assert_eq!(e.class_name(), "AuthenticationError");
    }

    #[test]
    fn a_malformed_200_is_an_error() {
        let p = plan_for(json!({"model": "openai/x", "messages": [], "retries": 0})).unwrap();
        let s = Script::new(vec![Ok((200, "<html>", vec![]))]);
        let e = block_on(execute(&p, &s, &s)).unwrap_err();
        assert!(
            e.message.contains("malformed chat completion"),
            "{}",
            e.message
        );
    }
}
