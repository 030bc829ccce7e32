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
    let Some(e) = &app.explorer.tags else {
        return;
    };
    let theme = &app.theme;
    let r = window(area, 76, 20);
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .border_style(theme.focus_border())
        .title(Span::styled(
            format!(" Tags of {} {} ", e.resource.kind, clean(&e.resource.name)),
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

/// `route canary (virtual router web)`.
fn what(key: &crate::kind::Key) -> String {
    match key.kind.info().parent {
        Some(p) => format!("{} {} ({} {})", key.kind, key.name, p, key.parent),
        None => format!("{} {}", key.kind, key.name),
    }
}

/// `2 gateway routes, 1 route, …` in delete order.
fn counts(plan: &[crate::kind::Key]) -> String {
    crate::kind::Kind::DELETE_ORDER
        .iter()
        .filter(|k| **k != crate::kind::Kind::Mesh)
        .filter_map(|k| {
            let n = plan.iter().filter(|p| p.kind == *k).count();
            (n > 0).then(|| {
                format!(
                    "{n} {}",
                    if n == 1 {
                        k.info().singular
                    } else {
                        k.info().plural
                    }
                )
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn confirm_delete(app: &App, frame: &mut Frame, area: Rect) {
    if let Some(p) = &app.explorer.purge
        && (p.running || p.failed.is_some() || p.done == p.plan.len())
    {
        purge_progress(app, p, frame, area);
        return;
    }
    let Some(d) = &app.explorer.delete else {
        return;
    };
    let theme = &app.theme;
    let key = &d.key;
    let is_mesh = key.kind == crate::kind::Kind::Mesh;
    let plan = if is_mesh {
        app.explorer.mesh_plan(&key.name)
    } else {
        None
    };
    let contents = plan.as_ref().map_or(0, |p| p.len().saturating_sub(1));
    let untypeable = d.untypeable();
    let height = match (is_mesh, &plan) {
        (true, None) => 12,
        (true, Some(_)) if contents > 0 => 18,
        _ => 10,
    } + if untypeable.is_some() { 3 } else { 0 };
    let r = window(area, 72, height);
    frame.render_widget(Clear, r);
    let title = if contents > 0 {
        format!(" Delete mesh {} and everything in it? ", clean(&key.name))
    } else {
        format!(" Delete {}? ", key.kind)
    };
    let block = Block::bordered()
        .border_style(theme.error())
        .title(Span::styled(title, theme.error()));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [text, input, problem, keys] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let verb = key.kind.operation(crate::kind::Verb::Delete);
    let mut lines: Vec<Line> = Vec::new();
    match (is_mesh, &plan) {
        (true, None) => {
            let (listed, _) = app
                .explorer
                .open
                .as_ref()
                .filter(|o| o.name == key.name)
                .map(|o| {
                    (
                        o.lists.values().map(|l| l.items.len()).sum::<usize>(),
                        false,
                    )
                })
                .unwrap_or((0, false));
            let spin = super::pane::SPINNER[app.spinner % super::pane::SPINNER.len()];
            lines.push(Line::from(format!(
                "{spin} Checking what mesh {} holds ({listed} found so far)…",
                clean(&key.name)
            )));
            lines.push(Line::from(Span::styled(
                "A mesh that holds resources can only be deleted after them; this window then offers to delete everything, in order.",
                theme.dim(),
            )));
        }
        (true, Some(plan)) if contents > 0 => {
            lines.push(Line::from(vec![
                Span::raw("Mesh "),
                Span::styled(clean(&key.name).into_owned(), theme.title()),
                Span::raw(format!(" holds {contents} resources: {}.", counts(plan))),
            ]));
            lines.push(Line::from(
                "They are deleted first, in the order the service requires, then the mesh. It cannot be undone:",
            ));
            let room = (text.height as usize).saturating_sub(4).max(1);
            for (i, k) in plan.iter().enumerate().take(room) {
                lines.push(Line::from(Span::styled(
                    format!("  {:>3}. {}", i + 1, clean(&what(k))),
                    theme.dim(),
                )));
            }
            if plan.len() > room {
                lines.push(Line::from(Span::styled(
                    format!("  … {} more, the mesh last", plan.len() - room),
                    theme.dim(),
                )));
            }
        }
        _ => lines.push(Line::from(vec![
            Span::raw(format!("{verb} removes ")),
            Span::styled(clean(&what(key)).into_owned(), theme.title()),
            Span::raw(" and its tags. It cannot be undone."),
        ])),
    }
    match untypeable {
        // Another client made a name with characters no keyboard types.
        Some((at, c)) => {
            lines.push(Line::from(format!(
                "Its name holds characters that cannot be typed (character {at} is {}). \
                 Type it with ? for each of them:",
                crate::model::char_name(c)
            )));
            lines.push(Line::from(Span::styled(
                clean(&d.expected()).into_owned(),
                theme.key(),
            )));
        }
        None => lines.push(Line::from(format!(
            "Type the {} name to confirm:",
            key.kind
        ))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    let label = {
        let mut l = format!("{} name", key.kind);
        l[..1].make_ascii_uppercase();
        l
    };
    input_box(frame, theme, input, &label, &d.input, true, None);
    let line = match &d.problem {
        Some(p) => Line::from(Span::styled(format!(" ✗ {p}"), theme.error())),
        None if d.matches() => Line::from(Span::styled(" ✓ name matches", theme.ok())),
        None => Line::default(),
    };
    frame.render_widget(line, problem);
    let keep = format!("keep the {}", key.kind);
    let delete = if contents > 0 { "delete all" } else { "delete" };
    let hints = [("Enter", delete), ("Esc", keep.as_str())];
    frame.render_widget(super::key_hints(theme, &hints, keys.width), keys);
}

/// A whole-mesh delete under way or ended: what is done, what is left, what stopped it.
fn purge_progress(app: &App, p: &crate::explore::Purge, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let r = window(area, 72, 18);
    frame.render_widget(Clear, r);
    let total = p.plan.len();
    let title = if p.running {
        format!(" Deleting {} of {total} ", (p.done + 1).min(total))
    } else if p.done == total {
        " Deleted ".to_string()
    } else {
        " Stopped ".to_string()
    };
    let block = Block::bordered()
        .border_style(if p.failed.is_some() {
            theme.error()
        } else {
            theme.focus_border()
        })
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let [gauge, text, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = gauge.width.saturating_sub(12) as usize;
    let filled = (width * p.done).checked_div(total).unwrap_or(0);
    frame.render_widget(
        Line::from(vec![
            Span::styled("█".repeat(filled), theme.ok()),
            Span::styled("░".repeat(width - filled), theme.dim()),
            Span::raw(format!(" {}/{total}", p.done)),
        ]),
        gauge,
    );
    let mut lines: Vec<Line> = Vec::new();
    if let Some((k, e)) = &p.failed {
        lines.push(Line::from(Span::styled(
            format!("Stopped at {}: {}", clean(&what(k)), e.title()),
            theme.error(),
        )));
        lines.push(Line::from(clean(&e.message).into_owned()));
        lines.push(Line::default());
    } else if !p.running && p.done < total {
        lines.push(Line::from(Span::styled(
            "Stopped at your request.",
            theme.warn(),
        )));
    }
    lines.push(Line::from(format!(
        "Deleted: {} of {total}{}",
        p.done,
        if p.done > 0 {
            format!(" ({})", counts(&p.plan[..p.done]))
        } else {
            String::new()
        }
    )));
    if p.done < total {
        lines.push(Line::from(format!(
            "Not deleted: {}{}",
            total - p.done,
            if p.plan[p.done..]
                .iter()
                .any(|k| k.kind == crate::kind::Kind::Mesh)
            {
                ", the mesh among them"
            } else {
                ""
            }
        )));
        let room = (text.height as usize).saturating_sub(lines.len() + 1);
        for k in p.plan[p.done..].iter().take(room) {
            lines.push(Line::from(Span::styled(
                format!("  · {}", clean(&what(k))),
                theme.dim(),
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    let hints: Vec<(&str, &str)> = if p.running {
        vec![("Esc", "stop after this delete")]
    } else {
        vec![("any key", "close")]
    };
    frame.render_widget(super::key_hints(theme, &hints, keys.width), keys);
}
