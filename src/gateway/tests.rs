use super::config::Config;
use super::*;
use crate::json;

const KEY_A: &str = "gw-key-aaaaaaaaaaaaaaaa";
const KEY_B: &str = "gw-key-bbbbbbbbbbbbbbbb";

fn gateway(config: Value) -> Gateway {
    Gateway::new(
        Config::from_value(&config).unwrap(),
        vec!["sk-provider-secret-123456".into()],
    )
}

fn standard() -> Gateway {
    gateway(json!({
        "models": {
            "fast": {"model": "groq/llama-3.1-8b-instant", "fallback_models": ["openai/gpt-4o-mini"], "retries": 1},
            "smart": "anthropic/claude-sonnet-4-5",
        },
        "keys": [KEY_A, {"key": KEY_B, "models": ["fast", "openai/*"]}],
        "allowRawModels": true,
        "cors": ["https://app.example"],
    }))
}

fn head<'a>(method: &'a str, path: &'a str, key: Option<&'a str>) -> (Head<'a>, String) {
    let auth = key.map(|k| format!("Bearer {k}")).unwrap_or_default();
    (
        Head {
            method,
            path,
            ..Head::default()
        },
        auth,
    )
}

fn route(g: &Gateway, method: &str, path: &str, key: Option<&str>) -> Route {
    let (mut h, auth) = head(method, path, key);
    if key.is_some() {
        h.authorization = Some(&auth);
    }
    g.route(&h)
}

fn error_of(reply: &Reply) -> Value {
    json::parse(&reply.body).unwrap()["error"].clone()
}

fn reply_of(route: Route) -> Reply {
    match route {
        Route::Reply(r) => r,
        other => panic!("expected a reply, got {other:?}"),
    }
}

#[test]
fn a_caller_without_a_valid_key_gets_openais_401_before_the_route_is_looked_at() {
    let g = standard();
    for (key, code) in [
        (None, Value::Null),
        (Some("gw-key-wrong-aaaaaaaa"), json!("invalid_api_key")),
    ] {
        for path in ["/v1/chat/completions", "/v1/nowhere"] {
            let reply = reply_of(route(&g, "POST", path, key));
            assert_eq!(reply.status, 401, "{path} {key:?}");
            let e = error_of(&reply);
            assert_eq!(e["type"], "invalid_request_error");
            assert_eq!(e["code"], code);
            assert!(!reply.body.contains("gw-key"), "{}", reply.body);
        }
    }
    let (mut h, _) = head("POST", "/v1/chat/completions", None);
    h.authorization = Some("Basic Z3cta2V5");
    assert_eq!(reply_of(g.route(&h)).status, 401);
}

#[test]
fn keys_are_told_apart_and_compared_whole() {
    let g = standard();
    assert!(matches!(
        route(&g, "POST", "/v1/chat/completions", Some(KEY_A)),
        Route::Chat { key: 0, .. }
    ));
    assert!(matches!(
        route(&g, "POST", "/v1/chat/completions", Some(KEY_B)),
        Route::Chat { key: 1, .. }
    ));
    // A prefix, a longer key, another case: all wrong.
    for sent in [&KEY_A[..20], &format!("{KEY_A}x"), &KEY_A.to_uppercase()] {
        assert_eq!(
            reply_of(route(&g, "POST", "/v1/chat/completions", Some(sent))).status,
            401
        );
    }
    let (mut h, _) = head("GET", "/v1/models", None);
    let lower = format!("bearer   {KEY_A}  ");
    h.authorization = Some(&lower);
    assert!(matches!(g.route(&h), Route::Models { key: 0, id: None }));
}

#[test]
fn routes_as_openai_does_and_unknown_urls_are_openais_404() {
    let g = standard();
    let k = Some(KEY_A);
    assert!(
        matches!(route(&g, "GET", "/v1/models/fast", k), Route::Models { id: Some(ref id), .. } if id == "fast")
    );
    let reply = reply_of(route(&g, "GET", "/v1/chat/completions", k));
    assert_eq!(reply.status, 404);
    assert_eq!(
        error_of(&reply)["message"],
        "Invalid URL (GET /v1/chat/completions)"
    );
    assert_eq!(reply_of(route(&g, "POST", "/v1/embeddings", k)).status, 404);
}

#[test]
fn a_body_announced_too_large_is_a_413_before_it_is_read() {
    let g = gateway(
        json!({"models": {"m": "openai/gpt-4o-mini"}, "keys": [KEY_A], "maxBodyBytes": 100}),
    );
    let auth = format!("Bearer {KEY_A}");
    let mut h = Head {
        method: "POST",
        path: "/v1/chat/completions",
        authorization: Some(&auth),
        ..Head::default()
    };
    h.content_length = Some(101);
    assert_eq!(reply_of(g.route(&h)).status, 413);
    h.content_length = Some(100);
    assert_eq!(
        g.route(&h),
        Route::Chat {
            key: 0,
            max_body: 100
        }
    );
}

#[test]
fn a_public_name_becomes_its_chain_and_the_rest_of_the_body_is_kept() {
    let g = standard();
    let plan = g
        .chat(0, r#"{"model":"fast","messages":[{"role":"user","content":"hi"}],"stream":true,"temperature":0.5}"#, None)
        .unwrap();
    assert!(plan.stream);
    assert_eq!(
        json::parse(&plan.params).unwrap(),
        json!({"model": "groq/llama-3.1-8b-instant", "messages": [{"role": "user", "content": "hi"}],
               "stream": true, "temperature": 0.5, "fallback_models": ["openai/gpt-4o-mini"], "retries": 1})
    );
    let raw = g
        .chat(0, r#"{"model":"openai/gpt-4o","messages":[]}"#, None)
        .unwrap();
    assert!(!raw.stream);
    assert_eq!(json::parse(&raw.params).unwrap()["model"], "openai/gpt-4o");
}

#[test]
fn a_key_calls_only_its_models_and_unknown_ones_are_openais_404() {
    let g = standard();
    assert!(g.chat(1, r#"{"model":"fast"}"#, None).is_ok());
    assert!(g.chat(1, r#"{"model":"openai/gpt-4o"}"#, None).is_ok());
    for model in [
        "smart",
        "anthropic/claude-sonnet-4-5",
        "openai-x/gpt",
        "nonsense",
    ] {
        let reply = g
            .chat(1, &format!(r#"{{"model":"{model}"}}"#), None)
            .unwrap_err();
        assert_eq!(reply.status, 404, "{model}");
        let e = error_of(&reply);
        assert_eq!(e["code"], "model_not_found");
        assert_eq!(e["param"], "model");
        assert_eq!(
            e["message"],
            format!("The model `{model}` does not exist or you do not have access to it.").as_str()
        );
    }
    // Raw ids only when the config allows them.
    let closed = gateway(json!({"models": {"m": "openai/gpt-4o-mini"}, "keys": [KEY_A]}));
    assert_eq!(
        closed
            .chat(0, r#"{"model":"openai/gpt-4o-mini"}"#, None)
            .unwrap_err()
            .status,
        404
    );
}

#[test]
fn bad_bodies_are_400s_naming_the_field() {
    let g = standard();
    let cases = [
        ("{\"model\": ", None),
        ("[1]", None),
        (r#"{"messages":[]}"#, Some("model")),
        (r#"{"model":7}"#, Some("model")),
        (
            r#"{"model":"fast","fallback_models":["openai/o3"]}"#,
            Some("fallback_models"),
        ),
        (r#"{"model":"fast","retries":9}"#, Some("retries")),
    ];
    for (body, param) in cases {
        let reply = g.chat(0, body, None).unwrap_err();
        assert_eq!(reply.status, 400, "{body}");
        let e = error_of(&reply);
        assert_eq!(e["type"], "invalid_request_error");
        assert_eq!(
            e["param"],
            param.map(Value::from).unwrap_or_default(),
            "{body}"
        );
    }
}

#[test]
fn failures_map_to_the_statuses_an_openai_client_expects_without_secrets() {
    let g = standard();
    let cases = [
        (
            json!({"name": "InvalidRequestError", "message": "bad", "param": "temperature"}),
            400,
        ),
        (
            json!({"name": "BadRequestError", "status": 400, "message": "bad"}),
            400,
        ),
        (
            json!({"name": "AuthenticationError", "status": 401, "message": "Incorrect API key provided: sk-provider-secret-123456"}),
            502,
        ),
        (
            json!({"name": "PermissionDeniedError", "status": 403, "message": "no"}),
            502,
        ),
        (
            json!({"name": "RateLimitError", "status": 429, "message": "slow down", "retryAfter": "3"}),
            429,
        ),
        (
            json!({"name": "InternalServerError", "status": 529, "message": "overloaded"}),
            502,
        ),
        (
            json!({"name": "APIConnectionError", "message": "Connection error."}),
            502,
        ),
        (
            json!({"name": "APITimeoutError", "message": "Request timed out."}),
            504,
        ),
    ];
    for (thrown, status) in cases {
        let reply = g.failure(&thrown, None);
        assert_eq!(reply.status, status, "{thrown:?}");
        assert!(!reply.body.contains("sk-provider-secret"), "{}", reply.body);
        assert!(error_of(&reply)["message"].as_str().is_some());
    }
    let limited = g.failure(
        &json!({"name": "RateLimitError", "status": 429, "message": "x", "retryAfter": "3"}),
        None,
    );
    assert!(limited
        .headers
        .contains(&("retry-after".into(), "3".into())));
    assert_eq!(error_of(&limited)["code"], "rate_limit_exceeded");
    let event = g.stream_error(
        &json!({"name": "APIError", "message": "key sk-provider-secret-123456 leaked"}),
    );
    assert!(
        event.starts_with("data: {\"error\":{") && event.ends_with("}}\n\n"),
        "{event}"
    );
    assert!(!event.contains("sk-provider-secret"));
    // The gateway's own keys are secrets too.
    let echoed = g.failure(
        &json!({"name": "APIError", "status": 400, "message": format!("got {KEY_A}")}),
        None,
    );
    assert!(!echoed.body.contains(KEY_A));
}

#[test]
fn cors_allows_only_the_configured_origins_and_preflight_needs_no_key() {
    let g = standard();
    let pre = |origin| {
        reply_of(g.route(&Head {
            method: "OPTIONS",
            path: "/v1/chat/completions",
            origin,
            request_headers: Some("authorization, content-type, x-stainless-os"),
            ..Head::default()
        }))
    };
    let ok = pre(Some("https://app.example"));
    assert_eq!(ok.status, 204);
    assert!(ok.headers.contains(&(
        "access-control-allow-origin".into(),
        "https://app.example".into()
    )));
    assert!(ok.headers.contains(&(
        "access-control-allow-headers".into(),
        "authorization, content-type, x-stainless-os".into()
    )));
    let other = pre(Some("https://evil.example"));
    assert!(other
        .headers
        .iter()
        .all(|(k, _)| !k.starts_with("access-control")));
    // A 401 to an allowed origin still carries CORS headers, so a page can read it.
    let (mut h, _) = head("POST", "/v1/chat/completions", None);
    h.origin = Some("https://app.example");
    let denied = reply_of(g.route(&h));
    assert_eq!(denied.status, 401);
    assert!(denied
        .headers
        .iter()
        .any(|(k, _)| k == "access-control-allow-origin"));
}

#[test]
fn models_lists_what_the_key_may_call() {
    let g = standard();
    let all = json::parse(&g.models(0, None, None).body).unwrap();
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["fast", "smart"]);
    assert_eq!(all["data"][1]["owned_by"], "anthropic");
    let limited = json::parse(&g.models(1, None, None).body).unwrap();
    assert_eq!(limited["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        json::parse(&g.models(0, Some("smart"), None).body).unwrap()["id"],
        "smart"
    );
    assert_eq!(g.models(1, Some("smart"), None).status, 404);
}

#[test]
fn config_mistakes_are_named() {
    let bad = [
        (json!({"models": {"m": "openai/x"}}), "keys"),
        (
            json!({"models": {"m": "openai/x"}, "keys": ["short"]}),
            "keys[0]",
        ),
        (json!({"keys": [KEY_A]}), "models"),
        (
            json!({"models": {"m": "no-provider"}, "keys": [KEY_A]}),
            "models.m",
        ),
        (
            json!({"models": {"m": {"model": "openai/x", "fallback_models": ["bad"]}}, "keys": [KEY_A]}),
            "models.m.fallback_models[0]",
        ),
        (
            json!({"models": {"m": "openai/x"}, "keys": [KEY_A], "modles": {}}),
            "modles",
        ),
        (
            json!({"models": {"m": "openai/x"}, "keys": [KEY_A], "cors": 3}),
            "cors",
        ),
    ];
    for (config, param) in bad {
        let e = Config::from_value(&config).unwrap_err();
        assert_eq!(e.param.as_deref(), Some(param), "{}", e.message);
        assert!(
            !e.message.contains("short"),
            "a key is never echoed: {}",
            e.message
        );
    }
    let open =
        Config::from_value(&json!({"allowRawModels": true, "allowUnauthenticated": true})).unwrap();
    let g = Gateway::new(open, vec![]);
    assert!(matches!(
        route(&g, "POST", "/v1/chat/completions", None),
        Route::Chat { .. }
    ));
}
