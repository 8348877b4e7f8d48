//! Pieces every translating adapter (Anthropic, Gemini, Cohere) needs alike: the
//! caller's own fields passed through, stop lists, text-only content, tool-call
//! arguments and `data:` URLs read the same way, with the same errors.

use crate::json;
use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::json::{why_not_json, Number};
use crate::types::request::{ContentPart, FunctionDef, MessageToolCall, Stop, Tool};
use crate::types::{ChatParams, ChatRequest, Content, ONELLM_PARAMS};

/// The OpenAI parameters adapters translate; any other field of the caller's params
/// is the provider's own (`top_k`, `safetySettings`, `documents`, ...).
const OPENAI_PARAMS: &[&str] = &[
    "model",
    "messages",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "response_format",
    "seed",
    "stop",
    "stream",
    "stream_options",
    "temperature",
    "top_p",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "user",
    "reasoning_effort",
];

/// The rest of OpenAI's chat parameters (its OpenAPI `CreateChatCompletionRequest`,
/// tests/conformance/definitions), which no translated format has: never sent raw,
/// since the translated formats refuse fields they do not know. `true`: refused, since
/// dropping it would change the answer (audio out, web search, the old `functions`);
/// `false`: dropped as a hint (storage, caching, routing and style hints).
const OPENAI_UNTRANSLATED: &[(&str, bool)] = &[
    ("audio", true),
    ("function_call", true),
    ("functions", true),
    ("metadata", false),
    ("modalities", true),
    ("moderation", false),
    ("prediction", false),
    ("prompt_cache_key", false),
    ("prompt_cache_options", false),
    ("prompt_cache_retention", false),
    ("safety_identifier", false),
    ("service_tier", false),
    ("store", false),
    ("verbosity", false),
    ("web_search_options", true),
];

/// Copies the caller's provider-specific fields into the body, never over a field
/// the adapter set. An OpenAI parameter the format lacks is dropped or refused (see
/// [`OPENAI_UNTRANSLATED`]), unless `own` says the value is the provider's own field
/// of the same name (Anthropic's `metadata: {user_id}`).
pub fn pass_through_own_fields(
    req: &ChatRequest,
    body: &mut Map,
    provider: &str,
    own: fn(&str, &Value) -> bool,
) -> Result<()> {
    for (key, value) in &req.raw {
        let key = key.as_str();
        if OPENAI_PARAMS.contains(&key) || ONELLM_PARAMS.contains(&key) || body.contains_key(key) {
            continue;
        }
        if !own(key, value) {
            if let Some(verdict) = lacking(key, value, provider) {
                verdict?;
                continue;
            }
        }
        body.set(key, value.clone());
    }
    Ok(())
}

/// What becomes of `key` at a provider that lacks it, when it is one of OpenAI's
/// parameters no format translates: `None` when it is not; `Some(Ok(()))` when it is
/// dropped as a hint; the error to refuse it with otherwise.
pub fn lacking(key: &str, value: &Value, provider: &str) -> Option<Result<()>> {
    let (_, refused) = OPENAI_UNTRANSLATED.iter().find(|(k, _)| *k == key)?;
    // Text out is what every provider gives.
    // Matched, not compared with `json!(["text"])`: that was the .wasm's only deep
    // equality of JSON values.
    let text_out = key == "modalities"
        && matches!(value.as_array().map(Vec::as_slice), Some([v]) if v.as_str() == Some("text"));
    Some(if *refused && !text_out {
        Err(Error::invalid(
            key,
            format!("`{key}` is an OpenAI parameter that {provider} has no equivalent for"),
        ))
    } else {
        Ok(())
    })
}

/// OpenAI's parameters that no format translates, for presets that list which of them
/// they take, each with whether it is refused (else dropped) where lacking.
pub fn untranslated_params() -> impl Iterator<Item = (&'static str, bool)> {
    OPENAI_UNTRANSLATED.iter().copied()
}

/// A tool-call id as another provider may take it: without the Gemini thought
/// signature riding inside it (base64, and long: OpenAI takes ids of 40 characters,
/// Anthropic only `[A-Za-z0-9_-]`), which no provider but Gemini can use.
pub fn foreign_call_id(id: &str) -> &str {
    let separator = crate::providers::gemini::response::SIGNATURE_SEPARATOR;
    crate::bytes::split_once(id, separator).map_or(id, |(id, _)| id)
}

/// For formats with no field of an OpenAI parameter's name.
pub fn none_own(_: &str, _: &Value) -> bool {
    false
}

/// A number the caller sent, as its JSON text (never through a float and back), if
/// within the provider's range; else an error naming the parameter and the range.
pub fn number_in_range(
    value: &Number,
    range: (f64, f64),
    param: &str,
    provider: &str,
) -> Result<Value> {
    in_range(value.as_f64(), value.as_str(), range, param, provider)?;
    Ok(Value::Number(value.clone()))
}

/// Checks `value` (written `shown`, as the caller sent it) against the provider's
/// range: the error names the parameter and the range.
pub fn in_range(
    value: f64,
    shown: &str,
    (low, high): (f64, f64),
    param: &str,
    provider: &str,
) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            param,
            format!(
                "`{param}` {shown} is outside {provider}'s range {} to {}",
                bound_text(low),
                bound_text(high)
            ),
        ))
    }
}

/// A range bound as text. The bounds are short decimals (`0`, `0.01`, `-2`), so
/// hundredths say them exactly, without a shortest-float printer for two messages.
fn bound_text(bound: f64) -> String {
    let hundredths = (bound * 100.0).round() as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let (whole, fraction) = (
        hundredths.unsigned_abs() / 100,
        hundredths.unsigned_abs() % 100,
    );
    match fraction {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f if f < 10 => format!("{sign}{whole}.0{f}"),
        f => format!("{sign}{whole}.{f}"),
    }
}

/// `stream_options.include_usage`, which translating adapters honour themselves.
pub fn include_usage(p: &ChatParams) -> bool {
    p.stream_options
        .as_ref()
        .and_then(|o| o.include_usage)
        .unwrap_or(false)
}

pub fn stop_list(stop: &Stop) -> Vec<String> {
    match stop {
        Stop::One(s) => vec![s.clone()],
        Stop::Many(v) => v.clone(),
    }
}

/// The text of content that may only hold text (system prompts, tool results),
/// parts joined by newlines; any other part is refused by its path.
pub fn text_only(content: &Content, param: &str, provider: &str) -> Result<String> {
    match content {
        Content::Text(t) => Ok(t.clone()),
        Content::Parts(parts) => {
            let mut joined = String::new();
            for (j, part) in parts.iter().enumerate() {
                let ContentPart::Text { text } = part else {
                    return Err(Error::invalid(
                        format!("{param}[{j}]"),
                        format!("only text parts are supported here for {provider}"),
                    ));
                };
                if j > 0 {
                    joined.push('\n');
                }
                joined.push_str(text);
            }
            Ok(joined)
        }
    }
}

/// An assistant tool call's function name and its arguments as a JSON object:
/// empty or `null` arguments are `{}`, invalid JSON is refused by its path.
pub fn call_arguments<'a>(
    call: &'a MessageToolCall,
    param: &str,
    provider: &str,
) -> Result<(&'a str, Value)> {
    let Some(function) = &call.function else {
        return Err(Error::invalid(
            param,
            format!("only function tool calls are supported for {provider}"),
        ));
    };
    let text = function.arguments.trim_ascii();
    let value: Value = if text.is_empty() {
        Value::Null
    } else {
        crate::json::parse(text).map_err(|e| {
            Error::invalid(
                format!("{param}.function.arguments"),
                format!(
                    "tool call arguments are not valid JSON ({})",
                    why_not_json(&e)
                ),
            )
        })?
    };
    let value = if value.is_null() { json!({}) } else { value };
    Ok((function.name.as_str(), value))
}

/// Adds a turn's items, merged into the previous turn when it has the same role
/// (Anthropic and Gemini want alternating turns); an empty turn adds nothing.
pub fn push_turn(
    turns: &mut Vec<(&'static str, Vec<Value>)>,
    role: &'static str,
    items: Vec<Value>,
) {
    if items.is_empty() {
        return;
    }
    match turns.last_mut() {
        Some((last, existing)) if *last == role => existing.extend(items),
        _ => turns.push((role, items)),
    }
}

/// The merged turns as wire messages: `{"role": role, <items_key>: items}`.
pub fn turn_messages(turns: Vec<(&'static str, Vec<Value>)>, items_key: &str) -> Vec<Value> {
    let mut messages = Vec::with_capacity(turns.len());
    for (role, items) in turns {
        let mut message = Map::new();
        message.set("role", Value::String(role.into()));
        message.set(items_key, Value::Array(items));
        messages.push(Value::Object(message));
    }
    messages
}

/// The function definitions of `tools`, each with its index; any other tool type is
/// refused by its path.
pub fn function_tools<'a>(
    tools: &'a [Tool],
    provider: &str,
) -> Result<Vec<(usize, &'a FunctionDef)>> {
    let mut functions = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        let Some(f) = &tool.function else {
            return Err(Error::invalid(
                format!("tools[{i}]"),
                format!("only function tools are supported for {provider}"),
            ));
        };
        functions.push((i, f));
    }
    Ok(functions)
}

/// A base64 `data:` URL as (MIME type, data); `None` for any other URL.
pub fn data_url<'a>(
    url: &'a str,
    param: &str,
    provider: &str,
) -> Result<Option<(&'a str, &'a str)>> {
    let Some(rest) = url.strip_prefix("data:") else {
        return Ok(None);
    };
    let (meta, data) = crate::bytes::split_once(rest, ",")
        .ok_or_else(|| Error::invalid(param, "malformed data: URL (no comma)"))?;
    let mime = meta.strip_suffix(";base64").ok_or_else(|| {
        Error::invalid(param, format!("data: URLs must be base64 for {provider}"))
    })?;
    Ok(Some((mime, data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed(params: Value, own: fn(&str, &Value) -> bool) -> Result<Map> {
        let req = ChatRequest::from_json(params)?;
        let mut body = Map::new();
        pass_through_own_fields(&req, &mut body, "anthropic", own)?;
        Ok(body)
    }

    #[test]
    fn openai_parameters_a_format_lacks_are_dropped_or_refused_never_sent() {
        let base = |extra: Value| {
            let mut p = json!({"model": "anthropic/m", "messages": [], "top_k": 5});
            for (k, v) in extra.as_object().unwrap().iter() {
                p.as_object_mut().unwrap().set(k, v.clone());
            }
            p
        };
        let hints = json!({"store": true, "metadata": {"tag": "x"}, "verbosity": "low",
            "prompt_cache_key": "k", "service_tier": "flex", "modalities": ["text"]});
        let body = passed(base(hints), none_own).unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"top_k": 5}),
            "hints dropped, own fields kept"
        );
        for refused in [
            json!({"modalities": ["text", "audio"]}),
            json!({"web_search_options": {}}),
            json!({"functions": [{"name": "f"}]}),
        ] {
            let key = refused
                .as_object()
                .unwrap()
                .iter()
                .next()
                .unwrap()
                .0
                .clone();
            let e = passed(base(refused), none_own).unwrap_err();
            assert_eq!(e.param.as_deref(), Some(key.as_str()));
            assert!(e.message.contains("anthropic"), "{}", e.message);
        }
        let own = |k: &str, v: &Value| k == "metadata" && v.get("user_id").is_some();
        let body = passed(base(json!({"metadata": {"user_id": "u"}})), own).unwrap();
        assert_eq!(body.get("metadata"), Some(&json!({"user_id": "u"})));
    }

    #[test]
    fn out_of_range_names_the_value_as_sent_and_the_bounds() {
        let e =
            number_in_range(&Number::from_checked("1.50"), (0.0, 1.0), "top_p", "x").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("top_p"));
        assert_eq!(e.message, "`top_p` 1.50 is outside x's range 0 to 1");
        let e = number_in_range(&Number::from_checked("1"), (0.01, 0.99), "p", "y").unwrap_err();
        assert_eq!(e.message, "`p` 1 is outside y's range 0.01 to 0.99");
        let e = in_range(-3.0, "-3", (-2.0, 2.5), "q", "z").unwrap_err();
        assert_eq!(e.message, "`q` -3 is outside z's range -2 to 2.5");
        assert!(number_in_range(&Number::from_checked("0.99"), (0.01, 0.99), "p", "y").is_ok());
    }

    #[test]
    fn data_urls() {
        assert_eq!(
            data_url("data:image/png;base64,AAA", "p", "x").unwrap(),
            Some(("image/png", "AAA"))
        );
        assert_eq!(data_url("https://x/y.png", "p", "x").unwrap(), None);
        assert!(data_url("data:image/png,AAA", "p", "x")
            .unwrap_err()
            .message
            .contains("base64"));
        assert_eq!(
            data_url("data:nocomma", "p", "x")
                .unwrap_err()
                .param
                .as_deref(),
            Some("p")
        );
    }

    #[test]
    fn arguments() {
        let call = |args: &str| MessageToolCall {
            id: "c".into(),
            kind: "function".into(),
            function: Some(crate::types::request::FunctionCall {
                name: "f".into(),
                arguments: args.into(),
            }),
        };
        assert_eq!(call_arguments(&call(""), "p", "x").unwrap().1, json!({}));
        assert_eq!(
            call_arguments(&call("null"), "p", "x").unwrap().1,
            json!({})
        );
        assert_eq!(
            call_arguments(&call("{\"a\":1}"), "p", "x").unwrap(),
            ("f", json!({"a": 1}))
        );
        let e = call_arguments(&call("{nope"), "messages[1].tool_calls[0]", "x").unwrap_err();
        assert_eq!(
            e.param.as_deref(),
            Some("messages[1].tool_calls[0].function.arguments")
        );
    }
}
