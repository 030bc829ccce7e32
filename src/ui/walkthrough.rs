//! The guided walkthrough: the step list, what the form holds so far, and the current step
//! (its field, what it means, and for review and result the request and the mesh).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::form::{choice_list, tag_list, text_input};
use super::layout::{WalkthroughAreas, walkthrough_areas};
use super::pane::{Lines, SPINNER, error_lines, mesh_lines};
use super::text::{clean, fit};
use super::theme::Theme;
use super::{StepMark, render_step_list};
use crate::app::{Action, App, Endpoint, MeshResult, Pane};
use crate::export::{self, ExportInput};
use crate::export_menu::target_of;
use crate::form::{Field, IP_CHOICES, ip_choice_label};
use crate::model::{EgressFilter, MESH_NAME_MAX, TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX};
use crate::walkthrough::{Step, egress_meaning, explanation, ip_meaning, review_warnings};

pub fn render(app: &App, frame: &mut Frame, body: Rect) {
    let areas: WalkthroughAreas = walkthrough_areas(body);
    render_steps(app, frame, areas.steps);
    render_summary(app, frame, areas.summary);
    render_step(app, frame, areas.main);
}

/// The line above the footer when there is no status: what the current step's keys do.
pub fn hint(app: &App) -> String {
    let step = app.walkthrough.step;
    match step {
        Step::Name | Step::Egress | Step::IpPreference | Step::Tags => {
            app.form.focus.help().to_string()
        }
        Step::Intro => {
            "Enter or Ctrl-N starts; Ctrl-P goes back; Esc leaves to the plain form at any time."
                .into()
        }
        Step::Review => {
            "Enter goes on to Submit; Ctrl-P goes back to change something; x exports.".into()
        }
        Step::Submit if app.read_only => {
            "Read-only mode: nothing is sent; Ctrl-P goes back to the review, where x exports."
                .into()
        }
        Step::Submit => "Enter sends CreateMesh; Ctrl-P goes back to the review.".into(),
        Step::Result => {
            "x exports this mesh; F3 lists your meshes; Esc returns to the form.".into()
        }
    }
}

fn render_steps(app: &App, frame: &mut Frame, area: Rect) {
    let current = app.walkthrough.step;
    let steps = Step::ALL.iter().map(|&s| {
        let mark = if s == current {
            StepMark::Current
        } else if s.index() < current.index() {
            StepMark::Done
        } else {
            StepMark::Ahead
        };
        (mark, format!("{} {}", s.number(), s.title()))
    });
    render_step_list(frame, area, &app.theme, "Walkthrough", steps);
}

fn render_summary(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let f = &app.form;
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let mut row = |label: &str, value: String, style: Style| {
        lines.push(Line::from(Span::styled(label.to_string(), theme.label())));
        lines.push(Line::from(Span::styled(
            fit(&format!(" {}", clean(&value)), w),
            style,
        )));
    };
    let name = f.name.value();
    if name.is_empty() {
        row("Name", "(none yet)".into(), theme.dim());
    } else {
        row("Name", name.to_string(), Style::new());
    }
    row("Egress", f.egress_filter().as_str().into(), Style::new());
    row(
        "IP preference",
        f.ip_pref().map_or("not set".into(), |p| p.as_str().into()),
        Style::new(),
    );
    let keys: Vec<&str> = f.tags.iter().map(|t| t.key.as_str()).collect();
    row(
        &format!("Tags ({})", f.tags.len()),
        if keys.is_empty() {
            "none".into()
        } else {
            keys.join(", ")
        },
        Style::new(),
    );
    if !app.rules.is_empty() {
        let broken = app.rules.check(name, &f.spec(), &f.tags).len();
        let (text, style) = if broken == 0 {
            ("✓ all met".to_string(), theme.ok())
        } else {
            (format!("✗ {broken} broken"), theme.error())
        };
        row("Team rules", text, style);
    }
    let p = Paragraph::new(lines).block(
        Block::bordered()
            .border_style(theme.border())
            .title(" Your mesh "),
    );
    frame.render_widget(p, area);
}

/// Rows the step's field takes at the top of the step.
fn field_height(app: &App, step: Step) -> u16 {
    match step {
        Step::Name => 4,
        Step::Egress => 6,
        Step::IpPreference => 9,
        Step::Tags => 4 + (app.form.tags.len() as u16 + 2).clamp(3, 6),
        _ => 0,
    }
}

fn render_step(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let step = app.walkthrough.step;
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
    let fh = field_height(app, step).min(inner.height);
    let [field, text_area] = Layout::vertical([
        Constraint::Length(if fh > 0 { fh + 1 } else { 0 }),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let field = Rect {
        height: fh.min(field.height),
        ..field
    };

    let mut out = Lines::new(theme, text_area.width);
    step_lines(app, step, &mut out, text_area.width as usize);
    let lines = out.lines;
    let visible = text_area.height as usize;
    let max_scroll = lines.len().saturating_sub(visible) as u16;
    let scroll = app.walkthrough.scroll.min(max_scroll);
    let more = if scroll < max_scroll {
        " ↓ more (PgDn) "
    } else {
        ""
    };
    let block = block.title_bottom(Line::from(Span::styled(more, theme.dim())).right_aligned());
    frame.render_widget(block, area);
    render_field(app, frame, step, field);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), text_area);
}

fn render_field(app: &App, frame: &mut Frame, step: Step, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    let f = &app.form;
    let below = |area: Rect, used: u16| Rect {
        y: area.y + used,
        height: 1,
        ..area
    };
    match step {
        Step::Name => {
            let problem = f.visible_name_problem();
            text_input(
                frame,
                theme,
                Rect { height: 3, ..area },
                "Mesh name",
                &f.name,
                MESH_NAME_MAX,
                true,
                problem.is_some(),
                false,
            );
            let msg = match &problem {
                Some(p) => Span::styled(format!(" ✗ {p}"), theme.error()),
                None if !f.name.value().is_empty() => {
                    Span::styled(" ✓ valid name: Enter or Ctrl-N goes on", theme.ok())
                }
                None => Span::styled(" required: type a name", theme.dim()),
            };
            frame.render_widget(Line::from(msg), below(area, 3));
        }
        Step::Egress => {
            choice_list(
                frame,
                theme,
                Rect { height: 4, ..area },
                "Egress filter",
                EgressFilter::ALL
                    .iter()
                    .map(|e| e.as_str().to_string())
                    .collect(),
                f.egress,
                true,
            );
            meaning(frame, egress_meaning(f.egress_filter()), theme, area, 4);
        }
        Step::IpPreference => {
            choice_list(
                frame,
                theme,
                Rect { height: 7, ..area },
                "Service discovery IP preference",
                (0..IP_CHOICES)
                    .map(|i| ip_choice_label(i).to_string())
                    .collect(),
                f.ip_preference,
                true,
            );
            meaning(frame, ip_meaning(f.ip_pref()), theme, area, 7);
        }
        Step::Tags => {
            let [inputs, message, list] = Layout::vertical([
                Constraint::Length(3),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .areas(area);
            let [key, value] =
                Layout::horizontal([Constraint::Percentage(42), Constraint::Fill(1)]).areas(inputs);
            text_input(
                frame,
                theme,
                key,
                "Tag key",
                &f.tag_key,
                TAG_KEY_MAX,
                f.focus == Field::TagKey,
                f.tag_problem.is_some() && f.focus == Field::TagKey,
                false,
            );
            text_input(
                frame,
                theme,
                value,
                "Tag value",
                &f.tag_value,
                TAG_VALUE_MAX,
                f.focus == Field::TagValue,
                f.tag_problem.is_some() && f.focus == Field::TagValue,
                false,
            );
            let line = match (&f.tag_problem, &f.notice) {
                (Some(p), _) => Span::styled(format!(" ✗ {}", clean(p)), theme.error()),
                (None, Some(n)) => Span::styled(format!(" {}", clean(n)), theme.ok()),
                (None, None) => Span::styled(
                    " Enter adds the tag; Tab moves to value, then the list",
                    theme.dim(),
                ),
            };
            frame.render_widget(Line::from(line), message);
            let focused = f.focus == Field::Tags;
            let block = Block::bordered()
                .border_style(if focused {
                    theme.focus_border()
                } else {
                    theme.border()
                })
                .title(format!(
                    "{}Tags ({}/{TAGS_MAX})",
                    if focused { "▸ " } else { "" },
                    f.tags.len()
                ));
            tag_list(
                frame,
                theme,
                block,
                (&f.tags, f.tag_selected),
                focused,
                list,
            );
        }
        _ => {}
    }
}

/// What the selected option means, on the two rows under its list.
fn meaning(frame: &mut Frame, text: &str, theme: &Theme, area: Rect, top: u16) {
    let r = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top).min(2),
        ..area
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text.to_string(), theme.key()))
            .wrap(ratatui::widgets::Wrap { trim: true }),
        r,
    );
}

fn sections(out: &mut Lines, theme: &Theme, step: Step) {
    for (title, text) in explanation(step) {
        if !title.is_empty() {
            out.text(title, theme.title());
        }
        out.text(text, Style::new());
        out.blank();
    }
}

/// Rule violations about this step, in red, before its explanation.
fn step_rules(app: &App, step: Step, out: &mut Lines) {
    let theme = &app.theme;
    let f = &app.form;
    let broken: Vec<_> = app
        .rules
        .check(f.name.value(), &f.spec(), &f.tags)
        .into_iter()
        .filter(|v| step.covers(&v.field))
        .collect();
    for v in &broken {
        out.text(&format!("✗ Team rule: {}.", v.message), theme.error());
    }
    if !broken.is_empty() {
        out.blank();
    }
}

fn step_lines(app: &App, step: Step, out: &mut Lines, width: usize) {
    let theme = &app.theme;
    match step {
        Step::Intro => {
            if app.sandbox.is_some() {
                out.text(
                    "You are on the built-in sandbox: nothing reaches AWS and no account is needed.",
                    theme.ok(),
                );
                out.blank();
            }
            sections(out, theme, step);
            let rules = app.rules.describe();
            if !rules.is_empty() {
                out.text("Your team's rules (from the template)", theme.title());
                for r in rules {
                    out.text(&format!("• {r}"), Style::new());
                }
                out.blank();
            }
        }
        Step::Name | Step::Egress | Step::IpPreference | Step::Tags => {
            step_rules(app, step, out);
            sections(out, theme, step);
        }
        Step::Review => review_lines(app, out, width),
        Step::Submit => {
            submit_status(app, out);
            out.blank();
            sections(out, theme, step);
        }
        Step::Result => match &app.pane {
            Pane::Mesh(r) if r.action == Action::Create => result_lines(app, r, out),
            Pane::Error { error, action, .. } => {
                error_lines(out, error, *action);
                out.blank();
                out.text(
                    "Ctrl-P goes back to fix the values and send again.",
                    theme.dim(),
                );
            }
            _ => out.text(
                "Nothing created yet: go back to Submit (Ctrl-P) and press Enter.",
                theme.dim(),
            ),
        },
    }
}

/// Code (JSON, a command) wraps at the exact column, so no space is lost or added.
fn code(out: &mut Lines, text: &str, width: usize, style: Style) {
    for line in text.lines() {
        for part in super::export::hard_wrap(&clean(line), width.max(1)) {
            out.lines.push(Line::from(Span::styled(part, style)));
        }
    }
}

fn review_lines(app: &App, out: &mut Lines, width: usize) {
    let theme = &app.theme;
    let f = &app.form;
    let warnings = review_warnings(f, &app.rules);
    if warnings.is_empty() {
        out.text("✓ Nothing unusual.", theme.ok());
    }
    for w in &warnings {
        let (mark, style) = if w.blocking {
            ("✗", theme.error())
        } else {
            ("!", theme.warn())
        };
        out.text(
            &format!(
                "{mark} {} (step {} {})",
                w.text,
                w.step.number(),
                w.step.title()
            ),
            style,
        );
    }
    if warnings.iter().any(|w| w.blocking) {
        out.text(
            "Nothing can be sent until the ✗ items are fixed: Ctrl-P goes back to them.",
            theme.error(),
        );
    }
    out.blank();
    sections(out, theme, Step::Review);
    let name = f.name.value();
    let spec = f.spec();
    out.text("The request (CreateMesh, JSON)", theme.title());
    code(
        out,
        &export::cli_input_json(name, &spec, &f.tags),
        width,
        theme.key(),
    );
    out.text(
        "…plus a clientToken the app makes for this request (reused if you retry it unchanged).",
        theme.dim(),
    );
    out.blank();
    out.text("The same with the AWS CLI", theme.title());
    let cmd = export::aws_cli_command(
        &ExportInput::new(name, &spec, &f.tags),
        &target_of(&app.endpoint),
    );
    code(out, &cmd, width, theme.key());
    out.blank();
    out.text(
        "Enter goes on to Submit. x exports this as a CLI command, --cli-input-json, CloudFormation or Terraform.",
        theme.dim(),
    );
}

fn submit_status(app: &App, out: &mut Lines) {
    let theme = &app.theme;
    let where_to = match &app.endpoint {
        Endpoint::Ready(t) if app.sandbox.is_some() => {
            format!("the built-in sandbox ({})", t.region)
        }
        Endpoint::Ready(t) => match &t.endpoint {
            Some(e) => format!("{e} ({})", t.region),
            None => format!("AWS in {}", t.region),
        },
        Endpoint::Loading => "the endpoint (still connecting)".into(),
        Endpoint::Failed(e) => format!("nowhere yet: {e}"),
    };
    if app.read_only {
        out.text(
            "Read-only mode (--read-only): this step sends nothing. Go back to the review \
             (Ctrl-P) and press x to export the request (AWS CLI, --cli-input-json, \
             CloudFormation, Terraform) to create the mesh elsewhere.",
            theme.warn(),
        );
        return;
    }
    match &app.pane {
        Pane::InFlight {
            action, kind, name, ..
        } => {
            let spin = SPINNER[app.spinner % SPINNER.len()];
            out.text(
                &format!(
                    "{spin} {} {}… (Esc cancels)",
                    action.progress_of(*kind),
                    name
                ),
                theme.key(),
            );
        }
        Pane::Mesh(r) if r.action == Action::Create && !app.unsaved() => {
            out.text(
                &format!("✓ Created mesh {}. Ctrl-N reads the result.", r.mesh.name),
                theme.ok(),
            );
        }
        Pane::Error { error, action, .. } if *action == Action::Create => {
            out.text(
                &format!("✗ CreateMesh failed: {}", error.title()),
                theme.error(),
            );
            error_lines(out, error, *action);
        }
        _ => {
            let blocking = review_warnings(&app.form, &app.rules)
                .iter()
                .any(|w| w.blocking);
            if blocking {
                out.text(
                    "✗ Not ready: the review lists what to fix (Ctrl-P).",
                    theme.error(),
                );
            } else {
                out.text(
                    &format!("Ready: Enter sends CreateMesh to {where_to}."),
                    theme.key(),
                );
            }
        }
    }
}

fn result_lines(app: &App, r: &MeshResult, out: &mut Lines) {
    let theme = &app.theme;
    out.text("What the service returned", theme.title());
    mesh_lines(out, r, app.now);
    out.blank();
    out.text("What each field means", theme.title());
    let md = &r.mesh.metadata;
    let parts: Vec<&str> = md.arn.splitn(6, ':').collect();
    if let [_, partition, service, region, account, resource] = parts.as_slice() {
        out.text(
            "ARN: the mesh's full name across AWS, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.",
            Style::new(),
        );
        out.row(
            "  partition",
            &format!(
                "{partition}: the AWS partition (aws: the commercial Regions; aws-cn: China; aws-us-gov: GovCloud)"
            ),
            Style::new(),
        );
        out.row("  service", &format!("{service}: App Mesh"), Style::new());
        out.row(
            "  region",
            &format!("{region}: where the mesh lives; the same name can exist in other Regions"),
            Style::new(),
        );
        out.row(
            "  account",
            &format!("{account}: the account that owns the mesh"),
            Style::new(),
        );
        out.row(
            "  resource",
            &format!("{resource}: type mesh, then the name; what you create inside it extends this (mesh/NAME/virtualNode/…)"),
            Style::new(),
        );
    } else {
        out.row("ARN", "the mesh's full name across AWS", Style::new());
    }
    out.row(
        "UID",
        "a unique ID for this mesh: a mesh deleted and created again with the same name gets the same ARN but a new UID",
        Style::new(),
    );
    out.row(
        "Version",
        "starts at 1 and goes up by one with every UpdateMesh, so tools notice changes made by someone else",
        Style::new(),
    );
    out.row(
        "Status",
        "ACTIVE: ready for virtual nodes, services and routes. INACTIVE: being changed or removed. DELETED: gone (DeleteMesh answers with it)",
        Style::new(),
    );
    out.row(
        "Created",
        "when it was created and last changed, in UTC",
        Style::new(),
    );
    out.row(
        "Owners",
        "mesh owner: the account that owns the mesh; resource owner: the account that owns this resource. For a mesh they are the same; they differ for resources another account creates in a mesh shared with it",
        Style::new(),
    );
    out.row(
        "Spec",
        "the egress filter and IP preference as the service stored them",
        Style::new(),
    );
    out.row(
        "Tags",
        "read back with ListTagsForResource after the create",
        Style::new(),
    );
    out.row(
        "Request ID",
        "the service's ID for this call; quote it when asking about the call",
        Style::new(),
    );
    out.blank();
    out.text(
        "Next: x exports this mesh (CLI command, CloudFormation, Terraform with an import block). F3 lists your meshes; Esc returns to the form.",
        theme.dim(),
    );
}
