//! Values across the boundary: JS params and options in, completions and errors out.

use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, FailedAttempt};
use crate::json::{object, why_not_json, Map, ToJson, Value};

/// The longest text copied from JS into Wasm memory, in UTF-16 units (64 Mi): the
/// params' JSON and a whole (not streamed) answer. Above every provider's request
/// limit (32 to 50 MB) and any answer, and low enough that the text, its JSON tree
/// (up to 16 times the text, `[0,0,...]`) and a request per model stay far inside
/// the Wasm memory's 4 GiB.
const MAX_TEXT: u32 = 64 << 20;

/// Whether `text` (a JS string) is longer than [`MAX_TEXT`]: measured before it is
/// copied, so that a text past it costs no Wasm memory at all.
pub fn too_long(text: &JsValue) -> bool {
    text.unchecked_ref::<js_sys::JsString>().length() > MAX_TEXT
}

/// JSON text of a JS value, the way the `openai` package sends a body: through
/// `JSON.stringify`, so `undefined` fields and functions vanish and `toJSON` is
/// honoured. `None` when stringify throws (a cycle, a BigInt) or yields nothing; an
/// empty text, which no reader accepts, past [`MAX_TEXT`].
fn stringify(value: &JsValue) -> Option<String> {
    let text = JSON::stringify(value).ok()?;
    if too_long(&text) {
        return Some(String::new());
    }
    text.as_string()
}

/// Reads the caller's params.
pub fn params_from_js(params: &JsValue) -> Result<Value, Error> {
    if !params.is_object() {
        return Err(Error::invalid("", crate::types::request::NOT_PARAMS));
    }
    let text = stringify(params).ok_or_else(|| {
        Error::invalid(
            "",
            "params are not JSON-serialisable (a cycle or a BigInt?)",
        )
    })?;
    // What `JSON.stringify` writes is JSON (lone surrogates included, read as U+FFFD):
    // all the reader can refuse is nesting past its limit, or the empty text that
    // stands for params past their length limit.
    crate::json::parse(&text).map_err(|e| {
        Error::invalid(
            "",
            format!(
                "params go past 64 Mi characters or 128 levels of nesting, the most onellm reads ({})",
                why_not_json(&e)
            ),
        )
    })
}

/// Reads an options object (`undefined` means all defaults) through JSON, like the
/// params: functions (`fetch`) and the `signal` are read separately by the caller.
/// `read` names the option and the type expected, never the value given: an option
/// object is where keys live.
pub fn options_from_js<T: Default>(
    value: &JsValue,
    what: &str,
    read: impl FnOnce(&Value) -> Result<T, Error>,
) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let invalid = || {
        Error::invalid(
            "",
            format!("invalid {what}s: expected a JSON-serialisable object"),
        )
    };
    if !value.is_object() {
        return Err(invalid());
    }
    let text = stringify(value).ok_or_else(invalid)?;
    let parsed: Value = crate::json::parse(&text).map_err(|_| invalid())?;
    read(&parsed)
}

/// Serialises out through JSON text and `JSON.parse`: plain objects, every number
/// JSON can hold (serde-wasm-bindgen refuses integers above 2^53), and one boundary
/// crossing.
pub fn to_js<T: ToJson + ?Sized>(value: &T) -> JsValue {
    parse_json(&crate::json::to_string(value))
}

/// Parses JSON text produced by the core (always valid) into JS values.
pub fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text))
}

/// The description of an error that `pkg-template/core.js` turns into an instance of
/// the exported class named by `name`.
struct ErrorData<'a>(&'a Error);

impl ToJson for ErrorData<'_> {
    fn write_json(&self, out: &mut String) {
        let e = self.0;
        let headers: Option<Map> = (!e.headers.is_empty()).then(|| {
            e.headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        });
        object(out)
            .field("name", e.class_name())
            .field("message", &e.message)
            .field("status", &e.status.map(u32::from))
            .field("headers", &headers)
            .some("error", &e.body)
            .field("provider", &e.provider)
            .field("model", &e.model)
            .field("param", &e.param)
            .field("attempts", &e.attempts)
            // Marks it as ours, so the glue never mistakes a foreign rejection for one.
            .field("onellm", &true)
            .end();
    }
}

/// A failed attempt as `{ provider, model, error }`, with the full `provider/model` id.
impl ToJson for FailedAttempt {
    fn write_json(&self, out: &mut String) {
        object(out)
            .field("provider", &self.provider)
            .field("model", &format!("{}/{}", self.provider, self.model))
            .field("error", &ErrorData(&self.error))
            .end();
    }
}

pub fn error_to_js(e: &Error) -> JsValue {
    to_js(&ErrorData(e))
}

/// `{ provider, model, attempts }`: who answered a successful call, and what failed first.
pub fn meta_to_js(provider: &str, model: &str, failed: &[FailedAttempt]) -> JsValue {
    let mut out = String::new();
    object(&mut out)
        .field("provider", provider)
        .field("model", &format!("{provider}/{model}"))
        .field("attempts", failed)
        .end();
    parse_json(&out)
}

#[wasm_bindgen]
extern "C" {
    /// `String(value)`, catching what a hostile `toString` throws: an uncaught throw
    /// here would escape the Wasm's promise and leave `create()` unsettled.
    #[wasm_bindgen(catch, js_name = String)]
    fn string_of(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// The message of a thrown JS value, for wrapping it into an error of ours. Never
/// throws, whatever getters or `toString` the value has.
pub fn js_message(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    if value.is_instance_of::<js_sys::Error>() {
        let message = Reflect::get(value, &"message".into()).ok();
        if let Some(m) = message.and_then(|m| m.as_string()) {
            return m;
        }
    }
    string_of(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The message of a thrown value and of its `cause` (undici's `fetch failed` says why
/// only there).
pub fn js_message_with_cause(value: &JsValue) -> String {
    let message = js_message(value);
    match Reflect::get(value, &"cause".into()) {
        Ok(cause) if !cause.is_undefined() && !cause.is_null() => {
            format!("{message}: {}", js_message(&cause))
        }
        _ => message,
    }
}

/// A property of the global object (`globalThis`), where fetch and timers live in
/// every runtime: browsers, Workers, Deno and Node alike.
pub fn global_property(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap_or(JsValue::UNDEFINED)
}
