//! Which failures are worth another attempt, and how long to wait first. The policy
//! is the `openai` package's: `x-should-retry` wins; otherwise 408, 409, 429, every
//! 5xx, connection failures and timeouts; backoff 0.5 s doubling to 8 s, less up to
//! 25 % jitter; `retry-after-ms` / `retry-after` win when the server sends them.

use crate::error::{Error, ErrorKind};
use crate::http_date::parse_imf_fixdate;

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
        ErrorKind::Api => match error.status {
            Some(status) => matches!(status, 408 | 409 | 429 | 500..=599),
            None => stream_error_is_transient(error),
        },
        ErrorKind::InvalidRequest | ErrorKind::UserAbort => false,
    }
}

/// An error sent inside a 200 stream has no status: it is worth another attempt unless
/// it blames the request. A malformed event (no error object at all) is not: the same
/// request would get the same garbage, so the next model is tried instead.
fn stream_error_is_transient(error: &Error) -> bool {
    let Some(body) = &error.body else {
        return false;
    };
    let kind = body.get("type").or_else(|| body.get("code"));
    let blames_request = kind.and_then(|k| k.as_str()).is_some_and(|k| {
        matches!(
            k,
            "invalid_request_error"
                | "authentication_error"
                | "permission_error"
                | "not_found_error"
        )
    });
    !blames_request
}

/// Milliseconds to wait before retry number `retry` (0-based), or `None` when the
/// server asked for a wait beyond [`MAX_RETRY_AFTER_MS`]. `random` is in [0, 1);
/// `now_ms` (epoch milliseconds) reads a `retry-after` given as an HTTP date.
pub fn retry_delay_ms(error: &Error, retry: u32, random: f64, now_ms: f64) -> Option<f64> {
    if let Some(ms) = server_requested_delay_ms(error, now_ms) {
        return (ms <= MAX_RETRY_AFTER_MS).then_some(ms);
    }
    let backoff = (INITIAL_DELAY_MS * 2f64.powi(retry.min(16) as i32)).min(MAX_DELAY_MS);
    Some(backoff * (1.0 - random.clamp(0.0, 1.0) * 0.25))
}

/// A delay from the error body (Gemini's), else `retry-after-ms` (a number of ms), else
/// `retry-after` in seconds or as an HTTP date.
fn server_requested_delay_ms(error: &Error, now_ms: f64) -> Option<f64> {
    let number = |name: &str| {
        error
            .header(name)
            .and_then(crate::json::parse_number)
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    error
        .retry_after_ms
        .or_else(|| number("retry-after-ms"))
        .or_else(|| number("retry-after").map(|s| s * 1000.0))
        .or_else(|| {
            let date = parse_imf_fixdate(error.header("retry-after")?)?;
            Some((date - now_ms).max(0.0))
        })
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
    fn stream_errors_retry_unless_they_blame_the_request() {
        let event = |body| Error::api(None, "x", vec![], Some(body));
        assert!(should_retry(&event(crate::json!({"type": "server_error"}))));
        assert!(should_retry(&event(
            crate::json!({"type": "overloaded_error"})
        )));
        assert!(!should_retry(&event(
            crate::json!({"type": "invalid_request_error"})
        )));
        assert!(!should_retry(&Error::api(None, "malformed", vec![], None)));
    }

    #[test]
    fn x_should_retry_wins() {
        assert!(!should_retry(&status(429, &[("x-should-retry", "false")])));
        assert!(should_retry(&status(400, &[("x-should-retry", "true")])));
    }

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        let e = status(500, &[]);
        assert_eq!(retry_delay_ms(&e, 0, 0.0, 0.0), Some(500.0));
        assert_eq!(retry_delay_ms(&e, 1, 0.0, 0.0), Some(1000.0));
        assert_eq!(retry_delay_ms(&e, 10, 0.0, 0.0), Some(8000.0));
        assert_eq!(
            retry_delay_ms(&e, 0, 0.999_999, 0.0).map(f64::round),
            Some(375.0)
        );
    }

    #[test]
    fn server_delay_wins_up_to_a_ceiling() {
        let delay = |h: &[(&str, &str)], now| retry_delay_ms(&status(429, h), 3, 0.5, now);
        assert_eq!(delay(&[("retry-after-ms", "20")], 0.0), Some(20.0));
        assert_eq!(delay(&[("retry-after", "1.5")], 0.0), Some(1500.0));
        assert_eq!(delay(&[("retry-after", "3600")], 0.0), None);
        let date = [("retry-after", "Thu, 01 Jan 1970 00:00:10 GMT")];
        assert_eq!(delay(&date, 7_500.0), Some(2_500.0));
        assert_eq!(
            delay(&date, 20_000.0),
            Some(0.0),
            "a date in the past: at once"
        );
        assert_eq!(delay(&date, -100_000.0), None, "too far ahead: give up");
        let unreadable = delay(&[("retry-after", "soon")], 0.0);
        assert_eq!(unreadable, Some(4_000.0 * 0.875), "unreadable: the backoff");
    }
}
