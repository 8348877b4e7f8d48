//! A JSON value, as `JSON.parse` makes one: objects keep their keys in the order
//! they came (a JSON schema's `properties` order is the order a model writes its
//! answer in, so a request must not reorder them), numbers keep their text.
//!
//! The crate's own rather than serde_json's: serde_json's `Map` is a `BTreeMap`,
//! which sorts keys, and with its parser, printer and serde's traits it was about a
//! sixth of the Wasm binary (issue 8). The API follows serde_json's, so code reads
//! the same.

use crate::bytes;
use std::fmt;
use std::ops::{Index, IndexMut};

use super::number::Number;
use super::write::ToJson;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

static NULL: Value = Value::Null;

impl Value {
    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.as_object_mut()?.get_mut(key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// The object this is, made one first when it is not.
    fn object_or_new(&mut self) -> &mut Map {
        match self {
            Value::Object(map) => map,
            other => {
                *other = Value::Object(Map::new());
                other.object_or_new()
            }
        }
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// The value at a JSON Pointer (RFC 6901), as `$ref`s name one: `/$defs/a`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut at = self;
        for token in bytes::split_all(pointer.strip_prefix('/')?, "/") {
            let token = bytes::replace(&bytes::replace(token, "~1", "/"), "~0", "~");
            at = match at {
                Value::Object(o) => o.get(&token)?,
                // RFC 6901 indexes: `0`, or digits without a leading zero or sign.
                Value::Array(a) if token == "0" || !token.starts_with(['0', '+']) => {
                    a.get(token.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(at)
    }
}

/// `value["key"]`: the field, or `null` when absent or not an object.
impl Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value["key"] = v`: sets the field, as serde_json's `IndexMut` does; a `null`
/// becomes an object first. Any other non-object is replaced by an empty object
/// rather than panicking (serde_json panics): the crate only indexes objects it built.
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        self.object_or_new().get_or_insert_with(key, || Value::Null)
    }
}

/// `map["key"]`: the member, or `null` when absent.
impl Index<&str> for Map {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[0]`: the item, or `null` when absent or not an array.
impl Index<usize> for Value {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

/// Compact JSON text, as `JSON.stringify` writes it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut out = String::new();
        self.write_json(&mut out);
        f.write_str(&out)
    }
}

/// An object's members in the order they came. Lookups are linear: objects on the
/// wire have a few keys, and a scan of a few is faster than hashing.
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.position(key)?;
        Some(&mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key`, in its place when present (as assigning a JS property does),
    /// last otherwise; returns the value it replaced.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Sets `key` as [`insert`](Map::insert) does, from a borrowed key. One call at
    /// each site, not the key's allocation written out there too: request builders
    /// set dozens of fixed keys, and every member of a `json!` object comes here.
    #[inline(never)]
    pub fn set(&mut self, key: &str, value: Value) {
        self.insert(key.to_string(), value);
    }

    /// Appends a member the caller knows is new (the parser, which settles repeated
    /// keys itself).
    pub(crate) fn push(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// Removes `key`, keeping the others in order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        Some(self.entries.remove(i).1)
    }

    /// The value of `key`, inserted by `default` when absent.
    pub fn get_or_insert_with(&mut self, key: &str, default: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.position(key) {
            Some(i) => i,
            None => {
                self.entries.push((key.to_string(), default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut Value)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Repeated keys settled as `JSON.parse` settles them: the last value wins, in
    /// the place of the first.
    pub(crate) fn settle_repeated_keys(&mut self) {
        let n = self.entries.len();
        if n < 2 {
            return;
        }
        // A few keys are compared pairwise, without allocating (most objects);
        // beyond that, sorted positions find repeats in n log n, however many keys a
        // hostile object has.
        let key = |i: usize| self.entries[i].0.as_str();
        if n <= 16 && !(1..n).any(|i| (0..i).any(|j| key(j) == key(i))) {
            return;
        }
        let mut order: Vec<usize> = (0..n).collect();
        crate::sort::sort_by(&mut order, &|&a, &b| (key(a), a) < (key(b), b));
        let mut drop = vec![false; n];
        let mut moves = Vec::new(); // (first place, last value)
        for run in order.chunk_by(|&a, &b| self.entries[a].0 == self.entries[b].0) {
            if let [first, .., last] = *run {
                moves.push((first, last));
                for &later in &run[1..] {
                    drop[later] = true;
                }
            }
        }
        if moves.is_empty() {
            return;
        }
        for (first, last) in moves {
            let value = std::mem::take(&mut self.entries[last].1);
            self.entries[first].1 = value;
        }
        let mut i = 0;
        self.entries.retain(|_| {
            i += 1;
            !drop[i - 1]
        });
    }
}

/// Equal when they hold the same members, in any order, as two JS objects are
/// deep-equal.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(items: I) -> Map {
        let mut map = Map::new();
        map.extend(items);
        map
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

/// What `json!` and `Value::from` accept: a value built from a Rust one, by
/// reference, as serde_json's `json!` takes its interpolations.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for Map {
    fn to_value(&self) -> Value {
        Value::Object(self.clone())
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for f64 {
    /// NaN and the infinities as `null`, as `JSON.stringify` writes them.
    fn to_value(&self) -> Value {
        Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

macro_rules! integer_to_value {
    ($($t:ty => $via:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Number(Number::from(*self as $via))
            }
        }
    )*};
}

integer_to_value!(u8 => u64, u32 => u64, u64 => u64, usize => u64, i32 => i64, i64 => i64);

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, T::to_value)
    }
}

impl<T: ToValue> ToValue for [T] {
    fn to_value(&self) -> Value {
        let mut items = Vec::with_capacity(self.len());
        for item in self {
            items.push(item.to_value());
        }
        Value::Array(items)
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}

impl<T: ToValue + ?Sized> From<&T> for Value {
    fn from(v: &T) -> Value {
        v.to_value()
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

macro_rules! from_copy {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                v.to_value()
            }
        }
    )*};
}

from_copy!(bool, f64, u32, u64, usize, i32, i64);

// Comparisons with Rust values, for tests and checks: `v["role"] == "user"`.

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! eq_number {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                *self == other.to_value()
            }
        }
    )*};
}

eq_number!(f64, u32, u64, usize, i32, i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order_and_compare_regardless_of_it() {
        let mut a = Map::new();
        a.insert("z".into(), Value::from(1));
        a.insert("a".into(), Value::from(2));
        a.insert("z".into(), Value::from(3));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(a.get("z"), Some(&Value::from(3)));
        let b: Map = [
            ("a".to_string(), Value::from(2)),
            ("z".to_string(), Value::from(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(a, b);
        a.remove("z");
        assert_eq!(a.keys().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn repeated_keys_settle_as_json_parse_settles_them() {
        let mut m = Map::new();
        for (k, v) in [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("b", 5)] {
            m.push(k.into(), Value::from(v));
        }
        m.settle_repeated_keys();
        let got: Vec<_> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(got, ["b=5", "a=2", "c=4"]);
    }

    #[test]
    fn pointers_follow_rfc_6901() {
        let mut inner = Map::new();
        inner.insert("a/b".into(), Value::from(vec![Value::from(7)]));
        let mut root = Map::new();
        root.insert("$defs".into(), Value::Object(inner));
        let v = Value::Object(root);
        assert_eq!(v.pointer("/$defs/a~1b/0"), Some(&Value::from(7)));
        assert_eq!(v.pointer("/$defs/x"), None);
        assert_eq!(v.pointer("/$defs/a~1b/00"), None);
        assert_eq!(v.pointer("/$defs/a~1b/+0"), None);
        assert_eq!(v.pointer(""), Some(&v));
    }

    #[test]
    fn indexing_reads_null_for_what_is_not_there() {
        let v = Value::from(vec![Value::from("x")]);
        assert_eq!(v[0], "x");
        assert!(v[1].is_null() && v["k"].is_null());
    }
}
