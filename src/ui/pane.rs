//! The detail pane: a call in flight, the mesh the service returned, a resource of any kind as
//! described (its lines from `explore::describe`, with the cursor on a link or fold when the
//! pane has the keys), or the error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::text::{ago, clean, fit, rfc3339, width as text_width, wrap};
use super::theme::Theme;
use crate::app::{Action, App, MeshResult, Pane, View};
use crate::aws::ApiError;
use crate::explore::Focus;
use crate::explore::describe::{Described, LineKind};
use crate::model::MeshStatus;

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const LABEL_WIDTH: usize = 15;

/// The pane's lines for one inner width: values wrap with a hanging indent under their
/// label, so long ARNs and messages stay readable in a narrow pane.
pub struct Lines<'t> {
    theme: &'t Theme,
    width: usize,
    pub lines: Vec<Line<'static>>,
}

impl<'t> Lines<'t> {
    pub fn new(theme: &'t Theme, width: u16) -> Self {
        Lines {
            theme,
            width: (width as usize).max(LABEL_WIDTH + 8),
            lines: Vec::new(),
        }
    }

    /// `label   value`, the value styled and wrapped.
    pub fn row(&mut self, label: &str, value: &str, style: Style) {
        let value = clean(value);
        for (i, part) in wrap(&value, self.width - LABEL_WIDTH)
            .into_iter()
            .enumerate()
        {
            let label = if i == 0 { label } else { "" };
            // A label as wide as the column still gets a space before its value.
            let shown = if text_width(label) >= LABEL_WIDTH {
                format!("{label} ")
            } else {
                format!("{label:<LABEL_WIDTH$}")
            };
            self.lines.push(Line::from(vec![
                Span::styled(shown, self.theme.label()),
                Span::styled(part, style),
            ]));
        }
    }

    /// A paragraph across the whole width.
    pub fn text(&mut self, text: &str, style: Style) {
        for part in wrap(&clean(text), self.width) {
            self.lines.push(Line::from(Span::styled(part, style)));
        }
    }

    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }
}

fn status_text(s: &MeshStatus) -> &str {
    match s {
        MeshStatus::Inactive => "INACTIVE (the mesh is being changed or removed)",
        other => other.as_str(),
    }
}

fn status_style(theme: &Theme, s: &MeshStatus) -> Style {
    match s {
        MeshStatus::Active => theme.ok(),
        MeshStatus::Deleted => theme.error(),
        _ => theme.warn(),
    }
}

pub fn mesh_lines(out: &mut Lines, r: &MeshResult, now: std::time::SystemTime) {
    let theme = out.theme;
    let m = &r.mesh;
    let md = &m.metadata;
    let plain = Style::new();
    out.row("Name", &m.name, theme.title());
    out.row(
        "Status",
        status_text(&m.status),
        status_style(theme, &m.status),
    );
    out.row("ARN", &md.arn, plain);
    out.row("UID", &md.uid, plain);
    out.row("Version", &md.version.to_string(), plain);
    out.row(
        "Created",
        &format!("{} ({})", rfc3339(md.created_at), ago(now, md.created_at)),
        plain,
    );
    out.row(
        "Last updated",
        &format!(
            "{} ({})",
            rfc3339(md.last_updated_at),
            ago(now, md.last_updated_at)
        ),
        plain,
    );
    out.row("Mesh owner", &md.mesh_owner, plain);
    out.row("Resource owner", &md.resource_owner, plain);
    out.row(
        "Egress filter",
        m.spec
            .egress_filter
            .map_or("DROP_ALL (service default)", |e| e.as_str()),
        plain,
    );
    out.row(
        "IP preference",
        m.spec
            .ip_preference
            .map_or("not set (service default)", |p| p.as_str()),
        plain,
    );
    match &r.tags {
        Ok(tags) if tags.is_empty() && r.action == Action::Delete => {
            out.row("Tags", "removed with the mesh", theme.dim())
        }
        Ok(tags) if tags.is_empty() => out.row("Tags", "none", theme.dim()),
        Ok(tags) => {
            for (i, t) in tags.iter().enumerate() {
                let label = if i == 0 {
                    format!("Tags ({})", tags.len())
                } else {
                    String::new()
                };
                out.row(&label, &format!("{} = {}", t.key, t.value), plain);
            }
        }
        Err(e) => out.row(
            "Tags",
            &format!("could not be read: {} ({})", e.message, e.title()),
            theme.warn(),
        ),
    }
    out.row(
        "Request ID",
        r.request_id.as_deref().unwrap_or("(none)"),
        plain,
    );
}

/// A described resource's lines; returns the row of the cursor when the pane has the keys.
fn resource_lines(app: &App, out: &mut Lines, d: &Described) -> Option<usize> {
    let theme = out.theme;
    let focused = app.explorer.focus == Focus::Detail && app.view == View::Meshes;
    let mut cursor_row = None;
    let lines = app.explorer.detail_lines(d);
    let cursor = app.explorer.cursor;
    for (i, l) in lines.iter().enumerate() {
        let at_cursor = focused && i == cursor && l.is_stop();
        if at_cursor {
            cursor_row = Some(out.lines.len());
        }
        let indent = "  ".repeat(l.indent as usize);
        let sel = |st: Style| if at_cursor { theme.selected() } else { st };
        match &l.kind {
            LineKind::Heading => {
                if i > 0 {
                    out.blank();
                }
                let mut spans = vec![Span::styled(clean(&l.label).into_owned(), theme.title())];
                if !l.value.is_empty() {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(clean(&l.value).into_owned(), theme.dim()));
                }
                out.lines.push(Line::from(spans));
            }
            LineKind::Field => {
                out.row(&format!("{indent}{}", l.label), &l.value, Style::new());
            }
            LineKind::Warning => {
                out.text(&format!("{indent}⚠ {}", l.value), theme.warn());
            }
            LineKind::Link { exists, .. } => {
                let style = if *exists { theme.key() } else { theme.error() };
                let arrow = if l.label == "mesh" || l.label.starts_with("virtual ") {
                    "↑"
                } else {
                    "→"
                };
                let label = format!("{indent}{}", clean(&l.label));
                let label = if text_width(&label) >= LABEL_WIDTH {
                    format!("{label} ")
                } else {
                    format!("{label:<LABEL_WIDTH$}")
                };
                out.lines.push(Line::from(vec![
                    Span::styled(label, theme.label()),
                    Span::styled(format!("{arrow} {}", clean(&l.value)), sel(style)),
                ]));
            }
            LineKind::Branch { folded, .. } => {
                let mark = if *folded { "▸" } else { "▾" };
                let text = if l.value.is_empty() {
                    format!("{indent}{mark} {}", clean(&l.label))
                } else {
                    format!("{indent}{mark} {}  {}", clean(&l.label), clean(&l.value))
                };
                out.lines
                    .push(Line::from(Span::styled(text, sel(theme.label()))));
            }
        }
    }
    if d.resource.status == "DELETED" {
        out.blank();
        out.text(
            "Deleted: the service no longer holds it; this is what the delete returned.",
            theme.dim(),
        );
    }
    cursor_row
}

/// What the service said of a failed request: error, message, HTTP status, request ID.
pub fn error_facts(out: &mut Lines, e: &ApiError) {
    let plain = Style::new();
    out.row("Error", &e.title(), out.theme.error());
    out.row("Message", &e.message, plain);
    if let Some(s) = e.http_status {
        out.row("HTTP status", &s.to_string(), plain);
    }
    out.row(
        "Request ID",
        e.request_id.as_deref().unwrap_or("(none)"),
        plain,
    );
}

pub fn error_lines(out: &mut Lines, e: &ApiError, action: Action) {
    let theme = out.theme;
    let plain = Style::new();
    error_facts(out, e);
    out.blank();
    let kind = if action == Action::Describe {
        crate::aws::CallKind::Read
    } else {
        crate::aws::CallKind::Change
    };
    out.row("What to do", &e.hint_for(kind), plain);
    let form = matches!(action, Action::Create | Action::Update);
    if e.outcome_unknown() && action != Action::Describe {
        out.blank();
        out.text(
            if form {
                "Outcome unknown: the request may have reached the service. Retrying the unchanged form is safe (same clientToken)."
            } else {
                "Outcome unknown: the request may have reached the service. Describe it (Enter in the Meshes view) to see what the service holds now."
            },
            theme.warn(),
        );
    }
    out.blank();
    out.text(
        if form {
            "Your form is unchanged: fix it or submit again."
        } else {
            "The list is unchanged: select the row and try again."
        },
        theme.dim(),
    );
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut out = Lines::new(theme, area.width.saturating_sub(2));
    let (title, title_style): (String, Style) = match &app.pane {
        Pane::Empty if app.view == View::Meshes => {
            out.text("Nothing described yet.", theme.dim());
            out.blank();
            out.text("Select a row and press Enter: its key facts, what it refers to and what refers to it, its whole spec, tags and metadata show here.", Style::new());
            ("Detail".into(), theme.title())
        }
        Pane::Empty => {
            out.text("Nothing sent yet.", theme.dim());
            out.blank();
            out.text("Fill in the form and press Ctrl-S (or Enter on Create). The mesh the service returns shows here: status, ARN, version, times, owners, spec and tags.", Style::new());
            ("Result".into(), theme.title())
        }
        Pane::InFlight {
            action,
            kind,
            name,
            attempt,
        } => {
            let spin = SPINNER[app.spinner % SPINNER.len()];
            out.text(
                &format!("{spin} {} {}…", action.progress_of(*kind), name),
                theme.key(),
            );
            if *attempt > 1 {
                out.text(
                    &format!(
                        "attempt {attempt}: the SDK is retrying after a throttling or server error"
                    ),
                    theme.warn(),
                );
            }
            out.blank();
            out.text("Esc cancels (the outcome is then unknown).", theme.dim());
            (
                format!("{} in flight", action.verb_of(*kind)),
                theme.title(),
            )
        }
        Pane::Resource(d) => {
            let cursor_row = resource_lines(app, &mut out, d);
            let title = format!("{} ✓ {}", d.verb, clean(&d.resource.key.name));
            return finish(app, frame, area, out, title, theme.ok(), cursor_row);
        }
        Pane::Mesh(r) => {
            mesh_lines(&mut out, r, app.now);
            (
                format!("{} ✓ {}", r.action.verb(), clean(&r.mesh.name)),
                theme.ok(),
            )
        }
        Pane::Error {
            action,
            kind,
            error,
            ..
        } => {
            error_lines(&mut out, error, *action);
            (format!("{} failed", action.verb_of(*kind)), theme.error())
        }
    };
    finish(app, frame, area, out, title, title_style, None)
}

/// Draws the pane's box and lines, scrolled so that `cursor_row` (when the pane has the keys)
/// is on screen.
fn finish(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    out: Lines,
    title: String,
    title_style: Style,
    cursor_row: Option<usize>,
) {
    let theme = &app.theme;
    let lines = out.lines;
    let visible = area.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(visible) as u16;
    let mut scroll = app.pane_scroll.min(max_scroll);
    if let Some(row) = cursor_row {
        let row = row as u16;
        if row < scroll {
            scroll = row;
        } else if visible > 0 && row >= scroll + visible as u16 {
            scroll = (row + 1 - visible as u16).min(max_scroll);
        }
    }
    let more = if scroll < max_scroll {
        " ↓ more (PgDn) "
    } else {
        ""
    };
    let focused = cursor_row.is_some();
    let block = Block::bordered()
        .border_style(if focused {
            theme.focus_border()
        } else {
            theme.border()
        })
        .title(Span::styled(
            format!(" {} ", fit(&title, area.width.saturating_sub(4) as usize)),
            title_style,
        ))
        .title_bottom(Line::from(Span::styled(more, theme.dim())).right_aligned());
    let p = Paragraph::new(lines).block(block).scroll((scroll, 0));
    frame.render_widget(p, area);
}
