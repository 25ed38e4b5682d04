//! Sagas: long-running business transactions made of local steps, each undone by a
//! compensation when a later step fails.
//!
//! [`SagaRt`] is the saga's bookkeeping as the engine runs it: one [`Instance`] per started
//! saga, the records that belong to each (by record id, so replies find their instance by
//! causation), and the metrics and checker findings. It makes no draws and sends nothing
//! itself: the engine tells it what was processed and emitted, and it answers with what the
//! orchestrator sends next ([`Send`]).
//!
//! - **Orchestrated**: the orchestrator (a consumer group of its own, reading the trigger's
//!   topics and the reply topic) starts an instance per trigger record, sends each step's
//!   command, and waits for the participant's success or failure reply up to the step's
//!   timeout. On a failure it sends the compensations of the completed steps, last step
//!   first; on a timeout it also compensates the step that timed out, whose outcome it cannot
//!   know. Its state is persisted: a crashed orchestrator resumes where it was, firing the
//!   timeouts that fell due while it was down.
//! - **Choreographed**: no orchestrator. A trigger record starts an instance; each
//!   participant's reaction to the previous step's event carries it on; a failure event makes
//!   the participants of completed steps emit their compensations.
//!
//! At-least-once delivery means a participant can see a command (or event) twice. With
//! `idempotent_steps` the repeat is recognised and does nothing; without, the step runs again
//! and the instance is marked inconsistent. A step that runs after its compensation already
//! did (a timed-out command that was only late) is inconsistent too.

use hdrhistogram::Histogram;
use rustc_hash::FxHashMap;

use super::time::Nanos;

/// "No such event type / reaction".
pub const NONE: u16 = u16::MAX;

/// Instances kept after they end, so late and duplicated records still find them.
const RETIRED_LIMIT: usize = 10_000;

/// Problem instances reported in full (with their history).
const PROBLEM_LIMIT: usize = 20;

/// Instances kept as examples per way of ending (completed, compensated).
const EXAMPLES_PER_END: usize = 3;

/// Steps a saga may have (instances keep their steps as bit sets); validation refuses more.
pub const MAX_STEPS: usize = crate::model::validate::MAX_SAGA_STEPS;

/// One step, with the event types (indices) that drive it.
#[derive(Debug, Clone)]
pub struct StepRt {
    /// The step's name.
    pub name: String,
    /// The consumer group (index) that performs it.
    pub participant: u16,
    /// What the participant reacts to: the command (orchestrated) or the event `on`
    /// (choreographed).
    pub on: u16,
    /// The topic (index) the orchestrator sends the command on.
    pub command_topic: u32,
    /// The reply or event that means success.
    pub success: u16,
    /// The reply or event that means failure (`NONE`: the step cannot fail).
    pub failure: u16,
    /// The compensation's event type (`NONE`: nothing to undo).
    pub compensation: u16,
    /// How long the orchestrator waits for a reply.
    pub timeout: Nanos,
    /// Times it ran (first executions per instance).
    pub executed: u64,
    /// Times it failed.
    pub failed: u64,
    /// Times it timed out.
    pub timed_out: u64,
    /// Times it was compensated.
    pub compensated: u64,
    /// Repeated executions of the step or its compensation that had an effect (not
    /// idempotent).
    pub duplicate_executions: u64,
}

/// Where an instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for step n.
    Pending(u8),
    /// A step failed or timed out: waiting for compensations.
    Compensating,
    /// Every step succeeded.
    Completed,
    /// Every completed step was undone.
    Compensated,
}

impl State {
    fn terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Compensated)
    }
}

/// What happened to an instance, for its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    /// The trigger record started it.
    Started,
    /// The orchestrator sent step n's command.
    CommandSent(u8),
    /// Step n ran at its participant.
    Executed(u8),
    /// Step n ran again at its participant (a redelivery), with effect.
    ExecutedAgain(u8),
    /// A repeat of step n was recognised and skipped.
    RepeatAbsorbed(u8),
    /// Step n succeeded.
    Succeeded(u8),
    /// Step n failed.
    Failed(u8),
    /// Step n's reply did not come in time.
    TimedOut(u8),
    /// The orchestrator sent step n's compensation.
    CompensationSent(u8),
    /// Step n's compensation ran.
    Compensated(u8),
    /// Step n's compensation ran again, with effect.
    CompensatedAgain(u8),
    /// Step n ran after the saga had given up on it (it timed out), before its compensation.
    ExecutedLate(u8),
    /// Step n ran after the saga had given up on it, and nothing will undo it: it has no
    /// compensation, or its compensation already ran.
    ExecutedTooLate(u8),
    /// A reply for a step no longer pending was ignored.
    ReplyIgnored(u8),
}

/// One line of an instance's history.
#[derive(Debug, Clone, Copy)]
pub struct HistoryEntry {
    /// When.
    pub at: Nanos,
    /// The record that drove it (0 for a timeout).
    pub record: u64,
    /// The record's event type (`NONE` for a timeout).
    pub event_type: u16,
    /// What happened.
    pub what: Happening,
    /// The state after it.
    pub state: State,
}

/// A running saga.
#[derive(Debug, Clone)]
pub struct Instance {
    serial: u32,
    /// The trigger record's id: the instance's name.
    pub id: u64,
    /// The trigger's key: commands are sent with it.
    pub key: (u16, u32),
    /// The trigger's correlation id.
    pub correlation: u64,
    /// When its trigger was produced.
    pub started_at: Nanos,
    /// When its state last changed.
    pub changed_at: Nanos,
    /// Where it is.
    pub state: State,
    /// Steps that succeeded.
    done: u64,
    /// Steps whose compensation is awaited.
    awaiting: u64,
    /// Steps whose compensation ran.
    undone: u64,
    /// Per step: executions seen (saturating).
    executions: Vec<u8>,
    /// When the pending step's reply is due.
    pub deadline: Nanos,
    /// The latest command sent (what a timeout's compensation is caused by).
    last_command: u64,
    /// Something ran twice with effect, or after its compensation.
    pub inconsistent: bool,
    /// What happened, in order.
    pub history: Vec<HistoryEntry>,
    /// Record ids registered for it.
    records: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Link {
    slot: u32,
    serial: u32,
}

/// A command (or compensation) the orchestrator is to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Send {
    /// The instance (slot).
    pub slot: u32,
    /// The step.
    pub step: u8,
    /// A compensation rather than the step's command.
    pub compensation: bool,
    /// The record that caused it (its causation id).
    pub cause: u64,
}

/// What a participant's processing of a record means for a saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// The record is not part of a live instance of this saga (or not this step's).
    Unrelated,
    /// The step runs (first time, or again without idempotence): the participant replies.
    Run,
    /// A repeat recognised by an idempotent step: no effect, no reply.
    Absorbed,
}

/// A saga as it runs.
#[derive(Debug, Clone)]
pub struct SagaRt {
    /// The saga's id.
    pub name: String,
    /// The trigger's event type.
    pub trigger: u16,
    /// Orchestrated (true) or choreographed.
    pub orchestrated: bool,
    /// The orchestrator's consumer group (index), when orchestrated.
    pub orchestrator: Option<u16>,
    /// The steps, in order.
    pub steps: Vec<StepRt>,
    idempotent: bool,
    slots: Vec<Option<Instance>>,
    free: Vec<u32>,
    next_serial: u32,
    by_record: FxHashMap<u64, Link>,
    retired: std::collections::VecDeque<u32>,
    /// Timeouts that fell due while the orchestrator was down: (slot, serial).
    deferred: Vec<(u32, u32)>,
    /// Instances started.
    pub started: u64,
    /// Instances completed.
    pub completed: u64,
    /// Instances compensated.
    pub compensated: u64,
    /// Instances in which a step timed out.
    pub timed_out: u64,
    /// Instances that ran something twice with effect, or a step after its compensation.
    pub inconsistent: u64,
    /// Trigger records seen again (redelivered to the orchestrator) and ignored.
    pub duplicate_triggers: u64,
    /// Replies for steps no longer pending (duplicates, or late after a timeout).
    pub ignored_replies: u64,
    /// Repeats recognised by idempotent steps.
    pub absorbed_repeats: u64,
    /// Steps run after the saga gave up on them (their timeout or compensation came first).
    pub late_executions: u64,
    /// Start to end of finished instances, in µs.
    pub duration: Histogram<u64>,
    /// Instances pending / compensating, sampled: (seconds, pending, compensating).
    pub series: Vec<(f64, u64, u64)>,
    live_pending: u64,
    live_compensating: u64,
    /// Inconsistent instances, in full (the first few).
    pub problems: Vec<Instance>,
}

impl SagaRt {
    /// A saga with the given steps.
    pub fn new(
        name: String,
        trigger: u16,
        orchestrator: Option<u16>,
        steps: Vec<StepRt>,
        idempotent: bool,
        duration: Histogram<u64>,
    ) -> Self {
        Self {
            name,
            trigger,
            orchestrated: orchestrator.is_some(),
            orchestrator,
            steps,
            idempotent,
            slots: Vec::new(),
            free: Vec::new(),
            next_serial: 0,
            by_record: FxHashMap::default(),
            retired: std::collections::VecDeque::new(),
            deferred: Vec::new(),
            started: 0,
            completed: 0,
            compensated: 0,
            timed_out: 0,
            inconsistent: 0,
            duplicate_triggers: 0,
            ignored_replies: 0,
            absorbed_repeats: 0,
            late_executions: 0,
            duration,
            series: Vec::new(),
            live_pending: 0,
            live_compensating: 0,
            problems: Vec::new(),
        }
    }

    /// The live (not yet retired) instance in `slot`.
    pub fn instance(&self, slot: u32) -> Option<&Instance> {
        self.slots.get(slot as usize)?.as_ref()
    }

    /// The serial number of the instance in `slot` (0 if none): a timeout carries it, so one
    /// for an earlier occupant of the slot is recognised.
    pub fn serial(&self, slot: u32) -> u32 {
        self.instance(slot).map_or(0, |i| i.serial)
    }

    /// Whether `record` belongs to an instance.
    pub fn knows(&self, record: u64) -> bool {
        self.by_record.contains_key(&record)
    }

    fn link(&self, record: u64) -> Option<u32> {
        let link = self.by_record.get(&record)?;
        let instance = self.slots.get(link.slot as usize)?.as_ref()?;
        (instance.serial == link.serial).then_some(link.slot)
    }

    fn get(&mut self, slot: u32) -> &mut Instance {
        // Slots handed out by `link` and `start` are live.
        self.slots[slot as usize]
            .as_mut()
            .unwrap_or_else(|| unreachable_instance())
    }

    /// Starts an instance for a trigger record produced at `born` (its duration counts from
    /// then); `None` if that record already started one.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        record: u64,
        event_type: u16,
        key: (u16, u32),
        correlation: u64,
        born: Nanos,
        now: Nanos,
    ) -> Option<u32> {
        if self.by_record.contains_key(&record) {
            self.duplicate_triggers += 1;
            return None;
        }
        self.next_serial = self.next_serial.wrapping_add(1);
        let serial = self.next_serial;
        let instance = Instance {
            serial,
            id: record,
            key,
            correlation,
            started_at: born.min(now),
            changed_at: now,
            state: State::Pending(0),
            done: 0,
            awaiting: 0,
            undone: 0,
            executions: vec![0; self.steps.len()],
            deadline: Nanos::MAX,
            last_command: record,
            inconsistent: false,
            history: vec![HistoryEntry {
                at: now,
                record,
                event_type,
                what: Happening::Started,
                state: State::Pending(0),
            }],
            records: Vec::new(),
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(instance);
                slot
            }
            None => {
                self.slots.push(Some(instance));
                (self.slots.len() - 1) as u32
            }
        };
        self.register(slot, record);
        self.started += 1;
        self.live_pending += 1;
        Some(slot)
    }

    /// Registers a record as part of an instance, so what it causes finds the instance.
    pub fn register(&mut self, slot: u32, record: u64) {
        let serial = self.get(slot).serial;
        self.get(slot).records.push(record);
        self.by_record.insert(record, Link { slot, serial });
    }

    fn note(&mut self, slot: u32, at: Nanos, record: u64, event_type: u16, what: Happening) {
        let instance = self.get(slot);
        let state = instance.state;
        instance.history.push(HistoryEntry {
            at,
            record,
            event_type,
            what,
            state,
        });
    }

    fn set_state(&mut self, slot: u32, state: State, now: Nanos) {
        let before = self.get(slot).state;
        match before {
            State::Pending(_) => self.live_pending -= 1,
            State::Compensating => self.live_compensating -= 1,
            _ => {}
        }
        match state {
            State::Pending(_) => self.live_pending += 1,
            State::Compensating => self.live_compensating += 1,
            State::Completed => self.completed += 1,
            State::Compensated => self.compensated += 1,
        }
        let instance = self.get(slot);
        instance.state = state;
        instance.changed_at = now;
        if state.terminal() {
            let micros = (now.saturating_sub(instance.started_at) / 1_000).clamp(1, 3_600_000_000);
            let _ = self.duration.record(micros);
            self.retire(slot);
        }
    }

    /// An ended instance stays findable for a while (late and repeated records), then goes.
    fn retire(&mut self, slot: u32) {
        self.retired.push_back(slot);
        while self.retired.len() > RETIRED_LIMIT {
            let Some(old) = self.retired.pop_front() else {
                break;
            };
            self.forget(old);
        }
    }

    fn forget(&mut self, slot: u32) {
        if let Some(instance) = self.slots[slot as usize].take() {
            for record in &instance.records {
                self.by_record.remove(record);
            }
            if instance.inconsistent && self.problems.len() < PROBLEM_LIMIT {
                self.problems.push(instance);
            }
            self.free.push(slot);
        }
    }

    fn mark_inconsistent(&mut self, slot: u32) {
        let instance = self.get(slot);
        if !instance.inconsistent {
            instance.inconsistent = true;
            self.inconsistent += 1;
        }
    }

    // -----------------------------------------------------------------------------------
    // Orchestration

    /// The orchestrator processed a record: a trigger starts an instance, a reply moves one
    /// on. What it sends in consequence is pushed to `sends`.
    #[allow(clippy::too_many_arguments)]
    pub fn orchestrate(
        &mut self,
        record: u64,
        event_type: u16,
        causation: u64,
        key: (u16, u32),
        correlation: u64,
        born: Nanos,
        now: Nanos,
        sends: &mut Vec<Send>,
    ) {
        if event_type == self.trigger {
            if let Some(slot) = self.start(record, event_type, key, correlation, born, now) {
                sends.push(Send {
                    slot,
                    step: 0,
                    compensation: false,
                    cause: record,
                });
            }
            return;
        }
        let reply_of = self
            .steps
            .iter()
            .position(|s| s.success == event_type || s.failure == event_type);
        let Some(reply_of) = reply_of else {
            // Not a reply: nothing for the orchestrator to do.
            return;
        };
        let Some(slot) = self.link(causation) else {
            // A reply for an instance long gone.
            self.ignored_replies += 1;
            return;
        };
        let instance = self.get(slot);
        let pending = match instance.state {
            State::Pending(p) if instance.last_command == causation => Some(p),
            _ => None,
        };
        let Some(step) = pending.filter(|&p| {
            let s = &self.steps[usize::from(p)];
            s.success == event_type || s.failure == event_type
        }) else {
            self.ignored_replies += 1;
            self.note(
                slot,
                now,
                record,
                event_type,
                Happening::ReplyIgnored(reply_of as u8),
            );
            return;
        };
        let success = self.steps[usize::from(step)].success == event_type;
        self.get(slot).deadline = Nanos::MAX;
        if success {
            self.get(slot).done |= 1 << step;
            if usize::from(step) + 1 == self.steps.len() {
                self.set_state(slot, State::Completed, now);
            } else {
                self.set_state(slot, State::Pending(step + 1), now);
                sends.push(Send {
                    slot,
                    step: step + 1,
                    compensation: false,
                    cause: record,
                });
            }
            self.note(slot, now, record, event_type, Happening::Succeeded(step));
        } else {
            self.steps[usize::from(step)].failed += 1;
            self.compensate(slot, None, record, now, sends);
            self.note(slot, now, record, event_type, Happening::Failed(step));
        }
    }

    /// The orchestrator sent a command or compensation: `record` is its id.
    pub fn sent(&mut self, send: Send, record: u64, event_type: u16, now: Nanos) {
        self.register(send.slot, record);
        let what = if send.compensation {
            Happening::CompensationSent(send.step)
        } else {
            let timeout = self.steps[usize::from(send.step)].timeout;
            let instance = self.get(send.slot);
            instance.last_command = record;
            instance.deadline = now.saturating_add(timeout);
            Happening::CommandSent(send.step)
        };
        self.note(send.slot, now, record, event_type, what);
    }

    /// Starts compensating: every completed step with a compensation (and `also`, a step
    /// whose outcome is unknown) is to be undone, last step first.
    fn compensate(
        &mut self,
        slot: u32,
        also: Option<u8>,
        cause: u64,
        now: Nanos,
        sends: &mut Vec<Send>,
    ) {
        let mut steps = self.get(slot).done;
        if let Some(step) = also {
            steps |= 1 << step;
        }
        let mut awaiting = 0u64;
        for (i, step) in self.steps.iter().enumerate() {
            if steps & (1 << i) != 0 && step.compensation != NONE {
                awaiting |= 1 << i;
            }
        }
        // Already undone (a compensation that overtook its step) need not be again.
        awaiting &= !self.get(slot).undone;
        self.get(slot).awaiting = awaiting;
        if awaiting == 0 {
            self.set_state(slot, State::Compensated, now);
            return;
        }
        self.set_state(slot, State::Compensating, now);
        if self.orchestrated {
            for step in (0..self.steps.len()).rev() {
                if awaiting & (1 << step) != 0 {
                    sends.push(Send {
                        slot,
                        step: step as u8,
                        compensation: true,
                        cause,
                    });
                }
            }
        }
    }

    /// A step's timeout fired. `orchestrator_up`: whether the orchestrator is running to see
    /// it (if not, it fires when the orchestrator is back: [`Self::resume`]).
    pub fn timeout(
        &mut self,
        slot: u32,
        serial: u32,
        now: Nanos,
        orchestrator_up: bool,
        sends: &mut Vec<Send>,
    ) {
        let Some(instance) = self.slots.get(slot as usize).and_then(Option::as_ref) else {
            return;
        };
        let State::Pending(step) = instance.state else {
            return;
        };
        if instance.serial != serial || instance.deadline > now {
            return;
        }
        if !orchestrator_up {
            self.deferred.push((slot, serial));
            return;
        }
        let cause = instance.last_command;
        self.get(slot).deadline = Nanos::MAX;
        self.timed_out += 1;
        self.steps[usize::from(step)].timed_out += 1;
        self.compensate(slot, Some(step), cause, now, sends);
        self.note(slot, now, 0, NONE, Happening::TimedOut(step));
    }

    /// The orchestrator is back: the timeouts that fell due meanwhile fire now.
    pub fn resume(&mut self, now: Nanos, sends: &mut Vec<Send>) {
        for (slot, serial) in std::mem::take(&mut self.deferred) {
            self.timeout(slot, serial, now, true, sends);
        }
    }

    // -----------------------------------------------------------------------------------
    // Participants

    /// Participant `step`'s group processed `record`, of the type the step reacts to.
    pub fn execute(&mut self, step: u8, record: u64, event_type: u16, now: Nanos) -> Execution {
        let Some(slot) = self.link(record) else {
            return Execution::Unrelated;
        };
        let s = usize::from(step);
        let idempotent = self.idempotent;
        let orchestrated = self.orchestrated;
        let instance = self.get(slot);
        if !orchestrated && instance.state != State::Pending(step) && instance.executions[s] == 0 {
            // A choreographed step reacts only while its instance waits for it.
            return Execution::Unrelated;
        }
        let before = instance.executions[s];
        instance.executions[s] = before.saturating_add(1);
        // Too late: the saga gave up waiting for it. Harmless if its compensation is still
        // to run (it undoes this); otherwise the effect stays.
        let late = instance.state != State::Pending(step);
        let undone_later = instance.awaiting & (1 << s) != 0;
        if before == 0 {
            self.steps[s].executed += 1;
            if late {
                self.late_executions += 1;
                let what = if undone_later {
                    Happening::ExecutedLate(step)
                } else {
                    self.mark_inconsistent(slot);
                    Happening::ExecutedTooLate(step)
                };
                self.note(slot, now, record, event_type, what);
            } else {
                self.note(slot, now, record, event_type, Happening::Executed(step));
            }
            Execution::Run
        } else if idempotent {
            self.absorbed_repeats += 1;
            self.note(
                slot,
                now,
                record,
                event_type,
                Happening::RepeatAbsorbed(step),
            );
            Execution::Absorbed
        } else {
            self.steps[s].duplicate_executions += 1;
            self.mark_inconsistent(slot);
            self.note(
                slot,
                now,
                record,
                event_type,
                Happening::ExecutedAgain(step),
            );
            Execution::Run
        }
    }

    /// A choreographed participant emitted `event_type` (record `emitted`) in reaction to
    /// `source`: the saga moves on, or a compensation is recorded. Returns whether the event
    /// belongs to an instance.
    pub fn emitted(
        &mut self,
        group: u16,
        source: u64,
        event_type: u16,
        emitted: u64,
        now: Nanos,
    ) -> bool {
        let Some(slot) = self.link(source) else {
            return false;
        };
        let mut belongs = false;
        for i in 0..self.steps.len() {
            let (participant, success, failure) = {
                let step = &self.steps[i];
                (step.participant, step.success, step.failure)
            };
            if participant != group {
                continue;
            }
            let pending = self.get(slot).state == State::Pending(i as u8);
            if success == event_type && pending {
                belongs = true;
                self.register(slot, emitted);
                self.get(slot).done |= 1 << i;
                if i + 1 == self.steps.len() {
                    self.set_state(slot, State::Completed, now);
                } else {
                    self.set_state(slot, State::Pending(i as u8 + 1), now);
                }
                self.note(
                    slot,
                    now,
                    emitted,
                    event_type,
                    Happening::Succeeded(i as u8),
                );
                break;
            }
            if failure == event_type && pending {
                belongs = true;
                self.register(slot, emitted);
                self.steps[i].failed += 1;
                let mut sends = Vec::new();
                self.compensate(slot, None, emitted, now, &mut sends);
                self.note(slot, now, emitted, event_type, Happening::Failed(i as u8));
                break;
            }
        }
        if !belongs {
            // Whatever else a participant emits in reaction to an instance's record (a
            // compensation, a repeat's reply) belongs to it too.
            self.register(slot, emitted);
        }
        true
    }

    /// Whether participant `step` should emit its compensation for `source` (a failure event
    /// of a choreographed instance): only if the step is done there, and not again when
    /// idempotent.
    pub fn wants_compensation(&mut self, step: u8, source: u64, now: Nanos) -> Execution {
        let Some(slot) = self.link(source) else {
            return Execution::Unrelated;
        };
        let instance = self.get(slot);
        if instance.done & (1 << step) == 0 {
            // Nothing to undo here.
            return Execution::Absorbed;
        }
        if instance.undone & (1 << step) != 0 && self.idempotent {
            self.absorbed_repeats += 1;
            self.note(slot, now, source, NONE, Happening::RepeatAbsorbed(step));
            return Execution::Absorbed;
        }
        Execution::Run
    }

    /// Step `step`'s compensation ran (the orchestrated participant processed the
    /// compensation record, or the choreographed one emitted it in reaction to `record`).
    pub fn compensation_ran(&mut self, step: u8, record: u64, event_type: u16, now: Nanos) {
        let Some(slot) = self.link(record) else {
            return;
        };
        let s = usize::from(step);
        let bit = 1u64 << s;
        let idempotent = self.idempotent;
        let instance = self.get(slot);
        if instance.undone & bit != 0 {
            if idempotent {
                self.absorbed_repeats += 1;
                self.note(
                    slot,
                    now,
                    record,
                    event_type,
                    Happening::RepeatAbsorbed(step),
                );
            } else {
                self.steps[s].duplicate_executions += 1;
                self.mark_inconsistent(slot);
                self.note(
                    slot,
                    now,
                    record,
                    event_type,
                    Happening::CompensatedAgain(step),
                );
            }
            return;
        }
        instance.undone |= bit;
        let was_awaited = instance.awaiting & bit != 0;
        instance.awaiting &= !bit;
        let remaining = instance.awaiting;
        let state = instance.state;
        self.steps[s].compensated += 1;
        if was_awaited && remaining == 0 && state == State::Compensating {
            self.set_state(slot, State::Compensated, now);
        }
        self.note(slot, now, record, event_type, Happening::Compensated(step));
    }

    // -----------------------------------------------------------------------------------
    // Reporting

    /// Samples the live instances for the series.
    pub fn sample(&mut self, seconds: f64) {
        self.series
            .push((seconds, self.live_pending, self.live_compensating));
    }

    /// Live instances that have not ended: those unchanged since `stuck_before` (and whose
    /// reply is not still due) are stuck, the others in flight. Returns (stuck, in flight,
    /// the first stuck instances).
    pub fn unfinished(&self, stuck_before: Nanos, now: Nanos) -> (u64, u64, Vec<&Instance>) {
        let mut stuck = 0;
        let mut in_flight = 0;
        let mut examples = Vec::new();
        for instance in self.slots.iter().flatten() {
            if instance.state.terminal() {
                continue;
            }
            let waiting = instance.deadline != Nanos::MAX && instance.deadline > now;
            if instance.changed_at < stuck_before && !waiting {
                stuck += 1;
                if examples.len() < PROBLEM_LIMIT {
                    examples.push(instance);
                }
            } else {
                in_flight += 1;
            }
        }
        (stuck, in_flight, examples)
    }

    /// The earliest instances still kept that ended well, a few completed and a few
    /// compensated: what a normal run of the saga looks like.
    pub fn examples(&self) -> Vec<&Instance> {
        let mut ended: Vec<&Instance> = self
            .slots
            .iter()
            .flatten()
            .filter(|i| i.state.terminal() && !i.inconsistent)
            .collect();
        ended.sort_by_key(|i| i.id);
        let mut out = Vec::new();
        for state in [State::Completed, State::Compensated] {
            out.extend(
                ended
                    .iter()
                    .filter(|i| i.state == state)
                    .take(EXAMPLES_PER_END),
            );
        }
        out
    }

    /// Inconsistent instances, live or retired, the first few.
    pub fn inconsistent_instances(&self) -> Vec<&Instance> {
        let mut list: Vec<&Instance> = self.problems.iter().collect();
        for instance in self.slots.iter().flatten() {
            if list.len() >= PROBLEM_LIMIT {
                break;
            }
            if instance.inconsistent {
                list.push(instance);
            }
        }
        list
    }
}

#[allow(clippy::panic)]
fn unreachable_instance() -> &'static mut Instance {
    panic!("a saga slot handed out as live is empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: u16 = 0;
    const C: [u16; 2] = [1, 2];
    const S: [u16; 2] = [3, 4];
    const F: [u16; 2] = [5, 6];
    const U: [u16; 2] = [7, 8];

    fn orchestrated(idempotent: bool) -> SagaRt {
        let steps = (0..2)
            .map(|i| StepRt {
                name: format!("step{i}"),
                participant: i as u16,
                on: C[i],
                command_topic: i as u32,
                success: S[i],
                failure: F[i],
                compensation: U[i],
                timeout: 1_000,
                executed: 0,
                failed: 0,
                timed_out: 0,
                compensated: 0,
                duplicate_executions: 0,
            })
            .collect();
        let h = Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("histogram");
        SagaRt::new("s".into(), START, Some(9), steps, idempotent, h)
    }

    /// Starts an instance from trigger record 100 and sends step 0's command as record 101.
    fn started(saga: &mut SagaRt) -> u32 {
        let mut sends = Vec::new();
        saga.orchestrate(100, START, 100, (0, 1), 100, 0, 0, &mut sends);
        assert_eq!(
            sends,
            [Send {
                slot: 0,
                step: 0,
                compensation: false,
                cause: 100
            }]
        );
        saga.sent(sends[0], 101, C[0], 0);
        0
    }

    #[test]
    fn a_trigger_seen_twice_starts_one_instance() {
        let mut saga = orchestrated(true);
        started(&mut saga);
        let mut sends = Vec::new();
        saga.orchestrate(100, START, 100, (0, 1), 100, 0, 5, &mut sends);
        assert!(sends.is_empty());
        assert_eq!((saga.started, saga.duplicate_triggers), (1, 1));
    }

    #[test]
    fn a_failure_compensates_the_completed_steps_only_and_a_repeated_reply_is_ignored() {
        let mut saga = orchestrated(true);
        let slot = started(&mut saga);
        let mut sends = Vec::new();
        // Step 0 succeeds (reply 102 caused by command 101): step 1's command goes out.
        saga.orchestrate(102, S[0], 101, (0, 1), 100, 0, 10, &mut sends);
        assert_eq!((sends[0].step, sends[0].compensation), (1, false));
        saga.sent(sends[0], 103, C[1], 10);
        sends.clear();
        // The same success again (redelivered): ignored.
        saga.orchestrate(102, S[0], 101, (0, 1), 100, 0, 11, &mut sends);
        assert!(sends.is_empty());
        assert_eq!(saga.ignored_replies, 1);
        // Step 1 fails: only step 0 is compensated.
        saga.orchestrate(104, F[1], 103, (0, 1), 100, 0, 20, &mut sends);
        assert_eq!(
            sends,
            [Send {
                slot,
                step: 0,
                compensation: true,
                cause: 104
            }]
        );
        assert_eq!(
            saga.instance(slot).map(|i| i.state),
            Some(State::Compensating)
        );
        saga.sent(sends[0], 105, U[0], 20);
        saga.compensation_ran(0, 105, U[0], 30);
        assert_eq!((saga.compensated, saga.completed), (1, 0));
        assert_eq!(saga.steps[0].compensated, 1);
        // Duration: started at 0, compensated at 30 ns (recorded in µs, at least 1).
        assert_eq!(saga.duration.len(), 1);
        // A repeated compensation is absorbed by idempotent steps.
        saga.compensation_ran(0, 105, U[0], 40);
        assert_eq!((saga.absorbed_repeats, saga.inconsistent), (1, 0));
    }

    #[test]
    fn a_timeout_waits_for_the_orchestrator_and_its_timed_out_step_is_compensated_too() {
        let mut saga = orchestrated(false);
        let slot = started(&mut saga);
        let serial = saga.serial(slot);
        let mut sends = Vec::new();
        // Too early: nothing.
        saga.timeout(slot, serial, 999, true, &mut sends);
        assert!(sends.is_empty());
        // Due, but the orchestrator is down: deferred until it is back.
        saga.timeout(slot, serial, 1_000, false, &mut sends);
        assert!(sends.is_empty());
        assert_eq!(saga.timed_out, 0);
        saga.resume(5_000, &mut sends);
        assert_eq!(saga.timed_out, 1);
        // Step 0 timed out before succeeding: its own compensation is sent.
        assert_eq!(
            (sends.len(), sends[0].step, sends[0].compensation),
            (1, 0, true)
        );
        // The late command then runs before the compensation: harmless (it will be undone).
        assert_eq!(saga.execute(0, 101, C[0], 5_001), Execution::Run);
        assert_eq!((saga.late_executions, saga.inconsistent), (1, 0));
        // Run again without idempotence: inconsistent.
        assert_eq!(saga.execute(0, 101, C[0], 5_002), Execution::Run);
        assert_eq!(saga.inconsistent, 1);
        assert_eq!(saga.steps[0].duplicate_executions, 1);
    }

    #[test]
    fn a_timeout_for_an_earlier_occupant_of_the_slot_is_ignored() {
        let mut saga = orchestrated(true);
        let slot = started(&mut saga);
        let old_serial = saga.serial(slot);
        let mut sends = Vec::new();
        saga.orchestrate(102, F[0], 101, (0, 1), 100, 0, 10, &mut sends);
        assert_eq!(saga.compensated, 1, "nothing completed, nothing to undo");
        // Push it out of the retired queue so its slot is reused.
        for i in 0..=RETIRED_LIMIT as u64 {
            let trigger = 1_000 + 3 * i;
            saga.orchestrate(trigger, START, trigger, (0, 1), trigger, 0, 20, &mut sends);
            let command = trigger + 1;
            let send = *sends.last().expect("a command");
            saga.sent(send, command, C[0], 20);
            saga.orchestrate(
                command + 1,
                F[0],
                command,
                (0, 1),
                trigger,
                0,
                30,
                &mut sends,
            );
        }
        assert_ne!(saga.serial(slot), old_serial);
        let before = saga.timed_out;
        saga.timeout(slot, old_serial, 10_000, true, &mut sends);
        assert_eq!(saga.timed_out, before);
    }
}
