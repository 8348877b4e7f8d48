//! JSON numbers, kept as the text that came: a `temperature` of `0.7` or a
//! `seed` of `12345678901234567890` goes to the provider exactly as the caller wrote
//! it, never through a float and back. Reading one as `f64` is for checks (ranges,
//! counts), and needs no float parser from core: core's decimal-to-float tables and
//! float printing were kilobytes of Wasm each (issue 8).

use std::fmt;

/// A JSON number: its text, valid by RFC 8259 (the scanner checked it, or the
/// crate wrote it).
#[derive(Clone)]
pub struct Number(Box<str>);

/// Powers of ten a double holds exactly: the Clinger fast path multiplies or
/// divides by one of them and is then correctly rounded.
const EXACT_POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Number {
    /// Text the scanner has checked is a JSON number.
    pub(crate) fn from_checked(text: &str) -> Number {
        Number(text.into())
    }

    /// A finite float as its shortest text that reads back to it; `None` for NaN
    /// and the infinities, which JSON cannot hold.
    pub fn from_f64(value: f64) -> Option<Number> {
        if !value.is_finite() {
            return None;
        }
        if value.fract() == 0.0 && value.abs() < 1e15 {
            return Some(Number::from(value as i64));
        }
        // Rust's shortest round-trip digits, never with an exponent: valid JSON. The
        // product never writes a number from a double (what goes out is text that
        // came in, or an integer), so this costs the .wasm nothing; using it from
        // the Wasm build would add core's float printer, kilobytes.
        Some(Number(value.to_string().into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number when it is written as a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        let digits = self.0.as_bytes();
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0u64, |n, d| {
            n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })
    }

    /// The number when it is written as an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0.strip_prefix('-') {
            Some(digits) => {
                let n = Number::from_checked(digits).as_u64()?;
                0i64.checked_sub_unsigned(n)
            }
            None => self.as_u64().and_then(|n| i64::try_from(n).ok()),
        }
    }

    /// The number as a double: correctly rounded when it has at most 15 significant
    /// digits and an exponent within ±22 (every number a person types), within a few
    /// units in the last place otherwise. Huge exponents read as ±infinity or 0.
    pub fn as_f64(&self) -> f64 {
        parse_f64(&self.0)
    }
}

/// Reads JSON number text (checked before) as a double.
fn parse_f64(text: &str) -> f64 {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0u32; // significant digits taken into `mantissa`
    let mut exponent: i64 = 0;
    let mut in_fraction = false;
    let mut bytes = rest.bytes().peekable();
    while let Some(&b) = bytes.peek() {
        match b {
            b'.' => in_fraction = true,
            b'0'..=b'9' => {
                let leading_zero = mantissa == 0 && b == b'0';
                if digits < 19 {
                    if !leading_zero {
                        mantissa = mantissa * 10 + u64::from(b - b'0');
                        digits += 1;
                    }
                    exponent -= i64::from(in_fraction);
                } else if !in_fraction {
                    exponent += 1; // a digit past 19 only scales
                }
            }
            _ => break,
        }
        bytes.next();
    }
    if let Some(b'e' | b'E') = bytes.next() {
        let mut exp_negative = false;
        let mut exp: i64 = 0;
        for b in bytes {
            match b {
                b'-' => exp_negative = true,
                b'+' => {}
                d => exp = exp.saturating_mul(10).saturating_add(i64::from(d - b'0')),
            }
        }
        exponent = exponent.saturating_add(if exp_negative { -exp } else { exp });
    }
    let value = scale(mantissa, exponent);
    if negative {
        -value
    } else {
        value
    }
}

/// `mantissa * 10^exponent`.
fn scale(mantissa: u64, exponent: i64) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let m = mantissa as f64;
    if mantissa < (1 << 53) {
        if (0..=22).contains(&exponent) {
            return m * EXACT_POWERS[exponent as usize];
        }
        if (-22..0).contains(&exponent) {
            return m / EXACT_POWERS[(-exponent) as usize];
        }
    }
    // Beyond the exact range: in steps, so no intermediate power overflows when the
    // result does not.
    let exponent = exponent.clamp(-800, 800) as i32;
    if exponent < 0 {
        let half = exponent / 2;
        m * 10f64.powi(half) * 10f64.powi(exponent - half)
    } else {
        m * 10f64.powi(exponent)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number(n.to_string().into())
    }
}

impl From<u64> for Number {
    fn from(n: u64) -> Number {
        Number(n.to_string().into())
    }
}

/// Equal when written alike or of the same value (`1` and `1.0`): integers compared
/// exactly, others as the doubles they read as.
impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        let integer = |n: &Number| n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
        if self.0 == other.0 {
            return true;
        }
        match (integer(self), integer(other)) {
            (Some(a), Some(b)) => a == b,
            _ => {
                let (a, b) = (self.as_f64(), other.as_f64());
                a == b && a.is_finite()
            }
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(text: &str) -> Number {
        Number::from_checked(text)
    }

    #[test]
    fn integers_read_exactly_when_they_fit() {
        assert_eq!(
            n("12345678901234567890").as_u64(),
            Some(12345678901234567890)
        );
        assert_eq!(n("18446744073709551616").as_u64(), None);
        assert_eq!(n("-5").as_u64(), None);
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("1.0").as_u64(), None);
        assert_eq!(n("1e3").as_i64(), None);
    }

    #[test]
    fn floats_read_as_written() {
        for (text, value) in [
            ("0", 0.0),
            ("-0", -0.0),
            ("0.7", 0.7),
            ("1.5", 1.5),
            ("-1.25E-2", -0.0125),
            ("2e3", 2000.0),
            ("0.001", 0.001),
            ("100.50", 100.5),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
            ("12345678901234567890", 12345678901234567890.0),
        ] {
            assert_eq!(n(text).as_f64(), value, "{text}");
        }
    }

    #[test]
    fn floats_write_as_json_that_reads_back_to_them() {
        for value in [
            5e15,
            1e16,
            1e21,
            2.5e-6,
            1e-7,
            -1.5e-7,
            0.30000000000000004,
            123.456,
            f64::MAX,
            5e-324,
        ] {
            let text = Number::from_f64(value).unwrap();
            let back: f64 = text.as_str().parse().unwrap();
            assert_eq!(back, value, "{text}");
            assert!(crate::json::parse(text.as_str()).is_ok(), "{text} is JSON");
        }
    }

    #[test]
    fn integers_compare_exactly() {
        assert_ne!(n("12345678901234567890"), n("12345678901234567891"));
        assert_eq!(n("1"), n("1.0"));
        assert_eq!(n("1e2"), n("100"));
        assert_ne!(n("1e400"), n("2e400"));
    }

    #[test]
    fn floats_write_shortest_and_whole_numbers_bare() {
        assert_eq!(Number::from_f64(0.7).unwrap().as_str(), "0.7");
        assert_eq!(Number::from_f64(2.0).unwrap().as_str(), "2");
        assert_eq!(Number::from_f64(-0.5).unwrap().as_str(), "-0.5");
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!(Number::from_f64(f64::INFINITY).is_none());
    }

    proptest! {
        /// Within the fast path the reading is exact: what a person types reads as
        /// Rust's own (correctly rounded) parser reads it.
        #[test]
        fn short_decimals_read_correctly_rounded(int in 0u64..1_000_000_000, frac in 0u32..1_000_000, e in -15i32..15) {
            let text = format!("{int}.{frac:06}e{e}");
            prop_assert_eq!(n(&text).as_f64(), text.parse::<f64>().unwrap());
        }

        /// Anywhere else, within a relative 1e-14.
        #[test]
        fn any_double_reads_back_closely(x in proptest::num::f64::NORMAL) {
            let text = Number::from_f64(x).unwrap();
            let back = text.as_f64();
            prop_assert!(((back - x) / x).abs() < 1e-14, "{} read as {}", text, back);
        }
    }
}
