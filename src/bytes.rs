//! Byte searches eight bytes at a time, for the loops that run over every byte of a
//! stream: the SSE decoder's line ends and the JSON scanner's plain string runs.
//! Wasm has 64-bit integers but, without SIMD, no vector search of its own; a byte
//! at a time these two loops were a third of onellm's time per streamed token.
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

#[cfg(test)]
mod tests {
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
}
