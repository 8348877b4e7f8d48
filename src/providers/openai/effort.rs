//! `reasoning_effort` on OpenAI-format hosts, per model family
//! (`providers::reasoning`): sent as it is, moved to a level the model takes, turned
//! into the host's own field (Groq's Qwen `none` / `default`, DeepSeek's `thinking`),
//! or refused where the model has no reasoning control.

use crate::json;
use crate::json::{Map, Value};

use crate::error::Result;
use crate::providers::reasoning::{self, Control};
use crate::types::request::Effort;

pub fn apply(provider: &str, model: &str, effort: Effort, body: &mut Map) -> Result<()> {
    let off = effort == Effort::None;
    match reasoning::control(provider, model) {
        Control::Refused => return Err(reasoning::refused(provider, model)),
        Control::Levels(levels) => {
            let level = reasoning::nearest(levels, effort, provider, model)?;
            body.set("reasoning_effort", json!(level.as_str()));
        }
        Control::NoneOrDefault => {
            body.set(
                "reasoning_effort",
                json!(if off { "none" } else { "default" }),
            );
            // Groq's Qwen writes its reasoning into the content unless asked not to.
            if !off && !body.contains_key("reasoning_format") {
                body.set("reasoning_format", json!("parsed"));
            }
        }
        Control::ThinkingToggle => {
            if let Some(own) = body.get("thinking").filter(|t| !t.is_null()) {
                let own_off = own.get("type").and_then(Value::as_str) == Some("disabled");
                reasoning::agree(own_off, effort, "thinking", provider)?;
            } else {
                let kind = if off { "disabled" } else { "enabled" };
                body.set("thinking", json!({ "type": kind }));
            }
            if off {
                body.remove("reasoning_effort");
            }
        }
        _ => {}
    }
    Ok(())
}
