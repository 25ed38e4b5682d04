//! The example models shipped with Causeway, compiled into the binary so `causeway new` and the
//! studio work from any directory.

/// One example model.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The name used on the command line (`causeway new shop --from order-pipeline`).
    pub name: &'static str,
    /// A one-line summary.
    pub summary: &'static str,
    /// The model file's text.
    pub text: &'static str,
}

/// Every example, the default first.
pub const EXAMPLES: &[Example] = &[
    Example {
        name: "order-pipeline",
        summary: "A web shop's orders: payment, inventory, shipping, an order saga and a projection",
        text: include_str!("../models/order-pipeline.ron"),
    },
    Example {
        name: "bank-account",
        summary: "Event-sourced bank accounts: outbox, CQRS read models and a choreographed transfer saga",
        text: include_str!("../models/bank-account.ron"),
    },
    Example {
        name: "partitions-and-ordering",
        summary: "Lesson: keys, partitions and ordering; PerPartition vs PerKey vs Unordered, idle members",
        text: include_str!("../models/partitions-and-ordering.ron"),
    },
    Example {
        name: "redelivery-and-dlt",
        summary: "Lesson: blocking vs retry-topic retries, backoff with jitter, poison messages, dead letters",
        text: include_str!("../models/redelivery-and-dlt.ron"),
    },
    Example {
        name: "broker-failure-durability",
        summary: "Lesson: acks, replication factor and min ISR when brokers crash; what is lost and what is not",
        text: include_str!("../models/broker-failure-durability.ron"),
    },
    Example {
        name: "telemetry-hot-keys",
        summary: "Lesson: a 20,000 records/s telemetry pipeline with Zipf meter keys and a hot charging site",
        text: include_str!("../models/telemetry-hot-keys.ron"),
    },
];

/// The model the studio opens when no file is given.
pub const DEFAULT_EXAMPLE: &str = "order-pipeline";

/// Looks up an example by name.
pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

/// The default example, loaded: what the studio opens without a file.
pub fn default_model() -> Result<crate::model::Model, crate::model::LoadError> {
    let text = example(DEFAULT_EXAMPLE).map(|e| e.text).unwrap_or_default();
    crate::model::load(text)
}
