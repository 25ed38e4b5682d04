//! Avro derivation: each version of an event type becomes an Avro record schema (`.avsc`
//! JSON), checked by parsing it with the `apache-avro` crate, which also gives its Parsing
//! Canonical Form and CRC-64-AVRO (Rabin) fingerprint.

use apache_avro::rabin::Rabin;
use serde_json::{Map, Value, json};

use crate::model::{AvroDefault, AvroType, EventType, Field, SchemaVersion};

/// Why a schema could not be derived or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(pub String);

/// One event type version as an Avro schema, with what identifies it in a registry.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSchema {
    /// The event type's id (the record name).
    pub event_type: String,
    /// The record's full name (`namespace.Name`).
    pub full_name: String,
    /// The version, counted from 1.
    pub version: usize,
    /// The schema as JSON.
    pub json: Value,
    /// Its Parsing Canonical Form.
    pub canonical_form: String,
    /// The CRC-64-AVRO (Rabin) fingerprint of the canonical form.
    pub fingerprint: u64,
}

/// Derives the Avro schema of version `version` (counted from 1) of an event type, and checks
/// it by parsing it with `apache-avro`.
pub fn event_schema(event: &EventType, version: usize) -> Result<EventSchema, SchemaError> {
    let schema_version = version
        .checked_sub(1)
        .and_then(|i| event.versions.get(i))
        .ok_or_else(|| {
            SchemaError(format!(
                "event type `{}` has no version {version}",
                event.id
            ))
        })?;
    let place = format!("event type `{}`, version {version}", event.id);
    let json =
        record_json(event, schema_version).map_err(|e| SchemaError(format!("{place}: {e}")))?;
    let (canonical_form, fingerprint) =
        canonical_form(&json).map_err(|e| SchemaError(format!("{place}: {e}")))?;
    Ok(EventSchema {
        event_type: event.id.clone(),
        full_name: event.full_name(),
        version,
        json,
        canonical_form,
        fingerprint,
    })
}

/// Every version of an event type, oldest first.
pub fn event_schemas(event: &EventType) -> Result<Vec<EventSchema>, SchemaError> {
    (1..=event.versions.len())
        .map(|v| event_schema(event, v))
        .collect()
}

/// Checks a schema by parsing it with `apache-avro`, and returns its Parsing Canonical Form
/// and CRC-64-AVRO fingerprint.
///
/// The canonical form is ours, built by the specification's transformations ([`parsing_canonical_form`]):
/// `apache-avro` 0.22 keeps logical types in its canonical form (`{"type":"string"}` for a
/// uuid, `precision` and `scale` for a decimal), where the specification strips every
/// attribute but `type`, `name`, `fields`, `symbols`, `items`, `values` and `size` and writes
/// primitives as plain strings (as Java Avro does); its fingerprints of schemas with logical
/// types would then differ from every other implementation's. The fingerprint is
/// `apache-avro`'s Rabin digest of our canonical form (a canonical form is its own canonical
/// form, and `apache-avro` handles it correctly when no logical types are left; we check that).
pub fn canonical_form(json: &Value) -> Result<(String, u64), SchemaError> {
    apache_avro::Schema::parse(json)
        .map_err(|e| SchemaError(format!("not a valid Avro schema: {e}")))?;
    let form = parsing_canonical_form(json)?;
    let schema = apache_avro::Schema::parse_str(&form)
        .map_err(|e| SchemaError(format!("the canonical form does not parse: {e}")))?;
    if schema.canonical_form() != form {
        return Err(SchemaError(format!(
            "apache-avro disagrees with the canonical form {form}"
        )));
    }
    let bytes = schema.fingerprint::<Rabin>().bytes;
    let array: [u8; 8] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| SchemaError("the Rabin fingerprint is not 8 bytes".to_owned()))?;
    // `apache-avro` gives the fingerprint as 8 little-endian bytes, as single-object encoding
    // writes it.
    Ok((form, u64::from_le_bytes(array)))
}

const PRIMITIVE_NAMES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The Parsing Canonical Form of a schema, by the specification's rules: [PRIMITIVES] plain
/// strings for primitives; [FULLNAMES] full names everywhere; [STRIP] only `type`, `name`,
/// `fields`, `symbols`, `items`, `values` and `size`; [ORDER] in that order; no whitespace.
/// Expects a schema `apache-avro` has accepted.
pub fn parsing_canonical_form(json: &Value) -> Result<String, SchemaError> {
    let mut defined = std::collections::BTreeSet::new();
    let mut out = String::new();
    pcf(json, "", &mut defined, &mut out)?;
    Ok(out)
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn pcf(
    json: &Value,
    namespace: &str,
    defined: &mut std::collections::BTreeSet<String>,
    out: &mut String,
) -> Result<(), SchemaError> {
    let bad = || SchemaError(format!("not a schema: {json}"));
    match json {
        Value::String(name) => {
            let full = if PRIMITIVE_NAMES.contains(&name.as_str()) || name.contains('.') {
                name.clone()
            } else {
                let qualified = if namespace.is_empty() {
                    name.clone()
                } else {
                    format!("{namespace}.{name}")
                };
                if defined.contains(&qualified) {
                    qualified
                } else {
                    name.clone()
                }
            };
            out.push_str(&quoted(&full));
        }
        Value::Array(branches) => {
            out.push('[');
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pcf(branch, namespace, defined, out)?;
            }
            out.push(']');
        }
        Value::Object(object) => {
            let kind = match object.get("type") {
                Some(Value::String(kind)) => kind.as_str(),
                Some(nested) => return pcf(nested, namespace, defined, out),
                None => return Err(bad()),
            };
            match kind {
                "record" | "error" | "enum" | "fixed" => {
                    let name = object.get("name").and_then(Value::as_str).ok_or_else(bad)?;
                    let inner_namespace = if let Some((ns, _)) = name.rsplit_once('.') {
                        ns.to_owned()
                    } else {
                        match object.get("namespace") {
                            Some(Value::String(ns)) => ns.clone(),
                            _ => namespace.to_owned(),
                        }
                    };
                    let full = if name.contains('.') || inner_namespace.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{inner_namespace}.{name}")
                    };
                    defined.insert(full.clone());
                    out.push_str(&format!(
                        "{{\"name\":{},\"type\":{}",
                        quoted(&full),
                        quoted(kind)
                    ));
                    match kind {
                        "enum" => {
                            let symbols = object.get("symbols").ok_or_else(bad)?;
                            out.push_str(&format!(",\"symbols\":{symbols}"));
                        }
                        "fixed" => {
                            let size = object.get("size").ok_or_else(bad)?;
                            out.push_str(&format!(",\"size\":{size}"));
                        }
                        _ => {
                            let Some(Value::Array(fields)) = object.get("fields") else {
                                return Err(bad());
                            };
                            out.push_str(",\"fields\":[");
                            for (i, field) in fields.iter().enumerate() {
                                if i > 0 {
                                    out.push(',');
                                }
                                let field_name =
                                    field.get("name").and_then(Value::as_str).ok_or_else(bad)?;
                                let ty = field.get("type").ok_or_else(bad)?;
                                out.push_str(&format!(
                                    "{{\"name\":{},\"type\":",
                                    quoted(field_name)
                                ));
                                pcf(ty, &inner_namespace, defined, out)?;
                                out.push('}');
                            }
                            out.push(']');
                        }
                    }
                    out.push('}');
                }
                "array" => {
                    out.push_str("{\"type\":\"array\",\"items\":");
                    pcf(
                        object.get("items").ok_or_else(bad)?,
                        namespace,
                        defined,
                        out,
                    )?;
                    out.push('}');
                }
                "map" => {
                    out.push_str("{\"type\":\"map\",\"values\":");
                    pcf(
                        object.get("values").ok_or_else(bad)?,
                        namespace,
                        defined,
                        out,
                    )?;
                    out.push('}');
                }
                // A primitive (its logical type stripped) or a reference in object form.
                other => pcf(&Value::String(other.to_owned()), namespace, defined, out)?,
            }
        }
        _ => return Err(bad()),
    }
    Ok(())
}

/// The order `.avsc` files conventionally give a schema's attributes; others follow, sorted.
const KEY_ORDER: &[&str] = &[
    "type",
    "name",
    "namespace",
    "doc",
    "aliases",
    "logicalType",
    "precision",
    "scale",
    "size",
    "symbols",
    "items",
    "values",
    "fields",
    "default",
];

/// The order of a record field's attributes.
const FIELD_KEY_ORDER: &[&str] = &["name", "type", "doc", "default", "aliases", "order"];

/// Writes a schema as JSON with its attributes in the conventional order (`type`, `name`,
/// `namespace`, `doc`, …, `fields`; `name`, `type`, `doc`, `default` in a field), indented by two spaces when `pretty`, on one
/// line otherwise. (`serde_json` would sort the keys alphabetically.)
pub fn schema_text(json: &Value, pretty: bool) -> String {
    let mut out = String::new();
    write_value(json, pretty, 0, KEY_ORDER, &mut out);
    out
}

/// Writes `value`; `order` is the key order of the objects it is made of (for a list of
/// fields, of the fields).
fn write_value(value: &Value, pretty: bool, depth: usize, order: &[&str], out: &mut String) {
    let (open_line, close_line, colon) = if pretty {
        (
            format!("\n{}", "  ".repeat(depth + 1)),
            format!("\n{}", "  ".repeat(depth)),
            ": ",
        )
    } else {
        (String::new(), String::new(), ":")
    };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&open_line);
                write_value(item, pretty, depth + 1, order, out);
            }
            out.push_str(&close_line);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| {
                (
                    order.iter().position(|o| o == k).unwrap_or(order.len()),
                    k.as_str(),
                )
            });
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&open_line);
                out.push_str(&quoted(key));
                out.push_str(colon);
                let inner = if key == "fields" && order == KEY_ORDER {
                    FIELD_KEY_ORDER
                } else {
                    KEY_ORDER
                };
                if let Some(v) = map.get(key) {
                    write_value(v, pretty, depth + 1, inner, out);
                }
            }
            out.push_str(&close_line);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The record schema of one version, without checking it.
pub fn record_json(event: &EventType, version: &SchemaVersion) -> Result<Value, String> {
    let mut record = Map::new();
    record.insert("type".into(), json!("record"));
    record.insert("name".into(), json!(event.id));
    if !event.namespace.is_empty() {
        record.insert("namespace".into(), json!(event.namespace));
    }
    let doc = match (event.doc.is_empty(), version.doc.is_empty()) {
        (false, false) => format!("{} ({})", event.doc, version.doc),
        (false, true) => event.doc.clone(),
        (true, false) => version.doc.clone(),
        (true, true) => String::new(),
    };
    if !doc.is_empty() {
        record.insert("doc".into(), json!(doc));
    }
    if !version.aliases.is_empty() {
        record.insert("aliases".into(), json!(version.aliases));
    }
    record.insert("fields".into(), fields_json(&version.fields)?);
    Ok(Value::Object(record))
}

fn fields_json(fields: &[Field]) -> Result<Value, String> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let mut f = Map::new();
        f.insert("name".into(), json!(field.name));
        f.insert("type".into(), type_json(&field.ty)?);
        if !field.doc.is_empty() {
            f.insert("doc".into(), json!(field.doc));
        }
        if let Some(default) = &field.default {
            let value = default_json(default)
                .map_err(|e| format!("field `{}`: the default {e}", field.name))?;
            f.insert("default".into(), value);
        }
        if !field.aliases.is_empty() {
            f.insert("aliases".into(), json!(field.aliases));
        }
        out.push(Value::Object(f));
    }
    Ok(Value::Array(out))
}

fn logical(base: &str, logical_type: &str) -> Value {
    json!({"type": base, "logicalType": logical_type})
}

/// The JSON form of a type.
pub fn type_json(ty: &AvroType) -> Result<Value, String> {
    Ok(match ty {
        AvroType::Null => json!("null"),
        AvroType::Boolean => json!("boolean"),
        AvroType::Int => json!("int"),
        AvroType::Long => json!("long"),
        AvroType::Float => json!("float"),
        AvroType::Double => json!("double"),
        AvroType::Bytes => json!("bytes"),
        AvroType::String => json!("string"),
        AvroType::Uuid => logical("string", "uuid"),
        AvroType::Date => logical("int", "date"),
        AvroType::TimeMillis => logical("int", "time-millis"),
        AvroType::TimeMicros => logical("long", "time-micros"),
        AvroType::TimestampMillis => logical("long", "timestamp-millis"),
        AvroType::TimestampMicros => logical("long", "timestamp-micros"),
        AvroType::Decimal { precision, scale } => json!({
            "type": "bytes",
            "logicalType": "decimal",
            "precision": precision,
            "scale": scale,
        }),
        AvroType::Record(r) => {
            let mut m = named("record", &r.name, &r.namespace, &r.doc, &r.aliases);
            m.insert("fields".into(), fields_json(&r.fields)?);
            Value::Object(m)
        }
        AvroType::Enum(e) => {
            let mut m = named("enum", &e.name, &e.namespace, &e.doc, &e.aliases);
            m.insert("symbols".into(), json!(e.symbols));
            if let Some(default) = &e.default {
                m.insert("default".into(), json!(default));
            }
            Value::Object(m)
        }
        AvroType::Array(items) => json!({"type": "array", "items": type_json(items)?}),
        AvroType::Map(values) => json!({"type": "map", "values": type_json(values)?}),
        AvroType::Union(branches) => Value::Array(
            branches
                .iter()
                .map(type_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        AvroType::Fixed(f) => {
            let mut m = named("fixed", &f.name, &f.namespace, "", &f.aliases);
            m.insert("size".into(), json!(f.size));
            Value::Object(m)
        }
        AvroType::Named(name) => json!(name),
    })
}

fn named(
    kind: &str,
    name: &str,
    namespace: &str,
    doc: &str,
    aliases: &[String],
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    m.insert("name".into(), json!(name));
    if !namespace.is_empty() {
        m.insert("namespace".into(), json!(namespace));
    }
    if !doc.is_empty() {
        m.insert("doc".into(), json!(doc));
    }
    if !aliases.is_empty() {
        m.insert("aliases".into(), json!(aliases));
    }
    m
}

/// A type read from Avro's JSON form (the inverse of [`type_json`]): every type the model can
/// hold — primitives, the logical types, records with their fields, enums, arrays, maps,
/// unions, fixed and decimals, and references to named types. Errors say where and why.
pub fn type_from_json(value: &Value) -> Result<AvroType, String> {
    type_at(value, "the type")
}

/// A type typed as Avro JSON text (`"string"`, `{"type": "array", "items": "long"}`, …).
pub fn type_from_text(text: &str) -> Result<AvroType, String> {
    let value: Value = serde_json::from_str(text.trim()).map_err(|e| {
        format!("not JSON ({e}); a type is a name in quotes (\"string\"), an object or a list")
    })?;
    type_from_json(&value)
}

fn primitive(name: &str) -> Option<AvroType> {
    Some(match name {
        "null" => AvroType::Null,
        "boolean" => AvroType::Boolean,
        "int" => AvroType::Int,
        "long" => AvroType::Long,
        "float" => AvroType::Float,
        "double" => AvroType::Double,
        "bytes" => AvroType::Bytes,
        "string" => AvroType::String,
        _ => return None,
    })
}

fn type_at(value: &Value, at: &str) -> Result<AvroType, String> {
    match value {
        Value::String(name) => Ok(primitive(name).unwrap_or_else(|| AvroType::Named(name.clone()))),
        Value::Array(branches) => Ok(AvroType::Union(
            branches
                .iter()
                .enumerate()
                .map(|(i, b)| type_at(b, &format!("branch {} of {at}", i + 1)))
                .collect::<Result<_, _>>()?,
        )),
        Value::Object(m) => object_type(m, at),
        other => Err(format!(
            "{at} is {other}, but a type is a name, an object or a list"
        )),
    }
}

fn text_of(m: &Map<String, Value>, key: &str, at: &str) -> Result<String, String> {
    match m.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("{at}: `{key}` must be a string, not {other}")),
    }
}

fn names_of(m: &Map<String, Value>, key: &str, at: &str) -> Result<Vec<String>, String> {
    match m.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{at}: `{key}` must list strings, not {other}")),
            })
            .collect(),
        Some(other) => Err(format!(
            "{at}: `{key}` must be a list of strings, not {other}"
        )),
    }
}

fn required<'v>(m: &'v Map<String, Value>, key: &str, at: &str) -> Result<&'v Value, String> {
    m.get(key).ok_or_else(|| format!("{at} has no `{key}`"))
}

fn number_of(m: &Map<String, Value>, key: &str, at: &str) -> Result<u32, String> {
    let value = required(m, key, at)?;
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{at}: `{key}` must be a whole number, not {value}"))
}

fn object_type(m: &Map<String, Value>, at: &str) -> Result<AvroType, String> {
    let kind = match required(m, "type", at)? {
        Value::String(kind) => kind.as_str(),
        // `{"type": {...}}` or `{"type": [...]}`: the type is the inner one.
        inner => return type_at(inner, at),
    };
    if let Some(logical) = m.get("logicalType").and_then(Value::as_str) {
        let known = match (kind, logical) {
            ("string", "uuid") => Some(AvroType::Uuid),
            ("int", "date") => Some(AvroType::Date),
            ("int", "time-millis") => Some(AvroType::TimeMillis),
            ("long", "time-micros") => Some(AvroType::TimeMicros),
            ("long", "timestamp-millis") => Some(AvroType::TimestampMillis),
            ("long", "timestamp-micros") => Some(AvroType::TimestampMicros),
            ("bytes", "decimal") => Some(AvroType::Decimal {
                precision: number_of(m, "precision", at)?,
                scale: if m.contains_key("scale") {
                    number_of(m, "scale", at)?
                } else {
                    0
                },
            }),
            _ => None,
        };
        // A logical type Avro does not know on this base is read as the base (as readers do).
        if let Some(ty) = known {
            return Ok(ty);
        }
    }
    if let Some(ty) = primitive(kind) {
        return Ok(ty);
    }
    let name = || -> Result<String, String> {
        match required(m, "name", at)? {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            other => Err(format!(
                "{at}: `name` must be a non-empty string, not {other}"
            )),
        }
    };
    match kind {
        "record" | "error" => {
            let name = name()?;
            let at = format!("record `{name}`");
            let Value::Array(list) = required(m, "fields", &at)? else {
                return Err(format!("{at}: `fields` must be a list"));
            };
            let mut fields = Vec::new();
            for (i, f) in list.iter().enumerate() {
                let Value::Object(fm) = f else {
                    return Err(format!("{at}: field {} must be an object, not {f}", i + 1));
                };
                let field_at = format!("{at}, field {}", i + 1);
                let field_name = match required(fm, "name", &field_at)? {
                    Value::String(s) => s.clone(),
                    other => {
                        return Err(format!("{field_at}: `name` must be a string, not {other}"));
                    }
                };
                let field_at = format!("{at}, field `{field_name}`");
                fields.push(crate::model::Field {
                    ty: type_at(required(fm, "type", &field_at)?, &field_at)?,
                    default: fm.get("default").map(default_from_json),
                    doc: text_of(fm, "doc", &field_at)?,
                    aliases: names_of(fm, "aliases", &field_at)?,
                    name: field_name,
                });
            }
            Ok(AvroType::Record(crate::model::RecordType {
                namespace: text_of(m, "namespace", &at)?,
                doc: text_of(m, "doc", &at)?,
                aliases: names_of(m, "aliases", &at)?,
                fields,
                name,
            }))
        }
        "enum" => {
            let name = name()?;
            let at = format!("enum `{name}`");
            let default = match m.get("default") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    return Err(format!("{at}: `default` must be a symbol, not {other}"));
                }
            };
            if !m.contains_key("symbols") {
                return Err(format!("{at} has no `symbols`"));
            }
            Ok(AvroType::Enum(crate::model::EnumType {
                namespace: text_of(m, "namespace", &at)?,
                doc: text_of(m, "doc", &at)?,
                aliases: names_of(m, "aliases", &at)?,
                symbols: names_of(m, "symbols", &at)?,
                default,
                name,
            }))
        }
        "fixed" => {
            let name = name()?;
            let at = format!("fixed `{name}`");
            Ok(AvroType::Fixed(crate::model::FixedType {
                namespace: text_of(m, "namespace", &at)?,
                aliases: names_of(m, "aliases", &at)?,
                size: number_of(m, "size", &at)?,
                name,
            }))
        }
        "array" => Ok(AvroType::Array(Box::new(type_at(
            required(m, "items", at)?,
            &format!("the items of {at}"),
        )?))),
        "map" => Ok(AvroType::Map(Box::new(type_at(
            required(m, "values", at)?,
            &format!("the values of {at}"),
        )?))),
        // `{"type": "Money"}`: a reference to a named type.
        other => Ok(AvroType::Named(other.to_owned())),
    }
}

/// A default read from Avro's JSON encoding (the inverse of [`default_json`]): whole numbers
/// stay whole, others are floating point.
pub fn default_from_json(value: &Value) -> AvroDefault {
    match value {
        Value::Null => AvroDefault::Null,
        Value::Bool(b) => AvroDefault::Bool(*b),
        Value::Number(n) => n.as_i64().map_or_else(
            || AvroDefault::Float(n.as_f64().unwrap_or_default()),
            AvroDefault::Int,
        ),
        Value::String(s) => AvroDefault::String(s.clone()),
        Value::Array(items) => AvroDefault::Array(items.iter().map(default_from_json).collect()),
        Value::Object(entries) => AvroDefault::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), default_from_json(v)))
                .collect(),
        ),
    }
}

/// A default in Avro's JSON encoding (bytes and fixed as strings of code points 0–255, as the
/// model already stores them).
pub fn default_json(value: &AvroDefault) -> Result<Value, String> {
    Ok(match value {
        AvroDefault::Null => Value::Null,
        AvroDefault::Bool(b) => json!(b),
        AvroDefault::Int(i) => json!(i),
        AvroDefault::Float(f) => {
            let number = serde_json::Number::from_f64(*f)
                .ok_or_else(|| format!("{f} cannot be written in JSON"))?;
            Value::Number(number)
        }
        AvroDefault::String(s) => json!(s),
        AvroDefault::Array(items) => Value::Array(
            items
                .iter()
                .map(default_json)
                .collect::<Result<Vec<_>, _>>()?,
        ),
        AvroDefault::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                m.insert(k.clone(), default_json(v)?);
            }
            Value::Object(m)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Compatibility, EnumType, EventKind, FixedType, RecordType};

    /// The CRC-64-AVRO fingerprint as the Avro specification defines it, written out here so
    /// the test does not trust `apache-avro` for it.
    fn rabin(bytes: &[u8]) -> u64 {
        const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
        let mut table = [0_u64; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut fp = i as u64;
            for _ in 0..8 {
                fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
            }
            *slot = fp;
        }
        let mut fp = EMPTY;
        for &b in bytes {
            fp = (fp >> 8) ^ table[((fp ^ u64::from(b)) & 0xff) as usize];
        }
        fp
    }

    fn field(name: &str, ty: AvroType) -> Field {
        Field {
            name: name.into(),
            ty,
            default: None,
            doc: String::new(),
            aliases: Vec::new(),
        }
    }

    fn payment() -> EventType {
        let mut amount = field(
            "amount",
            AvroType::Decimal {
                precision: 12,
                scale: 2,
            },
        );
        amount.doc = "Amount in the currency.".into();
        let mut currency = field(
            "currency",
            AvroType::Enum(EnumType {
                name: "Currency".into(),
                namespace: String::new(),
                doc: String::new(),
                aliases: Vec::new(),
                symbols: vec!["EUR".into(), "USD".into(), "OTHER".into()],
                default: Some("OTHER".into()),
            }),
        );
        currency.default = Some(AvroDefault::String("EUR".into()));
        currency.aliases = vec!["ccy".into()];
        let mut note = field(
            "note",
            AvroType::Union(vec![AvroType::Null, AvroType::String]),
        );
        note.default = Some(AvroDefault::Null);
        EventType {
            id: "PaymentTaken".into(),
            namespace: "com.shop.payments".into(),
            kind: EventKind::Domain,
            doc: "A payment was captured.".into(),
            compatibility: Compatibility::Backward,
            versions: vec![SchemaVersion {
                fields: vec![
                    field("payment_id", AvroType::Uuid),
                    field("at", AvroType::TimestampMillis),
                    field("day", AvroType::Date),
                    field("micros", AvroType::TimestampMicros),
                    amount,
                    currency,
                    field(
                        "card",
                        AvroType::Record(RecordType {
                            name: "Card".into(),
                            namespace: String::new(),
                            doc: "The card used.".into(),
                            aliases: Vec::new(),
                            fields: vec![
                                field(
                                    "hash",
                                    AvroType::Fixed(FixedType {
                                        name: "Sha256".into(),
                                        namespace: String::new(),
                                        aliases: Vec::new(),
                                        size: 32,
                                    }),
                                ),
                                field(
                                    "previous",
                                    AvroType::Array(Box::new(AvroType::Named("Sha256".into()))),
                                ),
                            ],
                        }),
                    ),
                    field("tags", AvroType::Map(Box::new(AvroType::Long))),
                    note,
                ],
                aliases: vec!["PaymentCaptured".into()],
                doc: "First version.".into(),
            }],
        }
    }

    #[test]
    fn an_event_type_becomes_a_record_with_logical_and_complex_types() {
        let schema = event_schema(&payment(), 1).expect("derives");
        let json = &schema.json;
        assert_eq!(json["type"], "record");
        assert_eq!(json["name"], "PaymentTaken");
        assert_eq!(json["namespace"], "com.shop.payments");
        assert_eq!(json["doc"], "A payment was captured. (First version.)");
        assert_eq!(json["aliases"], json!(["PaymentCaptured"]));
        let fields = &json["fields"];
        assert_eq!(
            fields[0]["type"],
            json!({"type": "string", "logicalType": "uuid"})
        );
        assert_eq!(
            fields[1]["type"],
            json!({"type": "long", "logicalType": "timestamp-millis"})
        );
        assert_eq!(
            fields[2]["type"],
            json!({"type": "int", "logicalType": "date"})
        );
        assert_eq!(
            fields[4]["type"],
            json!({"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2})
        );
        assert_eq!(fields[4]["doc"], "Amount in the currency.");
        assert_eq!(fields[5]["type"]["default"], "OTHER");
        assert_eq!(fields[5]["default"], "EUR");
        assert_eq!(fields[5]["aliases"], json!(["ccy"]));
        assert_eq!(fields[6]["type"]["fields"][0]["type"]["size"], 32);
        assert_eq!(
            fields[6]["type"]["fields"][1]["type"],
            json!({"type": "array", "items": "Sha256"})
        );
        assert_eq!(fields[7]["type"], json!({"type": "map", "values": "long"}));
        assert_eq!(fields[8]["type"], json!(["null", "string"]));
        assert_eq!(fields[8]["default"], Value::Null);
    }

    #[test]
    fn the_canonical_form_and_fingerprint_match_the_specification() {
        let schema = event_schema(&payment(), 1).expect("derives");
        // Worked out by hand from the specification's transformation rules: full names,
        // doc/aliases/defaults/logical types dropped, keys in the order name, type, fields,
        // symbols, items, values, size.
        let expected = concat!(
            r#"{"name":"com.shop.payments.PaymentTaken","type":"record","fields":["#,
            r#"{"name":"payment_id","type":"string"},"#,
            r#"{"name":"at","type":"long"},"#,
            r#"{"name":"day","type":"int"},"#,
            r#"{"name":"micros","type":"long"},"#,
            r#"{"name":"amount","type":"bytes"},"#,
            r#"{"name":"currency","type":{"name":"com.shop.payments.Currency","type":"enum","symbols":["EUR","USD","OTHER"]}},"#,
            r#"{"name":"card","type":{"name":"com.shop.payments.Card","type":"record","fields":["#,
            r#"{"name":"hash","type":{"name":"com.shop.payments.Sha256","type":"fixed","size":32}},"#,
            r#"{"name":"previous","type":{"type":"array","items":"com.shop.payments.Sha256"}}]}},"#,
            r#"{"name":"tags","type":{"type":"map","values":"long"}},"#,
            r#"{"name":"note","type":["null","string"]}]}"#,
        );
        assert_eq!(schema.canonical_form, expected);
        assert_eq!(schema.fingerprint, rabin(expected.as_bytes()));
    }

    #[test]
    fn the_fingerprint_of_int_is_the_published_one() {
        // The value Avro's own test suites pin for `"int"` (hex 7275d51a3f395c8f).
        assert_eq!(rabin(b"\"int\""), 8_247_732_601_305_521_295);
        let (form, fingerprint) = canonical_form(&json!({"type": "int"})).expect("valid");
        assert_eq!(form, "\"int\"");
        assert_eq!(fingerprint, 8_247_732_601_305_521_295);
    }

    /// `apache-avro` 0.22 keeps logical types in its canonical form, which the specification
    /// strips; we build the canonical form ourselves (see [`canonical_form`]).
    #[test]
    fn apache_avro_keeps_logical_types_in_its_canonical_form() {
        let uuid = json!({"type": "string", "logicalType": "uuid"});
        let theirs = apache_avro::Schema::parse(&uuid)
            .expect("valid")
            .canonical_form();
        assert_ne!(
            theirs, "\"string\"",
            "apache-avro fixed this: update the docs"
        );
        let (ours, fingerprint) = canonical_form(&uuid).expect("valid");
        assert_eq!(ours, "\"string\"");
        assert_eq!(fingerprint, rabin(b"\"string\""));
    }

    #[test]
    fn avsc_text_keeps_the_conventional_attribute_order_and_round_trips() {
        let schema = event_schema(&payment(), 1).expect("derives");
        let pretty = schema_text(&schema.json, true);
        assert!(
            pretty.starts_with(
                "{\n  \"type\": \"record\",\n  \"name\": \"PaymentTaken\",\n  \"namespace\": \"com.shop.payments\",\n  \"doc\":"
            ),
            "{pretty}"
        );
        assert!(pretty.contains("\"name\": \"payment_id\",\n      \"type\": {\n        \"type\": \"string\",\n        \"logicalType\": \"uuid\"\n      }"), "{pretty}");
        let back: Value = serde_json::from_str(&pretty).expect("valid JSON");
        assert_eq!(back, schema.json);
        let compact = schema_text(&schema.json, false);
        assert!(
            compact.starts_with(r#"{"type":"record","name":"PaymentTaken","#),
            "{compact}"
        );
        assert!(!compact.contains('\n'));
        assert_eq!(
            serde_json::from_str::<Value>(&compact).expect("valid"),
            schema.json
        );
        assert_eq!(
            schema_text(&json!({"a": [], "b": {}}), true),
            "{\n  \"a\": [],\n  \"b\": {}\n}"
        );
    }

    /// A regression pin: the canonical form and fingerprint of the default example's first
    /// event type must not drift (consumers cache schemas by fingerprint).
    #[test]
    fn the_default_examples_first_schema_is_stable() {
        let model = crate::examples::default_model().expect("loads");
        let schema = event_schema(&model.event_types[0], 1).expect("derives");
        assert_eq!(
            schema.canonical_form,
            concat!(
                r#"{"name":"com.shop.orders.OrderPlaced","type":"record","fields":["#,
                r#"{"name":"order_id","type":"string"},{"name":"customer_id","type":"string"},"#,
                r#"{"name":"amount","type":"bytes"},{"name":"placed_at","type":"long"}]}"#
            )
        );
        assert_eq!(format!("{:016x}", schema.fingerprint), "ef78135ee2df2fba");
        assert_eq!(schema.fingerprint, rabin(schema.canonical_form.as_bytes()));
    }

    #[test]
    fn every_example_models_event_types_export_to_schemas_apache_avro_parses() {
        let mut count = 0;
        for example in crate::examples::EXAMPLES {
            let model = crate::model::load(example.text).expect("the example loads");
            for event in &model.event_types {
                for schema in
                    event_schemas(event).unwrap_or_else(|e| panic!("{}: {e}", example.name))
                {
                    let text = serde_json::to_string(&schema.json).expect("serialises");
                    apache_avro::Schema::parse_str(&text)
                        .unwrap_or_else(|e| panic!("{}: {e}", example.name));
                    assert!(!schema.canonical_form.contains("logicalType"));
                    assert_eq!(rabin(schema.canonical_form.as_bytes()), schema.fingerprint);
                    count += 1;
                }
            }
        }
        assert!(count >= 10, "only {count} schemas");
    }

    #[test]
    fn schemas_apache_avro_rejects_are_errors_naming_the_version() {
        let mut event = payment();
        event.versions[0].fields[0].name = "not valid".into();
        let err = event_schema(&event, 1).expect_err("an invalid field name");
        assert!(
            err.0
                .starts_with("event type `PaymentTaken`, version 1: not a valid Avro schema"),
            "{err}"
        );
        event.versions[0].fields[0].name = "ok".into();
        event.versions[0].fields[0].ty = AvroType::Double;
        event.versions[0].fields[0].default = Some(AvroDefault::Float(f64::NAN));
        let err = event_schema(&event, 1).expect_err("NaN has no JSON form");
        assert_eq!(
            err.0,
            "event type `PaymentTaken`, version 1: field `ok`: the default NaN cannot be written in JSON"
        );
        assert!(event_schema(&event, 0).is_err());
        assert!(event_schema(&event, 2).is_err());
    }

    #[test]
    fn every_type_of_the_examples_reads_back_from_its_json() {
        let mut checked = 0;
        for example in crate::examples::EXAMPLES {
            let model = crate::model::load(example.text).expect("loads");
            for event in &model.event_types {
                for version in &event.versions {
                    for field in &version.fields {
                        let json = type_json(&field.ty).expect("json");
                        assert_eq!(
                            type_from_json(&json).as_ref(),
                            Ok(&field.ty),
                            "{} / {}: {json}",
                            event.id,
                            field.name
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn complex_types_read_from_avro_json_text() {
        let text = r#"{"type": "record", "name": "Line", "namespace": "shop", "doc": "An order line",
            "fields": [
              {"name": "sku", "type": "string", "aliases": ["code"]},
              {"name": "qty", "type": "int", "default": 1},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
              {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
              {"name": "attrs", "type": {"type": "map", "values": ["null", "long"]}},
              {"name": "size", "type": {"type": "enum", "name": "Size", "symbols": ["S", "M", "L"], "default": "M"}},
              {"name": "hash", "type": {"type": "fixed", "name": "Md5", "size": 16}},
              {"name": "again", "type": ["null", "Size"], "default": null},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
            ]}"#;
        let ty = type_from_text(text).expect("reads");
        let AvroType::Record(r) = &ty else {
            panic!("a record: {ty:?}")
        };
        assert_eq!((r.name.as_str(), r.namespace.as_str()), ("Line", "shop"));
        let types: Vec<String> = r.fields.iter().map(|f| f.ty.describe()).collect();
        assert_eq!(types.len(), 9);
        assert_eq!(r.fields[0].aliases, ["code"]);
        assert_eq!(r.fields[1].default, Some(AvroDefault::Int(1)));
        assert_eq!(
            r.fields[2].ty,
            AvroType::Decimal {
                precision: 12,
                scale: 2
            }
        );
        assert_eq!(r.fields[3].default, Some(AvroDefault::Array(Vec::new())));
        assert_eq!(
            r.fields[4].ty,
            AvroType::Map(Box::new(AvroType::Union(vec![
                AvroType::Null,
                AvroType::Long
            ])))
        );
        let AvroType::Enum(size) = &r.fields[5].ty else {
            panic!("an enum")
        };
        assert_eq!(
            (size.symbols.len(), size.default.as_deref()),
            (3, Some("M"))
        );
        assert!(matches!(&r.fields[6].ty, AvroType::Fixed(f) if f.size == 16));
        assert_eq!(
            r.fields[7].ty,
            AvroType::Union(vec![AvroType::Null, AvroType::Named("Size".into())])
        );
        assert_eq!(r.fields[8].ty, AvroType::TimestampMillis);
        // And it writes back to the same JSON.
        let again = type_from_json(&type_json(&ty).expect("json")).expect("reads");
        assert_eq!(again, ty);
    }

    #[test]
    fn a_type_that_cannot_be_read_says_where_and_why() {
        let cases = [
            ("string", "not JSON"),
            (
                "42",
                "the type is 42, but a type is a name, an object or a list",
            ),
            (
                r#"{"type": "record", "name": "R"}"#,
                "record `R` has no `fields`",
            ),
            (
                r#"{"type": "record", "name": "R", "fields": [{"name": "a"}]}"#,
                "record `R`, field `a` has no `type`",
            ),
            (
                r#"{"type": "fixed", "name": "F", "size": -1}"#,
                "fixed `F`: `size` must be a whole number, not -1",
            ),
            (
                r#"{"type": "enum", "name": "E"}"#,
                "enum `E` has no `symbols`",
            ),
            (r#"{"type": "array"}"#, "the type has no `items`"),
            (r#"["null", 3]"#, "branch 2 of the type is 3"),
            (
                r#"{"type": "bytes", "logicalType": "decimal"}"#,
                "the type has no `precision`",
            ),
        ];
        for (text, expected) in cases {
            let error = type_from_text(text).expect_err(text);
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
