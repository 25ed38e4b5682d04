//! The run view, a tab of the bottom panel: pick a scenario and a seed, press Run, watch the
//! progress (the engine runs on a worker thread, see `run_job.rs`) and read the results: the
//! report's counts, latencies, alerts, checker verdicts and expectations, each consumer
//! group's lag over time, and, when the model has them, its sagas (instances, steps, the
//! pending and compensating instances over time, the problem instances' histories), its
//! projections (writes, staleness, rebuilds) and its event stores. The numbers are the
//! engine's; this view only formats them.

use eframe::egui;

use std::time::Duration;

use egui::{Color32, ComboBox, DragValue, ProgressBar, RichText, ScrollArea, Ui, WidgetInfo};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Legend, Line, Plot};

use crate::model::Model;
use crate::sim::report::{
    EventStoreReport, ProducerReport, ProjectionReport, RebuildReport, SagaReport,
};
use crate::sim::time::{MS, Nanos};
use crate::sim::{Builder, Options, Report};

use super::run_job::{JobOutcome, RunJob};
use super::widgets::drawable;

/// The accessible label of the note shown when the model changed after the results' run.
pub const STALE_NOTE: &str = "The model changed after this run: the results may be out of date.";

/// The accessible label of the note shown after a cancelled run.
pub const CANCELLED_NOTE: &str = "Run cancelled.";

/// How often the view redraws while a run is in progress.
const REPAINT_EVERY: Duration = Duration::from_millis(50);

/// The run view's state: the choices, the job in progress and the last results.
#[derive(Debug, Default)]
pub struct RunView {
    /// The scenario picked (None: the model has none).
    scenario: Option<String>,
    seed: u64,
    /// Runs last at most this long in simulated time (tests keep them short).
    duration_limit: Option<Nanos>,
    job: Option<RunJob>,
    /// Why the last run did not give results (a build error, a cancel).
    message: Option<Message>,
    results: Option<Box<Report>>,
    /// The model changed after the results' run.
    stale: bool,
}

#[derive(Debug)]
enum Message {
    BuildError(String),
    Cancelled { at: f64, end: f64 },
    Failed,
}

impl RunView {
    /// Caps every run at `limit` of simulated time.
    pub fn set_duration_limit(&mut self, limit: Option<Nanos>) {
        self.duration_limit = limit;
    }

    /// The model was edited: results shown are from an older model.
    pub fn model_changed(&mut self) {
        if self.results.is_some() {
            self.stale = true;
        }
    }

    /// Whether a run is in progress.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// The results of the last finished run.
    pub fn results(&self) -> Option<&Report> {
        self.results.as_deref()
    }

    /// Collects a finished job's outcome; keeps frames coming while one runs. Called every
    /// frame, whether the view is shown or not.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.job else {
            return;
        };
        let (at, end) = (job.seconds(), job.end_seconds());
        match job.poll() {
            None => ctx.request_repaint_after(REPAINT_EVERY),
            Some(outcome) => {
                self.job = None;
                match outcome {
                    JobOutcome::Finished(report) => {
                        self.results = Some(report);
                        self.stale = false;
                        self.message = None;
                    }
                    JobOutcome::Cancelled => self.message = Some(Message::Cancelled { at, end }),
                    JobOutcome::Failed => self.message = Some(Message::Failed),
                }
                ctx.request_repaint();
            }
        }
    }

    /// Shows the view for `model`.
    pub fn ui(&mut self, ui: &mut Ui, model: &Model) {
        self.follow_scenarios(model);
        ui.add_space(4.0);
        ui.horizontal(|ui| self.controls_ui(ui, model));
        if let Some(job) = &self.job {
            ui.horizontal(|ui| {
                let text = format!(
                    "{:.1} of {:.1} simulated seconds",
                    job.seconds(),
                    job.end_seconds()
                );
                let response = ui
                    .add(
                        ProgressBar::new(job.fraction())
                            .desired_width(360.0)
                            .text(text),
                    )
                    .on_hover_text("How much of the scenario's simulated time has run");
                response.widget_info(|| {
                    WidgetInfo::labeled(egui::Role::ProgressIndicator, true, "Run progress")
                });
                let cancel = ui
                    .add_enabled(!job.cancelling(), egui::Button::new("Cancel run"))
                    .on_hover_text("Stop the run; no results are kept from it");
                if cancel.clicked() {
                    job.cancel();
                }
            });
        }
        match &self.message {
            Some(Message::BuildError(error)) => {
                let color = ui.visuals().error_fg_color;
                ui.label(RichText::new(error).color(color))
                    .on_hover_text("Fix the model (see Problems) and run again");
            }
            Some(Message::Cancelled { at, end }) => {
                ui.label(RichText::new(CANCELLED_NOTE).weak())
                    .on_hover_text(format!("Stopped at {at:.1} of {end:.1} simulated seconds"));
            }
            Some(Message::Failed) => {
                let color = ui.visuals().error_fg_color;
                ui.label(
                    RichText::new("The run failed: the engine stopped unexpectedly.").color(color),
                )
                .on_hover_text("This is a bug in Causeway; please report it with the model");
            }
            None => {}
        }
        if let Some(report) = &self.results {
            if self.stale {
                ui.label(RichText::new(STALE_NOTE).color(ui.visuals().warn_fg_color))
                    .on_hover_text("Run again to see results for the model as it is now");
            }
            results_ui(ui, report);
        } else if self.job.is_none() && self.message.is_none() {
            ui.label(
                RichText::new("No results yet: pick a scenario and a seed, then press Run.").weak(),
            )
            .on_hover_text("The simulation runs in the background; the studio stays usable");
        }
    }

    /// Keeps the picked scenario one the model has, with its seed when it changes.
    fn follow_scenarios(&mut self, model: &Model) {
        let known = self
            .scenario
            .as_ref()
            .is_some_and(|name| model.scenarios.iter().any(|s| &s.name == name));
        if !known {
            self.scenario = model.scenarios.first().map(|s| s.name.clone());
            self.seed = model.scenarios.first().map_or(0, |s| s.seed);
        }
    }

    fn controls_ui(&mut self, ui: &mut Ui, model: &Model) {
        let running = self.job.is_some();
        ui.label("Scenario")
            .on_hover_text("The scenario to simulate");
        let selected = self
            .scenario
            .clone()
            .unwrap_or_else(|| "(none: 60 s, no faults)".to_owned());
        let mut picked = None;
        let inner = ComboBox::from_id_salt("run_scenario")
            .selected_text(selected.clone())
            .width(200.0)
            .show_ui(ui, |ui| {
                for scenario in &model.scenarios {
                    let chosen = self.scenario.as_deref() == Some(scenario.name.as_str());
                    let hover = if scenario.description.is_empty() {
                        format!("Run {}", scenario.name)
                    } else {
                        scenario.description.clone()
                    };
                    if ui
                        .selectable_label(chosen, &scenario.name)
                        .on_hover_text(hover)
                        .clicked()
                    {
                        picked = Some((scenario.name.clone(), scenario.seed));
                    }
                }
            });
        let response = inner.response.on_hover_text("The scenario to simulate");
        response.widget_info(|| {
            let mut info = WidgetInfo::labeled(egui::Role::ComboBox, true, "Scenario");
            info.current_text_value = Some(selected.clone());
            info
        });
        if let Some((name, seed)) = picked {
            self.scenario = Some(name);
            self.seed = seed;
        }
        ui.label("Seed")
            .on_hover_text("The seed of every random draw: the same seed gives the same run");
        let shown = self.seed as f64;
        let response = ui
            .add(DragValue::new(&mut self.seed).speed(0.1))
            .on_hover_text("The seed of every random draw: the same seed gives the same run");
        response.widget_info(|| {
            let mut info = WidgetInfo::drag_value(true, shown);
            info.label = Some("Seed".to_owned());
            info
        });
        let run = ui
            .add_enabled(!running, egui::Button::new("Run"))
            .on_hover_text("Simulate the scenario with this seed")
            .on_disabled_hover_text("A run is in progress");
        if run.clicked() {
            self.start(model);
        }
    }

    fn start(&mut self, model: &Model) {
        let scenario = self
            .scenario
            .as_ref()
            .and_then(|name| model.scenarios.iter().find(|s| &s.name == name));
        let duration = self
            .duration_limit
            .map(|limit| scenario.map_or(limit, |s| limit.min(s.duration_ms.saturating_mul(MS))));
        let mut builder = Builder::new(model).seed(self.seed).options(Options {
            duration,
            ..Options::default()
        });
        if let Some(name) = &self.scenario {
            builder = builder.scenario(name.clone());
        }
        match builder.build() {
            Ok(sim) => {
                self.message = None;
                self.job = Some(RunJob::start(sim));
            }
            Err(error) => self.message = Some(Message::BuildError(build_error_label(&error))),
        }
    }
}

/// What the view says when a run cannot start.
pub fn build_error_label(error: &crate::sim::BuildError) -> String {
    format!("Cannot run: {error}")
}

/// The summary, the verdicts and the lag chart of a finished run.
fn results_ui(ui: &mut Ui, report: &Report) {
    ui.label(
        RichText::new(format!(
            "{}, seed {}: {:.1} simulated seconds in {:.2} s",
            report.scenario, report.seed, report.sim_seconds, report.wall_seconds
        ))
        .strong(),
    )
    .on_hover_text(format!("Trace hash {}", report.trace_hash));
    if let Some(reason) = &report.stopped_early {
        ui.label(
            RichText::new(format!("Stopped early: {reason}.")).color(ui.visuals().error_fg_color),
        );
    }
    // The tile's height, which the user sets: the summary scrolls inside it and the chart
    // fits it (a tile does not grow to what it holds).
    let height = ui.available_height().max(120.0);
    ui.horizontal_top(|ui| {
        ui.allocate_ui(egui::vec2(560.0, height), |ui| {
            ScrollArea::vertical()
                .id_salt("run_summary")
                .auto_shrink([false, false])
                .show(ui, |ui| ui.vertical(|ui| summary_ui(ui, report)));
        });
        ui.separator();
        ui.vertical(|ui| lag_chart_ui(ui, report, height));
    });
}

fn summary_ui(ui: &mut Ui, report: &Report) {
    let pass = Color32::from_rgb(60, 170, 90);
    let fail = ui.visuals().error_fg_color;
    let mut counts = Vec::new();
    for (name, value, tooltip) in [
        ("produced", report.produced, "Records the producers sent"),
        (
            "acknowledged",
            report.acknowledged,
            "Records acknowledged to their producer",
        ),
        (
            "delivered",
            report.delivered,
            "Successful processings, over all groups",
        ),
        (
            "duplicates",
            report.duplicates,
            "Records a group processed more than once",
        ),
        (
            "dead-lettered",
            report.dead_lettered,
            "Records dead-lettered after their last attempt",
        ),
        (
            "lost",
            report.lost,
            "Acknowledged records a subscribing group never processed",
        ),
        (
            "order violations",
            report.order_violations,
            "Records processed out of order for their key",
        ),
        (
            "stuck",
            report.stuck,
            "Deliveries unfinished when the run ended",
        ),
    ] {
        row(&mut counts, name, value.to_string(), tooltip, None);
    }

    let mut verdicts = Vec::new();
    let latency = &report.latency_ms;
    for (name, value) in [
        ("latency p50", latency.p50),
        ("latency p95", latency.p95),
        ("latency p99", latency.p99),
        ("latency max", latency.max),
    ] {
        row(
            &mut verdicts,
            name,
            format!("{value:.1} ms"),
            "End-to-end latency, from produce to processed",
            None,
        );
    }
    row(
        &mut verdicts,
        "alerts fired",
        report.alerts.len().to_string(),
        "Alert rules that fired during the run",
        None,
    );
    for alert in &report.alerts {
        row(
            &mut verdicts,
            &format!("alert {}", alert.rule),
            format!(
                "at {:.1} s (value {:.1})",
                alert.fired_at_seconds, alert.value
            ),
            "When the rule first fired, and the value that fired it",
            None,
        );
    }
    for verdict in &report.checkers {
        let (text, color) = if verdict.passed {
            ("pass".to_owned(), pass)
        } else {
            (format!("fail ({} violations)", verdict.violations), fail)
        };
        let tooltip = verdict.example.as_deref().map_or_else(
            || "Checker verdict: the property held".to_owned(),
            |example| drawable(example).into_owned(),
        );
        row(&mut verdicts, verdict.name, text, &tooltip, Some(color));
    }
    for expectation in &report.expectations {
        let (text, color) = if expectation.passed {
            ("pass", pass)
        } else {
            ("fail", fail)
        };
        row(
            &mut verdicts,
            &expectation.expectation,
            text.to_owned(),
            &format!("Expectation; measured: {}", expectation.measured),
            Some(color),
        );
    }

    ui.horizontal_top(|ui| {
        ui.vertical(|ui| summary_table_ui(ui, "run_counts_table", &counts));
        ui.add_space(12.0);
        ui.vertical(|ui| summary_table_ui(ui, "run_verdicts_table", &verdicts));
    });
    checker_examples_ui(ui, report);
    if !report.producers.is_empty() {
        producers_ui(ui, report);
    }
    if !report.sagas.is_empty() {
        sagas_ui(ui, report);
    }
    if !report.projections.is_empty() {
        projections_ui(ui, report);
    }
    if !report.event_stores.is_empty() {
        event_stores_ui(ui, report);
    }
}

/// One line of a run's summary: a name, its value, what it means, and a colour for a verdict.
struct SummaryRow {
    name: String,
    value: String,
    tooltip: String,
    color: Option<Color32>,
}

fn row(
    rows: &mut Vec<SummaryRow>,
    name: &str,
    value: String,
    tooltip: &str,
    color: Option<Color32>,
) {
    rows.push(SummaryRow {
        name: name.to_owned(),
        value,
        tooltip: tooltip.to_owned(),
        color,
    });
}

/// `rows` as a striped two-column table: names left, values right-aligned beside them.
fn summary_table_ui(ui: &mut Ui, id: &str, rows: &[SummaryRow]) {
    TableBuilder::new(ui)
        .id_salt(id)
        .vscroll(false)
        .striped(true)
        .column(Column::auto().at_least(120.0))
        .column(Column::auto().at_least(60.0))
        .body(|mut body| {
            for r in rows {
                body.row(20.0, |mut cells| {
                    cells.col(|ui| {
                        ui.add(egui::Label::new(&r.name).extend())
                            .on_hover_text(&r.tooltip);
                    });
                    cells.col(|ui| {
                        let text = match r.color {
                            Some(color) => RichText::new(&r.value).color(color),
                            None => RichText::new(&r.value),
                        };
                        ui.add(egui::Label::new(text).extend())
                            .on_hover_text(&r.tooltip);
                    });
                });
            }
        });
}

fn lag_chart_ui(ui: &mut Ui, report: &Report, height: f32) {
    ui.label(RichText::new("Consumer lag over time").strong())
        .on_hover_text("Records each consumer group had yet to process, at each sample");
    if report.groups.is_empty() {
        ui.label(RichText::new("No consumer groups: no lag to chart.").weak())
            .on_hover_text("Add a consumer group to see its lag");
        return;
    }
    let response = Plot::new("run_lag")
        .legend(Legend::default())
        .height((height - 24.0).max(80.0))
        .x_axis_label("simulated seconds")
        .y_axis_label("lag (records)")
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            for (name, group) in &report.groups {
                let points: Vec<[f64; 2]> = group
                    .lag_series
                    .iter()
                    .map(|&(t, lag)| [t, lag as f64])
                    .collect();
                plot.line(Line::new(name.clone(), points));
            }
        })
        .response;
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Image, true, "Consumer lag chart"));
}

/// One value of a results table: its text, its accessible label (the element and the
/// quantity, "order-saga started") and what it means.
struct Cell {
    text: String,
    label: String,
    tooltip: String,
    color: Option<Color32>,
}

/// One row of a results table: its name in the first column, then its cells.
struct TableRow {
    name: String,
    /// The name's accessible label, which says whose row it is ("saga stuck": the summary
    /// has a "stuck" of its own).
    label: String,
    tooltip: String,
    cells: Vec<Cell>,
}

/// `rows` under `headers` (text, tooltip; the first names the rows' column), as a striped
/// table. Each value is a cell whose accessible label says what it is and whose value is the
/// text shown, so a screen reader (or a test) reads "order-saga started: 120".
fn table_ui(ui: &mut Ui, id: &str, headers: &[(String, &str)], rows: &[TableRow]) {
    let mut builder = TableBuilder::new(ui)
        .id_salt(id)
        .vscroll(false)
        .striped(true)
        .column(Column::auto().at_least(110.0));
    for _ in headers.iter().skip(1) {
        builder = builder.column(Column::auto().at_least(56.0));
    }
    builder
        .header(20.0, |mut header| {
            for (text, tooltip) in headers {
                header.col(|ui| {
                    ui.add(egui::Label::new(RichText::new(drawable(text)).strong()).extend())
                        .on_hover_text(*tooltip);
                });
            }
        })
        .body(|mut body| {
            for r in rows {
                body.row(20.0, |mut cells| {
                    cells.col(|ui| {
                        let response = ui
                            .add(egui::Label::new(drawable(&r.name)).extend())
                            .on_hover_text(&r.tooltip);
                        response.widget_info(|| {
                            WidgetInfo::labeled(egui::Role::RowHeader, true, &r.label)
                        });
                    });
                    for cell in &r.cells {
                        cells.col(|ui| value_cell_ui(ui, cell));
                    }
                });
            }
        });
}

fn value_cell_ui(ui: &mut Ui, cell: &Cell) {
    let shown = drawable(&cell.text);
    let text = match cell.color {
        Some(color) => RichText::new(shown).color(color),
        None => RichText::new(shown),
    };
    let response = ui
        .add(egui::Label::new(text).extend())
        .on_hover_text(&cell.tooltip);
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(egui::Role::Cell, true, &cell.label);
        info.current_text_value = Some(cell.text.clone());
        info
    });
}

/// A section's heading, with what the section shows.
fn section_heading_ui(ui: &mut Ui, title: &str, tooltip: &str) {
    ui.add_space(10.0);
    ui.separator();
    ui.label(RichText::new(title).strong().size(15.0))
        .on_hover_text(tooltip);
}

fn count(value: u64) -> String {
    value.to_string()
}

fn millis(value: f64) -> String {
    format!("{value:.1} ms")
}

fn seconds(value: f64) -> String {
    format!("{value:.1} s")
}

/// A count that is a problem when it is not zero (the engine counts it as one).
fn problem_color(ui: &Ui, value: u64) -> Option<Color32> {
    (value > 0).then(|| ui.visuals().error_fg_color)
}

/// A quantity measured for each element: its name, what it means, and each element's value
/// (with a colour when it shows a problem).
type Quantity<'a> = (&'a str, &'a str, Vec<(String, Option<Color32>)>);

/// A table with one row per quantity and one column per element (`names`): `values` gives,
/// for each quantity, its name, what it means and each element's value.
fn per_element_table_ui(
    ui: &mut Ui,
    id: &str,
    kind: &str,
    names: &[&String],
    values: Vec<Quantity<'_>>,
) {
    let mut headers = vec![(String::new(), "What is measured")];
    headers.extend(names.iter().map(|name| ((*name).clone(), kind)));
    let rows: Vec<TableRow> = values
        .into_iter()
        .map(|(quantity, tooltip, texts)| TableRow {
            name: quantity.to_owned(),
            label: format!("{kind} {quantity}"),
            tooltip: tooltip.to_owned(),
            cells: names
                .iter()
                .zip(texts)
                .map(|(name, (text, color))| Cell {
                    text,
                    label: format!("{name} {quantity}"),
                    tooltip: tooltip.to_owned(),
                    color,
                })
                .collect(),
        })
        .collect();
    table_ui(ui, id, &headers, &rows);
}

/// The checkers' first violations, in full and wrapped (the verdict table has room for the
/// verdict only).
fn checker_examples_ui(ui: &mut Ui, report: &Report) {
    let examples: Vec<(&str, &String)> = report
        .checkers
        .iter()
        .filter_map(|v| v.example.as_ref().map(|e| (v.name, e)))
        .collect();
    if examples.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Checker violations").strong())
        .on_hover_text("Each failed checker's first violation");
    for (name, example) in examples {
        let text = format!("{name}: {example}");
        ui.add(egui::Label::new(drawable(&text)).wrap())
            .on_hover_text("The checker's first violation, in words");
    }
}

fn producers_ui(ui: &mut Ui, report: &Report) {
    section_heading_ui(
        ui,
        "Producers",
        "Each producer's sends: records, the requests (batches) they went in, and records per \
         batch (what linger_ms and batch_size_bytes buy)",
    );
    let names: Vec<&String> = report.producers.keys().collect();
    let each = |value: &dyn Fn(&ProducerReport) -> String| {
        report
            .producers
            .values()
            .map(|p| (value(p), None))
            .collect::<Vec<_>>()
    };
    let values = vec![
        (
            "records sent",
            "Records sent to the brokers",
            each(&|p| count(p.records_sent)),
        ),
        (
            "requests",
            "Produce requests: batches sent",
            each(&|p| count(p.batches)),
        ),
        (
            "records per batch",
            "Records per request, on average",
            each(&|p| format!("{:.1}", p.records_per_batch)),
        ),
    ];
    per_element_table_ui(ui, "run_producers_table", "producer", &names, values);
}

fn sagas_ui(ui: &mut Ui, report: &Report) {
    section_heading_ui(
        ui,
        "Sagas",
        "Each saga's instances: how they ended, how long they took, and each step",
    );
    let names: Vec<&String> = report.sagas.keys().collect();
    let sagas: Vec<&SagaReport> = report.sagas.values().collect();
    let each = |value: &dyn Fn(&SagaReport) -> String| {
        sagas.iter().map(|s| (value(s), None)).collect::<Vec<_>>()
    };
    let flagged = |ui: &Ui, value: &dyn Fn(&SagaReport) -> u64| {
        sagas
            .iter()
            .map(|s| (count(value(s)), problem_color(ui, value(s))))
            .collect::<Vec<_>>()
    };
    let values = vec![
        (
            "coordination",
            "Orchestrated (an orchestrator sends commands) or choreographed (participants react to events)",
            each(&|s| s.coordination.to_owned()),
        ),
        ("started", "Instances started", each(&|s| count(s.started))),
        (
            "completed",
            "Instances whose every step succeeded",
            each(&|s| count(s.completed)),
        ),
        (
            "compensated",
            "Instances whose completed steps were all undone after a failure or timeout",
            each(&|s| count(s.compensated)),
        ),
        (
            "timed out",
            "Instances in which a step's reply did not come in time",
            each(&|s| count(s.timed_out)),
        ),
        (
            "stuck",
            "Instances neither completed nor compensated, and not moving",
            flagged(ui, &|s| s.stuck),
        ),
        (
            "in flight",
            "Instances still running when the run ended",
            each(&|s| count(s.in_flight)),
        ),
        (
            "inconsistent",
            "Instances that ran a step or compensation twice with effect, or a step after the saga gave up on it",
            flagged(ui, &|s| s.inconsistent),
        ),
        (
            "duration p50",
            "Start to end of finished instances, median",
            each(&|s| millis(s.duration_ms.p50)),
        ),
        (
            "duration p99",
            "Start to end of finished instances, 99th percentile",
            each(&|s| millis(s.duration_ms.p99)),
        ),
    ];
    per_element_table_ui(ui, "run_sagas_table", "saga", &names, values);

    for (name, saga) in &report.sagas {
        ui.add_space(6.0);
        ui.label(RichText::new(format!("{name}: steps")).strong())
            .on_hover_text("Each step of the saga, in order");
        saga_steps_ui(ui, name, saga);
        saga_chart_ui(ui, name, saga);
        saga_problems_ui(ui, name, saga);
    }
}

fn saga_steps_ui(ui: &mut Ui, name: &str, saga: &SagaReport) {
    if saga.steps.is_empty() {
        ui.label(RichText::new("No steps.").weak())
            .on_hover_text("The saga has no steps");
        return;
    }
    let columns = [
        ("ran", "Times the step ran (once per instance)"),
        ("failed", "Times the step failed"),
        ("timed out", "Times the step's reply timed out"),
        ("compensations", "Times the step's compensation ran"),
        (
            "ran again",
            "Repeats of the step or its compensation that had an effect again",
        ),
    ];
    let mut headers = vec![("step".to_owned(), "The step's name")];
    headers.extend(columns.iter().map(|(c, t)| ((*c).to_owned(), *t)));
    let rows: Vec<TableRow> = saga
        .steps
        .iter()
        .map(|step| {
            let values = [
                (step.executed, None),
                (step.failed, None),
                (step.timed_out, None),
                (step.compensations, None),
                (
                    step.duplicate_executions,
                    problem_color(ui, step.duplicate_executions),
                ),
            ];
            TableRow {
                name: step.name.clone(),
                label: format!("{name} step {}", step.name),
                tooltip: format!("Step `{}` of saga `{name}`", step.name),
                cells: columns
                    .iter()
                    .zip(values)
                    .map(|((column, tooltip), (value, color))| Cell {
                        text: count(value),
                        label: format!("{name} step {} {column}", step.name),
                        tooltip: (*tooltip).to_owned(),
                        color,
                    })
                    .collect(),
            }
        })
        .collect();
    table_ui(ui, &format!("run_saga_steps_{name}"), &headers, &rows);
}

/// Instances pending and compensating over time.
fn saga_chart_ui(ui: &mut Ui, name: &str, saga: &SagaReport) {
    if saga.series.is_empty() {
        return;
    }
    let pending: Vec<[f64; 2]> = saga
        .series
        .iter()
        .map(|&(t, pending, _)| [t, pending as f64])
        .collect();
    let compensating: Vec<[f64; 2]> = saga
        .series
        .iter()
        .map(|&(t, _, compensating)| [t, compensating as f64])
        .collect();
    let response = Plot::new(("run_saga_series", name))
        .legend(Legend::default())
        .height(140.0)
        .width(ui.available_width().clamp(200.0, 540.0))
        .x_axis_label("simulated seconds")
        .y_axis_label("instances")
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("pending", pending));
            plot.line(Line::new("compensating", compensating));
        })
        .response
        .on_hover_text("Instances pending and compensating at each sample");
    let label = format!("{name} instances chart");
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Image, true, &label));
}

/// The stuck or inconsistent instances, each with its history.
fn saga_problems_ui(ui: &mut Ui, name: &str, saga: &SagaReport) {
    if saga.problems.is_empty() {
        ui.label(RichText::new(format!("{name}: no stuck or inconsistent instances.")).weak())
            .on_hover_text("The engine reported no problem instance for this saga");
        return;
    }
    ui.label(
        RichText::new(format!(
            "{name}: problem instances ({} shown)",
            saga.problems.len()
        ))
        .strong(),
    )
    .on_hover_text("The first stuck or inconsistent instances, with what led there");
    for (index, instance) in saga.problems.iter().enumerate() {
        let title = format!(
            "#{} (key {}): {}",
            instance.instance, instance.key, instance.problem
        );
        egui::CollapsingHeader::new(drawable(&title))
            .id_salt(("run_saga_problem", name, index))
            .show(ui, |ui| {
                let state = format!("state: {}", instance.state);
                ui.add(egui::Label::new(drawable(&state)).wrap())
                    .on_hover_text("Where the instance was when the run ended");
                for line in &instance.history {
                    ui.add(egui::Label::new(RichText::new(drawable(line)).monospace()).wrap())
                        .on_hover_text("What happened to the instance, in order");
                }
            });
    }
}

fn projections_ui(ui: &mut Ui, report: &Report) {
    section_heading_ui(
        ui,
        "Projections",
        "Each read model: what was written, how far behind queries saw it, and its rebuilds",
    );
    let names: Vec<&String> = report.projections.keys().collect();
    let projections: Vec<&ProjectionReport> = report.projections.values().collect();
    let each = |value: &dyn Fn(&ProjectionReport) -> String| {
        projections
            .iter()
            .map(|p| (value(p), None))
            .collect::<Vec<_>>()
    };
    let flagged = |ui: &Ui, value: &dyn Fn(&ProjectionReport) -> u64| {
        projections
            .iter()
            .map(|p| (count(value(p)), problem_color(ui, value(p))))
            .collect::<Vec<_>>()
    };
    let values = vec![
        (
            "applied",
            "Events written to the read model (each write, repeats included)",
            each(&|p| count(p.applied)),
        ),
        (
            "rows",
            "Rows in the read model at the end",
            each(&|p| count(p.rows)),
        ),
        (
            "rows differing",
            "Rows that differ from the declared fold applied once, in order",
            flagged(ui, &|p| p.rows_differing),
        ),
        (
            "staleness p50",
            "From an event being produced to its write being visible to queries, median",
            each(&|p| millis(p.staleness_ms.p50)),
        ),
        (
            "staleness p99",
            "From an event being produced to its write being visible, 99th percentile",
            each(&|p| millis(p.staleness_ms.p99)),
        ),
        (
            "staleness max",
            "From an event being produced to its write being visible, the longest",
            each(&|p| millis(p.staleness_ms.max)),
        ),
        (
            "stale queries",
            "Queries that hit a row still missing an event already produced, of all queries",
            each(&|p| format!("{} of {}", p.stale_queries, p.queries)),
        ),
        (
            "failed writes",
            "Writes the store failed (each retried until it succeeded)",
            each(&|p| count(p.failed_writes)),
        ),
    ];
    per_element_table_ui(ui, "run_projections_table", "projection", &names, values);

    for (name, projection) in &report.projections {
        if projection.rebuilds.is_empty() {
            continue;
        }
        ui.add_space(6.0);
        ui.label(RichText::new(format!("{name}: rebuilds")).strong())
            .on_hover_text("Each rebuild of the read model from its topics (the latest 16)");
        rebuilds_ui(ui, name, &projection.rebuilds);
    }
}

fn rebuilds_ui(ui: &mut Ui, name: &str, rebuilds: &[RebuildReport]) {
    let columns = [
        ("started at", "When the rebuild began"),
        (
            "duration",
            "How long the replay of history took (unfinished: still replaying at the end)",
        ),
        ("replayed", "History events written again"),
        (
            "rows",
            "Rows before the rebuild, and once history was replayed",
        ),
        (
            "new-event staleness p99",
            "Staleness of the events produced during the rebuild, 99th percentile",
        ),
    ];
    let mut headers = vec![("rebuild".to_owned(), "The rebuild, in order")];
    headers.extend(columns.iter().map(|(c, t)| ((*c).to_owned(), *t)));
    let rows: Vec<TableRow> = rebuilds
        .iter()
        .enumerate()
        .map(|(index, rebuild)| {
            let number = index + 1;
            let values = [
                seconds(rebuild.started_at_seconds),
                rebuild
                    .duration_seconds
                    .map_or_else(|| "unfinished".to_owned(), |d| format!("{d:.2} s")),
                count(rebuild.replayed),
                format!("{} -> {}", rebuild.rows_before, rebuild.rows_after),
                millis(rebuild.new_event_staleness_ms.p99),
            ];
            TableRow {
                name: format!("#{number}"),
                label: format!("{name} rebuild {number}"),
                tooltip: format!("Rebuild {number} of projection `{name}`"),
                cells: columns
                    .iter()
                    .zip(values)
                    .map(|((column, tooltip), text)| Cell {
                        text,
                        label: format!("{name} rebuild {number} {column}"),
                        tooltip: (*tooltip).to_owned(),
                        color: None,
                    })
                    .collect(),
            }
        })
        .collect();
    table_ui(ui, &format!("run_rebuilds_{name}"), &headers, &rows);
}

fn event_stores_ui(ui: &mut Ui, report: &Report) {
    section_heading_ui(
        ui,
        "Event stores",
        "Each event store: commands, appends, concurrency conflicts, publication and loads",
    );
    let names: Vec<&String> = report.event_stores.keys().collect();
    let stores: Vec<&EventStoreReport> = report.event_stores.values().collect();
    let each = |value: &dyn Fn(&EventStoreReport) -> String| {
        stores.iter().map(|s| (value(s), None)).collect::<Vec<_>>()
    };
    let flagged = |ui: &Ui, value: &dyn Fn(&EventStoreReport) -> u64| {
        stores
            .iter()
            .map(|s| (count(value(s)), problem_color(ui, value(s))))
            .collect::<Vec<_>>()
    };
    let values = vec![
        (
            "commands",
            "Commands that arrived",
            each(&|s| count(s.commands)),
        ),
        ("appended", "Events appended", each(&|s| count(s.appended))),
        (
            "conflicts",
            "Appends refused because another writer appended first, and per append attempt",
            each(&|s| {
                if s.conflict_rate.is_finite() {
                    format!("{} ({:.1} %)", s.conflicts, s.conflict_rate * 100.0)
                } else {
                    count(s.conflicts)
                }
            }),
        ),
        (
            "failed",
            "Commands given up after their conflict retries ran out",
            each(&|s| count(s.failed_commands)),
        ),
        (
            "lost updates",
            "Appends decided on a state another writer had changed (no expected versions)",
            flagged(ui, &|s| s.lost_updates),
        ),
        (
            "published",
            "Events published to the topic",
            each(&|s| count(s.published)),
        ),
        (
            "lost publications",
            "Events appended but never published (a dual write cut by a crash)",
            flagged(ui, &|s| s.lost_publications),
        ),
        (
            "load events p50",
            "Events replayed per aggregate load (since the latest snapshot), median",
            each(&|s| format!("{:.0}", s.load_events.p50)),
        ),
        (
            "load events p99",
            "Events replayed per aggregate load, 99th percentile",
            each(&|s| format!("{:.0}", s.load_events.p99)),
        ),
        (
            "load p50",
            "Time per aggregate load, median",
            each(&|s| millis(s.load_ms.p50)),
        ),
        (
            "load p99",
            "Time per aggregate load, 99th percentile",
            each(&|s| millis(s.load_ms.p99)),
        ),
    ];
    per_element_table_ui(ui, "run_event_stores_table", "event store", &names, values);
}
