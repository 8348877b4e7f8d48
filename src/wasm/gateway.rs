//! The gateway's Wasm face (`--features gateway`, its own module): strings in, JSON
//! text out, so `pkg-template/gateway.js` needs no glue beyond `JSON.parse`.

use wasm_bindgen::prelude::*;

use crate::gateway::config::Config;
use crate::gateway::reply::headers_value;
use crate::gateway::{Gateway, Head, Route};
use crate::json::{self, Value};

#[wasm_bindgen]
pub struct GatewayCore {
    gateway: Gateway,
}

#[wasm_bindgen]
impl GatewayCore {
    /// `config` is the gateway's options as JSON; `secrets` a JSON array of the values
    /// no answer may show. A bad option is thrown as `{param, message}`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str, secrets: &str) -> Result<GatewayCore, JsValue> {
        let parsed = json::parse(config).map_err(|e| JsValue::from(e.to_string()))?;
        let config = Config::from_value(&parsed).map_err(|e| JsValue::from(e.message.clone()))?;
        let secrets = match json::parse(secrets) {
            Ok(Value::Array(list)) => list
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        Ok(GatewayCore {
            gateway: Gateway::new(config, secrets),
        })
    }

    /// `{"reply": {status, headers, body}}`, `{"chat": key, "maxBody": n}` or
    /// `{"models": key, "id": id|null}`.
    pub fn route(
        &self,
        method: &str,
        path: &str,
        authorization: Option<String>,
        origin: Option<String>,
        request_headers: Option<String>,
        content_length: Option<f64>,
    ) -> String {
        let head = Head {
            method,
            path,
            authorization: authorization.as_deref(),
            origin: origin.as_deref(),
            request_headers: request_headers.as_deref(),
            content_length: content_length.map(|n| n.max(0.0) as u64),
        };
        let mut out = String::new();
        match self.gateway.route(&head) {
            Route::Reply(reply) => {
                json::object(&mut out).field("reply", &reply).end();
            }
            Route::Chat { key, max_body } => {
                json::object(&mut out)
                    .field("chat", &(key as u64))
                    .field("maxBody", &max_body)
                    .field("keepAlive", &self.gateway.config.keep_alive_ms)
                    .end();
            }
            Route::Models { key, id } => {
                let id = id.map(Value::from).unwrap_or_default();
                json::object(&mut out)
                    .field("models", &(key as u64))
                    .field("id", &id)
                    .end();
            }
        }
        out
    }

    /// `{"params": "<json>", "stream": bool}` or `{"reply": …}`.
    pub fn chat(&self, key: u32, body: &str, origin: Option<String>) -> String {
        let mut out = String::new();
        match self.gateway.chat(key as usize, body, origin.as_deref()) {
            Ok(plan) => json::object(&mut out)
                .field("params", &plan.params)
                .field("stream", &plan.stream)
                .end(),
            Err(reply) => json::object(&mut out).field("reply", &reply).end(),
        }
        out
    }

    pub fn models(&self, key: u32, id: Option<String>, origin: Option<String>) -> String {
        json::to_string(
            &self
                .gateway
                .models(key as usize, id.as_deref(), origin.as_deref()),
        )
    }

    /// The answer to a failed call; `thrown` is the error's fields as JSON.
    pub fn failure(&self, thrown: &str, origin: Option<String>) -> String {
        let thrown = json::parse(thrown).unwrap_or_default();
        json::to_string(&self.gateway.failure(&thrown, origin.as_deref()))
    }

    /// The event that ends a stream that failed after it began.
    #[wasm_bindgen(js_name = streamError)]
    pub fn stream_error(&self, thrown: &str) -> String {
        let thrown = json::parse(thrown).unwrap_or_default();
        self.gateway.stream_error(&thrown)
    }

    /// The CORS headers of a successful answer to `origin`, as `[[name, value]]` JSON.
    #[wasm_bindgen(js_name = corsHeaders)]
    pub fn cors_headers(&self, origin: Option<String>) -> String {
        json::to_string(&headers_value(
            &self.gateway.cors_headers(origin.as_deref()),
        ))
    }

    /// The 413 for a body found over the limit while it was read.
    #[wasm_bindgen(js_name = bodyTooLarge)]
    pub fn body_too_large(&self, origin: Option<String>) -> String {
        json::to_string(&self.gateway.too_large(origin.as_deref()))
    }
}
