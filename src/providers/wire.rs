//! Reading what a provider sent: a body or a stream event as JSON, or the `APIError`
//! that shows the start of it. Shared by the translating adapters, whose readers
//! (`read` functions beside each wire type) then pick fields out of the JSON.

use crate::json::Value;

use crate::error::{Error, Result};
use crate::json::why_not_json;
use crate::sse::preview;

/// The error for a stream event that is not what the format promises.
pub fn malformed_event(data: &str, why: &str) -> Error {
    Error::api(
        None,
        format!("malformed stream event ({why}): {}", preview(data, 120)),
        vec![],
        None,
    )
}

/// A stream event's JSON.
pub fn event_json(data: &str) -> Result<Value> {
    crate::json::parse(data).map_err(|e| malformed_event(data, &why_not_json(&e)))
}

/// The error for a 2xx body that is not what the format promises; `what` names the
/// format's answer (`anthropic message`).
pub fn malformed_body(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    what: &str,
    why: &str,
) -> Error {
    Error::api(
        Some(status),
        format!("malformed {what} ({why}): {}", preview(body, 120)),
        headers.to_vec(),
        None,
    )
}

/// A 2xx body's JSON.
pub fn body_json(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    what: &str,
) -> Result<Value> {
    crate::json::parse(body)
        .map_err(|e| malformed_body(status, headers, body, what, &why_not_json(&e)))
}
