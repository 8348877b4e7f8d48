//! Request: an OpenAI chat request as Anthropic's `POST {baseURL}/messages`.
//! Reference: <https://docs.anthropic.com/en/api/messages>.

use crate::json;
use crate::json::{Map, Value};

use crate::config::Endpoint;
use crate::error::{Error, Result};
use crate::http::{join_url, HttpRequest};
use crate::providers::translate::{
    call_arguments, data_url, foreign_call_id, function_tools, include_usage, number_in_range,
    pass_through_own_fields, push_turn, stop_list, text_only, turn_messages,
};
use crate::providers::{json_request, Translation};
use crate::types::request::{
    ContentPart, MessageToolCall, ResponseFormat, ToolChoice, ToolChoiceMode,
};
use crate::types::{ChatParams, ChatRequest, Content, Message};

pub const API_VERSION: &str = "2023-06-01";

/// The name of the forced tool that carries a JSON-mode answer when the caller's
/// `response_format` has no schema name.
pub const JSON_TOOL: &str = "json_response";

/// `max_tokens` is required by Anthropic; without one from the caller, this many.
/// The Claude 3 (not 3.5/3.7) models cap output at 4096 tokens; later ones allow more,
/// and 8192 is within every one of their limits.
pub fn default_max_tokens(model: &str) -> u32 {
    let claude_3_0 = model.starts_with("claude-3-")
        && !model.starts_with("claude-3-5")
        && !model.starts_with("claude-3-7");
    if claude_3_0 || model.starts_with("claude-2") || model.starts_with("claude-instant") {
        4096
    } else {
        8192
    }
}

fn invalid(param: impl Into<String>, message: impl Into<String>) -> Error {
    Error::invalid(param, message)
}

pub fn build_request(
    endpoint: &Endpoint,
    model: &str,
    req: &ChatRequest,
) -> Result<(HttpRequest, Translation)> {
    let p = &req.params;
    reject_unsupported(p)?;
    let mut body = Map::new();
    body.set("model", model.into());
    let raw_messages = match req.raw.get("messages") {
        Some(Value::Array(m)) => m.as_slice(),
        _ => &[],
    };
    let (system, messages) = convert_messages(&p.messages, raw_messages)?;
    if let Some(system) = system_value(system) {
        body.set("system", system);
    }
    if messages.is_empty() {
        return Err(invalid(
            "messages",
            "anthropic needs at least one user or assistant message",
        ));
    }
    body.set("messages", Value::Array(messages));
    let own_max = p.max_completion_tokens.or(p.max_tokens);
    let thinking = super::thinking::apply(req, model, &mut body, own_max)?;
    // With thinking, max_tokens must exceed the thinking budget.
    let max_tokens =
        own_max.unwrap_or_else(|| default_max_tokens(model).saturating_add(thinking.budget));
    body.set("max_tokens", max_tokens.into());
    if let Some(t) = &p.temperature {
        let t = number_in_range(t, (0.0, 1.0), "temperature", "anthropic")?;
        body.set("temperature", t);
    }
    if let Some(top_p) = &p.top_p {
        let top_p = number_in_range(top_p, (0.0, 1.0), "top_p", "anthropic")?;
        // Recent Claude models refuse both at once; temperature is the one kept.
        if p.temperature.is_none() {
            body.set("top_p", top_p);
        }
    }
    if let Some(stop) = &p.stop {
        let list = stop_list(stop);
        // Anthropic refuses whitespace-only stop sequences (OpenAI's common "\n").
        let mut list = list;
        list.retain(|s| !s.trim_ascii().is_empty());
        if !list.is_empty() {
            body.set("stop_sequences", json!(list));
        }
    }
    if let Some(user) = &p.user {
        // Merged into a `metadata` the caller passed through, not replacing it.
        let mut metadata = req
            .raw
            .get("metadata")
            .filter(|m| anthropic_own("metadata", m))
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Value::Object(m) = &mut metadata {
            m.set("user_id", json!(user));
        }
        body.set("metadata", metadata);
    }
    if req.is_stream() {
        body.set("stream", Value::Bool(true));
    }
    let mut translation = Translation {
        include_usage: include_usage(p),
        ..Translation::default()
    };
    if let Some(tools) = &p.tools {
        let mut tools = convert_tools(tools)?;
        if let (Value::Array(out), Some(Value::Array(raw))) = (&mut tools, req.raw.get("tools")) {
            // Prompt caching: a `cache_control` the caller put on a tool goes with it.
            // `function_tools` keeps function tools only, in order: so does this zip.
            let raw = raw
                .iter()
                .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"));
            for (tool, raw) in out.iter_mut().zip(raw) {
                copy_cache_control(raw, tool);
            }
        }
        body.set("tools", tools);
    }
    if let Some(choice) = tool_choice(p)? {
        body.set("tool_choice", choice);
    }
    if let Some(format) = &p.response_format {
        if thinking.on && !matches!(format, ResponseFormat::Text) {
            return Err(invalid(
                "response_format",
                "anthropic's JSON mode forces a tool, which a thinking model (`reasoning_effort` or `thinking`) does not allow",
            ));
        }
        if let Some((tool, name)) = json_mode_tool(format)? {
            body.set("tools", json!([tool]));
            body.set("tool_choice", json!({"type": "tool", "name": name}));
            translation.json_tool = Some(name);
        }
    }
    pass_through_own_fields(req, &mut body, &endpoint.provider, anthropic_own)?;
    let url = join_url(&endpoint.base_url, "messages");
    let mut http = json_request(url, &body, req.is_stream())?;
    http.set_header("anthropic-version", API_VERSION);
    Ok((http, translation))
}

/// Fields named as OpenAI parameters that are also Anthropic's own, told apart by
/// their value: `metadata` with `user_id` alone (OpenAI's holds any string tags, which
/// Anthropic refuses), `service_tier` `auto` / `standard_only`.
fn anthropic_own(key: &str, value: &Value) -> bool {
    match key {
        "metadata" => value
            .as_object()
            .is_some_and(|m| m.iter().all(|(k, _)| k == "user_id")),
        "service_tier" => matches!(value.as_str(), Some("auto" | "standard_only")),
        _ => false,
    }
}

/// What Anthropic cannot do beyond the capability table (`n`, `logprobs` and audio
/// input are refused there, before any adapter runs).
fn reject_unsupported(p: &ChatParams) -> Result<()> {
    if p.tools.as_ref().is_some_and(|t| !t.is_empty())
        && matches!(
            p.response_format,
            Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. })
        )
    {
        return Err(invalid(
            "response_format",
            "anthropic's JSON mode is a forced tool, so `response_format` cannot be combined with `tools`",
        ));
    }
    Ok(())
}

/// Prompt caching (Anthropic's largest cost lever): `cache_control` is Anthropic's own
/// field, which callers put on OpenAI content parts, messages and tools (as LiteLLM
/// takes it). It goes on the block made from each.
fn copy_cache_control(raw: &Value, block: &mut Value) {
    if let (Some(cc), Value::Object(b)) = (raw.get("cache_control"), block) {
        if !cc.is_null() {
            b.set("cache_control", cc.clone());
        }
    }
}

/// The system prompt: one string, parts joined by blank lines, unless a part asks to
/// be cached, which only text blocks can say.
fn system_value(parts: Vec<Value>) -> Option<Value> {
    if parts.is_empty() {
        return None;
    }
    if parts.iter().any(|b| b.get("cache_control").is_some()) {
        // Anthropic refuses empty text blocks.
        let mut parts = parts;
        parts.retain(|b| {
            !b["text"]
                .as_str()
                .unwrap_or_default()
                .trim_ascii()
                .is_empty()
        });
        return Some(Value::Array(parts));
    }
    let mut texts = Vec::with_capacity(parts.len());
    for block in &parts {
        texts.push(block["text"].as_str().unwrap_or_default().to_string());
    }
    Some(Value::String(crate::bytes::join(&texts, "\n\n")))
}

/// System and developer messages go to the top-level `system` (as text blocks, one per
/// message, or per part where a part carries `cache_control`); the rest become
/// user/assistant turns, consecutive turns of one role merged into one. `raw` is the
/// caller's messages as sent, for the `cache_control`s the typed ones do not keep.
fn convert_messages(messages: &[Message], raw: &[Value]) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut system = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let at = |suffix: &str| format!("messages[{i}]{suffix}");
        let raw = raw.get(i).unwrap_or(&Value::Null);
        let raw_parts = raw.get("content").and_then(Value::as_array);
        let (role, mut blocks) = match message {
            Message::System { content, .. } | Message::Developer { content, .. } => {
                let param = at(".content");
                match (content, raw_parts) {
                    (Content::Parts(parts), Some(raw_parts))
                        if raw_parts.iter().any(|r| r.get("cache_control").is_some()) =>
                    {
                        for (j, part) in parts.iter().enumerate() {
                            let ContentPart::Text { text } = part else {
                                return Err(invalid(
                                    format!("{param}[{j}]"),
                                    "only text parts are supported here for anthropic",
                                ));
                            };
                            let mut block = json!({"type": "text", "text": text});
                            copy_cache_control(&raw_parts[j], &mut block);
                            system.push(block);
                        }
                    }
                    _ => {
                        let text = text_only(content, &param, "anthropic")?;
                        let mut block = json!({"type": "text", "text": text});
                        copy_cache_control(raw, &mut block);
                        system.push(block);
                    }
                }
                continue;
            }
            Message::User { content, .. } => {
                ("user", content_blocks(content, &at(".content"), raw_parts)?)
            }
            Message::Assistant {
                content,
                tool_calls,
                thinking_blocks,
                ..
            } => {
                // Signed thinking goes first: Anthropic checks it on tool-use turns.
                let mut blocks: Vec<Value> = thinking_blocks.clone().unwrap_or_default();
                if let Some(c) = content {
                    blocks.extend(content_blocks(c, &at(".content"), raw_parts)?);
                }
                for (j, call) in tool_calls.as_deref().unwrap_or_default().iter().enumerate() {
                    blocks.push(tool_use_block(call, &at(&format!(".tool_calls[{j}]")))?);
                }
                ("assistant", blocks)
            }
            Message::Tool {
                content,
                tool_call_id,
            } => {
                let text = text_only(content, &at(".content"), "anthropic")?;
                let mut block = json!({"type": "tool_result", "tool_use_id": foreign_call_id(tool_call_id), "content": text});
                for part in raw_parts.map_or(&[][..], |p| &p[..]) {
                    copy_cache_control(part, &mut block);
                }
                ("user", vec![block])
            }
            // Refused before: providers::refuse_untranslatable.
            Message::Function { .. } => continue,
        };
        // A message's own `cache_control` marks the end of its content.
        if let Some(last) = blocks.last_mut() {
            copy_cache_control(raw, last);
        }
        push_turn(&mut turns, role, blocks);
    }
    Ok((system, turn_messages(turns, "content")))
}

/// Anthropic refuses empty and whitespace-only text blocks: they are left out.
fn content_blocks(content: &Content, param: &str, raw: Option<&Vec<Value>>) -> Result<Vec<Value>> {
    match content {
        Content::Text(t) if t.trim_ascii().is_empty() => Ok(Vec::new()),
        Content::Text(t) => Ok(vec![json!({"type": "text", "text": t})]),
        Content::Parts(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for (j, part) in parts.iter().enumerate() {
                if !matches!(part, ContentPart::Text { text } if text.trim_ascii().is_empty()) {
                    let mut block = part_block(part, &format!("{param}[{j}]"))?;
                    if let Some(raw) = raw.and_then(|r| r.get(j)) {
                        copy_cache_control(raw, &mut block);
                    }
                    out.push(block);
                }
            }
            Ok(out)
        }
    }
}

fn part_block(part: &ContentPart, param: &str) -> Result<Value> {
    match part {
        ContentPart::Text { text } => Ok(json!({"type": "text", "text": text})),
        ContentPart::ImageUrl { image_url } => image_block(&image_url.url, param),
        ContentPart::InputAudio { .. } | ContentPart::AudioUrl { .. } => {
            Err(invalid(param, "anthropic does not accept audio input"))
        }
        ContentPart::Other => Err(invalid(
            param,
            "this content part type is not supported for anthropic (text and image_url are)",
        )),
    }
}

/// `data:` URLs become base64 sources; http(s) URLs become url sources.
fn image_block(url: &str, param: &str) -> Result<Value> {
    if let Some((media_type, data)) = data_url(url, param, "anthropic")? {
        // Anthropic reads these four image types, and PDFs as documents.
        let (kind, media_type) = match media_type {
            "image/jpg" | "image/jpeg" => ("image", "image/jpeg"),
            "image/png" | "image/gif" | "image/webp" => ("image", media_type),
            "application/pdf" => ("document", media_type),
            other => {
                return Err(invalid(
                    param,
                    format!("anthropic reads JPEG, PNG, GIF and WebP images and PDFs, not {other}"),
                ))
            }
        };
        return Ok(json!({"type": kind, "source": {
            "type": "base64", "media_type": media_type, "data": data
        }}));
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(json!({"type": "image", "source": {"type": "url", "url": url}}));
    }
    Err(invalid(param, "image URLs must be http(s) or data: URLs"))
}

fn tool_use_block(call: &MessageToolCall, param: &str) -> Result<Value> {
    let (name, input) = call_arguments(call, param, "anthropic")?;
    Ok(json!({"type": "tool_use", "id": foreign_call_id(&call.id), "name": name, "input": input}))
}

fn convert_tools(tools: &[crate::types::request::Tool]) -> Result<Value> {
    let mut converted = Vec::with_capacity(tools.len());
    for (_, f) in function_tools(tools, "anthropic")? {
        let schema = f
            .parameters
            .clone()
            .unwrap_or_else(|| json!({"type": "object", "properties": {}}));
        let mut tool = json!({"name": f.name, "input_schema": schema});
        if let Some(d) = &f.description {
            tool["description"] = json!(d);
        }
        converted.push(tool);
    }
    Ok(Value::Array(converted))
}

fn tool_choice(p: &ChatParams) -> Result<Option<Value>> {
    let mut choice = match &p.tool_choice {
        None => None,
        Some(ToolChoice::Mode(ToolChoiceMode::Auto)) => Some(json!({"type": "auto"})),
        Some(ToolChoice::Mode(ToolChoiceMode::Required)) => Some(json!({"type": "any"})),
        Some(ToolChoice::Mode(ToolChoiceMode::None)) => Some(json!({"type": "none"})),
        Some(ToolChoice::Named(named)) => {
            Some(json!({"type": "tool", "name": named.function.name}))
        }
        Some(ToolChoice::Other(_)) => {
            return Err(invalid(
                "tool_choice",
                "this `tool_choice` form is not supported for anthropic",
            ))
        }
    };
    if p.parallel_tool_calls == Some(false) {
        let c = choice.get_or_insert_with(|| json!({"type": "auto"}));
        if c["type"] != "none" {
            c["disable_parallel_tool_use"] = Value::Bool(true);
        }
    }
    Ok(choice)
}

/// JSON mode as a forced tool whose input is the answer: the tool and its name.
fn json_mode_tool(format: &ResponseFormat) -> Result<Option<(Value, String)>> {
    match format {
        ResponseFormat::Text => Ok(None),
        ResponseFormat::JsonObject => Ok(Some((
            json!({
                "name": JSON_TOOL,
                "description": "Respond with a JSON object.",
                "input_schema": {"type": "object"}
            }),
            JSON_TOOL.to_string(),
        ))),
        ResponseFormat::JsonSchema { json_schema } => {
            let schema = json_schema
                .schema
                .clone()
                .unwrap_or_else(|| json!({"type": "object"}));
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                return Err(invalid(
                    "response_format.json_schema.schema",
                    "anthropic's JSON mode needs a schema whose top-level type is \"object\"",
                ));
            }
            let description = json_schema
                .description
                .clone()
                .unwrap_or_else(|| "Respond with JSON matching this schema.".into());
            let tool = json!({"name": json_schema.name, "description": description, "input_schema": schema});
            Ok(Some((tool, json_schema.name.clone())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientOptions;

    fn endpoint() -> Endpoint {
        let opts: ClientOptions = ClientOptions::from_value(&json!({
            "apiKeys": {"anthropic": "sk-ant-test-0123"},
            "providers": {"anthropic": {"baseURL": "http://127.0.0.1:1/anthropic/v1"}}
        }))
        .unwrap();
        opts.endpoint("anthropic", "model", &|_| None).unwrap()
    }

    /// As `plan` does: the capability table first, then the adapter.
    fn build(params: Value) -> Result<(HttpRequest, Translation, Value)> {
        let req = ChatRequest::from_json(params)?;
        crate::providers::capabilities::check(
            &endpoint().caps,
            "anthropic",
            &req.params,
            req.is_stream(),
        )?;
        let (http, translation) =
            crate::providers::build_request(&endpoint(), "claude-3-5-sonnet-20241022", &req)?;
        let body = crate::json::parse(&http.body).unwrap();
        Ok((http, translation, body))
    }

    fn body(params: Value) -> Value {
        build(params).unwrap().2
    }

    fn rejected(params: Value) -> Error {
        build(params).unwrap_err()
    }

    #[test]
    fn endpoint_headers_and_defaults() {
        let (http, t, body) = build(json!({
            "model": "anthropic/claude-3-5-sonnet-20241022",
            "messages": [{"role": "user", "content": "Hello"}],
            "retries": 2, "fallback_models": ["openai/gpt-4o-mini"], "timeout": 5
        }))
        .unwrap();
        assert_eq!(http.url, "http://127.0.0.1:1/anthropic/v1/messages");
        assert_eq!(http.header("x-api-key"), Some("sk-ant-test-0123"));
        assert_eq!(http.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(http.header("authorization"), None);
        assert_eq!(t, Translation::default());
        assert_eq!(
            body,
            json!({
                "model": "claude-3-5-sonnet-20241022",
                "max_tokens": 8192,
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]
            })
        );
    }

    #[test]
    fn cache_control_goes_with_its_part_message_system_part_and_tool() {
        let cc = json!({"type": "ephemeral"});
        let b = body(json!({"model": "anthropic/x", "messages": [
            {"role": "system", "content": [
                {"type": "text", "text": "Long rules.", "cache_control": cc},
                {"type": "text", "text": "Short rules."}
            ]},
            {"role": "user", "content": [
                {"type": "text", "text": "Big document", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": "Question"}
            ]},
            {"role": "assistant", "content": "Answer", "cache_control": cc},
            {"role": "user", "content": "More"}
        ], "tools": [{"type": "function", "function": {"name": "f"}, "cache_control": cc}]}));
        assert_eq!(
            b["system"],
            json!([{"type": "text", "text": "Long rules.", "cache_control": cc},
                {"type": "text", "text": "Short rules."}])
        );
        assert_eq!(
            b["messages"][0]["content"],
            json!([{"type": "text", "text": "Big document", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": "Question"}])
        );
        assert_eq!(
            b["messages"][1]["content"],
            json!([{"type": "text", "text": "Answer", "cache_control": cc}])
        );
        assert_eq!(b["tools"][0]["cache_control"], cc);
        let plain = body(json!({"model": "anthropic/x", "messages": [
            {"role": "system", "content": "a"}, {"role": "developer", "content": "b"},
            {"role": "user", "content": "hi"}]}));
        assert_eq!(
            plain["system"], "a\n\nb",
            "no cache_control: one string, as before"
        );
    }

    #[test]
    fn review_fixes_temperature_top_p_stop_metadata_empty_text_thinking() {
        let b = body(json!({"model": "anthropic/x", "messages": [
            {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "Hi"}]},
            {"role": "assistant", "content": "  "}
        ], "temperature": 0.5, "top_p": 0.9, "stop": ["\n", "END"], "user": "u", "metadata": {"trace": 1}}));
        assert_eq!(b["temperature"], 0.5);
        assert!(b.get("top_p").is_none(), "not both");
        assert_eq!(b["stop_sequences"], json!(["END"]));
        // `{trace: 1}` is OpenAI's metadata (Anthropic's takes user_id alone): dropped.
        assert_eq!(b["metadata"], json!({"user_id": "u"}));
        assert_eq!(
            b["messages"],
            json!([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}])
        );
        let b = body(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}],
           "thinking": {"type": "enabled", "budget_tokens": 10000}}),
        );
        assert_eq!(
            b["max_tokens"], 18192,
            "the default plus the thinking budget"
        );
        let e = rejected(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "x"}],
            "thinking": {"type": "enabled", "budget_tokens": 1024}, "response_format": {"type": "json_object"}}),
        );
        assert_eq!(e.param.as_deref(), Some("response_format"));
        let e = rejected(
            json!({"model": "anthropic/x", "messages": [{"role": "system", "content": "x"}]}),
        );
        assert_eq!(e.param.as_deref(), Some("messages"));
        assert_eq!(
            rejected(json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}], "top_p": 2}))
                .param
                .as_deref(),
            Some("top_p")
        );
    }

    #[test]
    fn default_max_tokens_by_model() {
        assert_eq!(default_max_tokens("claude-3-haiku-20240307"), 4096);
        assert_eq!(default_max_tokens("claude-3-opus-20240229"), 4096);
        assert_eq!(default_max_tokens("claude-3-5-haiku-latest"), 8192);
        assert_eq!(default_max_tokens("claude-sonnet-4-5"), 8192);
    }

    #[test]
    fn system_messages_anywhere_go_to_system_and_turns_merge() {
        let b = body(
            json!({"model": "anthropic/x", "max_completion_tokens": 100, "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
                {"role": "developer", "content": [{"type": "text", "text": "Use French."}]},
                {"role": "user", "content": "there"},
                {"role": "assistant", "content": "Salut"},
                {"role": "assistant", "content": "!"}
            ]}),
        );
        assert_eq!(b["system"], "Be brief.\n\nUse French.");
        assert_eq!(b["max_tokens"], 100);
        assert_eq!(
            b["messages"],
            json!([
                {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "Salut"}, {"type": "text", "text": "!"}]}
            ])
        );
    }

    #[test]
    fn sampling_stop_user_and_passthrough() {
        let b = body(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.5, "top_p": 0.9, "stop": "END", "user": "u-42", "seed": 7,
            "frequency_penalty": 0.1, "top_k": 5, "service_tier": "auto",
            "stream": true, "stream_options": {"include_usage": true}}),
        );
        assert_eq!(b["temperature"], 0.5);
        assert!(b.get("top_p").is_none(), "temperature wins over top_p");
        assert_eq!(b["stop_sequences"], json!(["END"]));
        assert_eq!(b["metadata"], json!({"user_id": "u-42"}));
        assert_eq!(b["stream"], true);
        assert_eq!(b["top_k"], 5, "Anthropic's own fields pass through");
        assert_eq!(b["service_tier"], "auto");
        for dropped in [
            "seed",
            "frequency_penalty",
            "stream_options",
            "stop",
            "user",
        ] {
            assert!(b.get(dropped).is_none(), "{dropped} is not sent");
        }
        let (_, t, _) = build(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}], "stream": true,
            "stream_options": {"include_usage": true}}),
        )
        .unwrap();
        assert!(t.include_usage);
    }

    #[test]
    fn out_of_range_and_unsupported_are_rejected() {
        let base = |extra: Value| {
            let mut p =
                json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}]});
            p.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            p
        };
        let e = rejected(base(json!({"temperature": 1.5})));
        assert_eq!(e.param.as_deref(), Some("temperature"));
        assert!(e.message.contains("0 to 1"), "{}", e.message);
        assert_eq!(rejected(base(json!({"n": 2}))).param.as_deref(), Some("n"));
        assert_eq!(
            rejected(base(json!({"logprobs": true}))).param.as_deref(),
            Some("logprobs")
        );
        assert_eq!(
            rejected(base(json!({"logit_bias": {"1": 5}})))
                .param
                .as_deref(),
            Some("logit_bias")
        );
        let audio = json!({"messages": [{"role": "user", "content": [
            {"type": "input_audio", "input_audio": {"data": "AAA", "format": "wav"}}]}]});
        assert_eq!(
            rejected(base(audio)).param.as_deref(),
            Some("messages[0].content[0]")
        );
        let both = json!({"tools": [{"type": "function", "function": {"name": "f"}}],
            "response_format": {"type": "json_object"}});
        assert_eq!(
            rejected(base(both)).param.as_deref(),
            Some("response_format")
        );
    }

    #[test]
    fn images_from_data_and_http_urls() {
        let b = body(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}}
            ]}]}),
        );
        assert_eq!(
            b["messages"][0]["content"],
            json!([
                {"type": "text", "text": "What is this?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}}
            ])
        );
        let e = rejected(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "ftp://x/y.png"}}]}]}),
        );
        assert_eq!(e.param.as_deref(), Some("messages[0].content[0]"));
    }

    #[test]
    fn tools_choices_and_a_tool_round_trip() {
        // The conversation of a recorded Anthropic request, in OpenAI's shape.
        let b = body(json!({"model": "anthropic/x", "max_tokens": 1024,
            "messages": [
                {"role": "user", "content": "What's the weather in SF in Celsius?"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "toolu_013DU6hV4C1M8dJ32ybQFAFi",
                    "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"SF\",\"units\":\"c\"}"}}]},
                {"role": "tool", "tool_call_id": "toolu_013DU6hV4C1M8dJ32ybQFAFi",
                    "content": "{\"location\": \"SF\", \"temperature\": \"20\\u00b0C\", \"condition\": \"Sunny\"}"}
            ],
            "tools": [{"type": "function", "function": {"name": "get_weather", "description": "",
                "parameters": {"additionalProperties": false, "properties": {"location": {"title": "Location", "type": "string"},
                    "units": {"enum": ["c", "f"], "title": "Units", "type": "string"}}, "required": ["location", "units"], "type": "object"}}}],
            "tool_choice": "required", "parallel_tool_calls": false
        }));
        let recorded: Value = crate::json::parse(r#"{"max_tokens":1024,"messages":[{"role":"user","content":"What's the weather in SF in Celsius?"},{"role":"assistant","content":[{"id":"toolu_013DU6hV4C1M8dJ32ybQFAFi","input":{"location":"SF","units":"c"},"name":"get_weather","type":"tool_use","caller":{"type":"direct"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_013DU6hV4C1M8dJ32ybQFAFi","content":"{\"location\": \"SF\", \"temperature\": \"20\\u00b0C\", \"condition\": \"Sunny\"}"}]}],"model":"claude-haiku-4-5","tools":[{"name":"get_weather","description":"","input_schema":{"additionalProperties":false,"properties":{"location":{"title":"Location","type":"string"},"units":{"enum":["c","f"],"title":"Units","type":"string"}},"required":["location","units"],"type":"object"}}]}"#).unwrap();
        assert_eq!(b["tools"], recorded["tools"]);
        assert_eq!(
            b["messages"][1]["content"][0]["input"],
            recorded["messages"][1]["content"][0]["input"]
        );
        assert_eq!(b["messages"][2], recorded["messages"][2]);
        assert_eq!(
            b["tool_choice"],
            json!({"type": "any", "disable_parallel_tool_use": true})
        );
        for (choice, want) in [
            (json!("auto"), json!({"type": "auto"})),
            (json!("none"), json!({"type": "none"})),
            (
                json!({"type": "function", "function": {"name": "get_weather"}}),
                json!({"type": "tool", "name": "get_weather"}),
            ),
        ] {
            let b = body(
                json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}], "tool_choice": choice}),
            );
            assert_eq!(b["tool_choice"], want);
        }
    }

    #[test]
    fn thinking_blocks_go_back_first_in_their_turn() {
        let b = body(json!({"model": "anthropic/x", "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": null, "reasoning_content": "hmm",
                "thinking_blocks": [{"type": "thinking", "thinking": "hmm", "signature": "sig"}],
                "tool_calls": [{"id": "t1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": "sunny"}
        ]}));
        assert_eq!(
            b["messages"][1]["content"],
            json!([{"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "tool_use", "id": "t1", "name": "w", "input": {}}])
        );
    }

    #[test]
    fn consecutive_tool_results_share_one_user_turn() {
        let b = body(json!({"model": "anthropic/x", "messages": [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {"role": "assistant", "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "w", "arguments": "{\"c\":\"Paris\"}"}},
                {"id": "b", "type": "function", "function": {"name": "w", "arguments": ""}}]},
            {"role": "tool", "tool_call_id": "a", "content": "sunny"},
            {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "rain"}]},
            {"role": "user", "content": "Thanks"}
        ]}));
        let turns = b["messages"].as_array().unwrap();
        assert_eq!(turns.len(), 3);
        assert_eq!(
            turns[1]["content"][1]["input"],
            json!({}),
            "empty arguments are an empty object"
        );
        assert_eq!(
            turns[2]["content"],
            json!([
                {"type": "tool_result", "tool_use_id": "a", "content": "sunny"},
                {"type": "tool_result", "tool_use_id": "b", "content": "rain"},
                {"type": "text", "text": "Thanks"}
            ])
        );
    }

    #[test]
    fn invalid_tool_arguments_are_named() {
        let e = rejected(json!({"model": "anthropic/x", "messages": [
            {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "w", "arguments": "{nope"}}]}
        ]}));
        assert_eq!(
            e.param.as_deref(),
            Some("messages[0].tool_calls[0].function.arguments")
        );
    }

    #[test]
    fn json_mode_is_a_forced_tool() {
        let (_, t, b) = build(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}],
            "response_format": {"type": "json_object"}}),
        )
        .unwrap();
        assert_eq!(t.json_tool.as_deref(), Some(JSON_TOOL));
        assert_eq!(b["tool_choice"], json!({"type": "tool", "name": JSON_TOOL}));
        assert_eq!(b["tools"][0]["input_schema"], json!({"type": "object"}));
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]});
        let (_, t, b) = build(json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "place", "schema": schema}}})).unwrap();
        assert_eq!(t.json_tool.as_deref(), Some("place"));
        assert_eq!(b["tools"][0]["input_schema"], schema);
        let e = rejected(
            json!({"model": "anthropic/x", "messages": [{"role": "user", "content": "Hi"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "l", "schema": {"type": "array"}}}}),
        );
        assert_eq!(
            e.param.as_deref(),
            Some("response_format.json_schema.schema")
        );
    }
}
