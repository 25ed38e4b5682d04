//! Painting one node: a card with a header (kind icon, kind, name) and a body that shows what
//! matters about that kind of element at a glance (a topic's partitions as lanes, a group's
//! members, a saga's steps). Canvas notes are painted as sticky notes.

use eframe::egui;

use egui::epaint::{CornerRadius, PathShape, Shadow};
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use crate::model::describe;
use crate::model::{Coordination, ElementKind, ElementRef, Model, Severity};
use crate::studio::diagram::{
    HEADER_HEIGHT, LANE_GAP, LANE_HEIGHT, MAX_LANES, STEP_LINE_HEIGHT, lane_count,
};
use crate::studio::palette::Palette;
use crate::studio::widgets::elided_text as elided;

/// Corner radius of a node card.
const RADIUS: u8 = 8;

/// Inner horizontal margin of a node card.
const MARGIN: f32 = 12.0;

/// How a node is drawn this frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeLook {
    /// The node is the selection.
    pub selected: bool,
    /// The pointer is over the node.
    pub hovered: bool,
    /// The worst diagnostic about the element, if any.
    pub problem: Option<Severity>,
    /// How much is drawn, which follows the zoom.
    pub detail: Detail,
}

/// How much of a node is drawn: text too small to read is left out, and so are shadows, which
/// cost more to tessellate than the rest of the card.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detail {
    /// The card and its header band only (far out).
    Outline,
    /// The card, the kind's icon and the element's name.
    Name,
    /// Everything: shadow, kind, name and body.
    #[default]
    Full,
}

impl Detail {
    /// The detail worth drawing at `zoom` (screen points per canvas unit).
    pub fn at_zoom(zoom: f32) -> Self {
        if zoom >= 0.45 {
            Self::Full
        } else if zoom >= 0.25 {
            Self::Name
        } else {
            Self::Outline
        }
    }
}

/// Paints the node of `element` in `rect` and returns the rectangle it really covers (a canvas
/// note grows to fit its text).
pub fn paint_node(
    painter: &Painter,
    palette: &Palette,
    model: &Model,
    element: &ElementRef,
    rect: Rect,
    look: NodeLook,
) -> Rect {
    if element.kind == ElementKind::CanvasNote {
        return paint_note(painter, palette, model, element, rect, look);
    }
    let accent = palette.kind(element.kind);
    paint_card(painter, palette, rect, accent, look);
    if look.detail == Detail::Outline {
        return rect;
    }
    paint_header(painter, palette, element, rect, accent, look.detail);
    if look.detail < Detail::Full {
        if let Some(severity) = look.problem {
            paint_problem_badge(painter, palette, rect, severity);
        }
        return rect;
    }
    let body = Rect::from_min_max(pos2(rect.left(), rect.top() + HEADER_HEIGHT), rect.max)
        .shrink2(vec2(MARGIN, 0.0));
    match element.kind {
        ElementKind::Producer => producer_body(painter, palette, model, &element.id, body),
        ElementKind::Topic => topic_body(painter, palette, model, &element.id, body, accent),
        ElementKind::ConsumerGroup => {
            group_body(painter, palette, model, &element.id, body, accent);
        }
        ElementKind::Saga => saga_body(painter, palette, model, &element.id, body, accent),
        ElementKind::Projection => projection_body(painter, palette, model, &element.id, body),
        ElementKind::EventStore => store_body(painter, palette, model, &element.id, body),
        _ => {}
    }
    if let Some(severity) = look.problem {
        paint_problem_badge(painter, palette, rect, severity);
    }
    rect
}

/// The card: shadow, body, border, and the selection or hover ring.
fn paint_card(painter: &Painter, palette: &Palette, rect: Rect, accent: Color32, look: NodeLook) {
    if look.detail == Detail::Full {
        let shadow = Shadow {
            offset: [0, 3],
            blur: 12,
            spread: 0,
            color: palette.shadow,
        };
        painter.add(shadow.as_shape(rect, RADIUS));
    }
    if look.selected {
        painter.rect_filled(
            rect.expand(4.0),
            RADIUS + 4,
            palette.selection.gamma_multiply(0.22),
        );
    }
    let border = if look.selected {
        Stroke::new(2.0, palette.selection)
    } else if look.hovered {
        Stroke::new(1.5, accent)
    } else {
        Stroke::new(1.0, palette.node_border)
    };
    if look.detail == Detail::Outline {
        // Seen from far: the card in the kind's tint and its border, as one shape.
        let tint = if palette.dark { 0.16 } else { 0.10 };
        let fill = palette.node_fill.lerp_to_gamma(accent, tint);
        painter.rect(rect, RADIUS, fill, border, StrokeKind::Inside);
        return;
    }
    painter.rect(
        rect,
        RADIUS,
        palette.node_fill,
        Stroke::NONE,
        StrokeKind::Inside,
    );
    // The header band, tinted with the kind's colour.
    let header = Rect::from_min_max(rect.min, pos2(rect.right(), rect.top() + HEADER_HEIGHT));
    let tint = if palette.dark { 0.16 } else { 0.10 };
    painter.rect_filled(
        header,
        CornerRadius {
            nw: RADIUS,
            ne: RADIUS,
            sw: 0,
            se: 0,
        },
        accent.gamma_multiply(tint),
    );
    painter.line_segment(
        [header.left_bottom(), header.right_bottom()],
        Stroke::new(1.0, palette.node_border.gamma_multiply(0.7)),
    );
    painter.rect_stroke(rect, RADIUS, border, StrokeKind::Inside);
}

/// The kind icon, the kind's name in small capitals and the element's name.
fn paint_header(
    painter: &Painter,
    palette: &Palette,
    element: &ElementRef,
    rect: Rect,
    accent: Color32,
    detail: Detail,
) {
    let icon = Rect::from_center_size(
        pos2(
            rect.left() + MARGIN + 13.0,
            rect.top() + HEADER_HEIGHT / 2.0,
        ),
        vec2(26.0, 26.0),
    );
    painter.rect_filled(icon, 6, accent);
    paint_kind_icon(painter, element.kind, icon.shrink(6.0), palette.node_fill);

    let text_left = icon.right() + 9.0;
    let width = rect.right() - MARGIN - text_left;
    if detail == Detail::Full {
        let kind = element.kind.label().to_uppercase();
        painter.text(
            pos2(text_left, rect.top() + 7.0),
            Align2::LEFT_TOP,
            kind,
            FontId::proportional(10.0),
            accent,
        );
    }
    let name = elided(
        painter,
        &element.id,
        FontId::proportional(15.0),
        palette.text,
        width,
    );
    painter.galley(pos2(text_left, rect.top() + 19.0), name, palette.text);
}

/// A small pictogram for each kind, drawn in `color` inside `rect`.
fn paint_kind_icon(painter: &Painter, kind: ElementKind, rect: Rect, color: Color32) {
    let stroke = Stroke::new(1.6, color);
    let c = rect.center();
    match kind {
        ElementKind::Producer => {
            // A "send" arrow.
            painter.add(PathShape::convex_polygon(
                vec![
                    pos2(rect.left() + 1.0, rect.top()),
                    pos2(rect.right(), c.y),
                    pos2(rect.left() + 1.0, rect.bottom()),
                    pos2(rect.left() + 4.0, c.y),
                ],
                color,
                Stroke::NONE,
            ));
        }
        ElementKind::Topic => {
            // Three log lanes.
            for i in 0..3 {
                let y = rect.top() + 2.0 + i as f32 * 5.0;
                painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], stroke);
            }
        }
        ElementKind::ConsumerGroup => {
            // Two people.
            for dx in [-3.5, 3.5] {
                painter.circle_filled(pos2(c.x + dx, rect.top() + 3.5), 2.6, color);
                painter.add(Shape::ellipse_filled(
                    pos2(c.x + dx, rect.bottom() - 1.0),
                    vec2(3.6, 4.0),
                    color,
                ));
            }
        }
        ElementKind::Saga => {
            // Steps joined in a flow.
            let points = [
                pos2(rect.left() + 1.5, rect.bottom() - 2.0),
                pos2(c.x, rect.top() + 2.0),
                pos2(rect.right() - 1.5, rect.bottom() - 2.0),
            ];
            painter.line_segment([points[0], points[1]], stroke);
            painter.line_segment([points[1], points[2]], stroke);
            for p in points {
                painter.circle_filled(p, 2.4, color);
            }
        }
        ElementKind::Projection => {
            // A table.
            let table = rect.shrink(0.5);
            painter.rect_stroke(table, 1, stroke, StrokeKind::Inside);
            painter.line_segment(
                [
                    pos2(table.left(), table.top() + 4.5),
                    pos2(table.right(), table.top() + 4.5),
                ],
                stroke,
            );
            painter.line_segment(
                [pos2(c.x, table.top() + 4.5), pos2(c.x, table.bottom())],
                stroke,
            );
        }
        ElementKind::EventStore => {
            // A database cylinder.
            let rx = rect.width() / 2.0;
            painter.add(Shape::ellipse_stroke(
                pos2(c.x, rect.top() + 2.5),
                vec2(rx, 2.5),
                stroke,
            ));
            painter.line_segment(
                [
                    pos2(rect.left(), rect.top() + 2.5),
                    pos2(rect.left(), rect.bottom() - 2.5),
                ],
                stroke,
            );
            painter.line_segment(
                [
                    pos2(rect.right(), rect.top() + 2.5),
                    pos2(rect.right(), rect.bottom() - 2.5),
                ],
                stroke,
            );
            let bottom = rect.bottom() - 2.5;
            let arc: Vec<Pos2> = (0..=12)
                .map(|i| {
                    let t = std::f32::consts::PI * i as f32 / 12.0;
                    pos2(c.x - rx * t.cos(), bottom + 2.5 * t.sin())
                })
                .collect();
            painter.add(Shape::line(arc, stroke));
        }
        _ => {
            painter.circle_stroke(c, rect.width() / 2.0, stroke);
        }
    }
}

fn producer_body(painter: &Painter, palette: &Palette, model: &Model, id: &str, body: Rect) {
    let Some(producer) = model.producer(id) else {
        return;
    };
    let lines = [
        describe::rate(&producer.rate),
        format!(
            "{}{}",
            describe::acks(producer.acks),
            if producer.enable_idempotence {
                " · idempotent"
            } else {
                ""
            }
        ),
    ];
    text_lines(painter, palette, body, &lines);
}

fn topic_body(
    painter: &Painter,
    palette: &Palette,
    model: &Model,
    id: &str,
    body: Rect,
    accent: Color32,
) {
    let Some(topic) = model.topic(id) else {
        return;
    };
    let summary = format!(
        "{} partition{} · RF {} · ISR {}",
        topic.partitions,
        if topic.partitions == 1 { "" } else { "s" },
        topic.replication_factor,
        topic.min_insync_replicas
    );
    text_lines(painter, palette, body, &[summary]);

    // One lane per partition: a log that records are appended to.
    let lanes = lane_count(topic.partitions);
    let top = body.top() + 22.0;
    for lane in 0..lanes {
        let y = top + lane as f32 * (LANE_HEIGHT + LANE_GAP);
        let rect = Rect::from_min_size(pos2(body.left(), y), vec2(body.width(), LANE_HEIGHT));
        let fill = if topic.partitions == 0 {
            palette.weak_text.gamma_multiply(0.15)
        } else {
            accent.gamma_multiply(if palette.dark { 0.30 } else { 0.24 })
        };
        painter.rect_filled(rect, 3, fill);
        // The log's head: where new records are appended.
        if topic.partitions > 0 {
            let head = Rect::from_min_max(pos2(rect.right() - 10.0, rect.top()), rect.max);
            painter.rect_filled(head, 3, accent.gamma_multiply(0.75));
        }
    }
    if topic.partitions > MAX_LANES {
        let y = top + lanes as f32 * (LANE_HEIGHT + LANE_GAP);
        painter.text(
            pos2(body.left(), y),
            Align2::LEFT_TOP,
            format!("+{} more partitions", topic.partitions - MAX_LANES),
            FontId::proportional(10.0),
            palette.weak_text,
        );
    }
}

fn group_body(
    painter: &Painter,
    palette: &Palette,
    model: &Model,
    id: &str,
    body: Rect,
    accent: Color32,
) {
    let Some(group) = model.consumer_group(id) else {
        return;
    };
    // One dot per member, up to a handful.
    let shown = group.members.min(8);
    let mut x = body.left() + 5.0;
    let y = body.top() + 13.0;
    for _ in 0..shown {
        painter.circle_filled(pos2(x, y), 4.5, accent);
        x += 12.0;
    }
    if group.members == 0 {
        painter.circle_stroke(pos2(x, y), 4.5, Stroke::new(1.0, palette.weak_text));
        x += 12.0;
    }
    let members = format!(
        "{}{} member{}",
        if group.members > shown { "+ " } else { "" },
        group.members,
        if group.members == 1 { "" } else { "s" }
    );
    painter.text(
        pos2(x + 2.0, y),
        Align2::LEFT_CENTER,
        members,
        FontId::proportional(12.0),
        palette.text,
    );
    let detail = format!(
        "{} · commit {}",
        describe::assignor(group.assignor),
        describe::commit(&group.commit)
    );
    let galley = elided(
        painter,
        &detail,
        FontId::proportional(11.0),
        palette.weak_text,
        body.width(),
    );
    painter.galley(
        pos2(body.left(), body.top() + 26.0),
        galley,
        palette.weak_text,
    );
}

fn saga_body(
    painter: &Painter,
    palette: &Palette,
    model: &Model,
    id: &str,
    body: Rect,
    accent: Color32,
) {
    let Some(saga) = model.sagas.iter().find(|s| s.id == id) else {
        return;
    };
    let (mode, steps): (&str, Vec<(String, bool)>) = match &saga.coordination {
        Coordination::Orchestrated { steps, .. } => (
            "orchestrated",
            steps
                .iter()
                .map(|s| {
                    (
                        format!("{} · {}", s.name, s.participant),
                        s.compensation.is_some(),
                    )
                })
                .collect(),
        ),
        Coordination::Choreographed { steps } => (
            "choreographed",
            steps
                .iter()
                .map(|s| {
                    (
                        format!("{} on {}", s.participant, s.on),
                        s.compensation.is_some(),
                    )
                })
                .collect(),
        ),
    };
    let summary = format!(
        "{mode} · {} step{}",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    );
    text_lines(painter, palette, body, &[summary]);
    let top = body.top() + 24.0;
    let visible = steps.len().min(8);
    for (index, (text, compensates)) in steps.iter().take(visible).enumerate() {
        let y = top + index as f32 * STEP_LINE_HEIGHT + STEP_LINE_HEIGHT / 2.0;
        let bullet = pos2(body.left() + 7.0, y);
        painter.circle_filled(bullet, 7.0, accent.gamma_multiply(0.25));
        painter.text(
            bullet,
            Align2::CENTER_CENTER,
            (index + 1).to_string(),
            FontId::proportional(9.5),
            palette.text,
        );
        let mut line = text.clone();
        if index + 1 == visible && steps.len() > visible {
            line = format!("… {} more", steps.len() - visible + 1);
        }
        let undo_width = if *compensates { 34.0 } else { 0.0 };
        let galley = elided(
            painter,
            &line,
            FontId::proportional(11.5),
            palette.text,
            body.width() - 20.0 - undo_width,
        );
        painter.galley(
            pos2(body.left() + 19.0, y - galley.size().y / 2.0),
            galley,
            palette.text,
        );
        if *compensates {
            painter.text(
                pos2(body.right(), y),
                Align2::RIGHT_CENTER,
                "undo",
                FontId::proportional(9.5),
                accent,
            );
        }
    }
}

fn projection_body(painter: &Painter, palette: &Palette, model: &Model, id: &str, body: Rect) {
    let Some(projection) = model.projections.iter().find(|p| p.id == id) else {
        return;
    };
    let lines = [
        format!(
            "{} · {} fold{}",
            describe::store(projection.store),
            projection.folds.len(),
            if projection.folds.len() == 1 { "" } else { "s" }
        ),
        if projection.queries_per_second > 0.0 {
            format!(
                "{} queries /s",
                describe::compact_number(projection.queries_per_second)
            )
        } else {
            "no queries modelled".to_owned()
        },
    ];
    text_lines(painter, palette, body, &lines);
}

fn store_body(painter: &Painter, palette: &Palette, model: &Model, id: &str, body: Rect) {
    let Some(store) = model.event_stores.iter().find(|s| s.id == id) else {
        return;
    };
    let lines = [
        format!(
            "{} × {}",
            store.aggregate,
            describe::count(store.aggregates)
        ),
        format!(
            "{} commands /s",
            describe::compact_number(store.commands_per_second)
        ),
        store.publish.as_ref().map_or_else(
            || "not published".to_owned(),
            |p| format!("{} to {}", describe::publish_mode(p.mode), p.topic),
        ),
    ];
    text_lines(painter, palette, body, &lines);
}

/// A sticky note with the note's text.
fn paint_note(
    painter: &Painter,
    palette: &Palette,
    model: &Model,
    element: &ElementRef,
    rect: Rect,
    look: NodeLook,
) -> Rect {
    let text = model
        .layout
        .notes
        .iter()
        .find(|n| n.id == element.id)
        .map_or("", |n| n.text.as_str());
    let galley = painter.layout(
        text.to_owned(),
        FontId::proportional(12.5),
        palette.note_text,
        rect.width() - 24.0,
    );
    let height = rect.height().max(galley.size().y + 26.0);
    let rect = Rect::from_min_size(rect.min, vec2(rect.width(), height));
    let shadow = Shadow {
        offset: [1, 4],
        blur: 10,
        spread: 0,
        color: palette.shadow,
    };
    painter.add(shadow.as_shape(rect, 2));
    // The paper, with its bottom-right corner folded up.
    let fold = 14.0;
    painter.add(PathShape::convex_polygon(
        vec![
            rect.left_top(),
            rect.right_top(),
            pos2(rect.right(), rect.bottom() - fold),
            pos2(rect.right() - fold, rect.bottom()),
            rect.left_bottom(),
        ],
        palette.note_fill,
        if look.selected {
            Stroke::new(2.0, palette.selection)
        } else if look.hovered {
            Stroke::new(1.0, palette.kind(ElementKind::CanvasNote))
        } else {
            Stroke::NONE
        },
    ));
    painter.add(PathShape::convex_polygon(
        vec![
            pos2(rect.right(), rect.bottom() - fold),
            pos2(rect.right() - fold, rect.bottom() - fold),
            pos2(rect.right() - fold, rect.bottom()),
        ],
        palette
            .note_fill
            .gamma_multiply(if palette.dark { 0.7 } else { 0.85 }),
        Stroke::NONE,
    ));
    // A strip of tape across the top.
    painter.rect_filled(
        Rect::from_center_size(pos2(rect.center().x, rect.top()), vec2(44.0, 10.0)),
        1,
        palette.text.gamma_multiply(0.12),
    );
    painter.galley(rect.min + vec2(12.0, 14.0), galley, palette.note_text);
    if let Some(severity) = look.problem {
        paint_problem_badge(painter, palette, rect, severity);
    }
    rect
}

/// A round badge on the top-right corner of a node that has problems.
fn paint_problem_badge(painter: &Painter, palette: &Palette, rect: Rect, severity: Severity) {
    let center = rect.right_top() + vec2(-2.0, 2.0);
    painter.circle(
        center,
        8.0,
        palette.severity(severity),
        Stroke::new(2.0, palette.canvas),
    );
    painter.text(
        center,
        Align2::CENTER_CENTER,
        if severity == Severity::Info { "i" } else { "!" },
        FontId::proportional(11.0),
        Color32::WHITE,
    );
}

/// Lines of body text: the first in the main colour, the rest weaker.
fn text_lines(painter: &Painter, palette: &Palette, body: Rect, lines: &[String]) {
    let mut y = body.top() + 7.0;
    for (index, line) in lines.iter().enumerate() {
        let (size, color) = if index == 0 {
            (12.5, palette.text)
        } else {
            (11.5, palette.weak_text)
        };
        let galley = elided(
            painter,
            line,
            FontId::proportional(size),
            color,
            body.width(),
        );
        let height = galley.size().y;
        painter.galley(pos2(body.left(), y), galley, color);
        y += height + 2.0;
    }
}
