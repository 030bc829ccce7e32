//! The export window (formats, the text, the file prompt, the overwrite question) and the
//! template window (what `--template` loaded).

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::pane::Lines;
use super::text::{clean, fit, fit_start, tilde};
use crate::app::App;
use crate::export_menu::Stage;

/// The big window: the whole screen but a margin and the two bottom lines.
fn window(area: Rect) -> Rect {
    Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(3),
    )
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(menu) = &app.export else {
        return;
    };
    let theme = &app.theme;
    let name = clean(&menu.source.name).into_owned();
    match &menu.stage {
        Stage::Menu => {
            let w = area.width.saturating_sub(4).min(72);
            let mut lines = vec![
                Line::from(Span::styled(
                    fit(
                        &match (&menu.source.resource, menu.source.existing_arn.is_some()) {
                            (Some((key, _)), _) => {
                                format!("{} {name} as the service returned it.", key.kind)
                            }
                            (None, true) => format!("Mesh {name} as the service returned it."),
                            (None, false) => format!("Mesh {name} as the form would create it."),
                        },
                        w.saturating_sub(2) as usize,
                    ),
                    theme.dim(),
                )),
                Line::default(),
            ];
            let choices = menu.choices();
            let lw = choices.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 2;
            for (i, (label, file)) in choices.into_iter().enumerate() {
                let style = if i == menu.selected {
                    theme.selected()
                } else {
                    Style::new()
                };
                let text = format!(" {} {label:<lw$} {file}", i + 1);
                lines.push(Line::from(Span::styled(
                    fit(&clean(&text), w.saturating_sub(2) as usize),
                    style,
                )));
            }
            lines.push(Line::default());
            if let Some(note) = &menu.source.note {
                lines.push(Line::from(Span::styled(
                    clean(note).into_owned(),
                    theme.warn(),
                )));
            }
            lines.push(Line::from(Span::styled(
                format!("↑↓ choose · Enter or 1-{} show · Esc close", menu.count()),
                theme.dim(),
            )));
            let h = (lines.len() as u16 + 2).min(area.height);
            let r = area.centered(Constraint::Length(w), Constraint::Length(h));
            frame.render_widget(Clear, r);
            let title = fit(&format!(" Export {name} "), w.saturating_sub(4) as usize);
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::bordered()
                        .border_style(theme.focus_border())
                        .title(Span::styled(title, theme.title())),
                ),
                r,
            );
        }
        Stage::Text | Stage::Path { .. } | Stage::ConfirmOverwrite { .. } => {
            let r = window(area);
            frame.render_widget(Clear, r);
            let title = fit(
                &format!(" {} · {name} ", menu.label()),
                r.width.saturating_sub(4) as usize,
            );
            let block = Block::bordered()
                .border_style(theme.focus_border())
                .title(Span::styled(title, theme.title()));
            let inner = block.inner(r);
            // The last inner row says what happened or what the keys do.
            let text_rows = inner.height.saturating_sub(1);
            let exported = menu.exported();
            // What did not carry over into this format comes first, as comments are not
            // the same in every format; it is not part of what a write or copy gives.
            let text = if exported.notes.is_empty() {
                exported.text
            } else {
                let mut t: String = exported.notes.iter().map(|n| format!("⚠ {n}\n")).collect();
                t.push('\n');
                t.push_str(&exported.text);
                t
            };
            // Long lines wrap at the exact column (no character is dropped or added), so what
            // is read here is what a write or copy gives.
            let lines: Vec<Line> = text
                .lines()
                .flat_map(|l| hard_wrap(&clean(l), inner.width.max(1) as usize))
                .map(Line::from)
                .collect();
            let max_scroll = (lines.len() as u16).saturating_sub(text_rows);
            let scroll = menu.scroll.min(max_scroll);
            let more = if scroll < max_scroll {
                " ↓ more "
            } else {
                ""
            };
            frame.render_widget(
                block.title_bottom(Line::from(Span::styled(more, theme.dim())).right_aligned()),
                r,
            );
            frame.render_widget(
                Paragraph::new(lines).scroll((scroll, 0)),
                Rect {
                    height: text_rows,
                    ..inner
                },
            );
            let status = Rect {
                y: inner.y + text_rows,
                height: 1,
                ..inner
            };
            let line = match &menu.message {
                Some(m)
                    if m.starts_with("Wrote")
                        || m.starts_with("Overwrote")
                        || m.starts_with("Copied") =>
                {
                    Span::styled(fit(&clean(m), status.width as usize), theme.ok())
                }
                Some(m) => Span::styled(fit(&clean(m), status.width as usize), theme.warn()),
                None => Span::styled(
                    fit(
                        "w write to a file · c copy (OSC 52) · ↑↓ PgUp PgDn scroll · Esc formats",
                        status.width as usize,
                    ),
                    theme.dim(),
                ),
            };
            frame.render_widget(Line::from(line), status);
            match &menu.stage {
                Stage::Path { input } => path_prompt(app, frame, r, input, menu.message.as_deref()),
                Stage::ConfirmOverwrite { path } => {
                    let w = r.width.saturating_sub(4).min(70);
                    let shown =
                        fit_start(&tilde(&clean(&path.display().to_string())), w as usize - 4);
                    let q = area.centered(Constraint::Length(w), Constraint::Length(5));
                    frame.render_widget(Clear, q);
                    frame.render_widget(
                        Paragraph::new(vec![
                            Line::from(shown),
                            Line::from("already exists. Overwrite it?"),
                            Line::from(vec![
                                Span::styled(" y ", theme.key()),
                                Span::raw("overwrite   "),
                                Span::styled(" n / Esc ", theme.key()),
                                Span::raw("keep it, choose another name"),
                            ]),
                        ])
                        .block(
                            Block::bordered()
                                .border_style(theme.warn())
                                .title(" Overwrite? "),
                        ),
                        q,
                    );
                }
                _ => {}
            }
        }
    }
}

/// Splits a line into pieces of at most `width` columns, keeping every character.
pub(crate) fn hard_wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut w = 0;
    for c in line.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width && w > 0 {
            out.push(String::new());
            w = 0;
        }
        out.last_mut().expect("never empty").push(c);
        w += cw;
    }
    out
}

fn path_prompt(
    app: &App,
    frame: &mut Frame,
    r: Rect,
    input: &tui_input::Input,
    message: Option<&str>,
) {
    let theme = &app.theme;
    let h = 5;
    let p = Rect::new(
        r.x + 1,
        r.y + r.height.saturating_sub(h + 1),
        r.width.saturating_sub(2),
        h.min(r.height),
    );
    frame.render_widget(Clear, p);
    let block = Block::bordered()
        .border_style(theme.focus_border())
        .title(" Write to file (relative to the current directory) ");
    let inner = block.inner(p);
    frame.render_widget(block, p);
    let width = inner.width.max(1) as usize;
    let scroll = input.visual_scroll(width.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(clean(input.value()).into_owned()).scroll((0, scroll as u16)),
        Rect { height: 1, ..inner },
    );
    let hint = match message {
        Some(m) => Span::styled(fit(&clean(m), width), theme.error()),
        None => Span::styled(
            "Enter writes (never over an existing file without asking) · Esc back",
            theme.dim(),
        ),
    };
    let hint_area = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    frame.render_widget(
        Paragraph::new(Line::from(hint)).wrap(ratatui::widgets::Wrap { trim: true }),
        hint_area,
    );
    if inner.width > 0 {
        let x = input.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position(Position::new(inner.x + x.min(inner.width - 1), inner.y));
    }
}

/// What `--template` loaded: the problems with their JSON paths, then the team rules.
pub fn template(app: &App, frame: &mut Frame, area: Rect) {
    let Some(report) = &app.template else {
        return;
    };
    let theme = &app.theme;
    let r = window(area);
    let mut out = Lines::new(theme, r.width.saturating_sub(2));
    if let Some(fatal) = &report.fatal {
        out.text(&format!("✗ {fatal}"), theme.error());
        out.blank();
        out.text(
            "The app opened with an empty form. Fix the file and start again, or fill in the form.",
            Style::new(),
        );
    } else {
        let errors = report.problems.iter().filter(|(e, _)| *e).count();
        if errors > 0 {
            out.text(
                &format!(
                    "{errors} problem{} in the file; what was valid is in the form, the rest was left out:",
                    if errors == 1 { "" } else { "s" }
                ),
                Style::new(),
            );
        } else {
            out.text("The file was used as it is.", theme.ok());
        }
        for (is_error, p) in &report.problems {
            if *is_error {
                out.text(&format!("✗ {p}"), theme.error());
            } else {
                out.text(&format!("· note: {p}"), theme.dim());
            }
        }
        out.blank();
        if report.rules.is_empty() {
            out.text("No team rules in this template.", theme.dim());
        } else {
            out.text(
                "Team rules (checked before every create, update and tag edit; nothing is sent while one is broken):",
                theme.title(),
            );
            for rule in &report.rules {
                out.text(&format!("• {rule}"), Style::new());
            }
        }
    }
    out.blank();
    out.text("Esc closes this window; F7 opens it again.", theme.dim());
    let lines = out.lines;
    let h = (lines.len() as u16 + 2).min(r.height);
    let r = Rect { height: h, ..r };
    let max_scroll = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    let title = fit(
        &format!(" Template {} ", tilde(&clean(&report.file))),
        r.width.saturating_sub(4) as usize,
    );
    frame.render_widget(Clear, r);
    let style = if report.fatal.is_some() || report.problems.iter().any(|(e, _)| *e) {
        theme.warn()
    } else {
        theme.focus_border()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((app.template_scroll.min(max_scroll), 0))
            .block(Block::bordered().border_style(style).title(title)),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::hard_wrap;

    #[test]
    fn hard_wrap_keeps_every_character() {
        let line = "  --spec '{\"egressFilter\":{\"type\":\"ALLOW_ALL\"}}' \\";
        let parts = hard_wrap(line, 10);
        assert_eq!(parts.concat(), line);
        assert!(parts.iter().all(|p| super::super::text::width(p) <= 10));
        assert_eq!(hard_wrap("", 10), [""]);
        assert_eq!(hard_wrap("日本語", 3), ["日", "本", "語"]);
    }
}
