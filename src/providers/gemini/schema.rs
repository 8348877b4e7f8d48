//! JSON Schema to the OpenAPI 3.0 subset Gemini accepts for `responseSchema` and
//! function parameters (<https://ai.google.dev/api/caching#Schema>): local `$ref`s
//! inlined, `["string","null"]` made `nullable`, `const` made a one-value `enum`,
//! `oneOf` read as `anyOf`, and keywords Gemini rejects (`additionalProperties`,
//! `$schema`, `$defs`, ...) dropped.

use crate::json::{Map, Value};

use crate::error::{Error, Result};

/// The keywords Gemini's `Schema` has; everything else is dropped.
const KEPT: &[&str] = &[
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

/// How deep `$ref`s may nest before the schema is taken for a recursive one, which
/// Gemini's schema cannot express.
const MAX_DEPTH: usize = 32;

/// How many schema nodes inlining `$ref`s may produce: `$defs` that refer to each
/// other several times per level would otherwise grow the request exponentially,
/// synchronously inside `create()`.
const MAX_NODES: usize = 10_000;

/// The schema whose `$ref`s resolve, and the nodes produced so far.
struct Root<'a> {
    value: &'a Value,
    nodes: std::cell::Cell<usize>,
}

pub fn convert(schema: &Value, param: &str) -> Result<Value> {
    let root = Root {
        value: schema,
        nodes: std::cell::Cell::new(0),
    };
    convert_at(schema, &root, param, 0)
}

fn convert_at(node: &Value, root: &Root, param: &str, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid(
            param,
            "the schema is recursive (or nests $refs too deeply), which gemini cannot express",
        ));
    }
    root.nodes.set(root.nodes.get() + 1);
    if root.nodes.get() > MAX_NODES {
        return Err(Error::invalid(
            param,
            "the schema inlines its $refs into more than 10000 nodes for gemini (which takes no $ref): share fewer definitions",
        ));
    }
    let Value::Object(map) = node else {
        // `true` / `false` schemas and garbage: nothing Gemini can use.
        return Ok(Value::Object(Map::new()));
    };
    if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
        let target = resolve(root.value, reference).ok_or_else(|| {
            Error::invalid(
                param,
                format!("cannot resolve $ref \"{reference}\" (only local refs are)"),
            )
        })?;
        let mut merged = convert_at(target, root, param, depth + 1)?;
        // Siblings of $ref (a description, say) refine the target.
        if let (Value::Object(m), Value::Object(own)) =
            (&mut merged, convert_siblings(map, root, param, depth)?)
        {
            m.extend(own);
        }
        return Ok(merged);
    }
    convert_siblings(map, root, param, depth)
}

fn convert_siblings(map: &Map, root: &Root, param: &str, depth: usize) -> Result<Value> {
    let mut out = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "$ref" => {}
            "type" => match value {
                Value::Array(types) => {
                    let mut non_null: Vec<&Value> = Vec::with_capacity(types.len());
                    for t in types {
                        if t != "null" {
                            non_null.push(t);
                        }
                    }
                    if non_null.len() < types.len() {
                        out.set("nullable", Value::Bool(true));
                    }
                    match non_null.as_slice() {
                        [one] => {
                            out.set("type", (*one).clone());
                        }
                        [] => {}
                        many => {
                            let mut any = Vec::with_capacity(many.len());
                            for t in many {
                                any.push(crate::json!({ "type": t }));
                            }
                            out.set("anyOf", Value::Array(any));
                        }
                    }
                }
                Value::String(t) if t == "null" => {
                    out.set("nullable", Value::Bool(true));
                }
                other => {
                    out.set("type", other.clone());
                }
            },
            "const" => {
                out.set("enum", Value::Array(vec![value.clone()]));
            }
            "properties" => {
                let mut props = Map::new();
                if let Some(value) = value.as_object() {
                    for (name, schema) in value {
                        props.insert(name.clone(), convert_at(schema, root, param, depth + 1)?);
                    }
                }
                out.set("properties", Value::Object(props));
            }
            "items" => {
                out.set("items", convert_at(value, root, param, depth + 1)?);
            }
            "anyOf" | "oneOf" => {
                // Pydantic's Optional[X] is anyOf [X, null]: X, nullable.
                let all = value.as_array().map_or(&[][..], Vec::as_slice);
                let mut rest: Vec<&Value> = Vec::with_capacity(all.len());
                for v in all {
                    if v.get("type").and_then(Value::as_str) != Some("null") {
                        rest.push(v);
                    }
                }
                if rest.len() < all.len() {
                    out.set("nullable", Value::Bool(true));
                }
                if let [only] = rest.as_slice() {
                    if let Value::Object(inner) = convert_at(only, root, param, depth + 1)? {
                        out.extend(inner);
                    }
                } else {
                    let mut variants = Vec::with_capacity(rest.len());
                    for v in &rest {
                        variants.push(convert_at(v, root, param, depth + 1)?);
                    }
                    out.set("anyOf", Value::Array(variants));
                }
            }
            "allOf" => {
                // A single-item allOf (Pydantic's way of describing a $ref) is that item.
                if let Some([only]) = value.as_array().map(Vec::as_slice) {
                    if let Value::Object(inner) = convert_at(only, root, param, depth + 1)? {
                        for (k, v) in inner {
                            if !out.contains_key(&k) {
                                out.insert(k, v);
                            }
                        }
                    }
                }
            }
            kept if KEPT.contains(&kept) => {
                out.insert(key.clone(), value.clone());
            }
            _ => {} // additionalProperties, $schema, $defs, definitions, ...
        }
    }
    fix_enum_and_format(&mut out);
    Ok(Value::Object(out))
}

/// Gemini takes `enum` only on strings and only a few `format`s: an untyped or
/// non-string enum becomes a string enum of the values' text (`format: "enum"`),
/// and formats Gemini rejects (`email`, `uri`, `uuid`, ...) are dropped.
fn fix_enum_and_format(out: &mut Map) {
    if let Some(Value::Array(values)) = out.get("enum").cloned() {
        let mut strings = Vec::with_capacity(values.len());
        for v in &values {
            strings.push(Value::String(match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }));
        }
        out.set("enum", Value::Array(strings));
        out.set("type", Value::String("string".into()));
        out.set("format", Value::String("enum".into()));
    }
    let allowed = matches!(
        (
            out.get("type").and_then(Value::as_str),
            out.get("format").and_then(Value::as_str),
        ),
        (Some("string"), Some("enum" | "date-time"))
            | (Some("integer"), Some("int32" | "int64"))
            | (Some("number"), Some("float" | "double"))
            | (_, None)
    );
    if !allowed {
        out.remove("format");
    }
}

/// `#/$defs/Name`, `#/definitions/Name` and other local JSON pointers.
fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn properties_keep_the_order_the_model_answers_in() {
        let schema = crate::json::parse(
            r#"{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"},"mid":{"type":"boolean"}}}"#,
        )
        .unwrap();
        assert_eq!(
            convert(&schema, "s").unwrap().to_string(),
            r#"{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"number"},"mid":{"type":"boolean"}}}"#
        );
    }

    #[test]
    fn refs_nullable_const_and_dropped_keywords() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "$defs": {
                "City": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "country": {"type": ["string", "null"], "description": "ISO code"}
                }, "required": ["name"], "additionalProperties": false}
            },
            "properties": {
                "home": {"$ref": "#/$defs/City", "description": "where they live"},
                "visited": {"type": "array", "items": {"$ref": "#/$defs/City"}},
                "kind": {"const": "trip"},
                "score": {"oneOf": [{"type": "integer"}, {"type": "string"}]}
            },
            "required": ["home"]
        });
        let city = json!({"type": "object", "properties": {
            "name": {"type": "string"},
            "country": {"type": "string", "nullable": true, "description": "ISO code"}
        }, "required": ["name"]});
        let mut home = city.clone();
        home["description"] = json!("where they live");
        assert_eq!(
            convert(&schema, "s").unwrap(),
            json!({
                "type": "object",
                "properties": {
                    "home": home,
                    "visited": {"type": "array", "items": city},
                    "kind": {"type": "string", "format": "enum", "enum": ["trip"]},
                    "score": {"anyOf": [{"type": "integer"}, {"type": "string"}]}
                },
                "required": ["home"]
            })
        );
    }

    #[test]
    fn enums_formats_optional_and_all_of_as_gemini_takes_them() {
        let schema = json!({"type": "object", "$defs": {"Addr": {"type": "object", "properties": {"city": {"type": "string"}}}},
        "properties": {
            "level": {"type": "integer", "enum": [0, 1, 2]},
            "email": {"type": "string", "format": "email"},
            "when": {"type": "string", "format": "date-time"},
            "nick": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "addr": {"allOf": [{"$ref": "#/$defs/Addr"}], "description": "home"}
        }});
        assert_eq!(
            convert(&schema, "s").unwrap()["properties"],
            json!({
                "level": {"type": "string", "format": "enum", "enum": ["0", "1", "2"]},
                "email": {"type": "string"},
                "when": {"type": "string", "format": "date-time"},
                "nick": {"type": "string", "nullable": true},
                "addr": {"type": "object", "properties": {"city": {"type": "string"}}, "description": "home"}
            })
        );
    }

    #[test]
    fn refs_that_multiply_per_level_are_refused_before_they_grow_the_request() {
        // Each level refers to the next four times: 4^12 nodes once inlined.
        let mut defs = crate::json::Map::new();
        for level in 0..12 {
            let next = json!({"$ref": format!("#/$defs/L{}", level + 1)});
            defs.set(
                &format!("L{level}"),
                json!({"type": "object", "properties": {
                "a": next.clone(), "b": next.clone(), "c": next.clone(), "d": next}}),
            );
        }
        defs.set("L12", json!({"type": "string"}));
        let schema = json!({"$defs": Value::Object(defs), "$ref": "#/$defs/L0"});
        let e = convert(&schema, "tools[0].function.parameters").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("tools[0].function.parameters"));
        assert!(e.message.contains("more than 10000 nodes"), "{}", e.message);
    }

    #[test]
    fn recursive_and_remote_refs_are_refused_by_name() {
        let recursive = json!({"$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
            "$ref": "#/$defs/Node"});
        let e = convert(&recursive, "tools[0].function.parameters").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("tools[0].function.parameters"));
        let remote = json!({"$ref": "https://example.com/schema.json"});
        assert!(convert(&remote, "p")
            .unwrap_err()
            .message
            .contains("only local refs"));
    }
}
