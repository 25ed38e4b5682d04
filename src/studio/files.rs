//! Where the studio's files come from and go: the file dialogs (behind [`FileDialogs`], so
//! tests drive them without a desktop) and the recovery file autosave writes.

use std::path::{Path, PathBuf};

/// Asks the user for a file to open or a place to save to. `None` means the user cancelled.
pub trait FileDialogs {
    /// A model file to open.
    fn open(&mut self) -> Option<PathBuf>;
    /// Where to save a model; `suggested` is a file name to start from.
    fn save_as(&mut self, suggested: &str) -> Option<PathBuf>;
}

/// The desktop's own file dialogs (through the XDG desktop portal on Linux).
#[derive(Debug, Default)]
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn open(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Open a model")
            .add_filter("Causeway model", &["ron"])
            .pick_file()
    }

    fn save_as(&mut self, suggested: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Save the model")
            .add_filter("Causeway model", &["ron"])
            .set_file_name(suggested)
            .save_file()
    }
}

/// Dialogs that answer from a script: each call takes the next answer (or `None`, a cancel,
/// when the script has run out). For tests.
#[derive(Debug, Default, Clone)]
pub struct ScriptedDialogs {
    /// Answers to `open`, first first.
    pub opens: Vec<Option<PathBuf>>,
    /// Answers to `save_as`, first first.
    pub saves: Vec<Option<PathBuf>>,
}

impl FileDialogs for ScriptedDialogs {
    fn open(&mut self) -> Option<PathBuf> {
        if self.opens.is_empty() {
            None
        } else {
            self.opens.remove(0)
        }
    }

    fn save_as(&mut self, _suggested: &str) -> Option<PathBuf> {
        if self.saves.is_empty() {
            None
        } else {
            self.saves.remove(0)
        }
    }
}

/// The recovery file autosave writes unsaved work to, and the next start offers back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The recovery file.
    pub path: PathBuf,
}

impl Recovery {
    /// The recovery file `recovery.ron` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join("recovery.ron"),
        }
    }

    /// The recovery file in the user's state directory (`$XDG_STATE_HOME/causeway`, else
    /// `~/.local/state/causeway`); `None` without either.
    pub fn user_default() -> Option<Self> {
        let state = std::env::var_os("XDG_STATE_HOME")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state"))
            })?;
        Some(Self::in_dir(&state.join("causeway")))
    }

    /// Writes `text` (a saved model) atomically, creating the directory.
    pub fn write(&self, text: &str) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::cli::write_atomically(&self.path, text.as_bytes())
    }

    /// The recovery file's text, if one was left behind.
    pub fn read(&self) -> Option<String> {
        std::fs::read_to_string(&self.path).ok()
    }

    /// Removes the recovery file (the work was saved, restored or discarded).
    pub fn remove(&self) {
        // A file that is already gone is what we want; any other error only means an offer
        // to restore the next time, which the user can decline.
        let _ = std::fs::remove_file(&self.path);
    }

    /// The recent-files list kept next to the recovery file, newest first.
    pub fn read_recent(&self) -> Vec<PathBuf> {
        std::fs::read_to_string(self.recent_path())
            .map(|text| {
                text.lines()
                    .filter(|l| !l.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Keeps the recent-files list for the next start. Failing to is not worth bothering the
    /// user about: the list is a convenience.
    pub fn write_recent(&self, recent: &[PathBuf]) {
        let text: String = recent
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        let _ = self
            .path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .map(|_| crate::cli::write_atomically(&self.recent_path(), text.as_bytes()));
    }

    fn recent_path(&self) -> PathBuf {
        self.path.with_file_name("recent.txt")
    }
}
