//! Editors for the model's compound values: the variant of an enumeration (a rate process, a
//! key distribution, a duration distribution) with the fields of the chosen variant, optional
//! settings (retention, snapshots, publication) and lists with add and remove (reactions, saga
//! steps, folds, faults, expectations).
//!
//! Each works on a copy through the rows of [`Fields`], like the simple editors. Switching a
//! variant keeps what carries over (a rate stays a rate) and picks defaults for the rest; a
//! combo box changes nothing until the user picks an entry, so a value loaded from a file stays
//! as it is, with its diagnostic under it.

use eframe::egui::Ui;

use crate::model::{
    Broker, ChoreographyStep, Coordination, EventStore, Expectation, Fault, FaultKind, FoldOp,
    FoldRule, KeyDistribution, Publication, PublishMode, RateProcess, RateStep, Reaction,
    Retention, RetryMode, SagaStep, SizeDistribution, TimeDistribution, WeightedKey,
};

use super::fields::Fields;
use crate::model::describe;

/// The names the editors offer for references, by kind.
#[derive(Debug, Default)]
pub struct Known {
    /// Topic ids.
    pub topics: Vec<String>,
    /// Event type ids.
    pub event_types: Vec<String>,
    /// Consumer group ids.
    pub groups: Vec<String>,
    /// Producer ids.
    pub producers: Vec<String>,
    /// Projection ids.
    pub projections: Vec<String>,
    /// Event store ids.
    pub event_stores: Vec<String>,
    /// The ids of orchestrated sagas (a choreographed saga has no orchestrator to fault).
    pub orchestrated_sagas: Vec<String>,
}

impl Known {
    /// The names a fault may target, each with its kind: consumer groups (shown as they are),
    /// projections, and, when asked, event stores and orchestrated sagas, in that order.
    fn fault_targets(&self, stores: bool, sagas: bool) -> Vec<(String, String)> {
        let mut targets: Vec<(String, String)> =
            self.groups.iter().map(|g| (g.clone(), g.clone())).collect();
        let mut add = |ids: &[String], kind: &str| {
            targets.extend(ids.iter().map(|id| (id.clone(), format!("{id} ({kind})"))));
        };
        add(&self.projections, "projection");
        if stores {
            add(&self.event_stores, "event store");
        }
        if sagas {
            add(&self.orchestrated_sagas, "saga");
        }
        targets
    }
}

/// The default key prefix, as the model file's default.
const KEY_PREFIX: &str = "key-";

/// A list header: the list's name (its diagnostics show under it) and an Add button.
fn add_row(f: &mut Fields, ui: &mut Ui, key: &str, what: &str, count: usize) -> bool {
    let text = format!("Add {what}");
    let label = format!("Add to {key}");
    let tooltip = format!("Add a {what} to {key} ({count} now)");
    f.button(ui, key, &text, &label, &tooltip)
}

/// An item's first row: its place in the list and a Remove button.
fn remove_row(f: &mut Fields, ui: &mut Ui, item: &str) -> bool {
    let label = format!("Remove {item}");
    f.button(ui, item, "Remove", &label, &format!("Remove {item}"))
}

/// Removes the item at `remove`, if any.
fn remove_at<T>(items: &mut Vec<T>, remove: Option<usize>) {
    if let Some(index) = remove
        && index < items.len()
    {
        items.remove(index);
    }
}

/// A reference to one of `targets` (id, text shown); a value that is none of them stays, shown
/// as it is, until the user picks another.
fn pick_target(
    f: &mut Fields,
    ui: &mut Ui,
    key: &str,
    value: &mut String,
    targets: &[(String, String)],
    tooltip: &str,
) {
    let mut options: Vec<(String, &str)> = targets
        .iter()
        .map(|(id, text)| (id.clone(), text.as_str()))
        .collect();
    let current = value.clone();
    if !targets.iter().any(|(id, _)| *id == current) {
        let shown = if current.is_empty() {
            "(none)"
        } else {
            current.as_str()
        };
        options.push((current.clone(), shown));
    }
    f.choice(ui, key, value, &options, tooltip);
}

// ---------------------------------------------------------------------------------------------
// Distributions

/// How records arrive: the process, and its rates.
pub fn rate_ui(f: &mut Fields, ui: &mut Ui, rate: &mut RateProcess) {
    let mean = rate.mean_per_second();
    let per_second = if mean.is_finite() && mean > 0.0 {
        mean
    } else {
        100.0
    };
    let options = [
        (
            match rate {
                RateProcess::Constant { .. } => rate.clone(),
                _ => RateProcess::Constant { per_second },
            },
            "constant",
        ),
        (
            match rate {
                RateProcess::Poisson { .. } => rate.clone(),
                _ => RateProcess::Poisson { per_second },
            },
            "Poisson",
        ),
        (
            match rate {
                RateProcess::Bursts { .. } => rate.clone(),
                _ => RateProcess::Bursts {
                    base_per_second: per_second,
                    burst_per_second: per_second * 10.0,
                    every_ms: 60_000,
                    length_ms: 5_000,
                },
            },
            "bursts",
        ),
        (
            match rate {
                RateProcess::Schedule(_) => rate.clone(),
                _ => RateProcess::Schedule(vec![RateStep {
                    from_ms: 0,
                    per_second,
                }]),
            },
            "schedule",
        ),
    ];
    f.choice(ui, "rate", rate, &options, "How records arrive over time");
    let range = 0.0..=10_000_000.0;
    match rate {
        RateProcess::Constant { per_second } | RateProcess::Poisson { per_second } => {
            f.number(
                ui,
                "rate.per_second",
                per_second,
                range,
                "/s",
                "Records per second (the mean, for Poisson)",
            );
        }
        RateProcess::Bursts {
            base_per_second,
            burst_per_second,
            every_ms,
            length_ms,
        } => {
            f.number(
                ui,
                "rate.base_per_second",
                base_per_second,
                range.clone(),
                "/s",
                "Records per second between bursts",
            );
            f.number(
                ui,
                "rate.burst_per_second",
                burst_per_second,
                range,
                "/s",
                "Records per second during a burst",
            );
            f.number(
                ui,
                "rate.every_ms",
                every_ms,
                1..=86_400_000,
                "ms",
                "From the start of one burst to the start of the next",
            );
            f.number(
                ui,
                "rate.length_ms",
                length_ms,
                0..=86_400_000,
                "ms",
                "How long each burst lasts",
            );
        }
        RateProcess::Schedule(steps) => {
            if add_row(f, ui, "rate.steps", "step", steps.len()) {
                let from_ms = steps.last().map_or(0, |s| s.from_ms.saturating_add(60_000));
                let per_second = steps.last().map_or(100.0, |s| s.per_second);
                steps.push(RateStep {
                    from_ms,
                    per_second,
                });
            }
            let mut remove = None;
            for (i, step) in steps.iter_mut().enumerate() {
                let item = format!("rate.steps[{i}]");
                if remove_row(f, ui, &item) {
                    remove = Some(i);
                }
                f.number(
                    ui,
                    &format!("{item}.from_ms"),
                    &mut step.from_ms,
                    0..=u64::MAX,
                    "ms",
                    "When this step starts, from the start of the run",
                );
                f.number(
                    ui,
                    &format!("{item}.per_second"),
                    &mut step.per_second,
                    0.0..=10_000_000.0,
                    "/s",
                    "Mean records per second during the step",
                );
            }
            remove_at(steps, remove);
        }
    }
}

/// How keys are drawn: the distribution, its key count and prefix.
pub fn keys_ui(f: &mut Fields, ui: &mut Ui, keys: &mut KeyDistribution) {
    let (count, prefix) = match keys {
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Zipf { keys, prefix, .. }
        | KeyDistribution::Sequential { keys, prefix } => (*keys, prefix.clone()),
        _ => (1_000, KEY_PREFIX.to_owned()),
    };
    let options = [
        (
            match keys {
                KeyDistribution::Uniform { .. } => keys.clone(),
                _ => KeyDistribution::Uniform {
                    keys: count,
                    prefix: prefix.clone(),
                },
            },
            "uniform",
        ),
        (
            match keys {
                KeyDistribution::Zipf { .. } => keys.clone(),
                _ => KeyDistribution::Zipf {
                    keys: count,
                    exponent: 1.0,
                    prefix: prefix.clone(),
                },
            },
            "Zipf (hot keys)",
        ),
        (
            match keys {
                KeyDistribution::Sequential { .. } => keys.clone(),
                _ => KeyDistribution::Sequential {
                    keys: count,
                    prefix: prefix.clone(),
                },
            },
            "sequential",
        ),
        (
            match keys {
                KeyDistribution::Weighted(_) => keys.clone(),
                _ => KeyDistribution::Weighted(vec![WeightedKey {
                    key: format!("{prefix}0"),
                    weight: 1.0,
                }]),
            },
            "weighted list",
        ),
        (KeyDistribution::Null, "no key"),
    ];
    f.choice(ui, "keys", keys, &options, "How record keys are drawn");
    match keys {
        KeyDistribution::Uniform { keys, prefix }
        | KeyDistribution::Sequential { keys, prefix } => {
            key_count_ui(f, ui, keys, prefix);
        }
        KeyDistribution::Zipf {
            keys,
            exponent,
            prefix,
        } => {
            key_count_ui(f, ui, keys, prefix);
            f.number(
                ui,
                "keys.exponent",
                exponent,
                0.0..=10.0,
                "",
                "The Zipf exponent s: key i has weight 1/i^s (1 is classic Zipf)",
            );
        }
        KeyDistribution::Weighted(list) => {
            if add_row(f, ui, "keys.list", "key", list.len()) {
                list.push(WeightedKey {
                    key: format!("{KEY_PREFIX}{}", list.len()),
                    weight: 1.0,
                });
            }
            let mut remove = None;
            for (i, weighted) in list.iter_mut().enumerate() {
                let item = format!("keys.list[{i}]");
                if remove_row(f, ui, &item) {
                    remove = Some(i);
                }
                f.text(
                    ui,
                    &format!("{item}.key"),
                    &mut weighted.key,
                    false,
                    "The key, hashed as UTF-8",
                );
                f.number(
                    ui,
                    &format!("{item}.weight"),
                    &mut weighted.weight,
                    0.0..=1_000_000.0,
                    "",
                    "Relative weight (the weights need not sum to 1)",
                );
            }
            remove_at(list, remove);
        }
        KeyDistribution::Null => {}
    }
}

fn key_count_ui(f: &mut Fields, ui: &mut Ui, keys: &mut u64, prefix: &mut String) {
    f.number(
        ui,
        "keys.keys",
        keys,
        1..=u64::MAX,
        "keys",
        "Number of distinct keys",
    );
    f.text(
        ui,
        "keys.prefix",
        prefix,
        false,
        "Keys are named prefix + number",
    );
}

/// A distribution of durations named `key`: its kind and its parameters in ms.
pub fn time_ui(f: &mut Fields, ui: &mut Ui, key: &str, dist: &mut TimeDistribution, tooltip: &str) {
    let mean = dist.mean_ms();
    let mean = if mean.is_finite() && mean >= 0.0 {
        mean
    } else {
        10.0
    };
    let options = [
        (
            match dist {
                TimeDistribution::Constant { .. } => dist.clone(),
                _ => TimeDistribution::Constant { ms: mean },
            },
            "constant",
        ),
        (
            match dist {
                TimeDistribution::Uniform { .. } => dist.clone(),
                _ => TimeDistribution::Uniform {
                    min_ms: mean / 2.0,
                    max_ms: mean * 1.5,
                },
            },
            "uniform",
        ),
        (
            match dist {
                TimeDistribution::Exponential { .. } => dist.clone(),
                _ => TimeDistribution::Exponential { mean_ms: mean },
            },
            "exponential",
        ),
        (
            match dist {
                TimeDistribution::LogNormal { .. } => dist.clone(),
                _ => TimeDistribution::LogNormal {
                    median_ms: mean,
                    sigma: 0.5,
                },
            },
            "log-normal",
        ),
    ];
    f.choice(ui, key, dist, &options, tooltip);
    let range = 0.0..=86_400_000.0;
    match dist {
        TimeDistribution::Constant { ms } => {
            f.number(ui, &format!("{key}.ms"), ms, range, "ms", "The duration");
        }
        TimeDistribution::Uniform { min_ms, max_ms } => {
            f.number(
                ui,
                &format!("{key}.min_ms"),
                min_ms,
                range.clone(),
                "ms",
                "Lower bound",
            );
            f.number(
                ui,
                &format!("{key}.max_ms"),
                max_ms,
                range,
                "ms",
                "Upper bound",
            );
        }
        TimeDistribution::Exponential { mean_ms } => {
            f.number(
                ui,
                &format!("{key}.mean_ms"),
                mean_ms,
                range,
                "ms",
                "The mean (memoryless, as in M/M/1)",
            );
        }
        TimeDistribution::LogNormal { median_ms, sigma } => {
            f.number(
                ui,
                &format!("{key}.median_ms"),
                median_ms,
                range,
                "ms",
                "The median",
            );
            f.number(
                ui,
                &format!("{key}.sigma"),
                sigma,
                0.0..=10.0,
                "",
                "Spread of the underlying normal: larger means a longer tail",
            );
        }
    }
}

/// A distribution of record sizes.
pub fn size_ui(f: &mut Fields, ui: &mut Ui, dist: &mut SizeDistribution) {
    let mean = dist.mean_bytes();
    let bytes = if mean.is_finite() && mean >= 1.0 && mean <= f64::from(u32::MAX) {
        mean.round() as u32
    } else {
        1_024
    };
    let options = [
        (
            match dist {
                SizeDistribution::Constant { .. } => dist.clone(),
                _ => SizeDistribution::Constant { bytes },
            },
            "constant",
        ),
        (
            match dist {
                SizeDistribution::Uniform { .. } => dist.clone(),
                _ => SizeDistribution::Uniform {
                    min: bytes / 2,
                    max: bytes.saturating_mul(2),
                },
            },
            "uniform",
        ),
        (
            match dist {
                SizeDistribution::Normal { .. } => dist.clone(),
                _ => SizeDistribution::Normal {
                    mean: f64::from(bytes),
                    std_dev: f64::from(bytes) / 4.0,
                },
            },
            "normal",
        ),
    ];
    f.choice(ui, "record_size", dist, &options, "Record sizes");
    let max = 1024 * 1024 * 1024;
    match dist {
        SizeDistribution::Constant { bytes } => {
            f.number(ui, "record_size.bytes", bytes, 1..=max, "bytes", "The size");
        }
        SizeDistribution::Uniform { min, max: upper } => {
            f.number(ui, "record_size.min", min, 1..=max, "bytes", "Lower bound");
            f.number(
                ui,
                "record_size.max",
                upper,
                1..=max,
                "bytes",
                "Upper bound",
            );
        }
        SizeDistribution::Normal { mean, std_dev } => {
            f.number(
                ui,
                "record_size.mean",
                mean,
                1.0..=f64::from(max),
                "bytes",
                "The mean",
            );
            f.number(
                ui,
                "record_size.std_dev",
                std_dev,
                0.0..=f64::from(max),
                "bytes",
                "The standard deviation (sizes are cut at 1 byte)",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Topics and groups

/// A topic's retention by time and by size, each optional.
pub fn retention_ui(f: &mut Fields, ui: &mut Ui, retention: &mut Retention) {
    f.optional_number(
        ui,
        "retention.time_ms",
        &mut retention.time_ms,
        7 * 24 * 3_600_000,
        ("forever", "limited"),
        1..=u64::MAX,
        "ms",
        "retention.ms: how long records are kept",
    );
    f.optional_number(
        ui,
        "retention.bytes",
        &mut retention.bytes,
        1024 * 1024 * 1024,
        ("no limit", "limited"),
        1..=u64::MAX,
        "bytes",
        "retention.bytes: the most a partition keeps",
    );
}

/// Blocking retries in place, or non-blocking through a retry topic.
pub fn retry_mode_ui(f: &mut Fields, ui: &mut Ui, mode: &mut RetryMode, known: &Known) {
    let retry_topic = match mode {
        RetryMode::RetryTopic { .. } => mode.clone(),
        RetryMode::Blocking => RetryMode::RetryTopic { topic: None },
    };
    f.choice(
        ui,
        "retry.mode",
        mode,
        &[
            (RetryMode::Blocking, "blocking (in place)"),
            (retry_topic, "non-blocking (retry topic)"),
        ],
        "Whether a failed record holds up its partition while it waits",
    );
    if let RetryMode::RetryTopic { topic } = mode {
        f.pick_optional(
            ui,
            "retry.topic",
            topic,
            "re-append to its own topic",
            &known.topics,
            "Where a failed record waits for its next attempt",
        );
    }
}

/// The events a group emits in reaction to what it processes.
pub fn reactions_ui(f: &mut Fields, ui: &mut Ui, reactions: &mut Vec<Reaction>, known: &Known) {
    if add_row(f, ui, "reactions", "reaction", reactions.len()) {
        reactions.push(Reaction {
            on: None,
            emit: known.event_types.first().cloned().unwrap_or_default(),
            topic: known.topics.first().cloned().unwrap_or_default(),
            probability: 1.0,
            fan_out: 1,
        });
    }
    let mut remove = None;
    for (i, reaction) in reactions.iter_mut().enumerate() {
        let item = format!("reactions[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        f.pick_optional(
            ui,
            &format!("{item}.on"),
            &mut reaction.on,
            "any event",
            &known.event_types,
            "The consumed event type that triggers it",
        );
        f.pick(
            ui,
            &format!("{item}.emit"),
            &mut reaction.emit,
            &known.event_types,
            "The event type emitted",
        );
        f.pick(
            ui,
            &format!("{item}.topic"),
            &mut reaction.topic,
            &known.topics,
            "The topic it is emitted to",
        );
        f.number(
            ui,
            &format!("{item}.probability"),
            &mut reaction.probability,
            0.0..=1.0,
            "",
            "Probability that a processed record triggers it",
        );
        f.number(
            ui,
            &format!("{item}.fan_out"),
            &mut reaction.fan_out,
            1..=10_000,
            "events",
            "How many events are emitted each time",
        );
    }
    remove_at(reactions, remove);
}

// ---------------------------------------------------------------------------------------------
// Sagas

/// How a saga is coordinated, and its steps.
pub fn coordination_ui(
    f: &mut Fields,
    ui: &mut Ui,
    coordination: &mut Coordination,
    known: &Known,
) {
    let orchestrated = match coordination {
        Coordination::Orchestrated { .. } => coordination.clone(),
        Coordination::Choreographed { steps } => Coordination::Orchestrated {
            reply_topic: known.topics.first().cloned().unwrap_or_default(),
            steps: steps
                .iter()
                .map(|s| SagaStep {
                    name: s.participant.clone(),
                    participant: s.participant.clone(),
                    command: s.on.clone(),
                    command_topic: known.topics.first().cloned().unwrap_or_default(),
                    success: s.success.clone(),
                    failure: s.failure.clone().unwrap_or_default(),
                    timeout_ms: 30_000,
                    compensation: s.compensation.clone(),
                })
                .collect(),
        },
    };
    let choreographed = match coordination {
        Coordination::Choreographed { .. } => coordination.clone(),
        Coordination::Orchestrated { steps, .. } => Coordination::Choreographed {
            steps: steps
                .iter()
                .map(|s| ChoreographyStep {
                    participant: s.participant.clone(),
                    on: s.command.clone(),
                    success: s.success.clone(),
                    failure: Some(s.failure.clone()).filter(|f| !f.is_empty()),
                    compensation: s.compensation.clone(),
                })
                .collect(),
        },
    };
    f.choice(
        ui,
        "coordination",
        coordination,
        &[
            (orchestrated, "orchestrated"),
            (choreographed, "choreographed"),
        ],
        "A central orchestrator, or participants reacting to each other's events",
    );
    match coordination {
        Coordination::Orchestrated { reply_topic, steps } => {
            f.pick(
                ui,
                "coordination.reply_topic",
                reply_topic,
                &known.topics,
                "The topic the orchestrator receives replies on",
            );
            orchestrated_steps_ui(f, ui, steps, known);
        }
        Coordination::Choreographed { steps } => choreographed_steps_ui(f, ui, steps, known),
    }
}

fn orchestrated_steps_ui(f: &mut Fields, ui: &mut Ui, steps: &mut Vec<SagaStep>, known: &Known) {
    let key = "coordination.steps";
    if add_row(f, ui, key, "step", steps.len()) {
        let first = |names: &[String]| names.first().cloned().unwrap_or_default();
        steps.push(SagaStep {
            name: format!("step-{}", steps.len() + 1),
            participant: first(&known.groups),
            command: first(&known.event_types),
            command_topic: first(&known.topics),
            success: first(&known.event_types),
            failure: first(&known.event_types),
            timeout_ms: 30_000,
            compensation: None,
        });
    }
    let mut remove = None;
    for (i, step) in steps.iter_mut().enumerate() {
        let item = format!("{key}[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        f.text(
            ui,
            &format!("{item}.name"),
            &mut step.name,
            false,
            "The step's name",
        );
        f.pick(
            ui,
            &format!("{item}.participant"),
            &mut step.participant,
            &known.groups,
            "The consumer group that performs it",
        );
        f.pick(
            ui,
            &format!("{item}.command"),
            &mut step.command,
            &known.event_types,
            "The command sent to the participant",
        );
        f.pick(
            ui,
            &format!("{item}.command_topic"),
            &mut step.command_topic,
            &known.topics,
            "The topic the command is sent on",
        );
        f.pick(
            ui,
            &format!("{item}.success"),
            &mut step.success,
            &known.event_types,
            "The reply that means success",
        );
        f.pick(
            ui,
            &format!("{item}.failure"),
            &mut step.failure,
            &known.event_types,
            "The reply that means failure",
        );
        f.number(
            ui,
            &format!("{item}.timeout_ms"),
            &mut step.timeout_ms,
            1..=86_400_000,
            "ms",
            "How long the orchestrator waits for a reply before compensating",
        );
        f.pick_optional(
            ui,
            &format!("{item}.compensation"),
            &mut step.compensation,
            "none",
            &known.event_types,
            "The command that undoes this step",
        );
    }
    remove_at(steps, remove);
}

fn choreographed_steps_ui(
    f: &mut Fields,
    ui: &mut Ui,
    steps: &mut Vec<ChoreographyStep>,
    known: &Known,
) {
    let key = "coordination.steps";
    if add_row(f, ui, key, "step", steps.len()) {
        let first = |names: &[String]| names.first().cloned().unwrap_or_default();
        steps.push(ChoreographyStep {
            participant: first(&known.groups),
            on: steps
                .last()
                .map_or_else(|| first(&known.event_types), |s| s.success.clone()),
            success: first(&known.event_types),
            failure: None,
            compensation: None,
        });
    }
    let mut remove = None;
    for (i, step) in steps.iter_mut().enumerate() {
        let item = format!("{key}[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        f.pick(
            ui,
            &format!("{item}.participant"),
            &mut step.participant,
            &known.groups,
            "The consumer group that reacts",
        );
        f.pick(
            ui,
            &format!("{item}.on"),
            &mut step.on,
            &known.event_types,
            "The event it reacts to",
        );
        f.pick(
            ui,
            &format!("{item}.success"),
            &mut step.success,
            &known.event_types,
            "The event it emits on success",
        );
        f.pick_optional(
            ui,
            &format!("{item}.failure"),
            &mut step.failure,
            "none",
            &known.event_types,
            "The event it emits on failure, which starts compensation",
        );
        f.pick_optional(
            ui,
            &format!("{item}.compensation"),
            &mut step.compensation,
            "none",
            &known.event_types,
            "The event it emits to undo its work when a later step fails",
        );
    }
    remove_at(steps, remove);
}

// ---------------------------------------------------------------------------------------------
// Projections and event stores

/// A projection's folds: per event type, the operations on its row.
pub fn folds_ui(f: &mut Fields, ui: &mut Ui, folds: &mut Vec<FoldRule>, known: &Known) {
    if add_row(f, ui, "folds", "fold", folds.len()) {
        let event_type = known
            .event_types
            .iter()
            .find(|e| !folds.iter().any(|r| &r.event_type == *e))
            .or(known.event_types.first())
            .cloned()
            .unwrap_or_default();
        folds.push(FoldRule {
            event_type,
            ops: vec![FoldOp::Upsert {
                field: "id".to_owned(),
                from: "id".to_owned(),
            }],
        });
    }
    let mut remove = None;
    for (i, rule) in folds.iter_mut().enumerate() {
        let item = format!("folds[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        f.pick(
            ui,
            &format!("{item}.event_type"),
            &mut rule.event_type,
            &known.event_types,
            "The event type folded",
        );
        let ops_key = format!("{item}.ops");
        if add_row(f, ui, &ops_key, "operation", rule.ops.len()) {
            rule.ops.push(FoldOp::Upsert {
                field: String::new(),
                from: String::new(),
            });
        }
        let mut remove_op = None;
        for (j, op) in rule.ops.iter_mut().enumerate() {
            let op_key = format!("{ops_key}[{j}]");
            if remove_row(f, ui, &op_key) {
                remove_op = Some(j);
            }
            fold_op_ui(f, ui, &op_key, op);
        }
        remove_at(&mut rule.ops, remove_op);
    }
    remove_at(folds, remove);
}

fn fold_op_ui(f: &mut Fields, ui: &mut Ui, key: &str, op: &mut FoldOp) {
    let (field, from) = match op {
        FoldOp::Upsert { field, from } | FoldOp::Append { field, from } => {
            (field.clone(), from.clone())
        }
        FoldOp::Increment { field, .. } => (field.clone(), field.clone()),
        FoldOp::Delete => (String::new(), String::new()),
    };
    let options = [
        (
            match op {
                FoldOp::Upsert { .. } => op.clone(),
                _ => FoldOp::Upsert {
                    field: field.clone(),
                    from: from.clone(),
                },
            },
            "upsert",
        ),
        (
            match op {
                FoldOp::Increment { .. } => op.clone(),
                _ => FoldOp::Increment {
                    field: field.clone(),
                    by: 1.0,
                },
            },
            "increment",
        ),
        (
            match op {
                FoldOp::Append { .. } => op.clone(),
                _ => FoldOp::Append { field, from },
            },
            "append",
        ),
        (FoldOp::Delete, "delete"),
    ];
    f.choice(
        ui,
        &format!("{key}.op"),
        op,
        &options,
        "What the event does to its row of the read model",
    );
    match op {
        FoldOp::Upsert { field, from } | FoldOp::Append { field, from } => {
            f.text(
                ui,
                &format!("{key}.field"),
                field,
                false,
                "The read-model column",
            );
            f.text(ui, &format!("{key}.from"), from, false, "The event field");
        }
        FoldOp::Increment { field, by } => {
            f.text(
                ui,
                &format!("{key}.field"),
                field,
                false,
                "The read-model column",
            );
            f.number(
                ui,
                &format!("{key}.by"),
                by,
                -1e12..=1e12,
                "",
                "The amount added (a redelivery adds it twice)",
            );
        }
        FoldOp::Delete => {}
    }
}

/// An event store's snapshots, latencies and publication.
pub fn event_store_extras_ui(f: &mut Fields, ui: &mut Ui, store: &mut EventStore, known: &Known) {
    f.optional_number(
        ui,
        "snapshot_every",
        &mut store.snapshot_every,
        100,
        ("no snapshots", "every N events"),
        1..=1_000_000,
        "events",
        "Take a snapshot every N events, so loading reads fewer",
    );
    time_ui(
        f,
        ui,
        "append_latency",
        &mut store.append_latency,
        "Time to append a batch of events",
    );
    time_ui(
        f,
        ui,
        "read_latency_per_event",
        &mut store.read_latency_per_event,
        "Time to read one event when loading an aggregate",
    );
    let mode = store
        .publish
        .as_ref()
        .map_or(PublishMode::Outbox, |p| p.mode);
    let mut published = store.publish.as_ref().map(|p| p.topic.clone());
    f.pick_optional(
        ui,
        "publish",
        &mut published,
        "not published",
        &known.topics,
        "The topic new events are published to",
    );
    store.publish = published.map(|topic| Publication { topic, mode });
    if let Some(publication) = &mut store.publish {
        f.choice(
            ui,
            "publish.mode",
            &mut publication.mode,
            &[
                (
                    PublishMode::Outbox,
                    describe::publish_mode(PublishMode::Outbox),
                ),
                (
                    PublishMode::DualWrite,
                    describe::publish_mode(PublishMode::DualWrite),
                ),
            ],
            "Outbox (nothing lost) or dual write (a crash in between loses or duplicates)",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// A scenario's faults: when, and what.
pub fn faults_ui(
    f: &mut Fields,
    ui: &mut Ui,
    faults: &mut Vec<Fault>,
    known: &Known,
    brokers: &[u32],
) {
    if add_row(f, ui, "faults", "fault", faults.len()) {
        let at_ms = faults
            .last()
            .map_or(10_000, |l| l.at_ms.saturating_add(10_000));
        faults.push(Fault {
            at_ms,
            kind: FaultKind::BrokerCrash {
                broker: brokers.first().copied().unwrap_or(1),
            },
        });
    }
    let mut remove = None;
    for (i, fault) in faults.iter_mut().enumerate() {
        let item = format!("faults[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        f.number(
            ui,
            &format!("{item}.at_ms"),
            &mut fault.at_ms,
            0..=u64::MAX,
            "ms",
            "When, from the start of the run",
        );
        fault_kind_ui(f, ui, &item, &mut fault.kind, known, brokers);
    }
    remove_at(faults, remove);
}

fn fault_kind_ui(
    f: &mut Fields,
    ui: &mut Ui,
    item: &str,
    kind: &mut FaultKind,
    known: &Known,
    brokers: &[u32],
) {
    let first = |names: &[String]| names.first().cloned().unwrap_or_default();
    let broker = match kind {
        FaultKind::BrokerCrash { broker } | FaultKind::BrokerRestart { broker } => *broker,
        _ => brokers.first().copied().unwrap_or(1),
    };
    let group = match kind {
        FaultKind::MemberCrash { group, .. }
        | FaultKind::MemberRestart { group, .. }
        | FaultKind::Slowdown { group, .. }
        | FaultKind::ErrorSpike { group, .. } => group.clone(),
        _ => known
            .groups
            .first()
            .or(known.projections.first())
            .cloned()
            .unwrap_or_default(),
    };
    let producer = match kind {
        FaultKind::ProducerBurst { producer, .. } | FaultKind::PoisonMessage { producer, .. } => {
            producer.clone()
        }
        _ => first(&known.producers),
    };
    let keep = |current: &FaultKind, same: bool, other: FaultKind| {
        if same { current.clone() } else { other }
    };
    let options = [
        (
            keep(
                kind,
                matches!(kind, FaultKind::BrokerCrash { .. }),
                FaultKind::BrokerCrash { broker },
            ),
            "broker crash",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::BrokerRestart { .. }),
                FaultKind::BrokerRestart { broker },
            ),
            "broker restart",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::MemberCrash { .. }),
                FaultKind::MemberCrash {
                    group: group.clone(),
                    member: 0,
                },
            ),
            "member crash",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::MemberRestart { .. }),
                FaultKind::MemberRestart {
                    group: group.clone(),
                    member: 0,
                },
            ),
            "member restart",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::Slowdown { .. }),
                FaultKind::Slowdown {
                    group: group.clone(),
                    factor: 5.0,
                    duration_ms: 10_000,
                },
            ),
            "slowdown",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::ProducerBurst { .. }),
                FaultKind::ProducerBurst {
                    producer: producer.clone(),
                    factor: 5.0,
                    duration_ms: 10_000,
                },
            ),
            "producer burst",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::ErrorSpike { .. }),
                FaultKind::ErrorSpike {
                    group,
                    probability: 0.5,
                    duration_ms: 10_000,
                },
            ),
            "error spike",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::PoisonMessage { .. }),
                FaultKind::PoisonMessage {
                    producer: producer.clone(),
                    key: "poison".to_owned(),
                },
            ),
            "poison message",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::RebuildProjection { .. }),
                FaultKind::RebuildProjection {
                    projection: first(&known.projections),
                },
            ),
            "projection rebuild",
        ),
        (
            keep(
                kind,
                matches!(kind, FaultKind::NetworkPartition { .. }),
                FaultKind::NetworkPartition {
                    client: producer,
                    brokers: vec![broker],
                    duration_ms: 10_000,
                },
            ),
            "network partition",
        ),
    ];
    f.choice(ui, &format!("{item}.kind"), kind, &options, "What happens");
    // Each kind names exactly what validation accepts (see `check_fault`): a member crash or
    // restart any reader or writer, a slowdown anything that processes, an error spike a
    // group or a projection's store, a network partition any client of the cluster.
    let members = known.fault_targets(true, true);
    let processors = known.fault_targets(false, true);
    let failing = known.fault_targets(false, false);
    let mut clients: Vec<(String, String)> = known
        .producers
        .iter()
        .map(|p| (p.clone(), p.clone()))
        .collect();
    clients.extend(processors.iter().cloned());
    let duration = |f: &mut Fields, ui: &mut Ui, value: &mut u64| {
        f.number(
            ui,
            &format!("{item}.duration_ms"),
            value,
            0..=86_400_000,
            "ms",
            "How long it lasts",
        );
    };
    match kind {
        FaultKind::BrokerCrash { broker } | FaultKind::BrokerRestart { broker } => {
            broker_ui(f, ui, &format!("{item}.broker"), broker, brokers);
        }
        FaultKind::MemberCrash { group, member } | FaultKind::MemberRestart { group, member } => {
            pick_target(
                f,
                ui,
                &format!("{item}.group"),
                group,
                &members,
                "The consumer group, projection, event store (its writers) or orchestrated saga \
                 (its orchestrator)",
            );
            f.number(
                ui,
                &format!("{item}.member"),
                member,
                0..=10_000,
                "",
                "The member index, from 0",
            );
        }
        FaultKind::Slowdown {
            group,
            factor,
            duration_ms,
        } => {
            pick_target(
                f,
                ui,
                &format!("{item}.group"),
                group,
                &processors,
                "The consumer group, projection or orchestrated saga (its orchestrator)",
            );
            f.number(
                ui,
                &format!("{item}.factor"),
                factor,
                0.0..=1_000.0,
                "x",
                "Processing-time multiplier",
            );
            duration(f, ui, duration_ms);
        }
        FaultKind::ProducerBurst {
            producer,
            factor,
            duration_ms,
        } => {
            f.pick(
                ui,
                &format!("{item}.producer"),
                producer,
                &known.producers,
                "The producer",
            );
            f.number(
                ui,
                &format!("{item}.factor"),
                factor,
                0.0..=1_000.0,
                "x",
                "Rate multiplier",
            );
            duration(f, ui, duration_ms);
        }
        FaultKind::ErrorSpike {
            group,
            probability,
            duration_ms,
        } => {
            pick_target(
                f,
                ui,
                &format!("{item}.group"),
                group,
                &failing,
                "The consumer group, or a projection (an outage of its store: its writes fail)",
            );
            f.number(
                ui,
                &format!("{item}.probability"),
                probability,
                0.0..=1.0,
                "",
                "The failure probability during the spike",
            );
            duration(f, ui, duration_ms);
        }
        FaultKind::PoisonMessage { producer, key } => {
            f.pick(
                ui,
                &format!("{item}.producer"),
                producer,
                &known.producers,
                "The producer",
            );
            f.text(
                ui,
                &format!("{item}.key"),
                key,
                false,
                "The key of the record every consumer fails on",
            );
        }
        FaultKind::RebuildProjection { projection } => {
            f.pick(
                ui,
                &format!("{item}.projection"),
                projection,
                &known.projections,
                "The projection whose read model is rebuilt from its topics",
            );
        }
        FaultKind::NetworkPartition {
            client,
            brokers: cut,
            duration_ms,
        } => {
            pick_target(
                f,
                ui,
                &format!("{item}.client"),
                client,
                &clients,
                "The producer, consumer group, projection or orchestrated saga cut off",
            );
            let known_brokers: Vec<String> = brokers.iter().map(u32::to_string).collect();
            let mut names: Vec<String> = cut.iter().map(u32::to_string).collect();
            f.list(
                ui,
                &format!("{item}.brokers"),
                &mut names,
                &known_brokers,
                "The brokers it cannot reach",
            );
            *cut = names.iter().filter_map(|n| n.parse().ok()).collect();
            duration(f, ui, duration_ms);
        }
    }
}

fn broker_ui(f: &mut Fields, ui: &mut Ui, key: &str, broker: &mut u32, brokers: &[u32]) {
    let mut options: Vec<(u32, String)> = brokers
        .iter()
        .map(|b| (*b, format!("broker {b}")))
        .collect();
    if !brokers.contains(broker) {
        options.push((*broker, format!("broker {broker}")));
    }
    let options: Vec<(u32, &str)> = options.iter().map(|(b, n)| (*b, n.as_str())).collect();
    f.choice(ui, key, broker, &options, "The broker");
}

/// What a run of the scenario must show.
pub fn expectations_ui(
    f: &mut Fields,
    ui: &mut Ui,
    expectations: &mut Vec<Expectation>,
    known: &Known,
) {
    if add_row(f, ui, "expectations", "expectation", expectations.len()) {
        expectations.push(Expectation::NoLostRecords);
    }
    let mut remove = None;
    for (i, expectation) in expectations.iter_mut().enumerate() {
        let item = format!("expectations[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        let keep = |same: bool, other: Expectation| if same { expectation.clone() } else { other };
        let options = [
            (
                keep(
                    matches!(expectation, Expectation::P99LatencyBelowMs(_)),
                    Expectation::P99LatencyBelowMs(100.0),
                ),
                "p99 latency below",
            ),
            (
                keep(
                    matches!(expectation, Expectation::MaxLagBelow { .. }),
                    Expectation::MaxLagBelow {
                        group: None,
                        records: 1_000,
                    },
                ),
                "max lag below",
            ),
            (Expectation::NoLostRecords, "no lost records"),
            (Expectation::NoDuplicates, "no duplicates"),
            (Expectation::NoOrderViolations, "no order violations"),
            (
                keep(
                    matches!(expectation, Expectation::DeadLetteredAtMost(_)),
                    Expectation::DeadLetteredAtMost(0),
                ),
                "dead-lettered at most",
            ),
            (Expectation::SomeLostRecords, "some lost records"),
        ];
        f.choice(
            ui,
            &format!("{item}.kind"),
            expectation,
            &options,
            "What the run must show",
        );
        match expectation {
            Expectation::P99LatencyBelowMs(bound) => f.number(
                ui,
                &format!("{item}.ms"),
                bound,
                0.0..=86_400_000.0,
                "ms",
                "The end-to-end p99 latency bound",
            ),
            Expectation::MaxLagBelow { group, records } => {
                f.pick_optional(
                    ui,
                    &format!("{item}.group"),
                    group,
                    "every group",
                    &known.groups,
                    "The group whose lag is bounded",
                );
                f.number(
                    ui,
                    &format!("{item}.records"),
                    records,
                    0..=u64::MAX,
                    "records",
                    "The lag bound",
                );
            }
            Expectation::DeadLetteredAtMost(count) => f.number(
                ui,
                &format!("{item}.records"),
                count,
                0..=u64::MAX,
                "records",
                "The most records that may be dead-lettered",
            ),
            Expectation::NoLostRecords
            | Expectation::NoDuplicates
            | Expectation::NoOrderViolations
            | Expectation::SomeLostRecords => {}
        }
    }
    remove_at(expectations, remove);
}

/// A list of free-text items (poison keys, the model's notes), each editable and removable.
pub fn text_list_ui(
    f: &mut Fields,
    ui: &mut Ui,
    key: &str,
    items: &mut Vec<String>,
    (what, multiline): (&str, bool),
    tooltip: &str,
) {
    if add_row(f, ui, key, what, items.len()) {
        items.push(String::new());
    }
    let mut remove = None;
    for (i, item) in items.iter_mut().enumerate() {
        let item_key = format!("{key}[{i}]");
        if remove_row(f, ui, &item_key) {
            remove = Some(i);
        }
        f.text(ui, &format!("{item_key}.text"), item, multiline, tooltip);
    }
    remove_at(items, remove);
}

/// The cluster's brokers, each with Remove, and Add, which adds a broker with the next id and
/// the write speed of the last one. A removed broker that a topic or a fault still names
/// stays named there, and validation says so.
pub fn brokers_ui(f: &mut Fields, ui: &mut Ui, brokers: &mut Vec<Broker>) {
    if add_row(f, ui, "brokers", "broker", brokers.len()) {
        let id = brokers
            .iter()
            .map(|b| b.id)
            .max()
            .map_or(1, |max| max.saturating_add(1));
        let write_mb_per_s = brokers.last().map_or(200.0, |b| b.write_mb_per_s);
        brokers.push(Broker {
            id,
            rack: None,
            write_mb_per_s,
        });
    }
    let mut remove = None;
    for (i, broker) in brokers.iter().enumerate() {
        let item = format!("brokers[{i}]");
        if remove_row(f, ui, &item) {
            remove = Some(i);
        }
        let shown = match &broker.rack {
            Some(rack) => format!("broker {} ({rack})", broker.id),
            None => format!("broker {}", broker.id),
        };
        f.read_only(ui, &format!("{item}.id"), &shown);
    }
    remove_at(brokers, remove);
}
