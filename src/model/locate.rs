//! Finds where an element, or one of its fields, is written in a model file's text, so
//! diagnostics can point at `file:line:column`.
//!
//! The model is parsed with serde, which keeps no positions; this module finds them again in
//! the text. It understands the canonical form `save` writes and the hand-written forms people
//! use (an element on one line, fields in any order), and falls back to the element's own line,
//! then to the top of the file.

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

/// Where `element` (and, when given, its `field`) is written in `text`.
pub fn locate(text: &str, element: &ElementRef, field: Option<&str>) -> TextPosition {
    let lines: Vec<&str> = text.lines().collect();
    match element.kind {
        ElementKind::Model => field
            .and_then(|f| find_key(&lines, 0, lines.len(), f, None))
            .unwrap_or(TextPosition::START),
        kind => {
            let section = kind.section();
            let Some(section_start) = find_key(&lines, 0, lines.len(), section, None) else {
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
            let Some(element_line) = find_key_value(&lines, section_start.line - 1, key, &value)
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
            find_key(&lines, element_line.line, end, field, Some(indent))
                .or_else(|| find_key(&lines, start, element_line.line - 1, field, Some(indent)))
                .unwrap_or(element_line)
        }
    }
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

/// Finds `key: value` anywhere on a line, from `from` on.
fn find_key_value(lines: &[&str], from: usize, key: &str, value: &str) -> Option<TextPosition> {
    for (i, line) in lines.iter().enumerate().skip(from) {
        let mut search = 0;
        while let Some(found) = line[search..].find(key) {
            let start = search + found;
            let rest = line[start + key.len()..].trim_start();
            let boundary = start == 0
                || !line[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
            if boundary
                && let Some(after_colon) = rest.strip_prefix(':')
                && after_colon.trim_start().starts_with(value)
                && !after_colon.trim_start()[value.len()..]
                    .starts_with(|c: char| c.is_alphanumeric())
            {
                return Some(TextPosition {
                    line: i + 1,
                    column: line[..start].chars().count() + 1,
                });
            }
            search = start + key.len();
        }
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
    fn unknown_elements_point_at_the_start() {
        let at = locate(TEXT, &ElementRef::new(ElementKind::Saga, "x"), None);
        assert_eq!(at, TextPosition::START);
    }
}
