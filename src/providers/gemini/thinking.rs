//! `reasoning_effort` as Gemini's `generationConfig.thinkingConfig`, per model family
//! (`providers::reasoning`): `thinkingBudget` on 2.5, `thinkingLevel` on 3 and later,
//! never both (Gemini refuses the pair), and `includeThoughts` so that the reasoning
//! comes back as `reasoning_content`.
//! Reference: <https://ai.google.dev/gemini-api/docs/thinking>; js-genai `ThinkingConfig`.

use crate::json;
use crate::json::{Map, Value};

use crate::error::Result;
use crate::providers::reasoning::{self, Control};
use crate::types::request::Effort;
use crate::types::ChatRequest;

/// What `model` (with or without its `models/` collection) does with reasoning.
pub fn control(model: &str) -> Control {
    reasoning::control("gemini", model.strip_prefix("models/").unwrap_or(model))
}

/// Puts the mapped `thinkingConfig` into the translated `generationConfig`, unless the
/// caller sent one of its own, which wins (an error when it disagrees on whether the
/// model thinks at all).
pub fn apply(req: &ChatRequest, model: &str, config: &mut Map) -> Result<()> {
    let Some(effort) = req.params.reasoning_effort else {
        return Ok(());
    };
    let model = model.strip_prefix("models/").unwrap_or(model);
    let thinking = match control(model) {
        Control::GeminiBudget { min, max, off } => match effort {
            Effort::None if off => json!({"thinkingBudget": 0}),
            Effort::None => return Err(reasoning::cannot_stop("gemini", model)),
            _ => {
                json!({"includeThoughts": true, "thinkingBudget": reasoning::budget(effort, min.into(), max.into())})
            }
        },
        Control::GeminiLevels { levels, off } => match effort {
            Effort::None if off => json!({"thinkingBudget": 0}),
            _ => {
                let level = reasoning::nearest(levels, effort, "gemini", model)?;
                json!({"includeThoughts": true, "thinkingLevel": level.as_str().to_ascii_uppercase()})
            }
        },
        _ => return Err(reasoning::refused("gemini", model)),
    };
    let own = req
        .raw
        .get("generationConfig")
        .and_then(|g| g.get("thinkingConfig"))
        .filter(|t| !t.is_null());
    if let Some(own) = own {
        let own_off = own.get("thinkingBudget").and_then(Value::as_i64) == Some(0);
        return reasoning::agree(own_off, effort, "generationConfig.thinkingConfig", "gemini");
    }
    config.set("thinkingConfig", thinking);
    Ok(())
}
