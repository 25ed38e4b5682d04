//! The studio's look and layout, kept between runs in eframe's storage: the theme, the UI
//! scale, which panels are open, and the panels' tiles (where each is, its size, its tab).
//! (The recent files live beside the recovery file.)

use eframe::egui;

use serde::{Deserialize, Serialize};

use super::tiles::{Layout, is_complete};

/// The storage key the settings are kept under.
pub const SETTINGS_KEY: &str = "causeway-settings";

/// The storage key the panels' layout is kept under.
pub const LAYOUT_KEY: &str = "causeway-layout";

/// The UI scales the View menu offers, in percent.
pub const SCALES: [u16; 8] = [75, 90, 100, 110, 125, 150, 175, 200];

/// The smallest and largest UI scale, as a factor.
const SCALE_RANGE: std::ops::RangeInclusive<f32> = 0.75..=2.0;

/// The colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    /// Light text on a dark background.
    Dark,
    /// Dark text on a light background.
    Light,
    /// Whatever the desktop prefers.
    #[default]
    FollowSystem,
}

impl Theme {
    /// Every theme, in menu order.
    pub const ALL: [Self; 3] = [Self::Dark, Self::Light, Self::FollowSystem];

    /// The menu entry's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Dark => "Dark",
            Self::Light => "Light",
            Self::FollowSystem => "Follow system",
        }
    }

    /// egui's name for it.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Self::Dark => egui::ThemePreference::Dark,
            Self::Light => egui::ThemePreference::Light,
            Self::FollowSystem => egui::ThemePreference::System,
        }
    }
}

/// How the studio looks and which panels it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The colour theme.
    pub theme: Theme,
    /// The UI scale, as a factor (1.0 is 100%).
    pub scale: f32,
    /// Whether the outline (with the palette) is shown, on the left.
    pub show_outline: bool,
    /// Whether the inspector is shown, on the right.
    pub show_inspector: bool,
    /// Whether the bottom panel (problems and simulation) is shown.
    pub show_bottom: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::FollowSystem,
            scale: 1.0,
            show_outline: true,
            show_inspector: true,
            show_bottom: true,
        }
    }
}

impl Settings {
    /// The settings kept in `storage`, or the defaults when there are none (or they do not
    /// read, e.g. after a format change). A scale out of range is brought back into it.
    pub fn load(storage: &dyn eframe::Storage) -> Self {
        let mut settings: Self = eframe::get_value(storage, SETTINGS_KEY).unwrap_or_default();
        settings.scale = clamp_scale(settings.scale);
        settings
    }

    /// Keeps the settings in `storage`.
    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, self);
    }

    /// Makes `ctx` look the way the settings say.
    pub fn apply(&self, ctx: &egui::Context) {
        ctx.set_theme(self.theme.preference());
        let scale = clamp_scale(self.scale);
        if (ctx.zoom_factor() - scale).abs() > 1e-4 {
            ctx.set_zoom_factor(scale);
        }
    }
}

/// The panels' layout kept in `storage`, or `None` when there is none or it does not read
/// or misses a panel (an older or damaged file): the caller falls back to the default.
pub fn load_layout(storage: &dyn eframe::Storage) -> Option<Layout> {
    eframe::get_value::<Layout>(storage, LAYOUT_KEY).filter(is_complete)
}

/// Keeps the panels' layout in `storage`.
pub fn save_layout(layout: &Layout, storage: &mut dyn eframe::Storage) {
    eframe::set_value(storage, LAYOUT_KEY, layout);
}

/// A scale within what the studio's panels fit at; 100% for nonsense.
pub fn clamp_scale(scale: f32) -> f32 {
    if scale.is_finite() {
        scale.clamp(*SCALE_RANGE.start(), *SCALE_RANGE.end())
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;

    #[derive(Default)]
    struct MemoryStorage(HashMap<String, String>);

    impl eframe::Storage for MemoryStorage {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn settings_round_trip_through_storage() {
        let mut storage = MemoryStorage::default();
        assert_eq!(Settings::load(&storage), Settings::default());
        let settings = Settings {
            theme: Theme::Light,
            scale: 1.5,
            show_outline: false,
            show_inspector: true,
            show_bottom: false,
        };
        settings.save(&mut storage);
        assert_eq!(Settings::load(&storage), settings);
    }

    #[test]
    fn a_scale_out_of_range_or_unreadable_settings_fall_back() {
        let mut storage = MemoryStorage::default();
        Settings {
            scale: 9.0,
            ..Settings::default()
        }
        .save(&mut storage);
        assert!((Settings::load(&storage).scale - 2.0).abs() < 1e-6);
        eframe::Storage::set_string(&mut storage, SETTINGS_KEY, "not ron".to_owned());
        assert_eq!(Settings::load(&storage), Settings::default());
        assert!((clamp_scale(f32::NAN) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_resized_layout_round_trips_and_a_broken_one_falls_back() {
        use super::super::tiles::{Pane, default_layout};

        let mut storage = MemoryStorage::default();
        assert!(load_layout(&storage).is_none());
        let mut layout = default_layout();
        let root = layout.root.expect("a root");
        if let Some(egui_tiles::Tile::Container(egui_tiles::Container::Linear(row))) =
            layout.tiles.get_mut(root)
        {
            let first = row.children[0];
            row.shares.set_share(first, 400.0);
        }
        assert_ne!(layout, default_layout());
        save_layout(&layout, &mut storage);
        assert_eq!(load_layout(&storage), Some(layout));

        // A layout without the inspector (an older format, a hand-edited file) is refused.
        let mut broken = default_layout();
        if let Some(id) = broken.tiles.find_pane(&Pane::Inspector) {
            broken.tiles.remove(id);
        }
        save_layout(&broken, &mut storage);
        assert!(load_layout(&storage).is_none());
        eframe::Storage::set_string(&mut storage, LAYOUT_KEY, "not ron".to_owned());
        assert!(load_layout(&storage).is_none());
    }
}
