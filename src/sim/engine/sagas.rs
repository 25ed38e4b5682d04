//! Sagas: the engine's side of orchestration and choreography (the state machine is `sim::saga`).

use super::*;

impl Sim {
    /// A record of a choreographed saga's trigger type was produced: an instance starts.
    pub(super) fn start_saga(&mut self, event_type: u16, id: u64, rec: &Rec, now: Nanos) {
        let Some(&si) = self.saga_triggers.get(usize::from(event_type)) else {
            return;
        };
        if si == saga::NONE {
            return;
        }
        let correlation = if rec.id == id { id } else { rec.correlation };
        self.sagas[usize::from(si)].start(
            id,
            event_type,
            (rec.key_space, rec.key),
            correlation,
            now,
            now,
        );
    }

    /// A saga participant processed `rec`: runs the steps it performs, drawing each step's
    /// outcome once. Returns the reactions it decided (bit per index), which the ordinary
    /// reaction loop then skips.
    pub(super) fn saga_participate(&mut self, group: u16, rec: &Rec) -> u64 {
        let gi = usize::from(group);
        let mut decided = 0u64;
        for k in 0..self.groups[gi].saga_steps.len() {
            let role = self.groups[gi].saga_steps[k];
            let si = usize::from(role.saga);
            let on = self.sagas[si].steps[usize::from(role.step)].on;
            if rec.event_type == on {
                for r in [role.success, role.failure] {
                    if r != NONE_U16 && r < 64 {
                        decided |= 1 << r;
                    }
                }
                let execution = self.sagas[si].execute(role.step, rec.id, rec.event_type, self.now);
                if execution == Execution::Absorbed {
                    continue;
                }
                // One draw: success, failure, or no answer at all.
                let p = |r: u16, g: &GroupRt| {
                    g.reactions
                        .get(usize::from(r))
                        .map_or(0.0, |x| x.probability)
                };
                let (ps, pf) = (
                    p(role.success, &self.groups[gi]),
                    p(role.failure, &self.groups[gi]),
                );
                if ps + pf <= 0.0 {
                    continue;
                }
                let u = self.groups[gi].rng_reactions.uniform();
                let chosen = if u < ps {
                    role.success
                } else if u < ps + pf {
                    role.failure
                } else {
                    NONE_U16
                };
                if chosen != NONE_U16 {
                    self.emit_reaction(group, rec, usize::from(chosen));
                }
            } else if role.compensation_type == rec.event_type
                && self.sagas[si].orchestrated
                && self.sagas[si].knows(rec.id)
            {
                // The orchestrator's compensation command, run by the participant.
                self.sagas[si].compensation_ran(role.step, rec.id, rec.event_type, self.now);
            } else if role.compensation != NONE_U16 {
                let reaction = self.groups[gi].reactions[usize::from(role.compensation)];
                if reaction.on != rec.event_type && reaction.on != NONE_U16 {
                    continue;
                }
                let execution = self.sagas[si].wants_compensation(role.step, rec.id, self.now);
                if execution == Execution::Unrelated {
                    continue;
                }
                if role.compensation < 64 {
                    decided |= 1 << role.compensation;
                }
                if execution == Execution::Absorbed {
                    continue;
                }
                let fire = self.groups[gi].rng_reactions.chance(reaction.probability);
                if fire {
                    // The compensation event joins the instance as it is emitted.
                    let emitted = self.next_record_id;
                    self.emit_reaction(group, rec, usize::from(role.compensation));
                    self.sagas[si].compensation_ran(role.step, emitted, reaction.emit, self.now);
                }
            }
        }
        decided
    }

    /// The orchestrator of saga `si` processed `rec`.
    pub(super) fn orchestrate(&mut self, si: u16, rec: &Rec) {
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[usize::from(si)].orchestrate(
            rec.id,
            rec.event_type,
            rec.causation,
            (rec.key_space, rec.key),
            rec.correlation,
            rec.produced_at,
            self.now,
            &mut sends,
        );
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// Sends what an orchestrator decided: commands (with their timeouts) and compensations.
    pub(super) fn send_saga_messages(&mut self, si: u16, sends: &[saga::Send]) {
        let s = usize::from(si);
        let Some(group) = self.sagas[s].orchestrator else {
            return;
        };
        for &send in sends {
            let Some(instance) = self.sagas[s].instance(send.slot) else {
                continue;
            };
            let (key_space, key) = instance.key;
            let correlation = instance.correlation;
            let step = &self.sagas[s].steps[usize::from(send.step)];
            let topic = step.command_topic;
            let event_type = if send.compensation {
                step.compensation
            } else {
                step.on
            };
            if topic == u32::MAX || event_type == saga::NONE {
                continue;
            }
            // The message carries the instance's key (so one instance's messages keep their
            // order) and is caused by the record that decided it.
            let cause = Rec {
                id: send.cause,
                produced_at: self.now,
                appended_at: 0,
                key,
                key_space,
                origin: NONE_U16,
                event_type,
                retry_group: NONE_U16,
                attempt: NonZeroU16::MIN,
                failed_sends: 0,
                size: STORED_EVENT_BYTES,
                correlation,
                causation: send.cause,
            };
            let id = self.next_record_id;
            self.publish_derived(topic, cause, group, 1, event_type);
            self.sagas[s].sent(send, id, event_type, self.now);
            if !send.compensation {
                let timeout = self.sagas[s].steps[usize::from(send.step)].timeout;
                let serial = self.sagas[s].serial(send.slot);
                self.schedule(
                    self.now.saturating_add(timeout),
                    Ev::SagaTimeout {
                        saga: si,
                        slot: send.slot,
                        serial,
                    },
                );
            }
        }
    }

    pub(super) fn on_saga_timeout(&mut self, si: u16, slot: u32, serial: u32) {
        let s = usize::from(si);
        let up = self.sagas[s]
            .orchestrator
            .is_some_and(|g| self.groups[usize::from(g)].members.iter().any(|m| m.alive));
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[s].timeout(slot, serial, self.now, up, &mut sends);
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// An orchestrator's process came back: it reloads its sagas' state and fires the
    /// timeouts that fell due while it was down.
    pub(super) fn resume_orchestrator(&mut self, group: u16) {
        let Some(si) = self.groups[usize::from(group)].orchestrates else {
            return;
        };
        let mut sends = std::mem::take(&mut self.saga_sends);
        self.sagas[usize::from(si)].resume(self.now, &mut sends);
        self.send_saga_messages(si, &sends);
        sends.clear();
        self.saga_sends = sends;
    }

    /// Consumer lag of a group: log end minus committed offset, over its partitions.
    /// The sagas' results, and their checker: every instance ends completed or fully
    /// compensated, having run each step and compensation once.
    pub(super) fn saga_reports(
        &self,
        stuck_before: Nanos,
        verdicts: &mut Vec<crate::sim::check::Verdict>,
    ) -> std::collections::BTreeMap<String, SagaReport> {
        let mut reports = std::collections::BTreeMap::new();
        let mut violations = 0;
        let mut example = None;
        for s in &self.sagas {
            let (stuck, in_flight, stuck_list) = s.unfinished(stuck_before, self.now);
            let mut problems = Vec::new();
            for instance in stuck_list {
                problems.push(self.describe_instance(
                    s,
                    instance,
                    "stuck: neither completed nor compensated",
                ));
            }
            for instance in s.inconsistent_instances() {
                if problems.len() >= 20 {
                    break;
                }
                let problem = describe_inconsistency(s, instance);
                problems.push(self.describe_instance(s, instance, &problem));
            }
            violations += stuck + s.inconsistent;
            if example.is_none()
                && let Some(first) = problems.first()
            {
                example = Some(format!(
                    "saga `{}`, instance #{} (key {}) is {}: {}; {}",
                    s.name,
                    first.instance,
                    first.key,
                    first.state,
                    first.problem,
                    first.history.join("; ")
                ));
            }
            reports.insert(
                s.name.clone(),
                SagaReport {
                    coordination: if s.orchestrated {
                        "orchestrated"
                    } else {
                        "choreographed"
                    },
                    started: s.started,
                    completed: s.completed,
                    compensated: s.compensated,
                    timed_out: s.timed_out,
                    stuck,
                    in_flight,
                    inconsistent: s.inconsistent,
                    absorbed_repeats: s.absorbed_repeats,
                    ignored_replies: s.ignored_replies,
                    duplicate_triggers: s.duplicate_triggers,
                    late_executions: s.late_executions,
                    duration_ms: latency_report(&s.duration, 0, 0),
                    steps: s
                        .steps
                        .iter()
                        .map(|step| SagaStepReport {
                            name: step.name.clone(),
                            executed: step.executed,
                            failed: step.failed,
                            timed_out: step.timed_out,
                            compensations: step.compensated,
                            duplicate_executions: step.duplicate_executions,
                        })
                        .collect(),
                    series: s.series.clone(),
                    problems,
                    examples: s
                        .examples()
                        .into_iter()
                        .map(|i| self.describe_instance(s, i, ""))
                        .collect(),
                },
            );
        }
        if !self.sagas.is_empty() {
            verdicts.push(crate::sim::check::Verdict {
                name: "sagas-complete-or-compensate",
                passed: violations == 0,
                violations,
                example,
            });
        }
        reports
    }

    pub(super) fn describe_instance(
        &self,
        s: &SagaRt,
        instance: &saga::Instance,
        problem: &str,
    ) -> SagaInstanceReport {
        let event = |t: u16| {
            self.event_type_names
                .get(usize::from(t))
                .map_or("timeout", String::as_str)
        };
        let history = instance
            .history
            .iter()
            .map(|h| {
                let record = if h.record == 0 && h.event_type == saga::NONE {
                    String::new()
                } else {
                    format!(" #{} {}", h.record, event(h.event_type))
                };
                format!(
                    "{:.3} s{record}: {} → {}",
                    h.at as f64 / 1e9,
                    describe_happening(s, h.what),
                    describe_state(s, h.state)
                )
            })
            .collect();
        SagaInstanceReport {
            instance: instance.id,
            key: if instance.key.1 == NO_KEY {
                "none".to_owned()
            } else {
                self.key_name(instance.key.0, instance.key.1)
            },
            state: describe_state(s, instance.state),
            problem: problem.to_owned(),
            history,
        }
    }
}

/// The sagas as they run, and per event type the choreographed saga it starts. Marks the
/// orchestrator groups (which follow `first_orchestrator` in `groups`, in saga order) and
/// the participants' roles.
pub(super) fn build_sagas(
    model: &Model,
    groups: &mut [GroupRt],
    event_type_names: &[String],
    first_orchestrator: usize,
) -> (Vec<SagaRt>, Vec<u16>) {
    let event = |name: &str| {
        event_type_names
            .iter()
            .position(|n| n == name)
            .map_or(saga::NONE, |i| i as u16)
    };
    let event_opt = |name: Option<&String>| name.map_or(saga::NONE, |n| event(n));
    let group_of = |groups: &[GroupRt], name: &str| {
        groups[..model.consumer_groups.len()]
            .iter()
            .position(|g| g.name == name)
    };
    let mut sagas = Vec::new();
    let mut triggers = vec![saga::NONE; event_type_names.len()];
    let mut next_orchestrator = first_orchestrator;
    for (si, s) in model.sagas.iter().enumerate() {
        let mut steps = Vec::new();
        let orchestrator = match &s.coordination {
            model::Coordination::Orchestrated { steps: list, .. } => {
                for step in list.iter().take(saga::MAX_STEPS) {
                    let Some(participant) = group_of(groups, &step.participant) else {
                        continue;
                    };
                    steps.push(saga::StepRt {
                        name: step.name.clone(),
                        participant: participant as u16,
                        on: event(&step.command),
                        command_topic: model
                            .topics
                            .iter()
                            .position(|t| t.id == step.command_topic)
                            .map_or(u32::MAX, |i| i as u32),
                        success: event(&step.success),
                        failure: event(&step.failure),
                        compensation: event_opt(step.compensation.as_ref()),
                        timeout: step.timeout_ms.saturating_mul(MS),
                        executed: 0,
                        failed: 0,
                        timed_out: 0,
                        compensated: 0,
                        duplicate_executions: 0,
                    });
                }
                let g = next_orchestrator;
                next_orchestrator += 1;
                if let Some(group) = groups.get_mut(g) {
                    group.orchestrates = Some(si as u16);
                }
                Some(g as u16)
            }
            model::Coordination::Choreographed { steps: list } => {
                for (i, step) in list.iter().take(saga::MAX_STEPS).enumerate() {
                    let Some(participant) = group_of(groups, &step.participant) else {
                        continue;
                    };
                    steps.push(saga::StepRt {
                        name: format!("{} (step {})", step.participant, i + 1),
                        participant: participant as u16,
                        on: event(&step.on),
                        command_topic: u32::MAX,
                        success: event(&step.success),
                        failure: event_opt(step.failure.as_ref()),
                        compensation: event_opt(step.compensation.as_ref()),
                        timeout: 0,
                        executed: 0,
                        failed: 0,
                        timed_out: 0,
                        compensated: 0,
                        duplicate_executions: 0,
                    });
                }
                let trigger = event(&s.trigger);
                if let Some(t) = triggers.get_mut(usize::from(trigger))
                    && *t == saga::NONE
                {
                    *t = si as u16;
                }
                None
            }
        };
        for (k, step) in steps.iter().enumerate() {
            let g = &mut groups[usize::from(step.participant)];
            let reaction = |emit: u16, on: u16| {
                if emit == saga::NONE {
                    return NONE_U16;
                }
                g.reactions
                    .iter()
                    .position(|r| r.emit == emit && (r.on == on || r.on == NONE_U16))
                    .map_or(NONE_U16, |i| i as u16)
            };
            let success = reaction(step.success, step.on);
            let failure = reaction(step.failure, step.on);
            // A choreographed participant compensates in reaction to a later step's failure.
            let compensation = if orchestrator.is_none() {
                steps[k + 1..]
                    .iter()
                    .map(|later| reaction(step.compensation, later.failure))
                    .find(|&r| r != NONE_U16)
                    .unwrap_or(NONE_U16)
            } else {
                NONE_U16
            };
            g.saga_steps.push(SagaRole {
                saga: si as u16,
                step: k as u8,
                success,
                failure,
                compensation,
                compensation_type: step.compensation,
            });
        }
        sagas.push(SagaRt::new(
            s.id.clone(),
            event(&s.trigger),
            orchestrator,
            steps,
            s.idempotent_steps,
            new_histogram(),
        ));
    }
    (sagas, triggers)
}

pub(super) fn step_name(s: &SagaRt, step: u8) -> String {
    s.steps
        .get(usize::from(step))
        .map_or_else(|| format!("{}", step + 1), |x| x.name.clone())
}

pub(super) fn describe_state(s: &SagaRt, state: saga::State) -> String {
    match state {
        saga::State::Pending(step) => format!("step `{}` pending", step_name(s, step)),
        saga::State::Compensating => "compensating".to_owned(),
        saga::State::Completed => "completed".to_owned(),
        saga::State::Compensated => "compensated".to_owned(),
    }
}

pub(super) fn describe_happening(s: &SagaRt, what: saga::Happening) -> String {
    use saga::Happening as H;
    let name = |step: u8| step_name(s, step);
    match what {
        H::Started => "started".to_owned(),
        H::CommandSent(k) => format!("command sent for `{}`", name(k)),
        H::Executed(k) => format!("`{}` ran", name(k)),
        H::ExecutedAgain(k) => format!("`{}` ran again (not idempotent)", name(k)),
        H::RepeatAbsorbed(k) => format!("repeat of `{}` recognised and skipped", name(k)),
        H::Succeeded(k) => format!("`{}` succeeded", name(k)),
        H::Failed(k) => format!("`{}` failed", name(k)),
        H::TimedOut(k) => format!("`{}` timed out", name(k)),
        H::CompensationSent(k) => format!("compensation sent for `{}`", name(k)),
        H::Compensated(k) => format!("`{}` compensated", name(k)),
        H::CompensatedAgain(k) => format!("`{}` compensated again (not idempotent)", name(k)),
        H::ExecutedLate(k) => format!(
            "`{}` ran after the saga gave up on it (its compensation follows)",
            name(k)
        ),
        H::ExecutedTooLate(k) => format!(
            "`{}` ran after the saga gave up on it, and nothing will undo it",
            name(k)
        ),
        H::ReplyIgnored(k) => format!("reply for `{}` ignored (no longer pending)", name(k)),
    }
}

pub(super) fn describe_inconsistency(s: &SagaRt, instance: &saga::Instance) -> String {
    use saga::Happening as H;
    for h in &instance.history {
        match h.what {
            H::ExecutedAgain(k) => return format!("ran `{}` twice", step_name(s, k)),
            H::CompensatedAgain(k) => {
                return format!("compensated `{}` twice", step_name(s, k));
            }
            H::ExecutedTooLate(k) => {
                return format!(
                    "ran `{}` after the saga had given up on it, and nothing will undo it",
                    step_name(s, k)
                );
            }
            _ => {}
        }
    }
    "inconsistent".to_owned()
}
