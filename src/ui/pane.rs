//! The detail pane: a call in flight, the mesh the service returned, or the error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::text::{ago, clean, rfc3339};
use super::theme::Theme;
use crate::app::{App, MeshResult, Pane};
use crate::aws::ApiError;
use crate::model::MeshStatus;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const LABEL_WIDTH: usize = 15;

fn row<'a>(theme: &Theme, label: &'a str, value: impl Into<Span<'a>>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), theme.label()),
        value.into(),
    ])
}

fn status_span<'a>(theme: &Theme, s: &MeshStatus) -> Span<'a> {
    match s {
        MeshStatus::Active => Span::styled("ACTIVE", theme.ok()),
        MeshStatus::Inactive => Span::styled(
            "INACTIVE (the mesh is being changed or removed)",
            theme.warn(),
        ),
        MeshStatus::Deleted => Span::styled("DELETED", theme.error()),
        MeshStatus::Unknown(s) => Span::styled(clean(s).into_owned(), theme.warn()),
    }
}

pub fn mesh_lines<'a>(
    theme: &Theme,
    r: &'a MeshResult,
    now: std::time::SystemTime,
) -> Vec<Line<'a>> {
    let m = &r.mesh;
    let md = &m.metadata;
    let mut lines = vec![
        row(
            theme,
            "Name",
            Span::styled(clean(&m.name).into_owned(), theme.title()),
        ),
        row(theme, "Status", status_span(theme, &m.status)),
        row(theme, "ARN", clean(&md.arn).into_owned()),
        row(theme, "UID", clean(&md.uid).into_owned()),
        row(theme, "Version", md.version.to_string()),
        row(
            theme,
            "Created",
            format!("{} ({})", rfc3339(md.created_at), ago(now, md.created_at)),
        ),
        row(
            theme,
            "Last updated",
            format!(
                "{} ({})",
                rfc3339(md.last_updated_at),
                ago(now, md.last_updated_at)
            ),
        ),
        row(theme, "Mesh owner", clean(&md.mesh_owner).into_owned()),
        row(
            theme,
            "Resource owner",
            clean(&md.resource_owner).into_owned(),
        ),
        row(
            theme,
            "Egress filter",
            m.spec
                .egress_filter
                .map_or("DROP_ALL (service default)".to_string(), |e| {
                    e.as_str().to_string()
                }),
        ),
        row(
            theme,
            "IP preference",
            m.spec
                .ip_preference
                .map_or("not set (service default)".to_string(), |p| {
                    p.as_str().to_string()
                }),
        ),
    ];
    match &r.tags {
        Ok(tags) if tags.is_empty() => {
            lines.push(row(theme, "Tags", Span::styled("none", theme.dim())))
        }
        Ok(tags) => {
            for (i, t) in tags.iter().enumerate() {
                let label = if i == 0 { "Tags" } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("{label:<LABEL_WIDTH$}"), theme.label()),
                    Span::styled(clean(&t.key).into_owned(), theme.title()),
                    Span::raw(" = "),
                    Span::raw(clean(&t.value).into_owned()),
                ]));
            }
        }
        Err(e) => lines.push(row(
            theme,
            "Tags",
            Span::styled(
                format!("could not be read: {} ({})", clean(&e.message), e.title()),
                theme.warn(),
            ),
        )),
    }
    lines.push(row(
        theme,
        "Request ID",
        clean(r.request_id.as_deref().unwrap_or("(none)")).into_owned(),
    ));
    lines
}

pub fn error_lines<'a>(theme: &Theme, e: &'a ApiError) -> Vec<Line<'a>> {
    let mut lines = vec![
        row(
            theme,
            "Error",
            Span::styled(clean(&e.title()).into_owned(), theme.error()),
        ),
        row(theme, "Message", clean(&e.message).into_owned()),
    ];
    if let Some(s) = e.http_status {
        lines.push(row(theme, "HTTP status", s.to_string()));
    }
    lines.push(row(
        theme,
        "Request ID",
        clean(e.request_id.as_deref().unwrap_or("(none)")).into_owned(),
    ));
    lines.push(Line::default());
    lines.push(row(theme, "What to do", Span::raw(e.hint())));
    if e.outcome_unknown() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Outcome unknown: retrying the unchanged form is safe (same clientToken).",
            theme.warn(),
        )));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Your form is unchanged: fix it or submit again.",
        theme.dim(),
    )));
    lines
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let (title, title_style, lines): (String, Style, Vec<Line>) = match &app.pane {
        Pane::Empty => (
            "Result".into(),
            theme.title(),
            vec![
                Line::from(Span::styled("Nothing sent yet.", theme.dim())),
                Line::default(),
                Line::from("Fill in the form and press Ctrl-S (or Enter on Create)."),
                Line::from("The mesh the service returns shows here: status,"),
                Line::from("ARN, version, times, owners, spec and tags."),
            ],
        ),
        Pane::InFlight {
            action,
            name,
            attempt,
        } => {
            let spin = SPINNER[app.spinner % SPINNER.len()];
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("{spin} "), theme.key()),
                Span::raw(format!("{} {}…", action.progress(), clean(name))),
            ])];
            if *attempt > 1 {
                lines.push(Line::from(Span::styled(
                    format!(
                        "attempt {attempt}: the SDK is retrying after a throttling or server error"
                    ),
                    theme.warn(),
                )));
            }
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                "Esc cancels (the outcome is then unknown).",
                theme.dim(),
            )));
            (format!("{} in flight", action.verb()), theme.title(), lines)
        }
        Pane::Mesh(r) => (
            format!("{} ✓ {}", r.action.verb(), clean(&r.mesh.name)),
            theme.ok(),
            mesh_lines(theme, r, app.now),
        ),
        Pane::Error { action, error, .. } => (
            format!("{} failed", action.verb()),
            theme.error(),
            error_lines(theme, error),
        ),
    };
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(format!(" {title} "), title_style));
    let max_scroll = lines.len().saturating_sub(1) as u16;
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.pane_scroll.min(max_scroll), 0));
    frame.render_widget(p, area);
}
