//! The architecture model: the elements a user draws and configures, the file format that
//! stores them, and the validation that says what is wrong with them.
//!
//! Nothing here touches the file system or the UI: callers hand in text and get back models,
//! text and diagnostics.

pub mod avro;
pub mod format;
pub mod locate;
pub mod partitioner;
pub mod types;
pub mod validate;

pub use avro::{AvroDefault, AvroType, EnumType, FixedType, RecordType};
pub use format::{LoadError, load, load_bytes, save};
pub use locate::{TextPosition, locate};
pub use types::*;
pub use validate::{Diagnostic, Severity, validate};

/// How many instances a projection runs when simulated: one per partition of the topics it
/// reads (at least one), so it keeps each partition's order and scales with the topics.
pub fn projection_instances(model: &Model, projection: &Projection) -> u32 {
    let partitions: u32 = projection
        .topics
        .iter()
        .filter_map(|t| model.topics.iter().find(|x| x.id == *t))
        .map(|t| t.partitions)
        .fold(0u32, u32::saturating_add);
    partitions.clamp(1, 1_000)
}
