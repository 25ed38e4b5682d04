//! Undo and redo: the model as it was before each change, and as it was before each undo.
//!
//! Snapshots rather than inverse operations: a model is small, a snapshot cannot get out of
//! step with the change it undoes, and undo gives back exactly the model that was there.

use crate::model::Model;

/// How many steps are kept; the oldest are dropped first.
const LIMIT: usize = 200;

/// The undo and redo stacks.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<Model>,
    redo: Vec<Model>,
}

impl History {
    /// Records one step: `before` is the model as it was before the change. A new change
    /// forgets what could be redone.
    pub fn record(&mut self, before: Model) {
        self.undo.push(before);
        if self.undo.len() > LIMIT {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Puts back the model of the last step; `false` when there is nothing to undo.
    pub fn undo(&mut self, current: &mut Model) -> bool {
        let Some(before) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(current, before));
        true
    }

    /// Does again what the last undo undid; `false` when there is nothing to redo.
    pub fn redo(&mut self, current: &mut Model) -> bool {
        let Some(after) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(current, after));
        true
    }

    /// Whether there is a step to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is a step to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Forgets every step (a new file was opened).
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_and_redo_give_back_the_exact_models() {
        let mut history = History::default();
        let first = Model::new("first");
        let mut current = Model::new("second");
        history.record(first.clone());
        assert!(history.undo(&mut current));
        assert_eq!(current, first);
        assert!(history.redo(&mut current));
        assert_eq!(current.name, "second");
        assert!(history.undo(&mut current));
        history.record(current.clone());
        assert!(!history.can_redo());
    }

    #[test]
    fn nothing_to_undo_leaves_the_model_alone() {
        let mut history = History::default();
        let mut current = Model::new("only");
        assert!(!history.undo(&mut current));
        assert!(!history.redo(&mut current));
        assert_eq!(current.name, "only");
    }
}
