//! Drawing the canary control ([`crate::canary::Canary`]): one row per weighted target with its
//! weight before → after and a bar of its share.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::text::{clean, fit, width};
use super::theme::Theme;
use crate::canary::{Canary, STEP};

/// Draws the control filling `area` (the app chooses the window).
pub fn draw(c: &Canary, frame: &mut Frame, area: Rect, theme: &Theme) {
    frame.render_widget(Clear, area);
    let title = format!(" Canary: {} ", clean(&c.key.describe()));
    let block = Block::bordered()
        .border_style(theme.focus_border())
        .title(Span::styled(
            fit(&title, area.width.saturating_sub(4) as usize),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [about, rows, message, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);

    let (lo, hi) = c.bounds();
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(" total weight ", theme.label()),
                Span::raw(c.total.to_string()),
                Span::styled("  each ", theme.label()),
                Span::raw(format!("{}–{}", c.min, c.max)),
                Span::styled("  protocol ", theme.label()),
                Span::raw(clean(&c.protocol).into_owned()),
            ]),
            Line::from(Span::styled(
                format!(
                    " Steps of {STEP} for the selected target ({lo}–{hi} here); the others keep their ratio."
                ),
                theme.dim(),
            )),
        ])
        .wrap(Wrap { trim: false }),
        about,
    );

    // Columns: marker (2), node, port, was → now, bar, percent; one space between.
    let w = rows.width as usize;
    let port_w = 5;
    let nums_w = 9; // "100 → 100"
    let pct_w = 5; // " 100%"
    let node_w = c
        .targets
        .iter()
        .map(|t| width(&clean(&t.node)))
        .max()
        .unwrap_or(4)
        .clamp(4, (w / 3).max(4));
    let bar_w = w.saturating_sub(2 + node_w + 1 + port_w + 1 + nums_w + 1 + pct_w);
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "  {:<node_w$} {:>port_w$} {:<nums_w$} {:<bar_w$}{:>pct_w$}",
                "target", "port", "was → now", "share", "",
            ),
            theme.label(),
        )),
        Line::default(),
    ];
    for (i, t) in c.targets.iter().enumerate() {
        let selected = i == c.selected;
        let after = c.weights[i];
        let node = fit(&clean(&t.node), node_w);
        let pad = node_w.saturating_sub(width(&node));
        let port = t.port.map_or(String::new(), |p| p.to_string());
        let moved = after != t.before;
        let nums = format!("{:>3} → {:<3}", t.before, after);
        let filled = if c.total > 0 {
            ((after as f64 / c.total as f64) * bar_w as f64).round() as usize
        } else {
            0
        }
        .min(bar_w);
        let mark = if selected { "▶ " } else { "  " };
        let row_style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(mark, theme.key()),
            Span::styled(format!("{node}{} ", " ".repeat(pad)), row_style),
            Span::raw(format!("{port:>port_w$} ")),
            Span::styled(
                format!("{nums:<nums_w$}"),
                if moved { theme.warn() } else { theme.dim() },
            ),
            Span::raw(" "),
            Span::styled("█".repeat(filled), theme.ok()),
            Span::styled("░".repeat(bar_w - filled), theme.dim()),
            Span::raw(format!("{:>4.0}%", c.percent(i))),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), rows);

    let mut msg = Vec::new();
    if !c.typed.is_empty() {
        msg.push(Line::from(vec![
            Span::styled(" weight for ", theme.label()),
            Span::raw(clean(&c.targets[c.selected].node).into_owned()),
            Span::styled(": ", theme.label()),
            Span::styled(format!("{}▏", c.typed), theme.key()),
            Span::styled("  Enter sets it, Esc drops it", theme.dim()),
        ]));
    }
    if let Some(m) = &c.message {
        msg.push(Line::from(Span::styled(
            format!(" {}", clean(m)),
            theme.warn(),
        )));
    } else if c.typed.is_empty() {
        let changed = c
            .targets
            .iter()
            .zip(&c.weights)
            .filter(|(t, w)| t.before != **w)
            .count();
        msg.push(Line::from(Span::styled(
            if changed == 0 {
                " No change yet.".to_string()
            } else {
                format!(
                    " {changed} weights change; Ctrl-S sends UpdateRoute with only them changed."
                )
            },
            theme.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: false }), message);
    frame.render_widget(
        super::key_hints(
            theme,
            &[
                ("+/-", "±5"),
                ("0-9", "type"),
                ("↑↓", "target"),
                ("r", "reset"),
                ("Ctrl-S", "send"),
                ("Esc", "cancel"),
            ],
            keys.width,
        ),
        keys,
    );
}

impl Canary {
    /// Draws the control filling `area` (see [`draw`]).
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        draw(self, frame, area, theme);
    }
}
