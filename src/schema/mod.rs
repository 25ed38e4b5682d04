//! Event schemas: the Avro schema of each event type version ([`avro`]), reader/writer
//! compatibility by the Avro 1.12 resolution rules ([`compat`]), and a schema registry's
//! subjects and compatibility levels ([`registry`]), an event type's history reviewed version
//! by version as a registry would ([`review`]).
//!
//! Nothing here touches the file system: the CLI reads and writes files and hands text in.

pub mod avro;
pub mod compat;
pub mod registry;
pub mod review;

pub use avro::{
    EventSchema, SchemaError, canonical_form, event_schema, event_schemas, schema_text,
};
pub use compat::{Incompatibility, ParsedSchema, Problem, can_read};
pub use registry::{
    Direction, LevelViolation, Subject, SubjectVersion, check_against, check_history, check_level,
    level_name, parse_level, subjects,
};
pub use review::{FieldChange, VersionReview, field_changes, readers, review_versions};
