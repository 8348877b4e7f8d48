//! Incremental Server-Sent-Events decoder: bytes in, events out, no I/O.
//!
//! Follows the WHATWG "event stream interpretation" rules
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>):
//! CRLF, LF and CR line ends; one optional space after the colon; `data` lines joined
//! with `\n`; comments skipped; `event`, `id` and `retry` fields; a leading BOM
//! ignored; an event left unterminated at the end of the stream is discarded.
//!
//! Input may be split anywhere, even inside a multi-byte UTF-8 character: bytes are
//! buffered up to a line end (always ASCII, so never inside a character) and each
//! complete line is decoded on its own, invalid UTF-8 becoming U+FFFD as the rules say.
//! Memory is bounded by `max_event_bytes`.

use std::borrow::Cow;
use std::rc::Rc;

/// Default bound on one event (its pending line plus its data): big enough for any
/// real chunk, small enough that a hostile stream cannot exhaust memory.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event` field; empty means the default type, `message`.
    pub event: String,
    /// The `data` lines joined with `\n`.
    pub data: String,
    /// The last event id seen so far in the stream, if any was set. Shared, not
    /// copied: one long id followed by many events must not multiply memory.
    /// (`Rc<String>`, not `Rc<str>`: building an `Rc<str>` brings its layout
    /// arithmetic into the .wasm, 0.2 kB gzipped.)
    pub id: Option<Rc<String>>,
    /// A `retry` field carried with this event, in milliseconds.
    pub retry: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SseError {
    /// One event grew past the decoder's bound.
    EventTooLarge { limit: usize },
}

impl std::fmt::Display for SseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => {
                write!(f, "a server-sent event exceeded the {limit}-byte limit")
            }
        }
    }
}

#[derive(Debug)]
pub struct SseDecoder {
    /// Bytes of a line whose end has not arrived yet.
    line: Vec<u8>,
    data: String,
    /// Whether any `data` field was seen in the current event (data may be empty).
    has_data: bool,
    event: String,
    last_id: Option<Rc<String>>,
    retry: Option<u64>,
    /// The previous input ended with CR: a leading LF of the next input belongs to it.
    after_cr: bool,
    /// No line has been completed yet, so a BOM may still lead the stream.
    at_start: bool,
    max_event_bytes: usize,
    failed: bool,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder::with_limit(DEFAULT_MAX_EVENT_BYTES)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A field's text; invalid bytes become U+FFFD, as the WHATWG decoder makes them:
/// one for each maximal invalid subpart, which is what `Utf8Error::error_len` measures
/// (and `String::from_utf8_lossy` replaces: property-tested against it). Built on
/// `from_utf8` alone, which checks ASCII a word at a time (every token's data line
/// passes here), without the lossy decoder's own machinery (0.3 kB of the .wasm).
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let mut rest = match std::str::from_utf8(bytes) {
        Ok(text) => return std::borrow::Cow::Borrowed(text),
        Err(_) => bytes,
    };
    let mut out = String::with_capacity(bytes.len() + 2);
    loop {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                return std::borrow::Cow::Owned(out);
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                // No length: the input ends inside a sequence, replaced as one.
                rest = &bad[e.error_len().map_or(bad.len(), usize::from)..];
            }
        }
    }
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_limit(max_event_bytes: usize) -> Self {
        SseDecoder {
            line: Vec::new(),
            data: String::new(),
            has_data: false,
            event: String::new(),
            last_id: None,
            retry: None,
            after_cr: false,
            at_start: true,
            max_event_bytes,
            failed: false,
        }
    }

    /// Feeds the next bytes of the stream, appending every event they complete to `out`.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.failed {
            return Err(self.too_large());
        }
        // An empty read says nothing about whether the CR was half of a CRLF.
        if self.after_cr && !input.is_empty() {
            self.after_cr = false;
            if let Some(rest) = input.strip_prefix(b"\n") {
                input = rest;
            }
        }
        while let Some(end) = crate::bytes::line_end(input, 0) {
            let (head, tail) = input.split_at(end);
            // A CR may be the first half of a CRLF that the next read completes.
            let terminator_len = match tail {
                [b'\r', b'\n', ..] => 2,
                [b'\r'] => {
                    self.after_cr = true;
                    1
                }
                _ => 1,
            };
            if self.line.is_empty() {
                self.process_line(head, out)?;
            } else {
                self.push_line_bytes(head)?;
                let line = std::mem::take(&mut self.line);
                self.process_line(&line, out)?;
                self.line = line;
                self.line.clear();
            }
            input = &tail[terminator_len..];
        }
        self.push_line_bytes(input)
    }

    /// At the end of the stream: dispatches an event whose final blank line never came.
    /// The WHATWG rules discard it; a client that knows its provider's end marker may
    /// still want to see, say, a `data: [DONE]` cut short of its newlines.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.failed {
            return Err(self.too_large());
        }
        let line = std::mem::take(&mut self.line);
        if !line.is_empty() && !self.is_lone_bom(&line) {
            self.process_line(&line, out)?;
        }
        self.dispatch(out);
        Ok(())
    }

    /// Whether bytes of an event were received but not terminated: at the end of a
    /// stream this means the stream was cut mid-event.
    pub fn has_partial_event(&self) -> bool {
        (!self.line.is_empty() && !self.is_lone_bom(&self.line))
            || self.has_data
            || !self.event.is_empty()
    }

    /// Pending bytes that are (a prefix of) the stream's leading BOM: no event yet.
    fn is_lone_bom(&self, bytes: &[u8]) -> bool {
        self.at_start && BOM.starts_with(bytes)
    }

    fn push_line_bytes(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.line.len() + self.data.len() + bytes.len() > self.max_event_bytes {
            return Err(self.fail());
        }
        self.line.extend_from_slice(bytes);
        Ok(())
    }

    fn process_line(&mut self, mut line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        // Lines that arrive whole in one read never pass through `push_line_bytes`.
        if line.len() > self.max_event_bytes {
            return Err(self.fail());
        }
        if self.at_start {
            self.at_start = false;
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(()); // comment
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                // Counted decoded: each invalid byte grows to a 3-byte U+FFFD.
                let text = utf8(value);
                if self.data.len() + text.len() + 1 > self.max_event_bytes {
                    return Err(self.fail());
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&text);
                self.has_data = true;
            }
            b"event" => self.event = utf8(value).into_owned(),
            b"id" if !value.contains(&0) => {
                self.last_id = Some(Rc::new(utf8(value).into_owned()));
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // Digits only, so parsing fails only on overflow: saturate.
                let text = utf8(value);
                self.retry = Some(text.parse().unwrap_or(u64::MAX));
            }
            _ => {} // unknown fields, an id with NUL, a non-numeric retry: ignored
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let event = std::mem::take(&mut self.event);
        if !self.has_data {
            // No data, no event; a pending `retry` waits for the next one.
            return;
        }
        self.has_data = false;
        out.push(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
            id: self.last_id.clone(),
            retry: self.retry.take(),
        });
    }

    fn fail(&mut self) -> SseError {
        self.failed = true;
        self.line = Vec::new();
        self.data = String::new();
        self.too_large()
    }

    fn too_large(&self) -> SseError {
        SseError::EventTooLarge {
            limit: self.max_event_bytes,
        }
    }
}

/// Decodes a whole stream at once; for tests and for bodies read in one piece.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<SseEvent>, SseError> {
    let mut decoder = SseDecoder::new();
    let mut out = Vec::new();
    decoder.feed(bytes, &mut out)?;
    Ok(out)
}

/// Lossy UTF-8 of a byte prefix, for error messages that show the start of bad data.
pub fn preview(text: &str, max_chars: usize) -> Cow<'_, str> {
    match crate::bytes::char_start(text, max_chars) {
        Some(cut) => Cow::Owned(format!("{}…", &text[..cut])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn all_three_line_ends() {
        for sep in ["\n", "\r\n", "\r"] {
            let text = format!("data: a{sep}{sep}data: b{sep}{sep}");
            let events = decode_all(text.as_bytes()).unwrap();
            assert_eq!(data(&events), ["a", "b"], "separator {sep:?}");
        }
    }

    #[test]
    fn space_after_colon_is_optional_and_only_one_is_stripped() {
        let events = decode_all(b"data:a\n\ndata:  b\n\n").unwrap();
        assert_eq!(data(&events), ["a", " b"]);
    }

    #[test]
    fn multi_line_data_is_joined_with_lf() {
        let events = decode_all(b"data: one\ndata:\ndata: three\n\n").unwrap();
        assert_eq!(data(&events), ["one\n\nthree"]);
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let events = decode_all(b": keep-alive\nfoo: bar\ndata: x\n\n:\n\n").unwrap();
        assert_eq!(data(&events), ["x"]);
    }

    #[test]
    fn event_id_and_retry_fields() {
        let events =
            decode_all(b"event: message_start\nid: 7\nretry: 1500\ndata: {}\n\ndata: next\n\n")
                .unwrap();
        assert_eq!(events[0].event, "message_start");
        assert_eq!(events[0].id.as_deref().map(String::as_str), Some("7"));
        assert!(Rc::ptr_eq(
            events[0].id.as_ref().unwrap(),
            events[1].id.as_ref().unwrap()
        ));
        assert_eq!(events[0].retry, Some(1500));
        // The event type resets after each event; the last id persists.
        assert_eq!(events[1].event, "");
        assert_eq!(events[1].id.as_deref().map(String::as_str), Some("7"));
        assert_eq!(events[1].retry, None);
    }

    #[test]
    fn retry_must_be_digits() {
        let events = decode_all(b"retry: 12a\ndata: x\n\n").unwrap();
        assert_eq!(events[0].retry, None);
    }

    #[test]
    fn id_with_nul_is_ignored() {
        let events = decode_all(b"id: a\0b\ndata: x\n\n").unwrap();
        assert_eq!(events[0].id, None);
    }

    #[test]
    fn leading_bom_is_skipped_once() {
        let events = decode_all(b"\xEF\xBB\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n").unwrap();
        assert_eq!(
            events.len(),
            1,
            "a BOM after the start makes an unknown field"
        );
        assert_eq!(events[0].data, "a");
    }

    #[test]
    fn field_without_colon_has_empty_value() {
        let events = decode_all(b"data\n\n").unwrap();
        assert_eq!(data(&events), [""]);
    }

    #[test]
    fn blank_lines_without_data_dispatch_nothing() {
        let events = decode_all(b"\n\n\nevent: x\n\ndata: y\n\n").unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event, "", "event type resets on a blank line");
    }

    #[test]
    fn unterminated_event_is_held_back() {
        let mut d = SseDecoder::new();
        let mut out = vec![];
        d.feed(b"data: done\n\ndata: half", &mut out).unwrap();
        assert_eq!(data(&out), ["done"]);
        assert!(d.has_partial_event());
    }

    #[test]
    fn finish_dispatches_an_unterminated_event() {
        let mut d = SseDecoder::new();
        let mut out = vec![];
        d.feed(b"data: a\n\ndata: [DONE]", &mut out).unwrap();
        d.finish(&mut out).unwrap();
        assert_eq!(data(&out), ["a", "[DONE]"]);
        assert!(!d.has_partial_event());
    }

    #[test]
    fn crlf_split_across_reads_is_one_line_end() {
        let mut d = SseDecoder::new();
        let mut out = vec![];
        for part in [
            &b"event: e\r"[..],
            b"",
            b"\ndata: a\r",
            b"\n",
            b"\r",
            b"",
            b"\n",
        ] {
            d.feed(part, &mut out).unwrap();
        }
        assert_eq!(data(&out), ["a"]);
        assert_eq!(
            out[0].event, "e",
            "an empty read between CR and LF changes nothing"
        );
        assert!(!d.has_partial_event());
    }

    #[test]
    fn multibyte_character_split_between_reads() {
        let text = "data: héllo 🦀\n\n".as_bytes();
        let crab = text.iter().position(|&b| b == 0xF0).unwrap();
        let mut d = SseDecoder::new();
        let mut out = vec![];
        d.feed(&text[..crab + 2], &mut out).unwrap();
        d.feed(&text[crab + 2..], &mut out).unwrap();
        assert_eq!(data(&out), ["héllo 🦀"]);
    }

    #[test]
    fn invalid_utf8_becomes_replacement_character() {
        let events = decode_all(b"data: a\xFFb\n\n").unwrap();
        assert_eq!(data(&events), ["a\u{FFFD}b"]);
    }

    #[test]
    fn oversized_event_is_an_error_not_an_allocation() {
        let mut d = SseDecoder::with_limit(64);
        let mut out = vec![];
        d.feed(b"data: ", &mut out).unwrap();
        let err = d.feed(&[b'x'; 100], &mut out).unwrap_err();
        assert_eq!(err, SseError::EventTooLarge { limit: 64 });
        // Many small data lines add up too.
        let mut d = SseDecoder::with_limit(64);
        let err = (0..40)
            .map(|_| d.feed(b"data: xy\n", &mut out))
            .find_map(Result::err);
        assert_eq!(err, Some(SseError::EventTooLarge { limit: 64 }));
        // A failed decoder stays failed.
        assert!(d.feed(b"\n", &mut out).is_err());
        // A long line arriving whole in one read counts too, whatever its field.
        let mut d = SseDecoder::with_limit(64);
        let long = format!("event: {}\n\n", "e".repeat(100));
        assert!(d.feed(long.as_bytes(), &mut out).is_err());
        // Invalid bytes are counted as the replacement characters they become.
        let mut d = SseDecoder::with_limit(64);
        let mut bad = b"data: ".to_vec();
        bad.extend([0xFF; 30]);
        bad.extend(b"\n\n");
        assert!(d.feed(&bad, &mut out).is_err());
    }

    #[test]
    fn preview_cuts_on_characters() {
        assert_eq!(preview("héllo", 2), "hé…");
        assert_eq!(preview("hi", 5), "hi");
    }

    /// One event of a generated stream, with the line end it is written with.
    #[derive(Debug, Clone)]
    struct GenEvent {
        event: Option<String>,
        id: Option<String>,
        data_lines: Vec<String>,
        comment: bool,
        eol: &'static str,
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        // No CR/LF (they end lines); the alphabet covers 1- to 4-byte characters.
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just(' '),
                Just(':'),
                Just('{'),
                Just('é'),
                Just('€'),
                Just('🦀')
            ],
            0..12,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    fn event_strategy() -> impl Strategy<Value = GenEvent> {
        (
            proptest::option::of(text_strategy()),
            proptest::option::of(text_strategy()),
            proptest::collection::vec(text_strategy(), 1..4),
            any::<bool>(),
            prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        )
            .prop_map(|(event, id, data_lines, comment, eol)| GenEvent {
                event,
                id,
                data_lines,
                comment,
                eol,
            })
    }

    fn render(events: &[GenEvent], bom: bool) -> Vec<u8> {
        let mut s = String::new();
        if bom {
            s.push('\u{FEFF}');
        }
        for e in events {
            let eol = e.eol;
            if e.comment {
                s.push_str(&format!(": note{eol}"));
            }
            if let Some(ev) = &e.event {
                s.push_str(&format!("event: {ev}{eol}"));
            }
            if let Some(id) = &e.id {
                s.push_str(&format!("id: {id}{eol}"));
            }
            for line in &e.data_lines {
                s.push_str(&format!("data: {line}{eol}"));
            }
            s.push_str(eol);
        }
        s.into_bytes()
    }

    proptest! {
        /// Invalid UTF-8 becomes what std's lossy decoder makes of it: bytes drawn
        /// from the ranges that matter (ASCII, continuations, every kind of lead,
        /// the bytes that are never valid), and valid text with some of it broken.
        #[test]
        fn utf8_is_what_from_utf8_lossy_gives(
            raw in proptest::collection::vec(prop_oneof![0x00u8..0x80, 0x80u8..0xC0, 0xC0u8..0xC2, 0xC2u8..0xE0, 0xE0u8..0xF0, 0xF0u8..0xF5, 0xF5u8..=0xFF], 0..24),
            text in "[a-z é☕🦀]{0,8}",
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
        ) {
            let mut broken = text.into_bytes();
            for (at, byte) in flips {
                if !broken.is_empty() {
                    let i = at.index(broken.len());
                    broken[i] = byte;
                }
            }
            for bytes in [raw, broken] {
                prop_assert_eq!(utf8(&bytes), String::from_utf8_lossy(&bytes));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every way of splitting a valid stream yields the same events.
        #[test]
        fn any_split_gives_the_same_events(
            events in proptest::collection::vec(event_strategy(), 0..6),
            bom in any::<bool>(),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let bytes = render(&events, bom);
            let whole = decode_all(&bytes).unwrap();

            // The whole-stream decoding is itself what the generator meant.
            prop_assert_eq!(whole.len(), events.len());
            let mut last_id = None;
            for (got, want) in whole.iter().zip(&events) {
                prop_assert_eq!(&got.data, &want.data_lines.join("\n"));
                prop_assert_eq!(&got.event, want.event.as_deref().unwrap_or(""));
                if want.id.is_some() { last_id = want.id.clone(); }
                prop_assert_eq!(got.id.as_deref().map(String::as_str), last_id.as_deref());
            }

            let mut positions: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            positions.sort_unstable();
            let mut decoder = SseDecoder::new();
            let mut split = Vec::new();
            let mut from = 0;
            for at in positions.into_iter().chain([bytes.len()]) {
                decoder.feed(&bytes[from..at], &mut split).unwrap();
                from = at;
            }
            prop_assert_eq!(split, whole);
            prop_assert!(!decoder.has_partial_event());
        }

        /// Byte-at-a-time feeding, the most awkward split of all.
        #[test]
        fn byte_by_byte_gives_the_same_events(events in proptest::collection::vec(event_strategy(), 0..4)) {
            let bytes = render(&events, true);
            let whole = decode_all(&bytes).unwrap();
            let mut decoder = SseDecoder::new();
            let mut split = Vec::new();
            for b in &bytes {
                decoder.feed(std::slice::from_ref(b), &mut split).unwrap();
            }
            prop_assert_eq!(split, whole);
        }
    }
}
