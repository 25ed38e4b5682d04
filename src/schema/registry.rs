//! Schema-registry semantics (Confluent's): subjects named by the three naming strategies, the
//! seven compatibility levels, and the checks a registry makes when a new version arrives.
//!
//! - BACKWARD: the new schema can read data written with the latest earlier version;
//!   FORWARD: the latest earlier version can read data written with the new one; FULL: both.
//! - The non-transitive levels compare with the latest earlier version only, the
//!   `*_TRANSITIVE` ones with every earlier version; NONE checks nothing.
//! - Value subjects: `<topic>-value` (topic name strategy), `<record full name>` (record name),
//!   `<topic>-<record full name>` (topic-record name). Key subjects: `<topic>-key`, for topics
//!   that producers write keyed records to (keys are UTF-8 strings, so the schema is
//!   `"string"`), at the registry's default level, BACKWARD.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::avro::{SchemaError, event_schemas};
use super::compat::{Incompatibility, ParsedSchema, Problem, can_read};
use crate::model::{Compatibility, KeyDistribution, Model, SubjectStrategy};

/// The registry's name of a level (`BACKWARD_TRANSITIVE`).
pub fn level_name(level: Compatibility) -> &'static str {
    match level {
        Compatibility::None => "NONE",
        Compatibility::Backward => "BACKWARD",
        Compatibility::BackwardTransitive => "BACKWARD_TRANSITIVE",
        Compatibility::Forward => "FORWARD",
        Compatibility::ForwardTransitive => "FORWARD_TRANSITIVE",
        Compatibility::Full => "FULL",
        Compatibility::FullTransitive => "FULL_TRANSITIVE",
    }
}

/// Parses a level as the registry spells it (case-insensitive; `-` may stand for `_`).
pub fn parse_level(text: &str) -> Option<Compatibility> {
    let normal = text.trim().to_ascii_uppercase().replace('-', "_");
    [
        Compatibility::None,
        Compatibility::Backward,
        Compatibility::BackwardTransitive,
        Compatibility::Forward,
        Compatibility::ForwardTransitive,
        Compatibility::Full,
        Compatibility::FullTransitive,
    ]
    .into_iter()
    .find(|&l| level_name(l) == normal)
}

/// A version that the level forbids, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelViolation {
    /// The earlier version it was checked against, as an index into the earlier versions.
    pub against: usize,
    /// Whether the new schema failed to read the earlier data (backward) or the earlier
    /// schema failed to read the new data (forward).
    pub direction: Direction,
    /// The reasons.
    pub reasons: Vec<Incompatibility>,
}

/// Which way a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The new schema reads data written with the earlier one.
    NewReadsOld,
    /// The earlier schema reads data written with the new one.
    OldReadsNew,
}

/// Checks a new schema against the earlier versions of its subject (oldest first) under a
/// compatibility level; empty when the registry would accept it.
pub fn check_level(
    level: Compatibility,
    new: &ParsedSchema,
    earlier: &[ParsedSchema],
) -> Vec<LevelViolation> {
    let (backward, forward, transitive) = match level {
        Compatibility::None => return Vec::new(),
        Compatibility::Backward => (true, false, false),
        Compatibility::BackwardTransitive => (true, false, true),
        Compatibility::Forward => (false, true, false),
        Compatibility::ForwardTransitive => (false, true, true),
        Compatibility::Full => (true, true, false),
        Compatibility::FullTransitive => (true, true, true),
    };
    let first = if transitive {
        0
    } else {
        earlier.len().saturating_sub(1)
    };
    let mut out = Vec::new();
    for (i, old) in earlier.iter().enumerate().skip(first) {
        if backward {
            let reasons = can_read(old, new);
            if !reasons.is_empty() {
                out.push(LevelViolation {
                    against: i,
                    direction: Direction::NewReadsOld,
                    reasons,
                });
            }
        }
        if forward {
            let reasons = can_read(new, old);
            if !reasons.is_empty() {
                out.push(LevelViolation {
                    against: i,
                    direction: Direction::OldReadsNew,
                    reasons,
                });
            }
        }
    }
    out
}

/// Describes a violation in words, with the names of the two versions (`v2`, `NEW.avsc`).
pub fn describe_violation(violation: &LevelViolation, new: &str, old: &str) -> Vec<String> {
    let (reader, writer) = match violation.direction {
        Direction::NewReadsOld => (new, old),
        Direction::OldReadsNew => (old, new),
    };
    let consequence = format!("consumers on {reader} cannot read {writer} records");
    violation
        .reasons
        .iter()
        .map(|r| match (r.problem, violation.direction) {
            (Problem::FieldWithoutDefault, Direction::NewReadsOld) => {
                format!("field `{}` added without a default: {consequence}", r.path)
            }
            (Problem::FieldWithoutDefault, Direction::OldReadsNew) => format!(
                "field `{}` removed, and {reader} has no default for it: {consequence}",
                r.path
            ),
            (Problem::Mismatch, _) => format!("{r}; {consequence}"),
        })
        .collect()
}

/// One version of a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectVersion {
    /// Where the schema comes from (`OrderPlaced v2`, or `key` for key subjects).
    pub source: String,
    /// The schema.
    pub json: Value,
}

/// A registry subject and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The subject name.
    pub name: String,
    /// Its compatibility level.
    pub level: Compatibility,
    /// Its versions, oldest first.
    pub versions: Vec<SubjectVersion>,
}

/// Every subject a model's topics give a registry, in a stable order (by name). Event types
/// no topic carries get a subject under the record name strategy, so their histories are
/// checked too.
pub fn subjects(model: &Model) -> Result<Vec<Subject>, SchemaError> {
    let mut schemas = BTreeMap::new();
    for event in &model.event_types {
        let versions: Vec<SubjectVersion> = event_schemas(event)?
            .into_iter()
            .map(|s| SubjectVersion {
                source: format!("{} v{}", s.event_type, s.version),
                json: s.json,
            })
            .collect();
        schemas.insert(event.id.as_str(), (event, versions));
    }
    let mut out: BTreeMap<String, Subject> = BTreeMap::new();
    let mut carried = std::collections::BTreeSet::new();
    for topic in &model.topics {
        let mut topic_subject: Option<Subject> = None;
        for id in &topic.event_types {
            let Some((event, versions)) = schemas.get(id.as_str()) else {
                continue;
            };
            carried.insert(id.as_str());
            match topic.subject_strategy {
                SubjectStrategy::TopicName => {
                    // Every event type on the topic lands in one history, in the order the
                    // topic lists them (validation warns that this fails schema checks).
                    let subject = topic_subject.get_or_insert_with(|| Subject {
                        name: format!("{}-value", topic.id),
                        level: event.compatibility,
                        versions: Vec::new(),
                    });
                    subject.versions.extend(versions.iter().cloned());
                }
                SubjectStrategy::RecordName => {
                    let name = event.full_name();
                    out.entry(name.clone()).or_insert_with(|| Subject {
                        name,
                        level: event.compatibility,
                        versions: versions.clone(),
                    });
                }
                SubjectStrategy::TopicRecordName => {
                    let name = format!("{}-{}", topic.id, event.full_name());
                    out.insert(
                        name.clone(),
                        Subject {
                            name,
                            level: event.compatibility,
                            versions: versions.clone(),
                        },
                    );
                }
            }
        }
        if let Some(subject) = topic_subject {
            out.insert(subject.name.clone(), subject);
        }
        let keyed = model
            .producers
            .iter()
            .any(|p| p.topics.contains(&topic.id) && !matches!(p.keys, KeyDistribution::Null));
        if keyed {
            let name = format!("{}-key", topic.id);
            out.insert(
                name.clone(),
                Subject {
                    name,
                    level: Compatibility::default(),
                    versions: vec![SubjectVersion {
                        source: "key".to_owned(),
                        json: json!("string"),
                    }],
                },
            );
        }
    }
    for (id, (event, versions)) in &schemas {
        if !carried.contains(id) {
            let name = event.full_name();
            out.entry(name.clone()).or_insert_with(|| Subject {
                name,
                level: event.compatibility,
                versions: versions.clone(),
            });
        }
    }
    Ok(out.into_values().collect())
}

/// Checks every version of a subject against its earlier versions under the subject's level,
/// and returns each violation in words.
pub fn check_history(subject: &Subject) -> Result<Vec<String>, SchemaError> {
    let parsed = parse_versions(subject)?;
    let mut out = Vec::new();
    for k in 1..parsed.len() {
        for violation in check_level(subject.level, &parsed[k], &parsed[..k]) {
            let new = version_label(subject, k);
            let old = version_label(subject, violation.against);
            for line in describe_violation(&violation, &new, &old) {
                out.push(format!(
                    "subject `{}` ({}): {line}",
                    subject.name,
                    level_name(subject.level)
                ));
            }
        }
    }
    Ok(out)
}

/// Checks that the latest version of each subject of a new model may follow the versions the
/// same subject had in an old model (a subject whose latest schema did not change passes), and
/// that the old model's versions are still there, unchanged: a registry keeps what was
/// registered, so editing or dropping a published version does not change what consumers see.
pub fn check_against(new: &[Subject], old: &[Subject]) -> Result<Vec<String>, SchemaError> {
    let mut out = Vec::new();
    for subject in new {
        let Some(before) = old.iter().find(|s| s.name == subject.name) else {
            continue;
        };
        for (i, was) in before.versions.iter().enumerate() {
            match subject.versions.get(i) {
                Some(now) if now.json != was.json => out.push(format!(
                    "subject `{}`: version {} ({}) was changed since the old model; a registry \
                     keeps the version it registered, so add a new version instead",
                    subject.name,
                    i + 1,
                    was.source
                )),
                None => out.push(format!(
                    "subject `{}`: version {} ({}) of the old model is gone; a registry keeps \
                     it, so the history cannot shrink",
                    subject.name,
                    i + 1,
                    was.source
                )),
                Some(_) => {}
            }
        }
        let (Some(latest), Some(previous)) = (subject.versions.last(), before.versions.last())
        else {
            continue;
        };
        if latest.json == previous.json {
            continue;
        }
        let earlier = parse_versions(before)?;
        let latest_parsed = ParsedSchema::from_json(&latest.json)
            .map_err(|e| SchemaError(format!("{}: {e}", latest.source)))?;
        for violation in check_level(subject.level, &latest_parsed, &earlier) {
            let new_label = format!("{} (new model)", latest.source);
            let old_label = before
                .versions
                .get(violation.against)
                .map_or_else(String::new, |v| format!("{} (old model)", v.source));
            for line in describe_violation(&violation, &new_label, &old_label) {
                out.push(format!(
                    "subject `{}` ({}): {line}",
                    subject.name,
                    level_name(subject.level)
                ));
            }
        }
    }
    Ok(out)
}

fn parse_versions(subject: &Subject) -> Result<Vec<ParsedSchema>, SchemaError> {
    subject
        .versions
        .iter()
        .map(|v| {
            ParsedSchema::from_json(&v.json)
                .map_err(|e| SchemaError(format!("subject `{}`, {}: {e}", subject.name, v.source)))
        })
        .collect()
}

fn version_label(subject: &Subject, index: usize) -> String {
    subject
        .versions
        .get(index)
        .map_or_else(|| format!("version {}", index + 1), |v| v.source.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &str) -> ParsedSchema {
        ParsedSchema::parse_str(&format!(
            r#"{{"type": "record", "name": "R", "fields": [{fields}]}}"#
        ))
        .expect("valid")
    }

    /// v1 has `x: string`; v2 drops it; v3 brings `x` back as an int with a default. v3 reads
    /// v2 (the default fills `x`) but not v1 (a string is not an int).
    fn back_history() -> Vec<ParsedSchema> {
        vec![
            record(r#"{"name": "x", "type": "string"}"#),
            record(""),
            record(r#"{"name": "x", "type": "int", "default": 0}"#),
        ]
    }

    /// v1 has `x: string`; v2 gives it a default; v3 drops it. v2 reads v3 (default) but v1
    /// does not (no default).
    fn forward_history() -> Vec<ParsedSchema> {
        vec![
            record(r#"{"name": "x", "type": "string"}"#),
            record(r#"{"name": "x", "type": "string", "default": ""}"#),
            record(""),
        ]
    }

    fn verdict(level: Compatibility, history: &[ParsedSchema]) -> Vec<(usize, Direction)> {
        let (new, earlier) = history.split_last().expect("a history");
        check_level(level, new, earlier)
            .into_iter()
            .map(|v| (v.against, v.direction))
            .collect()
    }

    #[test]
    fn backward_checks_the_latest_only_and_backward_transitive_all() {
        let h = back_history();
        assert_eq!(verdict(Compatibility::Backward, &h), vec![]);
        assert_eq!(
            verdict(Compatibility::BackwardTransitive, &h),
            vec![(0, Direction::NewReadsOld)]
        );
        // FULL also reads v3 data with v2: v2 has no `x`, which is fine.
        assert_eq!(verdict(Compatibility::Full, &h), vec![]);
        assert_eq!(verdict(Compatibility::None, &h), vec![]);
    }

    #[test]
    fn forward_checks_the_latest_only_and_forward_transitive_all() {
        let h = forward_history();
        assert_eq!(verdict(Compatibility::Forward, &h), vec![]);
        assert_eq!(
            verdict(Compatibility::ForwardTransitive, &h),
            vec![(0, Direction::OldReadsNew)]
        );
        // Backward holds too (v3 has no fields to miss), so FULL passes and FULL_TRANSITIVE
        // fails only forward against v1.
        assert_eq!(verdict(Compatibility::Full, &h), vec![]);
        assert_eq!(
            verdict(Compatibility::FullTransitive, &h),
            vec![(0, Direction::OldReadsNew)]
        );
        assert_eq!(
            verdict(Compatibility::FullTransitive, &back_history()),
            // v1 cannot read v3 either: its `x` is a string and v3 writes an int.
            vec![(0, Direction::NewReadsOld), (0, Direction::OldReadsNew)]
        );
    }

    #[test]
    fn full_checks_both_directions() {
        // v2 adds a field without a default: v1 readers skip it (forward holds), v2 readers
        // cannot fill it from v1 data (backward fails).
        let h = vec![
            record(r#"{"name": "a", "type": "int"}"#),
            record(r#"{"name": "a", "type": "int"}, {"name": "b", "type": "int"}"#),
        ];
        assert_eq!(verdict(Compatibility::Forward, &h), vec![]);
        assert_eq!(
            verdict(Compatibility::Full, &h),
            vec![(0, Direction::NewReadsOld)]
        );
    }

    #[test]
    fn violations_are_told_with_version_names() {
        let h = back_history();
        let violations = check_level(Compatibility::BackwardTransitive, &h[2], &h[..2]);
        assert_eq!(
            describe_violation(&violations[0], "v3", "v1"),
            vec![
                "field `x`: the writer's string cannot be read as int; consumers on v3 cannot \
                 read v1 records"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn against_an_old_model_a_published_version_may_not_change() {
        let old = subjects(&crate::model::load(MODEL).expect("loads")).expect("derives");
        let edited = MODEL.replace(
            r#"(id: "Audit", versions: [(fields: [(name: "id", type: String)])]),"#,
            r#"(id: "Audit", versions: [(fields: [(name: "id", type: String), (name: "n", type: Int, default: Int(0))])]),"#,
        );
        let new = subjects(&crate::model::load(&edited).expect("loads")).expect("derives");
        assert_eq!(
            check_against(&new, &old).expect("parses"),
            vec![
                "subject `audit-Audit`: version 1 (Audit v1) was changed since the old model; a \
                 registry keeps the version it registered, so add a new version instead"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn missing_fields_are_told_as_added_or_removed_by_direction() {
        let v1 = record(r#"{"name": "legacy", "type": "int"}"#);
        let v2 = record(r#"{"name": "currency", "type": "string"}"#);
        let lines: Vec<String> = check_level(Compatibility::Full, &v2, std::slice::from_ref(&v1))
            .iter()
            .flat_map(|v| describe_violation(v, "v2", "v1"))
            .collect();
        assert_eq!(
            lines,
            vec![
                "field `currency` added without a default: consumers on v2 cannot read v1 records"
                    .to_owned(),
                "field `legacy` removed, and v1 has no default for it: consumers on v1 cannot \
                 read v2 records"
                    .to_owned(),
            ]
        );
    }

    #[test]
    fn levels_parse_as_the_registry_spells_them() {
        assert_eq!(
            parse_level("BACKWARD_TRANSITIVE"),
            Some(Compatibility::BackwardTransitive)
        );
        assert_eq!(
            parse_level("full-transitive"),
            Some(Compatibility::FullTransitive)
        );
        assert_eq!(parse_level("none"), Some(Compatibility::None));
        assert_eq!(parse_level("SIDEWAYS"), None);
    }

    const MODEL: &str = r#"(
        format: 1,
        name: "subjects",
        event_types: [
            (id: "OrderPlaced", namespace: "com.shop", versions: [
                (fields: [(name: "id", type: String)]),
                (fields: [(name: "id", type: String), (name: "currency", type: String)]),
            ]),
            (id: "OrderShipped", namespace: "com.shop", compatibility: Forward,
                versions: [(fields: [(name: "id", type: String)])]),
            (id: "Audit", versions: [(fields: [(name: "id", type: String)])]),
            (id: "Unused", versions: [(fields: [(name: "id", type: String)])]),
        ],
        topics: [
            (id: "orders", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
                event_types: ["OrderPlaced"]),
            (id: "shipments", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
                event_types: ["OrderShipped"], subject_strategy: RecordName),
            (id: "audit", partitions: 1, replication_factor: 1, min_insync_replicas: 1,
                event_types: ["Audit"], subject_strategy: TopicRecordName),
        ],
        producers: [(id: "checkout", topics: ["orders"], event_types: ["OrderPlaced"],
            rate: Poisson(per_second: 1.0), keys: Uniform(keys: 10),
            record_size: Constant(bytes: 100))],
    )"#;

    #[test]
    fn subjects_follow_the_naming_strategies_and_keyed_topics_get_key_subjects() {
        let model = crate::model::load(MODEL).expect("loads");
        let subjects = subjects(&model).expect("derives");
        let names: Vec<(&str, Compatibility, usize)> = subjects
            .iter()
            .map(|s| (s.name.as_str(), s.level, s.versions.len()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Unused", Compatibility::Backward, 1),
                ("audit-Audit", Compatibility::Backward, 1),
                ("com.shop.OrderShipped", Compatibility::Forward, 1),
                ("orders-key", Compatibility::Backward, 1),
                ("orders-value", Compatibility::Backward, 2),
            ]
        );
        assert_eq!(subjects[3].versions[0].json, json!("string"));
    }

    #[test]
    fn a_history_check_names_subject_level_versions_and_field() {
        let model = crate::model::load(MODEL).expect("loads");
        let subjects = subjects(&model).expect("derives");
        let orders = subjects
            .iter()
            .find(|s| s.name == "orders-value")
            .expect("orders-value");
        assert_eq!(
            check_history(orders).expect("parses"),
            vec![
                "subject `orders-value` (BACKWARD): field `currency` added without a default: \
                 consumers on OrderPlaced v2 cannot read OrderPlaced v1 records"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn against_an_old_model_only_changed_latest_versions_are_checked() {
        let old = subjects(&crate::model::load(MODEL).expect("loads")).expect("derives");
        assert_eq!(
            check_against(&old, &old).expect("parses"),
            Vec::<String>::new()
        );
        let changed = MODEL.replace(
            r#"(id: "Audit", versions: [(fields: [(name: "id", type: String)])]),"#,
            r#"(id: "Audit", versions: [(fields: [(name: "id", type: String)]), (fields: [(name: "id", type: Int)])]),"#,
        );
        let new = subjects(&crate::model::load(&changed).expect("loads")).expect("derives");
        // Going back from the changed model: a version is gone, and the latest (v1) is
        // checked against both versions the registry holds.
        assert_eq!(
            check_against(&old, &new).expect("parses"),
            vec![
                "subject `audit-Audit`: version 2 (Audit v2) of the old model is gone; a \
                 registry keeps it, so the history cannot shrink"
                    .to_owned(),
                "subject `audit-Audit` (BACKWARD): field `id`: the writer's int cannot be read \
                 as string; consumers on Audit v1 (new model) cannot read Audit v2 (old model) \
                 records"
                    .to_owned(),
            ]
        );
        assert_eq!(
            check_against(&new, &old).expect("parses"),
            vec![
                "subject `audit-Audit` (BACKWARD): field `id`: the writer's string cannot be read \
                 as int; consumers on Audit v2 (new model) cannot read Audit v1 (old model) \
                 records"
                    .to_owned()
            ]
        );
    }
}
