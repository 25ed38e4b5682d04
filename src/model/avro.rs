//! Avro types as the model file spells them: every primitive, the logical types event schemas
//! use, and the complex types (record, enum, array, map, union, fixed), faithful to the Avro
//! 1.12 specification so the schema module can derive real `.avsc` files from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An Avro type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AvroType {
    /// `"null"`.
    Null,
    /// `"boolean"`.
    Boolean,
    /// `"int"` (32-bit signed).
    Int,
    /// `"long"` (64-bit signed).
    Long,
    /// `"float"` (32-bit IEEE 754).
    Float,
    /// `"double"` (64-bit IEEE 754).
    Double,
    /// `"bytes"`.
    Bytes,
    /// `"string"` (UTF-8).
    String,
    /// Logical `uuid` on `string`.
    Uuid,
    /// Logical `date` on `int`: days since the Unix epoch.
    Date,
    /// Logical `time-millis` on `int`.
    TimeMillis,
    /// Logical `time-micros` on `long`.
    TimeMicros,
    /// Logical `timestamp-millis` on `long`.
    TimestampMillis,
    /// Logical `timestamp-micros` on `long`.
    TimestampMicros,
    /// Logical `decimal` on `bytes`.
    Decimal {
        /// Total number of digits.
        precision: u32,
        /// Digits after the point.
        #[serde(default)]
        scale: u32,
    },
    /// A nested record.
    Record(RecordType),
    /// An enum.
    Enum(EnumType),
    /// An array of items.
    Array(Box<AvroType>),
    /// A map from strings to values.
    Map(Box<AvroType>),
    /// A union of branches (`["null", "string"]` is an optional string).
    Union(Vec<AvroType>),
    /// A fixed-size byte array.
    Fixed(FixedType),
    /// A reference, by name, to a named type (record, enum, fixed) defined earlier.
    Named(String),
}

impl AvroType {
    /// The name of the type as Avro writes it in a union branch or error message.
    pub fn describe(&self) -> String {
        match self {
            Self::Null => "null".into(),
            Self::Boolean => "boolean".into(),
            Self::Int => "int".into(),
            Self::Long => "long".into(),
            Self::Float => "float".into(),
            Self::Double => "double".into(),
            Self::Bytes => "bytes".into(),
            Self::String => "string".into(),
            Self::Uuid => "uuid".into(),
            Self::Date => "date".into(),
            Self::TimeMillis => "time-millis".into(),
            Self::TimeMicros => "time-micros".into(),
            Self::TimestampMillis => "timestamp-millis".into(),
            Self::TimestampMicros => "timestamp-micros".into(),
            Self::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            Self::Record(r) => format!("record {}", r.name),
            Self::Enum(e) => format!("enum {}", e.name),
            Self::Array(items) => format!("array<{}>", items.describe()),
            Self::Map(values) => format!("map<{}>", values.describe()),
            Self::Union(branches) => {
                let names: Vec<String> = branches.iter().map(Self::describe).collect();
                format!("union[{}]", names.join(", "))
            }
            Self::Fixed(f) => format!("fixed {}({})", f.name, f.size),
            Self::Named(name) => name.clone(),
        }
    }
}

/// A record type nested in a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordType {
    /// The record's name.
    pub name: String,
    /// Its namespace; empty inherits the enclosing one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Documentation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Other names it was known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its fields.
    pub fields: Vec<super::types::Field>,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumType {
    /// The enum's name.
    pub name: String,
    /// Its namespace; empty inherits the enclosing one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Documentation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Other names it was known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The symbols, in order.
    pub symbols: Vec<String>,
    /// The symbol a reader uses for a writer symbol it does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A fixed-size type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedType {
    /// The type's name.
    pub name: String,
    /// Its namespace; empty inherits the enclosing one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Other names it was known by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Size in bytes.
    pub size: u32,
}

/// A field default, in the shape of Avro's JSON default values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AvroDefault {
    /// JSON `null` (for `null`, or a union whose matching branch is `null`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (int, long; also date and time types).
    Int(i64),
    /// A floating-point number (float, double).
    Float(f64),
    /// A string (string, enum symbol, uuid; bytes and fixed as ISO-8859-1 code points).
    String(String),
    /// An array.
    Array(Vec<AvroDefault>),
    /// A map, or a record default (field name → value).
    Map(BTreeMap<String, AvroDefault>),
}
