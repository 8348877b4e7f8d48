//! Response: a `GenerateContentResponse` as an OpenAI `chat.completion`; each
//! candidate is a choice. The same wire types serve the stream's fragments.

use crate::json;
use crate::json::{Number, Value};

use super::error::stream_error;
use crate::error::Result;
use crate::json::{read_items, string_or_empty};
use crate::providers::wire::malformed_body;
use crate::providers::Translation;
use crate::scan::{Malformed, Scan, Scanner};
use crate::types::request::{FunctionCall, ToolCall};
use crate::types::{ChatCompletion, Choice, CompletionMessage, Usage};

// The wire types, read by the pull scanner (crate::scan): every stream fragment is a
// whole response, so this is a hot path (a `Value` tree per fragment cost twice as
// much). Counts read leniently (any number), fields absent or `null` as empty.

#[derive(Debug, Default)]
pub(crate) struct WireResponse {
    pub candidates: Vec<Candidate>,
    pub prompt_feedback: Option<PromptFeedback>,
    pub usage_metadata: Option<UsageMetadata>,
    pub model_version: Option<String>,
    pub response_id: Option<String>,
    /// An error sent inside a stream.
    pub error: Option<Value>,
}

#[derive(Debug)]
pub(crate) struct Candidate {
    pub content: Option<WireContent>,
    pub finish_reason: Option<String>,
    pub index: Option<u32>,
    pub logprobs_result: Option<LogprobsResult>,
}

#[derive(Debug)]
pub(crate) struct WireContent {
    pub parts: Vec<Part>,
}

#[derive(Debug)]
pub(crate) struct Part {
    pub text: Option<String>,
    /// Where `text`'s string lies in the fragment (quotes included), for the
    /// stream's [`crate::providers::template::TextTemplate`].
    pub text_span: Option<(usize, usize)>,
    pub thought: bool,
    pub function_call: Option<WireFunctionCall>,
    /// Thinking models sign their function calls; the signature must come back with
    /// the call in the next request.
    pub thought_signature: Option<String>,
    /// A part OpenAI's shape has no place for (`executableCode`,
    /// `codeExecutionResult`, `inlineData` and `fileData` output), as it came, for
    /// `provider_content`.
    pub other: Option<Value>,
}

/// Part members kept whole under `provider_content`.
const OTHER_PARTS: &[&str] = &[
    "executableCode",
    "codeExecutionResult",
    "inlineData",
    "fileData",
];

#[derive(Debug)]
pub(crate) struct WireFunctionCall {
    pub name: String,
    pub args: Value,
}

impl WireFunctionCall {
    /// The arguments as JSON text; a call without `args` has none: `{}`.
    pub fn arguments(&self) -> String {
        match &self.args {
            Value::Null => "{}".into(),
            args => args.to_string(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct PromptFeedback {
    pub block_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct UsageMetadata {
    pub prompt_token_count: Option<u64>,
    pub candidates_token_count: Option<u64>,
    pub total_token_count: Option<u64>,
    pub thoughts_token_count: Option<u64>,
    pub cached_content_token_count: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct LogprobsResult {
    pub top_candidates: Vec<TopCandidates>,
    pub chosen_candidates: Vec<LogprobCandidate>,
}

#[derive(Debug)]
pub(crate) struct TopCandidates {
    pub candidates: Vec<LogprobCandidate>,
}

#[derive(Debug)]
pub(crate) struct LogprobCandidate {
    pub token: String,
    /// Kept as Gemini wrote it and sent on as it is: never re-printed from a double.
    pub log_probability: Value,
}

/// Any JSON number as a count: fractions drop, negatives read as 0, huge values
/// saturate.
fn count(s: &mut Scanner) -> Scan<Option<u64>> {
    // `as` saturates and maps NaN to 0.
    Ok(s.number()?.map(|n| n as u64))
}

/// A string, `null` read as absent, as an owned value.
fn string(s: &mut Scanner) -> Scan<Option<String>> {
    Ok(s.string()?.map(std::borrow::Cow::into_owned))
}

/// The items of an array (`null` as none), each read by `item`.
fn list<'a, T>(s: &mut Scanner<'a>, item: fn(&mut Scanner<'a>) -> Scan<T>) -> Scan<Vec<T>> {
    let mut out = Vec::new();
    if !s.null()? {
        s.array(|s| {
            out.push(item(s)?);
            Ok(())
        })?;
    }
    Ok(out)
}

impl WireResponse {
    /// A response or stream fragment from its JSON text.
    pub fn parse(text: &str) -> Scan<Self> {
        let mut s = Scanner::new(text);
        let mut r = WireResponse::default();
        s.object(|s, key| {
            match key {
                "candidates" => r.candidates = list(s, Candidate::scan)?,
                "promptFeedback" if s.null()? => {}
                "promptFeedback" => {
                    let mut feedback = PromptFeedback { block_reason: None };
                    s.object(|s, key| match key {
                        "blockReason" => {
                            feedback.block_reason = string(s)?;
                            Ok(())
                        }
                        _ => s.skip(),
                    })?;
                    r.prompt_feedback = Some(feedback);
                }
                "usageMetadata" if s.null()? => {}
                "usageMetadata" => r.usage_metadata = Some(UsageMetadata::scan(s)?),
                "modelVersion" => r.model_version = string(s)?,
                "responseId" => r.response_id = string(s)?,
                "error" => r.error = Some(s.value()?).filter(|e| !e.is_null()),
                _ => s.skip()?,
            }
            Ok(())
        })?;
        s.finish()?;
        Ok(r)
    }
}

impl Candidate {
    fn scan(s: &mut Scanner) -> Scan<Self> {
        let mut c = Candidate {
            content: None,
            finish_reason: None,
            index: None,
            logprobs_result: None,
        };
        s.object(|s, key| {
            match key {
                "content" if s.null()? => {}
                "content" => {
                    let mut parts = Vec::new();
                    s.object(|s, key| match key {
                        "parts" => {
                            parts = list(s, Part::scan)?;
                            Ok(())
                        }
                        _ => s.skip(),
                    })?;
                    c.content = Some(WireContent { parts });
                }
                "finishReason" => c.finish_reason = string(s)?,
                "index" => c.index = count(s)?.map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
                // Rare (asked for with `logprobs`): read as JSON, then by hand.
                "logprobsResult" => {
                    let v = s.value()?;
                    c.logprobs_result = (!v.is_null()).then(|| LogprobsResult::read(&v));
                }
                _ => s.skip()?,
            }
            Ok(())
        })?;
        Ok(c)
    }
}

impl Part {
    fn scan(s: &mut Scanner) -> Scan<Self> {
        let mut p = Part {
            text: None,
            text_span: None,
            thought: false,
            function_call: None,
            thought_signature: None,
            other: None,
        };
        s.object(|s, key| {
            match key {
                "text" => {
                    let start = s.position();
                    p.text = string(s)?;
                    p.text_span = p.text.as_ref().map(|_| (start, s.position()));
                }
                "thought" => p.thought = s.bool()?.unwrap_or(false),
                "thoughtSignature" => p.thought_signature = string(s)?,
                "functionCall" if s.null()? => {}
                "functionCall" => {
                    let (mut name, mut args) = (None, Value::Null);
                    s.object(|s, key| match key {
                        "name" => {
                            name = string(s)?;
                            Ok(())
                        }
                        "args" => {
                            args = s.value()?;
                            Ok(())
                        }
                        _ => s.skip(),
                    })?;
                    // A call without a name is no call: the fragment is malformed.
                    let name = name.ok_or(Malformed { at: 0 })?;
                    p.function_call = Some(WireFunctionCall { name, args });
                }
                other if OTHER_PARTS.contains(&other) => {
                    let mut part = crate::json::Map::new();
                    part.set(other, s.value()?);
                    p.other = Some(Value::Object(part));
                }
                _ => s.skip()?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

impl UsageMetadata {
    fn scan(s: &mut Scanner) -> Scan<Self> {
        let mut u = UsageMetadata::default();
        s.object(|s, key| {
            let slot = match key {
                "promptTokenCount" => &mut u.prompt_token_count,
                "candidatesTokenCount" => &mut u.candidates_token_count,
                "totalTokenCount" => &mut u.total_token_count,
                "thoughtsTokenCount" => &mut u.thoughts_token_count,
                "cachedContentTokenCount" => &mut u.cached_content_token_count,
                _ => return s.skip(),
            };
            *slot = count(s)?;
            Ok(())
        })?;
        Ok(u)
    }
}

impl LogprobsResult {
    fn read(v: &Value) -> Self {
        let candidate = |c: &Value| LogprobCandidate {
            token: string_or_empty(c, "token"),
            log_probability: match c.get("logProbability") {
                Some(Value::Number(n)) => Value::Number(n.clone()),
                _ => Value::Number(Number::from(0u64)),
            },
        };
        LogprobsResult {
            top_candidates: read_items(v, "topCandidates", |t| TopCandidates {
                candidates: read_items(t, "candidates", candidate),
            }),
            chosen_candidates: read_items(v, "chosenCandidates", candidate),
        }
    }
}

impl UsageMetadata {
    /// OpenAI counts reasoning inside `completion_tokens`; Gemini counts thoughts apart.
    pub fn to_openai(&self) -> Usage {
        let prompt = self.prompt_token_count.unwrap_or(0);
        let thoughts = self.thoughts_token_count.unwrap_or(0);
        // Saturating: counts come off the wire, and an overflow must not panic.
        let completion = self
            .candidates_token_count
            .unwrap_or(0)
            .saturating_add(thoughts);
        Usage {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: self
                .total_token_count
                .unwrap_or(prompt.saturating_add(completion)),
            prompt_tokens_details: Some(json!({
                "cached_tokens": self.cached_content_token_count.unwrap_or(0)
            })),
            completion_tokens_details: Some(json!({ "reasoning_tokens": thoughts })),
        }
    }
}

/// <https://ai.google.dev/api/generate-content#FinishReason>
pub fn map_finish_reason(reason: &str, calls_functions: bool) -> &'static str {
    match reason {
        "STOP" if calls_functions => "tool_calls",
        "MAX_TOKENS" => "length",
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            "content_filter"
        }
        _ => "stop",
    }
}

/// Gemini's chosen and top candidates as OpenAI's `logprobs.content`.
pub(crate) fn map_logprobs(result: &LogprobsResult) -> Value {
    let entry = |c: &LogprobCandidate| json!({"token": c.token, "logprob": c.log_probability, "bytes": null});
    let mut content = Vec::with_capacity(result.chosen_candidates.len());
    for (i, chosen) in result.chosen_candidates.iter().enumerate() {
        let mut top = Vec::new();
        for candidate in result
            .top_candidates
            .get(i)
            .map_or(&[][..], |t| &t.candidates[..])
        {
            top.push(entry(candidate));
        }
        let mut e = entry(chosen);
        e["top_logprobs"] = Value::Array(top);
        content.push(e);
    }
    json!({ "content": content, "refusal": null })
}

/// Separates a tool-call id from the thought signature carried inside it (the
/// separator LiteLLM uses too, so ids round-trip between the two).
pub const SIGNATURE_SEPARATOR: &str = "__thought__";

/// A tool-call id (Gemini sends none), unique within the answer. A thought signature
/// rides inside it: the caller sends the id back with the call in its next request,
/// which is where Gemini needs the signature.
pub(crate) fn call_id(
    response_id: &str,
    candidate: u32,
    n: usize,
    signature: Option<&str>,
) -> String {
    match signature {
        Some(sig) => format!("call_{response_id}_{candidate}_{n}{SIGNATURE_SEPARATOR}{sig}"),
        None => format!("call_{response_id}_{candidate}_{n}"),
    }
}

/// The answer's id when Gemini sends no `responseId`: a process-wide counter tells
/// apart answers of the same second, so their tool-call ids never repeat.
pub(crate) fn fallback_id(created: u64) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("gemini-{created}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

pub fn parse_completion(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    _translation: &Translation,
    created: u64,
) -> Result<String> {
    let what = "gemini response";
    let response = WireResponse::parse(body).map_err(|e| {
        let why = format!("not a response, at byte {}", e.at);
        malformed_body(status, headers, body, what, &why)
    })?;
    if let Some(error) = &response.error {
        return Err(stream_error(error));
    }
    if response.candidates.is_empty() && response.prompt_feedback.is_none() {
        // `{}` is no answer: a blocked prompt says so in `promptFeedback`.
        return Err(malformed_body(
            status,
            headers,
            body,
            what,
            "no `candidates`",
        ));
    }
    let response_id = response
        .response_id
        .clone()
        .unwrap_or_else(|| fallback_id(created));
    let mut choices: Vec<Choice> = Vec::with_capacity(response.candidates.len());
    for c in &response.candidates {
        // JSON leaves out a zero index; the position is no stand-in for it.
        let index = c.index.unwrap_or(0);
        let mut text: Option<String> = None;
        let mut thoughts: Option<String> = None;
        let mut calls = Vec::new();
        let mut other = Vec::new();
        for part in c
            .content
            .as_ref()
            .map_or(&[][..], |content| &content.parts[..])
        {
            if let Some(part) = &part.other {
                other.push(part.clone());
            } else if let Some(call) = &part.function_call {
                calls.push(ToolCall {
                    id: call_id(
                        &response_id,
                        index,
                        calls.len(),
                        part.thought_signature.as_deref(),
                    ),
                    kind: "function".into(),
                    function: FunctionCall {
                        name: call.name.clone(),
                        arguments: call.arguments(),
                    },
                });
            } else if let Some(t) = &part.text {
                let slot = if part.thought {
                    &mut thoughts
                } else {
                    &mut text
                };
                slot.get_or_insert_with(String::new).push_str(t);
            }
        }
        let finish = c
            .finish_reason
            .as_deref()
            .map(|r| map_finish_reason(r, !calls.is_empty()).to_string());
        choices.push(Choice {
            index,
            message: CompletionMessage {
                role: "assistant".into(),
                content: text,
                refusal: None,
                tool_calls: (!calls.is_empty()).then_some(calls),
                reasoning_content: thoughts,
                thinking_blocks: None,
                provider_content: (!other.is_empty()).then_some(other),
            },
            logprobs: c.logprobs_result.as_ref().map(map_logprobs),
            finish_reason: finish,
        });
    }
    // A prompt blocked outright has no candidates: one empty, filtered choice.
    if choices.is_empty()
        && response
            .prompt_feedback
            .as_ref()
            .is_some_and(|f| f.block_reason.is_some())
    {
        choices.push(blocked_choice());
    }
    let completion = ChatCompletion {
        id: response_id,
        object: "chat.completion".into(),
        created,
        model: response.model_version.unwrap_or_default(),
        choices,
        usage: response
            .usage_metadata
            .as_ref()
            .map(UsageMetadata::to_openai),
        system_fingerprint: None,
    };
    Ok(crate::json::to_string(&completion))
}

fn blocked_choice() -> Choice {
    Choice {
        index: 0,
        message: CompletionMessage {
            role: "assistant".into(),
            content: None,
            refusal: None,
            tool_calls: None,
            reasoning_content: None,
            thinking_blocks: None,
            provider_content: None,
        },
        logprobs: None,
        finish_reason: Some("content_filter".into()),
    }
}

#[cfg(test)]
pub(crate) mod tests_data {
    /// Shaped as the code-execution example in Google's Gemini API documentation
    /// (ai.google.dev, "Code execution"), shortened.
    pub const CODE_EXECUTION: &str = r#"{"candidates": [{"content": {"parts": [{"text": "I'll compute it."}, {"executableCode": {"language": "PYTHON", "code": "print(sum(range(5)))"}}, {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "10\n"}}, {"text": "The sum is 10."}, {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}], "role": "model"}, "finishReason": "STOP", "index": 0}], "modelVersion": "gemini-2.5-flash", "responseId": "r2"}"#;
}

#[cfg(test)]
mod tests {
    use super::tests_data::CODE_EXECUTION;
    use super::*;

    fn parse(body: &str) -> Value {
        let json = parse_completion(200, &[], body, &Translation::default(), 9).unwrap();
        crate::json::parse(&json).unwrap()
    }

    #[test]
    fn code_execution_and_inline_data_parts_are_kept_under_provider_content() {
        let c = parse(CODE_EXECUTION);
        let m = &c["choices"][0]["message"];
        assert_eq!(m["content"], "I'll compute it.The sum is 10.");
        assert_eq!(
            m["provider_content"],
            json!([{"executableCode": {"language": "PYTHON", "code": "print(sum(range(5)))"}},
                {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "10\n"}},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}])
        );
    }

    #[test]
    fn text_thoughts_usage() {
        let body = r#"{"candidates": [{"content": {"parts": [{"text": "Let me see.", "thought": true}, {"text": "The capital"}, {"text": " is Cheyenne."}],"role": "model"},"finishReason": "STOP","index": 0}],
            "usageMetadata": {"promptTokenCount": 7,"candidatesTokenCount": 10,"thoughtsTokenCount": 4,"cachedContentTokenCount": 2,"totalTokenCount": 21},
            "modelVersion": "gemini-2.0-flash","responseId": "resp1"}"#;
        let c = parse(body);
        assert_eq!(
            c,
            json!({"id": "resp1", "object": "chat.completion", "created": 9, "model": "gemini-2.0-flash",
                "choices": [{"index": 0, "logprobs": null, "finish_reason": "stop", "message": {
                    "role": "assistant", "content": "The capital is Cheyenne.", "refusal": null, "reasoning_content": "Let me see."}}],
                "usage": {"prompt_tokens": 7, "completion_tokens": 14, "total_tokens": 21,
                    "prompt_tokens_details": {"cached_tokens": 2}, "completion_tokens_details": {"reasoning_tokens": 4}}})
        );
    }

    #[test]
    fn function_calls_get_unique_ids_and_tool_calls_finish() {
        let body = r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "now"}}, {"functionCall": {"name": "add", "args": {"a": 1}}}],"role": "model"},"finishReason": "STOP"}],"responseId": "r9"}"#;
        let c = parse(body);
        let calls = &c["choices"][0]["message"]["tool_calls"];
        assert_eq!(
            calls[0],
            json!({"id": "call_r9_0_0", "type": "function", "function": {"name": "now", "arguments": "{}"}})
        );
        assert_eq!(
            calls[1]["function"],
            json!({"name": "add", "arguments": "{\"a\":1}"})
        );
        assert_ne!(calls[0]["id"], calls[1]["id"]);
        assert_eq!(c["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(c["choices"][0]["message"]["content"], Value::Null);
    }

    #[test]
    fn a_thought_signature_rides_in_the_tool_call_id() {
        let body = r#"{"candidates": [{"content": {"parts": [{"functionCall": {"name": "now", "args": {}}, "thoughtSignature": "c2ln"}]}, "finishReason": "STOP"}], "responseId": "r1"}"#;
        let c = parse(body);
        assert_eq!(
            c["choices"][0]["message"]["tool_calls"][0]["id"],
            "call_r1_0_0__thought__c2ln"
        );
    }

    #[test]
    fn a_blocked_prompt_is_a_filtered_choice() {
        let body = r#"{"promptFeedback": {"blockReason": "SAFETY","safetyRatings": [{"category": "HARM_CATEGORY_HATE_SPEECH","probability": "HIGH"}]}}"#;
        let c = parse(body);
        assert_eq!(c["choices"][0]["finish_reason"], "content_filter");
        assert_eq!(c["choices"][0]["message"]["content"], Value::Null);
    }

    #[test]
    fn finish_reasons_and_candidates() {
        for (r, calls, want) in [
            ("STOP", false, "stop"),
            ("STOP", true, "tool_calls"),
            ("MAX_TOKENS", false, "length"),
            ("SAFETY", false, "content_filter"),
            ("RECITATION", false, "content_filter"),
            ("BLOCKLIST", false, "content_filter"),
            ("PROHIBITED_CONTENT", false, "content_filter"),
            ("SPII", false, "content_filter"),
            ("OTHER", false, "stop"),
        ] {
            assert_eq!(map_finish_reason(r, calls), want, "{r}");
        }
        let body = r#"{"candidates": [{"content": {"parts": [{"text": "a"}]},"finishReason": "STOP","index": 0},
            {"finishReason": "SAFETY","index": 1}]}"#;
        let c = parse(body);
        assert_eq!(c["choices"][1]["finish_reason"], "content_filter");
        assert_eq!(c["choices"][1]["index"], 1);
    }

    #[test]
    fn logprobs_in_openai_shape() {
        let body = r#"{"candidates": [{"content": {"parts": [{"text": "Hi"}]},"finishReason": "STOP",
            "logprobsResult": {"topCandidates": [{"candidates": [{"token": "Hi","logProbability": -0.1},{"token": "Hey","logProbability": -2.5}]}],
                "chosenCandidates": [{"token": "Hi","logProbability": -0.1}]}}]}"#;
        let c = parse(body);
        assert_eq!(
            c["choices"][0]["logprobs"],
            json!({"content": [{"token": "Hi", "logprob": -0.1, "bytes": null, "top_logprobs": [
                {"token": "Hi", "logprob": -0.1, "bytes": null}, {"token": "Hey", "logprob": -2.5, "bytes": null}]}], "refusal": null})
        );
    }
}
