//! `causeway simulate`: run a model headless and report what happened.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::sim::report::grouped;
use crate::sim::time::SECOND;
use crate::sim::trace::TraceEvent;
use crate::sim::{Builder, Options, Report, Sim};

/// The arguments of `causeway simulate`.
#[derive(Debug, Clone)]
pub struct SimulateArgs {
    /// The model file.
    pub model: PathBuf,
    /// The scenario to run (default: the model's first).
    pub scenario: Option<String>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Overrides the scenario's duration, in seconds.
    pub duration: Option<f64>,
    /// Stop producers after this many records, then drain.
    pub produce: Option<u64>,
    /// Write the per-message trace here, as JSON Lines.
    pub trace: Option<PathBuf>,
    /// Print one JSON object instead of the summary.
    pub json: bool,
    /// Exit 1 when a checker or an expectation fails.
    pub check: bool,
}

/// Trace events kept for `--trace`.
const TRACE_CAPACITY: usize = 1_000_000;

pub(super) fn run(args: &SimulateArgs) -> i32 {
    let Some((model, text)) = super::files::load_model_with_text(&args.model) else {
        return 2;
    };
    let errors = super::check::print_errors(&args.model, &text, &model);
    if errors > 0 {
        eprintln!(
            "{}: {errors} error{}: the model cannot be simulated until {} fixed",
            args.model.display(),
            if errors == 1 { "" } else { "s" },
            if errors == 1 { "it is" } else { "they are" }
        );
        return 1;
    }
    if let Some(trace) = &args.trace
        && same_file(trace, &args.model)
    {
        eprintln!(
            "error: --trace {} is the model file itself; writing the trace there would replace \
             the model",
            trace.display()
        );
        return 2;
    }
    // The trace file is created now, so a path that cannot be written fails before the run.
    let trace_file = match &args.trace {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some((path, file)),
            Err(err) => {
                eprintln!(
                    "error: cannot create the trace file {}: {err}",
                    path.display()
                );
                return 2;
            }
        },
        None => None,
    };
    let duration = match args.duration {
        Some(secs) if !(secs.is_finite() && secs > 0.0) => {
            eprintln!("error: --duration must be a positive number of seconds, not {secs}");
            return 2;
        }
        Some(secs) if secs * 1e3 > crate::model::validate::MAX_DURATION_MS as f64 => {
            eprintln!(
                "error: --duration {secs} is longer than Causeway simulates (365 days, {} s)",
                crate::model::validate::MAX_DURATION_MS / 1_000
            );
            return 2;
        }
        Some(secs) => Some((secs * 1e9).min(u64::MAX as f64 / 2.0) as u64),
        None => None,
    };
    let mut builder = Builder::new(&model).options(Options {
        duration,
        produce_limit: args.produce,
        trace_capacity: if args.trace.is_some() {
            TRACE_CAPACITY
        } else {
            0
        },
        ..Options::default()
    });
    if let Some(name) = &args.scenario {
        builder = builder.scenario(name);
    }
    if let Some(seed) = args.seed {
        builder = builder.seed(seed);
    }
    // Wall time counts the build (a model of 100,000 partitions takes a moment to set up).
    let started = Instant::now();
    let mut sim = match builder.build() {
        Ok(sim) => sim,
        Err(err) => {
            eprintln!("{}: error: {err}", args.model.display());
            return 2;
        }
    };
    if model.scenarios.is_empty() {
        eprintln!(
            "{}: note: the model has no scenarios; this is a default run of {} simulated \
             seconds, seed {}, without faults or expectations",
            args.model.display(),
            sim.end() as f64 / 1e9,
            args.seed.unwrap_or(0)
        );
    }
    for fault in sim.faults_after_end() {
        eprintln!(
            "{}: warning: the fault at {} s ({}) is after this run's end at {} s: it will not \
             happen",
            args.model.display(),
            fault.at_ms as f64 / 1e3,
            crate::model::describe::fault(&fault.kind),
            sim.end() as f64 / 1e9
        );
    }
    run_with_progress(&mut sim);
    let mut report = sim.report();
    report.wall_seconds = started.elapsed().as_secs_f64();

    if let Some((path, file)) = trace_file {
        if let Err(err) = write_trace(path, file, &sim) {
            eprintln!("error: {err:#}");
            return 2;
        }
        if let Some(note) = trace_cut_note(sim.trace(), TRACE_CAPACITY, report.sim_seconds) {
            eprintln!("{}: warning: {note}", path.display());
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("error: cannot write the report as JSON: {err}");
                return 2;
            }
        }
    } else {
        print_summary(&report);
    }
    if let Some(reason) = &report.stopped_early {
        eprintln!("{}: error: {reason}", args.model.display());
        return 1;
    }
    if args.check && !report.all_passed() {
        1
    } else {
        0
    }
}

/// Runs to the end, with a progress bar on a terminal for runs that take a while.
fn run_with_progress(sim: &mut Sim) {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(sim.end() / SECOND),
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} simulated {pos}/{len} s [{bar:30}] {msg} ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    while !sim.is_finished() {
        let next = sim.now().saturating_add(SECOND);
        sim.run_until(next);
        bar.set_position(sim.now() / SECOND);
        bar.set_message(format!("{} records", sim.produced()));
    }
    bar.finish_and_clear();
}

/// What to say when the kept trace filled up before the run ended.
fn trace_cut_note(trace: &[TraceEvent], capacity: usize, sim_seconds: f64) -> Option<String> {
    if trace.len() < capacity {
        return None;
    }
    let last = trace.last().map_or(0.0, |e| e.time_ns as f64 / 1e9);
    Some(format!(
        "the trace holds the first {} events, up to {last:.3} of {sim_seconds:.3} simulated \
         seconds; later events are not in it (the trace hash covers them all). Shorten the \
         run with --duration or --produce to trace all of it",
        grouped(capacity as u64)
    ))
}

fn write_trace(path: &Path, file: std::fs::File, sim: &Sim) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut out = std::io::BufWriter::new(file);
    let cannot_write = || format!("cannot write the trace file {}", path.display());
    for event in sim.trace() {
        serde_json::to_writer(&mut out, event).with_context(cannot_write)?;
        out.write_all(b"\n").with_context(cannot_write)?;
    }
    out.flush().with_context(cannot_write)?;
    Ok(())
}

/// Whether two paths name one file (through links, or one path spelled two ways).
fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false; // One of them does not exist (yet): they cannot be the same file.
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if ma.dev() == mb.dev() && ma.ino() == mb.ino() {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!(
        (std::fs::canonicalize(a), std::fs::canonicalize(b)),
        (Ok(x), Ok(y)) if x == y
    )
}

fn print_summary(r: &Report) {
    println!(
        "{} / {} (seed {}): {:.1} simulated seconds in {:.2} s, {} events, trace {}",
        r.model,
        r.scenario,
        r.seed,
        r.sim_seconds,
        r.wall_seconds,
        r.events_processed,
        r.trace_hash
    );
    println!(
        "  produced {}  acknowledged {}  delivered {}  consumer retries {}  dead-lettered {}",
        r.produced, r.acknowledged, r.delivered, r.retries, r.dead_lettered
    );
    println!(
        "  lost {}  duplicates {}  order violations {}  stuck {}",
        r.lost, r.duplicates, r.order_violations, r.stuck
    );
    let unacknowledged = r
        .produced
        .saturating_sub(r.acknowledged)
        .saturating_sub(r.produce_failed);
    if unacknowledged > 0 {
        println!(
            "  not acknowledged when the run ended: {unacknowledged} (in producers' batches, \
             brokers' write queues or retries, or waiting for replication)"
        );
    }
    let l = &r.latency_ms;
    println!(
        "  end-to-end latency ms: p50 {:.3}  p95 {:.3}  p99 {:.3}  max {:.3}  mean {:.3}",
        l.p50, l.p95, l.p99, l.max, l.mean
    );
    for (name, p) in &r.producers {
        println!(
            "  producer {name}: sent {} in {} requests ({:.1} records per batch)",
            p.records_sent, p.batches, p.records_per_batch
        );
    }
    for (name, g) in &r.groups {
        let mut extra = String::new();
        if g.rebalances > 0 {
            extra += &format!(", rebalances {}", g.rebalances);
        }
        if g.evictions > 0 {
            extra += &format!(", evicted {}x", g.evictions);
        }
        println!(
            "  group {name}: processed {}, max lag {}, final lag {}{extra}",
            g.processed, g.max_lag, g.final_lag
        );
    }
    if r.produce_failed > 0 || r.not_enough_replicas > 0 || r.isr_shrinks > 0 {
        println!(
            "  producers gave up on {}  NotEnoughReplicas {}  ISR shrinks {}",
            r.produce_failed, r.not_enough_replicas, r.isr_shrinks
        );
    }
    for (name, p) in &r.projections {
        let s = &p.staleness_ms;
        println!(
            "  projection {name}: applied {}, rows {}, staleness ms p50 {:.3} p99 {:.3} max \
             {:.3}, stale queries {} of {}{}",
            p.applied,
            p.rows,
            s.p50,
            s.p99,
            s.max,
            p.stale_queries,
            p.queries,
            if p.failed_writes > 0 {
                format!(", failed writes {} (retried)", p.failed_writes)
            } else {
                String::new()
            }
        );
    }
    for (name, p) in &r.projections {
        for b in &p.rebuilds {
            let took = b
                .duration_seconds
                .map_or_else(|| "unfinished".to_owned(), |d| format!("took {d:.3} s"));
            println!(
                "  projection {name} rebuilt at {:.1} s: {took}, replayed {}, rows {} → {}, new \
                 events meanwhile staleness ms p99 {:.3}",
                b.started_at_seconds,
                b.replayed,
                b.rows_before,
                b.rows_after,
                b.new_event_staleness_ms.p99
            );
        }
    }
    for (name, e) in &r.event_stores {
        println!(
            "  event store {name}: commands {}, appended {}, conflicts {} ({:.1}%), failed {}, \
             published {}, lost publications {}",
            e.commands,
            e.appended,
            e.conflicts,
            e.conflict_rate * 100.0,
            e.failed_commands,
            e.published,
            e.lost_publications
        );
    }
    for (name, s) in &r.sagas {
        println!(
            "  saga {name} ({}): started {}, completed {}, compensated {}, timed out {}, \
             stuck {}, in flight {}, inconsistent {}; duration ms p50 {:.3} p99 {:.3}",
            s.coordination,
            s.started,
            s.completed,
            s.compensated,
            s.timed_out,
            s.stuck,
            s.in_flight,
            s.inconsistent,
            s.duration_ms.p50,
            s.duration_ms.p99
        );
        for step in &s.steps {
            println!(
                "    step {}: ran {}, failed {}, timed out {}, compensated {}{}",
                step.name,
                step.executed,
                step.failed,
                step.timed_out,
                step.compensations,
                if step.duplicate_executions > 0 {
                    format!(", ran again {}", step.duplicate_executions)
                } else {
                    String::new()
                }
            );
        }
    }
    for alert in &r.alerts {
        println!(
            "  alert: {} (at {:.1} s, value {})",
            alert.rule, alert.fired_at_seconds, alert.value
        );
    }
    for c in &r.checkers {
        let mark = if c.passed { "ok  " } else { "FAIL" };
        match &c.example {
            Some(example) if !c.passed => {
                println!(
                    "  {mark} {} ({} violations; e.g. {example})",
                    c.name, c.violations
                );
            }
            _ => println!("  {mark} {}", c.name),
        }
    }
    for e in &r.expectations {
        let mark = if e.passed { "ok  " } else { "FAIL" };
        println!(
            "  {mark} expect {} (measured {})",
            e.expectation, e.measured
        );
    }
    for note in &r.not_simulated {
        println!("  note: {note}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::trace::TraceKind;

    fn event(time_ns: u64) -> TraceEvent {
        TraceEvent {
            time_ns,
            kind: TraceKind::Produced,
            record: 1,
            key: None,
            topic: "t".into(),
            partition: 0,
            offset: None,
            group: None,
            member: None,
            attempt: None,
            event_type: None,
            correlation_id: 1,
            causation_id: 1,
        }
    }

    #[test]
    fn a_full_trace_says_where_it_stops() {
        let trace: Vec<_> = (1..=4).map(|s| event(s * 1_500_000_000)).collect();
        assert_eq!(trace_cut_note(&trace, 5, 10.0), None);
        let note = trace_cut_note(&trace, 4, 10.0).expect("the trace is full");
        assert!(
            note.starts_with("the trace holds the first 4 events, up to 6.000 of 10.000 simulated"),
            "{note}"
        );
    }
}
