//! Byte searches. Eight bytes at a time for the loops that run over every byte of a
//! stream (the SSE decoder's line ends, the JSON scanner's plain string runs); and,
//! at the end of this file, the plain substring and character-position helpers that
//! stand in for core's pattern searchers on short texts.
//!
//! Why eight at a time: Wasm has 64-bit integers but, without SIMD, no vector search
//! of its own; a byte at a time those two loops were a third of onellm's time per
//! streamed token.
//!
//! The trick (Mycroft's "has zero byte"): for a word `w`, `(w - 0x01…01) & !w &
//! 0x80…80` sets the top bit of every byte of `w` that is zero, and of no byte below
//! the first zero one, so its lowest set bit names the first match exactly.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Top bits set for the bytes of `w` equal to `byte` (exact up to the first).
#[inline(always)]
fn equal(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Top bits set for the bytes of `w` below `bound` (≤ 0x80; exact up to the first).
#[inline(always)]
fn below(w: u64, bound: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(bound)) & !w & HIGHS
}

/// The word at `i` (the caller checked `i + 8 <= bytes.len()`). Spelled out byte by
/// byte, which compiles to one 64-bit load; `copy_from_slice` stayed a call at
/// `opt-level = "z"`, and cost more than the search.
#[inline(always)]
fn word(bytes: &[u8], i: usize) -> u64 {
    let b = &bytes[i..i + 8];
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// The first index at or after `from` whose byte `hit` picks out, word by word while
/// eight bytes are left, then byte by byte. Generic and inlined, so each search's
/// test is compiled into its loop rather than called per word.
#[inline(always)]
fn find(
    bytes: &[u8],
    from: usize,
    hits: impl Fn(u64) -> u64,
    hit: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut i = from;
    while i + 8 <= bytes.len() {
        let found = hits(word(bytes, i));
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    (i..bytes.len()).find(|&j| hit(bytes[j]))
}

/// The first `\n` or `\r` at or after `from`.
pub fn line_end(bytes: &[u8], from: usize) -> Option<usize> {
    find(
        bytes,
        from,
        |w| equal(w, b'\n') | equal(w, b'\r'),
        |b| b == b'\n' || b == b'\r',
    )
}

/// The first byte at or after `from` that ends a plain run inside a JSON string: a
/// quote, a backslash or a control character (`bytes.len()` when none does).
pub fn string_run_end(bytes: &[u8], from: usize) -> usize {
    find(
        bytes,
        from,
        |w| equal(w, b'"') | equal(w, b'\\') | below(w, 0x20),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
    .unwrap_or(bytes.len())
}

/// Where `needle` first occurs in `text`. A plain scan rather than core's two-way
/// searcher: the texts searched for a substring here are short (error messages,
/// header values, a JSON pointer token), and core's searcher, pulled in by any
/// `str::find`/`replace`/`split_once` with a string pattern, is 2 KB of Wasm.
/// A match of valid UTF-8 in valid UTF-8 starts on a character boundary.
pub fn find_str(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let last = text.len().checked_sub(needle.len())?;
    (0..=last).find(|&i| text[i..].starts_with(needle))
}

/// `text` with every `needle` replaced by `with`, left to right, as `str::replace`.
pub fn replace(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_str(rest, needle) {
        out.push_str(&rest[..at]);
        out.push_str(with);
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// The pieces of `text` between the `separator`s, as `str::split(..).collect()`.
pub fn split_all<'a>(mut text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    while let Some((piece, rest)) = split_once(text, separator) {
        pieces.push(piece);
        text = rest;
    }
    pieces.push(text);
    pieces
}

/// `text` without the `byte`s (ASCII) at its end.
pub fn trim_end_byte(text: &str, byte: u8) -> &str {
    let kept = text.bytes().rposition(|b| b != byte).map_or(0, |i| i + 1);
    &text[..kept]
}

/// `text` without the `byte`s (ASCII) at its start.
pub fn trim_start_byte(text: &str, byte: u8) -> &str {
    let from = text.bytes().position(|b| b != byte).unwrap_or(text.len());
    &text[from..]
}

/// Where the character numbered `n` (from 0) starts, or `None` past the last: a
/// character starts at every byte that is not a UTF-8 continuation byte
/// (`0b10xx_xxxx`). Plain bytes rather than `char_indices().nth(n)`, whose decoding
/// is more Wasm than a count needs.
pub fn char_start(text: &str, n: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if (b as i8) >= -0x40 {
            if seen == n {
                return Some(i);
            }
            seen += 1;
        }
    }
    None
}

/// `parts` joined by `separator`, as `[_]::join`. By hand: core's join is a large
/// generic (specialised by separator length) for a system prompt and two messages.
pub fn join<S: AsRef<str>>(parts: &[S], separator: &str) -> String {
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push_str(separator);
        }
        joined.push_str(part.as_ref());
    }
    joined
}

/// `text` around the first `needle`, as `str::split_once`.
pub fn split_once<'a>(text: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find_str(text, needle)?;
    Some((&text[..at], &text[at + needle.len()..]))
}

#[cfg(test)]
mod tests {

    #[test]
    fn substring_helpers_agree_with_core() {
        let cases = [
            ("", ""),
            ("abc", ""),
            ("", "a"),
            ("abcabc", "bc"),
            ("aaa", "aa"),
            ("héllo wörld", "ö"),
            ("key sk-123 and sk-123!", "sk-123"),
            ("~01~1", "~1"),
            ("short", "longer needle"),
        ];
        for (text, needle) in cases {
            assert_eq!(
                find_str(text, needle),
                text.find(needle),
                "{text:?} {needle:?}"
            );
            assert_eq!(
                split_once(text, needle),
                text.split_once(needle),
                "{text:?} {needle:?}"
            );
            if !needle.is_empty() {
                assert_eq!(replace(text, needle, "<>"), text.replace(needle, "<>"));
                assert_eq!(
                    split_all(text, needle),
                    text.split(needle).collect::<Vec<_>>()
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn find_and_replace_match_core(text in "[ab\\u{e9}]{0,12}", needle in "[ab\\u{e9}]{1,3}") {
            proptest::prop_assert_eq!(find_str(&text, &needle), text.find(needle.as_str()));
            proptest::prop_assert_eq!(replace(&text, &needle, "x"), text.replace(needle.as_str(), "x"));
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn finds_the_first_match_in_words_and_in_the_tail() {
        assert_eq!(line_end(b"0123456789\r\n", 0), Some(10));
        assert_eq!(line_end(b"ab\ncd", 0), Some(2));
        assert_eq!(line_end(b"ab\ncd\n", 3), Some(5));
        assert_eq!(line_end(b"0123456789abcdef", 0), None);
        assert_eq!(
            string_run_end("héllo wörld 🦀 and \"quote".as_bytes(), 0),
            23
        );
        assert_eq!(string_run_end(b"\x01", 0), 0);
        assert_eq!(string_run_end(b"abcdefgh\\", 0), 8);
        assert_eq!(string_run_end(b"plain", 0), 5);
    }

    proptest! {
        #[test]
        fn agrees_with_a_byte_by_byte_search(bytes in prop::collection::vec(any::<u8>(), 0..40), from in 0usize..40) {
            let from = from.min(bytes.len());
            let naive_line = bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r').map(|p| p + from);
            prop_assert_eq!(line_end(&bytes, from), naive_line);
            let naive_run = bytes[from..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map_or(bytes.len(), |p| p + from);
            prop_assert_eq!(string_run_end(&bytes, from), naive_run);
        }
    }

    #[test]
    fn trims_an_ascii_byte_as_core_trims_the_char() {
        for text in ["", "/", "//a//", "a/b/", "/\u{e9}/", "a"] {
            assert_eq!(trim_end_byte(text, b'/'), text.trim_end_matches('/'));
            assert_eq!(trim_start_byte(text, b'/'), text.trim_start_matches('/'));
        }
    }

    #[test]
    fn char_start_agrees_with_char_indices() {
        for text in ["", "a", "h\u{e9}llo", "\u{1f600}x\u{e9}", "abc"] {
            for n in 0..6 {
                assert_eq!(
                    char_start(text, n),
                    text.char_indices().nth(n).map(|(i, _)| i)
                );
            }
        }
    }
}
