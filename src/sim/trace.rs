//! The optional, bounded per-message trace (`--trace FILE`, the studio's timeline).
//!
//! `Sim::trace_hash` covers the events that decide a run's outcome (produced, appended,
//! processed, failed, retried, dead-lettered, lost), kept or not. The trace adds, when it is
//! kept, the events that follow from those and the configuration — replicated, fetched,
//! committed — so that the hash costs nothing extra per record for them.

use serde::Serialize;

use super::time::Nanos;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    // The numbers go into `Sim::trace_hash`: never renumber a kind; a new one takes the next.
    /// A producer created it.
    Produced = 0,
    /// A partition leader appended it.
    Appended = 1,
    /// The high watermark passed it: every in-sync replica has it, consumers may read it.
    Replicated = 7,
    /// A group member took it to process (an attempt starts).
    Fetched = 8,
    /// A group processed it successfully.
    Processed = 2,
    /// An attempt failed.
    Failed = 3,
    /// It will be attempted again.
    Retried = 4,
    /// It went to the dead-letter topic.
    DeadLettered = 5,
    /// It was deleted before a group read it.
    Lost = 6,
    /// A group committed its offset past it (`offset` is the committed offset: the next one
    /// to read).
    Committed = 9,
}

/// One trace line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEvent {
    /// Virtual time, in nanoseconds.
    pub time_ns: Nanos,
    /// What happened.
    pub kind: TraceKind,
    /// The record id.
    pub record: u64,
    /// The record key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The topic.
    pub topic: String,
    /// The partition.
    pub partition: u32,
    /// The offset, once appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The consumer group, for consumer events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The member, for consumer events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<u16>,
    /// The attempt, for consumer events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u16>,
    /// The event type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// The id of the record that started the chain.
    pub correlation_id: u64,
    /// The id of the record that caused this one.
    pub causation_id: u64,
}
