//! The exported client: options in, `create` out. The JS glue wraps it as
//! `new OpenAI(options).chat.completions.create(params, options)`.

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use super::convert::{
    error_to_js, global_property, meta_to_js, options_from_js, params_from_js, parse_json,
};
use super::fetch::FetchTransport;
use super::stream::{Started, StreamReader};
use super::timers::JsPause;
use crate::client::{execute, plan, Outcome};
use crate::config::{CallOptions, ClientOptions};
use crate::error::{Error, Result};

struct Shared {
    options: ClientOptions,
    fetch: Option<Function>,
    env: Option<Function>,
}

#[wasm_bindgen]
pub struct Client {
    shared: Rc<Shared>,
}

/// A page has a `document`; Node, Deno, Workers do not.
fn in_browser() -> bool {
    !global_property("document").is_undefined() && !global_property("window").is_undefined()
}

fn function_option(options: &JsValue, name: &str) -> Result<Option<Function>> {
    let value = Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| Error::invalid(name, format!("client option `{name}` must be a function")))
}

#[wasm_bindgen]
impl Client {
    /// `env` reads an environment variable (Node, Deno) or is `undefined`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue, env: JsValue) -> std::result::Result<Client, JsValue> {
        let build = || -> Result<Client> {
            let parsed: ClientOptions =
                options_from_js(&options, "client option", ClientOptions::from_value)?;
            parsed.check_browser(in_browser())?;
            let fetch = if options.is_object() {
                function_option(&options, "fetch")?
            } else {
                None
            };
            Ok(Client {
                shared: Rc::new(Shared {
                    options: parsed,
                    fetch,
                    env: env.dyn_into::<Function>().ok(),
                }),
            })
        };
        build().map_err(|e| error_to_js(&e))
    }

    /// Resolves to a `chat.completion` object, or to a [`StreamReader`] when
    /// `params.stream` is true.
    pub fn create(&self, params: JsValue, options: JsValue) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            create(&shared, &params, &options)
                .await
                .map_err(|e| error_to_js(&e))
        })
    }
}

/// The `signal` request option: an `AbortSignal`, or anything shaped like one (a
/// polyfill, another realm's), since ignoring a signal would make it abort nothing.
fn signal_option(options: &JsValue) -> Result<Option<AbortSignal>> {
    if !options.is_object() {
        return Ok(None);
    }
    let value = Reflect::get(options, &"signal".into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let aborted = Reflect::get(&value, &"aborted".into()).is_ok_and(|a| a.as_bool().is_some());
    let listens = Reflect::get(&value, &"addEventListener".into()).is_ok_and(|f| f.is_function());
    if value.is_instance_of::<AbortSignal>() || (aborted && listens) {
        Ok(Some(value.unchecked_into()))
    } else {
        Err(Error::invalid(
            "signal",
            "request option `signal` must be an AbortSignal",
        ))
    }
}

async fn create(shared: &Shared, params: &JsValue, options: &JsValue) -> Result<JsValue> {
    let params = params_from_js(params)?;
    let call: CallOptions = options_from_js(options, "request option", CallOptions::from_value)?;
    let signal = signal_option(options)?;
    let env = |name: &str| -> Option<String> {
        let f = shared.env.as_ref()?;
        f.call1(&JsValue::UNDEFINED, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let plan = plan(&shared.options, &call, params, &env)?;
    let transport = FetchTransport {
        fetch: shared.fetch.clone(),
        signal: signal.clone(),
    };
    let success = execute(&plan, &transport, &JsPause { signal }).await?;
    let target = &plan.targets[success.target];
    let meta = meta_to_js(&target.provider, &target.model, &success.failed);
    match success.outcome {
        Outcome::Completion(json) => {
            let completion = parse_json(&json);
            // Not enumerable: the completion keeps exactly OpenAI's JSON shape.
            let descriptor = Object::new();
            let _ = Reflect::set(&descriptor, &"value".into(), &meta);
            // The glue replaces it with one whose errors are class instances.
            let _ = Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE);
            if let Some(target) = completion.dyn_ref::<Object>() {
                let _ = Reflect::define_property(target, &"onellm".into(), &descriptor);
            }
            Ok(completion)
        }
        Outcome::Stream {
            body,
            stream,
            first,
            headers,
        } => Ok(StreamReader::new(
            transport,
            Started {
                ended: first.is_none(),
                body,
                stream,
                first,
                headers,
                secrets: target.secrets.clone(),
            },
            (&target.provider, &target.model),
            meta,
        )
        .into()),
    }
}
