//! Drawing the "Onboard a service" walkthrough: the step list and what the plan holds on the
//! left; on the right the step: its explanation above its form, or the review (every request
//! as JSON and as an AWS CLI command), the progress of the send, and the result explained.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::layout::WIDE;
use super::pane::{Lines, error_facts};
use super::text::{clean, fit};
use super::theme::Theme;
use super::{StepMark, render_step_list};
use crate::aws::{ApiError, ErrorKind};
use crate::iac::cli::{CliTarget, CreateInput, command, input_json};
use crate::kind::Verb;
use crate::onboard::{Onboard, Request, Sent, Step, explanation, result_lines};

impl Onboard {
    /// Draws the walkthrough filling `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        render(self, frame, area, theme);
    }
}

/// The line the host shows above its footer: what the keys do now.
pub fn hint(o: &Onboard) -> String {
    match o.step {
        Step::Intro => "Enter or Ctrl-N starts; Esc leaves (F6 inside the mesh comes back).".into(),
        s if s.kind().is_some() && !o.active(s) => {
            "Enter or Ctrl-N goes on; Ctrl-P goes back.".into()
        }
        Step::GatewayRoute => {
            "Ctrl-N next (checks the form); Ctrl-O skips the gateway route; Ctrl-S to the review."
                .into()
        }
        s if s.kind().is_some() => {
            "Ctrl-N next (checks the form); Ctrl-P back; Ctrl-S to the review; PgDn more text."
                .into()
        }
        Step::Review => {
            "Enter goes on to Send; Ctrl-S sends now; Ctrl-P goes back; ↑ ↓ PgUp PgDn scroll."
                .into()
        }
        Step::Send if o.in_flight() => "Waiting for the answer…".into(),
        Step::Send => {
            "Enter sends the requests in order; Ctrl-P goes back to change something.".into()
        }
        _ => "Enter or g shows the topology with the new service; Esc leaves.".into(),
    }
}

pub fn render(o: &Onboard, frame: &mut Frame, area: Rect, theme: &Theme) {
    if area.width < 40 || area.height < 12 {
        frame.render_widget(
            Paragraph::new("The walkthrough needs at least 40x12 characters."),
            area,
        );
        return;
    }
    let side = if area.width >= WIDE { 28 } else { 24 };
    let [left, main] =
        Layout::horizontal([Constraint::Length(side), Constraint::Fill(1)]).areas(area);
    let [steps, summary] = Layout::vertical([
        Constraint::Length(Step::ALL.len() as u16 + 2),
        Constraint::Fill(1),
    ])
    .areas(left);
    render_steps(o, frame, steps, theme);
    render_summary(o, frame, summary, theme);
    let [main, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(main);
    render_step(o, frame, main, theme);
    let (text, style) = match &o.status {
        Some(s) => (s.clone(), theme.warn()),
        None => (hint(o), theme.dim()),
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            fit(&clean(&text), status.width as usize),
            style,
        ))),
        status,
    );
}

fn render_steps(o: &Onboard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let steps = Step::ALL.iter().map(|&s| {
        let mark = if s == o.step {
            StepMark::Current
        } else if s.kind().is_some() && !o.active(s) {
            StepMark::Skipped
        } else if s.index() < o.step.index() {
            StepMark::Done
        } else {
            StepMark::Ahead
        };
        (mark, format!("{} {}", s.number(), s.title()))
    });
    render_step_list(frame, area, theme, "Onboard a service", steps);
}

fn render_summary(o: &Onboard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for step in Step::FORMS {
        let label = match step {
            Step::Node => "Node",
            Step::Service => "Service",
            Step::Router => "Router",
            Step::Route => "Route",
            _ => "Gateway route",
        };
        let (value, style) = if !o.active(step) {
            ("skipped".to_string(), theme.dim())
        } else {
            match o.key(step) {
                Some(k) if !k.name.is_empty() => {
                    let sent = o.sends.iter().find(|(r, _)| r.key == k).map(|(_, s)| s);
                    let (mark, style) = match sent {
                        Some(Sent::Created(_)) => ("✓ ", theme.ok()),
                        Some(Sent::Failed(_)) => ("✗ ", theme.error()),
                        Some(Sent::InFlight) => ("… ", theme.warn()),
                        _ => ("", Style::new()),
                    };
                    (format!("{mark}{}", k.name), style)
                }
                _ => ("(none yet)".to_string(), theme.dim()),
            }
        };
        lines.push(Line::from(Span::styled(label, theme.label())));
        lines.push(Line::from(Span::styled(
            fit(&format!(" {}", clean(&value)), w),
            style,
        )));
    }
    let p = Paragraph::new(lines).block(Block::bordered().border_style(theme.border()).title(
        format!(" Mesh {} ", fit(&clean(&o.mesh.name), w.saturating_sub(6))),
    ));
    frame.render_widget(p, area);
}

fn render_step(o: &Onboard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let step = o.step;
    let title = format!(
        " Step {} of {} · {} ",
        step.number(),
        Step::ALL.len(),
        step.title()
    );
    let block = Block::bordered()
        .border_style(theme.focus_border())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    let form = o.form(step).filter(|_| o.active(step));
    let (text_area, form_area) = match form {
        Some(_) => {
            let h = (inner.height / 3).clamp(3, 10);
            let [t, _, f] = Layout::vertical([
                Constraint::Length(h),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(inner);
            (t, Some(f))
        }
        None => (inner, None),
    };
    let mut out = Lines::new(theme, text_area.width);
    step_lines(o, step, &mut out, theme);
    let lines = out.lines;
    let visible = text_area.height as usize;
    o.page.set(text_area.height);
    let max_scroll = lines.len().saturating_sub(visible) as u16;
    let scroll = o.scroll.min(max_scroll);
    let more = if scroll < max_scroll {
        " ↓ more (PgDn) "
    } else {
        ""
    };
    let block = block.title_bottom(Line::from(Span::styled(more, theme.dim())).right_aligned());
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), text_area);
    if let (Some(f), Some(a)) = (form, form_area) {
        f.render(frame, a, theme);
    }
}

fn sections(out: &mut Lines, step: Step, theme: &Theme) {
    for (title, text) in explanation(step) {
        if !title.is_empty() {
            out.text(title, theme.label());
        }
        out.text(&text, Style::new());
    }
}

fn step_lines(o: &Onboard, step: Step, out: &mut Lines, theme: &Theme) {
    if let Some(why) = o.skipped_because(step) {
        out.text(&why, theme.warn());
        out.blank();
    }
    match step {
        Step::Review => review_lines(o, out, theme),
        Step::Send => send_lines(o, out, theme),
        Step::Result => result(o, out, theme),
        _ => sections(out, step, theme),
    }
}

fn review_lines(o: &Onboard, out: &mut Lines, theme: &Theme) {
    sections(out, Step::Review, theme);
    let warnings = o.review_warnings();
    if !warnings.is_empty() {
        out.blank();
        for w in &warnings {
            let (mark, style) = if w.blocking {
                ("✗", theme.error())
            } else {
                ("⚠", theme.warn())
            };
            out.text(&format!("{mark} {} ({})", w.text, w.step.title()), style);
        }
    }
    for (i, (r, _)) in o.sends.iter().enumerate() {
        out.blank();
        out.text(
            &format!(
                "{}. {} · {}",
                i + 1,
                r.key.kind.operation(Verb::Create),
                r.key.describe()
            ),
            theme.title(),
        );
        let tags: Vec<(&str, &str)> = r
            .tags
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect();
        let input = CreateInput {
            key: &r.key,
            spec: Some(&r.spec),
            tags: &tags,
            existing_arn: None,
        };
        for line in input_json(&input).lines() {
            out.text(line, Style::new());
        }
        out.text(&command(&input, &CliTarget::default()), theme.dim());
    }
}

fn send_lines(o: &Onboard, out: &mut Lines, theme: &Theme) {
    for (i, (r, s)) in o.sends.iter().enumerate() {
        let (mark, style, what) = match s {
            Sent::Waiting => ("·", theme.dim(), "not sent"),
            Sent::InFlight => ("…", theme.warn(), "sending"),
            Sent::Created(_) => ("✓", theme.ok(), "created"),
            Sent::Failed(_) => ("✗", theme.error(), "failed"),
        };
        out.text(
            &format!(
                "{mark} {}. {} {}: {what}",
                i + 1,
                r.key.kind.operation(Verb::Create),
                r.key.name
            ),
            style,
        );
        if let Sent::Failed(e) = s {
            out.blank();
            error_lines(out, r, e);
            out.blank();
            out.text(&o.progress(), theme.warn());
        }
    }
    out.blank();
    sections(out, Step::Send, theme);
}

fn result(o: &Onboard, out: &mut Lines, theme: &Theme) {
    if !o.all_sent() {
        out.text(
            "Nothing to show yet: the Send step creates the resources.",
            theme.dim(),
        );
        return;
    }
    out.text(
        "Everything was created. What each resource is now, and what to do with it:",
        Style::new(),
    );
    for (r, s) in &o.sends {
        let Sent::Created(res) = s else { continue };
        out.blank();
        out.text(&r.key.describe(), theme.title());
        for (label, value) in result_lines(res) {
            out.row(&label, &value, Style::new());
        }
    }
    out.blank();
    out.text(
        "The ARN names region, account, mesh and resource: arn:aws:appmesh:REGION:ACCOUNT:mesh/MESH/virtualNode/NAME. Version 1 is the first; every update adds one. ACTIVE means the proxies get the configuration.",
        theme.dim(),
    );
    out.blank();
    out.text(
        "Enter or g: the topology, with the new service selected.",
        theme.label(),
    );
}

/// A failed request: the service's words, and what to do in this walkthrough.
fn error_lines(out: &mut Lines, r: &Request, e: &ApiError) {
    let plain = Style::new();
    error_facts(out, e);
    let step = Step::FORMS
        .into_iter()
        .find(|s| s.kind() == Some(r.key.kind))
        .map_or("its", Step::title);
    let what = match e.code.as_deref() {
        Some("ConflictException") => format!(
            "The mesh holds a {} with this name already (or the clientToken was used for another request): change the name in the {step} step (Ctrl-P).",
            r.key.kind
        ),
        Some("NotFoundException") => format!(
            "Something this {} names does not exist (the mesh, its router or gateway, or a target): check the {step} step.",
            r.key.kind
        ),
        _ if e.kind == ErrorKind::Cancelled || e.outcome_unknown() => {
            "The outcome is unknown: the request may have reached the service. Enter sends it again with the same clientToken, which is safe.".to_string()
        }
        _ => e.hint(),
    };
    out.row("What to do", &what, plain);
}
