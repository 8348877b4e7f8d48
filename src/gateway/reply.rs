//! What the gateway answers on its own: OpenAI's error JSON with OpenAI's statuses, and
//! the mapping of the client's errors (a provider's refusal, a timeout, a bad param)
//! to the status and body an OpenAI client expects from an OpenAI-compatible server.

use crate::bytes;
use crate::error::MIN_SECRET_CHARS;
use crate::json::{self, str_of, ToJson, Value};

/// A whole HTTP answer, handed to JS as JSON: `{status, headers, body}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The four fields of OpenAI's `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    pub message: String,
    pub kind: &'static str,
    pub param: Option<String>,
    pub code: Option<String>,
}

pub const INVALID_REQUEST: &str = "invalid_request_error";
pub const SERVER_ERROR: &str = "server_error";

impl ApiError {
    pub fn invalid(message: impl Into<String>, param: Option<&str>) -> Self {
        ApiError {
            message: message.into(),
            kind: INVALID_REQUEST,
            param: param.map(str::to_string),
            code: None,
        }
    }

    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_string());
        self
    }

    /// `{"error": {"message", "type", "param", "code"}}`, with `null`s as OpenAI sends them.
    pub fn body(&self) -> String {
        let mut out = String::with_capacity(self.message.len() + 96);
        out.push_str("{\"error\":");
        json::object(&mut out)
            .field("message", &self.message)
            .field("type", self.kind)
            .field(
                "param",
                &self.param.as_deref().map(Value::from).unwrap_or_default(),
            )
            .field(
                "code",
                &self.code.as_deref().map(Value::from).unwrap_or_default(),
            )
            .end();
        out.push('}');
        out
    }

    pub fn reply(&self, status: u16) -> Reply {
        Reply {
            status,
            headers: vec![json_type()],
            body: self.body(),
        }
    }

    /// Every secret replaced, wherever a provider or a proxy echoed it.
    pub fn scrub(mut self, secrets: &[String]) -> Self {
        for secret in secrets
            .iter()
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
        {
            for text in [
                Some(&mut self.message),
                self.param.as_mut(),
                self.code.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if bytes::find_str(text, secret).is_some() {
                    *text = bytes::replace(text, secret, "[redacted]");
                }
            }
        }
        self
    }
}

pub fn json_type() -> (String, String) {
    ("content-type".into(), "application/json".into())
}

/// Headers as `[[name, value], …]`, what `new Headers()` takes.
pub fn headers_value(headers: &[(String, String)]) -> Value {
    let pairs = headers
        .iter()
        .map(|(k, v)| Value::Array(vec![k.as_str().into(), v.as_str().into()]))
        .collect();
    Value::Array(pairs)
}

impl ToJson for Reply {
    fn write_json(&self, out: &mut String) {
        json::object(out)
            .field("status", &u32::from(self.status))
            .field("headers", &headers_value(&self.headers))
            .field("body", &self.body)
            .end();
    }
}

/// What a failed call becomes. `thrown` is the client's error as the JS side reads it:
/// `{name, message, status, param, type, code, retryAfter}` (see `gateway.js`).
///
/// A caller's mistake keeps its status (400, 404, 413, 422, 429, with the provider's
/// `type`, `code` and `param`); a provider refusing the gateway's own credentials (401,
/// 403) is the gateway's fault, so the caller sees a 502, never a 401 it would blame on
/// its own key; a provider's 5xx or an unreachable provider is a 502, a timeout a 504.
pub fn failure(thrown: &Value) -> (u16, ApiError) {
    let message = str_of(thrown, "message")
        .unwrap_or("request failed")
        .to_string();
    let name = str_of(thrown, "name").unwrap_or("");
    let field = |key| str_of(thrown, key).map(str::to_string);
    match name {
        "InvalidRequestError" => (400, ApiError::invalid(message, field("param").as_deref())),
        "APITimeoutError" => (504, ApiError::server(message).with_code("timeout")),
        "APIUserAbortError" => (499, ApiError::server(message).with_code("aborted")),
        "APIConnectionError" => (502, ApiError::server(message)),
        _ => {
            let status = thrown
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            let provider_said = |kind| ApiError {
                message: message.clone(),
                kind,
                param: field("param"),
                code: field("code"),
            };
            match status {
                Some(401 | 403) => (
                    502,
                    ApiError::server(format!(
                        "the provider refused the gateway's credentials: {message}"
                    ))
                    .with_code("upstream_auth"),
                ),
                Some(429) => {
                    let mut e = provider_said("requests");
                    e.code.get_or_insert_with(|| "rate_limit_exceeded".into());
                    (429, e)
                }
                Some(s @ 400..=499) => (s, provider_said(INVALID_REQUEST)),
                _ => (502, provider_said(SERVER_ERROR)),
            }
        }
    }
}

impl ApiError {
    pub fn server(message: impl Into<String>) -> Self {
        ApiError {
            message: message.into(),
            kind: SERVER_ERROR,
            param: None,
            code: None,
        }
    }
}
