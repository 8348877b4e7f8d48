//! A pull reader over JSON text, for the readers that run once per streamed token:
//! an OpenAI chunk, an Anthropic event, a Gemini fragment. The reader asks for the
//! fields it wants as the keys come and skips the rest without building them; strings
//! are borrowed from the text unless they hold escapes. It also builds whole
//! [`Value`]s: [`parse`], and the rare, nested parts of an event (a usage object,
//! logprobs).
//!
//! Why not serde's derive, which did this before: each derived reader is its own
//! visitor code, monomorphised, and serde's error path prints floats, which brings
//! core's float formatting into the Wasm. One small scanner serves every reader. It
//! accepts exactly JSON (RFC 8259): anything else is [`Malformed`], never a panic,
//! and nesting deeper than 128 levels is refused.

use std::borrow::Cow;

use crate::bytes::string_run_end;
use crate::json::{Map, Number, Value};

/// JSON that is not, or not the shape asked for; `at` is the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed {
    pub at: usize,
}

/// Why a text is no JSON, and where, for messages: `invalid JSON at line 1 column 7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The text ended before the value did.
    pub ends_early: bool,
    pub line: usize,
    /// 1-based, in characters; at the end of the text, the last character's.
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let what = if self.ends_early {
            "JSON that ends early"
        } else {
            "invalid JSON"
        };
        write!(f, "{what} at line {} column {}", self.line, self.column)
    }
}

/// A whole JSON text as a [`Value`], as `JSON.parse` reads it: repeated keys keep
/// the last value.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let mut s = Scanner::new(text);
    s.value()
        .and_then(|v| s.finish().map(|()| v))
        .map_err(|Malformed { at }| {
            let before = &text[..at.min(text.len())];
            let line_start = before
                .bytes()
                .rposition(|b| b == b'\n')
                .map_or(0, |i| i + 1);
            let ends_early = at >= text.len();
            ParseError {
                ends_early,
                line: before.bytes().filter(|&b| b == b'\n').count() + 1,
                column: before[line_start..].chars().count() + usize::from(!ends_early),
            }
        })
}

pub type Scan<T> = Result<T, Malformed>;

/// serde_json's recursion limit, kept: deeper input is refused rather than overflowing
/// the stack (a trap in Wasm).
const MAX_DEPTH: u32 = 128;

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner {
            text,
            pos: 0,
            depth: 0,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn fail<T>(&self) -> Scan<T> {
        Err(Malformed { at: self.pos })
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Scan<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail()
        }
    }

    fn literal(&mut self, word: &[u8]) -> Scan<()> {
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.fail()
        }
    }

    /// Consumes a `null` if one comes next.
    pub fn null(&mut self) -> Scan<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// A reader of `text` from byte `pos` on, inside `depth` open objects or arrays
    /// (a chunk read again from the point where it differs from the last one).
    pub fn resume(text: &'a str, pos: usize, depth: u32) -> Self {
        Scanner { text, pos, depth }
    }

    /// Where the next value starts (whitespace passed over).
    pub fn position(&mut self) -> usize {
        self.peek();
        self.pos
    }

    /// A string at the cursor, `None` if anything else is there.
    pub fn string_here(&mut self) -> Scan<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return self.fail();
        }
        self.string_body()
    }

    /// The rest of an object whose members so far were read: `(, "key": value)* }`.
    /// `field` is called as by [`Scanner::object`].
    pub fn object_rest(&mut self, mut field: impl FnMut(&mut Self, &str) -> Scan<()>) -> Scan<()> {
        self.object_rest_dyn(&mut field)
    }

    /// The whole input has been read: only whitespace may follow the value.
    pub fn finish(&mut self) -> Scan<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => self.fail(),
        }
    }

    /// An object; `field` is called with each key and must consume its value (call
    /// [`Scanner::skip`] for keys it does not want). `null` is refused: callers that
    /// accept it check [`Scanner::null`] first.
    pub fn object(&mut self, mut field: impl FnMut(&mut Self, &str) -> Scan<()>) -> Scan<()> {
        self.object_dyn(&mut field)
    }

    /// The loop of [`Scanner::object`], compiled once: through `dyn`, not once per
    /// reader (fifteen copies were 16 KB of Wasm).
    fn object_dyn(&mut self, field: &mut dyn FnMut(&mut Self, &str) -> Scan<()>) -> Scan<()> {
        self.eat(b'{')?;
        self.enter()?;
        if self.peek() != Some(b'}') {
            self.member(field)?;
        }
        self.object_rest_dyn(field)
    }

    /// One `"key": value` member, the value read by `field`.
    fn member(&mut self, field: &mut dyn FnMut(&mut Self, &str) -> Scan<()>) -> Scan<()> {
        let key = self.string_here()?;
        self.eat(b':')?;
        field(self, &key)
    }

    /// `(, member)* }`: the members after the first, and the object's end.
    fn object_rest_dyn(&mut self, field: &mut dyn FnMut(&mut Self, &str) -> Scan<()>) -> Scan<()> {
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(());
                }
                Some(b',') => {
                    self.pos += 1;
                    self.member(field)?;
                }
                _ => return self.fail(),
            }
        }
    }

    /// An array; `item` is called for each element and must consume it.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.array_dyn(&mut item)
    }

    fn array_dyn(&mut self, item: &mut dyn FnMut(&mut Self) -> Scan<()>) -> Scan<()> {
        self.eat(b'[')?;
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return self.fail(),
            }
        }
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail();
        }
        Ok(())
    }

    /// A string or `null`.
    pub fn string(&mut self) -> Scan<Option<Cow<'a, str>>> {
        if self.null()? {
            return Ok(None);
        }
        if self.peek() != Some(b'"') {
            return self.fail();
        }
        self.string_body().map(Some)
    }

    /// A string; any other value is passed over and reads as absent (for fields whose
    /// meaning depends on an event type not known yet).
    pub fn string_if(&mut self) -> Scan<Option<Cow<'a, str>>> {
        if self.peek() == Some(b'"') {
            return self.string_body().map(Some);
        }
        self.skip().map(|()| None)
    }

    /// A number; any other value is passed over and reads as absent.
    pub fn number_if(&mut self) -> Scan<Option<f64>> {
        if let Some(b'-' | b'0'..=b'9') = self.peek() {
            return self.number();
        }
        self.skip().map(|()| None)
    }

    /// A string, the cursor on its opening quote.
    fn string_body(&mut self) -> Scan<Cow<'a, str>> {
        let bytes = self.bytes();
        self.pos += 1;
        let start = self.pos;
        // Most strings have no escape: borrowed whole.
        self.pos = string_run_end(bytes, self.pos);
        match bytes.get(self.pos) {
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            _ => return self.fail(), // the end, or a raw control character
        }
        // Every cut below is at an ASCII byte (a quote, a backslash, the end of an
        // escape), so each slice falls on character boundaries.
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match bytes.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return self.fail(),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(&c) if c >= 0x20 => {
                    let run = self.pos;
                    self.pos = string_run_end(bytes, run);
                    out.push_str(&self.text[run..self.pos]);
                }
                _ => return self.fail(),
            }
        }
    }

    fn hex4(&mut self) -> Scan<u32> {
        let digits = self.bytes().get(self.pos..self.pos + 4);
        let Some(digits) = digits else {
            return self.fail();
        };
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return self.fail(),
            };
            n = n * 16 + u32::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// The character of a `\uXXXX` escape (the cursor after the `u`), a surrogate
    /// pair joined. A lone surrogate, which a Rust string cannot hold (and `JSON.parse`
    /// accepts), is U+FFFD: what `fetch` sends for such a JS string (it writes USV
    /// strings) and what a UTF-8 decoder makes of such bytes. An emoji cut in half is
    /// neither refused nor mistaken for the end of the text.
    fn unicode_escape(&mut self) -> Scan<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.bytes()[self.pos..].starts_with(b"\\u") {
            let back = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            // Not its pair: that escape is read on its own.
            self.pos = back;
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    /// A number or `null`.
    pub fn number(&mut self) -> Scan<Option<f64>> {
        if self.null()? {
            return Ok(None);
        }
        let start = self.pos;
        self.skip_number()?;
        let text = &self.text[start..self.pos];
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let n = digits
                .bytes()
                .fold(0.0, |n, d| n * 10.0 + f64::from(d - b'0'));
            return Ok(Some(if text.starts_with('-') { -n } else { n }));
        }
        Ok(Some(Number::from_checked(text).as_f64()))
    }

    fn skip_number(&mut self) -> Scan<()> {
        let bytes = self.bytes();
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => return self.fail(),
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            if !digits(&mut pos) {
                self.pos = pos;
                return self.fail();
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if !digits(&mut pos) {
                self.pos = pos;
                return self.fail();
            }
        }
        self.pos = pos;
        Ok(())
    }

    /// A boolean or `null`.
    pub fn bool(&mut self) -> Scan<Option<bool>> {
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|()| Some(true)),
            Some(b'f') => self.literal(b"false").map(|()| Some(false)),
            Some(b'n') => self.literal(b"null").map(|()| None),
            _ => self.fail(),
        }
    }

    /// Any value, passed over.
    pub fn skip(&mut self) -> Scan<()> {
        match self.peek() {
            Some(b'{') => self.object(|s, _| s.skip()),
            Some(b'[') => self.array(Self::skip),
            Some(b'"') => self.string_body().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.skip_number(),
            _ => self.fail(),
        }
    }

    /// Any value, built.
    pub fn value(&mut self) -> Scan<Value> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut map = Map::new();
                self.object(|s, key| {
                    let v = s.value()?;
                    map.push(key.to_string(), v);
                    Ok(())
                })?;
                map.settle_repeated_keys();
                Value::Object(map)
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.array(|s| {
                    items.push(s.value()?);
                    Ok(())
                })?;
                Value::Array(items)
            }
            Some(b'"') => Value::String(self.string_body()?.into_owned()),
            Some(b't' | b'f') => Value::Bool(self.bool()? == Some(true)),
            Some(b'n') => {
                self.literal(b"null")?;
                Value::Null
            }
            _ => {
                let start = self.pos;
                self.skip_number()?;
                Value::Number(Number::from_checked(&self.text[start..self.pos]))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan_all(text: &str) -> Result<Value, ParseError> {
        parse(text)
    }

    /// serde_json's reading, as the oracle: converted to ours, numbers compared as
    /// the doubles they read as (our reading is within an ulp or so of serde's).
    fn from_serde(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::from(n.as_f64().unwrap()),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(from_serde).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, from_serde(v))).collect())
            }
        }
    }

    fn close(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64(), y.as_f64());
                x == y || ((x - y) / y).abs() < 1e-14
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
            }
            (x, y) => x == y,
        }
    }

    #[test]
    fn objects_keep_key_order_and_the_last_repeated_key() {
        let v = parse(r#"{"z": 1, "a": {"y": 2, "b": 3}, "z": 4}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"z":4,"a":{"y":2,"b":3}}"#);
    }

    #[test]
    fn parse_errors_say_where() {
        let e = parse("{\"a\": x}").unwrap_err();
        assert_eq!(e.to_string(), "invalid JSON at line 1 column 7");
        let e = parse("{\"a\": ").unwrap_err();
        assert_eq!(e.to_string(), "JSON that ends early at line 1 column 6");
        let e = parse("[1,\n 2,\n é x]").unwrap_err();
        assert_eq!(e.to_string(), "invalid JSON at line 3 column 2");
    }

    #[test]
    fn strings_borrow_unless_escaped_and_unescape_like_json() {
        let mut s = Scanner::new(r#""plain""#);
        assert!(matches!(s.string(), Ok(Some(Cow::Borrowed("plain")))));
        let v = scan_all(r#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83e\udd80", "café 🦀"]"#)
            .unwrap();
        assert_eq!(
            v,
            crate::json!(["a\"b\\c/d\u{8}\u{c}\n\r\t", "é€", "🦀", "café 🦀"])
        );
    }

    #[test]
    fn what_json_refuses_is_refused() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "\"\u{1}\"",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "\"\\x\"",
            "\"\\u12\"",
            "[1 2]",
            "{\"a\" 1}",
            "nul",
            "\"abc",
            "1 2",
        ] {
            assert!(scan_all(bad).is_err(), "accepted {bad:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "serde accepts {bad:?}"
            );
        }
    }

    /// `JSON.parse` takes lone surrogates (serde_json does not): each is U+FFFD, what
    /// `fetch` sends for such a string and a UTF-8 decoder makes of such bytes.
    #[test]
    fn lone_surrogates_are_replacement_characters() {
        for (json, text) in [
            ("\"\\ud83e\"", "\u{FFFD}"),
            ("\"\\udd80\"", "\u{FFFD}"),
            ("\"a\\ud83e\\u0041\"", "a\u{FFFD}A"),
            ("\"\\ud83d\\ude00\\ud83d\"", "\u{1F600}\u{FFFD}"),
        ] {
            let v: crate::json::Value = crate::json::parse(json).unwrap();
            assert_eq!(v.as_str(), Some(text), "{json}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        assert!(scan_all(&deep).is_err());
        let mut s = Scanner::new(&deep);
        assert!(s.skip().is_err());
    }

    #[test]
    fn numbers_read_as_json_defines_them() {
        let v = scan_all("[0, -0, 12, -7, 1.5, 2e3, -1.25E-2, 12345678901234567890]").unwrap();
        let read: Vec<f64> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_f64().unwrap())
            .collect();
        assert_eq!(
            read,
            [
                0.0,
                -0.0,
                12.0,
                -7.0,
                1.5,
                2000.0,
                -0.0125,
                12345678901234567890.0
            ]
        );
        // Integers beyond a double's precision keep every digit.
        assert_eq!(v[7].as_u64(), Some(12345678901234567890));
        assert_eq!(
            v.to_string(),
            "[0,-0,12,-7,1.5,2e3,-1.25E-2,12345678901234567890]"
        );
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn reads_what_serde_json_reads(v in arb_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { serde_json::to_string(&v).unwrap() };
            let ours = scan_all(&text).unwrap();
            let theirs = from_serde(serde_json::from_str(&text).unwrap());
            prop_assert!(close(&ours, &theirs), "{} vs {}", ours, theirs);
        }

        #[test]
        fn writes_what_serde_json_reads_back(v in arb_json()) {
            let ours = scan_all(&serde_json::to_string(&v).unwrap()).unwrap();
            let back: serde_json::Value = serde_json::from_str(&ours.to_string()).unwrap();
            prop_assert!(close(&from_serde(back), &from_serde(v)));
        }

        #[test]
        fn never_panics_and_agrees_with_serde_on_validity(text in "[\\[\\]{}\",:0-9a-fu\\\\. -]{0,40}") {
            let ours = scan_all(&text).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            // serde_json refuses `1e400`; JSON.parse reads it as Infinity, and so
            // does this reader.
            let out_of_range = theirs.as_ref().is_err_and(|e| e.to_string().contains("out of range"));
            prop_assert!(ours == theirs.is_ok() || (ours && out_of_range), "{:?}", text);
        }
    }
}
