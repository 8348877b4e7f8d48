//! Reading JSON by hand. Every JSON text is parsed once into a [`Value`]
//! and read through these accessors rather than through derived `Deserialize` impls:
//! a derived impl is compiled again for each deserializer it meets, and serde's
//! internally tagged and untagged enums buffer through its private `Content` type.
//! Together those were about 40% of the Wasm binary (issue 8); one `Value` parser and
//! these functions are a few kilobytes.
//!
//! Two readers: the free functions read provider responses leniently (a field that is
//! absent, `null` or of another type reads as absent, as openai-node and the AI SDK
//! read what servers send); [`At`] reads the caller's request strictly and names the
//! path of the field it refuses.

use super::{Map, Number, ParseError, Value};

use crate::error::{Error, Result};

/// The field `key` of an object; `null` reads as absent.
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|f| !f.is_null())
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

pub fn string_of(v: &Value, key: &str) -> Option<String> {
    str_of(v, key).map(str::to_string)
}

/// A string field, or `""`.
pub fn string_or_empty(v: &Value, key: &str) -> String {
    str_of(v, key).unwrap_or_default().to_string()
}

/// Any JSON number as a non-negative integer: servers send counts as floats now and
/// then; fractions drop, negatives read as 0 and huge values saturate.
pub fn u64_of(v: &Value, key: &str) -> Option<u64> {
    let n = v.get(key)?;
    // `as` saturates and maps NaN to 0.
    n.as_u64().or_else(|| n.as_f64().map(|f| f as u64))
}

/// [`u64_of`] capped at `u32::MAX` (indexes).
pub fn u32_of(v: &Value, key: &str) -> Option<u32> {
    u64_of(v, key).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// An array field's items; absent or not an array reads as none.
pub fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    match v.get(key) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Each item of the array field `key`, read by `read`. A loop: the `map`/`collect`
/// chain it replaces cost more Wasm per item type.
pub fn read_items<T>(v: &Value, key: &str, read: impl Fn(&Value) -> T) -> Vec<T> {
    let items = items(v, key);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(item));
    }
    out
}

/// Why a text is no JSON, with where: `invalid JSON at line 1 column 7`.
pub fn why_not_json(e: &ParseError) -> String {
    e.to_string()
}

/// A decimal number in text (a header's `1.5`), read as JSON reads numbers.
pub fn parse_number(text: &str) -> Option<f64> {
    match super::parse(text.trim_ascii()) {
        Ok(Value::Number(n)) => Some(n.as_f64()),
        _ => None,
    }
}

/// Values by name, in the order they came: the objects of options (`apiKeys`,
/// `headers`) and `logit_bias`.
pub type Keyed<T> = Vec<(String, T)>;

/// The value named `key`.
pub fn lookup<'a, T>(list: &'a Keyed<T>, key: &str) -> Option<&'a T> {
    list.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The caller's request, read strictly: a value and the path that led to it
/// (`messages[1].content`), for the error that names it. The path is a chain of
/// borrowed steps, written out only when an error names it: reading a field costs
/// no allocation.
#[derive(Debug, Clone)]
pub struct At<'a, 'p> {
    pub value: &'a Value,
    step: Step<'a, 'p>,
    /// What is read, for messages: `""` for the params, or e.g. `"client option"`.
    /// Options hold keys, so their errors never show the value that came.
    label: &'static str,
}

/// How a value was reached from its parent.
#[derive(Debug, Clone, Copy)]
enum Step<'a, 'p> {
    Root,
    Key(&'p At<'a, 'p>, &'p str),
    Index(&'p At<'a, 'p>, usize),
}

impl<'a, 'p> At<'a, 'p> {
    pub fn root(value: &'a Value) -> Self {
        Self::labelled(value, "")
    }

    /// The root of an options object, whose errors name it by `label` and never
    /// show the value that came.
    pub fn labelled(value: &'a Value, label: &'static str) -> Self {
        At {
            value,
            step: Step::Root,
            label,
        }
    }

    /// The path from the root: `messages[0].content`.
    pub fn path(&self) -> String {
        match self.step {
            Step::Root => String::new(),
            Step::Key(parent, key) => {
                let mut path = parent.path();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                path
            }
            Step::Index(parent, i) => format!("{}[{i}]", parent.path()),
        }
    }

    fn at<'s>(&'s self, value: &'a Value, step: Step<'a, 's>) -> At<'a, 's> {
        At {
            value,
            step,
            label: self.label,
        }
    }

    /// The field `key`; absent and `null` are `None`, as OpenAI reads optional params.
    pub fn get<'s>(&'s self, key: &'s str) -> Option<At<'a, 's>> {
        Some(self.at(field(self.value, key)?, Step::Key(self, key)))
    }

    /// The field `key`, which must be there.
    pub fn need<'s>(&'s self, key: &'s str) -> Result<At<'a, 's>> {
        self.get(key).ok_or_else(|| {
            Error::invalid(
                self.path(),
                format!("invalid {}: missing field `{key}`", self.shown()),
            )
        })
    }

    /// The refusal of this value: what was expected, and what came.
    pub fn invalid(&self, expected: &str) -> Error {
        let came = if self.label.is_empty() {
            format!(", got {}", describe(self.value))
        } else {
            String::new()
        };
        Error::invalid(
            self.path(),
            format!("invalid {}: expected {expected}{came}", self.shown()),
        )
    }

    /// How a message names this value: `` `messages[0].content` ``, `client option
    /// `timeout``, `params`.
    fn shown(&self) -> String {
        match (self.label, self.path().as_str()) {
            ("", "") => "params".into(),
            ("", path) => format!("`{path}`"),
            (label, "") => label.into(),
            (label, path) => format!("{label} `{path}`"),
        }
    }

    pub fn str(&self) -> Result<&'a str> {
        self.value.as_str().ok_or_else(|| self.invalid("a string"))
    }

    pub fn string(&self) -> Result<String> {
        self.str().map(str::to_string)
    }

    pub fn f64(&self) -> Result<f64> {
        self.value.as_f64().ok_or_else(|| self.invalid("a number"))
    }

    /// A number as the caller wrote it.
    pub fn number(&self) -> Result<Number> {
        match self.value {
            Value::Number(n) => Ok(n.clone()),
            _ => Err(self.invalid("a number")),
        }
    }

    pub fn i64(&self) -> Result<i64> {
        self.value
            .as_i64()
            .ok_or_else(|| self.invalid("an integer"))
    }

    pub fn u32(&self) -> Result<u32> {
        self.value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| self.invalid("a non-negative integer"))
    }

    pub fn bool(&self) -> Result<bool> {
        self.value
            .as_bool()
            .ok_or_else(|| self.invalid("a boolean"))
    }

    pub fn object(&self) -> Result<&'a Map> {
        self.value
            .as_object()
            .ok_or_else(|| self.invalid("an object"))
    }

    /// The items of an array, each with its path.
    pub fn array<'s>(&'s self) -> Result<Vec<At<'a, 's>>> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.invalid("an array"))?;
        let mut ats = Vec::with_capacity(items.len());
        for (i, value) in items.iter().enumerate() {
            ats.push(self.at(value, Step::Index(self, i)));
        }
        Ok(ats)
    }

    /// Each item of an array, read by `read`. A loop rather than a `collect` into
    /// `Result<Vec<_>>`: this is instantiated for every list type of the request, and
    /// the adapter chain (GenericShunt, try_fold, from_iter) costs a few hundred bytes
    /// of Wasm per instance more than the loop.
    pub fn list<'s, T>(&'s self, read: impl Fn(&At<'a, 's>) -> Result<T>) -> Result<Vec<T>> {
        let items = self.array()?;
        let mut out = Vec::with_capacity(items.len());
        for item in &items {
            out.push(read(item)?);
        }
        Ok(out)
    }

    /// An object whose values are all read by `read`, keyed as sent, in order (keys
    /// are unique: the parser settled repeats). A list, not a map: these objects
    /// hold a few keys, and a `BTreeMap` was 8 KB of Wasm for them.
    pub fn map<'s, T>(&'s self, read: impl Fn(&At<'a, 's>) -> Result<T>) -> Result<Keyed<T>> {
        let mut read_map = Vec::new();
        for (key, value) in self.object()? {
            let at = self.at(value, Step::Key(self, key));
            read_map.push((key.clone(), read(&at)?));
        }
        Ok(read_map)
    }

    /// The field `key` even when it is `null` (absent reads as `null`).
    pub fn child<'s>(&'s self, key: &'s str) -> At<'a, 's> {
        self.at(
            self.value.get(key).unwrap_or(&Value::Null),
            Step::Key(self, key),
        )
    }

    /// The optional field `key`, read by `read`.
    pub fn opt<'s, T>(
        &'s self,
        key: &'s str,
        read: impl FnOnce(&At<'a, 's>) -> Result<T>,
    ) -> Result<Option<T>> {
        self.get(key).map(|f| read(&f)).transpose()
    }
}

/// A value as an error message shows it: its type, and the value itself when short
/// (never long strings, which may be content the caller would not want echoed).
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.len() <= 40 => format!("the string {v}"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_readers_treat_null_and_wrong_types_as_absent() {
        let v = json!({"a": null, "n": 3.7, "neg": -2, "s": "x", "b": true, "list": [1, 2], "big": 1e30});
        assert!(field(&v, "a").is_none());
        assert_eq!(u64_of(&v, "n"), Some(3));
        assert_eq!(u64_of(&v, "neg"), Some(0));
        assert_eq!(u32_of(&v, "big"), Some(u32::MAX));
        assert_eq!(u64_of(&v, "s"), None);
        assert_eq!(str_of(&v, "n"), None);
        assert_eq!(string_or_empty(&v, "missing"), "");
        assert_eq!(items(&v, "list").len(), 2);
        assert!(items(&v, "s").is_empty());
    }

    #[test]
    fn strict_reader_names_the_path_and_what_came() {
        let v = json!({"messages": [{"content": "hi"}, {"content": 5}], "t": "hot"});
        let root = At::root(&v);
        let e = root.get("t").unwrap().f64().unwrap_err();
        assert_eq!(e.param.as_deref(), Some("t"));
        assert!(
            e.message.contains("`t`") && e.message.contains("\"hot\""),
            "{}",
            e.message
        );
        let list = root.get("messages").unwrap();
        let messages = list.array().unwrap();
        let e = messages[1].get("content").unwrap().str().unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages[1].content"));
        let e = messages[0].need("role").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("messages[0]"));
        assert!(e.message.contains("missing field `role`"), "{}", e.message);
    }

    #[test]
    fn numbers_in_text() {
        assert_eq!(parse_number(" 1.5 "), Some(1.5));
        assert_eq!(parse_number("30"), Some(30.0));
        assert_eq!(parse_number("true"), None);
        assert_eq!(parse_number("1s"), None);
    }

    #[test]
    fn options_never_show_the_value() {
        let v = json!({ "apiKey": 5, "headers": {"x": 1} });
        let root = At::labelled(&v, "client option");
        let e = root.get("apiKey").unwrap().str().unwrap_err();
        assert_eq!(
            e.message,
            "invalid client option `apiKey`: expected a string"
        );
        let e = root.get("headers").unwrap().map(At::string).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("headers.x"));
    }

    #[test]
    fn long_strings_are_not_echoed() {
        let long = "k".repeat(100);
        let v = json!({ "x": long });
        let e = At::root(&v).get("x").unwrap().f64().unwrap_err();
        assert!(!e.message.contains("kkkk"), "{}", e.message);
    }
}
