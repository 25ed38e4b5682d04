//! Sagas against hand-computed expectations: compensation of completed steps, timeouts, an
//! orchestrator that crashes and resumes, choreography, and repeated deliveries with and
//! without idempotent steps.

use causeway::model::{self, Model};
use causeway::sim::report::SagaReport;
use causeway::sim::{Builder, Report};

/// How one participant of the three-step orchestrated saga behaves.
struct Participant {
    /// Probability of the success reply (the failure reply has the rest, unless `silent`).
    success: f64,
    /// Processing time of one command, in ms.
    processing_ms: f64,
    /// Declare a compensation for the step.
    compensation: bool,
    /// The reply's timeout, in ms.
    timeout_ms: u64,
    /// More group fields, e.g. a commit mode.
    extra: &'static str,
}

impl Default for Participant {
    fn default() -> Self {
        Self {
            success: 1.0,
            processing_ms: 1.0,
            compensation: true,
            timeout_ms: 5_000,
            extra: "commit: AfterEach,",
        }
    }
}

/// A producer starting `instances` sagas at `rate` per second (then the run drains), three
/// participants `one`, `two`, `three` behind command topics, replies on `replies`, and the
/// orchestrated saga `s` over them.
fn orchestrated(
    steps: &[Participant; 3],
    instances: u64,
    rate: f64,
    idempotent_steps: bool,
    faults: &str,
) -> Model {
    let names = ["one", "two", "three"];
    let mut event_types =
        vec![r#"(id: "Start", versions: [(fields: [(name: "v", type: Long)])])"#.to_owned()];
    let mut topics = vec![
        r#"(id: "starts", partitions: 3, replication_factor: 1, min_insync_replicas: 1, event_types: ["Start"])"#.to_owned(),
    ];
    let mut groups = Vec::new();
    let mut saga_steps = Vec::new();
    let mut replies = Vec::new();
    for (i, (name, p)) in names.iter().zip(steps).enumerate() {
        let n = i + 1;
        for e in ["C", "S", "F", "U"] {
            event_types.push(format!(
                r#"(id: "{e}{n}", versions: [(fields: [(name: "v", type: Long)])])"#
            ));
        }
        replies.push(format!(r#""S{n}", "F{n}""#));
        topics.push(format!(
            r#"(id: "cmd{n}", partitions: 3, replication_factor: 1, min_insync_replicas: 1, event_types: ["C{n}", "U{n}"])"#
        ));
        groups.push(format!(
            r#"(id: "{name}", topics: ["cmd{n}"], members: 1, processing_time: Constant(ms: {ms:?}),
                idempotent: true, {extra}
                reactions: [
                    (on: "C{n}", emit: "S{n}", topic: "replies", probability: {ps:?}),
                    (on: "C{n}", emit: "F{n}", topic: "replies", probability: {pf:?}),
                ])"#,
            ms = p.processing_ms,
            extra = p.extra,
            ps = p.success,
            pf = 1.0 - p.success,
        ));
        let compensation = if p.compensation {
            format!(r#"compensation: "U{n}","#)
        } else {
            String::new()
        };
        saga_steps.push(format!(
            r#"(name: "{name}", participant: "{name}", command: "C{n}", command_topic: "cmd{n}",
                success: "S{n}", failure: "F{n}", timeout_ms: {t}, {compensation})"#,
            t = p.timeout_ms,
        ));
    }
    topics.push(format!(
        r#"(id: "replies", partitions: 3, replication_factor: 1, min_insync_replicas: 1, event_types: [{}])"#,
        replies.join(", ")
    ));
    let text = format!(
        r#"(
    format: 1,
    name: "saga",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [{event_types}],
    topics: [{topics}],
    producers: [(id: "p", topics: ["starts"], event_types: ["Start"],
                 rate: Constant(per_second: {rate:?}), keys: Uniform(keys: 100000),
                 record_size: Constant(bytes: 100), enable_idempotence: true, linger_ms: 0.0)],
    consumer_groups: [{groups}],
    sagas: [(id: "s", trigger: "Start", idempotent_steps: {idempotent_steps},
             coordination: Orchestrated(reply_topic: "replies", steps: [{saga_steps}]))],
    scenarios: [(name: "run", seed: 7, duration_ms: 600000, stop_after_records: {instances},
                 faults: [{faults}])],
)"#,
        event_types = event_types.join(", "),
        topics = topics.join(", "),
        groups = groups.join(", "),
        saga_steps = saga_steps.join(", "),
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(model: &Model) -> Report {
    let mut sim = Builder::new(model)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    sim.run();
    sim.report()
}

fn saga(report: &Report) -> &SagaReport {
    report.sagas.get("s").expect("saga `s` is reported")
}

fn checker(report: &Report) -> causeway::sim::check::Verdict {
    report
        .checkers
        .iter()
        .find(|v| v.name == "sagas-complete-or-compensate")
        .cloned()
        .expect("the saga checker runs")
}

#[test]
fn every_step_succeeding_completes_every_instance_once() {
    let report = run(&orchestrated(&Default::default(), 300, 100.0, true, ""));
    let s = saga(&report);
    assert_eq!(s.coordination, "orchestrated");
    assert_eq!((s.started, s.completed, s.compensated), (300, 300, 0));
    for step in &s.steps {
        assert_eq!(
            (step.executed, step.failed, step.compensations),
            (300, 0, 0)
        );
    }
    // Three commands and three replies per instance, nothing else.
    assert_eq!(report.topics["cmd1"].records_in, 300);
    assert_eq!(report.topics["replies"].records_in, 900);
    // Each instance: three steps of a 1 ms command hop, 1 ms processing and a 1 ms reply
    // hop, plus the orchestrator's 1 ms per record: at least 10 ms end to end.
    assert!(s.duration_ms.p50 >= 10.0, "{:?}", s.duration_ms);
    assert!(s.duration_ms.max < 100.0, "{:?}", s.duration_ms);
    assert!(checker(&report).passed);
}

#[test]
fn a_three_step_saga_whose_second_step_always_fails_compensates_step_one_exactly_once() {
    let report = run(&orchestrated(
        &[
            Participant::default(),
            Participant {
                success: 0.0,
                ..Participant::default()
            },
            Participant::default(),
        ],
        500,
        100.0,
        true,
        "",
    ));
    let s = saga(&report);
    assert_eq!((s.started, s.completed, s.compensated), (500, 0, 500));
    let [one, two, three] = &s.steps[..] else {
        panic!("three steps: {:?}", s.steps)
    };
    assert_eq!((one.executed, one.failed, one.compensations), (500, 0, 500));
    assert_eq!((two.executed, two.failed, two.compensations), (500, 500, 0));
    assert_eq!((three.executed, three.compensations), (0, 0));
    // Step one's participant ran each command and each compensation once.
    assert_eq!(report.groups["one"].processed, 1_000);
    assert_eq!(report.topics["cmd3"].records_in, 0);
    assert_eq!(s.timed_out, 0);
    assert_eq!(s.inconsistent, 0);
    assert!(checker(&report).passed);
}

#[test]
fn a_timeout_compensates_the_completed_steps_and_the_one_that_timed_out() {
    // Step two takes 800 ms against a 500 ms timeout, one saga per second (no queueing).
    let slow = |compensation| Participant {
        processing_ms: 800.0,
        timeout_ms: 500,
        compensation,
        ..Participant::default()
    };
    let report = run(&orchestrated(
        &[Participant::default(), slow(true), Participant::default()],
        20,
        1.0,
        true,
        "",
    ));
    let s = saga(&report);
    assert_eq!((s.started, s.completed, s.compensated), (20, 0, 20));
    assert_eq!(s.timed_out, 20);
    assert_eq!(s.steps[1].timed_out, 20);
    // The timed-out step's outcome is unknown, so it is undone too; it ran late (after the
    // timeout) but before its compensation, so the instance ends consistent.
    assert_eq!(s.steps[0].compensations, 20);
    assert_eq!(s.steps[1].compensations, 20);
    assert_eq!(s.late_executions, 20);
    assert_eq!(s.ignored_replies, 20, "the late success replies");
    assert_eq!(s.inconsistent, 0);
    assert!(checker(&report).passed);
    // Each instance lasted the timeout plus the compensation behind the slow command.
    assert!(s.duration_ms.p50 >= 500.0, "{:?}", s.duration_ms);

    // Without a compensation for step two, its late success stays: the checker names it.
    let report = run(&orchestrated(
        &[Participant::default(), slow(false), Participant::default()],
        20,
        1.0,
        true,
        "",
    ));
    let s = saga(&report);
    assert_eq!(
        (s.compensated, s.inconsistent, s.late_executions),
        (20, 20, 20)
    );
    let v = checker(&report);
    assert!(!v.passed);
    assert_eq!(v.violations, 20);
    let example = v.example.unwrap_or_default();
    assert!(
        example.contains("ran `two` after the saga had given up on it, and nothing will undo it"),
        "{example}"
    );
    assert!(example.contains("`two` timed out"), "{example}");
}

#[test]
fn a_crashed_orchestrator_resumes_from_its_persisted_state() {
    // The orchestrator is down from 5.005 s (mid-saga) to 8 s; timeouts (30 s) are longer.
    let patient = || Participant {
        timeout_ms: 30_000,
        ..Participant::default()
    };
    let faults = r#"(at_ms: 5005, kind: MemberCrash(group: "s", member: 0)),
                    (at_ms: 8000, kind: MemberRestart(group: "s", member: 0))"#;
    let report = run(&orchestrated(
        &[patient(), patient(), patient()],
        1_000,
        50.0,
        true,
        faults,
    ));
    let s = saga(&report);
    assert_eq!((s.started, s.completed, s.compensated), (1_000, 1_000, 0));
    for step in &s.steps {
        assert_eq!(
            (step.executed, step.duplicate_executions),
            (1_000, 0),
            "{step:?}"
        );
    }
    assert_eq!((s.stuck, s.inconsistent, s.timed_out), (0, 0, 0));
    // Sagas started while it was down waited for it (durations count from the trigger).
    assert!(s.duration_ms.max >= 2_900.0, "{:?}", s.duration_ms);
    assert!(checker(&report).passed);

    // Down longer than a 1 s timeout: the timeouts that fell due while it was down fire when
    // it is back, and those instances are compensated.
    let quick = || Participant {
        timeout_ms: 1_000,
        ..Participant::default()
    };
    let report = run(&orchestrated(
        &[quick(), quick(), quick()],
        1_000,
        50.0,
        true,
        faults,
    ));
    let s = saga(&report);
    // The one saga mid-way at the crash had sent step one's command at 5.001 s; its reply
    // came while the orchestrator was down, and its timeout (6.001 s) fired at the restart,
    // before the reply waiting in the topic was read: it is compensated, the rest complete.
    assert_eq!((s.timed_out, s.steps[0].timed_out), (1, 1), "{s:?}");
    assert_eq!((s.completed, s.compensated), (999, 1));
    assert_eq!(s.steps[0].compensations, 1);
    assert_eq!((s.stuck, s.inconsistent), (0, 0));
}

#[test]
fn repeated_commands_run_twice_without_idempotent_steps_and_once_with() {
    // Step one's participant commits every 5 s and crashes at 4 s (back at 5 s): the
    // commands it ran since its last commit are delivered again.
    let redelivering = || Participant {
        extra: "commit: Auto(interval_ms: 5000), session_timeout_ms: 500,",
        ..Participant::default()
    };
    let faults = r#"(at_ms: 4000, kind: MemberCrash(group: "one", member: 0)),
                    (at_ms: 5000, kind: MemberRestart(group: "one", member: 0))"#;
    let plain = run(&orchestrated(
        &[
            redelivering(),
            Participant::default(),
            Participant::default(),
        ],
        1_000,
        100.0,
        false,
        faults,
    ));
    let s = saga(&plain);
    let repeats = s.steps[0].duplicate_executions;
    assert!(repeats > 100, "{s:?}");
    assert_eq!(s.inconsistent, repeats);
    // Each repeat replied again; the orchestrator ignored those replies.
    assert_eq!(s.ignored_replies, repeats);
    let v = checker(&plain);
    assert!(!v.passed);
    assert!(
        v.example.unwrap_or_default().contains("ran `one` twice"),
        "{:?}",
        checker(&plain)
    );

    let idempotent = run(&orchestrated(
        &[
            redelivering(),
            Participant::default(),
            Participant::default(),
        ],
        1_000,
        100.0,
        true,
        faults,
    ));
    let s = saga(&idempotent);
    assert_eq!(s.absorbed_repeats, repeats, "the same repeats, recognised");
    assert_eq!((s.inconsistent, s.ignored_replies), (0, 0));
    assert_eq!(s.completed, 1_000);
    assert!(checker(&idempotent).passed);
}

/// Two-step choreography: `a` reacts to Start (S1), `b` to S1 (S2 or F2); `a` undoes its step
/// (U1) when it sees F2.
fn choreographed(b_success: f64, b_failure: f64) -> Model {
    let text = format!(
        r#"(
    format: 1,
    name: "choreography",
    cluster: (brokers: [(id: 1, write_mb_per_s: 1000.0)], network_latency_ms: 1.0),
    event_types: [
        (id: "Start", versions: [(fields: [(name: "v", type: Long)])]),
        (id: "S1", versions: [(fields: [(name: "v", type: Long)])]),
        (id: "S2", versions: [(fields: [(name: "v", type: Long)])]),
        (id: "F2", versions: [(fields: [(name: "v", type: Long)])]),
        (id: "U1", versions: [(fields: [(name: "v", type: Long)])]),
    ],
    topics: [
        (id: "starts", partitions: 2, replication_factor: 1, min_insync_replicas: 1, event_types: ["Start"]),
        (id: "events", partitions: 2, replication_factor: 1, min_insync_replicas: 1,
         event_types: ["S1", "S2", "F2", "U1"]),
    ],
    producers: [(id: "p", topics: ["starts"], event_types: ["Start"],
                 rate: Constant(per_second: 100.0), keys: Uniform(keys: 100000),
                 record_size: Constant(bytes: 100), enable_idempotence: true, linger_ms: 0.0)],
    consumer_groups: [
        (id: "a", topics: ["starts", "events"], members: 1, processing_time: Constant(ms: 1.0),
         commit: AfterEach, idempotent: true, reactions: [
            (on: "Start", emit: "S1", topic: "events"),
            (on: "F2", emit: "U1", topic: "events"),
         ]),
        (id: "b", topics: ["events"], members: 1, processing_time: Constant(ms: 1.0),
         commit: AfterEach, idempotent: true, reactions: [
            (on: "S1", emit: "S2", topic: "events", probability: {b_success:?}),
            (on: "S1", emit: "F2", topic: "events", probability: {b_failure:?}),
         ]),
    ],
    sagas: [(id: "s", trigger: "Start", idempotent_steps: true, coordination: Choreographed(steps: [
        (participant: "a", on: "Start", success: "S1", compensation: "U1"),
        (participant: "b", on: "S1", success: "S2", failure: "F2"),
    ]))],
    scenarios: [(name: "run", seed: 3, duration_ms: 600000, stop_after_records: 400)],
)"#,
    );
    model::load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn a_choreographed_failure_makes_the_earlier_participant_compensate_once() {
    let report = run(&choreographed(0.0, 1.0));
    let s = saga(&report);
    assert_eq!(s.coordination, "choreographed");
    assert_eq!((s.started, s.completed, s.compensated), (400, 0, 400));
    assert_eq!((s.steps[0].executed, s.steps[0].compensations), (400, 400));
    assert_eq!((s.steps[1].executed, s.steps[1].failed), (400, 400));
    assert_eq!(s.inconsistent, 0);
    // Start, S1, F2 and U1 per instance: `a` reads Start and the three events.
    assert_eq!(report.groups["a"].processed, 1_600);
    assert!(checker(&report).passed);
    // Examples of instances that ended well show the chain of events that drove them.
    let example = s
        .examples
        .iter()
        .find(|e| e.state == "compensated")
        .expect("a compensated example");
    let steps: Vec<&str> = example
        .history
        .iter()
        .map(|line| line.split(": ").nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        steps,
        [
            "started → step `a (step 1)` pending",
            "`a (step 1)` ran → step `a (step 1)` pending",
            "`a (step 1)` succeeded → step `b (step 2)` pending",
            "`b (step 2)` ran → step `b (step 2)` pending",
            "`b (step 2)` failed → compensating",
            "`a (step 1)` compensated → compensated",
        ]
    );
    assert!(
        example.history[5].contains(" U1: "),
        "{:?}",
        example.history
    );

    // b's outcome is one draw: success 70%, failure 30%, never both, never neither.
    let report = run(&choreographed(0.7, 0.3));
    let s = saga(&report);
    assert_eq!(s.completed + s.compensated, 400);
    assert_eq!(s.steps[1].failed, s.compensated);
    assert_eq!(s.steps[0].compensations, s.compensated);
    let share = s.compensated as f64 / 400.0;
    assert!((0.22..0.38).contains(&share), "{share}");
}

#[test]
fn a_participant_that_never_answers_leaves_choreographed_instances_stuck_and_the_checker_says_which()
 {
    // b answers neither success nor failure (probabilities 0 and 0).
    let report = run(&choreographed(0.0, 0.0));
    let s = saga(&report);
    assert_eq!((s.completed, s.compensated), (0, 0));
    assert_eq!(s.stuck, 400);
    let v = checker(&report);
    assert!(!v.passed);
    assert_eq!(v.violations, 400);
    let example = v.example.unwrap_or_default();
    assert!(
        example.contains("is step `b (step 2)` pending: stuck"),
        "{example}"
    );
    assert!(example.contains("`a (step 1)` succeeded"), "{example}");
}
