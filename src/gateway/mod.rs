//! The gateway: onellm's second face, an HTTP server speaking OpenAI's API (for any
//! OpenAI client, in any language) in front of every provider. Sans-I/O like the rest
//! of the core: these functions decide (who may call, which route, which chain of
//! models a public name stands for, what an error becomes); `pkg-template/gateway.js`
//! reads the request, calls the client and writes the answer. Compiled into a Wasm
//! module of its own (`--features gateway`), so the client's payload does not grow.

pub mod auth;
pub mod config;
pub mod reply;

#[cfg(test)]
mod tests;

use crate::json::{self, Map, Value};
use crate::types::request::ONELLM_PARAMS;
use config::{Config, Cors};
use reply::{ApiError, Reply};

/// The parts of a request the gateway decides on before reading its body.
#[derive(Debug, Default)]
pub struct Head<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub authorization: Option<&'a str>,
    pub origin: Option<&'a str>,
    /// `Access-Control-Request-Headers` of a preflight.
    pub request_headers: Option<&'a str>,
    pub content_length: Option<u64>,
}

/// What to do with a request.
#[derive(Debug, PartialEq)]
pub enum Route {
    /// Answer this, and nothing else.
    Reply(Reply),
    /// Read the body (at most `max_body` bytes) and plan the chat call for `key`.
    Chat { key: usize, max_body: u64 },
    /// `GET /v1/models`, or one model by id.
    Models { key: usize, id: Option<String> },
}

/// A chat request the gateway will make: the params for the client, and whether the
/// answer streams.
#[derive(Debug, PartialEq)]
pub struct ChatPlan {
    pub params: String,
    pub stream: bool,
}

pub struct Gateway {
    pub config: Config,
    /// Every value an error must never show: provider keys, the gateway's own keys.
    secrets: Vec<String>,
}

/// Headers the answer to a cross-origin caller exposes to its script.
const EXPOSED: &str = "x-onellm-model, x-onellm-attempts, x-request-id, retry-after";

impl Gateway {
    /// `secrets` are the values to scrub from every error (the JS side passes the
    /// provider keys of the config and of the environment).
    pub fn new(config: Config, mut secrets: Vec<String>) -> Gateway {
        secrets.extend(config.keys.iter().map(|k| k.secret.expose().to_string()));
        Gateway { config, secrets }
    }

    /// Decides on a request from its method, path and headers alone: a preflight is
    /// answered, a caller without a valid key gets a 401 before anything else is
    /// looked at, and only then is the route chosen.
    pub fn route(&self, head: &Head) -> Route {
        let cors = self.cors_headers(head.origin);
        let reply = |status, e: ApiError| Route::Reply(with(e.reply(status), &cors));
        if head.method == "OPTIONS" {
            return Route::Reply(self.preflight(head));
        }
        let key = match self.authenticate(head.authorization) {
            Ok(key) => key,
            Err(e) => return reply(401, e),
        };
        let path = head.path.strip_suffix('/').unwrap_or(head.path);
        match (head.method, path) {
            ("POST", "/v1/chat/completions") => {
                let max_body = self.config.max_body_bytes;
                if head.content_length.is_some_and(|n| n > max_body) {
                    return Route::Reply(self.too_large(head.origin));
                }
                Route::Chat { key, max_body }
            }
            ("GET", "/v1/models") => Route::Models { key, id: None },
            ("GET", _) if path.starts_with("/v1/models/") => Route::Models {
                key,
                id: Some(path["/v1/models/".len()..].to_string()),
            },
            (method, path) => reply(
                404,
                ApiError::invalid(format!("Invalid URL ({method} {path})"), None),
            ),
        }
    }

    /// The key's index, or the 401 OpenAI sends. Without keys (`allowUnauthenticated`)
    /// every caller is key 0, which allows everything.
    fn authenticate(&self, authorization: Option<&str>) -> Result<usize, ApiError> {
        if self.config.keys.is_empty() {
            return Ok(0);
        }
        let Some(sent) = auth::bearer(authorization) else {
            return Err(ApiError::invalid(
                "You didn't provide an API key. You need to provide your API key in an \
                 Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                None,
            ));
        };
        auth::find_key(&self.config.keys, sent).ok_or_else(|| {
            ApiError::invalid("Incorrect API key provided.", None).with_code("invalid_api_key")
        })
    }

    fn preflight(&self, head: &Head) -> Reply {
        let mut headers = self.cors_headers(head.origin);
        if !headers.is_empty() {
            let asked = head
                .request_headers
                .unwrap_or("authorization, content-type");
            headers.push((
                "access-control-allow-methods".into(),
                "GET, POST, OPTIONS".into(),
            ));
            // The openai package sends its own `x-stainless-*` headers: whatever the
            // browser asks to send is allowed, the key check is what guards the gateway.
            headers.push(("access-control-allow-headers".into(), asked.into()));
            headers.push(("access-control-max-age".into(), "600".into()));
        }
        Reply {
            status: 204,
            headers,
            body: String::new(),
        }
    }

    /// The CORS headers of any answer to `origin`; none when it is not allowed.
    pub fn cors_headers(&self, origin: Option<&str>) -> Vec<(String, String)> {
        let Some(allowed) = self.config.cors.allow(origin) else {
            return Vec::new();
        };
        let mut headers = vec![("access-control-allow-origin".to_string(), allowed)];
        if matches!(self.config.cors, Cors::Origins(_)) {
            headers.push(("vary".into(), "Origin".into()));
        }
        headers.push(("access-control-expose-headers".into(), EXPOSED.into()));
        headers
    }

    /// The call a chat body asks for: its public model name resolved to the chain the
    /// gateway serves it with, or the error OpenAI would answer (to `origin`).
    pub fn chat(&self, key: usize, body: &str, origin: Option<&str>) -> Result<ChatPlan, Reply> {
        self.plan_chat(key, body)
            .map_err(|reply| with(reply, &self.cors_headers(origin)))
    }

    fn plan_chat(&self, key: usize, body: &str) -> Result<ChatPlan, Reply> {
        let refuse = |status, e: ApiError| Err(e.reply(status));
        let mut value = match json::parse(body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return refuse(
                    400,
                    ApiError::invalid("the request body must be a JSON object", None),
                )
            }
            Err(e) => {
                return refuse(
                    400,
                    ApiError::invalid(
                        format!("We could not parse the JSON body of your request: {e}."),
                        None,
                    ),
                )
            }
        };
        let Some(name) = value
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return refuse(
                400,
                ApiError::invalid("you must provide a model parameter", Some("model")),
            );
        };
        if let Some(own) = ONELLM_PARAMS.iter().find(|p| value.get(p).is_some()) {
            return refuse(
                400,
                ApiError::invalid(
                    format!("`{own}` is set by the gateway for each model, not by its callers"),
                    Some(own),
                ),
            );
        }
        let Some(chain) = self.resolve(key, &name) else {
            return refuse(404, model_not_found(&name));
        };
        let stream = value.get("stream").and_then(Value::as_bool) == Some(true);
        set_chain(&mut value, &chain);
        Ok(ChatPlan {
            params: json::to_string(&value),
            stream,
        })
    }

    /// The chain a caller's model name stands for, if this key may call it: a public
    /// name first, then (when allowed) a raw `provider/model` id.
    fn resolve(&self, key: usize, name: &str) -> Option<config::Chain> {
        if let Some(chain) = self.config.chain(name) {
            return self.may_call(key, name).then(|| chain.clone());
        }
        let raw = self.config.allow_raw_models
            && crate::model::parse_model_id(name, "model").is_ok()
            && self.may_call(key, name);
        raw.then(|| config::Chain {
            model: name.to_string(),
            fallback_models: Vec::new(),
            retries: None,
            timeout: None,
        })
    }

    /// Without keys (`allowUnauthenticated`), every model the gateway serves.
    fn may_call(&self, key: usize, name: &str) -> bool {
        self.config.keys.get(key).is_none_or(|k| k.allows(name))
    }

    /// `GET /v1/models`: the public names this key may call, as OpenAI lists models.
    pub fn models(&self, key: usize, id: Option<&str>, origin: Option<&str>) -> Reply {
        let mut data = Vec::new();
        for (name, chain) in &self.config.models {
            if self.may_call(key, name) && id.is_none_or(|id| id == name) {
                let owner = crate::bytes::split_once(&chain.model, "/").map_or("", |(p, _)| p);
                data.push(
                    crate::json!({"id": name, "object": "model", "created": 0, "owned_by": owner}),
                );
            }
        }
        let cors = self.cors_headers(origin);
        let reply = match (id, data.pop()) {
            (Some(_), Some(model)) => ok_json(json::to_string(&model)),
            (Some(id), None) => model_not_found(id).reply(404),
            (None, last) => {
                data.extend(last);
                ok_json(json::to_string(
                    &crate::json!({"object": "list", "data": data}),
                ))
            }
        };
        with(reply, &cors)
    }

    /// The 413 for a body over `maxBodyBytes`: announced so, or found so while it was
    /// read (a length the caller did not announce, or announced wrong).
    pub fn too_large(&self, origin: Option<&str>) -> Reply {
        let max = self.config.max_body_bytes;
        let error = ApiError::invalid(
            format!("the request body is larger than this gateway accepts ({max} bytes)"),
            None,
        );
        with(error.reply(413), &self.cors_headers(origin))
    }

    /// What a failed call answers: `thrown` as [`reply::failure`] reads it, the
    /// attempts that failed before it, and no secret anywhere in it.
    pub fn failure(&self, thrown: &Value, origin: Option<&str>) -> Reply {
        let (status, error) = reply::failure(thrown);
        let mut reply = error.scrub(&self.secrets).reply(status);
        if let Some(after) = json::str_of(thrown, "retryAfter") {
            reply.headers.push(("retry-after".into(), after.into()));
        }
        let attempts = json::u64_of(thrown, "attempts").unwrap_or(0);
        reply
            .headers
            .push(("x-onellm-attempts".into(), attempts.to_string()));
        with(reply, &self.cors_headers(origin))
    }

    /// An error inside a stream that already began: the event OpenAI sends
    /// (`data: {"error": …}`), which OpenAI's SDKs raise as an `APIError`.
    pub fn stream_error(&self, thrown: &Value) -> String {
        let (_, error) = reply::failure(thrown);
        format!("data: {}\n\n", error.scrub(&self.secrets).body())
    }
}

/// The chain's models and settings on the params, in place of the public name.
fn set_chain(params: &mut Map, chain: &config::Chain) {
    params.set("model", chain.model.as_str().into());
    if !chain.fallback_models.is_empty() {
        let list = chain
            .fallback_models
            .iter()
            .map(|m| m.as_str().into())
            .collect();
        params.set("fallback_models", Value::Array(list));
    }
    if let Some(retries) = chain.retries {
        params.set("retries", retries.into());
    }
    if let Some(timeout) = chain.timeout {
        params.set("timeout", Value::from(timeout));
    }
}

fn model_not_found(name: &str) -> ApiError {
    ApiError::invalid(
        format!("The model `{name}` does not exist or you do not have access to it."),
        Some("model"),
    )
    .with_code("model_not_found")
}

fn ok_json(body: String) -> Reply {
    Reply {
        status: 200,
        headers: vec![reply::json_type()],
        body,
    }
}

fn with(mut reply: Reply, headers: &[(String, String)]) -> Reply {
    reply.headers.extend_from_slice(headers);
    reply
}
