//! Reviewing an event type's schema history as a registry would, version by version: the
//! field changes since the version before, the registry's verdict under the type's
//! compatibility level (with the reasons when it refuses), and who reads the type — the
//! consumer groups and projections a refused version would break. The studio's event type
//! inspector shows exactly this; the rules live here so they have one home.

use std::fmt;

use crate::model::{EventType, Model, SchemaVersion};

use super::avro::{SchemaError, event_schemas};
use super::compat::ParsedSchema;
use super::registry::{check_level, describe_violation};

/// One field's change from a version to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChange {
    /// A field the earlier version lacks.
    Added {
        /// The field's name.
        field: String,
        /// Whether it has a default (so readers of the new version can read old records).
        with_default: bool,
    },
    /// A field whose Avro type changed.
    TypeChanged {
        /// The field's name.
        field: String,
    },
    /// A field of the same type whose default changed.
    DefaultChanged {
        /// The field's name.
        field: String,
    },
    /// A field the new version lacks.
    Removed {
        /// The field's name.
        field: String,
    },
}

impl FieldChange {
    /// The name of the field that changed.
    pub fn field(&self) -> &str {
        match self {
            Self::Added { field, .. }
            | Self::TypeChanged { field }
            | Self::DefaultChanged { field }
            | Self::Removed { field } => field,
        }
    }
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Added {
                field,
                with_default: true,
            } => write!(f, "+ `{field}` added (with a default)"),
            Self::Added {
                field,
                with_default: false,
            } => write!(f, "+ `{field}` added"),
            Self::TypeChanged { field } => write!(f, "~ `{field}` changed type"),
            Self::DefaultChanged { field } => write!(f, "~ `{field}` changed its default"),
            Self::Removed { field } => write!(f, "- `{field}` removed"),
        }
    }
}

/// The field changes from `old` to `new`: added, retyped and re-defaulted fields in the new
/// version's order, then removed fields in the old version's order. A field is matched by
/// name; a renamed field shows as one removed and one added.
pub fn field_changes(old: &SchemaVersion, new: &SchemaVersion) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for f in &new.fields {
        match old.fields.iter().find(|o| o.name == f.name) {
            None => out.push(FieldChange::Added {
                field: f.name.clone(),
                with_default: f.default.is_some(),
            }),
            Some(o) if o.ty != f.ty => out.push(FieldChange::TypeChanged {
                field: f.name.clone(),
            }),
            Some(o) if o.default != f.default => out.push(FieldChange::DefaultChanged {
                field: f.name.clone(),
            }),
            Some(_) => {}
        }
    }
    for o in &old.fields {
        if !new.fields.iter().any(|f| f.name == o.name) {
            out.push(FieldChange::Removed {
                field: o.name.clone(),
            });
        }
    }
    out
}

/// A registry's verdict on one version of an event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReview {
    /// The version, counted from 1 (the first reviewed is 2).
    pub version: usize,
    /// The field changes since the version before.
    pub changes: Vec<FieldChange>,
    /// Why a registry would refuse the version under the type's level, in words naming the
    /// versions (`v2`, `v1`); empty when it would accept it.
    pub reasons: Vec<String>,
}

impl VersionReview {
    /// Whether a registry would accept the version.
    pub fn accepted(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Reviews every version of `event` after the first under its compatibility level, oldest
/// first; an error when its schemas cannot be derived (validation says why).
pub fn review_versions(event: &EventType) -> Result<Vec<VersionReview>, SchemaError> {
    let schemas = event_schemas(event)?;
    let parsed: Vec<ParsedSchema> = schemas
        .iter()
        .map(|s| ParsedSchema::from_json(&s.json))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (v, pair) in (1..).zip(event.versions.windows(2)) {
        let (Some(new_schema), Some(earlier)) = (parsed.get(v), parsed.get(..v)) else {
            break;
        };
        let new = format!("v{}", v + 1);
        let reasons = check_level(event.compatibility, new_schema, earlier)
            .iter()
            .flat_map(|violation| {
                let old = format!("v{}", violation.against + 1);
                describe_violation(violation, &new, &old)
            })
            .collect();
        out.push(VersionReview {
            version: v + 1,
            changes: field_changes(&pair[0], &pair[1]),
            reasons,
        });
    }
    Ok(out)
}

/// Who reads the event type `event`: the consumer groups, then the projections, then the
/// orchestrated sagas' orchestrators, subscribed to a topic that carries it, in model order.
pub fn readers(model: &Model, event: &str) -> Vec<String> {
    let topics: Vec<&str> = model
        .topics
        .iter()
        .filter(|t| t.event_types.iter().any(|e| e == event))
        .map(|t| t.id.as_str())
        .collect();
    let reads = |subscribed: &[String]| subscribed.iter().any(|t| topics.contains(&t.as_str()));
    model
        .consumer_groups
        .iter()
        .filter(|g| reads(&g.topics))
        .map(|g| g.id.clone())
        .chain(
            model
                .projections
                .iter()
                .filter(|p| reads(&p.topics))
                .map(|p| p.id.clone()),
        )
        .chain(model.sagas.iter().filter_map(|s| {
            let topics = crate::model::orchestrator_topics(model, s)?;
            reads(&topics).then(|| s.id.clone())
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::{AvroDefault, AvroType, Compatibility, Field};

    fn field(name: &str, ty: AvroType, default: Option<AvroDefault>) -> Field {
        Field {
            name: name.to_owned(),
            ty,
            default,
            doc: String::new(),
            aliases: Vec::new(),
        }
    }

    fn version(fields: Vec<Field>) -> SchemaVersion {
        SchemaVersion {
            fields,
            ..SchemaVersion::default()
        }
    }

    fn order_pipeline() -> Model {
        crate::examples::default_model().expect("the default example loads")
    }

    #[test]
    fn field_changes_lists_added_retyped_redefaulted_then_removed_fields_in_words() {
        let old = version(vec![
            field("id", AvroType::String, None),
            field("count", AvroType::Int, None),
            field(
                "note",
                AvroType::String,
                Some(AvroDefault::String("a".into())),
            ),
            field("gone", AvroType::Boolean, None),
        ]);
        let new = version(vec![
            field("id", AvroType::String, None),
            field("count", AvroType::Long, None),
            field(
                "note",
                AvroType::String,
                Some(AvroDefault::String("b".into())),
            ),
            field("coupon", AvroType::String, None),
            field("tier", AvroType::Int, Some(AvroDefault::Int(0))),
        ]);
        let changes = field_changes(&old, &new);
        let words: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "~ `count` changed type",
                "~ `note` changed its default",
                "+ `coupon` added",
                "+ `tier` added (with a default)",
                "- `gone` removed",
            ]
        );
        assert_eq!(
            changes.iter().map(FieldChange::field).collect::<Vec<_>>(),
            ["count", "note", "coupon", "tier", "gone"]
        );
        assert!(field_changes(&old, &old).is_empty());
    }

    #[test]
    fn the_order_pipelines_currency_with_a_default_is_accepted_under_backward() {
        let model = order_pipeline();
        let event = &model.event_types[0];
        assert_eq!(event.id, "OrderPlaced");
        let reviews = review_versions(event).expect("the schemas derive");
        assert_eq!(
            reviews,
            [VersionReview {
                version: 2,
                changes: vec![FieldChange::Added {
                    field: "currency".into(),
                    with_default: true
                }],
                reasons: Vec::new(),
            }]
        );
        assert!(reviews[0].accepted());
    }

    #[test]
    fn a_field_added_without_a_default_is_refused_under_backward_with_the_reason() {
        let model = order_pipeline();
        let mut event = model.event_types[0].clone();
        event.compatibility = Compatibility::Backward;
        let mut v3 = event.versions.last().cloned().expect("a version");
        v3.fields.push(field("coupon", AvroType::String, None));
        event.versions.push(v3);
        let reviews = review_versions(&event).expect("the schemas derive");
        assert_eq!(reviews.len(), 2);
        let last = &reviews[1];
        assert_eq!(last.version, 3);
        assert_eq!(
            last.changes,
            [FieldChange::Added {
                field: "coupon".into(),
                with_default: false
            }]
        );
        assert_eq!(
            last.reasons,
            ["field `coupon` added without a default: consumers on v3 cannot read v2 records"]
        );
        assert!(!last.accepted());

        // Under NONE anything goes; with a default it is accepted under BACKWARD too.
        event.compatibility = Compatibility::None;
        assert!(review_versions(&event).expect("derive")[1].accepted());
        event.compatibility = Compatibility::Backward;
        if let Some(f) = event.versions.last_mut().and_then(|v| v.fields.last_mut()) {
            f.default = Some(AvroDefault::String("none".into()));
        }
        assert!(review_versions(&event).expect("derive")[1].accepted());
    }

    #[test]
    fn transitive_levels_check_against_every_earlier_version() {
        // v1 has `a`, v2 drops it (with nothing else), v3 adds it back without a default:
        // BACKWARD compares v3 with v2 only; BACKWARD_TRANSITIVE with v1 as well, where the
        // field exists, so only the v2 check fails either way — but FORWARD_TRANSITIVE sees
        // v1 readers unable to read v2 and v3 records that lack `a`.
        let mut event = order_pipeline().event_types[0].clone();
        event.versions = vec![
            version(vec![
                field("id", AvroType::String, None),
                field("a", AvroType::Int, None),
            ]),
            version(vec![field("id", AvroType::String, None)]),
            version(vec![field("id", AvroType::String, None)]),
        ];
        event.compatibility = Compatibility::Forward;
        let forward = review_versions(&event).expect("derive");
        assert_eq!(
            forward.iter().map(|r| r.reasons.len()).collect::<Vec<_>>(),
            [1, 0]
        );
        assert_eq!(
            forward[0].reasons,
            [
                "field `a` removed, and v1 has no default for it: consumers on v1 cannot read v2 \
              records"
            ]
        );
        event.compatibility = Compatibility::ForwardTransitive;
        let transitive = review_versions(&event).expect("derive");
        assert_eq!(
            transitive[1].reasons,
            [
                "field `a` removed, and v1 has no default for it: consumers on v1 cannot read v3 \
              records"
            ]
        );
    }

    #[test]
    fn readers_are_the_groups_then_the_projections_then_the_orchestrators_on_the_types_topics() {
        let model = order_pipeline();
        assert_eq!(
            readers(&model, "OrderPlaced"),
            ["shipping", "order-list", "order-saga"]
        );
        // The orchestrator also reads its replies; the participants their commands.
        assert_eq!(readers(&model, "PaymentFailed"), ["order-saga"]);
        assert_eq!(readers(&model, "ChargePayment"), ["payment"]);
        assert!(readers(&model, "NoSuchType").is_empty());
    }

    #[test]
    fn a_type_whose_schema_cannot_derive_is_an_error_not_a_panic() {
        let mut event = order_pipeline().event_types[0].clone();
        event.versions[0].fields[0].name = "not a name".into();
        assert!(review_versions(&event).is_err());
        event.versions.clear();
        assert_eq!(review_versions(&event).map(|r| r.len()).ok(), Some(0));
    }
}
