//! Drawing a [`KindForm`]: a title, the service's last answer, the fields (scrolled so the
//! focus stays in view), the focused field's help, and the keys.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::text::{clean, fit, width, wrap};
use super::theme::Theme;
use crate::kind::Verb;
use crate::kind_form::{Answer, Content, KEYS, KindForm, Stop, ViewRow};

/// Options that need more lines than this are drawn as one line: `‹ (•) name › 3/120`.
const OPTION_LINES: usize = 3;

/// One line of the body: the label part from the left edge, the value part from the value
/// column (drawn separately, so no padding is drawn).
#[derive(Default)]
struct BodyLine {
    label: Vec<Span<'static>>,
    value: Vec<Span<'static>>,
}

/// The body as lines, the line range of the focused row, and the cursor if any.
struct Body {
    lines: Vec<BodyLine>,
    value_x: u16,
    focus: (usize, usize),
    cursor: Option<(usize, u16)>,
}

impl KindForm {
    /// Draws the form in `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        render(self, frame, area, theme);
    }
}

pub fn render(form: &KindForm, frame: &mut Frame, area: Rect, theme: &Theme) {
    if area.width < 20 || area.height < 6 {
        frame.render_widget(
            Paragraph::new("The form needs at least 20x6 characters."),
            area,
        );
        return;
    }
    let w = area.width as usize;
    let answer: Vec<Line> = match &form.answer {
        Some(Answer::Ok(s)) => wrap(&format!("✓ {}", clean(s)), w)
            .into_iter()
            .take(3)
            .map(|l| Line::from(Span::styled(l, theme.ok())))
            .collect(),
        Some(Answer::Err(s)) => wrap(&format!("✗ {}", clean(s)), w)
            .into_iter()
            .take(3)
            .map(|l| Line::from(Span::styled(l, theme.error())))
            .collect(),
        None => Vec::new(),
    };
    let help_lines = if area.height >= 30 { 3 } else { 2 };
    let [
        title_area,
        answer_area,
        body_area,
        help_area,
        status_area,
        keys_area,
    ] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(answer.len() as u16),
        Constraint::Fill(1),
        Constraint::Length(help_lines),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    // Title.
    let verb = if form.is_edit() {
        Verb::Update
    } else {
        Verb::Create
    };
    frame.render_widget(Paragraph::new(answer), answer_area);

    // Body.
    let body = body(form, theme, body_area.width as usize);
    let h = body_area.height as usize;
    let mut top = form.scroll.get().min(body.lines.len().saturating_sub(1));
    if body.focus.0 < top {
        top = body.focus.0;
    }
    if body.focus.1 > top + h {
        top = body.focus.1.saturating_sub(h).min(body.focus.0);
    }
    // Never leave empty space below while there are lines above.
    top = top.min(body.lines.len().saturating_sub(h));
    form.scroll.set(top);
    // Title, with the part of the body shown when it does not fit.
    let more = if top > 0 || body.lines.len() > top + h {
        format!(
            " lines {}-{} of {}",
            top + 1,
            (top + h).min(body.lines.len()),
            body.lines.len()
        )
    } else {
        String::new()
    };
    frame.render_widget(
        Line::from(vec![
            Span::styled(
                fit(&clean(&form.title()), w.saturating_sub(width(&more) + 1)),
                theme.title(),
            ),
            Span::styled(more, theme.dim()),
        ]),
        title_area,
    );
    let cursor = body.cursor;
    let buf = frame.buffer_mut();
    for (y, bl) in body.lines.into_iter().skip(top).take(h).enumerate() {
        let y = body_area.y + y as u16;
        if !bl.label.is_empty() {
            buf.set_line(body_area.x, y, &Line::from(bl.label), body_area.width);
        }
        if !bl.value.is_empty() && body.value_x < body_area.width {
            buf.set_line(
                body_area.x + body.value_x,
                y,
                &Line::from(bl.value),
                body_area.width - body.value_x,
            );
        }
    }
    if let Some((line, x)) = cursor
        && line >= top
        && line < top + h
        && x < body_area.width
    {
        frame.set_cursor_position(Position::new(
            body_area.x + x,
            body_area.y + (line - top) as u16,
        ));
    }
    // Help for the focused field.
    let label = form.stop_label(form.focus);
    let help = form.help(form.focus);
    let text = if label.is_empty() {
        help
    } else {
        format!("{label}: {help}")
    };
    let help: Vec<Line> = wrap(&text, w)
        .into_iter()
        .take(help_lines as usize)
        .map(|l| Line::from(Span::styled(l, theme.dim())))
        .collect();
    frame.render_widget(Paragraph::new(help), help_area);

    // Status: the last remark, or what stops a submit, or ready.
    let n = form.check.problems.len();
    let status = match &form.notice {
        Some(n) => Span::styled(fit(&clean(n), w), theme.warn()),
        None if n > 0 && form.submit_attempted => Span::styled(
            fit(
                &format!(
                    "✗ {n} problem{} to fix (marked ✗ below the fields)",
                    if n == 1 { "" } else { "s" }
                ),
                w,
            ),
            theme.error(),
        ),
        None if n > 0 => Span::styled(
            fit(
                &format!(
                    "{n} field{} still to fill in or fix",
                    if n == 1 { "" } else { "s" }
                ),
                w,
            ),
            theme.dim(),
        ),
        None => Span::styled(
            fit(
                &match form.button() {
                    Some(_) => "✓ ready: Ctrl-N goes on (nothing is sent yet)".to_string(),
                    None => format!("✓ ready: Ctrl-S sends {}", form.kind.operation(verb)),
                },
                w,
            ),
            theme.ok(),
        ),
    };
    frame.render_widget(Line::from(status), status_area);
    let mut spans = Vec::new();
    let mut used = 0;
    for (k, what) in KEYS {
        let len = width(k) + width(what) + 3;
        if used + len > w {
            break;
        }
        spans.push(Span::styled(k.to_string(), theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
        used += len;
    }
    frame.render_widget(Line::from(spans), keys_area);
}

fn body(form: &KindForm, theme: &Theme, w: usize) -> Body {
    let label_w = (w / 3).clamp(12, 26);
    let value_x = 2 + label_w + 1;
    let value_w = w.saturating_sub(value_x).max(4);
    let mut lines: Vec<BodyLine> = Vec::new();
    let mut focus = (0, 1);
    let mut cursor = None;
    let unchecked = form.check.problems.iter().filter(|(s, _)| s.is_none());
    for (_, p) in unchecked {
        for l in wrap(&format!("✗ {p}"), w) {
            lines.push(BodyLine {
                label: vec![Span::styled(l, theme.error())],
                value: Vec::new(),
            });
        }
    }
    for row in form.drawn() {
        let focused = row.stop == Some(form.focus);
        let start = lines.len();
        let marker = if focused { "▸ " } else { "  " };
        let label_text = format!("{}{}", " ".repeat(row.indent * 2), clean(&row.label));
        let label_style = match (&row.content, focused) {
            (_, true) => theme.focus_border(),
            (Content::Heading(_) | Content::Share(_), false) => theme.title(),
            _ => theme.label(),
        };
        let mut head = Some(vec![
            Span::styled(marker, theme.focus_border()),
            Span::styled(fit(&label_text, label_w), label_style),
        ]);
        let (value_lines, cur) = value(row, theme, focused, value_w);
        for vl in value_lines {
            lines.push(BodyLine {
                label: head.take().unwrap_or_default(),
                value: vl,
            });
        }
        if let Some((dy, x)) = cur
            && focused
        {
            cursor = Some((start + dy, (value_x + x) as u16));
        }
        if let Some(p) = &row.problem {
            for l in wrap(&format!("✗ {}", clean(p)), value_w) {
                lines.push(BodyLine {
                    label: Vec::new(),
                    value: vec![Span::styled(l, theme.error())],
                });
            }
        }
        if let Some(warn) = &row.warning {
            for l in wrap(&format!("⚠ {}", clean(warn)), value_w) {
                lines.push(BodyLine {
                    label: Vec::new(),
                    value: vec![Span::styled(l, theme.warn())],
                });
            }
        }
        if focused {
            focus = (start, lines.len());
        }
        if row.stop == Some(Stop::Submit) {
            // Keep the button clear of the last field.
            lines.insert(start, BodyLine::default());
            if focused {
                focus = (start, lines.len());
            }
        }
    }
    Body {
        lines,
        value_x: value_x as u16,
        focus,
        cursor,
    }
}

/// A text input cut to `w` columns around its cursor: the spans, and the cursor's column.
fn input_spans(input: &Input, w: usize, style: Style) -> (Span<'static>, usize) {
    let scroll = input.visual_scroll(w.saturating_sub(1));
    let shown: String = clean(input.value()).chars().skip(scroll).collect();
    let shown = fit(&shown, w);
    (
        Span::styled(shown, style),
        input
            .visual_cursor()
            .saturating_sub(scroll)
            .min(w.saturating_sub(1)),
    )
}

type ValueLines = (Vec<Vec<Span<'static>>>, Option<(usize, usize)>);

fn value(row: &ViewRow, theme: &Theme, focused: bool, w: usize) -> ValueLines {
    match &row.content {
        Content::Text {
            input,
            fixed,
            placeholder,
        } => {
            if *fixed {
                let s = fit(&clean(input.value()), w.saturating_sub(12));
                return (
                    vec![vec![
                        Span::raw(s),
                        Span::styled("  (read-only)", theme.dim()),
                    ]],
                    None,
                );
            }
            if input.value().is_empty() {
                let cur = focused.then_some((0, 0));
                return (
                    vec![vec![Span::styled(format!("‹{placeholder}›"), theme.dim())]],
                    cur,
                );
            }
            let (span, x) = input_spans(input, w, Style::new());
            (vec![vec![span]], focused.then_some((0, x)))
        }
        Content::Options {
            labels,
            selected,
            cursor,
            typed,
        } => options(
            labels,
            selected,
            *cursor,
            typed.as_ref(),
            theme,
            focused,
            w,
            false,
        ),
        Content::Checks { labels, on, cursor } => {
            options(labels, on, *cursor, None, theme, focused, w, true)
        }
        Content::Duration { input, unit, units } => {
            let mut spans = Vec::new();
            let (span, x) = if input.value().is_empty() {
                (Span::styled("‹not set›", theme.dim()), 0)
            } else {
                input_spans(input, 10, Style::new())
            };
            let used = width(&span.content);
            spans.push(span);
            spans.push(Span::raw(" ".repeat(11usize.saturating_sub(used))));
            for u in units {
                let on = u == unit;
                let style = if on && focused {
                    theme.selected()
                } else if on {
                    theme.title()
                } else {
                    theme.dim()
                };
                spans.push(Span::styled(
                    format!("{} {}", if on { "(•)" } else { "( )" }, u),
                    style,
                ));
                spans.push(Span::raw("  "));
            }
            (vec![spans], focused.then_some((0, x)))
        }
        Content::Heading(hint) => (
            vec![vec![Span::styled(
                fit(hint, w),
                if focused { theme.key() } else { theme.dim() },
            )]],
            None,
        ),
        Content::Share(share) => {
            let bar_w = w.saturating_sub(16).clamp(4, 30);
            let filled = ((share * bar_w as f64).round() as usize).min(bar_w);
            (
                vec![vec![
                    Span::styled("█".repeat(filled), theme.ok()),
                    Span::styled("░".repeat(bar_w - filled), theme.dim()),
                    Span::raw(format!(" {:>3.0}%", share * 100.0)),
                    Span::styled("  d: remove", theme.dim()),
                ]],
                None,
            )
        }
        Content::Button(label) => (
            vec![vec![Span::styled(
                format!("[ {label} ]"),
                if focused {
                    theme.active_tab()
                } else {
                    theme.title()
                },
            )]],
            None,
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn options(
    labels: &[String],
    selected: &[usize],
    cursor: usize,
    typed: Option<&Input>,
    theme: &Theme,
    focused: bool,
    w: usize,
    checks: bool,
) -> ValueLines {
    let n = labels.len();
    let mark = |i: usize| {
        let on = selected.contains(&i);
        match (checks, on) {
            (true, true) => "[x]",
            (true, false) => "[ ]",
            (false, true) => "(•)",
            (false, false) => "( )",
        }
    };
    // The text of option i; the last option of a reference list shows what was typed.
    let text = |i: usize| -> String {
        let label = clean(&labels[i]).into_owned();
        match typed {
            Some(input) if i + 1 == n => {
                if input.value().is_empty() {
                    "type a name: ‹›".to_string()
                } else {
                    format!("type a name: {}", clean(input.value()))
                }
            }
            _ => label,
        }
    };
    let style = |i: usize| {
        let on = selected.contains(&i);
        if focused && i == cursor {
            theme.selected()
        } else if on {
            theme.title()
        } else {
            theme.dim()
        }
    };
    // Lay the options out in lines.
    let mut lines: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    let mut cur = None;
    for i in 0..n {
        let item = fit(&format!("{} {}", mark(i), text(i)), w);
        let iw = width(&item);
        if used > 0 && used + 2 + iw > w {
            lines.push(Vec::new());
            used = 0;
        }
        if used > 0 {
            lines
                .last_mut()
                .unwrap_or(&mut Vec::new())
                .push(Span::raw("  "));
            used += 2;
        }
        if typed.is_some() && i + 1 == n && focused {
            cur = Some((lines.len() - 1, (used + iw).min(w.saturating_sub(1))));
        }
        if let Some(l) = lines.last_mut() {
            l.push(Span::styled(item, style(i)));
        }
        used += iw;
    }
    if lines.len() <= OPTION_LINES {
        return (lines, cur);
    }
    // Too many: the chosen one (or the cursor) with arrows and its position.
    let at = if checks {
        cursor.min(n.saturating_sub(1))
    } else {
        selected
            .first()
            .copied()
            .unwrap_or(0)
            .min(n.saturating_sub(1))
    };
    let pos = format!("  {}/{n}  ←→", at + 1);
    let item = fit(
        &format!("‹ {} {} ›", mark(at), text(at)),
        w.saturating_sub(width(&pos)),
    );
    let iw = width(&item);
    let cur = (typed.is_some() && at + 1 == n && focused).then_some((0, iw.saturating_sub(2)));
    (
        vec![vec![
            Span::styled(item, style(at)),
            Span::styled(pos, theme.dim()),
        ]],
        cur,
    )
}
