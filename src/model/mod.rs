//! The architecture model: the elements a user draws and configures, the file format that
//! stores them, and the validation that says what is wrong with them.
//!
//! Nothing here touches the file system or the UI: callers hand in text and get back models,
//! text and diagnostics.

pub mod avro;
pub mod format;
pub mod locate;
pub mod partitioner;
pub mod types;
pub mod validate;

pub use avro::{AvroDefault, AvroType, EnumType, FixedType, RecordType};
pub use format::{LoadError, load, load_bytes, save};
pub use locate::{TextPosition, locate};
pub use types::*;
pub use validate::{Diagnostic, Severity, validate};
