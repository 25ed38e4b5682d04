//! Reader/writer compatibility, following the schema-resolution rules of the Avro 1.12
//! specification: can a consumer holding the *reader* schema read data written with the
//! *writer* schema?
//!
//! The rules, as the specification states them and as this module applies them:
//!
//! - Primitives match when equal, or by promotion: `int` to `long`, `float` or `double`;
//!   `long` to `float` or `double`; `float` to `double`; `string` to `bytes` and back.
//!   Nothing else (`long` to `int` and `double` to `float` lose data).
//! - Named types (record, enum, fixed) match when their unqualified names are equal, or when
//!   one of the reader's aliases equals the writer's full name (a relative alias is resolved in
//!   the namespace of the type that declares it). Writer aliases play no part.
//! - Records: each reader field is looked up in the writer by name, then by the reader field's
//!   aliases, and resolved recursively. A reader field the writer lacks needs a `default`
//!   (a `["null", …]` union does not imply one). Writer fields the reader lacks are skipped.
//! - Enums: every writer symbol must be a reader symbol, unless the reader has an enum
//!   `default`, which it then reads instead.
//! - Fixed: same name and same size.
//! - Arrays and maps: items and values resolve recursively.
//! - A writer union: every branch must be readable by the reader. A reader union with a
//!   non-union writer: the first branch that matches the writer's type (exactly, then by
//!   promotion) must resolve against it.
//! - Decimals (a logical type on `bytes` or `fixed`): when both sides are decimals, precision
//!   and scale must be equal. Other logical types do not take part in resolution.
//!
//! # Where others depart from the specification
//!
//! We follow the specification; these are the differences we know of, each shown by a test
//! in this module:
//!
//! - **Named-type aliases.** The `apache-avro` crate's checker (0.22) requires equal
//!   unqualified names and ignores the reader's aliases, so it rejects a renamed record that
//!   the reader aliases to its old name; the specification (and we) accept it
//!   (`apache_avro_ignores_reader_aliases_of_named_types`).
//! - **Decimal precision and scale.** Java Avro's `SchemaCompatibility` (and so Confluent's
//!   schema registry, which uses it) ignores logical types, so it accepts a change of decimal
//!   precision or scale that the specification rejects; we reject it
//!   (`decimal_precision_change_is_incompatible_though_java_accepts_it`).
//!
//! Each incompatibility names the path of the field at fault: field names joined by dots from
//! the top-level record, `[]` for array items, `{}` for map values.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::avro::SchemaError;

/// A schema parsed for resolution: named types are nodes that references point to, so
/// recursive types are finite.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSchema {
    nodes: Vec<Node>,
    root: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes {
        decimal: Option<(u64, u64)>,
    },
    String,
    Array(usize),
    Map(usize),
    Union(Vec<usize>),
    Record(Record),
    Enum(Enum),
    Fixed(Fixed),
    /// A named type whose definition is still being parsed.
    Pending,
}

#[derive(Debug, Clone, PartialEq)]
struct Record {
    full_name: String,
    aliases: Vec<String>,
    fields: Vec<RecordField>,
}

#[derive(Debug, Clone, PartialEq)]
struct RecordField {
    name: String,
    aliases: Vec<String>,
    ty: usize,
    has_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Enum {
    full_name: String,
    aliases: Vec<String>,
    symbols: Vec<String>,
    default: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Fixed {
    full_name: String,
    aliases: Vec<String>,
    size: u64,
    decimal: Option<(u64, u64)>,
}

impl ParsedSchema {
    /// Parses a schema's JSON text: first through `apache-avro` (so what we accept is a valid
    /// Avro schema), then into the form resolution works on.
    pub fn parse_str(text: &str) -> Result<Self, SchemaError> {
        let json: Value =
            serde_json::from_str(text).map_err(|e| SchemaError(format!("not valid JSON: {e}")))?;
        Self::from_json(&json)
    }

    /// Parses a schema given as JSON (see [`ParsedSchema::parse_str`]).
    pub fn from_json(json: &Value) -> Result<Self, SchemaError> {
        apache_avro::Schema::parse(json)
            .map_err(|e| SchemaError(format!("not a valid Avro schema: {e}")))?;
        let mut parser = Parser::default();
        let root = parser.parse(json, "").map_err(SchemaError)?;
        Ok(Self {
            nodes: parser.nodes,
            root,
        })
    }

    fn node(&self, id: usize) -> &Node {
        self.nodes.get(id).unwrap_or(&Node::Pending)
    }

    fn describe(&self, id: usize) -> String {
        match self.node(id) {
            Node::Null => "null".into(),
            Node::Boolean => "boolean".into(),
            Node::Int => "int".into(),
            Node::Long => "long".into(),
            Node::Float => "float".into(),
            Node::Double => "double".into(),
            Node::Bytes { decimal: None } => "bytes".into(),
            Node::Bytes {
                decimal: Some((p, s)),
            } => format!("decimal({p},{s})"),
            Node::String => "string".into(),
            Node::Array(items) => format!("array<{}>", self.describe(*items)),
            Node::Map(values) => format!("map<{}>", self.describe(*values)),
            Node::Union(branches) => {
                let names: Vec<String> = branches.iter().map(|b| self.describe(*b)).collect();
                format!("[{}]", names.join(", "))
            }
            Node::Record(r) => format!("record `{}`", r.full_name),
            Node::Enum(e) => format!("enum `{}`", e.full_name),
            Node::Fixed(f) => format!("fixed `{}`", f.full_name),
            Node::Pending => "an undefined type".into(),
        }
    }
}

#[derive(Default)]
struct Parser {
    nodes: Vec<Node>,
    names: BTreeMap<String, usize>,
}

fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

fn namespace_of(full_name: &str) -> &str {
    full_name.rsplit_once('.').map_or("", |(ns, _)| ns)
}

fn short_name(full_name: &str) -> &str {
    full_name.rsplit_once('.').map_or(full_name, |(_, n)| n)
}

fn strings(value: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what} must be strings"))
            })
            .collect(),
        Some(_) => Err(format!("{what} must be a list of strings")),
    }
}

fn decimal(object: &serde_json::Map<String, Value>) -> Option<(u64, u64)> {
    if object.get("logicalType").and_then(Value::as_str) != Some("decimal") {
        return None;
    }
    let precision = object.get("precision").and_then(Value::as_u64)?;
    let scale = object.get("scale").map_or(Some(0), Value::as_u64)?;
    // The specification: an invalid logical type is ignored, and the underlying type used.
    (precision > 0 && scale <= precision).then_some((precision, scale))
}

impl Parser {
    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn primitive(name: &str) -> Option<Node> {
        Some(match name {
            "null" => Node::Null,
            "boolean" => Node::Boolean,
            "int" => Node::Int,
            "long" => Node::Long,
            "float" => Node::Float,
            "double" => Node::Double,
            "bytes" => Node::Bytes { decimal: None },
            "string" => Node::String,
            _ => return None,
        })
    }

    fn parse(&mut self, json: &Value, namespace: &str) -> Result<usize, String> {
        match json {
            Value::String(name) => {
                if let Some(node) = Self::primitive(name) {
                    return Ok(self.push(node));
                }
                let full = full_name(name, namespace);
                self.names
                    .get(&full)
                    .or_else(|| self.names.get(name.as_str()))
                    .copied()
                    .ok_or_else(|| format!("unknown type `{name}`"))
            }
            Value::Array(branches) => {
                let ids = branches
                    .iter()
                    .map(|b| self.parse(b, namespace))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(self.push(Node::Union(ids)))
            }
            Value::Object(object) => self.parse_object(object, namespace),
            other => Err(format!("`{other}` is not a schema")),
        }
    }

    fn parse_object(
        &mut self,
        object: &serde_json::Map<String, Value>,
        namespace: &str,
    ) -> Result<usize, String> {
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(nested @ (Value::Object(_) | Value::Array(_))) => {
                return self.parse(nested, namespace);
            }
            _ => return Err("a schema object needs a `type`".to_owned()),
        };
        match kind {
            "bytes" => Ok(self.push(Node::Bytes {
                decimal: decimal(object),
            })),
            "array" => {
                let items = object.get("items").ok_or("an array needs `items`")?;
                let id = self.parse(items, namespace)?;
                Ok(self.push(Node::Array(id)))
            }
            "map" => {
                let values = object.get("values").ok_or("a map needs `values`")?;
                let id = self.parse(values, namespace)?;
                Ok(self.push(Node::Map(id)))
            }
            "record" | "error" | "enum" | "fixed" => self.parse_named(kind, object, namespace),
            other => {
                if let Some(node) = Self::primitive(other) {
                    Ok(self.push(node))
                } else {
                    // A reference written as `{"type": "Name"}`.
                    self.parse(&Value::String(other.to_owned()), namespace)
                }
            }
        }
    }

    fn parse_named(
        &mut self,
        kind: &str,
        object: &serde_json::Map<String, Value>,
        enclosing: &str,
    ) -> Result<usize, String> {
        let name = object
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("a {kind} needs a `name`"))?;
        let namespace = if name.contains('.') {
            namespace_of(name).to_owned()
        } else {
            match object.get("namespace") {
                Some(Value::String(ns)) => ns.clone(),
                _ => enclosing.to_owned(),
            }
        };
        let full = full_name(name, &namespace);
        if self.names.contains_key(&full) {
            return Err(format!("`{full}` is defined twice"));
        }
        let aliases = strings(object.get("aliases"), "aliases")?
            .iter()
            .map(|a| full_name(a, &namespace))
            .collect();
        let id = self.push(Node::Pending);
        self.names.insert(full.clone(), id);
        let node = match kind {
            "enum" => Node::Enum(Enum {
                full_name: full,
                aliases,
                symbols: strings(object.get("symbols"), "enum symbols")?,
                default: object
                    .get("default")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }),
            "fixed" => Node::Fixed(Fixed {
                full_name: full,
                aliases,
                size: object
                    .get("size")
                    .and_then(Value::as_u64)
                    .ok_or("a fixed needs a `size`")?,
                decimal: decimal(object),
            }),
            _ => {
                let Some(Value::Array(fields)) = object.get("fields") else {
                    return Err(format!("record `{full}` needs a list of `fields`"));
                };
                let mut parsed = Vec::with_capacity(fields.len());
                for field in fields {
                    let Value::Object(field) = field else {
                        return Err(format!("a field of record `{full}` is not an object"));
                    };
                    let field_name = field
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("a field of record `{full}` has no name"))?;
                    let ty = field
                        .get("type")
                        .ok_or_else(|| format!("field `{field_name}` has no type"))?;
                    parsed.push(RecordField {
                        name: field_name.to_owned(),
                        aliases: strings(field.get("aliases"), "field aliases")?,
                        ty: self.parse(ty, &namespace)?,
                        has_default: field.contains_key("default"),
                    });
                }
                Node::Record(Record {
                    full_name: full,
                    aliases,
                    fields: parsed,
                })
            }
        };
        if let Some(slot) = self.nodes.get_mut(id) {
            *slot = node;
        }
        Ok(id)
    }
}

/// What kind of problem an incompatibility is, so callers that know which version is which
/// can word it ("added without a default").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A reader field the writer lacks, with no default to fill it.
    FieldWithoutDefault,
    /// Anything else: types, names, sizes, enum symbols or decimals that do not resolve.
    Mismatch,
}

/// One reason a reader cannot read a writer's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// The path of the field at fault (`customer.address.street`, `lines[].sku`), or empty for
    /// the top-level type.
    pub path: String,
    /// What kind of problem it is.
    pub problem: Problem,
    /// What is wrong, in a sentence that speaks of "the reader" and "the writer".
    pub message: String,
}

impl std::fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every reason a reader with `reader` cannot read data written with `writer`; empty when it
/// can.
pub fn can_read(writer: &ParsedSchema, reader: &ParsedSchema) -> Vec<Incompatibility> {
    let mut check = Check {
        writer,
        reader,
        seen: BTreeSet::new(),
        out: Vec::new(),
    };
    check.resolve(writer.root, reader.root, "");
    check.out
}

struct Check<'a> {
    writer: &'a ParsedSchema,
    reader: &'a ParsedSchema,
    /// Pairs of named types already being resolved: a recursive type resolves once.
    seen: BTreeSet<(usize, usize)>,
    out: Vec<Incompatibility>,
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the top-level type".to_owned()
    } else {
        format!("field `{path}`")
    }
}

/// Whether a reader's named type accepts a writer's name: same unqualified name, or a reader
/// alias equal to the writer's full name.
fn names_match(writer: &str, reader: &str, reader_aliases: &[String]) -> bool {
    short_name(writer) == short_name(reader) || reader_aliases.iter().any(|a| a == writer)
}

impl Check<'_> {
    fn fail(&mut self, path: &str, message: String) {
        self.fail_with(path, Problem::Mismatch, message);
    }

    fn fail_with(&mut self, path: &str, problem: Problem, message: String) {
        self.out.push(Incompatibility {
            path: path.to_owned(),
            problem,
            message,
        });
    }

    /// Whether the reader type `r` is the one a union picks for writer type `w`: `exact`
    /// asks for the same type, otherwise a promotion is enough.
    fn matches(&self, w: usize, r: usize, exact: bool) -> bool {
        use Node as N;
        match (self.writer.node(w), self.reader.node(r)) {
            (N::Null, N::Null)
            | (N::Boolean, N::Boolean)
            | (N::Int, N::Int)
            | (N::Long, N::Long)
            | (N::Float, N::Float)
            | (N::Double, N::Double)
            | (N::Bytes { .. }, N::Bytes { .. })
            | (N::String, N::String)
            | (N::Array(_), N::Array(_))
            | (N::Map(_), N::Map(_)) => true,
            (N::Record(wr), N::Record(rr)) => {
                names_match(&wr.full_name, &rr.full_name, &rr.aliases)
            }
            (N::Enum(we), N::Enum(re)) => names_match(&we.full_name, &re.full_name, &re.aliases),
            (N::Fixed(wf), N::Fixed(rf)) => names_match(&wf.full_name, &rf.full_name, &rf.aliases),
            (N::Int, N::Long | N::Float | N::Double)
            | (N::Long, N::Float | N::Double)
            | (N::Float, N::Double)
            | (N::String, N::Bytes { .. })
            | (N::Bytes { .. }, N::String) => !exact,
            _ => false,
        }
    }

    fn resolve(&mut self, w: usize, r: usize, path: &str) {
        let writer = self.writer;
        let reader = self.reader;
        if let Node::Union(branches) = writer.node(w) {
            for &branch in branches {
                let before = self.out.len();
                self.resolve(branch, r, path);
                let written = writer.describe(branch);
                for reason in self.out.iter_mut().skip(before) {
                    // Only this branch is at fault: keep the explanation that says so.
                    reason.problem = Problem::Mismatch;
                    reason.message = format!(
                        "when the writer writes its `{written}` branch, {}",
                        reason.message
                    );
                }
            }
            return;
        }
        if let Node::Union(branches) = reader.node(r) {
            let picked = branches
                .iter()
                .find(|&&b| self.matches(w, b, true))
                .or_else(|| branches.iter().find(|&&b| self.matches(w, b, false)))
                .copied();
            match picked {
                Some(branch) => self.resolve(w, branch, path),
                None => self.fail(
                    path,
                    format!(
                        "{}: the writer's {} matches no branch of the reader's union {}",
                        at(path),
                        writer.describe(w),
                        reader.describe(r)
                    ),
                ),
            }
            return;
        }
        if !self.matches(w, r, false) {
            let (wn, rn) = (writer.node(w), reader.node(r));
            let message = match (wn, rn) {
                (Node::Record(_), Node::Record(_))
                | (Node::Enum(_), Node::Enum(_))
                | (Node::Fixed(_), Node::Fixed(_)) => format!(
                    "{}: the writer's {} and the reader's {} have different names, and no \
                     reader alias names the writer's",
                    at(path),
                    writer.describe(w),
                    reader.describe(r)
                ),
                _ => format!(
                    "{}: the writer's {} cannot be read as {}",
                    at(path),
                    writer.describe(w),
                    reader.describe(r)
                ),
            };
            self.fail(path, message);
            return;
        }
        match (writer.node(w), reader.node(r)) {
            (Node::Array(wi), Node::Array(ri)) => self.resolve(*wi, *ri, &format!("{path}[]")),
            (Node::Map(wv), Node::Map(rv)) => self.resolve(*wv, *rv, &format!("{path}{{}}")),
            (Node::Bytes { decimal: wd }, Node::Bytes { decimal: rd }) => {
                self.decimals(*wd, *rd, path);
            }
            (Node::Fixed(wf), Node::Fixed(rf)) => {
                if wf.size != rf.size {
                    self.fail(
                        path,
                        format!(
                            "{}: fixed `{}` is {} bytes in the writer's schema but {} in the \
                             reader's",
                            at(path),
                            rf.full_name,
                            wf.size,
                            rf.size
                        ),
                    );
                } else {
                    self.decimals(wf.decimal, rf.decimal, path);
                }
            }
            (Node::Enum(we), Node::Enum(re)) => {
                let missing: Vec<&str> = we
                    .symbols
                    .iter()
                    .filter(|s| !re.symbols.contains(s))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() && re.default.is_none() {
                    let list = missing
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.fail(
                        path,
                        format!(
                            "{}: the writer's enum `{}` has symbol{} {list} that the reader's \
                             lacks, and the reader's enum has no default",
                            at(path),
                            we.full_name,
                            if missing.len() == 1 { "" } else { "s" },
                        ),
                    );
                }
            }
            (Node::Record(wr), Node::Record(rr)) => {
                if !self.seen.insert((w, r)) {
                    return;
                }
                for rf in &rr.fields {
                    let field_path = join(path, &rf.name);
                    let found = std::iter::once(&rf.name)
                        .chain(rf.aliases.iter())
                        .find_map(|name| wr.fields.iter().find(|wf| &wf.name == name));
                    match found {
                        Some(wf) => self.resolve(wf.ty, rf.ty, &field_path),
                        None if rf.has_default => {}
                        None => self.fail_with(
                            &field_path,
                            Problem::FieldWithoutDefault,
                            format!(
                                "field `{field_path}` is in the reader's schema but not in the \
                                 writer's, and has no default"
                            ),
                        ),
                    }
                }
            }
            _ => {}
        }
    }

    fn decimals(&mut self, w: Option<(u64, u64)>, r: Option<(u64, u64)>, path: &str) {
        if let (Some((wp, ws)), Some((rp, rs))) = (w, r)
            && (wp, ws) != (rp, rs)
        {
            self.fail(
                path,
                format!(
                    "{}: the writer's decimal({wp},{ws}) cannot be read as decimal({rp},{rs}): \
                     precision and scale must be equal",
                    at(path)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each verdict below is worked out from the Avro 1.12 specification's resolution rules,
    //! not taken from a library's output.

    use super::*;

    const PRIMITIVES: &[&str] = &[
        "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    ];

    fn schema(text: &str) -> ParsedSchema {
        ParsedSchema::parse_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// A record `R` in namespace `shop` with the given fields (JSON).
    fn record(fields: &str) -> ParsedSchema {
        schema(&format!(
            r#"{{"type": "record", "name": "R", "namespace": "shop", "fields": [{fields}]}}"#
        ))
    }

    fn field(name: &str, ty: &str) -> String {
        format!(r#"{{"name": "{name}", "type": {ty}}}"#)
    }

    /// Reading `writer` field `x` of type `w` with reader field `x` of type `r`.
    fn field_verdict(w: &str, r: &str) -> Vec<Incompatibility> {
        can_read(&record(&field("x", w)), &record(&field("x", r)))
    }

    fn assert_ok(reasons: &[Incompatibility]) {
        assert!(reasons.is_empty(), "expected compatible, got {reasons:#?}");
    }

    fn assert_one(reasons: &[Incompatibility], path: &str, message: &str) {
        assert_eq!(reasons.len(), 1, "expected one reason, got {reasons:#?}");
        assert_eq!(reasons[0].path, path);
        assert_eq!(reasons[0].message, message);
    }

    #[test]
    fn identical_primitives_resolve() {
        for t in PRIMITIVES {
            assert_ok(&field_verdict(&format!("\"{t}\""), &format!("\"{t}\"")));
        }
    }

    #[test]
    fn the_specification_promotions_resolve() {
        for (w, r) in [
            ("int", "long"),
            ("int", "float"),
            ("int", "double"),
            ("long", "float"),
            ("long", "double"),
            ("float", "double"),
            ("string", "bytes"),
            ("bytes", "string"),
        ] {
            assert_ok(&field_verdict(&format!("\"{w}\""), &format!("\"{r}\"")));
        }
    }

    #[test]
    fn narrowing_and_unrelated_primitives_do_not_resolve() {
        for (w, r) in [
            ("long", "int"),
            ("double", "float"),
            ("float", "long"),
            ("double", "long"),
            ("int", "string"),
            ("boolean", "int"),
            ("null", "string"),
        ] {
            assert_one(
                &field_verdict(&format!("\"{w}\""), &format!("\"{r}\"")),
                "x",
                &format!("field `x`: the writer's {w} cannot be read as {r}"),
            );
        }
    }

    #[test]
    fn an_added_field_needs_a_default() {
        let v1 = record(&field("id", "\"string\""));
        let v2 = record(&format!(
            "{}, {}",
            field("id", "\"string\""),
            field("currency", "\"string\"")
        ));
        assert_one(
            &can_read(&v1, &v2),
            "currency",
            "field `currency` is in the reader's schema but not in the writer's, and has no default",
        );
        let v2 = record(&format!(
            r#"{}, {{"name": "currency", "type": "string", "default": "EUR"}}"#,
            field("id", "\"string\"")
        ));
        assert_ok(&can_read(&v1, &v2));
    }

    #[test]
    fn an_optional_union_does_not_imply_a_default() {
        let v1 = record(&field("id", "\"string\""));
        let v2 = record(&format!(
            "{}, {}",
            field("id", "\"string\""),
            field("note", r#"["null", "string"]"#)
        ));
        assert_one(
            &can_read(&v1, &v2),
            "note",
            "field `note` is in the reader's schema but not in the writer's, and has no default",
        );
        let v2 = record(&format!(
            r#"{}, {{"name": "note", "type": ["null", "string"], "default": null}}"#,
            field("id", "\"string\"")
        ));
        assert_ok(&can_read(&v1, &v2));
    }

    #[test]
    fn a_removed_field_is_skipped_by_the_reader_but_missing_for_an_old_reader() {
        let old = record(&format!(
            "{}, {}",
            field("id", "\"string\""),
            field("legacy", "\"int\"")
        ));
        let new = record(&field("id", "\"string\""));
        // New readers skip the writer-only field.
        assert_ok(&can_read(&old, &new));
        // Old readers expect it and it has no default.
        assert_one(
            &can_read(&new, &old),
            "legacy",
            "field `legacy` is in the reader's schema but not in the writer's, and has no default",
        );
    }

    #[test]
    fn a_renamed_field_resolves_through_a_reader_alias_only() {
        let writer = record(&field("amount", "\"long\""));
        let reader = schema(
            r#"{"type": "record", "name": "R", "namespace": "shop", "fields": [
                {"name": "total", "type": "long", "aliases": ["amount"]}]}"#,
        );
        assert_ok(&can_read(&writer, &reader));
        // A writer alias does not help the reader.
        let writer = schema(
            r#"{"type": "record", "name": "R", "namespace": "shop", "fields": [
                {"name": "amount", "type": "long", "aliases": ["total"]}]}"#,
        );
        let reader = record(&field("total", "\"long\""));
        assert_one(
            &can_read(&writer, &reader),
            "total",
            "field `total` is in the reader's schema but not in the writer's, and has no default",
        );
    }

    #[test]
    fn a_field_found_by_alias_still_resolves_its_type() {
        let writer = record(&field("amount", "\"double\""));
        let reader = schema(
            r#"{"type": "record", "name": "R", "namespace": "shop", "fields": [
                {"name": "total", "type": "long", "aliases": ["amount"]}]}"#,
        );
        assert_one(
            &can_read(&writer, &reader),
            "total",
            "field `total`: the writer's double cannot be read as long",
        );
    }

    const COLOUR_AB: &str = r#"{"type": "enum", "name": "Colour", "symbols": ["A", "B"]}"#;
    const COLOUR_ABC: &str = r#"{"type": "enum", "name": "Colour", "symbols": ["A", "B", "C"]}"#;

    #[test]
    fn enum_symbols_added_by_the_reader_resolve() {
        assert_ok(&field_verdict(COLOUR_AB, COLOUR_ABC));
    }

    #[test]
    fn enum_symbols_the_reader_lacks_need_a_reader_default() {
        assert_one(
            &field_verdict(COLOUR_ABC, COLOUR_AB),
            "x",
            "field `x`: the writer's enum `shop.Colour` has symbol `C` that the reader's lacks, \
             and the reader's enum has no default",
        );
        let with_default =
            r#"{"type": "enum", "name": "Colour", "symbols": ["A", "B"], "default": "A"}"#;
        assert_ok(&field_verdict(COLOUR_ABC, with_default));
    }

    #[test]
    fn enums_with_other_names_do_not_resolve_unless_aliased() {
        let shade = r#"{"type": "enum", "name": "Shade", "symbols": ["A", "B"]}"#;
        assert_one(
            &field_verdict(COLOUR_AB, shade),
            "x",
            "field `x`: the writer's enum `shop.Colour` and the reader's enum `shop.Shade` have \
             different names, and no reader alias names the writer's",
        );
        let aliased =
            r#"{"type": "enum", "name": "Shade", "aliases": ["Colour"], "symbols": ["A", "B"]}"#;
        assert_ok(&field_verdict(COLOUR_AB, aliased));
    }

    #[test]
    fn fixed_needs_the_same_size() {
        let f16 = r#"{"type": "fixed", "name": "Hash", "size": 16}"#;
        let f32 = r#"{"type": "fixed", "name": "Hash", "size": 32}"#;
        assert_ok(&field_verdict(f16, f16));
        assert_one(
            &field_verdict(f16, f32),
            "x",
            "field `x`: fixed `shop.Hash` is 16 bytes in the writer's schema but 32 in the reader's",
        );
    }

    #[test]
    fn arrays_and_maps_resolve_their_items_and_values() {
        assert_ok(&field_verdict(
            r#"{"type": "array", "items": "int"}"#,
            r#"{"type": "array", "items": "long"}"#,
        ));
        assert_one(
            &field_verdict(
                r#"{"type": "array", "items": "long"}"#,
                r#"{"type": "array", "items": "int"}"#,
            ),
            "x[]",
            "field `x[]`: the writer's long cannot be read as int",
        );
        assert_ok(&field_verdict(
            r#"{"type": "map", "values": "float"}"#,
            r#"{"type": "map", "values": "double"}"#,
        ));
        assert_one(
            &field_verdict(
                r#"{"type": "map", "values": "string"}"#,
                r#"{"type": "map", "values": "int"}"#,
            ),
            "x{}",
            "field `x{}`: the writer's string cannot be read as int",
        );
        assert_one(
            &field_verdict(
                r#"{"type": "array", "items": "int"}"#,
                r#"{"type": "map", "values": "int"}"#,
            ),
            "x",
            "field `x`: the writer's array<int> cannot be read as map<int>",
        );
    }

    #[test]
    fn nested_records_report_the_full_path() {
        let address = |extra: &str| {
            format!(
                r#"{{"type": "record", "name": "Address", "fields": [{{"name": "city", "type": "string"}}{extra}]}}"#
            )
        };
        let customer = |extra: &str| {
            format!(
                r#"{{"type": "record", "name": "Customer", "fields": [{{"name": "address", "type": {}}}]}}"#,
                address(extra)
            )
        };
        let writer = record(&field("customer", &customer("")));
        let reader = record(&field(
            "customer",
            &customer(r#", {"name": "street", "type": "string"}"#),
        ));
        assert_one(
            &can_read(&writer, &reader),
            "customer.address.street",
            "field `customer.address.street` is in the reader's schema but not in the writer's, \
             and has no default",
        );
        let reader = record(&field(
            "customer",
            &customer(r#", {"name": "street", "type": "string", "default": ""}"#),
        ));
        assert_ok(&can_read(&writer, &reader));
    }

    #[test]
    fn a_writer_union_needs_every_branch_readable() {
        assert_ok(&field_verdict(r#"["null", "int"]"#, r#"["null", "long"]"#));
        assert_ok(&field_verdict(r#"["int", "long"]"#, r#""double""#));
        assert_one(
            &field_verdict(r#"["null", "string"]"#, r#""string""#),
            "x",
            "when the writer writes its `null` branch, field `x`: the writer's null cannot be \
             read as string",
        );
    }

    #[test]
    fn a_reader_union_needs_a_branch_matching_the_writer() {
        // `int` picks the `long` branch by promotion.
        assert_ok(&field_verdict(r#""int""#, r#"["null", "long"]"#));
        assert_ok(&field_verdict(r#""string""#, r#"["null", "string"]"#));
        assert_one(
            &field_verdict(r#""int""#, r#"["null", "string"]"#),
            "x",
            "field `x`: the writer's int matches no branch of the reader's union [null, string]",
        );
    }

    #[test]
    fn a_reader_union_picks_the_record_with_the_writers_name() {
        let a = r#"{"type": "record", "name": "A", "fields": [{"name": "n", "type": "int"}]}"#;
        let b = r#"{"type": "record", "name": "B", "fields": [{"name": "m", "type": "int"}]}"#;
        assert_ok(&field_verdict(b, &format!("[{a}, {b}]")));
    }

    #[test]
    fn named_types_match_by_unqualified_name_across_namespaces() {
        let writer =
            schema(r#"{"type": "record", "name": "Order", "namespace": "a", "fields": []}"#);
        let reader =
            schema(r#"{"type": "record", "name": "Order", "namespace": "b", "fields": []}"#);
        assert_ok(&can_read(&writer, &reader));
        let other = schema(r#"{"type": "record", "name": "Sale", "namespace": "a", "fields": []}"#);
        assert_one(
            &can_read(&writer, &other),
            "",
            "the top-level type: the writer's record `a.Order` and the reader's record `a.Sale` \
             have different names, and no reader alias names the writer's",
        );
    }

    #[test]
    fn a_relative_reader_alias_resolves_in_the_readers_namespace() {
        let reader = schema(
            r#"{"type": "record", "name": "Sale", "namespace": "a", "aliases": ["Order"], "fields": []}"#,
        );
        let same_ns =
            schema(r#"{"type": "record", "name": "Order", "namespace": "a", "fields": []}"#);
        assert_ok(&can_read(&same_ns, &reader));
        // `Order` means `a.Order`, which is not `b.Order`.
        let other_ns =
            schema(r#"{"type": "record", "name": "Order", "namespace": "b", "fields": []}"#);
        assert_eq!(can_read(&other_ns, &reader).len(), 1);
        let full_alias = schema(
            r#"{"type": "record", "name": "Sale", "namespace": "a", "aliases": ["b.Order"], "fields": []}"#,
        );
        assert_ok(&can_read(&other_ns, &full_alias));
    }

    #[test]
    fn decimals_need_equal_precision_and_scale() {
        let d = |p: u32, s: u32| {
            format!(
                r#"{{"type": "bytes", "logicalType": "decimal", "precision": {p}, "scale": {s}}}"#
            )
        };
        assert_ok(&field_verdict(&d(10, 2), &d(10, 2)));
        assert_one(
            &field_verdict(&d(10, 2), &d(12, 4)),
            "x",
            "field `x`: the writer's decimal(10,2) cannot be read as decimal(12,4): precision and \
             scale must be equal",
        );
    }

    /// Java Avro's `SchemaCompatibility` ignores logical types, so Confluent's registry accepts
    /// this change; the specification does not, and neither do we.
    #[test]
    fn decimal_precision_change_is_incompatible_though_java_accepts_it() {
        let w = r#"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}"#;
        let r = r#"{"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 3}"#;
        assert_eq!(field_verdict(w, r).len(), 1);
    }

    /// `apache-avro` 0.22's checker wants equal unqualified names and ignores the reader's
    /// aliases of a named type; the specification accepts the alias.
    #[test]
    fn apache_avro_ignores_reader_aliases_of_named_types() {
        let writer =
            r#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}"#;
        let reader = r#"{"type": "record", "name": "Sale", "aliases": ["Order"], "fields": [{"name": "id", "type": "string"}]}"#;
        assert_ok(&can_read(&schema(writer), &schema(reader)));
        let theirs = apache_avro::schema_compatibility::SchemaCompatibility::can_read(
            &apache_avro::Schema::parse_str(writer).expect("valid"),
            &apache_avro::Schema::parse_str(reader).expect("valid"),
        );
        assert!(
            theirs.is_err(),
            "apache-avro now accepts reader aliases: update the docs"
        );
    }

    #[test]
    fn recursive_types_resolve_without_looping() {
        let list = |item: &str| {
            format!(
                r#"{{"type": "record", "name": "Node", "fields": [
                    {{"name": "value", "type": "{item}"}},
                    {{"name": "next", "type": ["null", "Node"]}}]}}"#
            )
        };
        assert_ok(&can_read(&schema(&list("int")), &schema(&list("long"))));
        assert_one(
            &can_read(&schema(&list("long")), &schema(&list("int"))),
            "value",
            "field `value`: the writer's long cannot be read as int",
        );
    }

    #[test]
    fn the_top_level_may_be_any_type() {
        assert_ok(&can_read(&schema(r#""int""#), &schema(r#""long""#)));
        assert_one(
            &can_read(&schema(r#""long""#), &schema(r#""int""#)),
            "",
            "the top-level type: the writer's long cannot be read as int",
        );
    }

    #[test]
    fn invalid_schemas_are_errors_not_panics() {
        for text in [
            "",
            "{",
            "42",
            r#"{"type": "record"}"#,
            r#"{"type": "record", "name": "R", "fields": [{"name": "x"}]}"#,
            r#"{"type": "fixed", "name": "F"}"#,
            r#""Unknown""#,
            r#"{"type": "enum", "name": "E", "symbols": [1]}"#,
            r#"[[]]"#,
        ] {
            assert!(
                ParsedSchema::parse_str(text).is_err(),
                "{text} was accepted"
            );
        }
    }
}
