//! Which failures are worth another attempt, and how long to wait first. The policy
//! is the `openai` package's: `x-should-retry` wins; otherwise 408, 409, 429, every
//! 5xx, connection failures and timeouts; backoff 0.5 s doubling to 8 s, less up to
//! 25 % jitter; `retry-after-ms` / `retry-after` win when the server sends them.

use crate::error::{Error, ErrorKind};

const INITIAL_DELAY_MS: f64 = 500.0;
const MAX_DELAY_MS: f64 = 8_000.0;
/// A server asking for a longer wait than this gets its error back at once: sleeping
/// for minutes inside a request is worse than failing.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

pub fn should_retry(error: &Error) -> bool {
    match error.header("x-should-retry") {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    match error.kind {
        ErrorKind::Connection | ErrorKind::Timeout => true,
        ErrorKind::Api => matches!(error.status, Some(408 | 409 | 429 | 500..=599)),
        ErrorKind::InvalidRequest | ErrorKind::UserAbort => false,
    }
}

/// Milliseconds to wait before retry number `retry` (0-based), or `None` when the
/// server asked for a wait beyond [`MAX_RETRY_AFTER_MS`]. `random` is in [0, 1).
pub fn retry_delay_ms(error: &Error, retry: u32, random: f64) -> Option<f64> {
    if let Some(ms) = server_requested_delay_ms(error) {
        return (ms <= MAX_RETRY_AFTER_MS).then_some(ms);
    }
    let backoff = (INITIAL_DELAY_MS * 2f64.powi(retry.min(16) as i32)).min(MAX_DELAY_MS);
    Some(backoff * (1.0 - random.clamp(0.0, 1.0) * 0.25))
}

/// `retry-after-ms` (a number of ms), else `retry-after` in seconds. An HTTP-date
/// `retry-after` is not read yet, so it falls back to the computed backoff.
fn server_requested_delay_ms(error: &Error) -> Option<f64> {
    let parse = |name: &str| {
        error
            .header(name)
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    parse("retry-after-ms").or_else(|| parse("retry-after").map(|s| s * 1000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, headers: &[(&str, &str)]) -> Error {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Error::api(Some(code), "x", headers, None)
    }

    #[test]
    fn retryable_statuses_and_kinds() {
        for code in [408, 409, 429, 500, 502, 503, 529] {
            assert!(should_retry(&status(code, &[])), "{code}");
        }
        for code in [400, 401, 403, 404, 422] {
            assert!(!should_retry(&status(code, &[])), "{code}");
        }
        assert!(should_retry(&Error::connection("reset")));
        assert!(should_retry(&Error::timeout("slow")));
        assert!(!should_retry(&Error::user_abort()));
        assert!(!should_retry(&Error::invalid("x", "y")));
    }

    #[test]
    fn x_should_retry_wins() {
        assert!(!should_retry(&status(429, &[("x-should-retry", "false")])));
        assert!(should_retry(&status(400, &[("x-should-retry", "true")])));
    }

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        let e = status(500, &[]);
        assert_eq!(retry_delay_ms(&e, 0, 0.0), Some(500.0));
        assert_eq!(retry_delay_ms(&e, 1, 0.0), Some(1000.0));
        assert_eq!(retry_delay_ms(&e, 10, 0.0), Some(8000.0));
        assert_eq!(
            retry_delay_ms(&e, 0, 0.999_999).map(f64::round),
            Some(375.0)
        );
    }

    #[test]
    fn server_delay_wins_up_to_a_ceiling() {
        assert_eq!(
            retry_delay_ms(&status(429, &[("retry-after-ms", "20")]), 3, 0.5),
            Some(20.0)
        );
        assert_eq!(
            retry_delay_ms(&status(429, &[("retry-after", "1.5")]), 0, 0.5),
            Some(1500.0)
        );
        assert_eq!(
            retry_delay_ms(&status(429, &[("retry-after", "3600")]), 0, 0.5),
            None
        );
    }
}
