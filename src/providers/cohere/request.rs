//! Request: `POST {baseURL}/chat`. Cohere v2 messages are close to OpenAI's (the same
//! roles, the same tool-call shape); parameters are renamed (`top_p` → `p`, `stop` →
//! `stop_sequences`) and `tool_choice` is `REQUIRED` / `NONE`.

use crate::json;
use crate::json::{Map, Value};

use crate::config::Endpoint;
use crate::error::{Error, Result};
use crate::http::{join_url, HttpRequest};
use crate::providers::reasoning::{self, Control};
use crate::providers::translate::{
    foreign_call_id, function_tools, include_usage, none_own, number_in_range,
    pass_through_own_fields, stop_list, text_only,
};
use crate::providers::{json_request, Translation};
use crate::types::request::{ContentPart, Effort, ResponseFormat, ToolChoice, ToolChoiceMode};
use crate::types::{ChatParams, ChatRequest, Content, Message};

fn invalid(param: impl Into<String>, message: impl Into<String>) -> Error {
    Error::invalid(param, message)
}

pub fn build_request(
    endpoint: &Endpoint,
    model: &str,
    req: &ChatRequest,
) -> Result<(HttpRequest, Translation)> {
    let p = &req.params;
    let mut body = Map::new();
    body.set("model", json!(model));
    body.set("messages", convert_messages(&p.messages)?);
    sampling(p, &mut body)?;
    if let Some(tools) = &p.tools {
        body.set("tools", convert_tools(tools)?);
    }
    match &p.tool_choice {
        Some(ToolChoice::Mode(ToolChoiceMode::Required)) => {
            body.set("tool_choice", json!("REQUIRED"));
        }
        Some(ToolChoice::Mode(ToolChoiceMode::None)) => {
            body.set("tool_choice", json!("NONE"));
        }
        Some(ToolChoice::Mode(ToolChoiceMode::Auto)) | None => {}
        Some(ToolChoice::Named(_) | ToolChoice::Other(_)) => {
            return Err(invalid(
                "tool_choice",
                "cohere cannot force one named tool (`required`, `auto` and `none` are supported)",
            ))
        }
    }
    match &p.response_format {
        Some(ResponseFormat::JsonObject) => {
            body.set("response_format", json!({"type": "json_object"}));
        }
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            let mut format = json!({"type": "json_object"});
            if let Some(schema) = &json_schema.schema {
                format["json_schema"] = schema.clone();
            }
            body.set("response_format", format);
        }
        Some(ResponseFormat::Text) | None => {}
    }
    if req.is_stream() {
        body.set("stream", Value::Bool(true));
    }
    thinking(req, model, &mut body)?;
    pass_through_own_fields(req, &mut body, &endpoint.provider, none_own)?;
    let http = json_request(join_url(&endpoint.base_url, "chat"), &body, req.is_stream())?;
    let translation = Translation {
        model: model.to_string(),
        include_usage: include_usage(p),
        ..Translation::default()
    };
    Ok((http, translation))
}

fn sampling(p: &ChatParams, body: &mut Map) -> Result<()> {
    if let Some(t) = &p.temperature {
        let t = number_in_range(t, (0.0, 1.0), "temperature", "cohere")?;
        body.set("temperature", t);
    }
    if let Some(top_p) = &p.top_p {
        let top_p = number_in_range(top_p, (0.01, 0.99), "top_p", "cohere")?;
        body.set("p", top_p);
    }
    if let Some(max) = p.max_completion_tokens.or(p.max_tokens) {
        body.set("max_tokens", json!(max));
    }
    if let Some(stop) = &p.stop {
        body.set("stop_sequences", json!(stop_list(stop)));
    }
    for (ours, value) in [
        ("frequency_penalty", &p.frequency_penalty),
        ("presence_penalty", &p.presence_penalty),
    ] {
        if let Some(v) = value {
            let v = number_in_range(v, (0.0, 1.0), ours, "cohere")?;
            body.insert(ours.into(), v);
        }
    }
    if let Some(seed) = p.seed {
        body.set("seed", json!(seed));
    }
    Ok(())
}

/// A user turn's content: a string, or Cohere's text and `image_url` parts (data URIs
/// and web URLs, for its vision models; the capability check refused images for the
/// others).
fn user_content(content: &Content, param: &str) -> Result<Value> {
    let Content::Parts(parts) = content else {
        return Ok(json!(text_only(content, param, "cohere")?));
    };
    if !parts
        .iter()
        .any(|p| matches!(p, ContentPart::ImageUrl { .. }))
    {
        return Ok(json!(text_only(content, param, "cohere")?));
    }
    let mut out = Vec::with_capacity(parts.len());
    for (j, part) in parts.iter().enumerate() {
        out.push(match part {
            ContentPart::Text { text } => json!({"type": "text", "text": text}),
            ContentPart::ImageUrl { image_url } => {
                let mut image = json!({"url": image_url.url});
                if let Some(detail) = &image_url.detail {
                    image["detail"] = json!(detail);
                }
                json!({"type": "image_url", "image_url": image})
            }
            _ => {
                return Err(invalid(
                    format!("{param}[{j}]"),
                    "only text and image_url parts are supported for cohere",
                ))
            }
        });
    }
    Ok(Value::Array(out))
}

/// `reasoning_effort` as Cohere's `thinking: {type, token_budget}` on its reasoning
/// models (its v2 chat reference); the caller's own `thinking` wins, unless it says
/// the opposite of the effort.
fn thinking(req: &ChatRequest, model: &str, body: &mut Map) -> Result<()> {
    let Some(effort) = req.params.reasoning_effort else {
        return Ok(());
    };
    if reasoning::control("cohere", model) != Control::CohereBudget {
        return Err(reasoning::refused("cohere", model));
    }
    let off = effort == Effort::None;
    if let Some(own) = req.raw.get("thinking").filter(|t| !t.is_null()) {
        let own_off = own.get("type").and_then(Value::as_str) == Some("disabled");
        return reasoning::agree(own_off, effort, "thinking", "cohere");
    }
    body.set(
        "thinking",
        if off {
            json!({"type": "disabled"})
        } else {
            json!({"type": "enabled", "token_budget": reasoning::budget(effort, 1024, u32::MAX)})
        },
    );
    Ok(())
}

fn convert_messages(messages: &[Message]) -> Result<Value> {
    let mut out = Vec::with_capacity(messages.len());
    for (i, message) in messages.iter().enumerate() {
        let at = |suffix: &str| format!("messages[{i}]{suffix}");
        out.push(match message {
            Message::System { content, .. } | Message::Developer { content, .. } => {
                json!({"role": "system", "content": text_only(content, &at(".content"), "cohere")?})
            }
            Message::User { content, .. } => {
                json!({"role": "user", "content": user_content(content, &at(".content"))?})
            }
            Message::Assistant {
                content,
                tool_calls,
                ..
            } => {
                let mut m = json!({"role": "assistant"});
                if let Some(c) = content {
                    let text = text_only(c, &at(".content"), "cohere")?;
                    if !text.is_empty() {
                        m["content"] = json!(text);
                    }
                }
                if let Some(calls) = tool_calls.as_ref().filter(|c| !c.is_empty()) {
                    let mut wire = Vec::with_capacity(calls.len());
                    for (j, call) in calls.iter().enumerate() {
                        let Some(f) = &call.function else {
                            return Err(invalid(
                                at(&format!(".tool_calls[{j}]")),
                                "only function tool calls are supported for cohere",
                            ));
                        };
                        wire.push(json!({"id": foreign_call_id(&call.id), "type": "function",
                            "function": {"name": f.name, "arguments": f.arguments}}));
                    }
                    m["tool_calls"] = Value::Array(wire);
                }
                m
            }
            Message::Tool {
                content,
                tool_call_id,
            } => json!({"role": "tool", "tool_call_id": foreign_call_id(tool_call_id),
                "content": text_only(content, &at(".content"), "cohere")?}),
            // Refused before: providers::refuse_untranslatable.
            Message::Function { .. } => continue,
        });
    }
    Ok(Value::Array(out))
}

fn convert_tools(tools: &[crate::types::request::Tool]) -> Result<Value> {
    let mut converted = Vec::with_capacity(tools.len());
    for (_, f) in function_tools(tools, "cohere")? {
        let mut function = json!({"name": f.name});
        if let Some(d) = &f.description {
            function["description"] = json!(d);
        }
        function["parameters"] = f
            .parameters
            .clone()
            .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
        converted.push(json!({"type": "function", "function": function}));
    }
    Ok(Value::Array(converted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientOptions;

    fn build(params: Value) -> Result<(HttpRequest, Value)> {
        let opts: ClientOptions =
            ClientOptions::from_value(&json!({"apiKeys": {"cohere": "co-test-0123456789"}}))
                .unwrap();
        let endpoint = opts.endpoint("cohere", "model", &|_| None)?;
        let req = ChatRequest::from_json(params)?;
        let model = req.params.model.trim_start_matches("cohere/").to_string();
        let caps = crate::providers::capabilities::for_model(endpoint.caps, "cohere", &model);
        crate::providers::capabilities::check(&caps, "cohere", &req.params, req.is_stream())?;
        let (http, _) = crate::providers::build_request(&endpoint, &model, &req)?;
        Ok((http.clone(), crate::json::parse(&http.body).unwrap()))
    }

    #[test]
    fn images_go_to_cohere_vision_models_and_are_refused_by_the_others() {
        let image = |model: &str| {
            json!({"model": model, "messages": [{"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}
            ]}]})
        };
        let (_, body) = build(image("cohere/command-a-vision-07-2025")).unwrap();
        assert_eq!(
            body["messages"][0]["content"],
            json!([{"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}])
        );
        let e = build(image("cohere/command-a-03-2025")).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages[0].content[1]"));
        assert!(e.message.contains("image input"), "{}", e.message);
    }

    #[test]
    fn default_endpoint_auth_and_renamed_parameters() {
        let (http, b) = build(json!({"model": "cohere/command-a-03-2025", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "w1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "w1", "content": "sunny"}
        ], "temperature": 0.3, "top_p": 0.5, "stop": "END", "max_tokens": 20, "seed": 1,
           "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
           "tool_choice": "required", "response_format": {"type": "json_object"}, "documents": ["passthrough"]})).unwrap();
        assert_eq!(http.url, "https://api.cohere.com/v2/chat");
        assert_eq!(
            http.header("authorization"),
            Some("Bearer co-test-0123456789")
        );
        assert_eq!(
            b,
            json!({"model": "command-a-03-2025",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Weather?"},
                    {"role": "assistant", "tool_calls": [{"id": "w1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]},
                    {"role": "tool", "tool_call_id": "w1", "content": "sunny"}
                ],
                "temperature": 0.3, "p": 0.5, "stop_sequences": ["END"], "max_tokens": 20, "seed": 1,
                "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}],
                "tool_choice": "REQUIRED", "response_format": {"type": "json_object"}, "documents": ["passthrough"]})
        );
    }

    #[test]
    fn what_cohere_cannot_do_is_refused() {
        let base = json!({"model": "cohere/c", "messages": [{"role": "user", "content": "x"}]});
        let with = |k: &str, v: Value| {
            let mut p = base.clone();
            p[k] = v;
            build(p).unwrap_err().param.clone()
        };
        assert_eq!(
            with("temperature", json!(1.5)).as_deref(),
            Some("temperature")
        );
        assert_eq!(with("n", json!(2)).as_deref(), Some("n"));
        assert_eq!(with("logprobs", json!(true)).as_deref(), Some("logprobs"));
        assert_eq!(
            with(
                "tool_choice",
                json!({"type": "function", "function": {"name": "f"}})
            )
            .as_deref(),
            Some("tool_choice")
        );
        let image = json!([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]);
        assert_eq!(
            with("messages", image).as_deref(),
            Some("messages[0].content[0]")
        );
    }
}
