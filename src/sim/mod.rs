//! The deterministic simulation engine. Pure: no UI, no threads, no wall clock, no I/O.
//!
//! [`Builder`] turns a model, a scenario and a seed into a [`Sim`]; `step`, `run_until` and
//! `run` advance it; [`Sim::report`] tells what happened. Same model, scenario and seed give
//! the same trace and [`Sim::trace_hash`] on every run and machine.

pub mod assign;
pub mod check;
mod engine;
pub mod event_store;
pub mod projection;
mod queue;
pub mod report;
pub mod rng;
pub mod saga;
pub mod sample;
mod tally;
pub mod time;
pub mod trace;

pub use engine::{BuildError, Builder, Options, Sim};
pub use report::Report;
