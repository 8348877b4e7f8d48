//! Reading what a provider sent: a body or a stream event as JSON, or the `APIError`
//! that shows the start of it. Shared by the translating adapters, whose readers
//! (`read` functions beside each wire type) then pick fields out of the JSON.

use std::borrow::Cow;

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

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
    serde_json::from_str(data).map_err(|e| malformed_event(data, &why_not_json(&e)))
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
    serde_json::from_str(body)
        .map_err(|e| malformed_body(status, headers, body, what, &why_not_json(&e)))
}

/// A string borrowed from the event text, or unescaped into its own when it has
/// escapes: the hot paths read events into borrowing structs with this. (serde borrows a `Cow` only as a direct field, never inside `Option`.)
#[derive(Debug)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// The text of an optional [`Text`] field.
pub fn text<'b>(t: &'b Option<Text>) -> Option<&'b str> {
    t.as_ref().map(|t| t.0.as_ref())
}

/// An optional [`Text`] field as an owned string.
pub fn owned(t: Option<Text>) -> Option<String> {
    t.map(|t| t.0.into_owned())
}
