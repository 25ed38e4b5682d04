//! The optional, bounded per-message trace (`--trace FILE`, the studio's timeline).

use serde::Serialize;

use super::time::Nanos;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    /// A producer created it.
    Produced,
    /// A partition leader appended it.
    Appended,
    /// A group processed it successfully.
    Processed,
    /// An attempt failed.
    Failed,
    /// It will be attempted again.
    Retried,
    /// It went to the dead-letter topic.
    DeadLettered,
    /// It was deleted before a group read it.
    Lost,
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
