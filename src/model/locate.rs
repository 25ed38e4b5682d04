//! Finds where an element, or one of its fields, is written in a model file's text, so
//! diagnostics can point at `file:line:column`.
//!
//! The model is parsed with serde, which keeps no positions; this module finds them again in
//! the text. It understands the canonical form `save` writes and the hand-written forms people
//! use (an element on one line, fields in any order), and falls back to the element's own line,
//! then to the top of the file.

use std::collections::HashMap;

use super::types::{ElementKind, ElementRef};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextPosition {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl TextPosition {
    const START: Self = Self { line: 1, column: 1 };
}

/// Where `element` (and, when given, its `field`) is written in `text`. To locate many
/// elements in one text, make a [`Locator`] once.
pub fn locate(text: &str, element: &ElementRef, field: Option<&str>) -> TextPosition {
    Locator::new(text).locate(element, field)
}

/// Locates elements in one model text: the text is indexed once, so each lookup costs about
/// the size of its element, not of the file (a model with thousands of diagnostics is
/// located in linear time).
pub struct Locator<'t> {
    lines: Vec<&'t str>,
    /// The first line starting with each `key:` (at any indentation).
    first_key: HashMap<&'t str, TextPosition>,
    /// Every `id: value` and `name: value` on any line, by key and value as written (a
    /// string with its quotes, a number): where each is, in text order.
    values: HashMap<(&'t str, &'t str), Vec<TextPosition>>,
}

impl<'t> Locator<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut first_key = HashMap::new();
        let mut values: HashMap<(&str, &str), Vec<TextPosition>> = HashMap::new();
        for (i, line) in lines.iter().enumerate() {
            let indent = indentation(line);
            let trimmed = line.trim_start();
            let word = trimmed
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(trimmed, |end| &trimmed[..end]);
            if !word.is_empty() && trimmed[word.len()..].trim_start().starts_with(':') {
                first_key.entry(word).or_insert(TextPosition {
                    line: i + 1,
                    column: indent + 1,
                });
            }
            for key in ["id", "name"] {
                let mut search = 0;
                while let Some(found) = line[search..].find(key) {
                    let start = search + found;
                    search = start + key.len();
                    let boundary = !line[..start]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_');
                    let Some(after) = line[search..].trim_start().strip_prefix(':') else {
                        continue;
                    };
                    if !boundary {
                        continue;
                    }
                    if let Some(value) = value_token(after.trim_start()) {
                        values.entry((key, value)).or_default().push(TextPosition {
                            line: i + 1,
                            column: line[..start].chars().count() + 1,
                        });
                    }
                }
            }
        }
        Self {
            lines,
            first_key,
            values,
        }
    }

    /// Where `element` (and, when given, its `field`) is written.
    pub fn locate(&self, element: &ElementRef, field: Option<&str>) -> TextPosition {
        let lines = &self.lines;
        match element.kind {
            ElementKind::Model => field
                .and_then(|f| self.first_key.get(f).copied())
                .unwrap_or(TextPosition::START),
            kind => {
                let Some(&section_start) = self.first_key.get(kind.section()) else {
                    return TextPosition::START;
                };
                let key = match kind {
                    ElementKind::Scenario => "name",
                    _ => "id",
                };
                let value = match kind {
                    ElementKind::Broker => element.id.clone(),
                    _ => ron_string(&element.id),
                };
                let Some(element_line) = self
                    .values
                    .get(&(key, value.as_str()))
                    .and_then(|at| at.iter().find(|p| p.line >= section_start.line).copied())
                else {
                    return section_start;
                };
                let Some(field) = field else {
                    return element_line;
                };
                if field == key {
                    return element_line;
                }
                // The field on the element's own line (a one-line element) …
                let own = lines[element_line.line - 1];
                if let Some(col) = find_key_in_line(own, field) {
                    return TextPosition {
                        line: element_line.line,
                        column: col,
                    };
                }
                // … or on a later line at the same indentation, before the element ends …
                let indent = element_line.column - 1;
                let outside = |l: &&str| !l.trim().is_empty() && indentation(l) < indent;
                let end = lines[element_line.line..]
                    .iter()
                    .position(outside)
                    .map_or(lines.len(), |p| element_line.line + p);
                // … or on an earlier one, written before the id.
                let start = lines[..element_line.line - 1]
                    .iter()
                    .rposition(outside)
                    .map_or(0, |p| p + 1);
                find_key(lines, element_line.line, end, field, Some(indent))
                    .or_else(|| find_key(lines, start, element_line.line - 1, field, Some(indent)))
                    .unwrap_or(element_line)
            }
        }
    }
}

/// The value at the start of `text` as written: a string with its quotes, or a run of
/// letters, digits and `_` (a number, an identifier).
fn value_token(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => return Some(&text[..i + 2]),
                _ => escaped = false,
            }
        }
        return None;
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// The RON spelling of a string value.
fn ron_string(value: &str) -> String {
    format!("\"{value}\"")
}

fn indentation(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Finds `key:` at the start of a line (after indentation) in `lines[from..to]`.
fn find_key(
    lines: &[&str],
    from: usize,
    to: usize,
    key: &str,
    indent: Option<usize>,
) -> Option<TextPosition> {
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix(key) else {
            continue;
        };
        if !rest.trim_start().starts_with(':') {
            continue;
        }
        let column = indentation(line);
        if indent.is_some_and(|want| want != column) {
            continue;
        }
        return Some(TextPosition {
            line: i + 1,
            column: column + 1,
        });
    }
    None
}

/// The column of `key:` inside one line, at a word boundary.
fn find_key_in_line(line: &str, key: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = line[search..].find(key) {
        let start = search + found;
        let before_ok = start == 0
            || !line[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = line[start + key.len()..].trim_start();
        if before_ok && after.starts_with(':') {
            return Some(line[..start].chars().count() + 1);
        }
        search = start + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "(\n    format: 1,\n    name: \"m\",\n    cluster: (\n        brokers: [\n            (id: 1, write_mb_per_s: 0.0),\n        ],\n    ),\n    topics: [\n        (\n            id: \"orders\",\n            partitions: 0,\n            replication_factor: 3,\n        ),\n        (id: \"payments\", partitions: 3, replication_factor: 9),\n    ],\n)\n";

    #[test]
    fn finds_a_field_of_a_multi_line_element() {
        let at = locate(
            TEXT,
            &ElementRef::new(ElementKind::Topic, "orders"),
            Some("partitions"),
        );
        assert_eq!((at.line, at.column), (12, 13));
    }

    #[test]
    fn finds_a_field_of_a_one_line_element() {
        let at = locate(
            TEXT,
            &ElementRef::new(ElementKind::Topic, "payments"),
            Some("replication_factor"),
        );
        assert_eq!((at.line, at.column), (15, 41));
    }

    #[test]
    fn falls_back_to_the_element_line_for_a_field_left_at_its_default() {
        let at = locate(
            TEXT,
            &ElementRef::new(ElementKind::Topic, "orders"),
            Some("retention"),
        );
        assert_eq!((at.line, at.column), (11, 13));
    }

    #[test]
    fn finds_brokers_by_number_and_model_fields() {
        let at = locate(
            TEXT,
            &ElementRef::new(ElementKind::Broker, "1"),
            Some("write_mb_per_s"),
        );
        assert_eq!((at.line, at.column), (6, 21));
        let at = locate(TEXT, &ElementRef::model(), Some("name"));
        assert_eq!((at.line, at.column), (3, 5));
    }

    #[test]
    fn one_locator_finds_many_elements_and_tells_sections_apart() {
        // A producer and a topic share the name `orders`: each is found in its own section.
        let text = "(\n    topics: [\n        (id: \"orders\", partitions: 0),\n    ],\n    \
                    producers: [\n        (\n            id: \"orders\",\n            \
                    acks: One,\n        ),\n    ],\n    scenarios: [(name: \"orders\", \
                    seed: 1)],\n)\n";
        let locator = Locator::new(text);
        let topic = ElementRef::new(ElementKind::Topic, "orders");
        let producer = ElementRef::new(ElementKind::Producer, "orders");
        let scenario = ElementRef::new(ElementKind::Scenario, "orders");
        assert_eq!(
            locator.locate(&topic, Some("partitions")),
            TextPosition {
                line: 3,
                column: 24
            }
        );
        assert_eq!(
            locator.locate(&producer, Some("acks")),
            TextPosition {
                line: 8,
                column: 13
            }
        );
        assert_eq!(
            locator.locate(&scenario, Some("seed")),
            TextPosition {
                line: 11,
                column: 34
            }
        );
        // The same answers as one-off lookups.
        for (element, field) in [
            (&topic, "partitions"),
            (&producer, "acks"),
            (&scenario, "seed"),
        ] {
            assert_eq!(
                locator.locate(element, Some(field)),
                locate(text, element, Some(field))
            );
        }
        // A name that is only a prefix of another's is not taken for it.
        let ord = ElementRef::new(ElementKind::Producer, "ord");
        assert_eq!(
            locator.locate(&ord, None),
            TextPosition { line: 5, column: 5 }
        );
    }

    #[test]
    fn unknown_elements_point_at_the_start() {
        let at = locate(TEXT, &ElementRef::new(ElementKind::Saga, "x"), None);
        assert_eq!(at, TextPosition::START);
    }
}
