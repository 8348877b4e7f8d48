//! `reasoning_effort`, portable: what each provider and model family does with it, as
//! data (like the capability table), and the rules every adapter applies alike.
//!
//! Sources, dated, in tests/conformance/definitions/SOURCES.md ("Reasoning"): OpenAI's
//! `ReasoningEffort` and model notes, Anthropic's extended / adaptive thinking and
//! effort pages and SDK types, Gemini's thinking page and js-genai's `ThinkingConfig`,
//! each OpenAI-compatible host's reference. A model the table does not know gets its
//! provider's last row: the newest family's behaviour, or the value as given.

use crate::error::{Error, Result};
use crate::types::request::Effort;

use Effort::{High, Low, Max, Medium, Minimal, None as Off, Xhigh};

/// A set of effort levels, one bit per [`Effort`] (a byte per table row, not a slice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels(u8);

impl Levels {
    pub const fn of(levels: &[Effort]) -> Levels {
        let mut bits = 0;
        let mut i = 0;
        while i < levels.len() {
            bits |= 1 << levels[i] as u8;
            i += 1;
        }
        Levels(bits)
    }

    pub fn contains(self, e: Effort) -> bool {
        self.0 & (1 << e as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn iter(self) -> impl Iterator<Item = Effort> + Clone {
        Effort::ALL.into_iter().filter(move |e| self.contains(*e))
    }
}

/// What a model does with `reasoning_effort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// No reasoning control: refused, before any request.
    Refused,
    /// Sent on as given: the host judges (Azure deployments, hosts serving any model).
    AsIs,
    /// `reasoning_effort`, moved to the nearest level the model takes.
    Levels(Levels),
    /// Groq's Qwen 3: `reasoning_effort` `none` or `default`, nothing in between.
    NoneOrDefault,
    /// DeepSeek: `thinking: {type: enabled | disabled}`, and the effort as given.
    ThinkingToggle,
    /// Anthropic's `thinking` and `output_config.effort`.
    Anthropic(Claude),
    /// Gemini 2.5's `thinkingBudget`, within `[min, max]`; `off`: 0 turns it off.
    GeminiBudget { min: u16, max: u16, off: bool },
    /// Gemini 3's `thinkingLevel`; `off`: `thinkingBudget: 0` turns it off.
    GeminiLevels { levels: Levels, off: bool },
    /// Cohere's `thinking: {type, token_budget}`.
    CohereBudget,
}

/// How a Claude family thinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claude {
    /// `thinking: {type: "enabled", budget_tokens}`; else `{type: "adaptive"}`.
    pub budget: bool,
    /// The levels of `output_config.effort` (none: the family has no effort control).
    pub efforts: Levels,
    /// `thinking: {type: "disabled"}` is taken.
    pub off: bool,
    /// Thinking text is omitted unless `display: "summarized"` asks for it.
    pub summarize: bool,
    /// Non-default `temperature` / `top_p` / `top_k` are taken.
    pub sampling: bool,
}

const LOW_HIGH: Levels = Levels::of(&[Low, High]);
const LOW_TO_HIGH: Levels = Levels::of(&[Low, Medium, High]);
const MINIMAL_TO_HIGH: Levels = Levels::of(&[Minimal, Low, Medium, High]);
const NONE_TO_HIGH: Levels = Levels::of(&[Off, Low, Medium, High]);
const NONE_TO_XHIGH: Levels = Levels::of(&[Off, Low, Medium, High, Xhigh]);
const LOW_TO_XHIGH: Levels = Levels::of(&[Low, Medium, High, Xhigh]);
const LOW_TO_MAX: Levels = Levels::of(&[Low, Medium, High, Xhigh, Max]);

const BUDGET_CLAUDE: Claude = Claude {
    budget: true,
    efforts: Levels(0),
    off: true,
    summarize: false,
    sampling: true,
};
const ADAPTIVE_CLAUDE: Claude = Claude {
    budget: false,
    efforts: LOW_TO_MAX,
    off: true,
    summarize: true,
    sampling: false,
};

/// Claude 4.6: adaptive, effort up to `max` but no `xhigh`; its thinking text is shown
/// and its sampling parameters taken.
const CLAUDE_4_6: Claude = Claude {
    efforts: Levels::of(&[Low, Medium, High, Max]),
    summarize: false,
    sampling: true,
    ..ADAPTIVE_CLAUDE
};
/// Always thinking: "none" cannot be honoured.
const ALWAYS_ON_CLAUDE: Claude = Claude {
    off: false,
    ..ADAPTIVE_CLAUDE
};
/// Mistral's adjustable models take `high` or `none`.
const NONE_OR_HIGH: Levels = Levels::of(&[Off, High]);

/// (`table:model id prefix`, control): the first row of the table whose prefix
/// starts the model id wins, so longer prefixes come first.
pub const MODELS: &[(&str, Control)] = &[
    ("openai:gpt-5-pro", Control::Levels(Levels::of(&[High]))),
    ("openai:gpt-5-chat", Control::Refused),
    ("openai:gpt-5.1-codex-max", Control::Levels(LOW_TO_XHIGH)),
    ("openai:gpt-5.1-codex", Control::Levels(LOW_TO_HIGH)),
    ("openai:gpt-5.1", Control::Levels(NONE_TO_HIGH)),
    ("openai:gpt-5-codex", Control::Levels(LOW_TO_HIGH)),
    ("openai:gpt-5.", Control::Levels(NONE_TO_XHIGH)),
    ("openai:gpt-5", Control::Levels(MINIMAL_TO_HIGH)),
    ("openai:gpt-oss", Control::Levels(LOW_TO_HIGH)),
    ("openai:o1", Control::Levels(LOW_TO_HIGH)),
    ("openai:o3", Control::Levels(LOW_TO_HIGH)),
    ("openai:o4", Control::Levels(LOW_TO_HIGH)),
    ("openai:gpt-", Control::Refused),
    ("openai:chatgpt-", Control::Refused),
    ("openai:", Control::AsIs),
    ("groq:qwen", Control::NoneOrDefault),
    ("groq:openai/gpt-oss", Control::Levels(LOW_TO_HIGH)),
    ("groq:llama", Control::Refused),
    ("groq:", Control::AsIs),
    ("deepseek:", Control::ThinkingToggle),
    // Magistral always reasons.
    ("mistral:magistral", Control::Refused),
    (
        "mistral:mistral-small-latest",
        Control::Levels(NONE_OR_HIGH),
    ),
    ("mistral:mistral-small-2603", Control::Levels(NONE_OR_HIGH)),
    ("mistral:mistral-medium-3.5", Control::Levels(NONE_OR_HIGH)),
    ("mistral:", Control::AsIs),
    ("xai:grok-3-mini", Control::Levels(LOW_HIGH)),
    ("xai:grok-4.3", Control::Levels(NONE_TO_HIGH)),
    ("xai:grok-4.5", Control::Levels(LOW_TO_HIGH)),
    ("xai:grok-4.6", Control::Levels(LOW_TO_XHIGH)),
    ("xai:grok-4", Control::Refused),
    ("xai:grok-3", Control::Refused),
    ("xai:grok-2", Control::Refused),
    ("xai:", Control::AsIs),
    // Retired families keep their rows: ids live on in proxies and old code.
    ("anthropic:claude-3-7", Control::Anthropic(BUDGET_CLAUDE)),
    ("anthropic:claude-3", Control::Refused),
    ("anthropic:claude-2", Control::Refused),
    ("anthropic:claude-instant", Control::Refused),
    (
        "anthropic:claude-opus-4-5",
        Control::Anthropic(Claude {
            efforts: LOW_TO_HIGH,
            ..BUDGET_CLAUDE
        }),
    ),
    ("anthropic:claude-opus-4-6", Control::Anthropic(CLAUDE_4_6)),
    (
        "anthropic:claude-sonnet-4-6",
        Control::Anthropic(CLAUDE_4_6),
    ),
    (
        "anthropic:claude-opus-4-7",
        Control::Anthropic(ADAPTIVE_CLAUDE),
    ),
    (
        "anthropic:claude-opus-4-8",
        Control::Anthropic(ADAPTIVE_CLAUDE),
    ),
    ("anthropic:claude-opus-4", Control::Anthropic(BUDGET_CLAUDE)),
    (
        "anthropic:claude-sonnet-4",
        Control::Anthropic(BUDGET_CLAUDE),
    ),
    (
        "anthropic:claude-haiku-4",
        Control::Anthropic(BUDGET_CLAUDE),
    ),
    (
        "anthropic:claude-opus-5-5",
        Control::Anthropic(ALWAYS_ON_CLAUDE),
    ),
    (
        "anthropic:claude-sonnet-5-5",
        Control::Anthropic(ALWAYS_ON_CLAUDE),
    ),
    (
        "anthropic:claude-fable",
        Control::Anthropic(ALWAYS_ON_CLAUDE),
    ),
    (
        "anthropic:claude-mythos",
        Control::Anthropic(ALWAYS_ON_CLAUDE),
    ),
    ("anthropic:", Control::Anthropic(ADAPTIVE_CLAUDE)),
    (
        "gemini:gemini-2.5-pro",
        Control::GeminiBudget {
            min: 128,
            max: 32768,
            off: false,
        },
    ),
    (
        "gemini:gemini-2.5-flash",
        Control::GeminiBudget {
            min: 512,
            max: 24576,
            off: true,
        },
    ),
    ("gemini:gemini-2", Control::Refused),
    ("gemini:gemini-1", Control::Refused),
    ("gemini:gemma", Control::Refused),
    (
        "gemini:gemini-3-pro",
        Control::GeminiLevels {
            levels: LOW_HIGH,
            off: false,
        },
    ),
    (
        "gemini:gemini-3.5-flash",
        Control::GeminiLevels {
            levels: MINIMAL_TO_HIGH,
            off: false,
        },
    ),
    (
        "gemini:gemini-3.6-flash",
        Control::GeminiLevels {
            levels: MINIMAL_TO_HIGH,
            off: true,
        },
    ),
    (
        "gemini:gemini-3-flash",
        Control::GeminiLevels {
            levels: MINIMAL_TO_HIGH,
            off: true,
        },
    ),
    (
        "gemini:gemini-3.1-flash",
        Control::GeminiLevels {
            levels: MINIMAL_TO_HIGH,
            off: true,
        },
    ),
    // 3.1 Pro, 3.7 / 3.8 Flash, the `-latest` aliases and what comes next: low to high.
    (
        "gemini:",
        Control::GeminiLevels {
            levels: LOW_TO_HIGH,
            off: false,
        },
    ),
    ("cohere:command-a-reasoning", Control::CohereBudget),
    ("cohere:", Control::Refused),
];

/// What `model` does with `reasoning_effort`, from `table`'s rows (a provider's name,
/// or a wire format's for the translated ones); `AsIs` for a table with no rows.
pub fn control(table: &str, model: &str) -> Control {
    for (key, c) in MODELS {
        let prefix = key.strip_prefix(table).and_then(|k| k.strip_prefix(':'));
        if prefix.is_some_and(|p| model.starts_with(p)) {
            return *c;
        }
    }
    Control::AsIs
}

/// The level sent for `effort` where the model takes `levels`: the effort itself, or
/// the nearest one above it, or the model's highest (xhigh where high is the top).
/// `none` only where the model can stop thinking: else the error saying so.
pub fn nearest(levels: Levels, effort: Effort, provider: &str, model: &str) -> Result<Effort> {
    if effort == Off && !levels.contains(Off) {
        return Err(cannot_stop(provider, model));
    }
    let on = levels.iter().filter(|l| *l != Off || effort == Off);
    Ok(on
        .clone()
        .find(|l| *l >= effort)
        .or_else(|| on.max())
        .unwrap_or(effort))
}

/// A thinking budget in tokens for `effort`, the same on every provider that counts
/// reasoning in tokens (Google's own mapping of OpenAI's efforts on Gemini 2.5:
/// 1K / 8K / 24K), within the model's `[min, max]`; `minimal` is the model's least.
pub fn budget(effort: Effort, min: u32, max: u32) -> u32 {
    let tokens = match effort {
        Off | Minimal => min,
        Low => 1024,
        Medium => 8192,
        High => 24576,
        Xhigh => 32768,
        Max => 49152,
    };
    tokens.clamp(min, max.max(min))
}

pub fn cannot_stop(provider: &str, model: &str) -> Error {
    Error::invalid(
        "reasoning_effort",
        format!(
            "{provider}'s {model} cannot stop reasoning, so `reasoning_effort: \"none\"` cannot be honoured; use `minimal` or `low`"
        ),
    )
}

pub fn refused(provider: &str, model: &str) -> Error {
    Error::invalid(
        "reasoning_effort",
        format!("{provider}'s {model} has no reasoning control for `reasoning_effort`"),
    )
}

/// Where the caller sent the provider's own reasoning field `own` too (which then
/// wins): it must agree with `reasoning_effort` on whether the model thinks at all.
pub fn agree(own_off: bool, effort: Effort, own: &str, provider: &str) -> Result<()> {
    if own_off == (effort == Off) {
        Ok(())
    } else {
        Err(contradiction(own, effort, provider))
    }
}

/// The caller's own reasoning field and `reasoning_effort` disagree.
pub fn contradiction(own: &str, effort: Effort, provider: &str) -> Error {
    Error::invalid(
        "reasoning_effort",
        format!(
            "`reasoning_effort: \"{}\"` contradicts the {provider} field `{own}` also given; send one of them",
            effort.as_str()
        ),
    )
}

/// The README's mapping table: what each effort becomes, row by row of [`MODELS`],
/// computed by the functions the adapters use.
#[cfg(test)]
pub fn markdown_table() -> String {
    let mut out = String::from("| provider | model id starts with |");
    for e in Effort::ALL {
        out.push_str(&format!(" `{}` |", e.as_str()));
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" --- |".repeat(Effort::ALL.len()));
    out.push('\n');
    for (key, control) in MODELS {
        let (table, prefix) = crate::bytes::split_once(key, ":").unwrap();
        let prefix = if prefix.is_empty() {
            "(any other)".to_string()
        } else {
            format!("`{prefix}`")
        };
        let table = if table == "gemini" {
            "google, gemini"
        } else {
            table
        };
        out.push_str(&format!("| {table} | {prefix} |"));
        for e in Effort::ALL {
            out.push_str(&format!(" {} |", cell(control, e)));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
fn cell(control: &Control, e: Effort) -> String {
    let level = |levels: Levels| match nearest(levels, e, "", "") {
        Ok(l) => format!("`{}`", l.as_str()),
        Err(_) => "refused".into(),
    };
    match *control {
        Control::Refused => "refused".into(),
        Control::AsIs => "as given".into(),
        Control::Levels(levels) => level(levels),
        Control::NoneOrDefault if e == Off => "`none`".into(),
        Control::NoneOrDefault => "`default`, parsed".into(),
        Control::ThinkingToggle if e == Off => "thinking disabled".into(),
        Control::ThinkingToggle => format!("thinking enabled, `{}`", e.as_str()),
        Control::Anthropic(c) if e == Off => if c.off { "disabled" } else { "refused" }.into(),
        Control::Anthropic(c) => {
            let mut out = if c.budget {
                format!("budget {}", budget(e, 1024, u32::MAX))
            } else {
                "adaptive".into()
            };
            if !c.efforts.is_empty() {
                out.push_str(&format!(", effort {}", level(c.efforts)));
            }
            out
        }
        Control::GeminiBudget { off, .. } | Control::GeminiLevels { off, .. } if e == Off => {
            if off { "budget 0" } else { "refused" }.into()
        }
        Control::GeminiBudget { min, max, .. } => {
            format!("budget {}", budget(e, min.into(), max.into()))
        }
        Control::GeminiLevels { levels, .. } => level(levels).to_ascii_uppercase(),
        Control::CohereBudget if e == Off => "disabled".into(),
        Control::CohereBudget => format!("budget {}", budget(e, 1024, u32::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_is_the_code_table() {
        crate::providers::check_readme_section("reasoning", &markdown_table());
    }

    #[test]
    fn the_first_matching_prefix_of_the_table_wins() {
        assert_eq!(control("openai", "gpt-4o-mini"), Control::Refused);
        assert_eq!(
            control("openai", "gpt-5.1-mini"),
            Control::Levels(NONE_TO_HIGH)
        );
        assert_eq!(control("openai", "gpt-5.2"), Control::Levels(NONE_TO_XHIGH));
        assert_eq!(
            control("openai", "gpt-5-mini"),
            Control::Levels(MINIMAL_TO_HIGH)
        );
        assert_eq!(control("openai", "ft:o3:acme"), Control::AsIs);
        assert_eq!(control("together", "any"), Control::AsIs);
        assert_eq!(control("cohere", "command-r"), Control::Refused);
        let Control::Anthropic(c) = control("anthropic", "claude-sonnet-4-5-20250929") else {
            panic!()
        };
        assert!(c.budget && c.off && c.efforts.is_empty());
        let Control::Anthropic(c) = control("anthropic", "claude-opus-4-7") else {
            panic!()
        };
        assert!(!c.budget && c.summarize && !c.sampling);
        assert_eq!(
            control("anthropic", "claude-3-5-haiku-latest"),
            Control::Refused
        );
        assert!(matches!(
            control("gemini", "gemini-2.5-flash-lite"),
            Control::GeminiBudget {
                min: 512,
                off: true,
                ..
            }
        ));
        assert!(matches!(
            control("gemini", "gemini-2.5-pro"),
            Control::GeminiBudget { off: false, .. }
        ));
        assert_eq!(control("gemini", "gemini-2.0-flash"), Control::Refused);
        assert!(matches!(
            control("gemini", "gemini-3.1-pro-preview"),
            Control::GeminiLevels {
                levels: LOW_TO_HIGH,
                off: false
            }
        ));
    }

    #[test]
    fn an_effort_goes_to_the_nearest_level_at_or_above_else_the_highest() {
        let n = |levels, e| nearest(levels, e, "p", "m").unwrap();
        assert_eq!(n(LOW_TO_HIGH, Minimal), Low);
        assert_eq!(n(LOW_HIGH, Medium), High);
        assert_eq!(n(LOW_TO_HIGH, Xhigh), High);
        assert_eq!(n(LOW_TO_MAX, Xhigh), Xhigh);
        assert_eq!(n(Levels::of(&[Low, Medium, High, Max]), Xhigh), Max);
        assert_eq!(n(NONE_TO_HIGH, Off), Off);
        assert_eq!(n(NONE_TO_HIGH, Minimal), Low);
        let e = nearest(LOW_TO_HIGH, Off, "openai", "o3").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("reasoning_effort"));
        assert!(
            e.message.contains("openai's o3 cannot stop reasoning"),
            "{}",
            e.message
        );
    }

    #[test]
    fn budgets_follow_googles_mapping_within_the_models_range() {
        assert_eq!(budget(Low, 1024, 64000), 1024);
        assert_eq!(budget(Medium, 1024, 64000), 8192);
        assert_eq!(budget(High, 128, 32768), 24576);
        assert_eq!(budget(Xhigh, 512, 24576), 24576);
        assert_eq!(budget(Minimal, 128, 32768), 128);
        assert_eq!(budget(Max, 1024, 64000), 49152);
    }
}
