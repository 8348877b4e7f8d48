//! Errors: Google's `{"error":{"code","message","status","details"}}`, in a body or
//! as an event inside a stream (where the `code` stands in for the HTTP status).

use crate::json::Value;

use crate::error::Error;
use crate::providers::openai;

pub fn error_from_response(status: u16, headers: Vec<(String, String)>, body: &str) -> Error {
    let mut e = openai::error_from_response(status, headers, body);
    // A bad key is a 400 INVALID_ARGUMENT whose ErrorInfo reason says what it is.
    if reason(e.body.as_ref()) == Some("API_KEY_INVALID") {
        e.class = Some("AuthenticationError");
    }
    e.retry_after_ms = retry_delay_ms(e.body.as_ref());
    e
}

/// `google.rpc.RetryInfo`'s `retryDelay` ("7s", "1.5s"): Google's 429s carry their
/// wait there, not in a `Retry-After` header.
fn retry_delay_ms(error: Option<&Value>) -> Option<f64> {
    let details = error?.get("details")?.as_array()?;
    let delay = details.iter().find_map(|d| {
        let is_retry_info = d
            .get("@type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("google.rpc.RetryInfo"));
        is_retry_info
            .then(|| d.get("retryDelay")?.as_str())
            .flatten()
    })?;
    let seconds = crate::json::parse_number(delay.strip_suffix('s')?)?;
    (seconds.is_finite() && seconds >= 0.0).then_some(seconds * 1000.0)
}

fn reason(error: Option<&Value>) -> Option<&str> {
    error?
        .get("details")?
        .as_array()?
        .iter()
        .find_map(|d| d.get("reason").and_then(Value::as_str))
}

/// An `{"error": ...}` fragment inside a stream.
pub fn stream_error(error: &Value) -> Error {
    let status = error
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok());
    let message = openai::error::message_of(error);
    let message = match status {
        Some(s) => format!("{s} {message}"),
        None => message,
    };
    let mut e = Error::api(status, message, vec![], Some(error.clone()));
    if reason(Some(error)) == Some("API_KEY_INVALID") {
        e.class = Some("AuthenticationError");
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_is_an_authentication_error_keeping_its_400() {
        let body = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
        let e = error_from_response(400, vec![], body);
        assert_eq!(
            (e.class_name(), e.status),
            ("AuthenticationError", Some(400))
        );
        assert_eq!(
            e.message,
            "400 API key not valid. Please pass a valid API key."
        );
    }

    #[test]
    fn retry_info_gives_the_wait() {
        let body = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","details":[
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}"#;
        let e = error_from_response(429, vec![], body);
        assert_eq!(e.retry_after_ms, Some(7000.0));
        assert_eq!(crate::retry::retry_delay_ms(&e, 0, 0.0, 0.0), Some(7000.0));
    }

    #[test]
    fn resource_exhausted_is_a_rate_limit_error() {
        let body =
            r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}"#;
        assert_eq!(
            error_from_response(429, vec![], body).class_name(),
            "RateLimitError"
        );
        let overloaded = crate::json!({"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"});
        let e = stream_error(&overloaded);
        assert_eq!(
            (e.class_name(), e.status),
            ("InternalServerError", Some(503))
        );
    }
}
