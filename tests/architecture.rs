//! The layering rule: the model, the simulation, the schemas and the export writers are pure
//! logic. Nothing under `src/model`, `src/sim`, `src/schema` or `src/export` may use the UI
//! (`egui`, `eframe`, `rfd`), an async runtime (`tokio`) or the file system, however it is
//! spelled.
//!
//! The check strips comments and literals from each file, tokenizes what is left, expands `use`
//! trees (groups, `self`, renames) and resolves each path through the file's imports, so
//! `use std::{io, fs as disk}; disk::read(..)` is caught while a doc comment that mentions
//! `egui` is not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Crates the pure layers may not use.
const FORBIDDEN_CRATES: &[&str] = &["egui", "eframe", "rfd", "tokio"];

/// Crates that exist to touch the file system.
const FILE_SYSTEM_CRATES: &[&str] = &["tempfile", "walkdir", "fs_err", "dirs"];

/// Names that only exist to touch the file system, wherever they appear (`std::fs` functions
/// and types, and the `Path` methods that read the disk).
const FILE_SYSTEM_NAMES: &[&str] = &[
    "OpenOptions",
    "DirEntry",
    "DirBuilder",
    "ReadDir",
    "read_dir",
    "create_dir",
    "create_dir_all",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "hard_link",
    "read_link",
    "canonicalize",
    "symlink_metadata",
    "set_permissions",
    "try_exists",
];

/// `File::<these>` opens a file even when `File` came from somewhere the scan cannot see.
const FILE_CONSTRUCTORS: &[&str] = &["open", "create", "create_new", "options"];

// ---------------------------------------------------------------------------------------------
// Stripping comments and literals

/// `source` with comments, string literals and character literals replaced by spaces (line
/// breaks kept, so line numbers stay right). Lifetimes and labels are kept.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    // Replaces chars[from..to] by blanks, keeping line breaks.
    let blank = |out: &mut String, from: usize, to: usize| {
        for &c in &chars[from..to.min(chars.len())] {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let starts_token = i == 0 || !is_ident(chars[i - 1]);
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && next == Some('*') {
            // Block comments nest.
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(end) = starts_token
            .then(|| string_literal_end(&chars, i))
            .flatten()
        {
            blank(&mut out, i, end);
            i = end;
        } else if c == '\'' {
            match char_literal_end(&chars, i) {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// If a string literal (`"…"`, `r#"…"#`, `b"…"`, `br"…"`, `c"…"`, `cr"…"`) starts at `i`,
/// the index just after it.
fn string_literal_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    // Optional prefix.
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    let raw = chars.get(j) == Some(&'r');
    if raw {
        j += 1;
    }
    let mut hashes = 0;
    if raw {
        while chars.get(j) == Some(&'#') {
            hashes += 1;
            j += 1;
        }
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if !raw => j += 2,
            '"' => {
                let closing = (1..=hashes).all(|k| chars.get(j + k) == Some(&'#'));
                if closing {
                    return Some(j + 1 + hashes);
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
    Some(chars.len())
}

/// If a character literal (`'a'`, `'\n'`, `'\u{1F600}'`, `b'x'` without its `b`) starts at
/// `i`, the index just after it; `None` for a lifetime or label (`'a`, `'outer:`).
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    match chars.get(i + 1)? {
        // Skip the backslash and the escaped character, which may itself be a quote.
        '\\' => {
            let close = chars.get(i + 3..)?.iter().position(|&c| c == '\'')?;
            Some(i + 3 + close + 1)
        }
        _ if chars.get(i + 2) == Some(&'\'') => Some(i + 3),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens, imports and paths

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The identifiers, `::` and punctuation of stripped source, each with its line.
fn tokenize(stripped: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = stripped.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // A raw identifier: `r#fs` is `fs`.
            if word == "r"
                && chars.get(i) == Some(&'#')
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphabetic() || *c == '_')
            {
                i += 1;
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = chars[start..i].iter().collect();
            }
            tokens.push((line, Token::Ident(word)));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push((line, Token::PathSep));
            i += 2;
        } else {
            tokens.push((line, Token::Punct(c)));
            i += 1;
        }
    }
    tokens
}

/// One item a `use` declaration brings in: `use std::fs as disk;` is the path `std::fs` under
/// the name `disk`; a glob has no name.
#[derive(Debug, Clone, PartialEq)]
struct Import {
    path: Vec<String>,
    name: Option<String>,
    line: usize,
}

/// A path written in code (`std::fs::read`, `egui::Ui`, `read_dir`), with its line.
#[derive(Debug, Clone, PartialEq)]
struct PathUse {
    segments: Vec<String>,
    line: usize,
}

fn ident(tokens: &[(usize, Token)], i: usize) -> Option<&str> {
    match tokens.get(i) {
        Some((_, Token::Ident(name))) => Some(name),
        _ => None,
    }
}

fn is(tokens: &[(usize, Token)], i: usize, token: &Token) -> bool {
    tokens.get(i).is_some_and(|(_, t)| t == token)
}

/// Parses the use tree starting at `tokens[*i]` under `prefix`, pushing what it imports.
fn use_tree(tokens: &[(usize, Token)], i: &mut usize, prefix: &[String], out: &mut Vec<Import>) {
    let line = tokens.get(*i).map_or(0, |(l, _)| *l);
    let mut path = prefix.to_vec();
    if is(tokens, *i, &Token::PathSep) {
        *i += 1;
    }
    while let Some(name) = ident(tokens, *i) {
        if name == "as" {
            break;
        }
        path.push(name.to_owned());
        *i += 1;
        if is(tokens, *i, &Token::PathSep) {
            *i += 1;
        } else {
            break;
        }
    }
    if is(tokens, *i, &Token::Punct('{')) {
        *i += 1;
        while *i < tokens.len() && !is(tokens, *i, &Token::Punct('}')) {
            if is(tokens, *i, &Token::Punct(',')) {
                *i += 1;
                continue;
            }
            let before = *i;
            use_tree(tokens, i, &path, out);
            if *i == before {
                *i += 1;
            }
        }
        *i += 1;
    } else if is(tokens, *i, &Token::Punct('*')) {
        *i += 1;
        out.push(Import {
            path,
            name: None,
            line,
        });
    } else {
        if path.last().is_some_and(|s| s == "self") {
            path.pop();
        }
        let mut name = path.last().cloned();
        if ident(tokens, *i) == Some("as") {
            name = ident(tokens, *i + 1).map(str::to_owned);
            *i += 2;
        }
        if !path.is_empty() {
            out.push(Import { path, name, line });
        }
    }
}

/// The imports of a file, and every other path it writes.
fn imports_and_paths(tokens: &[(usize, Token)]) -> (Vec<Import>, Vec<PathUse>) {
    let mut imports = Vec::new();
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (line, _) = tokens[i];
        if ident(tokens, i) == Some("use") {
            i += 1;
            use_tree(tokens, &mut i, &[], &mut imports);
            continue;
        }
        if ident(tokens, i) == Some("extern") && ident(tokens, i + 1) == Some("crate") {
            if let Some(name) = ident(tokens, i + 2) {
                let alias = if ident(tokens, i + 3) == Some("as") {
                    ident(tokens, i + 4)
                } else {
                    Some(name)
                };
                imports.push(Import {
                    path: vec![name.to_owned()],
                    name: alias.map(str::to_owned),
                    line,
                });
            }
            i += 3;
            continue;
        }
        let leading = is(tokens, i, &Token::PathSep);
        let start = if leading { i + 1 } else { i };
        if ident(tokens, start).is_some() {
            let mut segments = Vec::new();
            let mut j = start;
            while let Some(name) = ident(tokens, j) {
                segments.push(name.to_owned());
                if is(tokens, j + 1, &Token::PathSep) && ident(tokens, j + 2).is_some() {
                    j += 2;
                } else {
                    j += 1;
                    break;
                }
            }
            paths.push(PathUse { segments, line });
            i = j;
        } else {
            i += 1;
        }
    }
    (imports, paths)
}

/// What is wrong with a path (already resolved through the imports), if anything.
fn judge(path: &[String]) -> Option<String> {
    let first = path.first()?.as_str();
    if FORBIDDEN_CRATES.contains(&first) {
        return Some(format!("uses `{first}`"));
    }
    if FILE_SYSTEM_CRATES.contains(&first) {
        return Some(format!("uses the file-system crate `{first}`"));
    }
    let std_fs = matches!(first, "std" | "core" | "alloc") && path.iter().any(|s| s == "fs");
    if std_fs || first == "fs" {
        return Some("touches the file system".to_owned());
    }
    if let Some(name) = path
        .iter()
        .find(|s| FILE_SYSTEM_NAMES.contains(&s.as_str()))
    {
        return Some(format!("touches the file system (`{name}`)"));
    }
    if let Some(at) = path.iter().position(|s| s == "File")
        && path
            .get(at + 1)
            .is_some_and(|s| FILE_CONSTRUCTORS.contains(&s.as_str()))
    {
        return Some("opens a file".to_owned());
    }
    None
}

/// Every use of the UI, an async runtime or the file system in one Rust source file, as
/// `line: what`.
fn violations(source: &str) -> Vec<String> {
    let tokens = tokenize(&strip(source));
    let (imports, paths) = imports_and_paths(&tokens);
    let mut found = Vec::new();
    let mut names: BTreeMap<&str, &[String]> = BTreeMap::new();
    for import in &imports {
        if let Some(why) = judge(&import.path) {
            found.push((
                import.line,
                format!("`use {}` {why}", import.path.join("::")),
            ));
        }
        if let Some(name) = &import.name {
            names.insert(name, &import.path);
        }
    }
    for path in &paths {
        // A single bare word is a local name unless it only exists to touch the disk.
        let resolved: Vec<String> = match names.get(path.segments[0].as_str()) {
            Some(full) if path.segments.len() > 1 => {
                full.iter().chain(&path.segments[1..]).cloned().collect()
            }
            _ => path.segments.clone(),
        };
        let bare = path.segments.len() == 1;
        let verdict = if bare {
            let word = &path.segments[0];
            FILE_SYSTEM_NAMES
                .contains(&word.as_str())
                .then(|| "touches the file system".to_owned())
        } else {
            judge(&resolved)
        };
        if let Some(why) = verdict {
            found.push((path.line, format!("`{}` {why}", resolved.join("::"))));
        }
    }
    found.sort();
    found.dedup();
    found
        .into_iter()
        .map(|(line, why)| format!("{line}: {why}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The rule

/// Every `.rs` file under `dir`, recursively, sorted; none when `dir` does not exist.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn the_pure_layers_use_no_ui_no_async_runtime_and_no_file_system() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    let mut scanned = 0;
    for layer in ["src/model", "src/sim", "src/schema", "src/export"] {
        for file in rust_files(&root.join(layer)) {
            let source = std::fs::read_to_string(&file).expect("a readable source file");
            scanned += 1;
            let shown = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            problems.extend(
                violations(&source)
                    .into_iter()
                    .map(|v| format!("{shown}:{v}")),
            );
        }
    }
    assert!(
        scanned >= 5,
        "scanned only {scanned} files: is src/model there?"
    );
    assert!(
        problems.is_empty(),
        "the model, simulation, schemas and export writers must stay free of UI, async and \
         file-system code:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_walk_finds_nested_files_and_tolerates_a_missing_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = rust_files(&root.join("src/model"));
    for expected in ["mod.rs", "types.rs", "validate.rs", "format.rs"] {
        assert!(
            model.iter().any(|f| f.ends_with(expected)),
            "{expected} in {model:?}"
        );
    }
    assert!(rust_files(&root.join("src/no-such-layer")).is_empty());

    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir_all(dir.path().join("a/b")).expect("created");
    std::fs::write(dir.path().join("a/b/deep.rs"), "").expect("written");
    std::fs::write(dir.path().join("top.rs"), "").expect("written");
    std::fs::write(dir.path().join("notes.txt"), "").expect("written");
    let found = rust_files(dir.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|f| f.ends_with("a/b/deep.rs")));
}

// ---------------------------------------------------------------------------------------------
// The scanner catches every spelling …

#[track_caller]
fn assert_caught(source: &str, words: &[&str]) {
    let found = violations(source);
    assert!(!found.is_empty(), "nothing caught in:\n{source}");
    let all = found.join("\n");
    for word in words {
        assert!(
            all.contains(word),
            "{word:?} not in {found:#?} for:\n{source}"
        );
    }
}

#[track_caller]
fn assert_clean(source: &str) {
    let found = violations(source);
    assert!(found.is_empty(), "{found:#?} in:\n{source}");
}

#[test]
fn catches_use_std_fs() {
    assert_caught(
        "use std::fs;\n",
        &["1: `use std::fs` touches the file system"],
    );
    assert_caught("pub(crate) use ::std::fs::read;", &["`use std::fs::read`"]);
    assert_caught("use std :: fs ;", &["`use std::fs`"]);
    assert_caught("use std::fs::*;", &["`use std::fs`"]);
}

#[test]
fn catches_fs_inside_a_use_group() {
    assert_caught(
        "use std::{io, fs};",
        &["1: `use std::fs` touches the file system"],
    );
    // Reported on the line that names `fs`.
    assert_caught(
        "use std::{\n    io::Read,\n    fs,\n};\n",
        &["3: `use std::fs`"],
    );
    assert_caught(
        "use std::{io, fs::{self, File}};",
        &["`use std::fs`", "`use std::fs::File`"],
    );
    assert_caught(
        "use std::{io::{self, Read}, fs::{read, write as put}};",
        &["`use std::fs::read`", "`use std::fs::write`"],
    );
}

#[test]
fn catches_fs_under_another_name() {
    assert_caught(
        "use std::{fs as filesystem};\nfn f() { filesystem::read(p); }",
        &["1: `use std::fs`", "2: `std::fs::read`"],
    );
    assert_caught("use std::fs as f;", &["1: `use std::fs`"]);
    // The renamed module used later is caught at its use too.
    let found = violations("use std::{io, fs as disk};\n\nfn f() { let _ = disk::read(\"x\"); }\n");
    assert!(
        found.contains(&"3: `std::fs::read` touches the file system".to_owned()),
        "{found:#?}"
    );
    // A renamed std reaches fs all the same.
    let found = violations("use std as s;\nfn f() { s::fs::write(\"x\", \"y\"); }\n");
    assert!(
        found.contains(&"2: `std::fs::write` touches the file system".to_owned()),
        "{found:#?}"
    );
}

#[test]
fn catches_fs_paths_written_in_code() {
    assert_caught(
        "fn f() { let t = std::fs::read(\"m.ron\"); }",
        &["1: `std::fs::read` touches the file system"],
    );
    assert_caught(
        "fn f() { ::std::fs::read_to_string(p) }",
        &["`std::fs::read_to_string`"],
    );
    assert_caught(
        "fn f() { fs::write(p, text) }",
        &["`fs::write` touches the file system"],
    );
    assert_caught(
        "fn f() { std::os::unix::fs::symlink(a, b) }",
        &["`std::os::unix::fs::symlink`"],
    );
    assert_caught(
        "fn f() -> Vec<u8> {\n    std::fs::read(p)\n}",
        &["2: `std::fs::read`"],
    );
}

#[test]
fn catches_opening_files() {
    assert_caught(
        "fn f() { File::open(\"x\") }",
        &["`File::open` opens a file"],
    );
    assert_caught(
        "fn f() { File::create(p) }",
        &["`File::create` opens a file"],
    );
    // Imported `File`: both the import and the call.
    let found = violations("use std::fs::File;\nfn f() { File::options(); }\n");
    assert!(
        found
            .iter()
            .any(|v| v.starts_with("1: `use std::fs::File`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|v| v.starts_with("2: `std::fs::File::options`")),
        "{found:#?}"
    );
    assert_caught(
        "fn f() { OpenOptions::new().read(true) }",
        &["`OpenOptions::new` touches the file system (`OpenOptions`)"],
    );
    assert_caught(
        "fn f() { std::fs::OpenOptions::new() }",
        &["`std::fs::OpenOptions::new`"],
    );
}

#[test]
fn catches_reading_directories_and_other_disk_calls() {
    assert_caught(
        "fn f(p: &Path) { p.read_dir() }",
        &["1: `read_dir` touches the file system"],
    );
    assert_caught("fn f(p: &Path) { p.canonicalize() }", &["`canonicalize`"]);
    assert_caught("fn f() { for e in read_dir(d) {} }", &["`read_dir`"]);
    assert_caught(
        "fn f() { tempfile::tempdir() }",
        &["file-system crate `tempfile`"],
    );
}

#[test]
fn catches_the_ui_and_async_crates() {
    assert_caught("use egui::Ui;", &["1: `use egui::Ui` uses `egui`"]);
    assert_caught("use eframe::egui;", &["`use eframe::egui` uses `eframe`"]);
    assert_caught("fn show(ui: &mut egui::Ui) {}", &["`egui::Ui` uses `egui`"]);
    assert_caught(
        "fn pick() { rfd::FileDialog::new().pick_file(); }",
        &["uses `rfd`"],
    );
    assert_caught(
        "#[tokio::main]\nasync fn main() {}",
        &["1: `tokio::main` uses `tokio`"],
    );
    assert_caught("extern crate tokio;", &["`use tokio` uses `tokio`"]);
    assert_caught(
        "use ::tokio as rt;\nfn f() { rt::spawn(x); }",
        &["2: `tokio::spawn`"],
    );
    assert_caught("use {eframe as ef};", &["`eframe`"]);
    // Through a renamed UI crate.
    let found = violations("use eframe as ui;\nfn f(x: ui::egui::Context) {}\n");
    assert!(
        found
            .iter()
            .any(|v| v.starts_with("2: `eframe::egui::Context`")),
        "{found:#?}"
    );
}

#[test]
fn catches_raw_identifiers() {
    assert_caught("use std::r#fs;", &["`use std::fs`"]);
}

// ---------------------------------------------------------------------------------------------
// … and ignores mentions in comments and literals

#[test]
fn ignores_comments() {
    assert_clean(
        "//! Nothing here uses egui or eframe, or std::fs::read.\n\
         /// Unlike `use std::fs;`, this reads text handed in.\n\
         // tokio::spawn(x); File::open(p); p.read_dir()\n\
         /* use egui::Ui; /* nested: std::fs::write */ still a comment: rfd::FileDialog */\n\
         fn load(text: &str) {}\n",
    );
}

#[test]
fn ignores_string_and_char_literals() {
    assert_clean(
        r####"
fn messages() -> Vec<&'static str> {
    let quote = '"';
    let escaped = '\'';
    let other = '\u{1F600}';
    vec![
        "use std::fs;",
        "egui::Ui and File::open(\"x\") and \" fs::write",
        r"std::fs::read",
        r#"a "quoted" tokio::main"#,
        r##"OpenOptions "# read_dir"##,
        b"fs::write",
        br"rfd::FileDialog",
    ]
}
"####,
    );
}

#[test]
fn lifetimes_and_labels_do_not_hide_code_that_follows() {
    // A lifetime is not a character literal: the path after it is still seen.
    assert_caught(
        "fn f<'a>(x: &'a str) -> &'a str { 'outer: loop { std::fs::read(x); } }",
        &["`std::fs::read`"],
    );
    // After a char literal holding a quote, scanning continues normally.
    assert_caught(
        "fn f() { let q = '\"'; egui::Ui::new(); }",
        &["`egui::Ui::new`"],
    );
}

#[test]
fn ignores_lookalike_names() {
    assert_clean(
        "use std::io::{self, Read, Write};\n\
         use crate::model::profile::Profile;\n\
         struct Fields { fsync: bool, files: Vec<String>, eguide: u8, rfds: u8, tokio_like: u8 }\n\
         fn f(fs: u32, file: &str) -> u32 { let egui = 1; fs + egui }\n\
         fn g() { let f = Field::new(); let file = FileName::open(); Filed::create(); }\n\
         fn h(text: &str) { std::io::read_to_string(text.as_bytes()); }\n",
    );
}

#[test]
fn reports_the_line_of_each_problem() {
    let source = "//! egui is not used here\n\
                  use std::collections::BTreeMap;\n\
                  \n\
                  fn a() {\n\
                  \x20   let s = \"std::fs\";\n\
                  \x20   std::fs::remove_file(s);\n\
                  }\n\
                  fn b(ui: &mut egui::Ui) {}\n";
    assert_eq!(
        violations(source),
        [
            "6: `std::fs::remove_file` touches the file system",
            "8: `egui::Ui` uses `egui`",
        ]
    );
}

#[test]
fn strip_keeps_line_breaks_and_code() {
    let stripped = strip("let a = \"x\ny\"; // c\n/* d\ne */ b");
    assert_eq!(stripped.lines().count(), 4);
    assert!(stripped.starts_with("let a = "));
    assert!(stripped.ends_with(" b"));
    assert!(!stripped.contains('x') && !stripped.contains('c') && !stripped.contains('d'));
}
