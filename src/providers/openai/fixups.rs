//! Answers of OpenAI-compatible providers that depart from OpenAI's shape, brought back
//! to it, so that code written for OpenAI reads them right. Each is switched on by its
//! preset's quirks (`Translation`): OpenAI's own answers are passed on untouched.
//!
//! Mistral's tool calls (its OpenAPI `ToolCall`: `type` and `index` optional, and left
//! out in practice) come without `type: "function"`, and in streams without `index`:
//! OpenAI code tests `call.type === "function"` and keys deltas by `index`, so such
//! calls would be skipped or merged into one. Mistral sends each call whole in one
//! delta, so numbering the calls of each choice in order of arrival is exact.

use crate::accumulate::MAX_CHOICES;
use crate::json::{Map, Value};

/// A completion in OpenAI's shape: each tool call given `type: "function"`, each
/// choice its `logprobs` and each message its `refusal` (`null`), where they have
/// none (OpenAI's `CreateChatCompletionResponse` requires them). `None` when nothing
/// needed a change (the body then goes on as it came).
pub fn openai_shape(body: &str) -> Option<String> {
    let mut value: Value = crate::json::parse(body).ok()?;
    let mut changed = false;
    for choice in value.get_mut("choices")?.as_array_mut()? {
        let Some(choice) = choice.as_object_mut() else {
            continue;
        };
        changed |= add_null(choice, "logprobs");
        let Some(message) = choice.get_mut("message").and_then(Value::as_object_mut) else {
            continue;
        };
        changed |= add_null(message, "refusal");
        changed |= flatten_chunks(message);
        let calls = message.get_mut("tool_calls").and_then(Value::as_array_mut);
        for call in calls
            .map_or(&mut [][..], |c| &mut c[..])
            .iter_mut()
            .filter_map(Value::as_object_mut)
        {
            changed |= add_type(call);
        }
    }
    changed.then(|| value.to_string())
}

/// Mistral's reasoning models answer `content` as chunks (its `ThinkChunk`:
/// `{type: "thinking", thinking: [{type: "text", text}]}`, then `{type: "text", text}`),
/// in messages and deltas alike: OpenAI code reads `content` as a string, so the text
/// chunks become it and the thinking ones `reasoning_content`.
fn flatten_chunks(holder: &mut Map) -> bool {
    fn text_of(v: &Value) -> &str {
        crate::json::str_of(v, "text").unwrap_or_default()
    }
    let Some(Value::Array(chunks)) = holder.get("content") else {
        return false;
    };
    let (mut text, mut thinking) = (String::new(), String::new());
    for chunk in chunks {
        match crate::json::str_of(chunk, "type") {
            Some("text") => text.push_str(text_of(chunk)),
            Some("thinking") => {
                let parts = chunk.get("thinking").and_then(Value::as_array);
                for part in parts.map_or(&[][..], |p| &p[..]) {
                    thinking.push_str(text_of(part));
                }
            }
            _ => {}
        }
    }
    holder.set("content", Value::String(text));
    if !thinking.is_empty() {
        holder.set("reasoning_content", Value::String(thinking));
    }
    true
}

fn add_null(object: &mut Map, key: &str) -> bool {
    let missing = !object.contains_key(key);
    if missing {
        object.set(key, Value::Null);
    }
    missing
}

fn add_type(call: &mut Map) -> bool {
    if call.get("type").is_some_and(|t| !t.is_null()) {
        return false;
    }
    call.set("type", Value::String("function".into()));
    true
}

/// Counts the tool calls seen per choice across a stream, to number those that come
/// without an `index`.
#[derive(Debug, Default)]
pub struct ToolCallNumbers {
    seen: Vec<(u64, u64)>,
}

impl ToolCallNumbers {
    fn next(&mut self, choice: u64) -> u64 {
        // Past MAX_CHOICES choices the stream fails in the accumulator anyway; the
        // numbers only need to come in bounded time.
        let at = match self.seen.iter().position(|(c, _)| *c == choice) {
            Some(at) => at,
            None if self.seen.len() >= MAX_CHOICES => return 0,
            None => {
                self.seen.push((choice, 0));
                self.seen.len() - 1
            }
        };
        let n = self.seen[at].1;
        self.seen[at].1 += 1;
        n
    }

    /// A chunk's tool-call deltas given `type` and `index` where they have none, and
    /// its content chunks flattened (see [`flatten_chunks`]). `None` when the chunk
    /// needed no change.
    pub fn fix_chunk(&mut self, data: &str) -> Option<String> {
        let find = crate::bytes::find_str;
        find(data, "tool_calls").or_else(|| find(data, "\"content\":["))?;
        let mut value: Value = crate::json::parse(data).ok()?;
        let mut changed = false;
        for choice in value.get_mut("choices")?.as_array_mut()? {
            if let Some(delta) = choice.get_mut("delta").and_then(Value::as_object_mut) {
                changed |= flatten_chunks(delta);
            }
            let number = choice.get("index").and_then(Value::as_u64).unwrap_or(0);
            let calls = choice
                .get_mut("delta")
                .and_then(|d| d.get_mut("tool_calls"))
                .and_then(Value::as_array_mut);
            for call in calls
                .map_or(&mut [][..], |c| &mut c[..])
                .iter_mut()
                .filter_map(Value::as_object_mut)
            {
                if call.get("index").and_then(Value::as_u64).is_none() {
                    call.set("index", Value::from(self.next(number)));
                    changed = true;
                }
                changed |= add_type(call);
            }
        }
        changed.then(|| value.to_string())
    }
}

/// Reasoning text under the host's own name (`reasoning`: OpenRouter, Groq, Ollama,
/// ...) renamed to `reasoning_content`, where OpenAI-shaped code (and onellm's other
/// providers) put it, in a completion or a chunk; `None` when there is none to rename.
/// A key is the only place the quoted name followed by a colon can be (in a string
/// its quotes would be escaped); a body that has both names is left as it is.
pub fn rename_reasoning(text: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\":");
    crate::bytes::find_str(text, &key)?;
    if crate::bytes::find_str(text, "\"reasoning_content\":").is_some() {
        return None;
    }
    Some(crate::bytes::replace(text, &key, "\"reasoning_content\":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Mistral completion with a tool call, as its API sends it (no `type`).
    const MISTRAL: &str = r#"{"id":"cmpl-e5cc70bb28c444948073e77776eb30ef","object":"chat.completion","model":"mistral-small-latest","usage":{"prompt_tokens":93,"completion_tokens":22,"total_tokens":115},"created":1732018464,"choices":[{"index":0,"message":{"content":"","tool_calls":[{"id":"Y9RcQ6xVS","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}],"role":"assistant"},"finish_reason":"tool_calls"}]}"#;

    #[test]
    fn completions_get_the_members_openai_always_sends() {
        let fixed: Value = crate::json::parse(&openai_shape(MISTRAL).unwrap()).unwrap();
        let choice = &fixed["choices"][0];
        let call = &choice["message"]["tool_calls"][0];
        assert_eq!(call["type"], "function");
        assert_eq!(call["id"], "Y9RcQ6xVS");
        assert_eq!(choice["logprobs"], Value::Null);
        assert_eq!(choice["message"]["refusal"], Value::Null);
        let openai = MISTRAL
            .replace(
                r#""id":"Y9RcQ6xVS","#,
                r#""id":"Y9RcQ6xVS","type":"function","#,
            )
            .replace(
                r#""role":"assistant"}"#,
                r#""role":"assistant","refusal":null},"logprobs":null"#,
            );
        assert_eq!(openai_shape(&openai), None, "nothing to fix");
        assert_eq!(openai_shape(r#"{"choices":[]}"#), None);
    }

    /// Magistral's answer, in the shape of Mistral's `ThinkChunk` (mistralai/client-python).
    #[test]
    fn mistral_thinking_chunks_become_reasoning_content() {
        let body = r#"{"id":"m","object":"chat.completion","created":1,"model":"magistral-medium-latest","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Two and "},{"type":"text","text":"two."}]},{"type":"text","text":"4"}]},"finish_reason":"stop"}]}"#;
        let fixed: Value = crate::json::parse(&openai_shape(body).unwrap()).unwrap();
        let m = &fixed["choices"][0]["message"];
        assert_eq!(
            (m["content"].as_str(), m["reasoning_content"].as_str()),
            (Some("4"), Some("Two and two."))
        );
        let mut numbers = ToolCallNumbers::default();
        let delta = r#"{"id":"m","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"Hmm"}]}]},"finish_reason":null}]}"#;
        let fixed: Value = crate::json::parse(&numbers.fix_chunk(delta).unwrap()).unwrap();
        let d = &fixed["choices"][0]["delta"];
        assert_eq!(
            (d["content"].as_str(), d["reasoning_content"].as_str()),
            (Some(""), Some("Hmm"))
        );
        let plain = r#"{"choices":[{"index":0,"delta":{"content":"a [\"content\":[ b"}}]}"#;
        assert_eq!(
            numbers.fix_chunk(plain),
            None,
            "string content is left alone"
        );
    }

    #[test]
    fn reasoning_under_the_hosts_name_becomes_reasoning_content() {
        // Groq's parsed reasoning, as its API reference shows a message.
        let groq = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"4","reasoning":"2 + 2 \"reasoning\": 4"},"finish_reason":"stop"}],"usage":{"completion_tokens_details":{"reasoning_tokens":5}}}"#;
        let fixed: Value =
            crate::json::parse(&rename_reasoning(groq, "reasoning").unwrap()).unwrap();
        let message = &fixed["choices"][0]["message"];
        assert_eq!(
            message["reasoning_content"], "2 + 2 \"reasoning\": 4",
            "a quoted name in text stays"
        );
        assert!(message.get("reasoning").is_none());
        assert_eq!(
            fixed["usage"]["completion_tokens_details"]["reasoning_tokens"],
            5
        );
        let delta = r#"{"choices":[{"index":0,"delta":{"reasoning":null,"content":"hi"}}]}"#;
        assert!(rename_reasoning(delta, "reasoning")
            .unwrap()
            .contains(r#"{"reasoning_content":null,"#));
        assert_eq!(
            rename_reasoning(r#"{"choices":[{"delta":{"content":"x"}}]}"#, "reasoning"),
            None
        );
        let both = r#"{"delta":{"reasoning":"a","reasoning_content":"a"}}"#;
        assert_eq!(
            rename_reasoning(both, "reasoning"),
            None,
            "never two keys of one name"
        );
    }

    #[test]
    fn stream_tool_calls_are_numbered_per_choice_in_order() {
        let mut numbers = ToolCallNumbers::default();
        let chunk = |calls: &str| {
            format!(
                r#"{{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{"index":0,"delta":{{"tool_calls":[{calls}]}},"finish_reason":null}}]}}"#
            )
        };
        let call =
            |id: &str| format!(r#"{{"id":"{id}","function":{{"name":"f","arguments":"{{}}"}}}}"#);
        let first = numbers.fix_chunk(&chunk(&call("a"))).unwrap();
        let second = numbers
            .fix_chunk(&chunk(&format!("{},{}", call("b"), call("c"))))
            .unwrap();
        let calls = |text: &str| {
            let v: Value = crate::json::parse(text).unwrap();
            v["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["index"].as_u64().unwrap(),
                        c["type"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(calls(&first), [(0, "function".to_string())]);
        assert_eq!(
            calls(&second),
            [(1, "function".to_string()), (2, "function".to_string())]
        );
        assert_eq!(
            numbers.fix_chunk(r#"{"choices":[{"index":0,"delta":{"content":"hi"}}]}"#),
            None
        );
    }
}
