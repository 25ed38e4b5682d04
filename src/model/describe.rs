//! Short human descriptions of model values ("Poisson, 200 /s", "7 d", "broker 2 crashes"),
//! shared by the studio's canvas and inspector and the CLI's messages. Wording only: nothing
//! here decides anything about the model.

use super::{
    Acks, Assignor, Backoff, CleanupPolicy, CommitMode, Compatibility, EventKind, FaultKind,
    KeyDistribution, OffsetReset, OrderingMode, PublishMode, RateProcess, RebuildPolicy, Retention,
    RetryMode, SizeDistribution, StoreKind, SubjectStrategy, TimeDistribution,
};

/// "Poisson, 200 /s".
pub fn rate(rate: &RateProcess) -> String {
    match rate {
        RateProcess::Constant { per_second } => {
            format!("constant, {} /s", compact_number(*per_second))
        }
        RateProcess::Poisson { per_second } => {
            format!("Poisson, {} /s", compact_number(*per_second))
        }
        RateProcess::Bursts {
            base_per_second,
            burst_per_second,
            every_ms,
            length_ms,
        } => format!(
            "{} /s, bursts of {} /s for {} every {}",
            compact_number(*base_per_second),
            compact_number(*burst_per_second),
            duration_ms(*length_ms),
            duration_ms(*every_ms)
        ),
        RateProcess::Schedule(steps) => match steps.len() {
            1 => "schedule, 1 step".to_owned(),
            n => format!("schedule, {n} steps"),
        },
    }
}

/// "log-normal, median 8 ms, sigma 0.6".
pub fn time_distribution(dist: &TimeDistribution) -> String {
    match *dist {
        TimeDistribution::Constant { ms } => format!("constant {}", millis(ms)),
        TimeDistribution::Uniform { min_ms, max_ms } => {
            format!("uniform {} to {}", millis(min_ms), millis(max_ms))
        }
        TimeDistribution::Exponential { mean_ms } => {
            format!("exponential, mean {}", millis(mean_ms))
        }
        TimeDistribution::LogNormal { median_ms, sigma } => {
            format!("log-normal, median {}, sigma {sigma}", millis(median_ms))
        }
    }
}

/// "normal, mean 600 B".
pub fn size_distribution(dist: &SizeDistribution) -> String {
    match *dist {
        SizeDistribution::Constant { bytes } => format!("constant {}", byte_size(u64::from(bytes))),
        SizeDistribution::Uniform { min, max } => format!(
            "uniform {} to {}",
            byte_size(u64::from(min)),
            byte_size(u64::from(max))
        ),
        SizeDistribution::Normal { mean, std_dev } => {
            format!("normal, mean {mean} B, std dev {std_dev} B")
        }
    }
}

/// "uniform over 50k keys (order-…)".
pub fn keys(keys: &KeyDistribution) -> String {
    match keys {
        KeyDistribution::Uniform { keys, prefix } => {
            format!("uniform over {} keys ({prefix}…)", count(*keys))
        }
        KeyDistribution::Zipf {
            keys,
            exponent,
            prefix,
        } => format!("Zipf s={exponent} over {} keys ({prefix}…)", count(*keys)),
        KeyDistribution::Sequential { keys, prefix } => {
            format!("sequential over {} keys ({prefix}…)", count(*keys))
        }
        KeyDistribution::Weighted(list) => format!("{} weighted keys", list.len()),
        KeyDistribution::Null => "no key (sticky partitioner)".to_owned(),
    }
}

/// `acks=all`.
pub fn acks(acks: Acks) -> &'static str {
    match acks {
        Acks::Zero => "acks=0",
        Acks::One => "acks=1",
        Acks::All => "acks=all",
    }
}

/// "cooperative sticky".
pub fn assignor(assignor: Assignor) -> &'static str {
    match assignor {
        Assignor::Range => "range",
        Assignor::RoundRobin => "round robin",
        Assignor::CooperativeSticky => "cooperative sticky",
    }
}

/// "per partition".
pub fn ordering(ordering: OrderingMode) -> &'static str {
    match ordering {
        OrderingMode::PerPartition => "per partition",
        OrderingMode::PerKey => "per key",
        OrderingMode::Unordered => "unordered",
    }
}

/// "earliest".
pub fn offset_reset(reset: OffsetReset) -> &'static str {
    match reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
    }
}

/// "auto every 5 s".
pub fn commit(commit: &CommitMode) -> String {
    match commit {
        CommitMode::Auto { interval_ms } => format!("auto every {}", duration_ms(*interval_ms)),
        CommitMode::AfterEach => "after each record".to_owned(),
        CommitMode::AfterBatch => "after each batch".to_owned(),
    }
}

/// "exponential 100 ms ×2 up to 2 s".
pub fn backoff(backoff: &Backoff) -> String {
    match backoff {
        Backoff::Fixed { delay_ms } => format!("fixed {}", duration_ms(*delay_ms)),
        Backoff::Exponential {
            initial_ms,
            multiplier,
            max_ms,
        } => format!(
            "exponential from {}, x{multiplier}, up to {}",
            duration_ms(*initial_ms),
            duration_ms(*max_ms)
        ),
    }
}

/// "blocking" or "retry topic `x`".
pub fn retry_mode(mode: &RetryMode) -> String {
    match mode {
        RetryMode::Blocking => "blocking (in place)".to_owned(),
        RetryMode::RetryTopic { topic: Some(topic) } => format!("non-blocking via {topic}"),
        RetryMode::RetryTopic { topic: None } => "non-blocking, re-appended".to_owned(),
    }
}

/// "7 d" or "forever".
pub fn retention(retention: &Retention) -> String {
    let time = retention
        .time_ms
        .map_or_else(|| "forever".to_owned(), duration_ms);
    match retention.bytes {
        Some(bytes) => format!("{time}, at most {} per partition", byte_size(bytes)),
        None => time,
    }
}

/// "delete".
pub fn cleanup(policy: CleanupPolicy) -> &'static str {
    match policy {
        CleanupPolicy::Delete => "delete",
        CleanupPolicy::Compact => "compact",
        CleanupPolicy::CompactDelete => "compact, delete",
    }
}

/// "topic name".
pub fn subject_strategy(strategy: SubjectStrategy) -> &'static str {
    match strategy {
        SubjectStrategy::TopicName => "topic name",
        SubjectStrategy::RecordName => "record name",
        SubjectStrategy::TopicRecordName => "topic and record name",
    }
}

/// "backward transitive".
pub fn compatibility(compatibility: Compatibility) -> &'static str {
    match compatibility {
        Compatibility::None => "none",
        Compatibility::Backward => "backward",
        Compatibility::BackwardTransitive => "backward transitive",
        Compatibility::Forward => "forward",
        Compatibility::ForwardTransitive => "forward transitive",
        Compatibility::Full => "full",
        Compatibility::FullTransitive => "full transitive",
    }
}

/// "integration event".
pub fn event_kind(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Domain => "domain event",
        EventKind::Integration => "integration event",
        EventKind::Notification => "notification",
        EventKind::StateTransfer => "event-carried state transfer",
    }
}

/// "PostgreSQL".
pub fn store(store: StoreKind) -> &'static str {
    match store {
        StoreKind::PostgreSql => "PostgreSQL",
        StoreKind::Elasticsearch => "Elasticsearch",
        StoreKind::Redis => "Redis",
        StoreKind::InMemory => "in memory",
    }
}

/// "manual".
pub fn rebuild(rebuild: RebuildPolicy) -> &'static str {
    match rebuild {
        RebuildPolicy::Manual => "manual",
        RebuildPolicy::OnStart => "on start",
        RebuildPolicy::OnVersionChange => "on version change",
    }
}

/// "outbox".
pub fn publish_mode(mode: PublishMode) -> &'static str {
    match mode {
        PublishMode::Outbox => "outbox",
        PublishMode::DualWrite => "dual write",
    }
}

/// "broker 2 crashes".
pub fn fault(kind: &FaultKind) -> String {
    match kind {
        FaultKind::BrokerCrash { broker } => format!("broker {broker} crashes"),
        FaultKind::BrokerRestart { broker } => format!("broker {broker} restarts"),
        FaultKind::MemberCrash { group, member } => format!("{group} member {member} crashes"),
        FaultKind::MemberRestart { group, member } => {
            format!("{group} member {member} restarts")
        }
        FaultKind::Slowdown {
            group,
            factor,
            duration_ms: d,
        } => format!("{group} {factor}x slower for {}", duration_ms(*d)),
        FaultKind::ProducerBurst {
            producer,
            factor,
            duration_ms: d,
        } => format!("{producer} sends {factor}x for {}", duration_ms(*d)),
        FaultKind::ErrorSpike {
            group,
            probability,
            duration_ms: d,
        } => format!(
            "{group} fails {}% for {}",
            compact_number(probability * 100.0),
            duration_ms(*d)
        ),
        FaultKind::PoisonMessage { producer, key } => {
            format!("{producer} sends poison key {key}")
        }
        FaultKind::RebuildProjection { projection } => format!("{projection} is rebuilt"),
        FaultKind::NetworkPartition {
            client,
            brokers,
            duration_ms: d,
        } => format!(
            "{client} cut off from brokers {:?} for {}",
            brokers,
            duration_ms(*d)
        ),
    }
}

/// A comma-separated list, or "none".
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// One item per line, or "none".
pub fn lines(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join("\n")
    }
}

/// "yes" or "no".
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// A whole number of milliseconds as the largest unit that divides it ("7 d", "30 s", "250 ms").
pub fn duration_ms(ms: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "min"),
        (1_000, "s"),
    ];
    if ms == 0 {
        return "0 ms".to_owned();
    }
    for (size, unit) in UNITS {
        if ms.is_multiple_of(size) {
            return format!("{} {unit}", ms / size);
        }
    }
    format!("{ms} ms")
}

/// A fractional number of milliseconds ("8 ms", "0.5 ms").
pub fn millis(ms: f64) -> String {
    format!("{} ms", compact_number(ms))
}

/// "16 KiB".
pub fn byte_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    if bytes >= KIB * KIB * KIB && bytes.is_multiple_of(KIB * KIB * KIB) {
        format!("{} GiB", bytes / (KIB * KIB * KIB))
    } else if bytes >= KIB * KIB && bytes.is_multiple_of(KIB * KIB) {
        format!("{} MiB", bytes / (KIB * KIB))
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} B")
    }
}

/// "50k".
pub fn count(n: u64) -> String {
    compact_number(n as f64)
}

/// `1200` → `1.2k`, `200` → `200`, `0.5` → `0.5`.
pub fn compact_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1_000_000.0 {
        format!("{}M", trim_decimal(value / 1_000_000.0))
    } else if magnitude >= 1_000.0 {
        format!("{}k", trim_decimal(value / 1_000.0))
    } else {
        trim_decimal(value)
    }
}

fn trim_decimal(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_compact() {
        assert_eq!(compact_number(200.0), "200");
        assert_eq!(compact_number(1_500.0), "1.5k");
        assert_eq!(compact_number(2_000_000.0), "2M");
        assert_eq!(compact_number(0.5), "0.5");
    }

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(duration_ms(604_800_000), "7 d");
        assert_eq!(duration_ms(30_000), "30 s");
        assert_eq!(duration_ms(90_000), "90 s");
        assert_eq!(duration_ms(250), "250 ms");
        assert_eq!(duration_ms(0), "0 ms");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(byte_size(16_384), "16 KiB");
        assert_eq!(byte_size(1000), "1000 B");
        assert_eq!(byte_size(1 << 30), "1 GiB");
    }

    #[test]
    fn rates_read_naturally() {
        assert_eq!(
            rate(&RateProcess::Poisson { per_second: 200.0 }),
            "Poisson, 200 /s"
        );
    }
}
