//! The provider table: data, not code. A provider whose wire format is OpenAI's is a
//! row here; only a new wire format gets its own module.

use super::capabilities::Capabilities;
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
    pub caps: Capabilities,
    pub quirks: Quirks,
    pub route: Route,
}

/// Where an OpenAI-format request goes under the base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `{base}/chat/completions`.
    ChatCompletions,
    /// Azure: `{base}/deployments/{model}/chat/completions?api-version=…`.
    AzureDeployment,
}

/// Azure's newest generally-available data-plane API version.
pub const AZURE_API_VERSION: &str = "2024-10-21";

/// How an OpenAI-compatible provider departs from OpenAI's wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quirks {
    /// OpenAI parameter → the provider's name for it (Mistral's `random_seed`).
    pub renames: &'static [(&'static str, &'static str)],
    /// Parameters the provider rejects that are only hints: dropped, not sent.
    pub drops: &'static [&'static str],
    /// A field of a stream's last chunk that holds the usage OpenAI would send in a
    /// usage chunk (Groq's `x_groq`).
    pub stream_usage_field: Option<&'static str>,
    /// Message fields the provider refuses, by role: answers from other providers
    /// carry `thinking_blocks` (Anthropic) and `reasoning_content`; Mistral takes a
    /// `name` on tool messages only.
    pub strip_message_fields: &'static [(&'static str, &'static str)],
    /// The provider has no `developer` role: such messages go as `system` ones, which
    /// is what they are to a model that is not one of OpenAI's reasoning models.
    pub system_for_developer: bool,
    /// Message content must be a string: text parts are joined by newlines, any other
    /// part is refused by its path (DeepSeek).
    pub text_content: bool,
    /// Anthropic's `cache_control` marks (on messages, content parts and tools, for a
    /// chain that falls back from Claude) are removed: the provider refuses them.
    pub strip_cache_control: bool,
    /// Function tools must have `parameters` (Mistral's `Function`): a tool without
    /// them gets an empty object schema, which is what OpenAI assumes.
    pub tool_parameters_required: bool,
    /// Answers lack members OpenAI always sends (Mistral): tool calls' `type` and,
    /// streamed, `index`; choices' `logprobs`, messages' `refusal`.
    pub untyped_tool_calls: bool,
    /// The provider refuses fields its schema lacks, and takes only these of OpenAI's
    /// parameters that no format translates (`store`, `verbosity`, ...): the others are
    /// dropped as hints or refused, as for a translated format. `None`: all sent.
    pub known_openai_params: Option<&'static [&'static str]>,
    /// The host's name for reasoning text in answers (`reasoning`), renamed to
    /// OpenAI-shaped code's `reasoning_content`.
    pub reasoning_field: Option<&'static str>,
}

const NO_QUIRKS: Quirks = Quirks {
    renames: &[],
    drops: &[],
    stream_usage_field: None,
    strip_message_fields: &[("assistant", "thinking_blocks")],
    system_for_developer: true,
    text_content: false,
    strip_cache_control: false,
    tool_parameters_required: false,
    untyped_tool_calls: false,
    known_openai_params: None,
    reasoning_field: None,
};

/// Hosts that answer reasoning as `reasoning` (their API references).
const REASONING_NAMED: Quirks = Quirks {
    reasoning_field: Some("reasoning"),
    ..NO_QUIRKS
};

/// For providers that refuse fields they do not know in messages.
const STRICT_MESSAGES: &[(&str, &str)] = &[
    ("assistant", "thinking_blocks"),
    ("assistant", "reasoning_content"),
];

/// The common case: OpenAI's format, a Bearer key, OpenAI's full feature set.
const OPENAI_COMPATIBLE: Preset = Preset {
    name: "",
    format: WireFormat::OpenAi,
    base_url: "",
    auth: Auth::Bearer,
    env_keys: &[],
    requires_key: true,
    browser_header: None,
    caps: Capabilities::ALL,
    quirks: NO_QUIRKS,
    route: Route::ChatCompletions,
};

/// Local servers: no key, and what they honour depends on the model they serve.
const LOCAL: Preset = Preset {
    requires_key: false,
    caps: Capabilities {
        audio: false,
        max_n: 1,
        logprobs: false,
        ..Capabilities::ALL
    },
    ..OPENAI_COMPATIBLE
};

const GOOGLE: Preset = Preset {
    name: "google",
    format: WireFormat::Gemini,
    base_url: "https://generativelanguage.googleapis.com/v1beta",
    // In a header, never in the URL, where it would end up in logs.
    auth: Auth::Header("x-goog-api-key"),
    env_keys: &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    requires_key: true,
    browser_header: None,
    caps: Capabilities {
        max_n: 8,
        ..Capabilities::ALL
    },
    quirks: NO_QUIRKS,
    route: Route::ChatCompletions,
};

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "openai",
        base_url: "https://api.openai.com/v1",
        env_keys: &["OPENAI_API_KEY"],
        quirks: Quirks {
            strip_message_fields: STRICT_MESSAGES,
            system_for_developer: false,
            strip_cache_control: true,
            ..NO_QUIRKS
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "anthropic",
        format: WireFormat::Anthropic,
        base_url: "https://api.anthropic.com/v1",
        auth: Auth::Header("x-api-key"),
        env_keys: &["ANTHROPIC_API_KEY"],
        browser_header: Some(("anthropic-dangerous-direct-browser-access", "true")),
        caps: Capabilities {
            audio: false,
            max_n: 1,
            logprobs: false,
            seed: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    GOOGLE,
    Preset {
        name: "gemini",
        ..GOOGLE
    },
    Preset {
        name: "mistral",
        base_url: "https://api.mistral.ai/v1",
        env_keys: &["MISTRAL_API_KEY"],
        caps: Capabilities {
            audio: false,
            logprobs: false,
            ..Capabilities::ALL
        },
        // Mistral answers 422 to any field its schema lacks (its OpenAPI: every
        // message object is closed, and only tool messages have a `name`).
        quirks: Quirks {
            renames: &[
                ("seed", "random_seed"),
                ("max_completion_tokens", "max_tokens"),
            ],
            drops: &["user", "stream_options"],
            strip_message_fields: &[
                ("assistant", "thinking_blocks"),
                ("assistant", "reasoning_content"),
                ("assistant", "name"),
                ("system", "name"),
                ("user", "name"),
            ],
            untyped_tool_calls: true,
            tool_parameters_required: true,
            strip_cache_control: true,
            known_openai_params: Some(&[
                "metadata",
                "prediction",
                "prompt_cache_key",
                "service_tier",
            ]),
            ..NO_QUIRKS
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "groq",
        base_url: "https://api.groq.com/openai/v1",
        env_keys: &["GROQ_API_KEY"],
        caps: Capabilities {
            audio: false,
            max_n: 1,
            logprobs: false,
            ..Capabilities::ALL
        },
        // Groq's API reference has the `developer` role.
        quirks: Quirks {
            stream_usage_field: Some("x_groq"),
            strip_message_fields: STRICT_MESSAGES,
            system_for_developer: false,
            strip_cache_control: true,
            ..REASONING_NAMED
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "together",
        base_url: "https://api.together.xyz/v1",
        env_keys: &["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"],
        // Its `logprobs` is a count, not OpenAI's boolean: refused rather than mangled.
        caps: Capabilities {
            audio: false,
            logprobs: false,
            ..Capabilities::ALL
        },
        quirks: REASONING_NAMED,
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "fireworks",
        base_url: "https://api.fireworks.ai/inference/v1",
        env_keys: &["FIREWORKS_API_KEY"],
        caps: Capabilities {
            audio: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "deepseek",
        base_url: "https://api.deepseek.com",
        env_keys: &["DEEPSEEK_API_KEY"],
        caps: Capabilities {
            json_schema: false,
            vision: false,
            audio: false,
            max_n: 1,
            seed: false,
            ..Capabilities::ALL
        },
        // "invalid type: sequence, expected a string" for content parts; no
        // `developer` role ("unknown variant `developer`").
        quirks: Quirks {
            text_content: true,
            ..NO_QUIRKS
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "xai",
        base_url: "https://api.x.ai/v1",
        env_keys: &["XAI_API_KEY"],
        caps: Capabilities {
            audio: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "openrouter",
        base_url: "https://openrouter.ai/api/v1",
        env_keys: &["OPENROUTER_API_KEY"],
        caps: Capabilities {
            max_n: 1,
            ..Capabilities::ALL
        },
        quirks: REASONING_NAMED,
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "perplexity",
        base_url: "https://api.perplexity.ai",
        env_keys: &["PERPLEXITY_API_KEY"],
        caps: Capabilities {
            tools: false,
            stream_tools: false,
            json_object: false,
            audio: false,
            max_n: 1,
            logprobs: false,
            seed: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "moonshot",
        base_url: "https://api.moonshot.ai/v1",
        env_keys: &["MOONSHOT_API_KEY"],
        caps: Capabilities {
            json_schema: false,
            audio: false,
            max_n: 5,
            logprobs: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "cerebras",
        base_url: "https://api.cerebras.ai/v1",
        env_keys: &["CEREBRAS_API_KEY"],
        caps: Capabilities {
            audio: false,
            max_n: 1,
            ..Capabilities::ALL
        },
        quirks: REASONING_NAMED,
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "cohere",
        format: WireFormat::Cohere,
        base_url: "https://api.cohere.com/v2",
        env_keys: &["COHERE_API_KEY", "CO_API_KEY"],
        caps: Capabilities {
            vision: false,
            audio: false,
            max_n: 1,
            logprobs: false,
            ..Capabilities::ALL
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "azure",
        // `{resource}` comes from `providers.azure.resource` or the environment.
        base_url: "https://{resource}.openai.azure.com/openai",
        auth: Auth::Header("api-key"),
        env_keys: &["AZURE_OPENAI_API_KEY", "AZURE_API_KEY"],
        route: Route::AzureDeployment,
        quirks: Quirks {
            strip_message_fields: STRICT_MESSAGES,
            strip_cache_control: true,
            ..NO_QUIRKS
        },
        ..OPENAI_COMPATIBLE
    },
    Preset {
        name: "ollama",
        base_url: "http://localhost:11434/v1",
        quirks: Quirks {
            drops: &["user"],
            ..REASONING_NAMED
        },
        ..LOCAL
    },
    Preset {
        name: "llamacpp",
        base_url: "http://localhost:8080/v1",
        // llama.cpp's server reads input_audio for models that hear.
        caps: Capabilities {
            audio: true,
            ..LOCAL.caps
        },
        ..LOCAL
    },
    Preset {
        name: "lmstudio",
        base_url: "http://localhost:1234/v1",
        quirks: REASONING_NAMED,
        ..LOCAL
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
        for p in PRESETS {
            assert!(!p.name.is_empty() && !p.base_url.is_empty(), "{p:?}");
            assert!(
                p.requires_key != p.env_keys.is_empty(),
                "{}: keys and env vars go together",
                p.name
            );
        }
        assert!(preset("nope").is_none());
    }
}
