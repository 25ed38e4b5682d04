//! Causeway: a studio for designing, simulating and teaching event-driven architectures.
//!
//! The crate is organised so that logic never depends on the UI:
//!
//! - [`model`]: the architecture model, its RON file format and its validation.
//! - [`examples`]: the example models shipped with Causeway.
//! - [`sim`]: the deterministic simulation engine: Kafka's semantics, checkers, projections,
//!   event stores and sagas.
//! - [`schema`]: event schemas: Avro derivation, compatibility, registry subjects and levels.
//! - [`export`]: writers of what a model implies for other tools (Avro, CloudEvents).
//! - [`cli`]: the headless commands (`check`, `fmt`, `new`, `simulate`, `schema`, `export`, …).
//! - [`studio`]: the eframe/egui desktop application.

pub mod cli;
pub mod examples;
pub mod export;
pub mod model;
pub mod schema;
pub mod sim;
pub mod studio;
