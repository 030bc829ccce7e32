//! The in-app spec editor, for when there is no external editor (none set and no `vi` or
//! `nano` on `PATH`, or the person chose it): the same buffer, the same checks, problems
//! written in as comments at their lines. The text area is `ratatui-textarea`.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value;

use super::buffer::{PROBLEM_MARK, ProblemAt, Unread, annotate, read_buffer, render_buffer};
use crate::kind::{Key, Kind};
use crate::ui::theme::Theme;

/// What a key did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Stay,
    /// Close without sending (Esc, twice when the text was changed; or Ctrl-S on a text with
    /// only comments).
    Cancel,
    /// Ctrl-S on a valid spec: send it (pruned to what the service keeps).
    Save(Value),
}

/// The most problems listed under the text (all of them are in the text as comments).
const LISTED: usize = 3;
/// At most this many lines of a note (the reason an editor failed, the service's answer).
const MAX_NOTE_LINES: usize = 4;

#[derive(Clone, Debug)]
pub struct SpecEditor {
    pub kind: Kind,
    pub key: Key,
    area: TextArea<'static>,
    /// The text as it opened, to know whether Esc discards anything.
    opened: String,
    problems: Vec<ProblemAt>,
    /// The 0-based row of each problem's line in the annotated text.
    rows: Vec<usize>,
    /// A one-line note (why the editor opened here, what Esc will do).
    note: Option<String>,
    /// Esc was pressed once on a changed text.
    confirm_discard: bool,
}

impl SpecEditor {
    pub fn new(kind: Kind, key: Key, spec: &Value) -> Self {
        SpecEditor::with_text(kind, key, render_buffer(kind, spec), None)
    }

    /// Opens on a text already edited (what an external editor left when it failed), with a
    /// note saying why.
    pub fn with_text(kind: Kind, key: Key, text: String, note: Option<String>) -> Self {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.set_hard_tab_indent(false);
        area.set_tab_length(2);
        area.set_cursor_line_style(Style::new());
        area.set_line_number_style(Style::new().add_modifier(Modifier::DIM));
        // Start on the spec, below the header.
        let first = text
            .lines()
            .position(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
            .unwrap_or(0);
        area.move_cursor(CursorMove::Jump(first.min(u16::MAX as usize) as u16, 0));
        SpecEditor {
            kind,
            key,
            opened: text,
            area,
            problems: Vec::new(),
            rows: Vec::new(),
            note,
            confirm_discard: false,
        }
    }

    /// The text as it is now.
    pub fn text(&self) -> String {
        let mut t = self.area.lines().join("\n");
        t.push('\n');
        t
    }

    /// True when the text is not what the editor opened with.
    pub fn changed(&self) -> bool {
        self.text() != self.opened
    }

    /// Shows `note` under the text (the service's answer, a warning); the text stays.
    pub fn set_note(&mut self, note: impl Into<String>) {
        self.note = Some(note.into());
    }

    /// The problems of the last Ctrl-S.
    pub fn problems(&self) -> &[ProblemAt] {
        &self.problems
    }

    /// Bracketed paste: inserted as typed (tabs become spaces, YAML has no tabs).
    pub fn paste(&mut self, text: &str) {
        self.confirm_discard = false;
        self.area.insert_str(
            text.replace("\r\n", "\n")
                .replace(['\r'], "\n")
                .replace('\t', "  "),
        );
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Stay;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => self.save(),
            KeyCode::Esc => {
                if self.confirm_discard || self.text() == self.opened {
                    Outcome::Cancel
                } else {
                    self.confirm_discard = true;
                    self.note = Some(
                        "Esc again discards your changes; Ctrl-S checks and saves them".into(),
                    );
                    Outcome::Stay
                }
            }
            _ => {
                if self.confirm_discard {
                    self.confirm_discard = false;
                    self.note = None;
                }
                self.area.input(key);
                Outcome::Stay
            }
        }
    }

    fn save(&mut self) -> Outcome {
        self.confirm_discard = false;
        let text = self.text();
        match read_buffer(self.kind, &text) {
            Ok(spec) => Outcome::Save(spec),
            Err(Unread::Cancelled) => Outcome::Cancel,
            Err(Unread::Problems(problems)) => {
                let annotated = annotate(&text, &problems);
                self.rows = problems
                    .iter()
                    .map(|p| annotated_row(&annotated, p.line))
                    .collect();
                let row = self.rows[0];
                self.area = {
                    let mut a = TextArea::new(annotated.lines().map(str::to_string).collect());
                    a.set_hard_tab_indent(false);
                    a.set_tab_length(2);
                    a.set_cursor_line_style(Style::new());
                    a.set_line_number_style(Style::new().add_modifier(Modifier::DIM));
                    a
                };
                self.area
                    .move_cursor(CursorMove::Jump(row.min(u16::MAX as usize) as u16, 0));
                self.note = None;
                self.problems = problems;
                Outcome::Stay
            }
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        frame.render_widget(Clear, area);
        let title = format!(
            " Spec of {} (YAML) ",
            crate::ui::text::clean(&self.key.describe())
        );
        let block = Block::bordered()
            .border_style(theme.focus_border())
            .title(Span::styled(title, theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        // The note is wrapped, not cut: it can be the reason the editor failed and what to do.
        let note = self
            .note
            .as_deref()
            .unwrap_or("Ctrl-S checks the spec against the service model and saves it");
        let note = crate::ui::text::clean(note);
        let mut note_lines =
            crate::ui::text::wrap(&note, usize::from(inner.width.saturating_sub(2)));
        note_lines.truncate(MAX_NOTE_LINES);
        let listed = self.problems.len().min(LISTED);
        let notes = if self.problems.is_empty() {
            note_lines.len()
        } else {
            listed + usize::from(self.problems.len() > LISTED) + 1
        };
        let [text_area, notes_area, keys_area] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(notes as u16),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(&self.area, text_area);

        let mut lines = Vec::new();
        if self.problems.is_empty() {
            for l in note_lines {
                lines.push(Line::from(Span::styled(format!(" {l}"), theme.dim())));
            }
        } else {
            let n = self.problems.len();
            lines.push(Line::from(Span::styled(
                format!(
                    " ✗ {n} problem{} (also as #! comments in the text):",
                    if n == 1 { "" } else { "s" }
                ),
                theme.error(),
            )));
            for (p, row) in self.problems.iter().zip(&self.rows).take(LISTED) {
                // The line as shown here, with the problem comments counted.
                let shown = ProblemAt {
                    line: if p.line == 0 { 0 } else { row + 1 },
                    ..p.clone()
                };
                lines.push(Line::from(Span::styled(
                    format!("   {}", crate::ui::text::clean(&shown.to_string())),
                    theme.error(),
                )));
            }
            if n > LISTED {
                lines.push(Line::from(Span::styled(
                    format!("   and {} more", n - LISTED),
                    theme.error(),
                )));
            }
        }
        frame.render_widget(Paragraph::new(lines), notes_area);
        frame.render_widget(
            crate::ui::key_hints(
                theme,
                &[
                    ("Ctrl-S", "check and save"),
                    ("Esc", "cancel"),
                    ("Ctrl-U/R", "undo/redo"),
                    ("empty text", "cancels too"),
                ],
                keys_area.width,
            ),
            keys_area,
        );
    }
}

/// The 0-based row of the annotated text that holds line `clean_line` of the text without
/// problem comments (the first line when it is 0).
fn annotated_row(annotated: &str, clean_line: usize) -> usize {
    let mut seen = 0;
    for (i, l) in annotated.lines().enumerate() {
        if !l.trim_start().starts_with(PROBLEM_MARK) {
            seen += 1;
            if seen == clean_line {
                return i;
            }
        }
    }
    0
}
