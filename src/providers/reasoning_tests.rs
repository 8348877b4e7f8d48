//! `reasoning_effort` per provider and family, as each adapter sends it: against the
//! values the providers document (tests/conformance/definitions/SOURCES.md, "Reasoning").

use crate::config::ClientOptions;
use crate::error::Error;
use crate::json;
use crate::json::Value;
use crate::types::ChatRequest;

/// The body `provider/model` is sent with `extra` on top of one user message.
fn sent(provider: &str, model: &str, extra: Value) -> Result<Value, Error> {
    let opts = ClientOptions::from_value(&json!({
        "apiKeys": {provider: "key-0123456789abcdef"},
        "providers": {provider: {"baseURL": "http://127.0.0.1:1/v1", "resource": "r"}}
    }))
    .unwrap();
    let endpoint = opts.endpoint(provider, model, &|_| None).unwrap();
    let mut params = json!({"model": format!("{provider}/{model}"),
        "messages": [{"role": "user", "content": "Hi"}]});
    for (k, v) in extra.as_object().unwrap().iter() {
        params[k.as_str()] = v.clone();
    }
    let req = ChatRequest::from_json(params)?;
    let (http, _) = crate::providers::build_request(&endpoint, model, &req)?;
    Ok(crate::json::parse(&http.body).unwrap())
}

fn effort(provider: &str, model: &str, effort: &str) -> Result<Value, Error> {
    sent(provider, model, json!({"reasoning_effort": effort}))
}

/// The error's field and message, for asserting both.
fn refused(r: Result<Value, Error>) -> (String, String) {
    let e = r.expect_err("refused before sending");
    (e.param.clone().unwrap_or_default(), e.message.clone())
}

#[test]
fn an_unknown_effort_is_refused_by_name_for_every_provider() {
    for provider in ["openai", "anthropic", "google", "cohere", "groq"] {
        let (param, message) = refused(effort(provider, "m", "extreme"));
        assert_eq!(param, "reasoning_effort", "{provider}");
        assert!(message.contains("`minimal`"), "{message}");
    }
}

#[test]
fn anthropic_budget_families_think_with_a_budget_below_max_tokens() {
    let b = effort("anthropic", "claude-sonnet-4-5-20250929", "medium").unwrap();
    assert_eq!(
        b["thinking"],
        json!({"type": "enabled", "budget_tokens": 8192})
    );
    assert_eq!(
        b["max_tokens"],
        8192 + 8192,
        "the default raised by the budget"
    );
    assert!(
        b.get("output_config").is_none(),
        "Sonnet 4.5 has no effort control"
    );
    let b = effort("anthropic", "claude-haiku-4-5", "minimal").unwrap();
    assert_eq!(
        b["thinking"]["budget_tokens"], 1024,
        "Anthropic's least budget"
    );
    let b = sent(
        "anthropic",
        "claude-sonnet-4-5",
        json!({"reasoning_effort": "high", "max_tokens": 5000}),
    )
    .unwrap();
    assert_eq!(
        b["thinking"]["budget_tokens"], 4999,
        "kept below the caller's max_tokens"
    );
    assert_eq!(b["max_tokens"], 5000);
    let (param, message) = refused(sent(
        "anthropic",
        "claude-sonnet-4-5",
        json!({"reasoning_effort": "low", "max_tokens": 1000}),
    ));
    assert_eq!(param, "max_tokens");
    assert!(message.contains("1024"), "{message}");
    let b = effort("anthropic", "claude-sonnet-4-5", "none").unwrap();
    assert_eq!(
        b["thinking"],
        json!({"type": "disabled"}),
        "really off, never billed"
    );
    assert_eq!(b["max_tokens"], 8192);
    // Opus 4.5: a budget, and its effort levels (low to high: xhigh is high there).
    let b = effort("anthropic", "claude-opus-4-5-20251101", "xhigh").unwrap();
    assert_eq!(b["thinking"]["type"], "enabled");
    assert_eq!(b["output_config"], json!({"effort": "high"}));
}

#[test]
fn anthropic_adaptive_families_take_adaptive_thinking_and_an_effort() {
    let b = effort("anthropic", "claude-opus-4-7", "minimal").unwrap();
    assert_eq!(
        b["thinking"],
        json!({"type": "adaptive", "display": "summarized"})
    );
    assert_eq!(
        b["output_config"],
        json!({"effort": "low"}),
        "minimal is low there"
    );
    assert_eq!(b["max_tokens"], 8192 + 1024);
    let b = effort("anthropic", "claude-sonnet-4-6", "xhigh").unwrap();
    assert_eq!(
        b["thinking"],
        json!({"type": "adaptive"}),
        "4.6 summarizes by default"
    );
    assert_eq!(
        b["output_config"]["effort"], "max",
        "4.6 has no xhigh: the next one up"
    );
    assert_eq!(
        effort("anthropic", "claude-opus-4-8", "xhigh").unwrap()["output_config"]["effort"],
        "xhigh"
    );
    let b = effort("anthropic", "claude-opus-4-7", "none").unwrap();
    assert_eq!(b["thinking"], json!({"type": "disabled"}));
    assert!(b.get("output_config").is_none());
    let (param, message) = refused(effort("anthropic", "claude-opus-5-5", "none"));
    assert_eq!(param, "reasoning_effort");
    assert!(
        message.contains("anthropic's claude-opus-5-5 cannot stop reasoning"),
        "{message}"
    );
    let (_, message) = refused(effort("anthropic", "claude-3-5-haiku-latest", "low"));
    assert!(message.contains("no reasoning control"), "{message}");
}

#[test]
fn anthropic_own_fields_win_and_contradictions_are_refused() {
    let own =
        json!({"reasoning_effort": "low", "thinking": {"type": "enabled", "budget_tokens": 3000}});
    let b = sent("anthropic", "claude-sonnet-4-5", own).unwrap();
    assert_eq!(b["thinking"]["budget_tokens"], 3000);
    assert_eq!(b["max_tokens"], 8192 + 3000);
    let (param, message) = refused(sent(
        "anthropic",
        "claude-sonnet-4-5",
        json!({"reasoning_effort": "high", "thinking": {"type": "disabled"}}),
    ));
    assert_eq!(param, "reasoning_effort");
    assert!(
        message.contains("contradicts the anthropic field `thinking`"),
        "{message}"
    );
    refused(sent(
        "anthropic",
        "claude-opus-4-7",
        json!({"reasoning_effort": "high", "output_config": {"effort": "low"}}),
    ));
    let b = sent(
        "anthropic",
        "claude-opus-4-7",
        json!({"reasoning_effort": "high", "output_config": {"effort": "high", "x": 1}}),
    )
    .unwrap();
    assert_eq!(
        b["output_config"],
        json!({"effort": "high", "x": 1}),
        "merged, not replaced"
    );
}

#[test]
fn anthropic_sampling_and_forced_tools_under_thinking() {
    let tool =
        json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]);
    for (extra, param) in [
        (json!({"temperature": 0.2}), "temperature"),
        (json!({"top_p": 0.5}), "top_p"),
        (json!({"top_k": 5}), "top_k"),
        (
            json!({"tools": tool, "tool_choice": "required"}),
            "tool_choice",
        ),
        (
            json!({"response_format": {"type": "json_object"}}),
            "response_format",
        ),
    ] {
        let mut params = extra.clone();
        params["reasoning_effort"] = json!("low");
        let (got, message) = refused(sent("anthropic", "claude-sonnet-4-5", params));
        assert_eq!(got, param, "{message}");
        assert!(message.contains("anthropic"), "{message}");
        // Without thinking, the same is sent.
        sent("anthropic", "claude-sonnet-4-5", extra).unwrap();
    }
    let ok = json!({"reasoning_effort": "low", "temperature": 1, "top_p": 0.95});
    assert_eq!(
        sent("anthropic", "claude-sonnet-4-5", ok).unwrap()["temperature"],
        1
    );
    // Opus 4.7 takes no sampling parameters but their defaults, thinking or not.
    let (param, message) = refused(sent(
        "anthropic",
        "claude-opus-4-7",
        json!({"temperature": 0.5}),
    ));
    assert_eq!(param, "temperature");
    assert!(message.contains("claude-opus-4-7"), "{message}");
}

#[test]
fn gemini_budgets_on_2_5_and_levels_on_3() {
    let config = |model: &str, e: &str| {
        effort("google", model, e).map(|b| b["generationConfig"]["thinkingConfig"].clone())
    };
    assert_eq!(
        config("gemini-2.5-flash", "medium").unwrap(),
        json!({"includeThoughts": true, "thinkingBudget": 8192})
    );
    assert_eq!(
        config("gemini-2.5-flash", "none").unwrap(),
        json!({"thinkingBudget": 0})
    );
    assert_eq!(
        config("gemini-2.5-flash-lite", "minimal").unwrap()["thinkingBudget"],
        512
    );
    assert_eq!(
        config("gemini-2.5-pro", "xhigh").unwrap()["thinkingBudget"],
        32768
    );
    assert_eq!(
        config("gemini-2.5-flash", "max").unwrap()["thinkingBudget"],
        24576,
        "the model's most"
    );
    let (param, message) = refused(config("gemini-2.5-pro", "none"));
    assert_eq!(param, "reasoning_effort");
    assert!(
        message.contains("gemini's gemini-2.5-pro cannot stop reasoning"),
        "{message}"
    );
    assert_eq!(
        config("gemini-3-flash-preview", "minimal").unwrap(),
        json!({"includeThoughts": true, "thinkingLevel": "MINIMAL"})
    );
    assert_eq!(
        config("gemini-3-pro-preview", "medium").unwrap()["thinkingLevel"],
        "HIGH",
        "3 Pro has low and high"
    );
    assert_eq!(
        config("gemini-3.1-pro-preview", "minimal").unwrap()["thinkingLevel"],
        "LOW"
    );
    assert_eq!(
        config("gemini-3-flash-preview", "none").unwrap(),
        json!({"thinkingBudget": 0})
    );
    refused(config("gemini-3.1-pro-preview", "none"));
    let (_, message) = refused(config("gemini-2.0-flash", "low"));
    assert!(message.contains("no reasoning control"), "{message}");
}

#[test]
fn gemini_own_thinking_config_wins_unless_it_contradicts() {
    let own = json!({"reasoning_effort": "low", "generationConfig": {"thinkingConfig": {"thinkingBudget": 2000}, "topK": 3}});
    let b = sent("google", "gemini-2.5-flash", own).unwrap();
    assert_eq!(
        b["generationConfig"],
        json!({"thinkingConfig": {"thinkingBudget": 2000}, "topK": 3})
    );
    let off = json!({"reasoning_effort": "low", "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}});
    let (_, message) = refused(sent("google", "gemini-2.5-flash", off));
    assert!(
        message.contains("`generationConfig.thinkingConfig`"),
        "{message}"
    );
}

#[test]
fn openai_format_hosts_by_family() {
    let e = |provider: &str, model: &str, v: &str| {
        effort(provider, model, v).map(|b| b["reasoning_effort"].clone())
    };
    assert_eq!(e("openai", "o4-mini", "high").unwrap(), "high");
    assert_eq!(
        e("openai", "o3", "minimal").unwrap(),
        "low",
        "o3 has low to high"
    );
    assert_eq!(e("openai", "gpt-5-mini", "minimal").unwrap(), "minimal");
    assert_eq!(
        e("openai", "gpt-5.1", "minimal").unwrap(),
        "low",
        "gpt-5.1 refuses minimal"
    );
    assert_eq!(e("openai", "gpt-5.2", "none").unwrap(), "none");
    assert!(e("openai", "ft:custom", "weird-but-valid-later").is_err());
    assert_eq!(
        e("openai", "ft:custom", "low").unwrap(),
        "low",
        "unknown models: as given"
    );
    assert_eq!(
        e("azure", "my-deployment", "xhigh").unwrap(),
        "xhigh",
        "deployments are the host's to judge"
    );
    let (param, message) = refused(effort("openai", "gpt-4o-mini", "low"));
    assert_eq!(param, "reasoning_effort");
    assert!(
        message.contains("openai's gpt-4o-mini has no reasoning control"),
        "{message}"
    );
    refused(effort("openai", "o3", "none"));
    // Groq: Qwen 3 takes none / default, with its reasoning parsed out of the content.
    let b = effort("groq", "qwen/qwen3-32b", "high").unwrap();
    assert_eq!(
        (b["reasoning_effort"].clone(), b["reasoning_format"].clone()),
        (json!("default"), json!("parsed"))
    );
    assert_eq!(e("groq", "qwen/qwen3-32b", "none").unwrap(), "none");
    assert_eq!(e("groq", "openai/gpt-oss-120b", "xhigh").unwrap(), "high");
    refused(effort("groq", "llama-3.1-8b-instant", "low"));
    // DeepSeek: thinking on or off, the effort as given.
    let b = effort("deepseek", "deepseek-v4-pro", "high").unwrap();
    assert_eq!(
        (b["thinking"].clone(), b["reasoning_effort"].clone()),
        (json!({"type": "enabled"}), json!("high"))
    );
    let b = effort("deepseek", "deepseek-flash", "none").unwrap();
    assert_eq!(b["thinking"], json!({"type": "disabled"}));
    assert!(b.get("reasoning_effort").is_none());
    refused(sent(
        "deepseek",
        "deepseek-flash",
        json!({"reasoning_effort": "none", "thinking": {"type": "enabled"}}),
    ));
    assert_eq!(e("xai", "grok-3-mini", "medium").unwrap(), "high");
    refused(effort("xai", "grok-4-0709", "low"));
    assert_eq!(
        e("openrouter", "anthropic/claude-sonnet-4.5", "low").unwrap(),
        "low"
    );
}

#[test]
fn cohere_reasoning_models_take_a_token_budget() {
    let b = effort("cohere", "command-a-reasoning-08-2025", "medium").unwrap();
    assert_eq!(
        b["thinking"],
        json!({"type": "enabled", "token_budget": 8192})
    );
    let b = effort("cohere", "command-a-reasoning-08-2025", "none").unwrap();
    assert_eq!(b["thinking"], json!({"type": "disabled"}));
    let (_, message) = refused(effort("cohere", "command-a-03-2025", "low"));
    assert!(
        message.contains("cohere's command-a-03-2025 has no reasoning control"),
        "{message}"
    );
}

#[test]
fn gemini_thought_signatures_stay_behind_when_a_turn_goes_to_another_provider() {
    let id = "call_r1_0_0__thought__c2ln+/==";
    let turn = json!({"messages": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": id, "type": "function", "function": {"name": "now", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": id, "content": "noon"}
    ]});
    let b = sent("openai", "gpt-4o", turn.clone()).unwrap();
    assert_eq!(b["messages"][1]["tool_calls"][0]["id"], "call_r1_0_0");
    assert_eq!(b["messages"][2]["tool_call_id"], "call_r1_0_0");
    let b = sent("anthropic", "claude-sonnet-4-5", turn.clone()).unwrap();
    assert_eq!(b["messages"][1]["content"][0]["id"], "call_r1_0_0");
    assert_eq!(b["messages"][2]["content"][0]["tool_use_id"], "call_r1_0_0");
    let b = sent("cohere", "command-a-03-2025", turn.clone()).unwrap();
    assert_eq!(b["messages"][1]["tool_calls"][0]["id"], "call_r1_0_0");
    let b = sent("google", "gemini-3-flash-preview", turn).unwrap();
    assert_eq!(
        b["contents"][1]["parts"][0]["thoughtSignature"], "c2ln+/==",
        "Gemini gets it back"
    );
}
