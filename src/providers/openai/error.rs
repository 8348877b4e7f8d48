//! Error bodies: OpenAI's `{"error": {"message", "type", "param", "code"}}`, which most
//! compatible servers copy. Anything else (an HTML 502 page from a proxy, plain text)
//! still becomes the class its status calls for, with the start of the body shown.

use crate::json::Value;

use crate::error::Error;
use crate::sse::preview;

/// How much of a non-JSON body an error message shows.
const BODY_PREVIEW_CHARS: usize = 200;

pub fn error_from_response(status: u16, headers: Vec<(String, String)>, body: &str) -> Error {
    let parsed: Option<Value> = crate::json::parse(body).ok();
    let (message, error) = match parsed {
        Some(value) => {
            let error = match value.get("error") {
                Some(inner) if !inner.is_null() => inner.clone(),
                _ => value,
            };
            (message_of(&error), Some(error))
        }
        None if body.trim_ascii().is_empty() => ("status code (no body)".to_string(), None),
        None => (
            format!(
                "status code (non-JSON body: {})",
                preview(body.trim_ascii(), BODY_PREVIEW_CHARS)
            ),
            None,
        ),
    };
    Error::api(Some(status), format!("{status} {message}"), headers, error)
}

/// The human message of an error object: its `message` when it has one (its JSON when
/// that is no string, as the `openai` package shows it), else the object's JSON.
pub fn message_of(error: &Value) -> String {
    match error.get("message") {
        Some(Value::String(m)) => m.clone(),
        Some(m) if !m.is_null() => m.to_string(),
        _ => match error {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn a_message_that_is_no_string_is_shown_as_its_json() {
        let e = error_from_response(418, vec![], r#"{"message":{"detail":"teapot"}}"#);
        assert_eq!(e.message, r#"418 {"detail":"teapot"}"#);
        let e = error_from_response(400, vec![], r#"{"error":{"message":null,"code":7}}"#);
        assert_eq!(e.message, r#"400 {"message":null,"code":7}"#);
    }

    #[test]
    fn openai_error_body_keeps_message_status_and_headers() {
        let body = r#"{
  "error": {
    "message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    "type": "invalid_request_error",
    "param": "max_tokens",
    "code": "unsupported_parameter"
  }
}"#;
        let headers = vec![("x-request-id".to_string(), "req_1".to_string())];
        let e = error_from_response(400, headers, body);
        assert_eq!(e.class_name(), "BadRequestError");
        assert_eq!(e.status, Some(400));
        assert!(e
            .message
            .starts_with("400 Unsupported parameter: 'max_tokens'"));
        assert_eq!(
            e.body.as_ref().unwrap()["code"],
            json!("unsupported_parameter")
        );
        assert_eq!(e.header("x-request-id"), Some("req_1"));
    }

    #[test]
    fn html_from_a_proxy_still_gets_its_class() {
        let html = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let e = error_from_response(502, vec![], html);
        assert_eq!(e.class_name(), "InternalServerError");
        assert!(e.message.contains("502 Bad Gateway"), "{}", e.message);
        assert_eq!(e.body, None);
    }

    #[test]
    fn empty_and_odd_bodies() {
        assert_eq!(
            error_from_response(429, vec![], "").message,
            "429 status code (no body)"
        );
        let e = error_from_response(404, vec![], r#"{"detail":"Not Found"}"#);
        assert_eq!(e.class_name(), "NotFoundError");
        assert_eq!(e.body, Some(json!({"detail": "Not Found"})));
        let e = error_from_response(401, vec![], r#"{"error":"bad key"}"#);
        assert_eq!(e.message, "401 bad key");
    }
}
