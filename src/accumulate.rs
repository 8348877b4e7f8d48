//! Folds `chat.completion.chunk`s into the `chat.completion` they add up to, for
//! `stream.finalChatCompletion()`. Same rules as openai-node's `ChatCompletionStream`:
//! text is concatenated, tool calls are keyed by their `index`, the last non-null
//! finish reason and usage win.

use crate::json::Value;

use crate::types::request::{FunctionCall, ToolCall};
use crate::types::{ChatCompletion, ChatCompletionChunk, Choice, CompletionMessage, Usage};

#[derive(Debug, Default)]
pub struct Accumulator {
    id: String,
    created: u64,
    model: String,
    system_fingerprint: Option<String>,
    usage: Option<Usage>,
    choices: Vec<ChoiceState>,
    /// Some chunk carried content: text, a refusal, reasoning, a tool call or a
    /// finish reason (a role, an empty text or usage alone do not count).
    started: bool,
    /// Bytes of text kept so far for [`Accumulator::finish`].
    kept: usize,
    /// Set when a chunk named a choice or tool call past [`MAX_CHOICES`] /
    /// [`MAX_TOOL_CALLS`]: what it said is dropped, and the stream fails with
    /// [`TOO_MANY`].
    overflow: bool,
}

/// The most choices a stream may name: OpenAI's own limit for `n`.
pub const MAX_CHOICES: usize = 128;
/// The most tool calls one choice may make, far beyond any real answer.
pub const MAX_TOOL_CALLS: usize = 256;
/// What a stream past either limit fails with.
pub const TOO_MANY: &str = "the stream named more than 128 choices or 256 tool calls";

#[derive(Debug, Default)]
struct ChoiceState {
    index: u32,
    content: Option<GrowingText>,
    refusal: Option<GrowingText>,
    reasoning: Option<GrowingText>,
    /// Keyed by the stream's `index`, in order of first appearance. Not a Vec indexed
    /// by it: a hostile `index: 4000000000` must not allocate four billion slots.
    tool_calls: Vec<(u32, ToolCall)>,
    finish_reason: Option<String>,
    logprobs: Option<Value>,
    thinking_blocks: Vec<Value>,
    provider_content: Vec<Value>,
}

impl ChoiceState {
    fn tool_call(&mut self, index: u32) -> Option<&mut ToolCall> {
        // The search is bounded by the cap: one chunk naming a new call per item
        // costs time linear in its size, never quadratic.
        let at = match self.tool_calls.iter().position(|(i, _)| *i == index) {
            Some(at) => at,
            None if self.tool_calls.len() >= MAX_TOOL_CALLS => return None,
            None => {
                let empty = ToolCall {
                    id: String::new(),
                    kind: "function".into(),
                    function: FunctionCall {
                        name: String::new(),
                        arguments: String::new(),
                    },
                };
                self.tool_calls.push((index, empty));
                self.tool_calls.len() - 1
            }
        };
        Some(&mut self.tool_calls[at].1)
    }
}

fn append(slot: &mut Option<GrowingText>, text: Option<&str>) {
    if let Some(text) = text {
        slot.get_or_insert_with(GrowingText::default).push(text);
    }
}

/// Beyond this, text grows in new segments rather than by moving what it holds.
const SEGMENT: usize = 64 * 1024;

/// Text that grows by appends without moving what it already holds. A `String` would
/// double its buffer (copying it) as a long answer grows, and Wasm memory, once grown,
/// never shrinks: a million-token answer would keep several times its size. Here it
/// costs its size, in segments of about [`SEGMENT`] bytes, joined once at the end.
#[derive(Debug, Default)]
struct GrowingText {
    full: Vec<String>,
    current: String,
}

impl GrowingText {
    fn push(&mut self, text: &str) {
        if self.current.len() + text.len() > SEGMENT && !self.current.is_empty() {
            let next = String::with_capacity(SEGMENT.max(text.len()));
            self.full.push(std::mem::replace(&mut self.current, next));
        }
        self.current.push_str(text);
    }

    fn joined(&self) -> String {
        let len = self.full.iter().map(String::len).sum::<usize>() + self.current.len();
        let mut out = String::with_capacity(len);
        for segment in &self.full {
            out.push_str(segment);
        }
        out.push_str(&self.current);
        out
    }
}

/// One choice's part of a chunk, borrowed from whichever chunk type carries it: the
/// chunks translators build, or the OpenAI chunk text read in place.
pub struct ChoiceDelta<'a> {
    pub index: u32,
    pub content: Option<&'a str>,
    pub refusal: Option<&'a str>,
    pub reasoning: Option<&'a str>,
    pub thinking_blocks: &'a [Value],
    pub provider_content: &'a [Value],
    pub finish_reason: Option<&'a str>,
    pub logprobs: Option<&'a Value>,
}

impl<'a> ChoiceDelta<'a> {
    /// A delta of text alone.
    pub fn text(index: u32, content: &'a str) -> Self {
        ChoiceDelta {
            index,
            content: Some(content),
            refusal: None,
            reasoning: None,
            thinking_blocks: &[],
            provider_content: &[],
            finish_reason: None,
            logprobs: None,
        }
    }
}

/// One tool call's part of a chunk.
pub struct ToolDelta<'a> {
    pub index: u32,
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub arguments: Option<&'a str>,
}

impl Accumulator {
    pub fn push(&mut self, chunk: &ChatCompletionChunk) {
        self.head(
            &chunk.id,
            chunk.created,
            &chunk.model,
            chunk.system_fingerprint.as_deref(),
        );
        if chunk.usage.is_some() {
            self.usage.clone_from(&chunk.usage);
        }
        for c in &chunk.choices {
            let d = &c.delta;
            self.choice_delta(ChoiceDelta {
                index: c.index,
                content: d.content.as_deref(),
                refusal: d.refusal.as_deref(),
                reasoning: d.reasoning_content.as_deref(),
                thinking_blocks: d.thinking_blocks.as_deref().unwrap_or_default(),
                provider_content: d.provider_content.as_deref().unwrap_or_default(),
                finish_reason: c.finish_reason.as_deref(),
                logprobs: c.logprobs.as_ref(),
            });
            for t in d.tool_calls.as_deref().unwrap_or_default() {
                let f = t.function.as_ref();
                self.tool_delta(
                    c.index,
                    ToolDelta {
                        index: t.index,
                        id: t.id.as_deref(),
                        name: f.and_then(|f| f.name.as_deref()),
                        arguments: f.and_then(|f| f.arguments.as_deref()),
                    },
                );
            }
        }
    }

    /// The chunk's identity: the first chunk's id, time and model name the answer.
    pub fn head(&mut self, id: &str, created: u64, model: &str, fingerprint: Option<&str>) {
        if self.id.is_empty() {
            self.id = id.to_string();
            self.created = created;
            self.model = model.to_string();
        }
        if let Some(fingerprint) = fingerprint {
            self.system_fingerprint = Some(fingerprint.to_string());
        }
    }

    pub fn choice_delta(&mut self, d: ChoiceDelta) {
        let some = |t: Option<&str>| t.is_some_and(|t| !t.is_empty());
        self.started |= some(d.content)
            || some(d.refusal)
            || some(d.reasoning)
            || !d.thinking_blocks.is_empty()
            || !d.provider_content.is_empty()
            || d.finish_reason.is_some();
        let len = |t: Option<&str>| t.map_or(0, str::len);
        self.kept = self
            .kept
            .saturating_add(len(d.content) + len(d.refusal) + len(d.reasoning));
        let Some(state) = self.choice(d.index) else {
            return;
        };
        append(&mut state.content, d.content);
        append(&mut state.refusal, d.refusal);
        append(&mut state.reasoning, d.reasoning);
        state.thinking_blocks.extend_from_slice(d.thinking_blocks);
        state.provider_content.extend_from_slice(d.provider_content);
        if let Some(reason) = d.finish_reason {
            state.finish_reason = Some(reason.to_string());
        }
        merge_logprobs(&mut state.logprobs, d.logprobs);
    }

    pub fn tool_delta(&mut self, choice: u32, t: ToolDelta) {
        self.started = true;
        let Some(call) = self.choice(choice).and_then(|c| c.tool_call(t.index)) else {
            self.overflow = true;
            return;
        };
        if let Some(id) = t.id {
            call.id = id.to_string();
        }
        // Assigned, not appended: some servers repeat the name in every delta.
        if let Some(name) = t.name.filter(|n| !n.is_empty()) {
            call.function.name = name.to_string();
        }
        if let Some(args) = t.arguments {
            call.function.arguments.push_str(args);
            self.kept = self.kept.saturating_add(args.len());
        }
    }

    /// Bytes of text (content, refusal, reasoning, tool arguments) kept so far.
    pub fn kept(&self) -> usize {
        self.kept
    }

    /// Whether some chunk carried content (text, refusal, reasoning, a tool call or a
    /// finish reason): the moment a stream counts as started.
    pub fn started(&self) -> bool {
        self.started
    }

    pub fn set_usage(&mut self, usage: Usage) {
        self.usage = Some(usage);
    }

    /// Why the stream must fail, when a chunk named more choices or calls than kept.
    pub fn overflow(&self) -> Option<&'static str> {
        self.overflow.then_some(TOO_MANY)
    }

    fn choice(&mut self, index: u32) -> Option<&mut ChoiceState> {
        let at = match self.choices.iter().position(|c| c.index == index) {
            Some(at) => at,
            None if self.choices.len() >= MAX_CHOICES => {
                self.overflow = true;
                return None;
            }
            None => {
                self.choices.push(ChoiceState {
                    index,
                    ..ChoiceState::default()
                });
                self.choices.len() - 1
            }
        };
        Some(&mut self.choices[at])
    }

    pub fn finish(&self) -> ChatCompletion {
        let mut choices: Vec<Choice> = Vec::with_capacity(self.choices.len());
        for c in &self.choices {
            let tool_calls = (!c.tool_calls.is_empty()).then(|| {
                let mut calls = c.tool_calls.clone();
                crate::sort::sort_by(&mut calls, &|a, b| a.0 < b.0);
                let mut ordered = Vec::with_capacity(calls.len());
                for (_, call) in calls {
                    ordered.push(call);
                }
                ordered
            });
            choices.push(Choice {
                index: c.index,
                message: CompletionMessage {
                    role: "assistant".into(),
                    content: c.content.as_ref().map(GrowingText::joined),
                    refusal: c.refusal.as_ref().map(GrowingText::joined),
                    tool_calls,
                    reasoning_content: c.reasoning.as_ref().map(GrowingText::joined),
                    thinking_blocks: (!c.thinking_blocks.is_empty())
                        .then(|| c.thinking_blocks.clone()),
                    provider_content: (!c.provider_content.is_empty())
                        .then(|| c.provider_content.clone()),
                },
                logprobs: c.logprobs.clone(),
                finish_reason: c.finish_reason.clone(),
            });
        }
        // Indexes are unique: an unstable sort orders them as a stable one would.
        crate::sort::sort_by(&mut choices, &|a, b| a.index < b.index);
        ChatCompletion {
            id: self.id.clone(),
            object: "chat.completion".into(),
            created: self.created,
            model: self.model.clone(),
            choices,
            usage: self.usage.clone(),
            system_fingerprint: self.system_fingerprint.clone(),
        }
    }
}

/// Stream logprobs arrive as `{content: [...], refusal: [...]}` per chunk; the final
/// completion carries the concatenated lists.
/// As openai-node's `ChatCompletionStream`: the first `logprobs` object is kept whole
/// (`refusal: null` included), later ones add their `content` and `refusal` tokens. Only
/// those two keys are looked up, so a chunk with a million other keys costs one copy,
/// not a million searches.
fn merge_logprobs(into: &mut Option<Value>, next: Option<&Value>) {
    let Some(Value::Object(next)) = next else {
        return;
    };
    let Some(Value::Object(target)) = into else {
        *into = Some(Value::Object(next.clone()));
        return;
    };
    for key in ["content", "refusal"] {
        let Some(Value::Array(items)) = next.get(key) else {
            continue;
        };
        match target.get_mut(key) {
            Some(Value::Array(existing)) => existing.extend_from_slice(items),
            Some(other) => *other = Value::Array(items.clone()),
            None => target.set(key, Value::Array(items.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logprobs_keep_their_nulls_and_append_tokens_as_openai_node_does() {
        let token = |t: &str| crate::json!({"token": t, "logprob": -0.1, "bytes": null, "top_logprobs": []});
        let mut into = None;
        merge_logprobs(
            &mut into,
            Some(&crate::json!({"content": [token("a")], "refusal": null})),
        );
        merge_logprobs(
            &mut into,
            Some(&crate::json!({"content": [token("b")], "refusal": null})),
        );
        merge_logprobs(&mut into, Some(&crate::json!({"refusal": [token("no")]})));
        assert_eq!(
            into.unwrap(),
            crate::json!({"content": [token("a"), token("b")], "refusal": [token("no")]})
        );
    }

    #[test]
    fn long_text_grows_in_segments_and_joins_whole() {
        let mut t = GrowingText::default();
        let piece = "héllo wörld ".repeat(100);
        for _ in 0..200 {
            t.push(&piece);
        }
        assert!(t.full.len() > 1, "segments: {}", t.full.len());
        assert!(t.full.iter().all(|s| s.len() <= SEGMENT));
        assert_eq!(t.joined(), piece.repeat(200));
    }
    use crate::json;

    fn chunk(v: Value) -> ChatCompletionChunk {
        ChatCompletionChunk::read(&v).unwrap()
    }

    #[test]
    fn text_tool_calls_and_usage_add_up() {
        let mut acc = Accumulator::default();
        let base =
            json!({"id": "c1", "object": "chat.completion.chunk", "created": 5, "model": "m"});
        let with = |choices: Value, usage: Value| {
            let mut v = base.clone();
            v["choices"] = choices;
            v["usage"] = usage;
            chunk(v)
        };
        acc.push(&with(
            json!([{"index": 0, "delta": {"role": "assistant", "content": ""}}]),
            Value::Null,
        ));
        acc.push(&with(
            json!([{"index": 0, "delta": {"content": "Hel"}}]),
            Value::Null,
        ));
        acc.push(&with(
            json!([{"index": 0, "delta": {"content": "lo"}}]),
            Value::Null,
        ));
        acc.push(&with(json!([{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}]}}]), Value::Null));
        acc.push(&with(
            json!([{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"arguments": "{\"a\":"}}]}}]),
            Value::Null,
        ));
        acc.push(&with(
            json!([{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"arguments": "1}"}}]}}]),
            Value::Null,
        ));
        acc.push(&with(
            json!([{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]),
            Value::Null,
        ));
        acc.push(&with(
            json!([]),
            json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}),
        ));
        let done = crate::json::to_value(&acc.finish());
        assert_eq!(
            done,
            json!({
                "id": "c1", "object": "chat.completion", "created": 5, "model": "m",
                "choices": [{"index": 0, "logprobs": null, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": "Hello", "refusal": null,
                    "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]
                }}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
            })
        );
    }

    #[test]
    fn a_name_repeated_in_every_delta_is_not_doubled() {
        let mut acc = Accumulator::default();
        for args in ["{", "}"] {
            acc.push(&chunk(
                json!({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": {"tool_calls": [
                    {"index": 0, "function": {"name": "get_weather", "arguments": args}}]}}]}),
            ));
        }
        let call = &acc.finish().choices[0].message.tool_calls.clone().unwrap()[0];
        assert_eq!(
            (
                call.function.name.as_str(),
                call.function.arguments.as_str()
            ),
            ("get_weather", "{}")
        );
    }

    #[test]
    fn choices_are_kept_apart_by_index() {
        let mut acc = Accumulator::default();
        acc.push(&chunk(json!({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 1, "delta": {"content": "b"}}, {"index": 0, "delta": {"content": "a"}}]})));
        let done = acc.finish();
        assert_eq!(done.choices[0].message.content.as_deref(), Some("a"));
        assert_eq!(done.choices[1].message.content.as_deref(), Some("b"));
    }

    #[test]
    fn logprobs_lists_are_concatenated() {
        let mut acc = Accumulator::default();
        for t in ["a", "b"] {
            acc.push(&chunk(json!({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": {"content": t}, "logprobs": {"content": [{"token": t}]}}]})));
        }
        assert_eq!(
            acc.finish().choices[0].logprobs,
            Some(json!({"content": [{"token": "a"}, {"token": "b"}]}))
        );
    }
}
