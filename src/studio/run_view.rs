//! The run view, a tab of the bottom panel: pick a scenario and a seed, press Run, watch the
//! progress (the engine runs on a worker thread, see `run_job.rs`) and read the results: the
//! report's counts, latencies, alerts, checker verdicts and expectations, and each consumer
//! group's lag over time. The numbers are the engine's; this view only shows them.

use eframe::egui;

use std::time::Duration;

use egui::{Color32, ComboBox, DragValue, ProgressBar, RichText, ScrollArea, Ui, WidgetInfo};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Legend, Line, Plot};

use crate::model::Model;
use crate::sim::time::{MS, Nanos};
use crate::sim::{Builder, Options, Report};

use super::run_job::{JobOutcome, RunJob};

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
    // The tile's height, which the user sets: the summary scrolls inside it and the chart
    // fits it (a tile does not grow to what it holds).
    let height = ui.available_height().max(120.0);
    ui.horizontal_top(|ui| {
        ui.allocate_ui(egui::vec2(560.0, height), |ui| {
            ScrollArea::vertical()
                .id_salt("run_summary")
                .auto_shrink([false, false])
                .show(ui, |ui| summary_ui(ui, report));
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
        let tooltip = verdict
            .example
            .clone()
            .unwrap_or_else(|| "Checker verdict: the property held".to_owned());
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
