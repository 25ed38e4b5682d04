//! How long the studio takes to draw one frame of a large model, on the CPU: layout (running
//! the whole UI) plus tessellation (turning its shapes into triangles), without a GPU.
//!
//! ```text
//!   150 producers ──2 topics each──▶ 100 topics ──2 each──▶ 250 consumer groups
//!                                        ▲                         │
//!                                        └──── 200 reactions ──────┘
//!   500 elements, 1,000 edges
//! ```
//!
//! Run it in release: `cargo run --release --example frame_time`. For 50 frames after a
//! warm-up, the pointer moving over the canvas, it prints the CPU time per frame (the thread's,
//! from Linux's scheduler, so other processes on the machine do not count) and the wall-clock
//! mean, median and worst: first zoomed out as far as the canvas goes (the drawing is larger
//! than the view even then), then with a topic selected, which brings the densest part of the
//! drawing into view, then pinched to 100% and back out to 45% (the furthest at which nodes
//! are drawn in full). `FRAME_TIME_VERBOSE=1` adds the shapes and vertices of the last frame.
//! The target is under 8 ms of CPU per frame.

use std::time::{Duration, Instant};

use causeway::model::{
    AvroType, CommitMode, ConsumerGroup, ElementKind, ElementRef, EventType, Field,
    KeyDistribution, Model, Producer, RateProcess, Reaction, SchemaVersion, SizeDistribution,
    TimeDistribution, Topic,
};
use causeway::studio::StudioApp;
use eframe::egui;

const TOPICS: usize = 100;
const PRODUCERS: usize = 150;
const GROUPS: usize = 250;
const REACTING_GROUPS: usize = 200;
const WARM_UP: usize = 10;
const FRAMES: usize = 50;

/// A model of 500 elements joined by 1,000 edges, every element unpositioned (the studio lays
/// it out).
fn generated_model() -> Model {
    let mut model = Model::new("generated");
    model.event_types.push(EventType {
        id: "Event".to_owned(),
        namespace: "com.example".to_owned(),
        kind: Default::default(),
        doc: String::new(),
        compatibility: Default::default(),
        versions: vec![SchemaVersion {
            fields: vec![Field {
                name: "id".to_owned(),
                ty: AvroType::String,
                default: None,
                doc: String::new(),
                aliases: Vec::new(),
            }],
            ..Default::default()
        }],
    });
    let topic = |i: usize| format!("topic-{:03}", i % TOPICS);
    for i in 0..TOPICS {
        model.topics.push(Topic {
            id: topic(i),
            partitions: 6,
            replication_factor: 3,
            min_insync_replicas: 2,
            retention: Default::default(),
            cleanup_policy: Default::default(),
            event_types: vec!["Event".to_owned()],
            subject_strategy: Default::default(),
        });
    }
    for i in 0..PRODUCERS {
        model.producers.push(Producer {
            id: format!("producer-{i:03}"),
            topics: vec![topic(i), topic(i + 37)],
            event_types: vec!["Event".to_owned()],
            rate: RateProcess::Poisson { per_second: 10.0 },
            keys: KeyDistribution::Uniform {
                keys: 1_000,
                prefix: "key-".to_owned(),
            },
            record_size: SizeDistribution::Constant { bytes: 500 },
            acks: Default::default(),
            enable_idempotence: true,
            retries: 3,
            max_in_flight_requests: 5,
            linger_ms: 5.0,
            batch_size_bytes: 16_384,
        });
    }
    for i in 0..GROUPS {
        let reactions = if i < REACTING_GROUPS {
            vec![Reaction {
                on: None,
                emit: "Event".to_owned(),
                topic: topic(i + 53),
                probability: 0.1,
                fan_out: 1,
            }]
        } else {
            Vec::new()
        };
        model.consumer_groups.push(ConsumerGroup {
            id: format!("group-{i:03}"),
            topics: vec![topic(i), topic(i + 11)],
            members: 3,
            static_membership: false,
            assignor: Default::default(),
            processing_time: TimeDistribution::Constant { ms: 1.0 },
            concurrency: 1,
            ordering: Default::default(),
            auto_offset_reset: Default::default(),
            max_poll_records: 500,
            max_poll_interval_ms: 300_000,
            session_timeout_ms: 45_000,
            commit: CommitMode::AfterBatch,
            failures: Default::default(),
            retry: Default::default(),
            dead_letter_topic: None,
            idempotent: true,
            reactions,
        });
    }
    model
}

/// The CPU time this thread has used, where Linux says (`/proc/thread-self/schedstat`, in
/// nanoseconds): unlike the wall clock, it does not count time other processes took.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// What one measurement found.
struct Timings {
    /// The wall-clock time of each frame.
    wall: Vec<Duration>,
    /// The CPU time of all frames together, where the system says it. The kernel accounts it
    /// in scheduler ticks, so only the total over many frames is meaningful.
    cpu: Option<Duration>,
}

/// Times `FRAMES` frames after `WARM_UP`, the pointer moving across the canvas; the first
/// frame also gets `first_events` (a pinch to zoom).
fn measure(
    ctx: &egui::Context,
    app: &mut StudioApp,
    time: &mut f64,
    first_events: Vec<egui::Event>,
) -> Timings {
    let mut first_events = Some(first_events);
    let size = egui::vec2(1440.0, 900.0);
    let mut times = Vec::with_capacity(FRAMES);
    let mut cpu_start = None;
    for frame in 0..WARM_UP + FRAMES {
        let x = 400.0 + (frame % 40) as f32 * 15.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
            time: Some(*time),
            predicted_dt: 1.0 / 60.0,
            events: std::iter::once(egui::Event::PointerMoved(egui::pos2(x, 420.0)))
                .chain(first_events.take().unwrap_or_default())
                .collect(),
            ..Default::default()
        };
        *time += 1.0 / 60.0;
        if frame == WARM_UP {
            cpu_start = thread_cpu_time();
        }
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| app.ui(ui));
        if frame + 1 == WARM_UP + FRAMES && std::env::var_os("FRAME_TIME_VERBOSE").is_some() {
            let mut kinds = std::collections::BTreeMap::<String, (usize, usize)>::new();
            for clipped in &output.shapes {
                let name = format!("{:?}", clipped.shape);
                let name = name
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let mesh = ctx.tessellate(vec![clipped.clone()], 1.0);
                let v: usize = mesh
                    .iter()
                    .map(|p| match &p.primitive {
                        egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                        egui::epaint::Primitive::Callback(_) => 0,
                    })
                    .sum();
                let e = kinds.entry(name).or_default();
                e.0 += 1;
                e.1 += v;
            }
            println!("  shapes: {kinds:?}");
        }
        let triangles = ctx.tessellate(output.shapes, output.pixels_per_point);
        // No GPU takes the font atlas updates; they are dropped on purpose.
        output.textures_delta.clear();
        let elapsed = start.elapsed();
        if frame + 1 == WARM_UP + FRAMES && std::env::var_os("FRAME_TIME_VERBOSE").is_some() {
            let vertices: usize = triangles
                .iter()
                .map(|p| match &p.primitive {
                    egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                    egui::epaint::Primitive::Callback(_) => 0,
                })
                .sum();
            println!(
                "  last frame: {} meshes, {vertices} vertices",
                triangles.len()
            );
            for p in &triangles {
                if let egui::epaint::Primitive::Mesh(mesh) = &p.primitive {
                    println!("    {:?}: {}", p.clip_rect, mesh.vertices.len());
                }
            }
        }
        std::hint::black_box(triangles);
        if frame >= WARM_UP {
            times.push(elapsed);
        }
    }
    let cpu = cpu_start
        .zip(thread_cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    Timings { wall: times, cpu }
}

fn report(what: &str, timings: Timings) {
    let mut times = timings.wall;
    times.sort();
    if let Some(cpu) = timings.cpu {
        println!(
            "{what}: {:.2} ms of CPU per frame on average ({} frames, layout + tessellation)",
            cpu.as_secs_f64() * 1e3 / times.len().max(1) as f64,
            times.len()
        );
    }
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let worst = times.last().copied().unwrap_or_default();
    println!(
        "{what}: wall clock mean {:.2} ms, median {:.2} ms, worst {:.2} ms per frame ({} frames)",
        mean.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        times.len()
    );
}

fn main() {
    let model = generated_model();
    let elements = model.elements().len();
    let edges: usize = model
        .producers
        .iter()
        .map(|p| p.topics.len())
        .sum::<usize>()
        + model
            .consumer_groups
            .iter()
            .map(|g| g.topics.len() + g.reactions.len())
            .sum::<usize>();
    println!("model: {elements} elements, {edges} edges");

    let ctx = egui::Context::default();
    let mut app = StudioApp::new(model, None);
    let mut time = 0.0;
    let times = measure(&ctx, &mut app, &mut time, Vec::new());
    println!("zoom: {:.0}%", app.zoom() * 100.0);
    report("zoomed out", times);
    app.select(Some(ElementRef::new(ElementKind::Topic, "topic-000")));
    let times = measure(&ctx, &mut app, &mut time, Vec::new());
    println!(
        "zoom with the selection in view: {:.0}%",
        app.zoom() * 100.0
    );
    report("a topic selected, its part of the drawing in view", times);
    // Pinch the canvas to 100%, where every node is drawn in full and edges have labels.
    let pinch = egui::Event::Zoom(1.0 / app.zoom().max(0.01));
    let times = measure(&ctx, &mut app, &mut time, vec![pinch]);
    println!("zoom: {:.0}%", app.zoom() * 100.0);
    report("zoomed in", times);
    // Pinch out to 45%, the furthest at which nodes are still drawn in full.
    let pinch = egui::Event::Zoom(0.45 / app.zoom().max(0.01));
    let times = measure(&ctx, &mut app, &mut time, vec![pinch]);
    println!("zoom: {:.0}%", app.zoom() * 100.0);
    report("zoomed out to full detail's limit", times);
}
