//! Drawing: every function here is a view of [`App`] state; none changes it.

pub mod browser;
pub mod canary;
pub mod dialogs;
pub mod export;
pub mod form;
pub mod kind_form;
pub mod layout;
pub mod migrate;
pub mod onboard;
pub mod overlay;
pub mod pane;
pub mod picker;
pub mod text;
pub mod theme;
pub mod topology;
pub mod walkthrough;
pub mod write;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::{App, Endpoint, Overlay, Pane, View};
use crate::form::Field;
use layout::{MIN_HEIGHT, MIN_WIDTH, TAB_LABELS};
use text::clean;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let screen = layout::screen(area);
    if screen.too_small {
        render_too_small(frame, area);
        return;
    }
    let theme = &app.theme;
    render_header(app, frame, screen.header);
    match app.view {
        View::Create if app.walkthrough_shown() => walkthrough::render(app, frame, screen.body),
        View::Create => {
            form::render(app, frame, &screen.form);
            if let Some(p) = screen.pane {
                pane::render(app, frame, p);
            }
        }
        View::Meshes => {
            browser::render(app, frame, &screen.explore(app.explorer.inside()));
            if let Some(p) = screen.pane {
                pane::render(app, frame, p);
            }
        }
    }
    render_help_line(app, frame, screen.help_line);
    render_footer(app, frame, screen.footer);
    match app.overlay {
        Some(Overlay::Help) => overlay::help(app, frame, area),
        Some(Overlay::ConfirmQuit) => overlay::confirm_quit(theme, frame, area),
        Some(Overlay::Tags) => dialogs::tag_editor(app, frame, area),
        Some(Overlay::ConfirmDelete) => dialogs::confirm_delete(app, frame, area),
        Some(Overlay::Export) => export::render(app, frame, area),
        Some(Overlay::Template) => export::template(app, frame, area),
        Some(Overlay::Profile) => picker::render(app, frame, area),
        Some(Overlay::Topology) => render_topology(app, frame),
        Some(Overlay::Onboard) => {
            if let Some((_, o)) = &app.views.onboard {
                let r = crate::app_views::window_area(app.size);
                frame.render_widget(Clear, r);
                onboard::render(o, frame, r, theme);
            }
        }
        Some(Overlay::Migrate) => {
            if let Some(m) = &app.views.migrate {
                let r = crate::app_views::window_area(app.size);
                frame.render_widget(Clear, r);
                migrate::render(m, theme, frame, r);
            }
        }
        Some(Overlay::Write) => write::render(app, frame, area),
        Some(Overlay::Result) => {
            let r = Rect::new(
                area.x + 2,
                area.y + 1,
                area.width.saturating_sub(4),
                area.height.saturating_sub(3),
            );
            frame.render_widget(Clear, r);
            pane::render(app, frame, r);
        }
        None => {}
    }
}

/// The topology window: the drawing in a frame named after the mesh, over the explorer.
/// Where a step of a walkthrough stands, for its mark in the list of steps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StepMark {
    Current,
    Done,
    Skipped,
    Ahead,
}

/// The bordered list of a walkthrough's steps: `▸` the current one, `✓` those done, `–` those
/// skipped, each `N Title`.
fn render_step_list(
    frame: &mut Frame,
    area: Rect,
    theme: &theme::Theme,
    title: &str,
    steps: impl Iterator<Item = (StepMark, String)>,
) {
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = steps
        .map(|(mark, label)| {
            let (sign, style) = match mark {
                StepMark::Current => ("▸", theme.selected().patch(theme.title())),
                StepMark::Skipped => ("–", theme.dim()),
                StepMark::Done => ("✓", theme.dim()),
                StepMark::Ahead => (" ", Style::new()),
            };
            let text = text::fit(&format!("{sign} {label}"), width);
            Line::from(Span::styled(format!("{text:<width$}"), style))
        })
        .collect();
    let p = Paragraph::new(lines).block(
        Block::bordered()
            .border_style(theme.border())
            .title(format!(" {title} ")),
    );
    frame.render_widget(p, area);
}

fn render_topology(app: &App, frame: &mut Frame) {
    let Some(t) = &app.views.topology else {
        return;
    };
    let r = crate::app_views::window_area(app.size).intersection(frame.area());
    frame.render_widget(Clear, r);
    let mesh = app
        .explorer
        .open
        .as_ref()
        .map(|o| text::clean(&o.name).into_owned())
        .unwrap_or_default();
    let block = Block::bordered()
        .border_style(app.theme.focus_border())
        .title(Span::styled(
            text::fit(
                &format!(" Topology · {mesh} "),
                r.width.saturating_sub(4) as usize,
            ),
            app.theme.title(),
        ));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    frame.render_widget(
        topology::TopologyView {
            topology: t,
            theme: &app.theme,
        },
        inner,
    );
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let msg = format!(
        "terminal too small (needs {MIN_WIDTH}×{MIN_HEIGHT}, has {}×{})",
        area.width, area.height
    );
    let y = area.height / 2;
    let p = Paragraph::new(msg)
        .wrap(Wrap { trim: true })
        .alignment(Alignment::Center);
    frame.render_widget(
        p,
        Rect::new(
            area.x,
            area.y + y.saturating_sub(1),
            area.width,
            area.height - y.saturating_sub(1),
        ),
    );
}

fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    if layout::show_title(area.width) {
        spans.push(Span::styled(layout::TITLE, theme.title()));
        spans.push(Span::raw(" "));
    }
    for (view, label) in TAB_LABELS {
        let style = if view == app.view {
            theme.active_tab()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw(" "));
    if app.read_only {
        spans.push(Span::styled(" READ-ONLY ", theme.warn()));
        spans.push(Span::raw(" "));
    }
    match (&app.sandbox, &app.endpoint) {
        (Some(sb), endpoint) => {
            spans.push(Span::styled(" SANDBOX ", theme.sandbox()));
            let (label, style) = match endpoint {
                Endpoint::Ready(t) => (format!(" {}", clean(&t.region)), Style::new()),
                Endpoint::Failed(_) => (" not started".to_string(), theme.error()),
                Endpoint::Loading => (" starting…".to_string(), Style::new()),
            };
            // The state file's path, cut from the left, where there is room for some of it.
            let used: usize =
                spans.iter().map(|s| text::width(&s.content)).sum::<usize>() + text::width(&label);
            let room = (area.width as usize).saturating_sub(used + text::width(" · state: "));
            let shown = if room >= 10 {
                let path = text::fit_start(&text::tilde(&clean(&sb.state)), room);
                format!("{label} · state: {path}")
            } else {
                label
            };
            spans.push(Span::styled(shown, style));
        }
        (_, Endpoint::Failed(what)) => {
            spans.push(Span::styled(
                format!("not connected: {}", clean(what)),
                theme.error(),
            ));
        }
        (None, Endpoint::Loading) => {
            spans.push(Span::styled("loading AWS configuration…", theme.dim()))
        }
        (None, Endpoint::Ready(t)) => {
            let profile = clean(t.profile.as_deref().unwrap_or("default")).into_owned();
            let region = clean(&t.region).into_owned();
            let endpoint = match &t.endpoint {
                Some(e) => crate::redact::redact(&clean(e)).into_owned(),
                None => "default AWS endpoint".into(),
            };
            let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
            let room = (area.width as usize).saturating_sub(used);
            let long = format!("profile {profile} · region {region} · endpoint {endpoint}");
            let target = if text::width(&long) <= room {
                long
            } else {
                text::fit(&format!("{profile} · {region} · {endpoint}"), room)
            };
            spans.push(Span::raw(target));
        }
    }
    frame.render_widget(Line::from(spans), area);
}

/// One line: the status of the last action when there is one, otherwise what the focused
/// field means. Real-AWS and region notices come first: they matter most.
fn render_help_line(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let line = if let Some(s) = &app.status {
        let s = clean(s);
        let width = area.width as usize;
        if text::width(&s) <= width {
            Line::from(Span::styled(s.into_owned(), theme.warn()))
        } else {
            // Too long for one line: F1 shows the whole message.
            let more = " F1 shows all";
            let cut = text::fit(&s, width.saturating_sub(text::width(more)));
            let line = Line::from(vec![
                Span::styled(cut, theme.warn()),
                Span::styled(more, theme.key()),
            ]);
            frame.render_widget(line, area);
            return;
        }
    } else if let Endpoint::Ready(t) = &app.endpoint
        && app.sandbox.is_none()
        && t.is_default_aws_endpoint()
        && app.pane == Pane::Empty
    {
        Line::from(Span::styled(
            "AWS ended App Mesh support on 2026-09-30; requests to AWS may fail. Run with --sandbox to use the built-in sandbox.",
            theme.warn(),
        ))
    } else if let Endpoint::Ready(t) = &app.endpoint
        && let Some(note) = &t.region_note
        && app.pane == Pane::Empty
    {
        Line::from(Span::styled(note.clone(), theme.dim()))
    } else if app.walkthrough_shown() {
        Line::from(Span::styled(walkthrough::hint(app), theme.dim()))
    } else if app.view == View::Create && app.editing() {
        Line::from(Span::styled(
            format!(
                "Editing mesh {}: UpdateMesh changes only the spec. Esc or F2 returns to the create form.",
                clean(app.form.name.value())
            ),
            theme.dim(),
        ))
    } else if app.view == View::Create {
        Line::from(Span::styled(app.form.focus.help(), theme.dim()))
    } else {
        Line::default()
    };
    let line = fit_line(line, area.width as usize);
    frame.render_widget(line, area);
}

/// Cuts a one-line message to the width, with `…`, keeping its style.
fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::from(Span::styled(text::fit(&text, width), style))
}

/// The keys that work right now.
pub fn footer_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    match app.overlay {
        Some(Overlay::Help) => return vec![("Esc", "close help")],
        Some(Overlay::ConfirmQuit) => return vec![("y", "quit"), ("n/Esc", "stay")],
        Some(Overlay::Tags) => {
            return vec![
                ("Tab", "move"),
                ("Enter", "add/change"),
                ("d/Del", "remove"),
                ("Ctrl-S", "save"),
                ("Esc", "cancel"),
            ];
        }
        Some(Overlay::ConfirmDelete) => {
            return match &app.explorer.purge {
                Some(p) if p.running => vec![("Esc", "stop after this delete")],
                Some(_) => vec![("any key", "close")],
                None => vec![("Enter", "delete"), ("Esc", "keep it")],
            };
        }
        Some(Overlay::Result) => {
            let back = if app.view == View::Meshes {
                "back to the list"
            } else {
                "back to form"
            };
            let mut k = vec![("↑↓/PgUp/PgDn", "scroll"), ("Esc", back)];
            if app.in_flight.is_some() {
                k[1] = ("Esc", "cancel");
            }
            if matches!(&app.pane, Pane::Mesh(r) if r.action != crate::app::Action::Delete) {
                k.push(("x", "export"));
            }
            return k;
        }
        Some(Overlay::Export) => return export_keys(app),
        Some(Overlay::Template) => return vec![("Esc", "close"), ("↑↓", "scroll")],
        Some(Overlay::Profile) => {
            return vec![
                ("↑↓", "profile"),
                ("Tab", "region"),
                ("Enter", "switch"),
                ("Esc", "cancel"),
            ];
        }
        Some(Overlay::Topology) => {
            return vec![
                ("←→↑↓", "move"),
                ("hjkl", "pan"),
                ("n/N", "next mark"),
                ("Enter", "describe"),
                ("Esc/g", "close"),
            ];
        }
        Some(Overlay::Migrate) => return vec![("w", "write a file"), ("Esc", "close")],
        Some(Overlay::Onboard) => {
            return vec![
                ("Ctrl-N/P", "next/previous step"),
                ("Esc", "hide (F6 resumes)"),
            ];
        }
        Some(Overlay::Write) => return write_keys(app),
        None => {}
    }
    let mut keys: Vec<(&str, &str)> = Vec::new();
    if app.view == View::Meshes {
        return browser_keys(app);
    }
    if app.walkthrough_shown() {
        return walkthrough_keys(app);
    }
    if app.view == View::Create {
        keys.push(("Tab/S-Tab", "move"));
        match app.form.focus {
            Field::Name => keys.push(("Enter", "next")),
            Field::Egress | Field::IpPreference => keys.push(("↑↓/jk", "choose")),
            Field::TagKey | Field::TagValue => keys.push(("Enter", "add tag")),
            Field::Tags => {
                keys.push(("↑↓", "select"));
                keys.push(("d/Del", "remove"));
            }
            Field::Create if app.read_only => {}
            Field::Create if app.editing() => keys.push(("Enter", "update")),
            Field::Create => keys.push(("Enter", "create")),
        }
        if app.read_only {
            keys.push(("F6", "walkthrough"));
        } else if app.editing() {
            keys.push(("^S", "update"));
        } else {
            keys.push(("^S", "create"));
            keys.push(("F6", "walkthrough"));
        }
    }
    keys.push(("F1", "help"));
    if app.in_flight.is_some() {
        keys.push(("Esc", "cancel"));
    } else if app.editing() {
        keys.push(("Esc", "end edit"));
    } else {
        keys.push(("Esc", "quit"));
    }
    if app.pane != Pane::Empty {
        keys.push(("PgUp/PgDn", "scroll result"));
    }
    if !app.form.focus.is_text() {
        keys.push(("x", "export"));
    }
    if app.template.is_some() {
        keys.push(("F7", "template"));
    }
    keys.push(("F3", "meshes"));
    keys.push(("^C", "quit"));
    keys
}

/// The keys of the window writing a resource.
fn write_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    use crate::app_write::Writer;
    let Some(w) = &app.write else {
        return vec![("Esc", "close")];
    };
    if w.sending {
        return vec![("Esc", "cancel the request")];
    }
    match &w.writer {
        Writer::Form(_) => crate::kind_form::KEYS.to_vec(),
        Writer::Canary(_) => vec![
            ("+/-", "weight ±5"),
            ("0-9 Enter", "type a weight"),
            ("↑↓", "target"),
            ("r", "reset"),
            ("Ctrl-S", "UpdateRoute"),
            ("Esc", "close"),
        ],
        Writer::Spec { .. } => vec![
            ("Ctrl-S", "check and save"),
            ("Esc", "cancel"),
            ("Ctrl-U/R", "undo/redo"),
        ],
    }
}

/// The walkthrough's keys, most important first.
fn walkthrough_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    use crate::walkthrough::Step;
    let step = app.walkthrough.step;
    let mut keys = Vec::new();
    match step {
        Step::Intro => keys.push(("Enter", "start")),
        Step::Name => keys.push(("Enter", "next")),
        Step::Egress | Step::IpPreference => {
            keys.push(("↑↓", "choose"));
            keys.push(("Enter", "next"));
        }
        Step::Tags => {
            if app.form.focus == Field::Tags {
                keys.push(("Enter", "next"));
                keys.push(("d", "remove"));
            } else {
                keys.push(("Enter", "add tag"));
            }
            keys.push(("Tab", "move"));
        }
        Step::Review => {
            keys.push(("Enter", "next"));
            keys.push(("x", "export"));
        }
        Step::Submit
            if !app.read_only
                && app.in_flight.is_none()
                && (!app.walk_created() || app.unsaved()) =>
        {
            keys.push(("Enter", "send"))
        }
        Step::Result if app.walk_created() => keys.push(("x", "export")),
        _ => {}
    }
    keys.push(("^N/^P", "next/back"));
    if app.in_flight.is_some() {
        keys.push(("Esc", "cancel"));
    } else {
        keys.push(("Esc", "to form"));
    }
    keys.push(("PgDn", "more"));
    keys.push(("F1", "help"));
    keys
}

/// The export window's keys.
fn export_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    use crate::export_menu::Stage;
    match app.export.as_ref().map(|m| &m.stage) {
        Some(Stage::Menu) | None => vec![("↑↓", "choose"), ("Enter", "show"), ("Esc", "close")],
        Some(Stage::Text) => vec![
            ("w", "write file"),
            ("c", "copy"),
            ("↑↓", "scroll"),
            ("Esc", "formats"),
            ("q", "close"),
        ],
        Some(Stage::Path { .. }) => vec![("Enter", "write"), ("Esc", "back")],
        Some(Stage::ConfirmOverwrite { .. }) => vec![("y", "overwrite"), ("n/Esc", "keep it")],
    }
}

/// The Meshes view's keys, most important first (the footer leaves out what does not fit;
/// the help window lists them all).
fn browser_keys(app: &App) -> Vec<(&'static str, &'static str)> {
    use crate::explore::{Focus, Where};
    use crate::kind::Kind;
    let e = &app.explorer;
    let b = e.list();
    if e.jump.is_some() {
        return vec![
            ("type", "kind or name"),
            ("Tab", "complete"),
            ("Enter", "go"),
            ("Esc", "close"),
        ];
    }
    if b.filtering {
        return vec![
            ("type", "filter"),
            ("Enter", "done"),
            ("Esc", "clear filter"),
            ("↑↓", "move"),
            ("F1", "help"),
        ];
    }
    let mut keys = Vec::new();
    match e.focus {
        Focus::Kinds => {
            keys.push(("↑↓", "kind"));
            keys.push(("Enter/→", "to the list"));
        }
        Focus::Detail => {
            keys.push(("↑↓", "links"));
            keys.push(("Enter", "open / fold"));
            keys.push(("z", "fold all"));
            keys.push(("←/Tab", "back"));
        }
        Focus::List => {}
    }
    let selected = b.selected_item().map(|s| s.key.kind);
    match selected {
        Some(Kind::Mesh) => keys.push(("Enter", "open")),
        Some(Kind::VirtualRouter | Kind::VirtualGateway) => keys.push(("Enter", "open")),
        Some(_) => keys.push(("Enter", "describe")),
        None => {}
    }
    if e.inside() {
        keys.push(("Bksp", "up"));
    }
    keys.push(("/", "filter"));
    keys.push((":", "jump"));
    if e.inside() && !app.read_only {
        keys.push(("c", "create"));
    }
    if selected.is_some() && !app.read_only {
        keys.push(("e", "edit"));
        if selected == Some(Kind::Route) {
            keys.push(("+/-", "canary"));
        }
        keys.push(("t", "tags"));
        keys.push(("d", "delete"));
    }
    if app.in_flight.is_some() {
        keys.push(("Esc", "cancel"));
    } else if !b.filter.value().is_empty() {
        keys.push(("Esc", "clear filter"));
    } else if !matches!(e.at, Where::Meshes) {
        keys.push(("Esc", "up"));
    }
    keys.push(("Tab", "focus"));
    if e.inside() {
        keys.push(("g", "topology"));
        keys.push(("M", "migrate"));
    }
    keys.push(("F1", "help"));
    if selected.is_some() && !app.read_only {
        keys.push(("E", "spec editor"));
    }
    if selected.is_some() {
        keys.push(("y", "copy ARN"));
    }
    if matches!(&app.pane, Pane::Resource(d) if d.resource.status != "DELETED") {
        keys.push(("x", "export"));
    }
    keys.push(("s", "sort"));
    keys.push(("r", "refresh"));
    keys.push(("↑↓", "move"));
    keys.push(("F2", if app.read_only { "form" } else { "create" }));
    keys
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let keys = if theme.key_hints {
        footer_keys(app)
    } else {
        vec![("F1", "help")]
    };
    frame.render_widget(key_hints(theme, &keys, area.width), area);
}

/// ` key what  key what …` in the footer's style, most important first; a pair that does not
/// fit in `width` is left out rather than cut in half. Footers and windows use it alike.
pub fn key_hints(theme: &theme::Theme, keys: &[(&str, &str)], width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (k, what) in keys {
        let w = text::width(k) + text::width(what) + 3;
        if used + w > width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {k}"), theme.key()));
        spans.push(Span::raw(format!(" {what} ")));
    }
    Line::from(spans)
}
