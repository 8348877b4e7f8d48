//! Callers' keys: `Authorization: Bearer <key>`, compared in constant time.

use super::config::GatewayKey;

/// The key a caller sent, from its `Authorization` header (`Bearer`, any case, as
/// OpenAI's SDKs and curl send it).
pub fn bearer(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?.trim_ascii();
    let (scheme, key) = crate::bytes::split_once(value, " ")?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| key.trim_ascii())
        .filter(|k| !k.is_empty())
}

/// The index of the key `sent` matches. Every key is compared over every byte of the
/// longer of the two, and no comparison stops early, so the time taken says nothing
/// about how much of a key was right, nor which key it was.
pub fn find_key(keys: &[GatewayKey], sent: &str) -> Option<usize> {
    let mut found = usize::MAX;
    for (i, key) in keys.iter().enumerate() {
        if same(key.secret.expose().as_bytes(), sent.as_bytes()) {
            found = i;
        }
    }
    (found != usize::MAX).then_some(found)
}

/// Byte strings equal, in time that depends only on their lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= std::hint::black_box(u64::from(x ^ y));
    }
    // Hidden from the optimiser, which could otherwise turn the loop into an
    // early-exit comparison.
    std::hint::black_box(diff) == 0
}
