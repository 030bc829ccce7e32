//! The Migrate view: target tabs, a summary of the fields' fates, and three columns — the App
//! Mesh resource, what it becomes, what does not carry over and what to do instead.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::{clean, fit, wrap};
use super::theme::Theme;
use crate::migrate::table::Status;
use crate::migrate::view::{MigrateView, Mode};
use crate::migrate::{Format, Row, Target};

/// Most lines one resource row takes; the rest is cut with `…`.
const MAX_ROW_LINES: usize = 8;

fn short(t: Target) -> &'static str {
    match t {
        Target::Lattice => "VPC Lattice",
        Target::LatticeGatewayApi => "Gateway API (EKS)",
        Target::ServiceConnect => "ECS Service Connect",
    }
}

/// The lines of one column of a row, each bullet wrapped to `width`.
fn column(items: &[String], width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        let text = clean(item);
        for (i, l) in wrap(&text, width.saturating_sub(2).max(1))
            .into_iter()
            .enumerate()
        {
            out.push(format!("{}{l}", if i == 0 { "• " } else { "  " }));
        }
    }
    out
}

fn row_lines(r: &Row, widths: [usize; 3]) -> [Vec<String>; 3] {
    let who = match r.key.kind.info().parent {
        Some(_) => format!("{} {} ({})", r.key.kind, r.key.name, r.key.parent),
        None => format!("{} {}", r.key.kind, r.key.name),
    };
    let lost = if r.lost.is_empty() {
        vec!["—".to_string()]
    } else {
        column(&r.lost, widths[2])
    };
    [
        wrap(&clean(&who), widths[0].max(1)),
        column(&r.becomes, widths[1]),
        lost,
    ]
}

pub fn render(view: &MigrateView, theme: &Theme, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let m = view.migration();
    let block = Block::bordered()
        .title(format!(" Migrate mesh {} ", fit(&clean(&m.mesh), 40)))
        .border_style(theme.focus_border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 6 || inner.width < 20 {
        return;
    }
    let [tabs, summary, head, body, bottom, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);

    let mut spans = Vec::new();
    for (i, t) in Target::ALL.iter().enumerate() {
        let style = if *t == view.target {
            theme.active_tab()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, short(*t)), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Line::from(spans), tabs);

    let sc = m.status_counts();
    let n = |s| sc.get(&s).copied().unwrap_or(0);
    frame.render_widget(
        Line::from(vec![
            Span::styled(
                format!("{} App Mesh fields used: ", m.uses.len()),
                theme.label(),
            ),
            Span::styled(format!("{} mapped", n(Status::Mapped)), theme.ok()),
            Span::raw(" · "),
            Span::styled(
                format!("{} approximated", n(Status::Approximated)),
                theme.warn(),
            ),
            Span::raw(" · "),
            Span::styled(format!("{} lost", n(Status::Lost)), theme.error()),
        ]),
        summary,
    );

    let w = body.width as usize;
    let w0 = (w * 26 / 100).max(8);
    let w1 = (w * 32 / 100).max(8);
    let w2 = w.saturating_sub(w0 + w1 + 2).max(8);
    let widths = [w0, w1, w2];
    let cols = |a: &str, b: &str, c: &str| {
        format!("{:<w0$} {:<w1$} {}", fit(a, w0), fit(b, w1), fit(c, w2),)
    };
    frame.render_widget(
        Line::styled(
            cols(
                "App Mesh resource",
                "becomes",
                "does not carry over · what to do",
            ),
            theme.title(),
        ),
        head,
    );

    // Rows, the selected one kept in view.
    let rows: Vec<[Vec<String>; 3]> = m.rows.iter().map(|r| row_lines(r, widths)).collect();
    let height = |r: &[Vec<String>; 3]| {
        r.iter()
            .map(Vec::len)
            .max()
            .unwrap_or(1)
            .clamp(1, MAX_ROW_LINES)
    };
    let selected = view.selected.min(rows.len().saturating_sub(1));
    let mut start = selected;
    let mut used = rows.get(selected).map(height).unwrap_or(0);
    while start > 0 && used + height(&rows[start - 1]) <= body.height as usize {
        start -= 1;
        used += height(&rows[start]);
    }
    let mut lines: Vec<Line> = Vec::new();
    for (i, r) in rows.iter().enumerate().skip(start) {
        let h = height(r);
        let style = if i == selected {
            theme.selected()
        } else {
            Style::default()
        };
        for j in 0..h {
            let get = |c: usize| {
                let col = &r[c];
                match col.get(j) {
                    Some(s) if j + 1 == MAX_ROW_LINES && col.len() > MAX_ROW_LINES => {
                        format!("{s}…")
                    }
                    Some(s) => s.clone(),
                    None => String::new(),
                }
            };
            lines.push(Line::styled(cols(&get(0), &get(1), &get(2)), style));
        }
        if lines.len() >= body.height as usize {
            break;
        }
    }
    if rows.is_empty() {
        lines.push(Line::styled("(the mesh holds nothing)", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), body);

    match &view.mode {
        Mode::ChooseFormat => frame.render_widget(
            Line::from(Span::styled(
                "Write which? c CloudFormation · t Terraform · y YAML · r report (Markdown)",
                theme.label(),
            )),
            bottom,
        ),
        Mode::Path(f) => {
            let label = format!("{} to file: ", label_of(*f));
            let lw = super::text::width(&label) as u16;
            let value = clean(view.path.value()).into_owned();
            let room = bottom.width.saturating_sub(lw + 1) as usize;
            let scroll = view.path.visual_scroll(room);
            let shown: String = value.chars().skip(scroll).collect();
            frame.render_widget(
                Line::from(vec![
                    Span::styled(label, theme.label()),
                    Span::raw(fit(&shown, room)),
                ]),
                bottom,
            );
            let x = bottom.x + lw + (view.path.visual_cursor().saturating_sub(scroll)) as u16;
            if x < bottom.right() {
                frame.set_cursor_position(Position::new(x, bottom.y));
            }
        }
        _ => {
            if let Some((ok, msg)) = &view.status {
                let style = if *ok { theme.ok() } else { theme.error() };
                frame.render_widget(
                    Line::styled(fit(&clean(msg), bottom.width as usize), style),
                    bottom,
                );
            }
        }
    }
    frame.render_widget(
        Line::styled(fit(view.hints(), hints.width as usize), theme.dim()),
        hints,
    );
}

fn label_of(f: Format) -> &'static str {
    f.label()
}
