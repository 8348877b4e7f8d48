//! A 2xx body that is no answer (a proxy's doing, or a provider's error object sent
//! with 200) is an error of the class its content calls for, or an `APIError`: never a
//! successful empty `chat.completion`.

use super::{parse_completion, Translation, WireFormat};

fn outcome(format: WireFormat, body: &str) -> Result<String, crate::error::Error> {
    let headers = vec![("request-id".to_string(), "r1".to_string())];
    parse_completion(
        format,
        200,
        &headers,
        body.to_string(),
        &Translation::default(),
        1,
    )
}

#[test]
fn empty_objects_and_arrays_are_api_errors_for_every_translated_format() {
    for format in [
        WireFormat::Anthropic,
        WireFormat::Gemini,
        WireFormat::Cohere,
    ] {
        for body in ["{}", "[]", "null", "42", "\"text\""] {
            let e = outcome(format, body).expect_err(body);
            assert_eq!(
                e.class_name(),
                "APIError",
                "{format:?} {body}: {}",
                e.message
            );
            assert!(
                e.message.contains("malformed") || e.message.contains("200"),
                "{}",
                e.message
            );
        }
    }
}

#[test]
fn a_providers_own_error_object_is_that_error() {
    let anthropic =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let e = outcome(WireFormat::Anthropic, anthropic).unwrap_err();
    assert_eq!(
        (e.class_name(), e.status),
        ("InternalServerError", Some(529))
    );
    assert_eq!(
        e.headers,
        vec![("request-id".to_string(), "r1".to_string())]
    );
    let rate = r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#;
    assert_eq!(
        outcome(WireFormat::Anthropic, rate)
            .unwrap_err()
            .class_name(),
        "RateLimitError"
    );
    let gemini =
        r#"{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}"#;
    assert_eq!(
        outcome(WireFormat::Gemini, gemini)
            .unwrap_err()
            .class_name(),
        "RateLimitError"
    );
    let cohere = r#"{"id":"5f1c","message":"invalid api token"}"#;
    let e = outcome(WireFormat::Cohere, cohere).unwrap_err();
    assert!(e.message.contains("invalid api token"), "{}", e.message);
}

#[test]
fn a_blocked_prompt_is_still_an_answer() {
    let blocked = r#"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3}}"#;
    assert!(outcome(WireFormat::Gemini, blocked).is_ok());
}
