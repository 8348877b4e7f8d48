//! HTTP dates (RFC 9110 §5.6.7), for `retry-after: Wed, 21 Oct 2015 07:28:00 GMT`.
//! Senders must use the IMF-fixdate form, the only one read here.

/// Milliseconds since the Unix epoch of an IMF-fixdate, or `None` if it is not one.
pub fn parse_imf_fixdate(text: &str) -> Option<f64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = crate::bytes::split_once(text.trim_ascii(), ", ")?.1;
    let parts = crate::bytes::split_all(rest, " ");
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: u32 = digits(day, 2)?;
    let month = MONTHS.iter().position(|m| m == month)? as u32 + 1;
    let year: i64 = digits(year, 4)?.into();
    let hms = crate::bytes::split_all(time, ":");
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let (h, m, s): (u32, u32, u32) = (digits(h, 2)?, digits(m, 2)?, digits(s, 2)?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(seconds as f64 * 1000.0)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn digits(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_imf_fixdate() {
        assert_eq!(
            parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(0.0)
        );
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000.0)
        );
        assert_eq!(
            parse_imf_fixdate("Wed, 25 Nov 2026 09:16:12 GMT"),
            Some(1_795_598_172_000.0)
        );
    }

    #[test]
    fn rejects_other_text() {
        for bad in [
            "",
            "120",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:00:00 GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }
}
