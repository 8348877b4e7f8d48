//! The README's table of what each OpenAI-compatible preset rewrites in requests and
//! answers, generated from the presets' quirks ([`super::presets`]) and kept equal to
//! the README by a test, like the capability table.

use super::presets::PRESETS;
use super::WireFormat;

/// A list of code spans, or a dash for none.
fn spans(items: &[String]) -> String {
    if items.is_empty() {
        return "—".into();
    }
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(item);
        out.push('`');
    }
    out
}

/// One row per OpenAI-format preset.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| preset | `developer` messages | content parts | message fields removed | parameters rewritten | parameters dropped | answers reshaped |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for p in PRESETS.iter().filter(|p| p.format == WireFormat::OpenAi) {
        let q = &p.quirks;
        let mut fields: Vec<String> = q
            .strip_message_fields
            .iter()
            .map(|(role, field)| format!("{role}.{field}"))
            .collect();
        let mut renames: Vec<String> = q
            .renames
            .iter()
            .map(|(ours, theirs)| format!("{ours} → {theirs}"))
            .collect();
        if q.strip_cache_control {
            fields.push("cache_control (messages, parts, tools)".into());
        }
        if q.tool_parameters_required {
            renames.push("tools[].function.parameters: {} where absent".into());
        }
        let mut drops: Vec<String> = q.drops.iter().map(|d| d.to_string()).collect();
        if !p.caps.seed {
            drops.push("seed".into());
        }
        if let Some(known) = q.known_openai_params {
            let lacking = super::translate::untranslated_params();
            for (key, _) in lacking.filter(|(k, refused)| !refused && !known.contains(k)) {
                drops.push(format!("{key}*"));
            }
        }
        let mut reshaped = Vec::new();
        if q.untyped_tool_calls {
            reshaped.push("tool calls typed and numbered; `logprobs`, `refusal` filled in; thinking chunks → `reasoning_content`");
        }
        if let Some(field) = q.reasoning_field {
            reshaped.push(if field == "reasoning" {
                "`reasoning` → `reasoning_content`"
            } else {
                "reasoning → `reasoning_content`"
            });
        }
        if let Some(field) = q.stream_usage_field {
            reshaped.push(if field == "x_groq" {
                "`x_groq.usage` → usage chunk"
            } else {
                "hidden usage → usage chunk"
            });
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            p.name,
            if q.system_for_developer {
                "as `system`"
            } else {
                "kept"
            },
            if q.text_content {
                "text joined into a string"
            } else {
                "kept"
            },
            spans(&fields),
            spans(&renames),
            spans(&drops),
            if reshaped.is_empty() {
                "—".to_string()
            } else {
                reshaped.join("; ")
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_table_is_the_code_table() {
        crate::providers::check_readme_section("rewrites", &super::markdown_table());
    }
}
