//! The deterministic simulation engine. Pure: no UI, no threads, no wall clock, no I/O.

pub mod assign;
