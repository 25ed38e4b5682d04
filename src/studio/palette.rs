//! The studio's colours: one accent per kind of element and per kind of edge, and the canvas
//! surfaces, in a dark and a light variant that follow egui's current theme.

use eframe::egui;

use egui::{Color32, Visuals};

use crate::model::{ElementKind, Severity};

use super::graph::EdgeKind;

/// The colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Whether this is the dark variant.
    pub dark: bool,
    /// The canvas background.
    pub canvas: Color32,
    /// The canvas' dot grid.
    pub grid: Color32,
    /// A node's body.
    pub node_fill: Color32,
    /// A node's border.
    pub node_border: Color32,
    /// A node's drop shadow.
    pub shadow: Color32,
    /// Main text on the canvas.
    pub text: Color32,
    /// Secondary text on the canvas.
    pub weak_text: Color32,
    /// The background of an edge label.
    pub label_fill: Color32,
    /// A canvas note's paper.
    pub note_fill: Color32,
    /// A canvas note's text.
    pub note_text: Color32,
    /// The selection outline.
    pub selection: Color32,
}

impl Palette {
    /// The palette matching `visuals` (dark or light).
    pub fn from_visuals(visuals: &Visuals) -> Self {
        if visuals.dark_mode {
            Self {
                dark: true,
                canvas: Color32::from_rgb(0x17, 0x19, 0x1e),
                grid: Color32::from_rgb(0x2b, 0x2f, 0x38),
                node_fill: Color32::from_rgb(0x23, 0x26, 0x2e),
                node_border: Color32::from_rgb(0x3a, 0x3f, 0x4b),
                shadow: Color32::from_black_alpha(110),
                text: Color32::from_rgb(0xe8, 0xea, 0xee),
                weak_text: Color32::from_rgb(0x98, 0x9e, 0xaa),
                label_fill: Color32::from_rgba_unmultiplied(0x17, 0x19, 0x1e, 230),
                note_fill: Color32::from_rgb(0x4a, 0x42, 0x1e),
                note_text: Color32::from_rgb(0xf4, 0xe7, 0xb0),
                selection: Color32::from_rgb(0x5b, 0xa7, 0xff),
            }
        } else {
            Self {
                dark: false,
                canvas: Color32::from_rgb(0xf3, 0xf4, 0xf7),
                grid: Color32::from_rgb(0xd3, 0xd7, 0xde),
                node_fill: Color32::WHITE,
                node_border: Color32::from_rgb(0xc9, 0xce, 0xd6),
                shadow: Color32::from_black_alpha(30),
                text: Color32::from_rgb(0x1f, 0x23, 0x28),
                weak_text: Color32::from_rgb(0x62, 0x6a, 0x76),
                label_fill: Color32::from_rgba_unmultiplied(0xf3, 0xf4, 0xf7, 235),
                note_fill: Color32::from_rgb(0xfd, 0xf0, 0xa8),
                note_text: Color32::from_rgb(0x4a, 0x3f, 0x12),
                selection: Color32::from_rgb(0x1f, 0x6f, 0xeb),
            }
        }
    }

    /// The accent colour of a kind of element.
    pub fn kind(&self, kind: ElementKind) -> Color32 {
        let (dark, light) = match kind {
            ElementKind::Producer => (0x5b9bf5, 0x2563c9),
            ElementKind::Topic => (0xe8a43c, 0xc27a0e),
            ElementKind::ConsumerGroup => (0x45c082, 0x1f8f55),
            ElementKind::Saga => (0xa97cf0, 0x7c4dd1),
            ElementKind::Projection => (0x3ec1cc, 0x128a96),
            ElementKind::EventStore => (0xee718d, 0xc24162),
            ElementKind::CanvasNote => (0xe3c84a, 0xb09010),
            ElementKind::EventType => (0xd0a0e8, 0x9b59b6),
            ElementKind::Scenario => (0x9ab0c8, 0x5a6f88),
            ElementKind::Broker | ElementKind::Model => (0xa0a8b4, 0x6a7280),
        };
        hex(if self.dark { dark } else { light })
    }

    /// The colour of a kind of edge.
    pub fn edge(&self, kind: EdgeKind) -> Color32 {
        match kind {
            EdgeKind::Publishes => self.kind(ElementKind::Producer),
            EdgeKind::Subscribes => {
                if self.dark {
                    hex(0x8a93a3)
                } else {
                    hex(0x7b8494)
                }
            }
            EdgeKind::Emits => self.kind(ElementKind::ConsumerGroup),
            EdgeKind::DeadLetters => self.severity(Severity::Error),
            EdgeKind::Projects => self.kind(ElementKind::Projection),
            EdgeKind::SagaCommand | EdgeKind::Compensates | EdgeKind::SagaParticipant => {
                self.kind(ElementKind::Saga)
            }
            EdgeKind::SagaReply => self.kind(ElementKind::Saga).gamma_multiply(0.7),
            EdgeKind::StorePublishes => self.kind(ElementKind::EventStore),
        }
    }

    /// The colour of a diagnostic's severity.
    pub fn severity(&self, severity: Severity) -> Color32 {
        let (dark, light) = match severity {
            Severity::Error => (0xf25f5c, 0xc92a2a),
            Severity::Warning => (0xf0b429, 0xb77900),
            Severity::Info => (0x5b9bf5, 0x2563c9),
        };
        hex(if self.dark { dark } else { light })
    }
}

/// A colour from `0xRRGGBB`.
const fn hex(rgb: u32) -> Color32 {
    Color32::from_rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
}
