//! Validation: everything wrong with a model, not just the first thing.
//!
//! Errors are models Kafka (or the simulation) cannot run as written; warnings come from the
//! production checklist of a well-run event platform; infos are observations. Every diagnostic
//! names the element it concerns and, where it can, the field at fault and a fix.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::avro::{AvroDefault, AvroType};
use super::partitioner::partition_for_key;
use super::types::*;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The model cannot be run as written.
    Error,
    /// The model runs, but a production platform would not accept it as is.
    Warning,
    /// An observation.
    Info,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        })
    }
}

/// One finding of validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// A stable identifier of the rule ("partitions-range").
    pub code: &'static str,
    /// The element it concerns.
    pub element: ElementRef,
    /// The field at fault, as it is spelled in the file (`partitions`), where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// How to fix it, where there is an obvious fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// The largest partition count validation accepts.
pub const MAX_PARTITIONS: u32 = 100_000;

/// Retention below this draws a warning: a consumer down over a long weekend loses data.
pub const MIN_RETENTION_MS: u64 = 7 * 24 * 3_600_000;

/// Limits beyond which a model stops describing a system and starts exhausting the machine
/// that simulates it: members per group, Zipf keys (the sampler keeps a table), events per
/// reaction, records per second per producer.
pub const MAX_MEMBERS: u32 = 10_000;
/// See [`MAX_MEMBERS`].
pub const MAX_ZIPF_KEYS: u64 = 10_000_000;
/// See [`MAX_MEMBERS`]: the longest scenario, one year of simulated time.
pub const MAX_DURATION_MS: u64 = 365 * 24 * 3_600_000;
/// See [`MAX_MEMBERS`].
pub const MAX_FAN_OUT: u32 = 1_000;
/// See [`MAX_MEMBERS`].
pub const MAX_RATE_PER_SECOND: f64 = 100_000_000.0;
/// See [`MAX_MEMBERS`]: records of one partition in flight at once (`per_key` and
/// `unordered` ordering split a partition into this many lanes at most).
pub const MAX_LANES: u32 = 256;

/// A number as a person reads it in a message: plainly while that is short, in scientific
/// notation when it would run to many digits (`1e300`, not three hundred zeros).
fn readable(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Kafka's default `max.request.size`: the largest record a producer sends as configured.
const MAX_REQUEST_BYTES: f64 = 1_048_576.0;

/// The highest rate a producer's rate process reaches, in records per second.
fn peak_rate(rate: &RateProcess) -> f64 {
    match rate {
        RateProcess::Constant { per_second } | RateProcess::Poisson { per_second } => *per_second,
        RateProcess::Bursts {
            base_per_second,
            burst_per_second,
            ..
        } => base_per_second.max(*burst_per_second),
        RateProcess::Schedule(steps) => steps.iter().map(|s| s.per_second).fold(0.0, f64::max),
    }
}

/// Steps a saga may have (the engine keeps an instance's steps as a 64-bit set).
pub const MAX_SAGA_STEPS: usize = 64;

/// Key distributions with more keys than this are not hashed one by one for the skew check.
const SKEW_CHECK_MAX_KEYS: u64 = 200_000;

/// Validates a model and returns every diagnostic, errors first, in a stable order.
pub fn validate(model: &Model) -> Vec<Diagnostic> {
    let mut v = Validator {
        model,
        out: Vec::new(),
        shares: Vec::new(),
        shares_index: HashMap::new(),
    };
    v.model_level();
    v.ids();
    v.cluster();
    v.event_types();
    v.topics();
    v.producers();
    v.consumer_groups();
    v.reaction_cycles();
    v.sagas();
    v.projections();
    v.event_stores();
    v.scenarios();
    v.layout();
    let mut out = v.out;
    out.sort_by_key(|d| d.severity);
    out
}

struct Validator<'m> {
    model: &'m Model,
    out: Vec<Diagnostic>,
    /// Partition shares already computed, by key distribution and partition count: producers
    /// often share both, and hashing every key is the costliest check.
    shares: Vec<(&'m KeyDistribution, u32, Option<Vec<f64>>)>,
    /// `shares` by a fingerprint of the distribution and the partition count, so a model
    /// with thousands of producers is not checked in quadratic time.
    shares_index: HashMap<(u64, u32), Vec<usize>>,
}

impl<'m> Validator<'m> {
    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        element: ElementRef,
        field: Option<&str>,
        message: String,
        hint: Option<String>,
    ) {
        self.out.push(Diagnostic {
            severity,
            code,
            element,
            field: field.map(str::to_owned),
            message,
            hint,
        });
    }

    fn error(&mut self, code: &'static str, element: &ElementRef, field: &str, message: String) {
        self.push(
            Severity::Error,
            code,
            element.clone(),
            Some(field),
            message,
            None,
        );
    }

    fn error_hint(
        &mut self,
        code: &'static str,
        element: &ElementRef,
        field: &str,
        message: String,
        hint: String,
    ) {
        self.push(
            Severity::Error,
            code,
            element.clone(),
            Some(field),
            message,
            Some(hint),
        );
    }

    fn warning(
        &mut self,
        code: &'static str,
        element: &ElementRef,
        field: &str,
        message: String,
        hint: String,
    ) {
        self.push(
            Severity::Warning,
            code,
            element.clone(),
            Some(field),
            message,
            Some(hint),
        );
    }

    fn has_topic(&self, id: &str) -> bool {
        self.model.topic(id).is_some()
    }

    fn has_event(&self, id: &str) -> bool {
        self.model.event_type(id).is_some()
    }

    fn has_group(&self, id: &str) -> bool {
        self.model.consumer_group(id).is_some()
    }

    fn has_producer(&self, id: &str) -> bool {
        self.model.producer(id).is_some()
    }

    /// Reports a reference to a topic that does not exist.
    fn require_topic(&mut self, element: &ElementRef, field: &str, topic: &str) {
        if !self.has_topic(topic) {
            let hint = self.suggest(topic, self.model.topics.iter().map(|t| t.id.as_str()));
            self.push(
                Severity::Error,
                "unknown-topic",
                element.clone(),
                Some(field),
                format!("{element} refers to topic `{topic}`, which does not exist"),
                hint,
            );
        }
    }

    /// Reports a reference to an event type that does not exist.
    fn require_event(&mut self, element: &ElementRef, field: &str, event: &str) {
        if !self.has_event(event) {
            let hint = self.suggest(event, self.model.event_types.iter().map(|e| e.id.as_str()));
            self.push(
                Severity::Error,
                "unknown-event-type",
                element.clone(),
                Some(field),
                format!("{element} refers to event type `{event}`, which does not exist"),
                hint,
            );
        }
    }

    /// Reports a reference to a consumer group that does not exist.
    fn require_group(&mut self, element: &ElementRef, field: &str, group: &str) {
        if !self.has_group(group) {
            let hint = self.suggest(
                group,
                self.model.consumer_groups.iter().map(|g| g.id.as_str()),
            );
            self.push(
                Severity::Error,
                "unknown-consumer-group",
                element.clone(),
                Some(field),
                format!("{element} refers to consumer group `{group}`, which does not exist"),
                hint,
            );
        }
    }

    /// "did you mean `orders`?" when a known id is close to the unknown one.
    fn suggest<'a>(&self, wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
        let wanted_lower = wanted.to_lowercase();
        known
            .map(|k| (edit_distance(&wanted_lower, &k.to_lowercase()), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min()
            .map(|(_, k)| format!("did you mean `{k}`?"))
    }

    fn check_probability(&mut self, element: &ElementRef, field: &str, p: f64) {
        if !(0.0..=1.0).contains(&p) {
            self.error(
                "probability-range",
                element,
                field,
                format!(
                    "{element}: `{field}` is {}, but a probability is between 0 and 1",
                    readable(p)
                ),
            );
        }
    }

    fn check_non_negative(&mut self, element: &ElementRef, field: &str, value: f64) {
        if !value.is_finite() || value < 0.0 {
            self.error(
                "negative-value",
                element,
                field,
                format!(
                    "{element}: `{field}` is {}, but it must be a{} number ≥ 0",
                    readable(value),
                    if value.is_finite() { "" } else { " finite" }
                ),
            );
        }
    }

    fn check_time(&mut self, element: &ElementRef, field: &str, dist: &TimeDistribution) {
        match *dist {
            TimeDistribution::Constant { ms } => self.check_non_negative(element, field, ms),
            TimeDistribution::Uniform { min_ms, max_ms } => {
                self.check_non_negative(element, field, min_ms);
                self.check_non_negative(element, field, max_ms);
                if min_ms > max_ms {
                    self.error(
                        "distribution-bounds",
                        element,
                        field,
                        format!("{element}: `{field}` has min_ms {min_ms} above max_ms {max_ms}"),
                    );
                }
            }
            TimeDistribution::Exponential { mean_ms } => {
                self.check_non_negative(element, field, mean_ms);
            }
            TimeDistribution::LogNormal { median_ms, sigma } => {
                self.check_non_negative(element, field, median_ms);
                self.check_non_negative(element, field, sigma);
            }
        }
    }

    // -----------------------------------------------------------------------------------------

    fn model_level(&mut self) {
        if self.model.name.trim().is_empty() {
            self.push(
                Severity::Error,
                "model-name",
                ElementRef::model(),
                Some("name"),
                "the model has no name".to_owned(),
                Some("give it a short name, such as `order-pipeline`".to_owned()),
            );
        }
    }

    fn ids(&mut self) {
        // Drawable elements share one id space: positions on the canvas are keyed by id.
        let mut seen: BTreeMap<&str, ElementKind> = BTreeMap::new();
        let elements = self.model.elements();
        for element in &elements {
            self.check_id(element);
        }
        for element in &elements {
            if let Some(first) = seen.get(element.id.as_str()) {
                let message = if *first == element.kind {
                    format!("two {}s are called `{}`", element.kind.label(), element.id)
                } else {
                    format!(
                        "the id `{}` is used by a {} and a {}",
                        element.id,
                        first.label(),
                        element.kind.label()
                    )
                };
                self.push(
                    Severity::Error,
                    "duplicate-id",
                    element.clone(),
                    Some("id"),
                    message,
                    Some("every element needs its own id; rename one of them".to_owned()),
                );
            } else {
                seen.insert(element.id.as_str(), element.kind);
            }
        }
        let mut names = BTreeSet::new();
        for event in &self.model.event_types {
            if !names.insert(event.id.as_str()) {
                self.push(
                    Severity::Error,
                    "duplicate-id",
                    ElementRef::new(ElementKind::EventType, &event.id),
                    Some("id"),
                    format!("two event types are called `{}`", event.id),
                    Some("rename one of them, or merge them as versions of one".to_owned()),
                );
            }
        }
        let mut names = BTreeSet::new();
        for scenario in &self.model.scenarios {
            if !names.insert(scenario.name.as_str()) {
                self.push(
                    Severity::Error,
                    "duplicate-id",
                    ElementRef::new(ElementKind::Scenario, &scenario.name),
                    Some("name"),
                    format!("two scenarios are called `{}`", scenario.name),
                    None,
                );
            }
        }
        let mut names = BTreeSet::new();
        for note in &self.model.layout.notes {
            if !names.insert(note.id.as_str()) {
                self.push(
                    Severity::Error,
                    "duplicate-id",
                    ElementRef::new(ElementKind::CanvasNote, &note.id),
                    Some("id"),
                    format!("two canvas notes are called `{}`", note.id),
                    None,
                );
            }
        }
    }

    fn check_id(&mut self, element: &ElementRef) {
        if element.id.trim().is_empty() {
            self.push(
                Severity::Error,
                "empty-id",
                element.clone(),
                Some("id"),
                format!("a {} has an empty id", element.kind.label()),
                Some("give it a name such as `orders`".to_owned()),
            );
        } else if element.id.chars().any(char::is_control) {
            self.error(
                "invalid-id",
                element,
                "id",
                format!(
                    "the {} id {:?} contains control characters",
                    element.kind.label(),
                    element.id
                ),
            );
        }
    }

    fn cluster(&mut self) {
        let cluster = &self.model.cluster;
        let model = ElementRef::model();
        if cluster.brokers.is_empty() {
            self.error_hint(
                "no-brokers",
                &model,
                "brokers",
                "the cluster has no brokers".to_owned(),
                "add at least one broker; three for a production-like cluster".to_owned(),
            );
        }
        let mut ids = BTreeSet::new();
        for broker in &cluster.brokers {
            let element = ElementRef::new(ElementKind::Broker, broker.id.to_string());
            if !ids.insert(broker.id) {
                self.error(
                    "duplicate-id",
                    &element,
                    "id",
                    format!("two brokers have id {}", broker.id),
                );
            }
            if !broker.write_mb_per_s.is_finite() || broker.write_mb_per_s <= 0.0 {
                self.error(
                    "broker-capacity",
                    &element,
                    "write_mb_per_s",
                    format!(
                        "broker {} has a write capacity of {} MB/s; it must be above 0",
                        broker.id, broker.write_mb_per_s
                    ),
                );
            }
        }
        self.check_non_negative(&model, "network_latency_ms", cluster.network_latency_ms);
    }

    fn event_types(&mut self) {
        for event in &self.model.event_types {
            let element = ElementRef::new(ElementKind::EventType, &event.id);
            if !is_avro_name(&event.id) {
                self.error_hint(
                    "avro-name",
                    &element,
                    "id",
                    format!("`{}` is not a valid Avro record name", event.id),
                    "Avro names start with a letter or `_` and hold only letters, digits and `_`"
                        .to_owned(),
                );
            }
            if !event.namespace.is_empty() && !event.namespace.split('.').all(is_avro_name) {
                self.error_hint(
                    "avro-name",
                    &element,
                    "namespace",
                    format!("`{}` is not a valid Avro namespace", event.namespace),
                    "a namespace is Avro names joined by dots, such as `com.shop.orders`"
                        .to_owned(),
                );
            }
            if event.versions.is_empty() {
                self.error_hint(
                    "no-schema-versions",
                    &element,
                    "versions",
                    format!("event type `{}` has no schema version", event.id),
                    "add a first version with the event's fields".to_owned(),
                );
            }
            for (i, version) in event.versions.iter().enumerate() {
                let place = format!("version {}", i + 1);
                self.check_fields(&element, &place, &version.fields);
                for alias in &version.aliases {
                    if !alias.split('.').all(is_avro_name) {
                        self.error(
                            "avro-name",
                            &element,
                            "aliases",
                            format!("{element}, {place}: alias `{alias}` is not a valid Avro name"),
                        );
                    }
                }
            }
        }
    }

    fn check_fields(&mut self, element: &ElementRef, place: &str, fields: &[Field]) {
        let mut names = BTreeSet::new();
        for field in fields {
            if !is_avro_name(&field.name) {
                self.error_hint(
                    "avro-name",
                    element,
                    "fields",
                    format!(
                        "{element}, {place}: `{}` is not a valid Avro field name",
                        field.name
                    ),
                    "Avro names start with a letter or `_` and hold only letters, digits and `_`"
                        .to_owned(),
                );
            }
            if !names.insert(field.name.as_str()) {
                self.error(
                    "duplicate-field",
                    element,
                    "fields",
                    format!("{element}, {place}: field `{}` appears twice", field.name),
                );
            }
            let path = format!("{place}, field `{}`", field.name);
            self.check_avro_type(element, &path, &field.ty);
            if let Some(default) = &field.default
                && let Err(why) = default_matches(&field.ty, default)
            {
                self.error(
                    "avro-default",
                    element,
                    "fields",
                    format!("{element}, {path}: the default does not fit the type: {why}"),
                );
            }
        }
    }

    fn check_avro_type(&mut self, element: &ElementRef, path: &str, ty: &AvroType) {
        match ty {
            AvroType::Decimal { precision, scale } => {
                if *precision == 0 {
                    self.error(
                        "avro-decimal",
                        element,
                        "fields",
                        format!("{element}, {path}: a decimal needs a precision of at least 1"),
                    );
                } else if scale > precision {
                    self.error(
                        "avro-decimal",
                        element,
                        "fields",
                        format!(
                            "{element}, {path}: decimal scale {scale} exceeds its precision \
                             {precision}"
                        ),
                    );
                }
            }
            AvroType::Record(record) => {
                if !is_avro_name(&record.name) {
                    self.error(
                        "avro-name",
                        element,
                        "fields",
                        format!(
                            "{element}, {path}: `{}` is not a valid record name",
                            record.name
                        ),
                    );
                }
                let inner = format!("{path}.{}", record.name);
                self.check_fields(element, &inner, &record.fields);
            }
            AvroType::Enum(e) => {
                if !is_avro_name(&e.name) {
                    self.error(
                        "avro-name",
                        element,
                        "fields",
                        format!("{element}, {path}: `{}` is not a valid enum name", e.name),
                    );
                }
                let mut symbols = BTreeSet::new();
                for symbol in &e.symbols {
                    if !is_avro_name(symbol) {
                        self.error(
                            "avro-name",
                            element,
                            "fields",
                            format!("{element}, {path}: `{symbol}` is not a valid enum symbol"),
                        );
                    }
                    if !symbols.insert(symbol.as_str()) {
                        self.error(
                            "avro-enum",
                            element,
                            "fields",
                            format!("{element}, {path}: enum symbol `{symbol}` appears twice"),
                        );
                    }
                }
                if e.symbols.is_empty() {
                    self.error(
                        "avro-enum",
                        element,
                        "fields",
                        format!("{element}, {path}: enum `{}` has no symbols", e.name),
                    );
                }
                if let Some(default) = &e.default
                    && !e.symbols.contains(default)
                {
                    self.error(
                        "avro-enum",
                        element,
                        "fields",
                        format!(
                            "{element}, {path}: enum default `{default}` is not one of its symbols"
                        ),
                    );
                }
            }
            AvroType::Array(items) => self.check_avro_type(element, path, items),
            AvroType::Map(values) => self.check_avro_type(element, path, values),
            AvroType::Union(branches) => {
                let mut kinds = BTreeSet::new();
                for branch in branches {
                    if matches!(branch, AvroType::Union(_)) {
                        self.error(
                            "avro-union",
                            element,
                            "fields",
                            format!("{element}, {path}: a union may not directly contain a union"),
                        );
                    }
                    if !kinds.insert(union_branch_key(branch)) {
                        self.error(
                            "avro-union",
                            element,
                            "fields",
                            format!(
                                "{element}, {path}: the union has two `{}` branches",
                                union_branch_key(branch)
                            ),
                        );
                    }
                    self.check_avro_type(element, path, branch);
                }
                if branches.is_empty() {
                    self.error(
                        "avro-union",
                        element,
                        "fields",
                        format!("{element}, {path}: the union has no branches"),
                    );
                }
            }
            AvroType::Fixed(f) if !is_avro_name(&f.name) => {
                self.error(
                    "avro-name",
                    element,
                    "fields",
                    format!("{element}, {path}: `{}` is not a valid fixed name", f.name),
                );
            }
            AvroType::Named(name) if !name.split('.').all(is_avro_name) => {
                self.error(
                    "avro-name",
                    element,
                    "fields",
                    format!("{element}, {path}: `{name}` is not a valid type name"),
                );
            }
            _ => {}
        }
    }

    fn topics(&mut self) {
        let brokers = self.model.cluster.brokers.len() as u64;
        for topic in &self.model.topics {
            let element = ElementRef::new(ElementKind::Topic, &topic.id);
            if topic.partitions < 1 || topic.partitions > MAX_PARTITIONS {
                self.error_hint(
                    "partitions-range",
                    &element,
                    "partitions",
                    format!(
                        "topic `{}` has {} partitions; it needs between 1 and {MAX_PARTITIONS}",
                        topic.id, topic.partitions
                    ),
                    "size partitions for the consumer parallelism you need; 6 to 48 is typical"
                        .to_owned(),
                );
            }
            if topic.replication_factor < 1 {
                self.error(
                    "replication-factor-range",
                    &element,
                    "replication_factor",
                    format!("topic `{}` has a replication factor of 0", topic.id),
                );
            } else if u64::from(topic.replication_factor) > brokers {
                self.error_hint(
                    "replication-factor-brokers",
                    &element,
                    "replication_factor",
                    format!(
                        "topic `{}` asks for {} replicas but the cluster has {brokers} broker{}",
                        topic.id,
                        topic.replication_factor,
                        if brokers == 1 { "" } else { "s" }
                    ),
                    "each replica needs its own broker: add brokers or lower the replication \
                     factor"
                        .to_owned(),
                );
            }
            if topic.min_insync_replicas < 1 {
                self.error(
                    "min-isr-range",
                    &element,
                    "min_insync_replicas",
                    format!(
                        "topic `{}` has min_insync_replicas 0; the least is 1",
                        topic.id
                    ),
                );
            } else if topic.min_insync_replicas > topic.replication_factor {
                self.error_hint(
                    "min-isr-above-rf",
                    &element,
                    "min_insync_replicas",
                    format!(
                        "topic `{}` has min_insync_replicas {} above its replication factor {}: \
                         every acks=all write would be refused",
                        topic.id, topic.min_insync_replicas, topic.replication_factor
                    ),
                    "use min_insync_replicas = replication_factor - 1 (2 with 3 replicas)"
                        .to_owned(),
                );
            }
            if topic.replication_factor >= 1 && topic.replication_factor < 3 {
                self.warning(
                    "replication-factor-low",
                    &element,
                    "replication_factor",
                    format!(
                        "topic `{}` has replication factor {}: losing {} broker{} loses its data",
                        topic.id,
                        topic.replication_factor,
                        topic.replication_factor,
                        if topic.replication_factor == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ),
                    "use replication_factor 3 in production".to_owned(),
                );
            }
            if topic.min_insync_replicas < 2
                && topic.min_insync_replicas >= 1
                && topic.min_insync_replicas <= topic.replication_factor
            {
                self.warning(
                    "min-isr-low",
                    &element,
                    "min_insync_replicas",
                    format!(
                        "topic `{}` has min_insync_replicas 1: an acks=all write can be \
                         acknowledged by one replica and lost with it",
                        topic.id
                    ),
                    "use min_insync_replicas 2 with replication_factor 3".to_owned(),
                );
            }
            if let Some(ms) = topic.retention.time_ms
                && ms < MIN_RETENTION_MS
            {
                self.warning(
                    "retention-short",
                    &element,
                    "retention",
                    format!(
                        "topic `{}` keeps records for {}: a consumer down longer than that \
                         loses data",
                        topic.id,
                        human_duration(ms)
                    ),
                    "keep at least 7 days so a consumer can be fixed and catch up".to_owned(),
                );
            }
            for event in &topic.event_types {
                self.require_event(&element, "event_types", event);
            }
            if topic.subject_strategy == SubjectStrategy::TopicName && topic.event_types.len() > 1 {
                self.warning(
                    "subject-strategy-mixed",
                    &element,
                    "subject_strategy",
                    format!(
                        "topic `{}` carries {} event types under the topic-name subject \
                         strategy: they share one schema history (`{}-value`), so schema \
                         checks will fail",
                        topic.id,
                        topic.event_types.len(),
                        topic.id
                    ),
                    "use the RecordName or TopicRecordName subject strategy".to_owned(),
                );
            }
        }
    }

    fn producers(&mut self) {
        for producer in &self.model.producers {
            let element = ElementRef::new(ElementKind::Producer, &producer.id);
            if producer.topics.is_empty() {
                self.error(
                    "producer-no-topic",
                    &element,
                    "topics",
                    format!("producer `{}` has no target topic", producer.id),
                );
            }
            for topic in &producer.topics {
                self.require_topic(&element, "topics", topic);
            }
            if producer.event_types.is_empty() {
                self.error(
                    "producer-no-event",
                    &element,
                    "event_types",
                    format!("producer `{}` emits no event type", producer.id),
                );
            }
            for event in &producer.event_types {
                self.require_event(&element, "event_types", event);
                if !self.has_event(event) {
                    continue;
                }
                let carriers: Vec<&str> = producer
                    .topics
                    .iter()
                    .filter_map(|t| self.model.topic(t))
                    .filter(|t| t.event_types.iter().any(|e| e == event))
                    .map(|t| t.id.as_str())
                    .collect();
                let targets: Vec<&Topic> = producer
                    .topics
                    .iter()
                    .filter_map(|t| self.model.topic(t))
                    .collect();
                if carriers.is_empty() && !targets.is_empty() {
                    let names: Vec<String> =
                        targets.iter().map(|t| format!("`{}`", t.id)).collect();
                    self.error_hint(
                        "producer-event-not-carried",
                        &element,
                        "event_types",
                        format!(
                            "producer `{}` emits `{event}`, but its topic{} {} do{} not carry it",
                            producer.id,
                            if names.len() == 1 { "" } else { "s" },
                            names.join(", "),
                            if names.len() == 1 { "es" } else { "" }
                        ),
                        format!("add `{event}` to the event types of {}", names.join(" or ")),
                    );
                }
            }
            self.check_rate(&element, &producer.rate);
            let peak = peak_rate(&producer.rate);
            if peak > MAX_RATE_PER_SECOND {
                self.error(
                    "simulation-limit",
                    &element,
                    "rate",
                    format!(
                        "producer `{}` sends up to {} records/s; Causeway simulates at most \
                         {MAX_RATE_PER_SECOND} per producer",
                        producer.id,
                        readable(peak)
                    ),
                );
            }
            if let KeyDistribution::Zipf { keys, .. } = producer.keys
                && keys > MAX_ZIPF_KEYS
            {
                self.error(
                    "simulation-limit",
                    &element,
                    "keys",
                    format!(
                        "producer `{}` draws Zipf keys from {keys} keys; Causeway simulates at \
                         most {MAX_ZIPF_KEYS} (use Uniform beyond that)",
                        producer.id
                    ),
                );
            }
            self.check_keys(&element, &producer.keys);
            match producer.record_size {
                SizeDistribution::Constant { bytes: 0 } => self.error(
                    "record-size",
                    &element,
                    "record_size",
                    format!("producer `{}` sends records of 0 bytes", producer.id),
                ),
                SizeDistribution::Uniform { min, max } if min > max => self.error(
                    "distribution-bounds",
                    &element,
                    "record_size",
                    format!(
                        "producer `{}`: record_size has min {min} above max {max}",
                        producer.id
                    ),
                ),
                SizeDistribution::Normal { mean, std_dev } => {
                    self.check_non_negative(&element, "record_size", mean);
                    self.check_non_negative(&element, "record_size", std_dev);
                }
                _ => {}
            }
            // Kafka's producer refuses a record above max.request.size (1 MiB by default), and
            // the broker one above message.max.bytes (about 1 MiB).
            let largest = match producer.record_size {
                SizeDistribution::Constant { bytes } => f64::from(bytes),
                SizeDistribution::Uniform { min, max } => f64::from(min.max(max)),
                SizeDistribution::Normal { mean, .. } => mean,
            };
            if largest > MAX_REQUEST_BYTES {
                self.warning(
                    "record-too-large",
                    &element,
                    "record_size",
                    format!(
                        "producer `{}` sends records of up to {} bytes; with Kafka's defaults \
                         they are refused (RecordTooLargeException: max.request.size and \
                         message.max.bytes are about 1 MiB), though Causeway simulates them",
                        producer.id,
                        readable(largest)
                    ),
                    "raise max.request.size and message.max.bytes to match, or keep large \
                     payloads elsewhere and send a reference (the claim-check pattern)"
                        .to_owned(),
                );
            }
            if producer.enable_idempotence && producer.acks != Acks::All {
                self.error_hint(
                    "idempotence-needs-acks-all",
                    &element,
                    "acks",
                    format!(
                        "producer `{}` enables idempotence with acks={}; Kafka refuses this \
                         (ConfigException)",
                        producer.id,
                        acks_name(producer.acks)
                    ),
                    "set acks to All, or turn enable_idempotence off".to_owned(),
                );
            }
            if producer.enable_idempotence && producer.max_in_flight_requests > 5 {
                self.error_hint(
                    "idempotence-in-flight",
                    &element,
                    "max_in_flight_requests",
                    format!(
                        "producer `{}` enables idempotence with max_in_flight_requests {}; \
                         Kafka allows at most 5",
                        producer.id, producer.max_in_flight_requests
                    ),
                    "use 5 or fewer in-flight requests".to_owned(),
                );
            }
            if producer.max_in_flight_requests == 0 {
                self.error(
                    "in-flight-range",
                    &element,
                    "max_in_flight_requests",
                    format!(
                        "producer `{}` allows 0 requests in flight and could never send",
                        producer.id
                    ),
                );
            }
            self.check_non_negative(&element, "linger_ms", producer.linger_ms);
            // KIP-91: delivery.timeout.ms (120 s by default) must cover linger.ms plus
            // request.timeout.ms (30 s); the producer refuses to start otherwise.
            if producer.linger_ms > 90_000.0 {
                self.error_hint(
                    "linger-beyond-delivery-timeout",
                    &element,
                    "linger_ms",
                    format!(
                        "producer `{}` lingers {} ms; Kafka needs delivery.timeout.ms (120000) \
                         to be at least linger.ms + request.timeout.ms (30000) and refuses \
                         this (ConfigException)",
                        producer.id,
                        readable(producer.linger_ms)
                    ),
                    "use a linger_ms of at most 90000 (batches usually linger a few ms)".to_owned(),
                );
            }
            if producer.acks != Acks::All {
                self.warning(
                    "acks-not-all",
                    &element,
                    "acks",
                    format!(
                        "producer `{}` uses acks={}: a broker failure can lose acknowledged \
                         records",
                        producer.id,
                        acks_name(producer.acks)
                    ),
                    "use acks=all with min_insync_replicas 2".to_owned(),
                );
            }
            self.check_skew(producer);
        }
    }

    fn check_rate(&mut self, element: &ElementRef, rate: &RateProcess) {
        match rate {
            RateProcess::Constant { per_second } | RateProcess::Poisson { per_second } => {
                self.check_non_negative(element, "rate", *per_second);
            }
            RateProcess::Bursts {
                base_per_second,
                burst_per_second,
                every_ms,
                length_ms,
            } => {
                self.check_non_negative(element, "rate", *base_per_second);
                self.check_non_negative(element, "rate", *burst_per_second);
                if length_ms > every_ms {
                    self.error(
                        "rate-bursts",
                        element,
                        "rate",
                        format!(
                            "{element}: bursts last {length_ms} ms but start every {every_ms} ms"
                        ),
                    );
                }
            }
            RateProcess::Schedule(steps) => {
                if steps.is_empty() {
                    self.error(
                        "rate-schedule",
                        element,
                        "rate",
                        format!("{element}: the rate schedule has no steps"),
                    );
                }
                for pair in steps.windows(2) {
                    if pair[1].from_ms <= pair[0].from_ms {
                        self.error(
                            "rate-schedule",
                            element,
                            "rate",
                            format!(
                                "{element}: schedule steps must start in increasing order \
                                 ({} ms comes after {} ms)",
                                pair[1].from_ms, pair[0].from_ms
                            ),
                        );
                    }
                }
                for step in steps {
                    self.check_non_negative(element, "rate", step.per_second);
                }
            }
        }
    }

    fn check_keys(&mut self, element: &ElementRef, keys: &KeyDistribution) {
        match keys {
            KeyDistribution::Uniform { keys, .. } | KeyDistribution::Sequential { keys, .. }
                if *keys == 0 =>
            {
                self.error(
                    "keys-range",
                    element,
                    "keys",
                    format!("{element} draws from 0 keys; use Null for records without a key"),
                );
            }
            KeyDistribution::Zipf { keys, exponent, .. } => {
                if *keys == 0 {
                    self.error(
                        "keys-range",
                        element,
                        "keys",
                        format!("{element} draws from 0 keys; use Null for records without a key"),
                    );
                }
                self.check_non_negative(element, "keys", *exponent);
            }
            KeyDistribution::Weighted(list) => {
                if list.is_empty() {
                    self.error(
                        "keys-range",
                        element,
                        "keys",
                        format!("{element} has an empty weighted key list"),
                    );
                }
                for key in list {
                    self.check_non_negative(element, "keys", key.weight);
                }
                if !list.is_empty() && list.iter().all(|k| k.weight <= 0.0) {
                    self.error(
                        "keys-range",
                        element,
                        "keys",
                        format!("{element}: every key has weight 0"),
                    );
                }
            }
            _ => {}
        }
    }

    /// Warns when Kafka's partitioner sends most of a producer's records to one partition.
    fn check_skew(&mut self, producer: &'m Producer) {
        let element = ElementRef::new(ElementKind::Producer, &producer.id);
        for topic_id in &producer.topics {
            let Some(topic) = self.model.topic(topic_id) else {
                continue;
            };
            if topic.partitions < 2 || topic.partitions > MAX_PARTITIONS {
                continue;
            }
            let bucket = self
                .shares_index
                .entry((fingerprint(&producer.keys), topic.partitions))
                .or_default();
            let known = bucket
                .iter()
                .copied()
                .find(|&i| *self.shares[i].0 == producer.keys);
            let index = known.unwrap_or_else(|| {
                let shares = partition_shares(&producer.keys, topic.partitions);
                self.shares.push((&producer.keys, topic.partitions, shares));
                bucket.push(self.shares.len() - 1);
                self.shares.len() - 1
            });
            let Some(shares) = &self.shares[index].2 else {
                continue;
            };
            let (hot, share) = shares
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, 0.0),
                    |best, (p, s)| if s > best.1 { (p, s) } else { best },
                );
            if share > 0.5 {
                self.warning(
                    "key-skew",
                    &element,
                    "keys",
                    format!(
                        "{:.0}% of producer `{}`'s records go to partition {hot} of topic `{}`: \
                         one consumer does most of the work",
                        share * 100.0,
                        producer.id,
                        topic.id
                    ),
                    "spread the load with more distinct keys, or a composite key".to_owned(),
                );
            }
        }
    }

    fn consumer_groups(&mut self) {
        for group in &self.model.consumer_groups {
            let element = ElementRef::new(ElementKind::ConsumerGroup, &group.id);
            if group.topics.is_empty() {
                self.error(
                    "group-no-topic",
                    &element,
                    "topics",
                    format!("consumer group `{}` subscribes to no topic", group.id),
                );
            }
            for topic in &group.topics {
                self.require_topic(&element, "topics", topic);
            }
            if group.members == 0 {
                self.error_hint(
                    "members-range",
                    &element,
                    "members",
                    format!("consumer group `{}` has no members", group.id),
                    "a group needs at least one member to consume".to_owned(),
                );
            }
            if group.members > MAX_MEMBERS {
                self.error(
                    "simulation-limit",
                    &element,
                    "members",
                    format!(
                        "consumer group `{}` has {} members; Causeway simulates at most \
                         {MAX_MEMBERS}",
                        group.id, group.members
                    ),
                );
            }
            if group.concurrency == 0 {
                self.error(
                    "concurrency-range",
                    &element,
                    "concurrency",
                    format!("consumer group `{}` has concurrency 0", group.id),
                );
            } else if group.concurrency > MAX_LANES
                && group.ordering != crate::model::OrderingMode::PerPartition
            {
                self.error(
                    "simulation-limit",
                    &element,
                    "concurrency",
                    format!(
                        "consumer group `{}` processes up to {} records of a partition at once; \
                         Causeway simulates at most {MAX_LANES}",
                        group.id, group.concurrency
                    ),
                );
            }
            if group.max_poll_records == 0 {
                self.error(
                    "max-poll-records-range",
                    &element,
                    "max_poll_records",
                    format!("consumer group `{}` has max_poll_records 0", group.id),
                );
            }
            self.check_time(&element, "processing_time", &group.processing_time);
            self.check_probability(&element, "failures", group.failures.probability);
            for event in &group.failures.poison_event_types {
                self.require_event(&element, "failures", event);
            }
            if group.retry.max_attempts == 0 {
                self.error_hint(
                    "max-attempts-range",
                    &element,
                    "retry",
                    format!("consumer group `{}` has max_attempts 0", group.id),
                    "max_attempts counts the first attempt: use 1 for no retries".to_owned(),
                );
            }
            self.check_probability(&element, "retry", group.retry.jitter);
            if let Backoff::Exponential { multiplier, .. } = group.retry.backoff
                && !(multiplier.is_finite() && multiplier >= 1.0)
            {
                self.error(
                    "backoff-multiplier",
                    &element,
                    "retry",
                    format!(
                        "consumer group `{}` has a backoff multiplier of {multiplier}; it must \
                         be at least 1",
                        group.id
                    ),
                );
            }
            if let RetryMode::RetryTopic { topic: Some(topic) } = &group.retry.mode {
                self.require_topic(&element, "retry", topic);
            }
            if let Some(dlt) = &group.dead_letter_topic {
                if self.has_topic(dlt) {
                    if group.topics.contains(dlt) {
                        self.error(
                            "dead-letter-subscribed",
                            &element,
                            "dead_letter_topic",
                            format!(
                                "consumer group `{}` subscribes to its own dead-letter topic \
                                 `{dlt}`: poison records would loop",
                                group.id
                            ),
                        );
                    }
                } else {
                    let hint = self.suggest(dlt, self.model.topics.iter().map(|t| t.id.as_str()));
                    self.push(
                        Severity::Error,
                        "unknown-dead-letter-topic",
                        element.clone(),
                        Some("dead_letter_topic"),
                        format!(
                            "consumer group `{}` dead-letters to `{dlt}`, which is not a topic \
                             of the model",
                            group.id
                        ),
                        hint.or_else(|| Some(format!("add a topic `{dlt}`"))),
                    );
                }
            }
            if let CommitMode::Auto { interval_ms: 0 } = group.commit {
                self.error(
                    "commit-interval",
                    &element,
                    "commit",
                    format!("consumer group `{}` auto-commits every 0 ms", group.id),
                );
            }
            for reaction in &group.reactions {
                if let Some(on) = &reaction.on {
                    self.require_event(&element, "reactions", on);
                }
                self.require_event(&element, "reactions", &reaction.emit);
                self.require_topic(&element, "reactions", &reaction.topic);
                self.check_probability(&element, "reactions", reaction.probability);
                if reaction.fan_out > MAX_FAN_OUT {
                    self.error(
                        "simulation-limit",
                        &element,
                        "reactions",
                        format!(
                            "consumer group `{}` emits {} events per record in a reaction; \
                             Causeway simulates at most {MAX_FAN_OUT}",
                            group.id, reaction.fan_out
                        ),
                    );
                }
                if let Some(topic) = self.model.topic(&reaction.topic)
                    && self.has_event(&reaction.emit)
                    && !topic.event_types.contains(&reaction.emit)
                {
                    self.error_hint(
                        "reaction-event-not-carried",
                        &element,
                        "reactions",
                        format!(
                            "consumer group `{}` emits `{}` to topic `{}`, which does not carry it",
                            group.id, reaction.emit, topic.id
                        ),
                        format!(
                            "add `{}` to the event types of `{}`",
                            reaction.emit, topic.id
                        ),
                    );
                }
            }

            // Warnings from the production checklist.
            if !group.idempotent {
                self.warning(
                    "consumer-not-idempotent",
                    &element,
                    "idempotent",
                    format!(
                        "consumer group `{}` is not idempotent: Kafka delivers at least once, so \
                         a crash or rebalance between processing and commit repeats side effects",
                        group.id
                    ),
                    "deduplicate by event id, or make the side effect an upsert".to_owned(),
                );
            }
            let retries = group.retry.max_attempts > 1;
            if group.dead_letter_topic.is_none()
                && (retries
                    || group.failures.probability > 0.0
                    || !group.failures.poison_keys.is_empty()
                    || !group.failures.poison_event_types.is_empty())
            {
                self.warning(
                    "no-dead-letter-topic",
                    &element,
                    "dead_letter_topic",
                    format!(
                        "consumer group `{}` {} but has no dead-letter topic: a record that \
                         keeps failing is dropped{}",
                        group.id,
                        if retries { "retries" } else { "can fail" },
                        if matches!(group.retry.mode, RetryMode::Blocking) {
                            " after blocking its partition"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "add a topic such as `{}.dlt` and set dead_letter_topic",
                        group.id
                    ),
                );
            }
            let partitions: Vec<u32> = group
                .topics
                .iter()
                .filter_map(|t| self.model.topic(t))
                .map(|t| t.partitions)
                .collect();
            if !partitions.is_empty() && group.members > 0 {
                let usable = match group.assignor {
                    // Range assigns each topic separately: members beyond the largest topic's
                    // partition count get nothing from any topic.
                    Assignor::Range => partitions.iter().copied().max().unwrap_or(0),
                    Assignor::RoundRobin | Assignor::CooperativeSticky => {
                        partitions.iter().copied().sum()
                    }
                };
                if group.members > usable {
                    self.warning(
                        "idle-members",
                        &element,
                        "members",
                        format!(
                            "consumer group `{}` has {} members but only {usable} partition{} to \
                             share: {} member{} will sit idle",
                            group.id,
                            group.members,
                            if usable == 1 { "" } else { "s" },
                            group.members - usable,
                            if group.members - usable == 1 { "" } else { "s" }
                        ),
                        "add partitions, or run fewer members".to_owned(),
                    );
                }
            }
        }
    }

    /// Errors on reaction cycles that amplify: following the reactions around a cycle, each
    /// event leads on average to one or more events back where it started, so traffic grows
    /// without bound.
    fn reaction_cycles(&mut self) {
        // Nodes are (topic, event type): an event of a type on a topic, seen by every group
        // subscribed to that topic.
        let mut graph: DiGraph<(String, String), f64> = DiGraph::new();
        let mut nodes: BTreeMap<(String, String), NodeIndex> = BTreeMap::new();
        let mut node = |graph: &mut DiGraph<(String, String), f64>, t: &str, e: &str| {
            *nodes
                .entry((t.to_owned(), e.to_owned()))
                .or_insert_with(|| graph.add_node((t.to_owned(), e.to_owned())))
        };
        let mut weights: BTreeMap<(NodeIndex, NodeIndex), (f64, Vec<String>)> = BTreeMap::new();
        for group in &self.model.consumer_groups {
            for topic_id in &group.topics {
                let Some(topic) = self.model.topic(topic_id) else {
                    continue;
                };
                for reaction in &group.reactions {
                    let gain = reaction.expected_fan_out();
                    if gain.is_nan() || gain <= 0.0 || !gain.is_finite() {
                        continue;
                    }
                    for event in &topic.event_types {
                        if reaction.on.as_ref().is_some_and(|on| on != event) {
                            continue;
                        }
                        let from = node(&mut graph, &topic.id, event);
                        let to = node(&mut graph, &reaction.topic, &reaction.emit);
                        let entry = weights.entry((from, to)).or_insert((0.0, Vec::new()));
                        entry.0 += gain;
                        if !entry.1.contains(&group.id) {
                            entry.1.push(group.id.clone());
                        }
                    }
                }
            }
        }
        // A cycle amplifies when the product of its gains is ≥ 1, that is when the sum of
        // -ln(gain) is ≤ 0: a negative cycle once nudged by a tiny epsilon per edge.
        for ((from, to), (gain, _)) in &weights {
            graph.add_edge(*from, *to, -gain.ln() - 1e-12);
        }
        let mut reported: BTreeSet<Vec<NodeIndex>> = BTreeSet::new();
        for component in petgraph::algo::tarjan_scc(&graph) {
            let is_cycle = component.len() > 1
                || component
                    .first()
                    .is_some_and(|n| graph.find_edge(*n, *n).is_some());
            if !is_cycle {
                continue;
            }
            let Some(&start) = component.iter().min() else {
                continue;
            };
            let Some(cycle) = petgraph::algo::find_negative_cycle(&graph, start) else {
                continue;
            };
            let mut key = cycle.clone();
            key.sort();
            if !reported.insert(key) {
                continue;
            }
            let mut total = 1.0;
            let mut groups: Vec<String> = Vec::new();
            let mut steps = Vec::new();
            for (i, n) in cycle.iter().enumerate() {
                let next = cycle[(i + 1) % cycle.len()];
                if let Some((gain, by)) = weights.get(&(*n, next)) {
                    total *= gain;
                    for g in by {
                        if !groups.contains(g) {
                            groups.push(g.clone());
                        }
                    }
                }
                let (t, e) = &graph[*n];
                steps.push(format!("`{e}` on `{t}`"));
            }
            if let Some(first) = steps.first().cloned() {
                steps.push(first);
            }
            let culprit = groups.first().cloned().unwrap_or_default();
            self.push(
                Severity::Error,
                "reaction-cycle",
                ElementRef::new(ElementKind::ConsumerGroup, culprit),
                Some("reactions"),
                format!(
                    "reactions form a cycle that amplifies without bound ({}): each event \
                     leads to {total:.2} events back where it started",
                    steps.join(" → ")
                ),
                Some(format!(
                    "lower the probability or fan-out of a reaction in {} so the cycle decays \
                     (product below 1)",
                    groups
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }

    fn sagas(&mut self) {
        for saga in &self.model.sagas {
            let element = ElementRef::new(ElementKind::Saga, &saga.id);
            self.require_event(&element, "trigger", &saga.trigger);
            let steps = match &saga.coordination {
                Coordination::Orchestrated { steps, .. } => steps.len(),
                Coordination::Choreographed { steps } => steps.len(),
            };
            if steps > MAX_SAGA_STEPS {
                self.error(
                    "saga-too-many-steps",
                    &element,
                    "coordination",
                    format!(
                        "saga `{}` has {steps} steps; the simulation follows at most \
                         {MAX_SAGA_STEPS}",
                        saga.id
                    ),
                );
            }
            match &saga.coordination {
                Coordination::Orchestrated { reply_topic, steps } => {
                    self.require_topic(&element, "coordination", reply_topic);
                    if steps.is_empty() {
                        self.error(
                            "saga-no-steps",
                            &element,
                            "coordination",
                            format!("saga `{}` has no steps", saga.id),
                        );
                    }
                    for step in steps {
                        self.require_group(&element, "coordination", &step.participant);
                        self.require_topic(&element, "coordination", &step.command_topic);
                        let events = [
                            Some(&step.command),
                            Some(&step.success),
                            Some(&step.failure),
                            step.compensation.as_ref(),
                        ];
                        for event in events.into_iter().flatten() {
                            self.saga_event(&element, &step.name, event);
                        }
                        self.saga_participant(saga, step, reply_topic);
                        if step.timeout_ms == 0 {
                            self.error(
                                "saga-timeout",
                                &element,
                                "coordination",
                                format!(
                                    "saga `{}`, step `{}`: a timeout of 0 ms fails every step",
                                    saga.id, step.name
                                ),
                            );
                        }
                    }
                }
                Coordination::Choreographed { steps } => {
                    if steps.is_empty() {
                        self.error(
                            "saga-no-steps",
                            &element,
                            "coordination",
                            format!("saga `{}` has no steps", saga.id),
                        );
                    }
                    for (i, step) in steps.iter().enumerate() {
                        let name = format!("{} (step {})", step.participant, i + 1);
                        self.require_group(&element, "coordination", &step.participant);
                        let events = [
                            Some(&step.on),
                            Some(&step.success),
                            step.failure.as_ref(),
                            step.compensation.as_ref(),
                        ];
                        for event in events.into_iter().flatten() {
                            self.saga_event(&element, &name, event);
                        }
                    }
                }
            }
        }
    }

    /// An orchestrated step's participant must read the command topic and answer on the
    /// reply topic, with success and failure probabilities that are one draw (at most 1).
    fn saga_participant(&mut self, saga: &crate::model::Saga, step: &SagaStep, reply_topic: &str) {
        let Some(group) = self.model.consumer_group(&step.participant) else {
            return;
        };
        if !self.has_event(&step.success) || !self.has_event(&step.command) {
            // Already an error of its own.
            return;
        }
        let element = ElementRef::new(ElementKind::Saga, &saga.id);
        if self.model.topic(&step.command_topic).is_some()
            && !group.topics.contains(&step.command_topic)
        {
            self.warning(
                "saga-participant-not-subscribed",
                &element,
                "coordination",
                format!(
                    "saga `{}`, step `{}`: `{}` does not read `{}`, so it never gets the \
                     command and every instance times out",
                    saga.id, step.name, step.participant, step.command_topic
                ),
                format!(
                    "add `{}` to the topics of `{}`",
                    step.command_topic, step.participant
                ),
            );
        }
        let answer = |event: &str| {
            group
                .reactions
                .iter()
                .find(|r| r.emit == event && r.on.as_deref().is_none_or(|on| on == step.command))
        };
        let success = answer(&step.success);
        // The same event for both outcomes is one reaction, counted once.
        let failure = answer(&step.failure).filter(|_| step.failure != step.success);
        if success.is_none() {
            self.warning(
                "saga-participant-never-succeeds",
                &element,
                "coordination",
                format!(
                    "saga `{}`, step `{}`: `{}` has no reaction emitting `{}` on `{}`, so the \
                     step never succeeds",
                    saga.id, step.name, step.participant, step.success, step.command
                ),
                format!(
                    "give `{}` a reaction on `{}` emitting `{}` to `{reply_topic}`",
                    step.participant, step.command, step.success
                ),
            );
        }
        for reaction in [success, failure].into_iter().flatten() {
            if reaction.topic != reply_topic {
                self.warning(
                    "saga-reply-elsewhere",
                    &element,
                    "coordination",
                    format!(
                        "saga `{}`, step `{}`: `{}` emits `{}` to `{}`, but the orchestrator \
                         reads replies on `{reply_topic}`",
                        saga.id, step.name, step.participant, reaction.emit, reaction.topic
                    ),
                    format!("emit `{}` to `{reply_topic}`", reaction.emit),
                );
            }
        }
        let total = success.map_or(0.0, |r| r.probability) + failure.map_or(0.0, |r| r.probability);
        if total > 1.0 + 1e-9 {
            self.error(
                "saga-outcome-probability",
                &element,
                "coordination",
                format!(
                    "saga `{}`, step `{}`: `{}` succeeds with probability {} and fails with {}; \
                     a step has one outcome, so together they must be at most 1",
                    saga.id,
                    step.name,
                    step.participant,
                    success.map_or(0.0, |r| r.probability),
                    failure.map_or(0.0, |r| r.probability)
                ),
            );
        }
    }

    /// Whether `id` is an orchestrated saga (whose orchestrator faults can name).
    fn is_orchestrator(&self, id: &str) -> bool {
        self.model
            .sagas
            .iter()
            .any(|s| s.id == id && matches!(s.coordination, Coordination::Orchestrated { .. }))
    }

    fn saga_event(&mut self, element: &ElementRef, step: &str, event: &str) {
        if !self.has_event(event) {
            let hint = self.suggest(event, self.model.event_types.iter().map(|e| e.id.as_str()));
            self.push(
                Severity::Error,
                "saga-unknown-event",
                element.clone(),
                Some("coordination"),
                format!("{element}, step `{step}`: event type `{event}` does not exist"),
                hint,
            );
        }
    }

    fn projections(&mut self) {
        for projection in &self.model.projections {
            let element = ElementRef::new(ElementKind::Projection, &projection.id);
            if projection.topics.is_empty() {
                self.error(
                    "projection-no-topic",
                    &element,
                    "topics",
                    format!("projection `{}` reads no topic", projection.id),
                );
            }
            for topic in &projection.topics {
                self.require_topic(&element, "topics", topic);
            }
            for fold in &projection.folds {
                self.require_event(&element, "folds", &fold.event_type);
                if self.has_event(&fold.event_type)
                    && !projection.topics.iter().any(|t| {
                        self.model
                            .topic(t)
                            .is_some_and(|t| t.event_types.contains(&fold.event_type))
                    })
                {
                    self.push(
                        Severity::Warning,
                        "projection-event-unreachable",
                        element.clone(),
                        Some("folds"),
                        format!(
                            "projection `{}` folds `{}`, but none of its topics carries it",
                            projection.id, fold.event_type
                        ),
                        Some("add the topic that carries it to the projection's topics".into()),
                    );
                }
            }
            self.check_time(&element, "write_latency", &projection.write_latency);
            self.check_non_negative(
                &element,
                "queries_per_second",
                projection.queries_per_second,
            );
            self.check_probability(
                &element,
                "write_failure_probability",
                projection.write_failure_probability,
            );
            if !projection.idempotent
                && projection
                    .folds
                    .iter()
                    .any(|f| f.ops.iter().any(|o| !matches!(o, FoldOp::Upsert { .. })))
            {
                self.warning(
                    "projection-not-idempotent",
                    &element,
                    "idempotent",
                    format!(
                        "projection `{}` increments or appends without deduplication: \
                         redelivered events are applied twice",
                        projection.id
                    ),
                    "track the last applied offset per partition in the read model".to_owned(),
                );
            }
        }
    }

    fn event_stores(&mut self) {
        for store in &self.model.event_stores {
            let element = ElementRef::new(ElementKind::EventStore, &store.id);
            for event in &store.event_types {
                self.require_event(&element, "event_types", event);
            }
            if store.aggregates == 0 {
                self.error(
                    "aggregates-range",
                    &element,
                    "aggregates",
                    format!("event store `{}` has no aggregates", store.id),
                );
            }
            if store.writers == 0 {
                self.error(
                    "writers-range",
                    &element,
                    "writers",
                    format!("event store `{}` has no writers", store.id),
                );
            }
            if store.snapshot_every == Some(0) {
                self.error_hint(
                    "snapshot-range",
                    &element,
                    "snapshot_every",
                    format!("event store `{}` snapshots every 0 events", store.id),
                    "leave snapshot_every out for no snapshots".to_owned(),
                );
            }
            self.check_non_negative(&element, "commands_per_second", store.commands_per_second);
            self.check_time(&element, "append_latency", &store.append_latency);
            self.check_time(
                &element,
                "read_latency_per_event",
                &store.read_latency_per_event,
            );
            if let Some(publication) = &store.publish {
                self.require_topic(&element, "publish", &publication.topic);
                if publication.mode == PublishMode::DualWrite {
                    self.warning(
                        "dual-write",
                        &element,
                        "publish",
                        format!(
                            "event store `{}` publishes by dual write: a crash between the \
                             append and the publish loses or duplicates events",
                            store.id
                        ),
                        "use the Outbox publish mode".to_owned(),
                    );
                }
            }
            if !store.expected_version && store.writers > 1 {
                self.warning(
                    "no-optimistic-concurrency",
                    &element,
                    "expected_version",
                    format!(
                        "event store `{}` has {} writers but appends without an expected \
                         version: concurrent commands on one aggregate silently interleave",
                        store.id, store.writers
                    ),
                    "append with an expected version".to_owned(),
                );
            }
        }
    }

    fn scenarios(&mut self) {
        let brokers: BTreeSet<u32> = self.model.cluster.brokers.iter().map(|b| b.id).collect();
        for scenario in &self.model.scenarios {
            let element = ElementRef::new(ElementKind::Scenario, &scenario.name);
            if scenario.duration_ms == 0 {
                self.error(
                    "scenario-duration",
                    &element,
                    "duration_ms",
                    format!("scenario `{}` lasts 0 ms", scenario.name),
                );
            } else if scenario.duration_ms > MAX_DURATION_MS {
                self.error(
                    "simulation-limit",
                    &element,
                    "duration_ms",
                    format!(
                        "scenario `{}` lasts {} days; Causeway simulates at most 365 days",
                        scenario.name,
                        match scenario.duration_ms as f64 / 86_400_000.0 {
                            days if days < 1_000.0 => format!("{days:.1}"),
                            days => readable(days.round()),
                        }
                    ),
                );
            }
            for fault in &scenario.faults {
                if fault.at_ms > scenario.duration_ms {
                    self.push(
                        Severity::Warning,
                        "fault-after-end",
                        element.clone(),
                        Some("faults"),
                        format!(
                            "scenario `{}` injects a fault at {} ms, after its end at {} ms",
                            scenario.name, fault.at_ms, scenario.duration_ms
                        ),
                        Some("move the fault earlier or lengthen the scenario".to_owned()),
                    );
                }
                self.check_fault(&element, &brokers, &fault.kind);
            }
            for expectation in &scenario.expectations {
                match expectation {
                    Expectation::MaxLagBelow {
                        group: Some(group), ..
                    } => self.require_group(&element, "expectations", group),
                    Expectation::P99LatencyBelowMs(bound) if bound.is_nan() || *bound <= 0.0 => {
                        self.error(
                            "expectation-bound",
                            &element,
                            "expectations",
                            format!(
                                "{element} expects p99 latency below {} ms, which no run can \
                                 meet: the bound must be above 0",
                                readable(*bound)
                            ),
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    fn check_fault(&mut self, element: &ElementRef, brokers: &BTreeSet<u32>, kind: &FaultKind) {
        let broker = |v: &mut Self, id: u32| {
            if !brokers.contains(&id) {
                v.error(
                    "unknown-broker",
                    element,
                    "faults",
                    format!("{element} names broker {id}, which is not in the cluster"),
                );
            }
        };
        match kind {
            FaultKind::BrokerCrash { broker: id } | FaultKind::BrokerRestart { broker: id } => {
                broker(self, *id);
            }
            FaultKind::MemberCrash { group, member }
            | FaultKind::MemberRestart { group, member } => {
                // A projection reads with a group of its own, of one instance.
                let store = self.model.event_stores.iter().find(|s| s.id == *group);
                let members = match self.model.projections.iter().find(|p| p.id == *group) {
                    Some(p) => Some(super::projection_instances(self.model, p)),
                    // An event store's writers crash and restart like group members.
                    None if store.is_some() => store.map(|s| s.writers.max(1)),
                    // An orchestrated saga's orchestrator runs as one instance.
                    None if self.is_orchestrator(group) => Some(1),
                    None => {
                        self.require_group(element, "faults", group);
                        self.model.consumer_group(group).map(|g| g.members)
                    }
                };
                if let Some(members) = members
                    && *member >= members
                {
                    self.error(
                        "unknown-member",
                        element,
                        "faults",
                        format!(
                            "{element} names member {member} of `{group}`, which has {} \
                             member{} (numbered from 0)",
                            members,
                            if members == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
            FaultKind::Slowdown { group, factor, .. } => {
                if !self.model.projections.iter().any(|p| p.id == *group)
                    && !self.is_orchestrator(group)
                {
                    self.require_group(element, "faults", group);
                }
                if !(factor.is_finite() && *factor > 0.0) {
                    self.error(
                        "fault-factor",
                        element,
                        "faults",
                        format!("{element}: a slowdown factor must be above 0, not {factor}"),
                    );
                }
            }
            FaultKind::ErrorSpike {
                group, probability, ..
            } => {
                // A spike on a projection is an outage of its store: its writes fail.
                if !self.model.projections.iter().any(|p| p.id == *group) {
                    self.require_group(element, "faults", group);
                }
                self.check_probability(element, "faults", *probability);
            }
            FaultKind::ProducerBurst {
                producer, factor, ..
            } => {
                self.require_producer(element, producer);
                if !(factor.is_finite() && *factor > 0.0) {
                    self.error(
                        "fault-factor",
                        element,
                        "faults",
                        format!("{element}: a burst factor must be above 0, not {factor}"),
                    );
                } else if let Some(p) = self.model.producers.iter().find(|p| p.id == *producer)
                    && peak_rate(&p.rate) * factor > MAX_RATE_PER_SECOND
                {
                    self.error(
                        "simulation-limit",
                        element,
                        "faults",
                        format!(
                            "{element} multiplies producer `{producer}`'s rate by {}, to {} \
                             records/s; Causeway simulates at most {MAX_RATE_PER_SECOND} per \
                             producer",
                            readable(*factor),
                            readable(peak_rate(&p.rate) * factor)
                        ),
                    );
                }
            }
            FaultKind::PoisonMessage { producer, .. } => self.require_producer(element, producer),
            FaultKind::RebuildProjection { projection } => {
                if !self.model.projections.iter().any(|p| p.id == *projection) {
                    let hint = self.suggest(
                        projection,
                        self.model.projections.iter().map(|p| p.id.as_str()),
                    );
                    self.push(
                        Severity::Error,
                        "unknown-projection",
                        element.clone(),
                        Some("faults"),
                        format!(
                            "{element} rebuilds projection `{projection}`, which does not exist"
                        ),
                        hint,
                    );
                }
            }
            FaultKind::NetworkPartition {
                client,
                brokers: cut,
                ..
            } => {
                if !self.has_producer(client)
                    && !self.has_group(client)
                    && !self.model.projections.iter().any(|p| p.id == *client)
                    && !self.is_orchestrator(client)
                {
                    self.error(
                        "unknown-client",
                        element,
                        "faults",
                        format!(
                            "{element} cuts off `{client}`, which is not a producer, a consumer \
                             group, a projection or an orchestrated saga"
                        ),
                    );
                }
                for id in cut {
                    broker(self, *id);
                }
            }
        }
    }

    fn require_producer(&mut self, element: &ElementRef, producer: &str) {
        if !self.has_producer(producer) {
            let hint = self.suggest(producer, self.model.producers.iter().map(|p| p.id.as_str()));
            self.push(
                Severity::Error,
                "unknown-producer",
                element.clone(),
                Some("faults"),
                format!("{element} names producer `{producer}`, which does not exist"),
                hint,
            );
        }
    }

    fn layout(&mut self) {
        let ids: BTreeSet<String> = self.model.elements().into_iter().map(|e| e.id).collect();
        for (id, position) in &self.model.layout.positions {
            if !ids.contains(id) {
                self.push(
                    Severity::Info,
                    "layout-orphan",
                    ElementRef::model(),
                    Some("layout"),
                    format!("the layout places `{id}`, which is not an element of the model"),
                    Some("remove the position, or run `causeway fmt` after fixing the id".into()),
                );
            }
            if !position.x.is_finite() || !position.y.is_finite() {
                self.push(
                    Severity::Error,
                    "layout-position",
                    ElementRef::model(),
                    Some("layout"),
                    format!("the position of `{id}` is not a finite number"),
                    None,
                );
            }
        }
    }
}

/// A hash of a key distribution, equal for equal distributions (for lookups only).
fn fingerprint(dist: &KeyDistribution) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match dist {
        KeyDistribution::Uniform { keys, prefix } => (0u8, keys, prefix).hash(&mut h),
        KeyDistribution::Zipf {
            keys,
            exponent,
            prefix,
        } => (1u8, keys, exponent.to_bits(), prefix).hash(&mut h),
        KeyDistribution::Sequential { keys, prefix } => (2u8, keys, prefix).hash(&mut h),
        KeyDistribution::Weighted(list) => {
            3u8.hash(&mut h);
            for k in list {
                (&k.key, k.weight.to_bits()).hash(&mut h);
            }
        }
        KeyDistribution::Null => 4u8.hash(&mut h),
    }
    h.finish()
}

/// The share of records each partition receives under Kafka's key partitioner, or `None`
/// when it is not computed (no key, or too many keys to hash one by one).
pub fn partition_shares(keys: &KeyDistribution, partitions: u32) -> Option<Vec<f64>> {
    let partitions = partitions.max(1);
    let mut shares = vec![0.0; partitions as usize];
    let mut add = |key: &str, weight: f64| {
        let p = partition_for_key(key.as_bytes(), partitions) as usize;
        shares[p] += weight;
    };
    match keys {
        KeyDistribution::Null => return None,
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Sequential { keys, prefix } => {
            if *keys == 0 || *keys > SKEW_CHECK_MAX_KEYS {
                return None;
            }
            let mut key = prefix.clone();
            let mut digits = itoa::Buffer::new();
            for i in 0..*keys {
                key.truncate(prefix.len());
                key.push_str(digits.format(i));
                add(&key, 1.0);
            }
        }
        KeyDistribution::Zipf {
            keys,
            exponent,
            prefix,
        } => {
            if *keys == 0 || *keys > SKEW_CHECK_MAX_KEYS || !exponent.is_finite() {
                return None;
            }
            let mut key = prefix.clone();
            let mut digits = itoa::Buffer::new();
            for i in 0..*keys {
                key.truncate(prefix.len());
                key.push_str(digits.format(i));
                add(&key, 1.0 / ((i + 1) as f64).powf(*exponent));
            }
        }
        KeyDistribution::Weighted(list) => {
            for k in list {
                if k.weight.is_finite() && k.weight > 0.0 {
                    add(&k.key, k.weight);
                }
            }
        }
    }
    let total: f64 = shares.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    for s in &mut shares {
        *s /= total;
    }
    Some(shares)
}

/// Whether `name` is a valid Avro name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_avro_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => false,
    }
}

/// A key that two union branches may not share (Avro forbids two arrays, two maps, or two
/// unnamed types of the same kind; named types are told apart by name).
fn union_branch_key(ty: &AvroType) -> String {
    match ty {
        AvroType::Record(r) => format!("record {}", r.name),
        AvroType::Enum(e) => format!("enum {}", e.name),
        AvroType::Fixed(f) => format!("fixed {}", f.name),
        AvroType::Named(n) => format!("named {n}"),
        AvroType::Array(_) => "array".into(),
        AvroType::Map(_) => "map".into(),
        // Logical types share the branch of their underlying primitive.
        AvroType::Uuid | AvroType::String => "string".into(),
        AvroType::Date | AvroType::TimeMillis | AvroType::Int => "int".into(),
        AvroType::TimeMicros
        | AvroType::TimestampMillis
        | AvroType::TimestampMicros
        | AvroType::Long => "long".into(),
        AvroType::Decimal { .. } | AvroType::Bytes => "bytes".into(),
        other => other.describe(),
    }
}

/// Checks a default against its type as Avro does: a union's default matches any branch
/// (Avro 1.12); records take a map of their fields.
fn default_matches(ty: &AvroType, value: &AvroDefault) -> Result<(), String> {
    let fail = || {
        Err(format!(
            "{} cannot take {}",
            ty.describe(),
            describe_default(value)
        ))
    };
    match (ty, value) {
        (AvroType::Null, AvroDefault::Null) => Ok(()),
        (AvroType::Boolean, AvroDefault::Bool(_)) => Ok(()),
        (AvroType::Int | AvroType::Date | AvroType::TimeMillis, AvroDefault::Int(i)) => {
            if i32::try_from(*i).is_ok() {
                Ok(())
            } else {
                Err(format!("{i} does not fit in a 32-bit int"))
            }
        }
        (
            AvroType::Long
            | AvroType::TimeMicros
            | AvroType::TimestampMillis
            | AvroType::TimestampMicros,
            AvroDefault::Int(_),
        ) => Ok(()),
        (AvroType::Float | AvroType::Double, AvroDefault::Float(_) | AvroDefault::Int(_)) => Ok(()),
        (
            AvroType::String | AvroType::Uuid | AvroType::Bytes | AvroType::Decimal { .. },
            AvroDefault::String(_),
        ) => Ok(()),
        (AvroType::Fixed(f), AvroDefault::String(s)) => {
            if s.chars().count() == f.size as usize {
                Ok(())
            } else {
                Err(format!(
                    "fixed {} needs {} bytes, the default has {}",
                    f.name,
                    f.size,
                    s.chars().count()
                ))
            }
        }
        (AvroType::Enum(e), AvroDefault::String(s)) => {
            if e.symbols.contains(s) {
                Ok(())
            } else {
                Err(format!("`{s}` is not a symbol of enum {}", e.name))
            }
        }
        (AvroType::Array(items), AvroDefault::Array(values)) => {
            values.iter().try_for_each(|v| default_matches(items, v))
        }
        (AvroType::Map(inner), AvroDefault::Map(values)) => {
            values.values().try_for_each(|v| default_matches(inner, v))
        }
        (AvroType::Record(record), AvroDefault::Map(values)) => {
            for field in &record.fields {
                match values.get(&field.name) {
                    Some(v) => default_matches(&field.ty, v)?,
                    None if field.default.is_some() => {}
                    None => return Err(format!("the record default lacks field `{}`", field.name)),
                }
            }
            Ok(())
        }
        (AvroType::Union(branches), v) => {
            if branches.iter().any(|b| default_matches(b, v).is_ok()) {
                Ok(())
            } else {
                fail()
            }
        }
        // A reference to a named type defined elsewhere: checked where it is defined.
        (AvroType::Named(_), _) => Ok(()),
        _ => fail(),
    }
}

fn describe_default(value: &AvroDefault) -> String {
    match value {
        AvroDefault::Null => "null".into(),
        AvroDefault::Bool(b) => b.to_string(),
        AvroDefault::Int(i) => i.to_string(),
        AvroDefault::Float(f) => f.to_string(),
        AvroDefault::String(s) => format!("{s:?}"),
        AvroDefault::Array(_) => "an array".into(),
        AvroDefault::Map(_) => "a map".into(),
    }
}

fn acks_name(acks: Acks) -> &'static str {
    match acks {
        Acks::Zero => "0",
        Acks::One => "1",
        Acks::All => "all",
    }
}

/// `172800000` → `2 days`.
fn human_duration(ms: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1_000, "second"),
    ];
    for (size, name) in UNITS {
        if ms >= size && ms.is_multiple_of(size) {
            let n = ms / size;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    for (size, name) in UNITS {
        if ms >= size {
            // Rounded down, so a duration just short of a threshold never reads as reaching it.
            let tenths = (ms as f64 / size as f64 * 10.0).floor() / 10.0;
            return format!("{tenths:.1} {name}s");
        }
    }
    format!("{ms} ms")
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(current).min(row[j])
            };
            previous = current;
        }
    }
    row[b.len()]
}
