//! Errors: `{"type":"error","error":{"type":…,"message":…},"request_id":…}`, in a
//! response body or as an `error` event inside a stream. Inside a stream there is no
//! HTTP status, so the error type gives the one Anthropic would have used, which
//! picks the class and the retry rule (`overloaded_error` is a retryable 529).

use crate::json::Value;

use crate::error::Error;
use crate::providers::openai;

pub fn error_from_response(status: u16, headers: Vec<(String, String)>, body: &str) -> Error {
    // The envelope is OpenAI's `{"error": {...}}` with a type beside it.
    openai::error_from_response(status, headers, body)
}

/// The HTTP status Anthropic uses for an error type
/// (<https://docs.anthropic.com/en/api/errors>).
pub fn status_of(error_type: &str) -> Option<u16> {
    Some(match error_type {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => return None,
    })
}

/// An `error` event's payload as the matching `APIError`.
pub fn stream_error(data: &str) -> Error {
    let value: Option<Value> = crate::json::parse(data).ok();
    let error = value.as_ref().and_then(|v| v.get("error")).cloned();
    let kind = error
        .as_ref()
        .and_then(|e| e.get("type"))
        .and_then(Value::as_str);
    let status = kind.and_then(status_of);
    let message = error
        .as_ref()
        .map(openai::error::message_of)
        .unwrap_or_else(|| format!("error event: {}", crate::sse::preview(data, 120)));
    let message = match status {
        Some(s) => format!("{s} {message}"),
        None => message,
    };
    Error::api(status, message, vec![], error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_errors_get_their_classes() {
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let e = error_from_response(529, vec![], overloaded);
        assert_eq!(
            (e.class_name(), e.message.as_str()),
            ("InternalServerError", "529 Overloaded")
        );
        let invalid = r#"{"type":"error","error":{"type":"invalid_request_error","message":"messages.0.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_01GHndag5wQmbzNihYmV2UBj. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."},"request_id":"req_011CYHyk9NPsBYeGbC9LuDNK"}"#;
        let e = error_from_response(400, vec![], invalid);
        assert_eq!(e.class_name(), "BadRequestError");
        assert_eq!(e.body.as_ref().unwrap()["type"], "invalid_request_error");
    }

    #[test]
    fn stream_error_events_get_a_status_from_their_type() {
        let e = stream_error(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        );
        assert_eq!(
            (e.status, e.class_name()),
            (Some(529), "InternalServerError")
        );
        assert!(crate::retry::should_retry(&e));
        let e = stream_error(
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}"#,
        );
        assert_eq!(e.class_name(), "BadRequestError");
        assert!(!crate::retry::should_retry(&e));
        assert_eq!(stream_error("nope").class_name(), "APIError");
    }
}
