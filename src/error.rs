//! The one error type of the core. The Wasm shell turns it into the JS class named by
//! [`ErrorKind::class_name`], so the kinds mirror the `openai` package's error classes.

use crate::bytes;
use crate::json::Value;
use std::fmt;

/// What went wrong, in the vocabulary of the `openai` package's error classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Rejected before any network call: a malformed model id, an unknown provider,
    /// a parameter of the wrong type or one the provider cannot honour.
    InvalidRequest,
    /// The provider answered with an error status, or sent an error inside a stream.
    Api,
    /// The request never got a complete answer: refused connection, reset, a stream
    /// that ended before its end marker.
    Connection,
    /// An attempt ran past its timeout.
    Timeout,
    /// The caller aborted through its `AbortSignal` or `stream.controller.abort()`.
    UserAbort,
}

/// An error is one pointer: `Result<T>` stays small, so every `?` on the way out moves
/// a word rather than the whole record (which, on wasm32, is code at every call site).
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<ErrorInfo>);

/// What an [`Error`] carries; read through it (`error.kind`, `error.message`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// Human message; names the provider, model and field where known, never a key.
    pub message: String,
    pub status: Option<u16>,
    pub provider: Option<String>,
    pub model: Option<String>,
    /// Response headers of the failed attempt, lower-cased names.
    pub headers: Vec<(String, String)>,
    /// The provider's error object (`body.error` when present, else the whole body).
    pub body: Option<Value>,
    /// The request parameter at fault, for `InvalidRequest`.
    pub param: Option<String>,
    /// Every failed attempt before this one, oldest first: retries of the same model
    /// and the models tried before a fallback.
    pub attempts: Vec<FailedAttempt>,
    /// A class the provider's error names better than its status does (Gemini's
    /// `API_KEY_INVALID` is an authentication failure sent as a 400).
    pub class: Option<&'static str>,
    /// A wait the provider asked for in its body rather than a header (Gemini's
    /// `RetryInfo.retryDelay`), in milliseconds.
    pub retry_after_ms: Option<f64>,
}

/// One attempt that failed, kept on the final error and on a successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedAttempt {
    pub provider: String,
    pub model: String,
    pub error: Error,
}

impl std::ops::Deref for Error {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::boxed(kind, message.into())
    }

    /// One body for every message type (generic, it was built per type).
    #[inline(never)]
    fn boxed(kind: ErrorKind, message: String) -> Self {
        Error(Box::new(ErrorInfo {
            kind,
            message,
            status: None,
            provider: None,
            model: None,
            headers: Vec::new(),
            body: None,
            param: None,
            attempts: Vec::new(),
            class: None,
            retry_after_ms: None,
        }))
    }

    /// A request rejected before it was sent; `param` is the offending field's path.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        Error::invalid_at(param.into(), message.into())
    }

    /// One body for every pair of argument types (generic, it was built per pair).
    #[inline(never)]
    fn invalid_at(param: String, message: String) -> Self {
        let mut e = Error::new(ErrorKind::InvalidRequest, message);
        if !param.is_empty() {
            e.param = Some(param);
        }
        e
    }

    pub fn connection(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Connection, message)
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Timeout, message)
    }

    pub fn user_abort() -> Self {
        Error::new(ErrorKind::UserAbort, "Request was aborted.")
    }

    /// An error status from a provider, or an error event inside a stream.
    pub fn api(
        status: Option<u16>,
        message: impl Into<String>,
        headers: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Self {
        let mut e = Error::new(ErrorKind::Api, message);
        e.status = status;
        e.headers = headers;
        e.body = body;
        e
    }

    /// Records which provider and model the failure belongs to, and names them in the
    /// message so a log line alone says where it came from.
    pub fn at(mut self, provider: &str, model: &str) -> Self {
        if self.provider.is_none() {
            self.message = if model.is_empty() {
                format!("{} [{provider}]", self.message)
            } else {
                format!("{} [{provider}/{model}]", self.message)
            };
            self.provider = Some(provider.to_string());
            if !model.is_empty() {
                self.model = Some(model.to_string());
            }
        }
        self
    }

    /// The name of the JS class this error becomes, as exported by the package.
    pub fn class_name(&self) -> &'static str {
        if let Some(class) = self.class {
            return class;
        }
        match self.kind {
            ErrorKind::InvalidRequest => "InvalidRequestError",
            ErrorKind::Connection => "APIConnectionError",
            ErrorKind::Timeout => "APITimeoutError",
            ErrorKind::UserAbort => "APIUserAbortError",
            ErrorKind::Api => match self.status {
                Some(400) => "BadRequestError",
                Some(401) => "AuthenticationError",
                Some(403) => "PermissionDeniedError",
                Some(404) => "NotFoundError",
                Some(409) => "ConflictError",
                Some(422) => "UnprocessableEntityError",
                Some(429) => "RateLimitError",
                Some(s) if s >= 500 => "InternalServerError",
                _ => "APIError",
            },
        }
    }

    /// Attaches the response headers of a 200 whose stream later failed.
    pub fn with_headers(mut self, headers: &[(String, String)]) -> Self {
        if self.headers.is_empty() && matches!(self.kind, ErrorKind::Api | ErrorKind::Connection) {
            self.headers = headers.to_vec();
        }
        self
    }

    /// The header value by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Removes every trace of `secret` (an API key) from what the error shows: its
    /// message, the provider's body and the response headers. Providers echo keys
    /// back ("Incorrect API key provided: sk-...") and proxies reflect headers.
    pub fn redact(&mut self, secret: &str) {
        // Placeholder keys of local servers ("x", "EMPTY", "ollama") are no secrets, and
        // scrubbing such short strings would mangle every word that contains them.
        if secret.chars().count() < MIN_SECRET_CHARS {
            return;
        }
        let masked = mask(secret);
        self.message = bytes::replace(&self.message, secret, &masked);
        for (name, value) in &mut self.headers {
            if is_credential_header(name) {
                *value = "[redacted]".into();
            } else if bytes::find_str(value, secret).is_some() {
                *value = bytes::replace(value, secret, &masked);
            }
        }
        if let Some(body) = &mut self.body {
            redact_value(body, secret, &masked);
        }
        for attempt in &mut self.attempts {
            attempt.error.redact(secret);
        }
    }
}

/// Whether a transport's failure says it timed out ("Connect Timeout Error", "ETIMEDOUT",
/// "timed out"): the `openai` package's `/timed? ?out/i`, so that such a failure is an
/// `APITimeoutError` as there, not a plain connection error.
pub fn says_timed_out(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut i = 0;
    while let Some(at) = bytes::find_str(&lower[i..], "time") {
        let mut j = i + at + 4;
        if b.get(j) == Some(&b'd') {
            j += 1;
        }
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        if b[j..].starts_with(b"out") {
            return true;
        }
        i += at + 1;
    }
    false
}

/// Shorter keys are not scrubbed from errors: see [`Error::redact`].
pub const MIN_SECRET_CHARS: usize = 8;

/// What stands in for a key: enough to tell keys apart in a log, never enough to use.
/// ASCII only: it may stand in a header value, which `new Headers()` refuses unless
/// each character fits in a byte.
fn mask(secret: &str) -> String {
    let chars = secret.chars().count();
    if chars < 16 {
        return "[redacted]".into();
    }
    // The last four characters, cut at a character boundary.
    let tail = bytes::char_start(secret, chars - 4).unwrap_or(0);
    format!("[redacted ...{}]", &secret[tail..])
}

/// Header names that carry credentials.
pub fn is_credential_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization"
            | "proxy-authorization"
            | "x-api-key"
            | "api-key"
            | "x-goog-api-key"
            | "cookie"
            | "set-cookie"
    )
}

fn redact_value(value: &mut Value, secret: &str, masked: &str) {
    match value {
        Value::String(s) if bytes::find_str(s, secret).is_some() => {
            *s = bytes::replace(s, secret, masked)
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| redact_value(v, secret, masked)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| redact_value(v, secret, masked)),
        _ => {}
    }
}

/// Looks a header up by lower-case name in a list of lower-cased headers.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class_name(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_told_as_the_openai_package_tells_them() {
        for yes in [
            "fetch failed: Connect Timeout Error",
            "connect ETIMEDOUT 10.0.0.1:443",
            "The operation timed out.",
            "time out",
            "TimeOut",
        ] {
            assert!(says_timed_out(yes), "{yes}");
        }
        for no in ["fetch failed", "ECONNREFUSED", "time", "timed", "time  out"] {
            assert!(!says_timed_out(no), "{no}");
        }
        // As /timed? ?out/i: "overtime outage" matches there too.
        assert!(says_timed_out("overtime outage"));
    }

    #[test]
    fn status_picks_the_openai_class() {
        let cases = [
            (400, "BadRequestError"),
            (401, "AuthenticationError"),
            (403, "PermissionDeniedError"),
            (404, "NotFoundError"),
            (422, "UnprocessableEntityError"),
            (429, "RateLimitError"),
            (500, "InternalServerError"),
            (529, "InternalServerError"),
            (418, "APIError"),
        ];
        for (status, class) in cases {
            let e = Error::api(Some(status), "x", vec![], None);
            assert_eq!(e.class_name(), class, "status {status}");
        }
    }

    #[test]
    fn redact_removes_the_key_everywhere() {
        let key = "sk-proj-abcdefghijklmnop1234";
        let mut e = Error::api(
            Some(401),
            format!("401 Incorrect API key provided: {key}."),
            vec![
                ("www-authenticate".into(), format!("Bearer {key}")),
                ("authorization".into(), "Bearer other".into()),
            ],
            Some(crate::json!({"message": format!("key {key}"), "list": [key]})),
        );
        e.attempts.push(FailedAttempt {
            provider: "openai".into(),
            model: "m".into(),
            error: Error::connection(format!("reset while sending {key}")),
        });
        e.redact(key);
        let shown = format!("{e:?}");
        assert!(!shown.contains(key), "{shown}");
        assert!(e.message.contains("[redacted ...1234]"), "{}", e.message);
        assert!(
            mask("sk-0123456789abcdef").is_ascii(),
            "a header value may hold it"
        );
        assert_eq!(e.header("authorization"), Some("[redacted]"));
        let mut short = Error::connection("sk-bad-key was refused");
        short.redact("sk-bad-key");
        assert_eq!(short.message, "[redacted] was refused");
        let mut placeholder = Error::api(Some(400), "max_tokens exceeds", vec![], None);
        placeholder.redact("x");
        assert_eq!(
            placeholder.message, "max_tokens exceeds",
            "placeholders are left alone"
        );
    }

    #[test]
    fn at_names_provider_and_model_once() {
        let e = Error::connection("reset")
            .at("openai", "gpt-4o")
            .at("x", "y");
        assert_eq!(e.message, "reset [openai/gpt-4o]");
        assert_eq!(e.provider.as_deref(), Some("openai"));
        assert_eq!(e.model.as_deref(), Some("gpt-4o"));
    }
}
