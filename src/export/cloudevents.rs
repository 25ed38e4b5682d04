//! CloudEvents 1.0 samples: for each event type, an event in the structured JSON format whose
//! `data` is a sample value of the type's latest Avro schema, in Avro's JSON encoding.
//!
//! The sample is generated from the schema itself (so it conforms by construction), and
//! [`conforms`] checks a value against a schema by the JSON encoding's rules: unions as
//! `{"<branch>": value}` (or `null`), bytes and fixed as strings of code points 0–255, enums
//! as their symbols, records as objects with every field.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::{KeyDistribution, Model};

use crate::schema::avro::{SchemaError, event_schemas};
use crate::schema::registry::Subject;

/// The fixed time every sample carries (samples are reproducible).
pub const SAMPLE_TIME: &str = "2026-01-01T00:00:00Z";

/// One sample event, and the file stem it is saved under (`namespace.Name`).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleEvent {
    /// `namespace.Name`.
    pub full_name: String,
    /// The CloudEvent, structured JSON.
    pub event: Value,
}

/// A sample CloudEvent per event type of `model`, using `subjects` for `dataschema`.
pub fn sample_events(model: &Model, subjects: &[Subject]) -> Result<Vec<SampleEvent>, SchemaError> {
    let mut out = Vec::new();
    for event in &model.event_types {
        let schemas = event_schemas(event)?;
        let Some(latest) = schemas.last() else {
            continue;
        };
        let data = sample_value(&latest.json, &mut Names::default(), "");
        if let Err(why) = conforms(&latest.json, &data) {
            return Err(SchemaError(format!(
                "the sample of {} does not conform to its schema: {why}",
                latest.full_name
            )));
        }
        let (source, key) = source_and_key(model, &event.id);
        let wanted = format!("{} v{}", event.id, latest.version);
        let dataschema = subjects.iter().find_map(|s| {
            let i = s.versions.iter().position(|v| v.source == wanted)?;
            Some(format!(
                "urn:causeway:schema-registry:subjects:{}:versions:{}",
                uri_escape(&s.name),
                i + 1
            ))
        });
        let mut ce = Map::new();
        ce.insert("specversion".into(), json!("1.0"));
        ce.insert("id".into(), json!(format!("{}-sample-1", latest.full_name)));
        ce.insert("source".into(), json!(source));
        ce.insert("type".into(), json!(latest.full_name));
        ce.insert("time".into(), json!(SAMPLE_TIME));
        ce.insert("datacontenttype".into(), json!("application/json"));
        if let Some(uri) = dataschema {
            ce.insert("dataschema".into(), json!(uri));
        }
        if let Some(key) = key {
            ce.insert("subject".into(), json!(key));
        }
        // Correlation and causation, as extension attributes (lower-case alphanumeric names).
        ce.insert(
            "correlationid".into(),
            json!(format!("{}-sample-1", latest.full_name)),
        );
        ce.insert(
            "causationid".into(),
            json!(format!("{}-sample-1", latest.full_name)),
        );
        ce.insert("data".into(), data);
        out.push(SampleEvent {
            full_name: latest.full_name.clone(),
            event: Value::Object(ce),
        });
    }
    Ok(out)
}

/// Who produces an event type (a URI reference naming the element), and a sample key when
/// the producer keys its records.
fn source_and_key(model: &Model, event: &str) -> (String, Option<String>) {
    if let Some(p) = model
        .producers
        .iter()
        .find(|p| p.event_types.iter().any(|e| e == event))
    {
        let key = match &p.keys {
            KeyDistribution::Uniform { prefix, .. }
            | KeyDistribution::Zipf { prefix, .. }
            | KeyDistribution::Sequential { prefix, .. } => Some(format!("{prefix}0")),
            KeyDistribution::Weighted(keys) => keys.first().map(|k| k.key.clone()),
            KeyDistribution::Null => None,
        };
        return (format!("/producers/{}", uri_escape(&p.id)), key);
    }
    if let Some(g) = model
        .consumer_groups
        .iter()
        .find(|g| g.reactions.iter().any(|r| r.emit == event))
    {
        return (format!("/consumer-groups/{}", uri_escape(&g.id)), None);
    }
    if let Some(s) = model
        .event_stores
        .iter()
        .find(|s| s.event_types.iter().any(|e| e == event))
    {
        return (
            format!("/event-stores/{}", uri_escape(&s.id)),
            Some(format!("{}-0", s.aggregate)),
        );
    }
    (format!("/models/{}", uri_escape(&model.name)), None)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn uri_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Named types seen so far (full name → schema), to resolve references.
#[derive(Debug, Default)]
struct Names(BTreeMap<String, Value>);

impl Names {
    fn define(&mut self, schema: &Value, namespace: &str) -> String {
        let name = schema.get("name").and_then(Value::as_str).unwrap_or("");
        let ns = schema
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or(namespace);
        let full = if name.contains('.') || ns.is_empty() {
            name.to_owned()
        } else {
            format!("{ns}.{name}")
        };
        self.0.insert(full.clone(), schema.clone());
        full
    }

    fn resolve(&self, name: &str, namespace: &str) -> Option<Value> {
        self.0
            .get(name)
            .or_else(|| self.0.get(&format!("{namespace}.{name}")))
            .cloned()
    }
}

fn namespace_of(full: &str) -> &str {
    full.rsplit_once('.').map_or("", |(ns, _)| ns)
}

/// A sample value of `schema` in Avro's JSON encoding: the field's default where it has one,
/// else a plain value of its type.
fn sample_value(schema: &Value, names: &mut Names, namespace: &str) -> Value {
    match schema {
        Value::String(t) => primitive_sample(t, None)
            .or_else(|| {
                let named = names.resolve(t, namespace)?;
                // A recursive reference: stop with the smallest value (a record cannot
                // be empty, so this only happens through unions, handled there).
                Some(sample_value(&named, names, namespace_of(t)))
            })
            .unwrap_or(Value::Null),
        Value::Array(branches) => {
            // A union: the first branch (null when nullable-first), encoded as {"type": v}.
            let Some(first) = branches.first() else {
                return Value::Null;
            };
            if first == "null" {
                return Value::Null;
            }
            let value = sample_value(first, names, namespace);
            let mut m = Map::new();
            m.insert(branch_name(first, namespace), value);
            Value::Object(m)
        }
        Value::Object(o) => {
            let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
            let logical = o.get("logicalType").and_then(Value::as_str);
            if let Some(v) = primitive_sample(ty, logical) {
                return v;
            }
            match ty {
                "record" | "error" => {
                    let full = names.define(schema, namespace);
                    let ns = namespace_of(&full).to_owned();
                    let mut m = Map::new();
                    for f in o
                        .get("fields")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                        let value = match f.get("default") {
                            Some(d) => default_in_json_encoding(&f["type"], d, &ns),
                            None => sample_value(&f["type"], names, &ns),
                        };
                        m.insert(name.to_owned(), value);
                    }
                    Value::Object(m)
                }
                "enum" => {
                    names.define(schema, namespace);
                    o.get("symbols")
                        .and_then(Value::as_array)
                        .and_then(|s| s.first())
                        .cloned()
                        .unwrap_or(Value::Null)
                }
                "fixed" => {
                    names.define(schema, namespace);
                    let size = o.get("size").and_then(Value::as_u64).unwrap_or(0) as usize;
                    Value::String("\u{0}".repeat(size))
                }
                "array" => Value::Array(vec![sample_value(&o["items"], names, namespace)]),
                "map" => {
                    let mut m = Map::new();
                    m.insert("key".into(), sample_value(&o["values"], names, namespace));
                    Value::Object(m)
                }
                _ => Value::Null,
            }
        }
        _ => Value::Null,
    }
}

/// A field default is given for the union's first branch, un-wrapped: in the JSON encoding
/// of data it is wrapped like any union value.
fn default_in_json_encoding(ty: &Value, default: &Value, namespace: &str) -> Value {
    match ty {
        Value::Array(branches) => match branches.first() {
            Some(first) if first == "null" => Value::Null,
            Some(first) => {
                let mut m = Map::new();
                m.insert(branch_name(first, namespace), default.clone());
                Value::Object(m)
            }
            None => Value::Null,
        },
        _ => default.clone(),
    }
}

/// The name a union branch is keyed by in the JSON encoding.
fn branch_name(branch: &Value, namespace: &str) -> String {
    match branch {
        Value::String(t) => t.clone(),
        Value::Object(o) => {
            let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
            match ty {
                "record" | "enum" | "fixed" | "error" => {
                    let name = o.get("name").and_then(Value::as_str).unwrap_or("");
                    let ns = o
                        .get("namespace")
                        .and_then(Value::as_str)
                        .unwrap_or(namespace);
                    if name.contains('.') || ns.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{ns}.{name}")
                    }
                }
                other => other.to_owned(),
            }
        }
        _ => String::new(),
    }
}

fn primitive_sample(ty: &str, logical: Option<&str>) -> Option<Value> {
    Some(match (ty, logical) {
        ("null", _) => Value::Null,
        ("boolean", _) => json!(true),
        ("int", Some("date")) => json!(20_454), // 2026-01-01
        ("int", Some("time-millis")) => json!(43_200_000),
        ("int", _) => json!(1),
        ("long", Some("timestamp-millis")) => json!(1_767_225_600_000_i64),
        ("long", Some("timestamp-micros")) => json!(1_767_225_600_000_000_i64),
        ("long", Some("time-micros")) => json!(43_200_000_000_i64),
        ("long", _) => json!(1),
        ("float" | "double", _) => json!(1.5),
        ("bytes", Some("decimal")) => json!("\u{0}\u{64}"), // unscaled 100
        ("bytes", _) => json!("\u{0}\u{1}"),
        ("string", Some("uuid")) => json!("00000000-0000-4000-8000-000000000001"),
        ("string", _) => json!("sample"),
        _ => return None,
    })
}

/// Whether `data` is a valid value of `schema` in Avro's JSON encoding; the reason if not.
pub fn conforms(schema: &Value, data: &Value) -> Result<(), String> {
    let mut names = Names::default();
    check(schema, data, &mut names, "", "data")
}

fn check(
    schema: &Value,
    data: &Value,
    names: &mut Names,
    ns: &str,
    at: &str,
) -> Result<(), String> {
    let fail = |what: &str| Err(format!("{at}: expected {what}, found {data}"));
    match schema {
        Value::String(t) => {
            check_primitive(t, data, at).unwrap_or_else(|| match names.resolve(t, ns) {
                Some(named) => check(&named, data, names, namespace_of(t), at),
                None => Err(format!("{at}: unknown type `{t}`")),
            })
        }
        Value::Array(branches) => {
            if data.is_null() {
                return if branches.iter().any(|b| b == "null") {
                    Ok(())
                } else {
                    fail("a non-null union value")
                };
            }
            let Some((key, value)) = data
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.iter().next())
            else {
                return fail("a union value as {\"<branch>\": value}");
            };
            let Some(branch) = branches.iter().find(|b| branch_name(b, ns) == *key) else {
                return Err(format!("{at}: `{key}` is not a branch of the union"));
            };
            check(branch, value, names, ns, &format!("{at}.{key}"))
        }
        Value::Object(o) => {
            let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
            if let Some(result) = check_primitive(ty, data, at) {
                return result;
            }
            match ty {
                "record" | "error" => {
                    let full = names.define(schema, ns);
                    let inner = namespace_of(&full).to_owned();
                    let Some(obj) = data.as_object() else {
                        return fail("an object");
                    };
                    for f in o
                        .get("fields")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                        let Some(v) = obj.get(name) else {
                            return Err(format!("{at}: field `{name}` is missing"));
                        };
                        check(&f["type"], v, names, &inner, &format!("{at}.{name}"))?;
                    }
                    Ok(())
                }
                "enum" => {
                    names.define(schema, ns);
                    let symbols = o.get("symbols").and_then(Value::as_array);
                    if symbols.is_some_and(|s| s.contains(data)) {
                        Ok(())
                    } else {
                        fail("one of the enum's symbols")
                    }
                }
                "fixed" => {
                    names.define(schema, ns);
                    let size = o.get("size").and_then(Value::as_u64).unwrap_or(0);
                    match data.as_str() {
                        Some(s)
                            if s.chars().count() as u64 == size
                                && s.chars().all(|c| (c as u32) < 256) =>
                        {
                            Ok(())
                        }
                        _ => fail(&format!("a string of {size} code points below 256")),
                    }
                }
                "array" => match data.as_array() {
                    Some(items) => items.iter().enumerate().try_for_each(|(i, v)| {
                        check(&o["items"], v, names, ns, &format!("{at}[{i}]"))
                    }),
                    None => fail("an array"),
                },
                "map" => match data.as_object() {
                    Some(entries) => entries.iter().try_for_each(|(k, v)| {
                        check(&o["values"], v, names, ns, &format!("{at}{{{k}}}"))
                    }),
                    None => fail("an object"),
                },
                other => Err(format!("{at}: unknown type `{other}`")),
            }
        }
        _ => Err(format!("{at}: not a schema")),
    }
}

fn check_primitive(ty: &str, data: &Value, at: &str) -> Option<Result<(), String>> {
    let ok = match ty {
        "null" => data.is_null(),
        "boolean" => data.is_boolean(),
        "int" => data.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "long" => data.is_i64() || data.is_u64() && data.as_i64().is_some(),
        "float" | "double" => data.is_number(),
        "bytes" => data
            .as_str()
            .is_some_and(|s| s.chars().all(|c| (c as u32) < 256)),
        "string" => data.is_string(),
        _ => return None,
    };
    Some(if ok {
        Ok(())
    } else {
        Err(format!("{at}: expected {ty}, found {data}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_bytes_enums_and_records_follow_the_json_encoding() {
        let schema = json!({
            "type": "record", "name": "R", "namespace": "n", "fields": [
                {"name": "a", "type": ["null", "string"]},
                {"name": "b", "type": ["string", "null"]},
                {"name": "c", "type": "bytes"},
                {"name": "d", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
                {"name": "e", "type": {"type": "array", "items": "E"}},
                {"name": "f", "type": {"type": "fixed", "name": "F", "size": 4}},
                {"name": "g", "type": ["null", {"type": "record", "name": "Inner", "fields": [
                    {"name": "x", "type": "int"}]}]},
                {"name": "h", "type": {"type": "int", "logicalType": "date"}},
            ]
        });
        let data = sample_value(&schema, &mut Names::default(), "");
        assert_eq!(data["a"], Value::Null);
        assert_eq!(data["b"], json!({"string": "sample"}));
        assert_eq!(data["d"], json!("X"));
        assert_eq!(data["e"], json!(["X"]));
        assert_eq!(data["f"].as_str().map(|s| s.chars().count()), Some(4));
        assert_eq!(conforms(&schema, &data), Ok(()));

        let mut bad = data.clone();
        bad["b"] = json!("sample"); // a union value not wrapped
        assert!(conforms(&schema, &bad).unwrap_err().contains("data.b"));
        let mut bad = data.clone();
        bad["d"] = json!("Z");
        assert!(conforms(&schema, &bad).unwrap_err().contains("enum"));
        let mut bad = data.clone();
        bad["g"] = json!({"n.Inner": {"x": 1}});
        assert_eq!(conforms(&schema, &bad), Ok(()));
        bad["g"] = json!({"n.Inner": {}});
        assert!(
            conforms(&schema, &bad)
                .unwrap_err()
                .contains("field `x` is missing")
        );
        let mut bad = data;
        bad["h"] = json!(1.5);
        assert!(conforms(&schema, &bad).is_err());
    }

    #[test]
    fn uri_escaping_keeps_unreserved_characters_only() {
        assert_eq!(uri_escape("orders-value"), "orders-value");
        assert_eq!(uri_escape("a b/c"), "a%20b%2Fc");
    }
}
