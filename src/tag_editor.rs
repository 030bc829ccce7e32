//! The tag editor the Meshes view opens with `t` on any resource: its tags as the service holds
//! them, edited in place, and the TagResource / UntagResource calls that make the service agree.
//!
//! Pure state; `ui::dialogs` draws it.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::kind::Key;
use crate::model::{self, TAGS_MAX, Tag};

/// The parts of the editor, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagFocus {
    Key,
    Value,
    List,
}

/// What a key did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagOutcome {
    Handled,
    /// Ctrl-S: send the changes.
    Save,
    /// Esc: close without sending.
    Close,
}

/// What saving sends: TagResource for new and changed keys, UntagResource for removed ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    pub tag: Vec<Tag>,
    pub untag: Vec<String>,
}

impl TagChanges {
    pub fn is_empty(&self) -> bool {
        self.tag.is_empty() && self.untag.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct TagEditor {
    /// The resource whose tags these are.
    pub resource: Key,
    /// Its ARN, what gets tagged.
    pub arn: String,
    /// The tags the service held when the editor opened.
    pub original: Vec<Tag>,
    pub tags: Vec<Tag>,
    pub key: Input,
    pub value: Input,
    pub focus: TagFocus,
    pub selected: usize,
    /// Why the last add was refused.
    pub problem: Option<String>,
}

impl TagEditor {
    pub fn new(resource: Key, arn: String, tags: Vec<Tag>) -> Self {
        TagEditor {
            resource,
            arn,
            original: tags.clone(),
            tags,
            key: Input::default(),
            value: Input::default(),
            focus: TagFocus::Key,
            selected: 0,
            problem: None,
        }
    }

    /// What differs from the tags the service held.
    pub fn changes(&self) -> TagChanges {
        let tag = self
            .tags
            .iter()
            .filter(|t| !self.original.contains(t))
            .cloned()
            .collect();
        let untag = self
            .original
            .iter()
            .filter(|o| !self.tags.iter().any(|t| t.key == o.key))
            .map(|o| o.key.clone())
            .collect();
        TagChanges { tag, untag }
    }

    /// Adds the tag in the inputs, or gives an existing key its new value.
    pub fn add(&mut self) -> bool {
        let key = self.key.value().to_string();
        let value = self.value.value().to_string();
        if let Some(p) = model::tag_key_problem(&key).or_else(|| model::tag_value_problem(&value)) {
            self.problem = Some(p);
            return false;
        }
        match self.tags.iter().position(|t| t.key == key) {
            Some(i) => {
                self.tags[i].value = value;
                self.selected = i;
            }
            None if self.tags.len() >= TAGS_MAX => {
                self.problem = Some(format!(
                    "A resource can have at most {TAGS_MAX} tags; remove one first."
                ));
                return false;
            }
            None => {
                self.tags.push(Tag::new(key, value));
                self.selected = self.tags.len() - 1;
            }
        }
        self.problem = None;
        self.key.reset();
        self.value.reset();
        self.focus = TagFocus::Key;
        true
    }

    pub fn remove_selected(&mut self) {
        if self.selected < self.tags.len() {
            self.tags.remove(self.selected);
            self.selected = self.selected.min(self.tags.len().saturating_sub(1));
        }
    }

    /// Puts the selected tag into the inputs to change its value.
    pub fn edit_selected(&mut self) {
        if let Some(t) = self.tags.get(self.selected) {
            self.key = Input::new(t.key.clone());
            self.value = Input::new(t.value.clone());
            self.focus = TagFocus::Value;
        }
    }

    fn input(&mut self) -> Option<&mut Input> {
        match self.focus {
            TagFocus::Key => Some(&mut self.key),
            TagFocus::Value => Some(&mut self.value),
            TagFocus::List => None,
        }
    }

    /// Inserts pasted text into the focused input (control characters become spaces).
    pub fn paste(&mut self, text: &str) {
        if let Some(input) = self.input() {
            for c in text.chars() {
                let c = if c.is_control() { ' ' } else { c };
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> TagOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
        match key.code {
            KeyCode::Char('s') if ctrl => return TagOutcome::Save,
            KeyCode::Esc => return TagOutcome::Close,
            KeyCode::Tab => {
                self.focus = match self.focus {
                    TagFocus::Key => TagFocus::Value,
                    TagFocus::Value => TagFocus::List,
                    TagFocus::List => TagFocus::Key,
                };
                return TagOutcome::Handled;
            }
            KeyCode::BackTab => {
                self.focus = match self.focus {
                    TagFocus::Key => TagFocus::List,
                    TagFocus::Value => TagFocus::Key,
                    TagFocus::List => TagFocus::Value,
                };
                return TagOutcome::Handled;
            }
            _ => {}
        }
        match self.focus {
            TagFocus::Key | TagFocus::Value => {
                if key.code == KeyCode::Enter && plain {
                    self.add();
                } else if let Some(input) = self.input()
                    && input
                        .handle_event(&Event::Key(key))
                        .is_some_and(|c| c.value)
                {
                    self.problem = None;
                }
            }
            TagFocus::List if plain => match key.code {
                KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => {
                    self.selected = (self.selected + 1).min(self.tags.len().saturating_sub(1))
                }
                KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
                KeyCode::End | KeyCode::Char('G') => {
                    self.selected = self.tags.len().saturating_sub(1)
                }
                KeyCode::Delete | KeyCode::Backspace | KeyCode::Char('d') => self.remove_selected(),
                KeyCode::Enter | KeyCode::Char('e') => self.edit_selected(),
                _ => {}
            },
            TagFocus::List => {}
        }
        TagOutcome::Handled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(tags: Vec<Tag>) -> TagEditor {
        TagEditor::new(
            Key::mesh("m"),
            "arn:aws:appmesh:us-east-1:111122223333:mesh/m".into(),
            tags,
        )
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(e: &mut TagEditor, s: &str) {
        for c in s.chars() {
            e.handle_key(key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn add_change_remove_gives_tag_and_untag() {
        let mut e = editor(vec![
            Tag::new("env", "dev"),
            Tag::new("team", "a"),
            Tag::new("keep", "x"),
        ]);
        assert!(e.changes().is_empty());
        // Change env.
        type_text(&mut e, "env");
        e.handle_key(key(KeyCode::Tab));
        type_text(&mut e, "prod");
        e.handle_key(key(KeyCode::Enter));
        // Add owner.
        type_text(&mut e, "owner");
        e.handle_key(key(KeyCode::Enter));
        // Remove team.
        e.focus = TagFocus::List;
        e.selected = 1;
        e.handle_key(key(KeyCode::Char('d')));
        assert_eq!(
            e.tags,
            [
                Tag::new("env", "prod"),
                Tag::new("keep", "x"),
                Tag::new("owner", "")
            ]
        );
        assert_eq!(
            e.changes(),
            TagChanges {
                tag: vec![Tag::new("env", "prod"), Tag::new("owner", "")],
                untag: vec!["team".into()],
            }
        );
    }

    #[test]
    fn removing_then_re_adding_the_same_tag_is_no_change() {
        let mut e = editor(vec![Tag::new("a", "1")]);
        e.remove_selected();
        assert_eq!(e.changes().untag, ["a"]);
        e.key = Input::new("a".into());
        e.value = Input::new("1".into());
        assert!(e.add());
        assert!(e.changes().is_empty());
    }

    #[test]
    fn invalid_tags_are_refused_with_a_reason() {
        let mut e = editor(vec![]);
        e.handle_key(key(KeyCode::Enter));
        assert!(e.problem.as_deref().unwrap().contains("required"));
        e.key = Input::new("k".repeat(129));
        assert!(!e.add());
        for i in 0..TAGS_MAX {
            e.key = Input::new(format!("k{i}"));
            assert!(e.add());
        }
        e.key = Input::new("one-more".into());
        assert!(!e.add());
        assert!(e.problem.as_deref().unwrap().contains("at most 50"));
    }

    #[test]
    fn keys_save_close_and_edit() {
        let mut e = editor(vec![Tag::new("a", "1")]);
        assert_eq!(
            e.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            TagOutcome::Save
        );
        assert_eq!(e.handle_key(key(KeyCode::Esc)), TagOutcome::Close);
        e.handle_key(key(KeyCode::BackTab));
        assert_eq!(e.focus, TagFocus::List);
        e.handle_key(key(KeyCode::Enter));
        assert_eq!((e.key.value(), e.value.value()), ("a", "1"));
        assert_eq!(e.focus, TagFocus::Value);
        e.handle_key(key(KeyCode::Char('2')));
        e.handle_key(key(KeyCode::Enter));
        assert_eq!(e.tags, [Tag::new("a", "12")]);
    }
}
