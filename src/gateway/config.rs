//! The gateway's configuration: the object given to `createGateway`, less the client's
//! own options (`providers`, `apiKeys`, `fetch`, timeouts: `CLIENT_OPTIONS` in
//! gateway-core.js), which go to the client and its own reader.

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::json::{At, Value};
use crate::model::parse_model_id;

/// The most a request body may hold unless `maxBodyBytes` says otherwise: room for a
/// few images sent inline as base64, far below what would strain a Worker's memory.
pub const DEFAULT_MAX_BODY: u64 = 4 << 20;

/// Milliseconds of quiet before a stream's keep-alive comment, unless `streamKeepAlive`
/// says otherwise.
pub const DEFAULT_KEEP_ALIVE: u64 = 15_000;

/// A key shorter than this is too easy to guess for a gateway on the open internet.
const MIN_KEY_LEN: usize = 16;

#[derive(Debug)]
pub struct Config {
    /// Public model names, in the order `GET /v1/models` lists them.
    pub models: Vec<(String, Chain)>,
    /// Whether callers may name any `provider/model` id directly.
    pub allow_raw_models: bool,
    pub keys: Vec<GatewayKey>,
    /// No key needed: only when the config says so in as many words.
    pub allow_unauthenticated: bool,
    pub cors: Cors,
    pub max_body_bytes: u64,
    /// A stream quiet this long (ms) gets an SSE comment (0: never): it keeps proxies
    /// from closing the caller's connection, and a write is how the edge notices a
    /// caller that hung up, which then cancels the provider request.
    pub keep_alive_ms: u64,
}

/// What a public model name stands for: the params the gateway sets on the call.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub model: String,
    pub fallback_models: Vec<String>,
    pub retries: Option<u32>,
    /// Milliseconds per attempt, as the client's `timeout` param.
    pub timeout: Option<f64>,
}

#[derive(Debug)]
pub struct GatewayKey {
    pub secret: Secret,
    /// What this key may call: public names, `provider/model` ids, `provider/*`; `None`
    /// is everything the gateway serves.
    pub models: Option<Vec<String>>,
}

/// Which browser origins may call the gateway.
#[derive(Debug, PartialEq)]
pub enum Cors {
    /// No CORS headers: browsers cannot call the gateway from another origin.
    Off,
    Any,
    Origins(Vec<String>),
}

impl Config {
    pub fn from_value(value: &Value) -> Result<Config> {
        let at = At::labelled(value, "gateway option");
        let object = at.object()?;
        if let Some((key, _)) = object.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Err(Error::invalid(
                key.as_str(),
                format!(
                    "unknown gateway option `{key}`; the options are {}",
                    KNOWN.join(", ")
                ),
            ));
        }
        let models = at
            .opt("models", |m| m.map(Chain::read))?
            .unwrap_or_default();
        let allow_raw_models = at.opt("allowRawModels", At::bool)?.unwrap_or(false);
        let keys = at.opt("keys", |k| k.list(GatewayKey::read))?;
        let allow_unauthenticated = at.opt("allowUnauthenticated", At::bool)?.unwrap_or(false);
        let keys = match keys {
            Some(keys) if !keys.is_empty() => keys,
            _ if allow_unauthenticated => Vec::new(),
            _ => {
                return Err(Error::invalid(
                    "keys",
                    "invalid gateway option `keys`: a gateway needs at least one key for its \
                     callers (or `allowUnauthenticated: true` to serve anyone who finds it)",
                ))
            }
        };
        if models.is_empty() && !allow_raw_models {
            return Err(Error::invalid(
                "models",
                "invalid gateway option `models`: name at least one model, or set \
                 `allowRawModels: true` to serve `provider/model` ids",
            ));
        }
        Ok(Config {
            models,
            allow_raw_models,
            keys,
            allow_unauthenticated,
            cors: at.opt("cors", Cors::read)?.unwrap_or(Cors::Off),
            max_body_bytes: at
                .opt("maxBodyBytes", |n| n.f64())?
                .map(|n| n.max(0.0) as u64)
                .unwrap_or(DEFAULT_MAX_BODY),
            keep_alive_ms: at
                .opt("streamKeepAlive", |n| n.f64())?
                .map(|n| n.max(0.0) as u64)
                .unwrap_or(DEFAULT_KEEP_ALIVE),
        })
    }

    pub fn chain(&self, name: &str) -> Option<&Chain> {
        crate::json::lookup(&self.models, name)
    }
}

const KNOWN: [&str; 7] = [
    "models",
    "streamKeepAlive",
    "allowRawModels",
    "keys",
    "allowUnauthenticated",
    "cors",
    "maxBodyBytes",
];

impl Chain {
    /// `"provider/model"`, or `{ model, fallback_models, retries, timeout }`.
    fn read(at: &At) -> Result<Chain> {
        let model_at = |at: &At| {
            let id = at.string()?;
            parse_model_id(&id, &at.path())?;
            Ok(id)
        };
        if at.value.is_string() {
            return Ok(Chain {
                model: model_at(at)?,
                fallback_models: Vec::new(),
                retries: None,
                timeout: None,
            });
        }
        at.object()?;
        Ok(Chain {
            model: model_at(&at.need("model")?)?,
            fallback_models: at
                .opt("fallback_models", |m| m.list(model_at))?
                .unwrap_or_default(),
            retries: at.opt("retries", At::u32)?,
            timeout: at.opt("timeout", At::f64)?,
        })
    }
}

impl GatewayKey {
    /// `"key"`, or `{ key, models }`.
    fn read(at: &At) -> Result<GatewayKey> {
        let secret = |at: &At| {
            let key = at.string()?;
            if key.len() < MIN_KEY_LEN {
                return Err(at.invalid("a key of at least 16 characters"));
            }
            Ok(Secret::new(key))
        };
        if at.value.is_string() {
            return Ok(GatewayKey {
                secret: secret(at)?,
                models: None,
            });
        }
        at.object()?;
        Ok(GatewayKey {
            secret: secret(&at.need("key")?)?,
            models: at.opt("models", |m| m.list(At::string))?,
        })
    }

    /// Whether this key may call the public model `name`, or the raw id `name`.
    pub fn allows(&self, name: &str) -> bool {
        let Some(models) = &self.models else {
            return true;
        };
        models.iter().any(|m| {
            m == name
                || m.strip_suffix("/*")
                    .is_some_and(|p| name.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
        })
    }
}

impl Cors {
    /// `true` / `"*"` for any origin, or a list of origins.
    fn read(at: &At) -> Result<Cors> {
        match at.value {
            Value::Bool(true) => Ok(Cors::Any),
            Value::Bool(false) => Ok(Cors::Off),
            Value::String(s) if s == "*" => Ok(Cors::Any),
            Value::Array(_) => Ok(Cors::Origins(at.list(At::string)?)),
            _ => Err(at.invalid("true, \"*\" or a list of origins")),
        }
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if allowed.
    pub fn allow(&self, origin: Option<&str>) -> Option<String> {
        match (self, origin) {
            (Cors::Off, _) | (_, None) => None,
            (Cors::Any, Some(_)) => Some("*".to_string()),
            (Cors::Origins(list), Some(o)) => list.iter().any(|a| a == o).then(|| o.to_string()),
        }
    }
}
