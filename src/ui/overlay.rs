//! Windows over the view: help and the quit confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::{App, View};

/// Every key, grouped; the help overlay shows this and the README repeats it.
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("Ctrl-C", "quit at once"),
            (
                "Esc",
                "close a window; cancel a request in flight; otherwise quit (asks if the form has unsaved input)",
            ),
            ("F1 / ?", "this help (? outside text fields)"),
            ("F2 / F3", "Create form / Meshes view"),
            ("F4", "open the last result full screen"),
            ("Ctrl-S", "submit the form"),
            ("PgUp / PgDn, wheel", "scroll the result pane"),
            ("Ctrl-Z", "suspend to the shell (fg resumes)"),
        ],
    ),
    (
        "Create form",
        &[
            ("Tab / Shift-Tab", "next / previous field"),
            (
                "Enter",
                "name: next field; tag key/value: add the tag; Create: submit",
            ),
            ("↑ ↓ / k j", "choose in a list; select a tag"),
            (
                "Delete / Backspace / d",
                "remove the selected tag (in Tags)",
            ),
            (
                "Ctrl-U / Ctrl-W / Ctrl-K",
                "clear field / delete word / delete to end",
            ),
            ("Home / End, Ctrl-A / Ctrl-E", "start / end of the text"),
            (
                "mouse click",
                "focus a field, pick a list item, press Create",
            ),
        ],
    ),
    (
        "Meshes view",
        &[
            ("↑ ↓ / k j, wheel", "move the selection"),
            ("PgUp / PgDn", "a screen up / down"),
            ("Home / End, g / G", "first / last mesh"),
            (
                "mouse click",
                "select a row; click the filter line to filter",
            ),
            (
                "Enter",
                "describe the selected mesh (DescribeMesh + ListTagsForResource)",
            ),
            (
                "/",
                "filter by name as you type; Enter keeps the filter, Esc clears it",
            ),
            ("s", "sort by name, then created, then last updated"),
            ("r / F5", "list the meshes again (keeps the selection)"),
            (
                "y",
                "copy the selected mesh's ARN to the clipboard (OSC 52)",
            ),
            (
                "e",
                "edit the spec in the form (UpdateMesh); Esc or F2 ends the edit",
            ),
            ("t", "edit the tags (TagResource / UntagResource)"),
            ("d / Delete", "delete the mesh: type its name to confirm"),
            ("Esc", "cancel a request; clear the filter; otherwise quit"),
            ("--read-only", "e, t and d are off and refused"),
        ],
    ),
    (
        "Tag editor (t)",
        &[
            ("Tab / Shift-Tab", "key, value, tag list"),
            (
                "Enter",
                "key/value: add the tag or change its value; list: edit the selected tag",
            ),
            ("d / Delete", "remove the selected tag (in the list)"),
            (
                "Ctrl-S",
                "save: TagResource for new and changed keys, UntagResource for removed ones",
            ),
            ("Esc", "close without saving"),
        ],
    ),
    (
        "Delete (d)",
        &[
            ("type the name", "exactly, to confirm"),
            ("Enter / Esc", "delete / keep the mesh"),
        ],
    ),
];

/// The groups of [`KEYS`] that apply to a view.
fn groups_for(view: View) -> &'static [&'static str] {
    match view {
        View::Create => &["Everywhere", "Create form"],
        View::Meshes => &["Everywhere", "Meshes view", "Tag editor (t)", "Delete (d)"],
    }
}

pub fn help(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let groups = groups_for(app.view);
    for (group, keys) in KEYS.iter().filter(|(g, _)| groups.contains(g)) {
        lines.push(Line::from(Span::styled(*group, theme.title())));
        for (k, what) in *keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<28}"), theme.key()),
                Span::raw(*what),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        "Esc, F1 or ? closes this window.",
        theme.dim(),
    )));
    let w = area.width.saturating_sub(4).min(100);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, r);
    let mut block = Block::bordered()
        .title(" Keys ")
        .border_style(theme.focus_border());
    // Taller than the window: ↑↓ scroll it.
    let max_scroll = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    if max_scroll > 0 {
        block = block.title_bottom(Line::from(" ↑↓ PgUp PgDn scroll ").right_aligned());
    }
    let p = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.help_scroll.min(max_scroll), 0))
        .block(block);
    frame.render_widget(p, r);
}

pub fn confirm_quit(theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = area.centered(
        Constraint::Length(52.min(area.width)),
        Constraint::Length(5),
    );
    frame.render_widget(Clear, r);
    let p = Paragraph::new(vec![
        Line::from("The form has input that was not created."),
        Line::from("Quit and lose it?"),
        Line::from(vec![
            Span::styled(" y ", theme.key()),
            Span::raw("quit   "),
            Span::styled(" n / Esc ", theme.key()),
            Span::raw("stay"),
        ]),
    ])
    .block(
        Block::bordered()
            .title(" Quit? ")
            .border_style(theme.warn()),
    );
    frame.render_widget(p, r);
}
