//! Request: an OpenAI chat request as Gemini's `generateContent`
//! (<https://ai.google.dev/api/generate-content>).

use crate::json;
use crate::json::{Map, Number, Value};

use super::response::SIGNATURE_SEPARATOR;
use super::schema;
use crate::config::Endpoint;
use crate::error::{Error, Result};
use crate::http::{join_url, HttpRequest};
use crate::providers::translate::{
    self, call_arguments, data_url, function_tools, include_usage, none_own,
    pass_through_own_fields, push_turn, stop_list, text_only, turn_messages,
};
use crate::providers::{json_request, Translation};
use crate::types::request::{
    ContentPart, MessageToolCall, ResponseFormat, ToolChoice, ToolChoiceMode,
};
use crate::types::{ChatParams, ChatRequest, Content, Message};

fn invalid(param: impl Into<String>, message: impl Into<String>) -> Error {
    Error::invalid(param, message)
}

/// `models/gemini-1.5-flash:generateContent`; a model already naming its collection
/// (`tunedModels/x`) is used as it is.
fn model_path(model: &str, stream: bool) -> Result<String> {
    let path = crate::http::model_path(model, true, "gemini")?;
    let name = if crate::bytes::find_str(model, "/").is_some() {
        path
    } else {
        format!("models/{path}")
    };
    Ok(if stream {
        format!("{name}:streamGenerateContent?alt=sse")
    } else {
        format!("{name}:generateContent")
    })
}

pub fn build_request(
    endpoint: &Endpoint,
    model: &str,
    req: &ChatRequest,
) -> Result<(HttpRequest, Translation)> {
    let p = &req.params;
    let json_mode = matches!(
        p.response_format,
        Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. })
    );
    if json_mode && p.tools.as_ref().is_some_and(|t| !t.is_empty()) {
        return Err(invalid(
            "response_format",
            "gemini does not combine function calling with a JSON response_format",
        ));
    }
    let mut body = Map::new();
    let (system, contents) = convert_messages(&p.messages, model)?;
    if contents.is_empty() {
        return Err(invalid(
            "messages",
            "gemini needs at least one user or assistant message",
        ));
    }
    let mut parts = Vec::new();
    for text in system {
        if !text.trim_ascii().is_empty() {
            parts.push(json!({ "text": text }));
        }
    }
    if !parts.is_empty() {
        body.set("systemInstruction", json!({ "parts": parts }));
    }
    body.set("contents", Value::Array(contents));
    let mut config = generation_config(p)?;
    super::thinking::apply(req, model, &mut config)?;
    if let Some(tools) = &p.tools {
        body.set("tools", convert_tools(tools)?);
    }
    if let Some(config) = tool_config(p)? {
        body.set("toolConfig", config);
    }
    pass_through_own_fields(req, &mut body, &endpoint.provider, none_own)?;
    // A caller's own generationConfig fields (thinkingConfig, topK, ...) are kept;
    // the translated OpenAI parameters win where both are given.
    let mut merged = match body.remove("generationConfig") {
        Some(Value::Object(own)) => own,
        _ => Map::new(),
    };
    merged.extend(config);
    if !merged.is_empty() {
        body.set("generationConfig", Value::Object(merged));
    }
    let url = join_url(&endpoint.base_url, &model_path(model, req.is_stream())?);
    let http = json_request(url, &body, req.is_stream())?;
    let translation = Translation {
        include_usage: include_usage(p),
        ..Translation::default()
    };
    Ok((http, translation))
}

/// A count within Gemini's own range, checked before sending.
fn count_in_range(value: u32, low: f64, high: f64, param: &str) -> Result<u32> {
    translate::in_range(
        f64::from(value),
        &value.to_string(),
        (low, high),
        param,
        "gemini",
    )?;
    Ok(value)
}

/// A number the caller sent, checked against Gemini's range and sent as written.
fn number_in_range(value: &Number, low: f64, high: f64, param: &str) -> Result<Value> {
    translate::number_in_range(value, (low, high), param, "gemini")
}

fn generation_config(p: &ChatParams) -> Result<Map> {
    let mut c = Map::new();
    if let Some(t) = &p.temperature {
        c.set("temperature", number_in_range(t, 0.0, 2.0, "temperature")?);
    }
    if let Some(t) = &p.top_p {
        c.set("topP", number_in_range(t, 0.0, 1.0, "top_p")?);
    }
    if let Some(max) = p.max_completion_tokens.or(p.max_tokens) {
        c.set("maxOutputTokens", json!(max));
    }
    if let Some(stop) = &p.stop {
        let list = stop_list(stop);
        if list.len() > 5 {
            return Err(invalid("stop", "gemini takes at most 5 stop sequences"));
        }
        c.set("stopSequences", json!(list));
    }
    if let Some(n) = p.n {
        c.set("candidateCount", json!(count_in_range(n, 1.0, 8.0, "n")?));
    }
    // A zero penalty is no penalty, and some models refuse the field at all.
    if let Some(v) = p.presence_penalty.as_ref().filter(|v| v.as_f64() != 0.0) {
        c.set(
            "presencePenalty",
            number_in_range(v, -2.0, 2.0, "presence_penalty")?,
        );
    }
    if let Some(v) = p.frequency_penalty.as_ref().filter(|v| v.as_f64() != 0.0) {
        c.set(
            "frequencyPenalty",
            number_in_range(v, -2.0, 2.0, "frequency_penalty")?,
        );
    }
    if let Some(seed) = p.seed {
        let seed = i32::try_from(seed)
            .map_err(|_| invalid("seed", "gemini's `seed` is a 32-bit integer"))?;
        c.set("seed", json!(seed));
    }
    if p.logprobs == Some(true) {
        c.set("responseLogprobs", Value::Bool(true));
        if let Some(top) = p.top_logprobs {
            c.set(
                "logprobs",
                json!(count_in_range(top, 1.0, 20.0, "top_logprobs")?),
            );
        }
    } else if p.top_logprobs.is_some() {
        return Err(invalid(
            "top_logprobs",
            "`top_logprobs` needs `logprobs: true`",
        ));
    }
    match &p.response_format {
        Some(ResponseFormat::JsonObject) => {
            c.set("responseMimeType", json!("application/json"));
        }
        Some(ResponseFormat::JsonSchema { json_schema }) => {
            c.set("responseMimeType", json!("application/json"));
            if let Some(s) = &json_schema.schema {
                let converted = schema::convert(s, "response_format.json_schema.schema")?;
                c.set("responseSchema", converted);
            }
        }
        Some(ResponseFormat::Text) | None => {}
    }
    Ok(c)
}

/// System and developer messages go to `systemInstruction`; the rest become `user` /
/// `model` turns, consecutive turns of one role merged.
fn convert_messages(messages: &[Message], model: &str) -> Result<(Vec<String>, Vec<Value>)> {
    let mut system = Vec::new();
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let at = |suffix: &str| format!("messages[{i}]{suffix}");
        let (role, parts) = match message {
            Message::System { content, .. } | Message::Developer { content, .. } => {
                system.push(text_only(content, &at(".content"), "gemini")?);
                continue;
            }
            Message::User { content, .. } => ("user", content_parts(content, &at(".content"))?),
            Message::Assistant {
                content,
                tool_calls,
                ..
            } => {
                let mut parts = match content {
                    Some(c) => content_parts(c, &at(".content"))?,
                    None => Vec::new(),
                };
                for (j, call) in tool_calls.as_deref().unwrap_or_default().iter().enumerate() {
                    parts.push(function_call_part(
                        call,
                        model,
                        &at(&format!(".tool_calls[{j}]")),
                    )?);
                }
                ("model", parts)
            }
            Message::Tool {
                content,
                tool_call_id,
            } => {
                let name = tool_name(&messages[..i], tool_call_id).ok_or_else(|| {
                    invalid(
                        at(".tool_call_id"),
                        format!("no earlier assistant tool call has the id `{tool_call_id}`"),
                    )
                })?;
                let text = text_only(content, &at(".content"), "gemini")?;
                let part =
                    json!({"functionResponse": {"name": name, "response": tool_response(&text)}});
                ("user", vec![part])
            }
            // Refused before: providers::refuse_untranslatable.
            Message::Function { .. } => continue,
        };
        push_turn(&mut turns, role, parts);
    }
    Ok((system, turn_messages(turns, "parts")))
}

/// The function name of the tool call a tool message answers.
fn tool_name<'a>(earlier: &'a [Message], id: &str) -> Option<&'a str> {
    for message in earlier.iter().rev() {
        if let Message::Assistant {
            tool_calls: Some(calls),
            ..
        } = message
        {
            // The first call with the id; one that is no function call leaves the
            // search to earlier messages.
            if let Some(call) = calls.iter().find(|c| c.id == id) {
                if let Some(f) = &call.function {
                    return Some(&f.name);
                }
            }
        }
    }
    None
}

/// Gemini wants an object: JSON objects are used as they are, anything else wrapped.
fn tool_response(text: &str) -> Value {
    match crate::json::parse(text) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(other) => json!({ "result": other }),
        Err(_) => json!({ "result": text }),
    }
}

/// Gemini refuses empty text parts: they are left out.
fn content_parts(content: &Content, param: &str) -> Result<Vec<Value>> {
    match content {
        Content::Text(t) if t.is_empty() => Ok(Vec::new()),
        Content::Text(t) => Ok(vec![json!({ "text": t })]),
        Content::Parts(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for (j, part) in parts.iter().enumerate() {
                if !matches!(part, ContentPart::Text { text } if text.is_empty()) {
                    out.push(media_part(part, &format!("{param}[{j}]"))?);
                }
            }
            Ok(out)
        }
    }
}

fn media_part(part: &ContentPart, param: &str) -> Result<Value> {
    match part {
        ContentPart::Text { text } => Ok(json!({ "text": text })),
        ContentPart::ImageUrl { image_url } => url_part(&image_url.url, param),
        ContentPart::AudioUrl { audio_url } => url_part(&audio_url.url, param),
        ContentPart::InputAudio { input_audio } => {
            let mime = match input_audio.format.as_str() {
                "wav" => "audio/wav",
                "mp3" => "audio/mp3",
                "flac" => "audio/flac",
                "ogg" => "audio/ogg",
                "aac" => "audio/aac",
                "aiff" => "audio/aiff",
                other => {
                    return Err(invalid(
                        format!("{param}.input_audio.format"),
                        format!("audio format `{other}` is not one gemini reads"),
                    ))
                }
            };
            Ok(json!({"inlineData": {"mimeType": mime, "data": input_audio.data}}))
        }
        ContentPart::Other => Err(invalid(
            param,
            "this content part type is not supported for gemini (text, image_url, input_audio and audio_url are)",
        )),
    }
}

/// `data:` URLs are sent inline; http(s) URLs as `fileData`, which needs a MIME type,
/// read from the file extension.
fn url_part(url: &str, param: &str) -> Result<Value> {
    if let Some((mime, data)) = data_url(url, param, "gemini")? {
        return Ok(json!({"inlineData": {"mimeType": mime, "data": data}}));
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        let path_end = url.bytes().position(|b| b == b'?' || b == b'#');
        let path = &url[..path_end.unwrap_or(url.len())];
        let ext = path
            .bytes()
            .rposition(|b| b == b'.')
            .map(|dot| path[dot + 1..].to_ascii_lowercase());
        let mime = match ext.as_deref() {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("webp") => "image/webp",
            Some("gif") => "image/gif",
            Some("heic") => "image/heic",
            Some("wav") => "audio/wav",
            Some("mp3") => "audio/mp3",
            Some("flac") => "audio/flac",
            Some("ogg") => "audio/ogg",
            Some("pdf") => "application/pdf",
            _ => {
                return Err(invalid(
                    param,
                    "gemini needs the MIME type of a file URL and this one has no known extension: send a data: URL instead",
                ))
            }
        };
        return Ok(json!({"fileData": {"mimeType": mime, "fileUri": url}}));
    }
    Err(invalid(param, "URLs must be http(s) or data: URLs"))
}

/// Gemini 3 refuses a replayed function call without its thought signature; for a
/// call that never had one (it came from another provider, say) Google documents
/// this value to skip the check.
const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

/// Gemini 3 and later (the families with thinking levels) check signatures.
fn signs_calls(model: &str) -> bool {
    matches!(
        super::thinking::control(model),
        crate::providers::reasoning::Control::GeminiLevels { .. }
    )
}

fn function_call_part(call: &MessageToolCall, model: &str, param: &str) -> Result<Value> {
    let (name, args) = call_arguments(call, param, "gemini")?;
    let mut part = json!({"functionCall": {"name": name, "args": args}});
    let signature = crate::bytes::split_once(&call.id, SIGNATURE_SEPARATOR).map(|(_, sig)| sig);
    match signature {
        Some(sig) => part["thoughtSignature"] = json!(sig),
        None if signs_calls(model) => part["thoughtSignature"] = json!(SKIP_SIGNATURE),
        None => {}
    }
    Ok(part)
}

fn convert_tools(tools: &[crate::types::request::Tool]) -> Result<Value> {
    let mut declarations = Vec::with_capacity(tools.len());
    for (i, f) in function_tools(tools, "gemini")? {
        let mut declaration = json!({ "name": f.name });
        if let Some(d) = &f.description {
            declaration["description"] = json!(d);
        }
        if let Some(parameters) = &f.parameters {
            let converted =
                schema::convert(parameters, &format!("tools[{i}].function.parameters"))?;
            // An object without properties is "no parameters", which Gemini wants omitted.
            let empty = converted
                .get("properties")
                .and_then(Value::as_object)
                .is_none_or(Map::is_empty)
                && converted.get("type").and_then(Value::as_str) == Some("object");
            if !empty {
                declaration["parameters"] = converted;
            }
        }
        declarations.push(declaration);
    }
    Ok(json!([{ "functionDeclarations": declarations }]))
}

fn tool_config(p: &ChatParams) -> Result<Option<Value>> {
    let Some(choice) = &p.tool_choice else {
        return Ok(None);
    };
    let config = match choice {
        ToolChoice::Mode(ToolChoiceMode::Auto) => json!({"mode": "AUTO"}),
        ToolChoice::Mode(ToolChoiceMode::None) => json!({"mode": "NONE"}),
        ToolChoice::Mode(ToolChoiceMode::Required) => json!({"mode": "ANY"}),
        ToolChoice::Named(named) => {
            json!({"mode": "ANY", "allowedFunctionNames": [named.function.name]})
        }
        ToolChoice::Other(_) => {
            return Err(invalid(
                "tool_choice",
                "this `tool_choice` form is not supported for gemini",
            ))
        }
    };
    Ok(Some(json!({ "functionCallingConfig": config })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientOptions;

    fn endpoint() -> Endpoint {
        let opts: ClientOptions = ClientOptions::from_value(&json!({
            "apiKeys": {"google": "AIza-test-0123456789"},
            "providers": {"google": {"baseURL": "http://127.0.0.1:1/gemini/v1beta"}}
        }))
        .unwrap();
        opts.endpoint("google", "model", &|_| None).unwrap()
    }

    fn build(params: Value) -> Result<(HttpRequest, Value)> {
        let req = ChatRequest::from_json(params)?;
        let (http, _) = crate::providers::build_request(&endpoint(), "gemini-1.5-flash", &req)?;
        let body = crate::json::parse(&http.body).unwrap();
        Ok((http, body))
    }

    fn body(params: Value) -> Value {
        build(params).unwrap().1
    }

    fn rejected(params: Value) -> Error {
        build(params).unwrap_err()
    }

    /// A float the caller sent reaches Gemini as written, not through a double and
    /// back (`0.1 * 3` in JS is 0.30000000000000004, and stays so).
    #[test]
    fn numbers_go_as_the_caller_wrote_them() {
        let params = crate::json::parse(
            r#"{"model":"google/g","messages":[{"role":"user","content":"Hi"}],"temperature":0.30000000000000004,"top_p":1e-1,"presence_penalty":-0.50}"#,
        )
        .unwrap();
        let (http, _) = build(params).unwrap();
        for sent in [
            r#""temperature":0.30000000000000004"#,
            r#""topP":1e-1"#,
            r#""presencePenalty":-0.50"#,
        ] {
            assert!(http.body.contains(sent), "{sent} in {}", http.body);
        }
    }

    #[test]
    fn url_key_header_and_contents() {
        let (http, b) = build(json!({"model": "google/gemini-1.5-flash", "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "user", "content": "there"},
            {"role": "assistant", "content": "Hello"}
        ], "retries": 1}))
        .unwrap();
        assert_eq!(
            http.url,
            "http://127.0.0.1:1/gemini/v1beta/models/gemini-1.5-flash:generateContent"
        );
        assert_eq!(http.header("x-goog-api-key"), Some("AIza-test-0123456789"));
        assert!(!http.url.contains("AIza"), "the key never goes in the URL");
        assert_eq!(
            b,
            json!({
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "contents": [
                    {"role": "user", "parts": [{"text": "Hi"}, {"text": "there"}]},
                    {"role": "model", "parts": [{"text": "Hello"}]}
                ]
            })
        );
        let (http, _) =
            build(json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "stream": true})).unwrap();
        assert!(http
            .url
            .ends_with("models/gemini-1.5-flash:streamGenerateContent?alt=sse"));
    }

    #[test]
    fn generation_config_from_openai_parameters() {
        let b = body(
            json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "temperature": 0.7, "top_p": 0.9,
            "max_tokens": 100, "stop": ["END"], "n": 2, "presence_penalty": 0.5, "frequency_penalty": -0.5,
            "seed": 42, "logprobs": true, "top_logprobs": 3, "user": "dropped", "parallel_tool_calls": true,
            "response_format": {"type": "json_object"},
            "generationConfig": {"topK": 40, "temperature": 0.1}, "safetySettings": [{"category": "x"}]}),
        );
        assert_eq!(
            b["generationConfig"],
            json!({"topK": 40, "temperature": 0.7, "topP": 0.9, "maxOutputTokens": 100, "stopSequences": ["END"],
                "candidateCount": 2, "presencePenalty": 0.5, "frequencyPenalty": -0.5, "seed": 42,
                "responseLogprobs": true, "logprobs": 3, "responseMimeType": "application/json"})
        );
        assert_eq!(
            b["safetySettings"],
            json!([{"category": "x"}]),
            "Gemini's own fields pass through"
        );
        assert!(b.get("user").is_none() && b.get("parallel_tool_calls").is_none());
    }

    #[test]
    fn out_of_range_values_are_rejected_by_name() {
        for (field, value) in [
            ("temperature", json!(2.5)),
            ("top_p", json!(1.5)),
            ("n", json!(9)),
            ("presence_penalty", json!(3)),
            ("frequency_penalty", json!(-3)),
        ] {
            let mut p =
                json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}]});
            p[field] = value;
            let e = rejected(p);
            assert_eq!(e.param.as_deref(), Some(field));
            assert!(e.message.contains("gemini's range"), "{}", e.message);
        }
        let e = rejected(
            json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "stop": ["a", "b", "c", "d", "e", "f"]}),
        );
        assert_eq!(e.param.as_deref(), Some("stop"));
        assert_eq!(
            rejected(json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "logit_bias": {"1": 2}}))
                .param
                .as_deref(),
            Some("logit_bias")
        );
    }

    #[test]
    fn review_fixes_tools_with_json_seed_penalties_empty() {
        let hi = json!([{"role": "user", "content": "Hi"}]);
        let e = rejected(
            json!({"model": "google/x", "messages": hi, "response_format": {"type": "json_object"},
            "tools": [{"type": "function", "function": {"name": "f"}}]}),
        );
        assert_eq!(e.param.as_deref(), Some("response_format"));
        assert_eq!(
            rejected(json!({"model": "google/x", "messages": hi, "seed": 5_000_000_000i64}))
                .param
                .as_deref(),
            Some("seed")
        );
        let b = body(
            json!({"model": "google/x", "messages": [{"role": "system", "content": ""},
            {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "Hi"}]}],
            "presence_penalty": 0, "frequency_penalty": 0.5}),
        );
        assert!(b.get("systemInstruction").is_none());
        assert_eq!(
            b["contents"],
            json!([{"role": "user", "parts": [{"text": "Hi"}]}])
        );
        assert_eq!(b["generationConfig"], json!({"frequencyPenalty": 0.5}));
        let e = rejected(
            json!({"model": "google/x", "messages": [{"role": "system", "content": "x"}]}),
        );
        assert_eq!(e.param.as_deref(), Some("messages"));
    }

    #[test]
    fn json_schema_is_converted() {
        let b = body(
            json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "response_format": {"type": "json_schema",
            "json_schema": {"name": "trip", "strict": true, "schema": {
                "type": "object", "additionalProperties": false,
                "$defs": {"Stop": {"type": "object", "properties": {"city": {"type": "string"}, "nights": {"type": ["integer", "null"]}}}},
                "properties": {"stops": {"type": "array", "items": {"$ref": "#/$defs/Stop"}}},
                "required": ["stops"]}}}}),
        );
        assert_eq!(
            b["generationConfig"]["responseMimeType"],
            "application/json"
        );
        assert_eq!(
            b["generationConfig"]["responseSchema"],
            json!({"type": "object", "required": ["stops"], "properties": {"stops": {"type": "array", "items": {
                "type": "object", "properties": {"city": {"type": "string"}, "nights": {"type": "integer", "nullable": true}}}}}})
        );
    }

    #[test]
    fn tools_choice_calls_and_responses() {
        // The conversation of a recorded Gemini request, in OpenAI's shape.
        let b = body(json!({"model": "google/x", "messages": [
            {"role": "user", "content": "Divide 10 by 2 using the customDivide function"},
            {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "customDivide", "arguments": "{\"denominator\":2,\"numerator\":10}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"output\":42}"}
        ],
        "tools": [{"type": "function", "function": {"name": "customDivide", "description": "Custom divide function",
            "parameters": {"properties": {"denominator": {"type": "number"}, "numerator": {"type": "number"}}, "type": "object", "additionalProperties": false}}},
            {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}],
        "tool_choice": "auto"}));
        let recorded: Value = crate::json::parse(r#"{"contents":[{"parts":[{"text":"Divide 10 by 2 using the customDivide function"}],"role":"user"},{"parts":[{"functionCall":{"args":{"denominator":2,"numerator":10},"name":"customDivide"}}],"role":"model"},{"parts":[{"functionResponse":{"name":"customDivide","response":{"output":42}}}],"role":"user"}],"generationConfig":{},"toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}}"#).unwrap();
        assert_eq!(b["contents"], recorded["contents"]);
        assert_eq!(b["toolConfig"], recorded["toolConfig"]);
        assert_eq!(
            b["tools"],
            json!([{"functionDeclarations": [
                {"name": "customDivide", "description": "Custom divide function", "parameters": {"properties": {"denominator": {"type": "number"}, "numerator": {"type": "number"}}, "type": "object"}},
                {"name": "now"}
            ]}])
        );
        for (choice, want) in [
            (json!("none"), json!({"mode": "NONE"})),
            (json!("required"), json!({"mode": "ANY"})),
            (
                json!({"type": "function", "function": {"name": "now"}}),
                json!({"mode": "ANY", "allowedFunctionNames": ["now"]}),
            ),
        ] {
            let b = body(
                json!({"model": "google/x", "messages": [{"role": "user", "content": "Hi"}], "tool_choice": choice}),
            );
            assert_eq!(b["toolConfig"]["functionCallingConfig"], want);
        }
    }

    #[test]
    fn thought_signatures_go_back_with_their_calls() {
        let b = body(json!({"model": "google/x", "messages": [
            {"role": "user", "content": "What time is it?"},
            {"role": "assistant", "tool_calls": [{"id": "call_r1_0_0__thought__c2ln", "type": "function", "function": {"name": "now", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_r1_0_0__thought__c2ln", "content": "noon"}
        ]}));
        assert_eq!(
            b["contents"][1]["parts"][0],
            json!({"functionCall": {"name": "now", "args": {}}, "thoughtSignature": "c2ln"})
        );
        assert_eq!(
            b["contents"][2]["parts"][0]["functionResponse"]["name"],
            "now"
        );
        let req = ChatRequest::from_json(json!({"model": "google/gemini-3-pro", "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "now", "arguments": "{}"}}]}
        ]})).unwrap();
        let (http, _) = crate::providers::build_request(&endpoint(), "gemini-3-pro", &req).unwrap();
        let b: Value = crate::json::parse(&http.body).unwrap();
        assert_eq!(
            b["contents"][1]["parts"][0]["thoughtSignature"],
            SKIP_SIGNATURE
        );
    }

    #[test]
    fn tool_results_that_are_not_objects_are_wrapped_and_must_match_a_call() {
        let b = body(json!({"model": "google/x", "messages": [
            {"role": "assistant", "tool_calls": [{"id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]},
            {"role": "tool", "tool_call_id": "a", "content": "sunny"},
            {"role": "tool", "tool_call_id": "a", "content": "[1,2]"}
        ]}));
        assert_eq!(
            b["contents"][0]["parts"][0],
            json!({"functionCall": {"name": "f", "args": {}}})
        );
        assert_eq!(
            b["contents"][1]["parts"],
            json!([{"functionResponse": {"name": "f", "response": {"result": "sunny"}}},
                {"functionResponse": {"name": "f", "response": {"result": [1, 2]}}}])
        );
        let e = rejected(
            json!({"model": "google/x", "messages": [{"role": "tool", "tool_call_id": "zz", "content": "x"}]}),
        );
        assert_eq!(e.param.as_deref(), Some("messages[0].tool_call_id"));
    }

    #[test]
    fn media_inline_file_or_refused() {
        let b = body(
            json!({"model": "google/x", "messages": [{"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.PNG?size=2"}},
                {"type": "input_audio", "input_audio": {"data": "UklGR", "format": "wav"}},
                {"type": "audio_url", "audio_url": {"url": "https://example.com/talk.mp3"}}
            ]}]}),
        );
        assert_eq!(
            b["contents"][0]["parts"],
            json!([
                {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
                {"fileData": {"mimeType": "image/png", "fileUri": "https://example.com/cat.PNG?size=2"}},
                {"inlineData": {"mimeType": "audio/wav", "data": "UklGR"}},
                {"fileData": {"mimeType": "audio/mp3", "fileUri": "https://example.com/talk.mp3"}}
            ])
        );
        let e = rejected(
            json!({"model": "google/x", "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/image"}}]}]}),
        );
        assert_eq!(e.param.as_deref(), Some("messages[0].content[0]"));
        assert!(e.message.contains("data: URL"), "{}", e.message);
    }
}
