//! Windows the Meshes view opens over the screen: the tag editor and the delete confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};
use tui_input::Input;

use super::form::tag_spans;
use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::model::{TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX};
use crate::tag_editor::TagFocus;

/// A one-line bordered input; places the cursor when focused.
fn input_box(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: &str,
    input: &Input,
    focused: bool,
    limit: Option<usize>,
) {
    let mut block = Block::bordered()
        .border_style(if focused {
            theme.focus_border()
        } else {
            theme.border()
        })
        .title(format!("{}{title}", if focused { "▸ " } else { "" }));
    if let Some(limit) = limit {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {}/{limit} ", crate::model::char_len(input.value())),
                theme.dim(),
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = (inner.width as usize).saturating_sub(1).max(1);
    let scroll = input.visual_scroll(width);
    let shown: String = clean(input.value()).chars().skip(scroll).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if focused && inner.width > 0 {
        let x = (input.visual_cursor() - scroll) as u16;
        frame.set_cursor_position(Position::new(inner.x + x.min(inner.width - 1), inner.y));
    }
}

fn window(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width.saturating_sub(2))),
        Constraint::Length(height.min(area.height.saturating_sub(2))),
    )
}

pub fn tag_editor(app: &App, frame: &mut Frame, area: Rect) {
    let Some(e) = &app.tag_editor else {
        return;
    };
    let theme = &app.theme;
    let r = window(area, 76, 20);
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .border_style(theme.focus_border())
        .title(Span::styled(
            format!(" Tags of {} ", clean(&e.mesh.name)),
            theme.title(),
        ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [inputs, message, list, changes, keys] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let [key_area, value_area] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Fill(1)]).areas(inputs);
    input_box(
        frame,
        theme,
        key_area,
        "Key",
        &e.key,
        e.focus == TagFocus::Key,
        Some(TAG_KEY_MAX),
    );
    input_box(
        frame,
        theme,
        value_area,
        "Value",
        &e.value,
        e.focus == TagFocus::Value,
        Some(TAG_VALUE_MAX),
    );
    let msg = match &e.problem {
        Some(p) => Line::from(Span::styled(format!(" ✗ {}", clean(p)), theme.error())),
        None => Line::from(Span::styled(
            " Enter adds the tag; an existing key gets the new value.",
            theme.dim(),
        )),
    };
    frame.render_widget(msg, message);

    let list_focused = e.focus == TagFocus::List;
    let list_block = Block::bordered()
        .border_style(if list_focused {
            theme.focus_border()
        } else {
            theme.border()
        })
        .title(format!(
            "{}Tags ({}/{TAGS_MAX})",
            if list_focused { "▸ " } else { "" },
            e.tags.len()
        ));
    if e.tags.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("No tags.", theme.dim())).block(list_block),
            list,
        );
    } else {
        let items: Vec<ListItem> = e
            .tags
            .iter()
            .map(|t| {
                let mark = match e.original.iter().find(|o| o.key == t.key) {
                    None => Span::styled("+ ", theme.ok()),
                    Some(o) if o.value != t.value => Span::styled("~ ", theme.warn()),
                    Some(_) => Span::raw("  "),
                };
                let mut row = vec![mark];
                row.extend(tag_spans(theme, t));
                ListItem::new(Line::from(row))
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(e.selected));
        frame.render_stateful_widget(
            List::new(items)
                .block(list_block)
                .highlight_style(if list_focused {
                    theme.selected()
                } else {
                    Style::new()
                }),
            list,
            &mut state,
        );
    }
    let c = e.changes();
    let summary = if c.is_empty() {
        Line::from(Span::styled(" No changes yet.", theme.dim()))
    } else {
        let mut spans = vec![Span::raw(" Saving")];
        if !c.tag.is_empty() {
            let keys: Vec<String> = c.tag.iter().map(|t| clean(&t.key).into_owned()).collect();
            spans.push(Span::raw(format!(" sets {}", keys.join(", "))));
        }
        if !c.tag.is_empty() && !c.untag.is_empty() {
            spans.push(Span::raw(" and"));
        }
        if !c.untag.is_empty() {
            let keys: Vec<String> = c.untag.iter().map(|k| clean(k).into_owned()).collect();
            spans.push(Span::styled(
                format!(" removes {}", keys.join(", ")),
                theme.warn(),
            ));
        }
        Line::from(spans)
    };
    frame.render_widget(summary, changes);
    let hints = [
        ("Tab", "move"),
        ("Enter", "add/change"),
        ("d", "remove"),
        ("Ctrl-S", "save"),
        ("Esc", "cancel"),
    ];
    frame.render_widget(super::key_hints(theme, &hints, keys.width), keys);
}

pub fn confirm_delete(app: &App, frame: &mut Frame, area: Rect) {
    let Some(d) = &app.delete else {
        return;
    };
    let theme = &app.theme;
    let untypeable = d.untypeable();
    let r = window(area, 64, if untypeable.is_some() { 13 } else { 10 });
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .border_style(theme.error())
        .title(Span::styled(" Delete mesh? ", theme.error()));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [text, input, problem, keys] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(
            vec![Line::from(vec![
                Span::raw("DeleteMesh removes "),
                Span::styled(clean(&d.name).into_owned(), theme.title()),
                Span::raw(" and its tags. It cannot be undone."),
            ])]
            .into_iter()
            .chain(match untypeable {
                // Another client made a name with characters no keyboard types.
                Some((at, c)) => vec![
                    Line::from(format!(
                        "Its name holds characters that cannot be typed (character {at} is {}). \
                     Type it with ? for each of them:",
                        crate::model::char_name(c)
                    )),
                    Line::from(Span::styled(clean(&d.expected()).into_owned(), theme.key())),
                ],
                None => vec![Line::from("Type the mesh name to confirm:")],
            })
            .collect::<Vec<_>>(),
        )
        .wrap(Wrap { trim: false }),
        text,
    );
    input_box(frame, theme, input, "Mesh name", &d.input, true, None);
    let line = match &d.problem {
        Some(p) => Line::from(Span::styled(format!(" ✗ {p}"), theme.error())),
        None if d.matches() => Line::from(Span::styled(" ✓ name matches", theme.ok())),
        None => Line::default(),
    };
    frame.render_widget(line, problem);
    let hints = [("Enter", "delete"), ("Esc", "keep the mesh")];
    frame.render_widget(super::key_hints(theme, &hints, keys.width), keys);
}
