//! Model ids: `provider/model`, split at the first slash, so that
//! `openrouter/meta-llama/llama-3.1-8b-instruct` is provider `openrouter` with model
//! `meta-llama/llama-3.1-8b-instruct`.

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId<'a> {
    pub provider: &'a str,
    pub model: &'a str,
}

/// Splits a model id; `field` names where it came from (`model`, `fallback_models[0]`).
pub fn parse_model_id<'a>(id: &'a str, field: &str) -> Result<ModelId<'a>> {
    match crate::bytes::split_once(id, "/") {
        Some((provider, model))
            if !provider.trim_ascii().is_empty() && !model.trim_ascii().is_empty() =>
        {
            Ok(ModelId { provider, model })
        }
        _ => Err(Error::invalid(
            field,
            format!(
                "invalid `{field}` \"{id}\": model ids are \"provider/model\", \
                 for example \"openai/gpt-4o-mini\""
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_slash() {
        let id = parse_model_id("openrouter/meta-llama/llama-3.1-8b-instruct", "model").unwrap();
        assert_eq!(id.provider, "openrouter");
        assert_eq!(id.model, "meta-llama/llama-3.1-8b-instruct");
    }

    #[test]
    fn rejects_ids_without_provider_or_model() {
        for bad in ["gpt-4o", "/gpt-4o", "openai/", "", " /x"] {
            let e = parse_model_id(bad, "fallback_models[1]").unwrap_err();
            assert_eq!(e.param.as_deref(), Some("fallback_models[1]"), "{bad}");
            assert!(e.message.contains("provider/model"), "{}", e.message);
        }
    }
}
