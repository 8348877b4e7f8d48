//! Response: an OpenAI `chat.completion` is already the shape callers get, so the body
//! is handed on as it came (unknown fields such as DeepSeek's `reasoning_content`
//! kept) once it is known to be one.

use super::error::message_of;
use crate::error::{Error, Result};
use crate::json::{field, Value};
use crate::providers::wire::{body_json, malformed_body};

/// Checks that a 2xx body is a chat completion; an error object in a 2xx body (some
/// compatible servers send those) becomes an `APIError`.
pub fn parse_completion(status: u16, headers: &[(String, String)], body: &str) -> Result<()> {
    let what = "chat completion";
    let value = body_json(status, headers, body, what)?;
    if let Some(error) = field(&value, "error") {
        return Err(Error::api(
            Some(status),
            message_of(error),
            headers.to_vec(),
            Some(error.clone()),
        ));
    }
    // Every choice carries its `message` (the OpenAPI spec requires it): a choice
    // without one would reach the caller as a completion whose text is missing.
    match value.get("choices") {
        Some(Value::Array(choices)) if choices.iter().all(|c| field(c, "message").is_some()) => {
            Ok(())
        }
        _ => Err(malformed_body(
            status,
            headers,
            body,
            what,
            "no `choices` with their `message`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"id": "chatcmpl-ABfvaueLEMLNYbT8YzpJxsmiQ6HSY", "object": "chat.completion", "created": 1727346142, "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "message": {"role": "assistant", "content": "I'm unable to provide real-time weather updates.", "refusal": null}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 14, "completion_tokens": 37, "total_tokens": 51, "completion_tokens_details": {"reasoning_tokens": 0}}, "system_fingerprint": "fp_b40fb1c6fb"}"#;

    #[test]
    fn a_completion_passes() {
        parse_completion(200, &[], TEXT).unwrap();
    }

    #[test]
    fn not_json_or_no_choices_is_an_api_error() {
        let e = parse_completion(200, &[], "<html>oops</html>").unwrap_err();
        assert_eq!(e.class_name(), "APIError");
        assert!(e.message.contains("<html>oops"), "{}", e.message);
        let e = parse_completion(200, &[], r#"{"id":"x"}"#).unwrap_err();
        assert!(
            e.message.contains("no `choices` with their `message`"),
            "{}",
            e.message
        );
        // A byte gone bad in the key `message` leaves a choice with no text at all.
        let bent = TEXT.replace(r#""message":"#, r#""mess\ufffdge":"#);
        let e = parse_completion(200, &[], &bent).unwrap_err();
        assert!(e.message.contains("with their `message`"), "{}", e.message);
        let e = parse_completion(200, &[], r#"{"choices":[1]}"#).unwrap_err();
        assert!(e.message.contains("with their `message`"), "{}", e.message);
        parse_completion(200, &[], r#"{"choices":[]}"#).unwrap();
    }

    #[test]
    fn error_object_in_a_200_body() {
        let e = parse_completion(
            200,
            &[],
            r#"{"error":{"message":"boom","type":"server_error"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.message, "boom");
    }
}
