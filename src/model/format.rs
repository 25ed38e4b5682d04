//! The model file: RON with a `format` version at the top.
//!
//! [`load`] turns text into a [`Model`] or a [`LoadError`] with a line, a column and a sentence a
//! person can act on; it never panics, whatever the bytes. [`save`] writes the canonical form:
//! the same model always gives the same bytes, so models diff cleanly in git.

use ron::extensions::Extensions;
use serde::Deserialize;

use super::types::{FORMAT_VERSION, Model};

/// Why a model file could not be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct LoadError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl LoadError {
    fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
        }
    }
}

/// The RON options every read and write of a model uses: `Some(..)` is implicit, so optional
/// fields read naturally (`rack: "a"`).
fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(64)
}

/// Only the `format` field, read before anything else so an old or future file gets a precise
/// message instead of a confusing field error.
#[derive(Deserialize)]
struct FormatProbe {
    format: Option<u32>,
}

/// Loads a model from the bytes of a model file.
pub fn load_bytes(bytes: &[u8]) -> Result<Model, LoadError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => load(text),
        Err(err) => {
            let valid = String::from_utf8_lossy(&bytes[..err.valid_up_to()]);
            let (line, column) = end_position(&valid);
            Err(LoadError::at(
                line,
                column,
                "the file is not UTF-8 text (is it a model file?)",
            ))
        }
    }
}

/// Loads a model from the text of a model file.
pub fn load(text: &str) -> Result<Model, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::at(
            1,
            1,
            format!("the file is empty; a model file starts with `(format: {FORMAT_VERSION},`"),
        ));
    }
    // The probe only succeeds on syntactically valid RON; when it fails, the full parse below
    // reports the syntax error with its position.
    if let Ok(probe) = ron_options().from_str::<FormatProbe>(text) {
        match probe.format {
            None => {
                return Err(LoadError::at(
                    1,
                    1,
                    format!(
                        "the file has no `format` field; add `format: {FORMAT_VERSION},` as the \
                         first field"
                    ),
                ));
            }
            Some(FORMAT_VERSION) => {}
            Some(other) => {
                let (line, column) = find_field(text, "format").unwrap_or((1, 1));
                return Err(if other > FORMAT_VERSION {
                    LoadError::at(
                        line,
                        column,
                        format!(
                            "the file is in format {other}, written by a newer Causeway; this \
                             build reads format {FORMAT_VERSION} and older"
                        ),
                    )
                } else {
                    migrate(other, text).err().unwrap_or_else(|| {
                        LoadError::at(line, column, format!("unknown format {other}"))
                    })
                });
            }
        }
    }
    match ron_options().from_str::<Model>(text) {
        Ok(model) => Ok(model),
        Err(err) => {
            let start = offset_of(text, err.span.start.line, err.span.start.col);
            let end = offset_of(text, err.span.end.line, err.span.end.col).max(start);
            if ends_early(&err.code) && text[end..].trim().is_empty() {
                // The parser wanted more when the text ran out: say so, just after the last
                // thing written, rather than naming the token it was waiting for.
                let (line, column) = end_position(text.trim_end());
                return Err(LoadError::at(line, column, explain(&ron::Error::Eof)));
            }
            // RON's span starts before the whitespace that precedes the offending token;
            // point at the token itself.
            let skipped = &text[start..end];
            let mut at = start + (skipped.len() - skipped.trim_start().len());
            // … and at a number's sign, which it reads before the digits.
            if matches!(err.code, ron::Error::IntegerOutOfBounds)
                && text[..at].ends_with(['-', '+'])
            {
                at -= 1;
            }
            let (line, column) = end_position(&text[..at]);
            Err(LoadError::at(line, column, explain(&err.code)))
        }
    }
}

/// The byte offset of RON's 1-based (line, column in characters) position in `text`, clamped
/// to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..line {
        match text[line_start..].find('\n') {
            Some(newline) => line_start += newline + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i)
}

/// Whether a RON error, raised where the text ends, means the file was cut short (rather than
/// a wrong value that happens to be the last thing in the file).
fn ends_early(code: &ron::Error) -> bool {
    use ron::Error as E;
    // The model itself missing is not a cut: that text holds only comments.
    if let E::ExpectedNamedStructLike(name) = code {
        return *name != "Model";
    }
    matches!(
        code,
        E::Eof
            | E::ExpectedArray
            | E::ExpectedArrayEnd
            | E::ExpectedBoolean
            | E::ExpectedComma
            | E::ExpectedChar
            | E::ExpectedFloat
            | E::ExpectedInteger
            | E::ExpectedOption
            | E::ExpectedOptionEnd
            | E::ExpectedMap
            | E::ExpectedMapColon
            | E::ExpectedMapEnd
            | E::ExpectedStructLike
            | E::ExpectedStructLikeEnd
            | E::ExpectedUnit
            | E::ExpectedString
            | E::ExpectedStringEnd
            | E::ExpectedIdentifier
    )
}

/// Brings a file of an older format up to [`FORMAT_VERSION`].
///
/// Format 1 is the first format, so there is nothing to migrate yet: every older number is
/// unknown. When format 2 exists, this reads a format-1 file and rewrites it as format 2.
fn migrate(format: u32, text: &str) -> Result<Model, LoadError> {
    let (line, column) = find_field(text, "format").unwrap_or((1, 1));
    Err(LoadError::at(
        line,
        column,
        format!(
            "unknown format {format}: this build reads format {FORMAT_VERSION} (the first \
             format is 1)"
        ),
    ))
}

/// Turns a RON error into a sentence.
fn explain(code: &ron::Error) -> String {
    use ron::Error as E;
    match code {
        E::Eof => "the file ends early: a bracket or parenthesis is not closed".to_owned(),
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let place = outer
                .as_deref()
                .map(|o| format!(" in {}", human_type(o)))
                .unwrap_or_default();
            format!(
                "unknown field `{found}`{place}; expected one of: {}",
                expected.join(", ")
            )
        }
        E::MissingStructField { field, outer } => {
            let place = outer
                .as_deref()
                .map(|o| format!(" in {}", human_type(o)))
                .unwrap_or_default();
            format!("missing field `{field}`{place}")
        }
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let place = outer
                .as_deref()
                .map(|o| format!(" for {}", human_type(o)))
                .unwrap_or_default();
            format!(
                "unknown value `{found}`{place}; expected one of: {}",
                expected.join(", ")
            )
        }
        E::DuplicateStructField { field, .. } => format!("field `{field}` appears twice"),
        E::IntegerOutOfBounds => "this number is too large (or negative) for this field".into(),
        E::InvalidValueForType { expected, found } => {
            format!("expected {expected}, found {found}")
        }
        E::ExceededRecursionLimit => "the file nests too deeply".to_owned(),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => "the file could not be read".to_owned(),
            }
        }
    }
}

/// `ConsumerGroup` → `consumer group`.
fn human_type(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push(' ');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The line and column just after the end of `text`.
fn end_position(text: &str) -> (usize, usize) {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where `name:` first appears as a field (outside string literals, at the start of a word),
/// as (line, column).
fn find_field(text: &str, name: &str) -> Option<(usize, usize)> {
    let (mut line, mut column) = (1, 1);
    let (mut in_string, mut escaped, mut in_word) = (false, false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if !in_word
            && let Some(rest) = text[i..].strip_prefix(name)
            && rest.trim_start().starts_with(':')
        {
            return Some((line, column));
        }
        in_word = c.is_alphanumeric() || c == '_';
        if c == '\n' {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    None
}

/// Writes a model in canonical form: four-space indents, fields in declaration order, elements
/// in the model's order, a trailing newline.
pub fn save(model: &Model) -> String {
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .new_line("\n")
        .struct_names(false)
        .separate_tuple_members(false)
        .compact_arrays(false)
        .escape_strings(false);
    match ron_options().to_string_pretty(model, config) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Serializing plain data to a String cannot fail; should serde ever report an error,
        // fall back to an unindented form rather than losing the user's model.
        Err(_) => ron::to_string(model).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_file_loads_with_defaults() {
        let model = load("(format: 1, name: \"tiny\")").expect("loads");
        assert_eq!(model.name, "tiny");
        assert_eq!(model.cluster.brokers.len(), 3);
    }

    #[test]
    fn missing_format_is_explained() {
        let err = load("(name: \"x\")").unwrap_err();
        assert!(err.message.contains("no `format` field"), "{err}");
    }

    #[test]
    fn future_format_is_refused_with_its_line() {
        let err = load("(\n    format: 7,\n    name: \"x\",\n)").unwrap_err();
        assert_eq!((err.line, err.column), (2, 5));
        assert!(err.message.contains("format 7"), "{err}");
        assert!(err.message.contains("newer Causeway"), "{err}");
    }

    #[test]
    fn unknown_old_format_is_refused() {
        let err = load("(format: 0, name: \"x\")").unwrap_err();
        assert!(err.message.contains("unknown format 0"), "{err}");
    }

    #[test]
    fn save_then_load_is_identity_and_save_is_stable() {
        let model = load("(format: 1, name: \"tiny\", description: \"d\")").expect("loads");
        let text = save(&model);
        let again = load(&text).expect("reloads");
        assert_eq!(again, model);
        assert_eq!(save(&again), text);
        assert!(text.starts_with("(\n    format: 1,\n"), "{text}");
    }

    #[test]
    fn invalid_utf8_reports_its_position() {
        let err = load_bytes(b"(format: 1,\n  name: \"\xff\")").unwrap_err();
        assert_eq!((err.line, err.column), (2, 10));
        assert!(err.message.contains("not UTF-8"));
    }
}
