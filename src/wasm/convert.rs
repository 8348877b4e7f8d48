//! Values across the boundary: JS params and options in, completions and errors out.

use js_sys::{Object, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, FailedAttempt};

/// Reads the caller's params the way the `openai` package sends them: through
/// `JSON.stringify`, so `undefined` fields vanish and `toJSON` is honoured.
pub fn params_from_js(params: &JsValue) -> Result<Value, Error> {
    if !params.is_object() {
        return Err(Error::invalid(
            "",
            "`create` takes an object with `model` and `messages`",
        ));
    }
    let text = JSON::stringify(params).map_err(|e| {
        Error::invalid(
            "",
            format!("params are not JSON-serialisable: {}", js_message(&e)),
        )
    })?;
    let text = String::from(text);
    serde_json::from_str(&text)
        .map_err(|e| Error::invalid("", format!("params are not valid JSON: {e}")))
}

/// Reads an options object (`undefined` means all defaults); errors name the option.
pub fn options_from_js<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
) -> Result<T, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let de = serde_wasm_bindgen::Deserializer::from(value.clone());
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::invalid(
            path.clone(),
            format!("invalid {what} `{path}`: {}", e.into_inner()),
        )
    })
}

/// Plain JS objects (not `Map`s) for everything serialised out.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

/// Parses JSON text produced by the core (always valid) into JS values.
pub fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// The description of an error that `pkg-template/core.js` turns into an instance of
/// the exported class named by `name`.
#[derive(Serialize)]
struct ErrorData<'a> {
    name: &'a str,
    message: &'a str,
    status: Option<u16>,
    headers: Option<serde_json::Map<String, Value>>,
    error: Option<&'a Value>,
    provider: Option<&'a str>,
    model: Option<&'a str>,
    param: Option<&'a str>,
    attempts: Vec<AttemptData<'a>>,
    /// Marks it as ours, so the glue never mistakes a foreign rejection for one.
    onellm: bool,
}

/// One failed attempt: `model` is the full `provider/model` id.
#[derive(Serialize)]
struct AttemptData<'a> {
    provider: &'a str,
    model: String,
    error: ErrorData<'a>,
}

fn error_data(e: &Error) -> ErrorData<'_> {
    let headers = (!e.headers.is_empty()).then(|| {
        e.headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    });
    ErrorData {
        name: e.class_name(),
        message: &e.message,
        status: e.status,
        headers,
        error: e.body.as_ref(),
        provider: e.provider.as_deref(),
        model: e.model.as_deref(),
        param: e.param.as_deref(),
        attempts: attempts_data(&e.attempts),
        onellm: true,
    }
}

fn attempts_data(failed: &[FailedAttempt]) -> Vec<AttemptData<'_>> {
    failed
        .iter()
        .map(|a| AttemptData {
            provider: &a.provider,
            model: format!("{}/{}", a.provider, a.model),
            error: error_data(&a.error),
        })
        .collect()
}

pub fn error_to_js(e: &Error) -> JsValue {
    to_js(&error_data(e))
}

/// `{ provider, model, attempts }`: who answered a successful call, and what failed first.
pub fn meta_to_js(provider: &str, model: &str, failed: &[FailedAttempt]) -> JsValue {
    #[derive(Serialize)]
    struct Meta<'a> {
        provider: &'a str,
        model: String,
        attempts: Vec<AttemptData<'a>>,
    }
    to_js(&Meta {
        provider,
        model: format!("{provider}/{model}"),
        attempts: attempts_data(failed),
    })
}

/// The message of a thrown JS value, for wrapping it into an error of ours.
pub fn js_message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value.as_string().unwrap_or_else(|| {
        value
            .dyn_ref::<Object>()
            .map(|o| String::from(o.to_string()))
            .unwrap_or_else(|| "unknown error".into())
    })
}

/// A property of the global object (`globalThis`), where fetch and timers live in
/// every runtime: browsers, Workers, Deno and Node alike.
pub fn global_property(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap_or(JsValue::UNDEFINED)
}
