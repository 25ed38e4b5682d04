//! The example models shipped with Causeway, compiled into the binary so `causeway new` and the
//! studio work from any directory.

/// One example model.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// The name used on the command line (`causeway new shop --from order-pipeline`).
    pub name: &'static str,
    /// A one-line summary.
    pub summary: &'static str,
    /// The model file's text.
    pub text: &'static str,
}

/// Every example, the default first.
pub const EXAMPLES: &[Example] = &[Example {
    name: "order-pipeline",
    summary: "A web shop's orders: payment, inventory, shipping, an order saga and a projection",
    text: include_str!("../models/order-pipeline.ron"),
}];

/// The model the studio opens when no file is given.
pub const DEFAULT_EXAMPLE: &str = "order-pipeline";

/// Looks up an example by name.
pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}
