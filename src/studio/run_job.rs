//! A simulation run on a worker thread: the engine advances in chunks of simulated time,
//! publishing how far it got and checking between chunks whether the user cancelled. The UI
//! polls the job each frame and never waits for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;
use std::time::Instant;

use crate::sim::time::{MS, Nanos};
use crate::sim::{Report, Sim};

/// Simulated time run between two looks at the cancel flag.
const CHUNK: Nanos = 50 * MS;

/// How a job ended.
#[derive(Debug)]
pub enum JobOutcome {
    /// The run reached its end; its report (wall time filled in).
    Finished(Box<Report>),
    /// The user cancelled it.
    Cancelled,
    /// The worker died (a panic in the engine).
    Failed,
}

/// A run in progress on its own thread.
#[derive(Debug)]
pub struct RunJob {
    /// Simulated nanoseconds reached.
    now: Arc<AtomicU64>,
    end: Nanos,
    cancel: Arc<AtomicBool>,
    outcome: Receiver<JobOutcome>,
}

impl RunJob {
    /// Starts running `sim` to its end on a new thread.
    pub fn start(mut sim: Sim) -> Self {
        let now = Arc::new(AtomicU64::new(sim.now()));
        let cancel = Arc::new(AtomicBool::new(false));
        let end = sim.end();
        let (send, outcome) = mpsc::channel();
        let (worker_now, worker_cancel) = (Arc::clone(&now), Arc::clone(&cancel));
        // A thread that cannot start drops the sender with it: `poll` then reports a failure.
        let _detached = thread::Builder::new()
            .name("causeway-run".into())
            .spawn(move || {
                let started = Instant::now();
                while !sim.is_finished() {
                    if worker_cancel.load(Ordering::Relaxed) {
                        // The receiver may be gone (the view was dropped): nothing to tell.
                        let _ = send.send(JobOutcome::Cancelled);
                        return;
                    }
                    sim.run_until(sim.now().saturating_add(CHUNK));
                    worker_now.store(sim.now(), Ordering::Relaxed);
                }
                let mut report = sim.report();
                report.wall_seconds = started.elapsed().as_secs_f64();
                let _ = send.send(JobOutcome::Finished(Box::new(report)));
            });
        Self {
            now,
            end,
            cancel,
            outcome,
        }
    }

    /// The fraction of the simulated time covered so far, 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.end == 0 {
            return 0.0;
        }
        (self.now.load(Ordering::Relaxed) as f64 / self.end as f64).clamp(0.0, 1.0) as f32
    }

    /// Simulated time reached, in seconds.
    pub fn seconds(&self) -> f64 {
        self.now.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// The run's end, in simulated seconds.
    pub fn end_seconds(&self) -> f64 {
        self.end as f64 / 1e9
    }

    /// Asks the worker to stop at its next chunk.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether cancelling was asked for.
    pub fn cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The outcome, once the worker is done.
    pub fn poll(&self) -> Option<JobOutcome> {
        match self.outcome.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobOutcome::Failed),
        }
    }
}

impl Drop for RunJob {
    fn drop(&mut self) {
        // A job nobody waits for stops at its next chunk.
        self.cancel();
    }
}
