//! Engine throughput on the canonical benchmark (`benches/canonical.ron`): records produced and
//! drained per second of wall time, with metrics and checkers on and the trace off.
//!
//! Run with `cargo bench --bench engine`. For 10 M records and peak memory, use the CLI:
//! `/usr/bin/time -v target/release/causeway simulate benches/canonical.ron --produce 10000000 --json`.

use causeway::sim::{Builder, Options};

fn main() {
    divan::main();
}

fn canonical() -> causeway::model::Model {
    causeway::model::load(include_str!("canonical.ron")).expect("the canonical model loads")
}

/// Produces and drains `records` records of the canonical model.
#[divan::bench(args = [100_000, 1_000_000], sample_count = 3, sample_size = 1)]
fn canonical_drain(bencher: divan::Bencher, records: u64) {
    let model = canonical();
    bencher
        .counter(divan::counter::ItemsCount::new(records))
        .bench_local(|| {
            let mut sim = Builder::new(&model)
                .options(Options {
                    produce_limit: Some(records),
                    ..Options::default()
                })
                .build()
                .expect("builds");
            sim.run();
            // The simulation is returned, so divan drops it after timing: freeing it inside
            // the sample made glibc hand its memory back and the next sample fault it in again
            // (100 k records: 33 ms returned, 43-69 ms dropped; the drop itself is 0.1 ms).
            let report = sim.report();
            (report, sim)
        });
}
