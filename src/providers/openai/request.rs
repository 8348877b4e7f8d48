//! Request: `POST {baseURL}/chat/completions`, the caller's params passed through
//! unchanged but for the model prefix and OneLLM's own parameters.

use crate::json;
use crate::json::Value;

use crate::config::Endpoint;
use crate::error::Result;
use crate::http::{join_url, HttpRequest};
use crate::providers::presets::AZURE_API_VERSION;
use crate::providers::translate::{
    foreign_call_id, include_usage, lacking, text_only, untranslated_params,
};
use crate::providers::{json_request, Route, Translation};
use crate::types::{ChatRequest, Content, ONELLM_PARAMS};

pub fn build_request(
    endpoint: &Endpoint,
    model: &str,
    req: &ChatRequest,
) -> Result<(HttpRequest, Translation)> {
    let mut body = req.raw.clone();
    for own in ONELLM_PARAMS {
        body.remove(own);
    }
    body.set("model", Value::String(model.to_string()));
    // The preset's quirks: hints it rejects are dropped, renamed parameters renamed.
    let quirks = &endpoint.quirks;
    for dropped in quirks
        .drops
        .iter()
        .chain((!endpoint.caps.seed).then_some(&"seed"))
    {
        body.remove(dropped);
    }
    if let Some(Value::Array(messages)) = body.get_mut("messages") {
        // Raw and typed messages are the same list: the typed one validated the raw.
        let typed = &req.params.messages;
        for (i, message) in messages.iter_mut().enumerate() {
            let Some(message) = message.as_object_mut() else {
                continue;
            };
            let mut role = message.get("role").and_then(Value::as_str).unwrap_or("");
            if role == "developer" && quirks.system_for_developer {
                message.set("role", Value::String("system".into()));
                role = "system";
            }
            let role = role.to_string();
            for (at, field) in quirks.strip_message_fields {
                if *at == role {
                    message.remove(field);
                }
            }
            if quirks.strip_cache_control {
                message.remove("cache_control");
                if let Some(Value::Array(parts)) = message.get_mut("content") {
                    for part in parts.iter_mut().filter_map(Value::as_object_mut) {
                        part.remove("cache_control");
                    }
                }
            }
            strip_signatures(message);
            let parts = typed.get(i).and_then(|m| m.parts_content());
            if let (true, Some(content @ Content::Parts(_))) = (quirks.text_content, parts) {
                let param = format!("messages[{i}].content");
                let text = text_only(content, &param, &endpoint.provider)?;
                message.set("content", Value::String(text));
            }
        }
    }
    let tools = body.get_mut("tools").and_then(Value::as_array_mut);
    for tool in tools.map_or(&mut [][..], |t| &mut t[..]) {
        if quirks.strip_cache_control {
            if let Some(t) = tool.as_object_mut() {
                t.remove("cache_control");
            }
        }
        if quirks.tool_parameters_required {
            let function = tool.get_mut("function").and_then(Value::as_object_mut);
            if let Some(f) = function.filter(|f| !f.contains_key("parameters")) {
                f.set("parameters", json!({"type": "object", "properties": {}}));
            }
        }
    }
    if let Some(effort) = req.params.reasoning_effort {
        super::effort::apply(&endpoint.provider, model, effort, &mut body)?;
    }
    if let Some(known) = quirks.known_openai_params {
        for (key, _) in untranslated_params().filter(|(k, _)| !known.contains(k)) {
            if let Some(value) = body.remove(key) {
                lacking(key, &value, &endpoint.provider).unwrap_or(Ok(()))?;
            }
        }
    }
    for (ours, theirs) in quirks.renames {
        if let Some(value) = body.remove(ours) {
            body.insert((*theirs).to_string(), value);
        }
    }
    let url = match endpoint.route {
        Route::ChatCompletions => join_url(&endpoint.base_url, "chat/completions"),
        Route::AzureDeployment => format!(
            "{}?api-version={}",
            join_url(
                &endpoint.base_url,
                &format!(
                    "deployments/{}/chat/completions",
                    crate::http::model_path(model, false, "azure")?
                )
            ),
            endpoint.api_version.as_deref().unwrap_or(AZURE_API_VERSION)
        ),
    };
    let http = json_request(url, &body, req.is_stream())?;
    let translation = Translation {
        include_usage: include_usage(&req.params),
        stream_usage_field: quirks.stream_usage_field,
        untyped_tool_calls: quirks.untyped_tool_calls,
        reasoning_field: quirks.reasoning_field,
        ..Translation::default()
    };
    Ok((http, translation))
}

/// Tool-call ids of an answer from Gemini carry its thought signature, which only
/// Gemini takes (see [`foreign_call_id`]).
fn strip_signatures(message: &mut crate::json::Map) {
    let fix = |id: &mut Value| {
        let short = id.as_str().and_then(|s| {
            let short = foreign_call_id(s);
            (short.len() < s.len()).then(|| short.to_string())
        });
        if let Some(short) = short {
            *id = Value::String(short);
        }
    };
    if let Some(id) = message.get_mut("tool_call_id") {
        fix(id);
    }
    let calls = message.get_mut("tool_calls").and_then(Value::as_array_mut);
    for call in calls.map_or(&mut [][..], |c| &mut c[..]) {
        if let Some(id) = call.get_mut("id") {
            fix(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientOptions;
    use crate::json;

    fn endpoint() -> Endpoint {
        let opts: ClientOptions = ClientOptions::from_value(
            &json!({"apiKey": "sk-test", "baseURL": "http://127.0.0.1:1/v1/"}),
        )
        .unwrap();
        opts.endpoint("openai", "model", &|_| None).unwrap()
    }

    #[test]
    fn passes_everything_but_onellm_params_and_strips_the_prefix() {
        let params = json!({
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "hi", "x_extra": 1}],
            "temperature": 0.3, "stream": true, "stream_options": {"include_usage": true},
            "retries": 3, "fallback_models": ["openai/gpt-4o"], "timeout": 2.5,
            "vendor_param": {"a": [1, 2]}
        });
        let req = ChatRequest::from_json(params.clone()).unwrap();
        // Through the dispatcher, which adds the preset's auth header.
        let (http, _) = crate::providers::build_request(&endpoint(), "gpt-4o-mini", &req).unwrap();
        assert_eq!(http.method, "POST");
        assert_eq!(http.url, "http://127.0.0.1:1/v1/chat/completions");
        assert_eq!(http.header("authorization"), Some("Bearer sk-test"));
        assert_eq!(http.header("content-type"), Some("application/json"));
        assert_eq!(http.header("accept"), Some("text/event-stream"));
        let sent: Value = crate::json::parse(&http.body).unwrap();
        let mut want = params;
        for own in ONELLM_PARAMS {
            want.as_object_mut().unwrap().remove(own);
        }
        want["model"] = json!("gpt-4o-mini");
        assert_eq!(sent, want);
    }

    /// Structured outputs follow the schema's property order, and numbers are the
    /// caller's: the body keeps both exactly as `JSON.stringify` gave them.
    #[test]
    fn the_body_keeps_key_order_and_number_text() {
        let params = r#"{"model":"openai/m","messages":[{"role":"user","content":"hi"}],"temperature":0.70,"seed":9007199254740993,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"}}}}}}"#;
        let req = ChatRequest::from_json(crate::json::parse(params).unwrap()).unwrap();
        let (http, _) = build_request(&endpoint(), "m", &req).unwrap();
        assert_eq!(http.body, params.replace("openai/m", "m"));
    }

    #[test]
    fn quirks_rename_and_drop() {
        let mut e = endpoint();
        e.quirks = crate::providers::preset("mistral").unwrap().quirks;
        e.caps.seed = true;
        let req = ChatRequest::from_json(
            json!({"model": "mistral/m", "messages": [], "seed": 7, "user": "u"}),
        )
        .unwrap();
        let (http, _) = build_request(&e, "m", &req).unwrap();
        let body: Value = crate::json::parse(&http.body).unwrap();
        assert_eq!(
            body,
            json!({"model": "m", "messages": [], "random_seed": 7})
        );
        e.quirks = Default::default();
        e.caps.seed = false;
        let (http, _) = build_request(&e, "m", &req).unwrap();
        let body: Value = crate::json::parse(&http.body).unwrap();
        assert_eq!(
            body,
            json!({"model": "m", "messages": [], "user": "u"}),
            "an unhonoured seed is dropped"
        );
    }

    #[test]
    fn fields_of_other_providers_answers_are_stripped_where_refused() {
        let history = json!({"model": "openai/m", "messages": [
            {"role": "assistant", "content": "hi", "reasoning_content": "r", "thinking_blocks": [{"type": "thinking"}]}
        ]});
        let req = ChatRequest::from_json(history).unwrap();
        let mut e = endpoint();
        e.quirks = crate::providers::preset("openai").unwrap().quirks;
        let (http, _) = build_request(&e, "m", &req).unwrap();
        let body: Value = crate::json::parse(&http.body).unwrap();
        assert_eq!(
            body["messages"][0],
            json!({"role": "assistant", "content": "hi"})
        );
        e.quirks = crate::providers::preset("deepseek").unwrap().quirks;
        let (http, _) = build_request(&e, "m", &req).unwrap();
        let body: Value = crate::json::parse(&http.body).unwrap();
        assert_eq!(
            body["messages"][0]["reasoning_content"], "r",
            "DeepSeek wants its reasoning back"
        );
        assert!(body["messages"][0].get("thinking_blocks").is_none());
    }

    /// The body `preset` gets for `messages`.
    fn sent_messages(preset: &str, messages: Value) -> Result<Value> {
        let mut e = endpoint();
        e.provider = preset.to_string();
        e.quirks = crate::providers::preset(preset).unwrap().quirks;
        let req = ChatRequest::from_json(json!({"model": "x/m", "messages": messages}))?;
        let (http, _) = build_request(&e, "m", &req)?;
        Ok(crate::json::parse(&http.body).unwrap()["messages"].clone())
    }

    #[test]
    fn mistral_gets_system_for_developer_and_names_only_on_tool_messages() {
        let messages = json!([
            {"role": "developer", "content": "be brief", "name": "d"},
            {"role": "user", "content": "hi", "name": "ann"},
            {"role": "assistant", "content": "yo", "name": "bot", "reasoning_content": "r"},
        ]);
        assert_eq!(
            sent_messages("mistral", messages.clone()).unwrap(),
            json!([
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "yo"},
            ])
        );
        let cached = json!([{"role": "user", "cache_control": {"type": "ephemeral"},
            "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}]);
        assert_eq!(
            sent_messages("mistral", cached.clone()).unwrap(),
            json!([{"role": "user", "content": [{"type": "text", "text": "hi"}]}]),
            "Anthropic's cache marks removed where refused"
        );
        assert_eq!(
            sent_messages("openrouter", cached.clone()).unwrap(),
            cached,
            "OpenRouter forwards them"
        );
        let to_openai = sent_messages("openai", messages.clone()).unwrap();
        assert_eq!(to_openai[0]["role"], "developer", "OpenAI has the role");
        assert_eq!(to_openai[1]["name"], "ann");
    }

    #[test]
    fn mistral_gets_only_the_openai_parameters_its_schema_has() {
        let mut e = endpoint();
        e.provider = "mistral".into();
        e.quirks = crate::providers::preset("mistral").unwrap().quirks;
        let build = |extra: Value| {
            let mut p = json!({"model": "mistral/m", "messages": []});
            for (k, v) in extra.as_object().unwrap().iter() {
                p.as_object_mut().unwrap().set(k, v.clone());
            }
            let req = ChatRequest::from_json(p)?;
            build_request(&e, "m", &req).map(|(http, _)| crate::json::parse(&http.body).unwrap())
        };
        let body: Value = build(
            json!({"store": true, "verbosity": "low", "safety_identifier": "s",
            "prompt_cache_key": "k", "safe_prompt": true}),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"model": "m", "messages": [], "prompt_cache_key": "k", "safe_prompt": true}),
            "hints Mistral lacks dropped; its own fields and the ones it has kept"
        );
        let e = build(json!({"web_search_options": {}})).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("web_search_options"));
        let tools: Value =
            build(json!({"tools": [{"type": "function", "function": {"name": "now"}}]})).unwrap();
        assert_eq!(
            tools["tools"][0]["function"]["parameters"],
            json!({"type": "object", "properties": {}}),
            "Mistral requires parameters"
        );
    }

    #[test]
    fn deepseek_gets_strings_for_content_parts() {
        let messages = json!([
            {"role": "developer", "content": [{"type": "text", "text": "rules"}]},
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "42"}]},
        ]);
        assert_eq!(
            sent_messages("deepseek", messages).unwrap(),
            json!([
                {"role": "system", "content": "rules"},
                {"role": "user", "content": "a\nb"},
                {"role": "tool", "tool_call_id": "c1", "content": "42"},
            ])
        );
        let e = sent_messages(
            "deepseek",
            json!([{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "file", "file": {}}]}]),
        )
        .unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages[0].content[1]"));
        assert!(e.message.contains("deepseek"), "{}", e.message);
    }

    #[test]
    fn no_key_no_authorization_header() {
        let mut e = endpoint();
        e.api_key = None;
        let req = ChatRequest::from_json(json!({"model": "x/y", "messages": []})).unwrap();
        let (http, _) = crate::providers::build_request(&e, "y", &req).unwrap();
        assert_eq!(http.header("authorization"), None);
        assert_eq!(http.header("accept"), Some("application/json"));
    }
}
