//! The provider table: data, not code. A provider whose wire format is OpenAI's is a
//! row here; only a new wire format gets its own module.

use super::WireFormat;

/// How a provider wants its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key alone in a header of this name (`x-api-key`).
    Header(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The prefix of model ids: `openai` in `openai/gpt-4o`.
    pub name: &'static str,
    pub format: WireFormat,
    /// The API root including its version segment; the adapter appends its path.
    pub base_url: &'static str,
    pub auth: Auth,
    /// Environment variables holding the key in Node and Deno, first found wins.
    pub env_keys: &'static [&'static str],
    /// Whether a request without a key is refused before it is sent.
    pub requires_key: bool,
    /// A header the provider wants before it answers a page directly, sent when the
    /// client has `dangerouslyAllowBrowser`.
    pub browser_header: Option<(&'static str, &'static str)>,
}

const GOOGLE: Preset = Preset {
    name: "google",
    format: WireFormat::Gemini,
    base_url: "https://generativelanguage.googleapis.com/v1beta",
    // In a header, never in the URL, where it would end up in logs.
    auth: Auth::Header("x-goog-api-key"),
    env_keys: &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    requires_key: true,
    browser_header: None,
};

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "openai",
        format: WireFormat::OpenAi,
        base_url: "https://api.openai.com/v1",
        auth: Auth::Bearer,
        env_keys: &["OPENAI_API_KEY"],
        requires_key: true,
        browser_header: None,
    },
    Preset {
        name: "anthropic",
        format: WireFormat::Anthropic,
        base_url: "https://api.anthropic.com/v1",
        auth: Auth::Header("x-api-key"),
        env_keys: &["ANTHROPIC_API_KEY"],
        requires_key: true,
        browser_header: Some(("anthropic-dangerous-direct-browser-access", "true")),
    },
    GOOGLE,
    Preset {
        name: "gemini",
        ..GOOGLE
    },
];

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_names_are_unique_and_bases_have_no_trailing_slash() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(
                PRESETS[i + 1..].iter().all(|q| q.name != p.name),
                "{}",
                p.name
            );
            assert!(!p.base_url.ends_with('/'), "{}", p.name);
        }
        assert_eq!(preset("openai").unwrap().env_keys, ["OPENAI_API_KEY"]);
        assert!(preset("nope").is_none());
    }
}
