//! `reasoning_effort` as Claude's `thinking` and `output_config.effort`, per family
//! (`providers::reasoning`), and the rules Anthropic sets once thinking is on.
//! References: <https://platform.claude.com/docs/en/build-with-claude/extended-thinking>,
//! `.../adaptive-thinking`, `.../effort`; the SDK's `ThinkingConfigParam`.

use crate::json;
use crate::json::{Map, Value};

use crate::error::{Error, Result};
use crate::providers::reasoning::{self, Claude, Control};
use crate::types::request::{Effort, ToolChoice, ToolChoiceMode};
use crate::types::ChatRequest;

/// Anthropic's least `budget_tokens`.
const MIN_BUDGET: u32 = 1024;

/// What the body says about thinking once [`apply`] ran.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Thinking {
    /// The model thinks: sampling and forced tools are then restricted.
    pub on: bool,
    /// Tokens `max_tokens` must leave room for, beyond the answer, when the caller
    /// gave no `max_tokens`.
    pub budget: u32,
}

/// Sets `thinking` (and `output_config.effort`) in `body` from `reasoning_effort`,
/// unless the caller sent Anthropic's own fields, which win: both given and at odds
/// on whether the model thinks is an error. `max_tokens` is the caller's, if any:
/// a budget is kept below it, as Anthropic requires.
pub fn apply(
    req: &ChatRequest,
    model: &str,
    body: &mut Map,
    max_tokens: Option<u32>,
) -> Result<Thinking> {
    let own = req.raw.get("thinking").filter(|t| !t.is_null());
    let own_type = own.and_then(|t| t.get("type")).and_then(Value::as_str);
    let own_budget = own
        .and_then(|t| t.get("budget_tokens"))
        .and_then(Value::as_u64)
        .map(|b| b.min(u64::from(u32::MAX)) as u32);
    let mut thinking = Thinking {
        on: matches!(own_type, Some("enabled" | "adaptive")),
        budget: own_budget.unwrap_or(0),
    };
    let family = match reasoning::control("anthropic", model) {
        Control::Anthropic(family) => Some(family),
        _ => None,
    };
    if let Some(effort) = req.params.reasoning_effort {
        let Some(family) = family else {
            return Err(reasoning::refused("anthropic", model));
        };
        if own.is_some() {
            reasoning::agree(!thinking.on, effort, "thinking", "anthropic")?;
        } else {
            thinking = mapped(&family, effort, model, max_tokens, body)?;
        }
        set_effort(req, &family, effort, model, body)?;
    }
    check_sampling(req, family.as_ref(), thinking.on, model)?;
    if thinking.on {
        if let Some(ToolChoice::Mode(ToolChoiceMode::Required) | ToolChoice::Named(_)) =
            &req.params.tool_choice
        {
            return Err(Error::invalid(
                "tool_choice",
                "anthropic refuses a forced `tool_choice` while the model thinks (`reasoning_effort` or `thinking`); use `auto`",
            ));
        }
    }
    Ok(thinking)
}

/// The `thinking` field for `effort` on `family`.
fn mapped(
    family: &Claude,
    effort: Effort,
    model: &str,
    max_tokens: Option<u32>,
    body: &mut Map,
) -> Result<Thinking> {
    if effort == Effort::None {
        if !family.off {
            return Err(reasoning::cannot_stop("anthropic", model));
        }
        body.set("thinking", json!({"type": "disabled"}));
        return Ok(Thinking::default());
    }
    let mut budget = reasoning::budget(effort, MIN_BUDGET, u32::MAX);
    if !family.budget {
        let mut t = json!({"type": "adaptive"});
        if family.summarize {
            // Newer models omit the thinking text unless asked: it is what
            // `reasoning_content` carries.
            t["display"] = json!("summarized");
        }
        body.set("thinking", t);
        return Ok(Thinking { on: true, budget });
    }
    if let Some(max) = max_tokens {
        // Anthropic: `max_tokens` must be greater than `thinking.budget_tokens`.
        budget = budget.min(max.saturating_sub(1));
        if budget < MIN_BUDGET {
            return Err(Error::invalid(
                "max_tokens",
                format!(
                    "anthropic thinks with at least {MIN_BUDGET} tokens within `max_tokens`, so `max_tokens: {max}` leaves no room for `reasoning_effort`"
                ),
            ));
        }
    }
    body.set(
        "thinking",
        json!({"type": "enabled", "budget_tokens": budget}),
    );
    Ok(Thinking { on: true, budget })
}

/// `output_config.effort`, on the families that have it, merged into the caller's
/// own `output_config`; a different effort there is a contradiction.
fn set_effort(
    req: &ChatRequest,
    family: &Claude,
    effort: Effort,
    model: &str,
    body: &mut Map,
) -> Result<()> {
    if family.efforts.is_empty() || effort == Effort::None {
        return Ok(());
    }
    let level = reasoning::nearest(family.efforts, effort, "anthropic", model)?.as_str();
    let mut config = match req.raw.get("output_config") {
        Some(Value::Object(own)) => own.clone(),
        _ => Map::new(),
    };
    match config.get("effort").and_then(Value::as_str) {
        Some(own) if own != level => {
            return Err(reasoning::contradiction(
                "output_config.effort",
                effort,
                "anthropic",
            ))
        }
        _ => config.set("effort", json!(level)),
    }
    body.set("output_config", Value::Object(config));
    Ok(())
}

/// Anthropic's sampling rules: with thinking on, no `temperature` (but 1) and no
/// `top_k`, `top_p` within 0.95–1; families that take no sampling parameters refuse
/// any but their defaults.
fn check_sampling(req: &ChatRequest, family: Option<&Claude>, on: bool, model: &str) -> Result<()> {
    let p = &req.params;
    let fixed = family.is_some_and(|f| !f.sampling);
    if !on && !fixed {
        return Ok(());
    }
    let why = if fixed {
        format!("anthropic's {model} takes no sampling parameters but their defaults")
    } else {
        "anthropic takes no sampling parameters but their defaults while the model thinks"
            .to_string()
    };
    let refuse = |param: &str, allowed: &str| {
        Err(Error::invalid(param, format!("{why}: `{param}` {allowed}")))
    };
    if p.temperature.as_ref().is_some_and(|t| t.as_f64() != 1.0) {
        return refuse("temperature", "must be 1 or left out");
    }
    // Written out, not formatted: formatting a float would bring its code along.
    let (low, shown) = if fixed {
        (0.99, "0.99")
    } else {
        (0.95, "0.95")
    };
    if p.top_p.as_ref().is_some_and(|t| t.as_f64() < low) {
        return refuse("top_p", &format!("must be at least {shown} or left out"));
    }
    if req.raw.get("top_k").is_some_and(|k| !k.is_null()) {
        return refuse("top_k", "must be left out");
    }
    Ok(())
}
