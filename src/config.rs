//! Client and per-call options, and how they resolve a provider name to an endpoint:
//! base URL, key and headers. Names follow the `openai` package (`apiKey`, `baseURL`,
//! `maxRetries`, `defaultHeaders`, ...).

use crate::json::Value;

use crate::error::{Error, Result};
use crate::json::{lookup, At, Keyed};
use crate::providers::presets::AZURE_API_VERSION;
use crate::providers::{preset, Auth, Capabilities, Preset, Quirks, Route, WireFormat, PRESETS};

/// An API key: cloned and compared like a string, never shown by `Debug`, so no log
/// line or panic message can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(key: impl Into<String>) -> Self {
        Secret(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Default number of retries after the first attempt, as in the `openai` package.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default per-attempt timeout, as in the `openai` package: ten minutes.
pub const DEFAULT_TIMEOUT_MS: f64 = 600_000.0;
/// Default limit on a started stream's silence: no byte at all for this long, and
/// it is taken as stalled. Healthy streams send something far more often (README,
/// "Streams that stall").
pub const DEFAULT_IDLE_TIMEOUT_MS: f64 = 600_000.0;

#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Key for `openai/` models.
    pub api_key: Option<Secret>,
    /// API root for `openai/` models, e.g. `https://api.openai.com/v1`.
    pub base_url: Option<String>,
    /// Keys by provider name.
    pub api_keys: Keyed<Secret>,
    /// OpenAI organization and project, sent as `OpenAI-Organization` /
    /// `OpenAI-Project` (else `OPENAI_ORG_ID` / `OPENAI_PROJECT_ID`).
    pub organization: Option<String>,
    pub project: Option<String>,
    /// Per-provider settings; a name that is no preset defines a custom
    /// OpenAI-compatible provider.
    pub providers: Keyed<ProviderOptions>,
    pub default_headers: Keyed<Option<String>>,
    pub max_retries: Option<u32>,
    /// Milliseconds per attempt.
    pub timeout: Option<f64>,
    /// Milliseconds a started stream may go without a byte; 0: no limit.
    pub idle_timeout: Option<f64>,
    pub dangerously_allow_browser: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ProviderOptions {
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
    pub headers: Keyed<Option<String>>,
    /// Azure: the resource name in `https://{resource}.openai.azure.com`.
    pub resource: Option<String>,
    /// Azure: the `api-version` query parameter.
    pub api_version: Option<String>,
}

/// The second argument of `create`, less the `signal`, which the shell handles.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Milliseconds per attempt.
    pub timeout: Option<f64>,
    pub idle_timeout: Option<f64>,
    pub max_retries: Option<u32>,
    pub headers: Keyed<Option<String>>,
}

// Readers: options as the `openai` package names them, strictly; a wrong type is
// refused naming the option, never showing its value (options hold keys).

fn secret(at: &At) -> Result<Secret> {
    at.string().map(Secret)
}

/// Header values: a string, or `null` to remove a default header.
fn headers(at: &At) -> Result<Keyed<Option<String>>> {
    at.map(|value| match value.value {
        Value::Null => Ok(None),
        _ => value.string().map(Some),
    })
}

/// `headers` keeps its `null`s, which [`At::get`] would read as absent.
fn header_option(at: &At, key: &str) -> Result<Keyed<Option<String>>> {
    match at.value.get(key) {
        Some(Value::Object(_)) => headers(&At::child(at, key)),
        Some(Value::Null) | None => Ok(Vec::new()),
        Some(_) => Err(At::child(at, key).invalid("an object of header strings")),
    }
}

/// A base URL without credentials in it: `fetch` refuses `user:password@` URLs,
/// quoting them (and the password) in its error, and every request would carry them.
fn base_url(at: &At) -> Result<String> {
    let url = at.string()?;
    if crate::http::has_credentials(&url) {
        return Err(at.invalid(CREDENTIALS_IN_URL));
    }
    Ok(url)
}

/// `OPENAI_BASE_URL`, refused (never ignored: the key would go elsewhere) when it
/// holds credentials.
fn env_base_url(env: Env) -> Result<Option<String>> {
    match env("OPENAI_BASE_URL") {
        Some(url) if crate::http::has_credentials(&url) => Err(Error::invalid(
            "OPENAI_BASE_URL",
            format!(
                "invalid environment variable `OPENAI_BASE_URL`: expected {CREDENTIALS_IN_URL}"
            ),
        )),
        url => Ok(url),
    }
}

const CREDENTIALS_IN_URL: &str =
    "a URL without credentials (`user:password@`); give the key as `apiKey`";

impl ClientOptions {
    /// Reads the client options (JSON of the object given to `new OpenAI()`).
    pub fn from_value(value: &Value) -> Result<Self> {
        let at = At::labelled(value, "client option");
        at.object()?;
        Ok(ClientOptions {
            api_key: at.opt("apiKey", secret)?,
            base_url: at.opt("baseURL", base_url)?,
            api_keys: at.opt("apiKeys", |k| k.map(secret))?.unwrap_or_default(),
            organization: at.opt("organization", At::string)?,
            project: at.opt("project", At::string)?,
            providers: at
                .opt("providers", |p| p.map(ProviderOptions::read))?
                .unwrap_or_default(),
            default_headers: header_option(&at, "defaultHeaders")?,
            max_retries: at.opt("maxRetries", At::u32)?,
            timeout: at.opt("timeout", At::f64)?,
            idle_timeout: at.opt("idleTimeout", At::f64)?,
            dangerously_allow_browser: at
                .opt("dangerouslyAllowBrowser", At::bool)?
                .unwrap_or(false),
        })
    }
}

impl ProviderOptions {
    fn read(at: &At) -> Result<Self> {
        at.object()?;
        Ok(ProviderOptions {
            api_key: at.opt("apiKey", secret)?,
            base_url: at.opt("baseURL", base_url)?,
            headers: header_option(at, "headers")?,
            resource: at.opt("resource", At::string)?,
            api_version: at.opt("apiVersion", At::string)?,
        })
    }
}

impl CallOptions {
    /// Reads the per-call options (the second argument of `create`, less `signal`).
    pub fn from_value(value: &Value) -> Result<Self> {
        let at = At::labelled(value, "request option");
        at.object()?;
        Ok(CallOptions {
            timeout: at.opt("timeout", At::f64)?,
            idle_timeout: at.opt("idleTimeout", At::f64)?,
            max_retries: at.opt("maxRetries", At::u32)?,
            headers: header_option(&at, "headers")?,
        })
    }
}

/// Everything needed to address one provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub provider: String,
    pub format: WireFormat,
    pub base_url: String,
    pub auth: Auth,
    pub api_key: Option<Secret>,
    /// Headers to add, in order; a `None` value removes the header.
    pub headers: Vec<(String, Option<String>)>,
    pub caps: Capabilities,
    pub quirks: Quirks,
    pub route: Route,
    /// Azure's `api-version`.
    pub api_version: Option<String>,
}

/// Reads an environment variable; a shell without an environment returns `None`.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl ClientOptions {
    /// Refuses a client that holds a key inside a browser page, where the key would
    /// be visible to anyone who opens the developer tools, unless the caller opted in.
    pub fn check_browser(&self, in_browser: bool) -> Result<()> {
        let holds_key = self.api_key.is_some()
            || !self.api_keys.is_empty()
            || self.providers.iter().any(|(_, p)| p.api_key.is_some());
        if in_browser && holds_key && !self.dangerously_allow_browser {
            return Err(Error::invalid(
                "dangerouslyAllowBrowser",
                "in a browser, a key is visible to anyone: set `dangerouslyAllowBrowser: true` \
                 to allow it anyway",
            ));
        }
        Ok(())
    }

    /// Resolves a provider name (the prefix of a model id) to where and how to call it.
    pub fn endpoint(&self, provider: &str, field: &str, env: Env) -> Result<Endpoint> {
        let custom = lookup(&self.providers, provider);
        let is_openai = provider == "openai";
        // `defaultHeaders` go with every request, a custom provider's too.
        let own_headers = self.headers_for(custom);
        let Some(spec) = preset(provider) else {
            return custom_endpoint(provider, custom, field, own_headers);
        };
        let base_url = match custom.and_then(|c| c.base_url.clone()) {
            Some(url) => url,
            None if is_openai => match self.base_url.clone() {
                Some(url) => url,
                None => env_base_url(env)?.unwrap_or_else(|| spec.base_url.to_string()),
            },
            None if spec.route == Route::AzureDeployment => azure_base(spec, custom, env)?,
            None => spec.base_url.to_string(),
        };
        let api_version = (spec.route == Route::AzureDeployment).then(|| {
            custom
                .and_then(|c| c.api_version.clone())
                .or_else(|| env("OPENAI_API_VERSION"))
                .or_else(|| env("AZURE_OPENAI_API_VERSION"))
                .unwrap_or_else(|| AZURE_API_VERSION.to_string())
        });
        let api_key = custom
            .and_then(|c| c.api_key.clone())
            .or_else(|| lookup(&self.api_keys, provider).cloned())
            .or_else(|| self.api_key.clone().filter(|_| is_openai))
            .or_else(|| spec.env_keys.iter().find_map(|k| env(k).map(Secret::new)))
            .filter(|k| !k.expose().is_empty());
        if api_key.is_none() && spec.requires_key {
            let option = if is_openai {
                "`apiKey`".to_string()
            } else {
                format!("`apiKeys.{provider}`")
            };
            return Err(Error::invalid(
                "apiKey",
                format!(
                    "no API key for provider `{provider}`: pass {option} to the client or set {}",
                    crate::bytes::join(spec.env_keys, " or ")
                ),
            ));
        }
        let mut headers = Vec::new();
        if is_openai {
            let org = self.organization.clone().or_else(|| env("OPENAI_ORG_ID"));
            let project = self.project.clone().or_else(|| env("OPENAI_PROJECT_ID"));
            // `if let`, not `extend(option)`, which instantiated an extend of its own.
            if let Some(org) = org {
                headers.push(("openai-organization".to_string(), Some(org)));
            }
            if let Some(project) = project {
                headers.push(("openai-project".to_string(), Some(project)));
            }
        }
        if self.dangerously_allow_browser {
            if let Some((name, value)) = spec.browser_header {
                headers.push((name.to_string(), Some(value.to_string())));
            }
        }
        headers.extend(own_headers);
        Ok(Endpoint {
            provider: provider.to_string(),
            format: spec.format,
            base_url,
            auth: spec.auth,
            api_key,
            headers,
            caps: spec.caps,
            quirks: spec.quirks,
            route: spec.route,
            api_version,
        })
    }

    fn headers_for(&self, custom: Option<&ProviderOptions>) -> Vec<(String, Option<String>)> {
        let mut headers = self.default_headers.clone();
        if let Some(custom) = custom {
            headers.extend_from_slice(&custom.headers);
        }
        headers
    }
}

fn custom_endpoint(
    provider: &str,
    custom: Option<&ProviderOptions>,
    field: &str,
    headers: Vec<(String, Option<String>)>,
) -> Result<Endpoint> {
    let Some(custom) = custom else {
        let mut known = Vec::with_capacity(PRESETS.len());
        for preset in PRESETS {
            known.push(preset.name);
        }
        return Err(Error::invalid(
            field,
            format!(
                "unknown provider `{provider}` in `{field}`: known providers are {}; \
                 a custom OpenAI-compatible one is declared with \
                 `providers: {{ {provider}: {{ baseURL: \"...\" }} }}`",
                crate::bytes::join(&known, ", ")
            ),
        ));
    };
    let Some(base_url) = custom.base_url.clone() else {
        return Err(Error::invalid(
            format!("providers.{provider}.baseURL"),
            format!("custom provider `{provider}` needs a `baseURL`"),
        ));
    };
    Ok(Endpoint {
        provider: provider.to_string(),
        format: WireFormat::OpenAi,
        base_url,
        auth: Auth::Bearer,
        api_key: custom.api_key.clone().filter(|k| !k.expose().is_empty()),
        headers,
        caps: Capabilities::ALL,
        quirks: Quirks::default(),
        route: Route::ChatCompletions,
        api_version: None,
    })
}

/// Azure's API root: `providers.azure.resource` (else `AZURE_OPENAI_RESOURCE_NAME` /
/// `AZURE_RESOURCE_NAME`) fills the preset's `{resource}`; an `AZURE_OPENAI_ENDPOINT`
/// such as `https://my-res.openai.azure.com` gives the root itself.
fn azure_base(spec: &Preset, custom: Option<&ProviderOptions>, env: Env) -> Result<String> {
    let resource = custom
        .and_then(|c| c.resource.clone())
        .or_else(|| env("AZURE_OPENAI_RESOURCE_NAME"))
        .or_else(|| env("AZURE_RESOURCE_NAME"));
    if let Some(resource) = resource {
        return Ok(crate::bytes::replace(
            spec.base_url,
            "{resource}",
            &resource,
        ));
    }
    if let Some(endpoint) = env("AZURE_OPENAI_ENDPOINT") {
        return Ok(format!(
            "{}/openai",
            crate::bytes::trim_end_byte(&endpoint, b'/')
        ));
    }
    Err(Error::invalid(
        "providers.azure.resource",
        "azure needs its resource: pass `providers: { azure: { resource } }` (or a `baseURL`), \
         or set AZURE_OPENAI_RESOURCE_NAME or AZURE_OPENAI_ENDPOINT",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn opts(v: crate::json::Value) -> ClientOptions {
        ClientOptions::from_value(&v).unwrap()
    }
    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn openai_takes_api_key_and_base_url() {
        let o = opts(json!({"apiKey": "sk-1", "baseURL": "http://127.0.0.1:9/v1"}));
        let e = o.endpoint("openai", "model", &no_env).unwrap();
        assert_eq!(e.api_key.as_ref().map(Secret::expose), Some("sk-1"));
        assert_eq!(e.base_url, "http://127.0.0.1:9/v1");
    }

    #[test]
    fn base_urls_with_credentials_are_refused_without_showing_them() {
        for (options, param) in [
            (
                json!({"baseURL": "https://user:hunter2@proxy/v1"}),
                "baseURL",
            ),
            (
                json!({"providers": {"x": {"baseURL": "http://tok:hunter2@h/v1"}}}),
                "providers.x.baseURL",
            ),
        ] {
            let e = ClientOptions::from_value(&options).unwrap_err();
            assert_eq!(e.param.as_deref(), Some(param));
            assert!(
                e.message.contains("without credentials") && !e.message.contains("hunter2"),
                "{}",
                e.message
            );
        }
        let env = |k: &str| (k == "OPENAI_BASE_URL").then(|| "https://u:hunter2@h/v1".to_string());
        let e = opts(json!({"apiKey": "sk-1"}))
            .endpoint("openai", "model", &env)
            .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("OPENAI_BASE_URL"));
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        // The client's own baseURL wins: the environment is not read.
        let o = opts(json!({"apiKey": "sk-1", "baseURL": "http://127.0.0.1:9/v1"}));
        assert_eq!(
            o.endpoint("openai", "model", &env).unwrap().base_url,
            "http://127.0.0.1:9/v1"
        );
    }

    #[test]
    fn key_precedence_provider_then_api_keys_then_env() {
        let env = |k: &str| (k == "OPENAI_API_KEY").then(|| "from-env".to_string());
        let o = opts(json!({}));
        assert_eq!(
            o.endpoint("openai", "model", &env)
                .unwrap()
                .api_key
                .as_ref()
                .map(Secret::expose),
            Some("from-env")
        );
        let o = opts(json!({"apiKeys": {"openai": "from-map"}}));
        assert_eq!(
            o.endpoint("openai", "model", &env)
                .unwrap()
                .api_key
                .as_ref()
                .map(Secret::expose),
            Some("from-map")
        );
        let o = opts(
            json!({"apiKeys": {"openai": "from-map"}, "providers": {"openai": {"apiKey": "from-provider"}}}),
        );
        assert_eq!(
            o.endpoint("openai", "model", &env)
                .unwrap()
                .api_key
                .as_ref()
                .map(Secret::expose),
            Some("from-provider")
        );
    }

    #[test]
    fn openai_organization_and_project_become_headers() {
        let env = |k: &str| (k == "OPENAI_PROJECT_ID").then(|| "proj_env".to_string());
        let o = opts(json!({"apiKey": "k", "organization": "org_1"}));
        let e = o.endpoint("openai", "model", &env).unwrap();
        assert_eq!(
            e.headers,
            vec![
                ("openai-organization".to_string(), Some("org_1".to_string())),
                ("openai-project".to_string(), Some("proj_env".to_string())),
            ]
        );
    }

    #[test]
    fn anthropic_key_from_its_env_var_and_browser_header_on_opt_in() {
        let env = |k: &str| (k == "ANTHROPIC_API_KEY").then(|| "sk-ant-env".to_string());
        let e = opts(json!({}))
            .endpoint("anthropic", "model", &env)
            .unwrap();
        assert_eq!(e.api_key.as_ref().map(Secret::expose), Some("sk-ant-env"));
        assert_eq!(e.base_url, "https://api.anthropic.com/v1");
        assert!(e.headers.is_empty());
        let e = opts(json!({"dangerouslyAllowBrowser": true}))
            .endpoint("anthropic", "model", &env)
            .unwrap();
        assert_eq!(
            e.headers,
            vec![(
                "anthropic-dangerous-direct-browser-access".to_string(),
                Some("true".to_string())
            )]
        );
        let err = opts(json!({}))
            .endpoint("anthropic", "model", &no_env)
            .unwrap_err();
        assert!(
            err.message.contains("ANTHROPIC_API_KEY") && err.message.contains("apiKeys.anthropic")
        );
    }

    #[test]
    fn azure_resource_api_version_and_key_header() {
        let o = opts(
            json!({"apiKeys": {"azure": "azure-key-0123"}, "providers": {"azure": {"resource": "my-res"}}}),
        );
        let e = o.endpoint("azure", "model", &no_env).unwrap();
        assert_eq!(e.base_url, "https://my-res.openai.azure.com/openai");
        assert_eq!(
            (e.auth, e.route),
            (Auth::Header("api-key"), Route::AzureDeployment)
        );
        assert_eq!(e.api_version.as_deref(), Some(AZURE_API_VERSION));
        let env = |k: &str| match k {
            "AZURE_OPENAI_ENDPOINT" => Some("https://env-res.openai.azure.com/".to_string()),
            "OPENAI_API_VERSION" => Some("2025-01-01-preview".to_string()),
            "AZURE_OPENAI_API_KEY" => Some("azure-env-key".to_string()),
            _ => None,
        };
        let e = opts(json!({})).endpoint("azure", "model", &env).unwrap();
        assert_eq!(e.base_url, "https://env-res.openai.azure.com/openai");
        assert_eq!(e.api_version.as_deref(), Some("2025-01-01-preview"));
        assert_eq!(
            e.api_key.as_ref().map(Secret::expose),
            Some("azure-env-key")
        );
        let err = opts(json!({"apiKeys": {"azure": "k"}}))
            .endpoint("azure", "model", &no_env)
            .unwrap_err();
        assert_eq!(err.param.as_deref(), Some("providers.azure.resource"));
    }

    #[test]
    fn missing_key_names_the_env_var() {
        let e = opts(json!({}))
            .endpoint("openai", "model", &no_env)
            .unwrap_err();
        assert!(e.message.contains("OPENAI_API_KEY"), "{}", e.message);
        assert_eq!(e.param.as_deref(), Some("apiKey"));
    }

    #[test]
    fn unknown_provider_is_named_with_the_field() {
        let e = opts(json!({}))
            .endpoint("nope", "fallback_models[0]", &no_env)
            .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("fallback_models[0]"));
        assert!(
            e.message.contains("unknown provider `nope`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn custom_provider_is_openai_compatible_and_needs_base_url() {
        let o = opts(
            json!({"providers": {"local": {"baseURL": "http://127.0.0.1:1/v1", "headers": {"x-a": "1"}}}}),
        );
        let e = o.endpoint("local", "model", &no_env).unwrap();
        assert_eq!(e.format, WireFormat::OpenAi);
        assert_eq!(e.api_key, None);
        assert_eq!(e.headers, vec![("x-a".to_string(), Some("1".to_string()))]);
        // `defaultHeaders` go to a custom provider too, before its own headers.
        let o = opts(json!({"defaultHeaders": {"x-trace": "t"},
            "providers": {"local": {"baseURL": "http://127.0.0.1:1/v1", "headers": {"x-a": "1"}}}}));
        let e = o.endpoint("local", "model", &no_env).unwrap();
        let names: Vec<&str> = e.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x-trace", "x-a"]);
        let o = opts(json!({"providers": {"local": {}}}));
        let err = o.endpoint("local", "model", &no_env).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("providers.local.baseURL"));
    }

    #[test]
    fn debug_never_shows_a_key() {
        let o = opts(json!({"apiKey": "sk-1234", "apiKeys": {"x": "sk-5678"},
            "providers": {"p": {"apiKey": "sk-9999", "baseURL": "http://h"}}}));
        let shown = format!(
            "{o:?} {:?}",
            o.endpoint("openai", "model", &no_env).unwrap()
        );
        for key in ["sk-1234", "sk-5678", "sk-9999"] {
            assert!(!shown.contains(key), "{shown}");
        }
    }

    #[test]
    fn browser_refuses_keys_unless_allowed() {
        assert!(opts(json!({"apiKey": "k"})).check_browser(true).is_err());
        assert!(opts(json!({"apiKey": "k"})).check_browser(false).is_ok());
        assert!(opts(json!({})).check_browser(true).is_ok());
        assert!(
            opts(json!({"apiKey": "k", "dangerouslyAllowBrowser": true}))
                .check_browser(true)
                .is_ok()
        );
        let e = opts(json!({"providers": {"x": {"apiKey": "k"}}}))
            .check_browser(true)
            .unwrap_err();
        assert!(!e.message.contains("\"k\""));
    }
}
