//! The architecture model: the elements a user draws and configures, the file format that
//! stores them, and the validation that says what is wrong with them.
//!
//! Nothing here touches the file system or the UI: callers hand in text and get back models,
//! text and diagnostics.

pub mod avro;
pub mod describe;
pub mod format;
pub mod locate;
pub mod partitioner;
pub mod types;
pub mod validate;

pub use avro::{AvroDefault, AvroType, EnumType, FixedType, RecordType};
pub use format::{LoadError, load, load_bytes, save};
pub use locate::{Locator, TextPosition, locate};
pub use types::*;
pub use validate::{Diagnostic, Severity, validate};

/// The topics an orchestrated saga's orchestrator reads: those that carry its trigger (other
/// than dead-letter topics: a dead-lettered trigger starts nothing), then its reply topic;
/// `None` for a choreographed saga (it has no orchestrator).
pub fn orchestrator_topics(model: &Model, saga: &Saga) -> Option<Vec<String>> {
    let Coordination::Orchestrated { reply_topic, .. } = &saga.coordination else {
        return None;
    };
    let mut topics: Vec<String> = model
        .topics
        .iter()
        .filter(|t| t.event_types.contains(&saga.trigger))
        .filter(|t| {
            !model
                .consumer_groups
                .iter()
                .any(|g| g.dead_letter_topic.as_ref() == Some(&t.id))
        })
        .map(|t| t.id.clone())
        .collect();
    if !topics.contains(reply_topic) {
        topics.push(reply_topic.clone());
    }
    Some(topics)
}

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
