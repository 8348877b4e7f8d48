//! The fast path of streamed text: an event that repeats the last one but for its text.
//!
//! Streams send long runs of events that differ only in one string: OpenAI's chunks
//! (same `id`, `model`, `index`, nulls, and a new `delta.content`), Anthropic's
//! `content_block_delta`s (same index, a new `delta.text`). Once the full reader has
//! read an event of that kind, a [`TextTemplate`] keeps the bytes before its text's
//! string and those after it up to the end of the top-level member holding it. An
//! event that starts and continues with exactly those bytes reads, up to there,
//! exactly as that event did, so only its text needs reading; the rest of the event
//! may hold only members the full reader passes over (OpenAI's `obfuscation`
//! padding), and must be JSON to its end. Anything else goes the full reader's way.
//!
//! Reading the whole event was most of onellm's time per token; this is a fraction.
//! Each adapter keeps a template only right after the full reader made one, and
//! drops it on any other event, so the running total and the chunks sent are the
//! ones the full reader would have given (property-tested beside each adapter).

use std::borrow::Cow;

use crate::scan::{Malformed, Scanner};

#[derive(Debug)]
pub struct TextTemplate {
    before: String,
    after: String,
    /// Top-level keys the full reader takes: one of them after the text's member
    /// sends the event the slow way...
    read_keys: &'static [&'static str],
    /// ...unless it is one of these and `null`, which that reader takes as absent.
    null_ok: &'static [&'static str],
}

impl TextTemplate {
    /// The template of `data`, whose text string lies at `text` (quotes included)
    /// inside the top-level member that ends at `member_end`.
    pub fn new(
        data: &str,
        text: (usize, usize),
        member_end: usize,
        read_keys: &'static [&'static str],
        null_ok: &'static [&'static str],
    ) -> Option<TextTemplate> {
        let (start, end) = text;
        (start < end && end <= member_end && member_end <= data.len()).then(|| TextTemplate {
            before: data[..start].to_string(),
            after: data[end..member_end].to_string(),
            read_keys,
            null_ok,
        })
    }

    /// The text of `data`, when `data` is the template's event again but for it.
    pub fn text_of<'a>(&self, data: &'a str) -> Option<Cow<'a, str>> {
        let bytes = data.as_bytes();
        if !bytes.starts_with(self.before.as_bytes()) {
            return None;
        }
        // Depth 1: every byte kept lies inside the event's top-level object.
        let mut s = Scanner::resume(data, self.before.len(), 1);
        let text = s.string_here().ok()?;
        let end = s.position();
        if !bytes[end..].starts_with(self.after.as_bytes()) {
            return None;
        }
        let mut s = Scanner::resume(data, end + self.after.len(), 1);
        s.object_rest(|s, key| {
            if self.null_ok.contains(&key) && s.null()? {
                Ok(())
            } else if self.read_keys.contains(&key) {
                Err(Malformed { at: 0 })
            } else {
                s.skip()
            }
        })
        .ok()?;
        s.finish().ok()?;
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_around_a_new_string() {
        let t = TextTemplate::new(r#"{"k":1,"t":"ab","z":[]}"#, (11, 15), 15, &["k", "t"], &[])
            .unwrap();
        assert_eq!(
            t.text_of(r#"{"k":1,"t":"xyz","z":[]}"#).as_deref(),
            Some("xyz")
        );
        assert_eq!(t.text_of(r#"{"k":1,"t":"x\ny"}"#).as_deref(), Some("x\ny"));
        assert_eq!(
            t.text_of(r#"{"k":1,"t":"x","pad":"…"}"#).as_deref(),
            Some("x")
        );
        assert_eq!(t.text_of(r#"{"k":2,"t":"x"}"#), None);
        assert_eq!(t.text_of(r#"{"k":1,"t":"x","k":2}"#), None);
        assert_eq!(t.text_of(r#"{"k":1,"t":"x"} x"#), None);
        assert_eq!(t.text_of(r#"{"k":1,"t":"x""#), None);
        assert_eq!(t.text_of(r#"{"k":1,"t":5}"#), None);
        assert!(TextTemplate::new("{}", (1, 1), 2, &[], &[]).is_none());
    }
}
