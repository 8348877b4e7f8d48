//! Writing JSON text: values, and the answer types straight into a buffer (a
//! streamed chunk goes into the batch for JS without becoming a [`Value`] first).
//! Output is what `JSON.stringify` writes: compact, `"`, `\` and control characters
//! escaped, everything else as it is.

use super::number::Number;
use super::value::{Map, Value};

/// A value as the JSON `Value` its text parses to (what JS sees of it).
pub fn to_value<T: ToJson + ?Sized>(value: &T) -> Value {
    // What this module writes is always JSON.
    super::parse(&to_string(value)).unwrap_or_default()
}

/// A Rust value with a JSON text.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// The JSON text of `value`.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_string(self, out);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_string(self, out);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        write_u64(*self, out);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        write_u64(u64::from(*self), out);
    }
}

impl ToJson for Number {
    fn write_json(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl ToJson for Map {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(key, out);
            out.push(':');
            value.write_json(out);
        }
        out.push('}');
    }
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => n.write_json(out),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => items.write_json(out),
            Value::Object(map) => map.write_json(out),
        }
    }
}

/// An integer in decimal, without core's formatting machinery on the hot path.
fn write_u64(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

/// A JSON string: the text between quotes, escaped as `JSON.stringify` escapes it.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every cut is at an ASCII byte, so on a character boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Writes an object member by member: `object(out).field("id", &id).end()`.
pub struct ObjectWriter<'a> {
    out: &'a mut String,
    first: bool,
}

/// Starts an object in `out`.
pub fn object(out: &mut String) -> ObjectWriter<'_> {
    out.push('{');
    ObjectWriter { out, first: true }
}

impl ObjectWriter<'_> {
    /// A member; `key` is a plain ASCII name that needs no escaping.
    pub fn field<T: ToJson + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        self.member(key, &value)
    }

    /// One body for every type of member: generic, it was instantiated per type.
    #[inline(never)]
    fn member(&mut self, key: &str, value: &dyn ToJson) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        value.write_json(self.out);
        self
    }

    /// A member written only when there is a value (serde's
    /// `skip_serializing_if = "Option::is_none"`).
    pub fn some<T: ToJson>(&mut self, key: &str, value: &Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.field(key, v);
        }
        self
    }

    pub fn end(&mut self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_json_stringify_does() {
        let s = "a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}\u{1f}é🦀\u{2028}";
        assert_eq!(
            to_string(s),
            r#""a\"b\\c/d\b\f\n\r\t\u0001\u001fé🦀 ""#.replace(' ', "\u{2028}")
        );
    }

    #[test]
    fn integers_and_members() {
        let mut out = String::new();
        object(&mut out)
            .field("a", &0u64)
            .field("b", &u64::MAX)
            .some("c", &None::<u32>)
            .some("d", &Some(true))
            .end();
        assert_eq!(out, r#"{"a":0,"b":18446744073709551615,"d":true}"#);
    }
}
