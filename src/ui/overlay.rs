//! Windows over the view: help and the quit confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme::Theme;
use crate::app::{App, View};

/// Every key, grouped; the help overlay shows this and the README repeats it.
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("Ctrl-C", "quit at once"),
            (
                "Esc",
                "close a window; cancel a request in flight; otherwise quit (asks if the form has unsaved input)",
            ),
            ("F1 / ?", "this help (? outside text fields)"),
            ("F2 / F3", "Create form / Meshes view"),
            ("F4", "open the last result full screen"),
            ("Ctrl-S", "submit the form"),
            (
                "F6",
                "guided walkthrough of the create flow (F6 or Esc leaves it); inside a mesh: onboard a service",
            ),
            ("F7", "what --template loaded: problems and team rules"),
            (
                "F8",
                "switch the AWS profile and region (profiles from your AWS config)",
            ),
            (
                "x",
                "export the mesh in the detail pane, or the form (outside text fields)",
            ),
            ("PgUp / PgDn, wheel", "scroll the result pane"),
            ("Ctrl-Z", "suspend to the shell (fg resumes)"),
        ],
    ),
    (
        "Create form",
        &[
            ("Tab / Shift-Tab", "next / previous field"),
            (
                "Enter",
                "name: next field; tag key/value: add the tag; Create: submit",
            ),
            ("↑ ↓ / k j", "choose in a list; select a tag"),
            (
                "Delete / Backspace / d",
                "remove the selected tag (in Tags)",
            ),
            (
                "Ctrl-U / Ctrl-W / Ctrl-K",
                "clear field / delete word / delete to end",
            ),
            ("Home / End, Ctrl-A / Ctrl-E", "start / end of the text"),
            (
                "mouse click",
                "focus a field, pick a list item, press Create",
            ),
            (
                "--read-only",
                "Create, Ctrl-S and the walkthrough's Submit send nothing (x exports)",
            ),
        ],
    ),
    (
        "Walkthrough (F6)",
        &[
            ("Ctrl-N / Ctrl-P", "next / previous step"),
            (
                "Enter",
                "next step (name, lists, review); add a tag (tag key/value); send (Submit)",
            ),
            (
                "Tab / Shift-Tab",
                "tag key, tag value, tag list (Tags step)",
            ),
            ("↑ ↓ / k j", "choose an option; select a tag"),
            ("PgUp / PgDn", "scroll the step's explanation"),
            ("Ctrl-S", "send CreateMesh from any step"),
            ("x", "export (Review and Result steps)"),
            (
                "Esc",
                "leave to the plain form, values kept (cancels a request in flight)",
            ),
        ],
    ),
    (
        "Export (x)",
        &[
            ("↑ ↓, Enter / 1-4", "choose a format and show its text"),
            ("↑ ↓ / PgUp / PgDn", "scroll the text"),
            (
                "w",
                "write it to a file: type the path, Enter; an existing file is kept unless you answer y",
            ),
            ("c", "copy it to the clipboard (OSC 52)"),
            ("Esc / q", "back to the formats / close"),
        ],
    ),
    (
        "Meshes view and inside a mesh",
        &[
            ("↑ ↓ / k j, wheel", "move the selection"),
            ("PgUp / PgDn", "a screen up / down"),
            (
                "Home / End, g / G",
                "first / last row (inside a mesh g draws the topology: Home goes to the first row)",
            ),
            (
                "mouse click",
                "select a row; click the filter line to filter",
            ),
            (
                "Enter",
                "a mesh, router or gateway: open it (its children listed) and describe it; anything else: describe it",
            ),
            (
                "Backspace / Esc",
                "up one level (payments › virtual routers › web-router › routes)",
            ),
            (
                ":",
                "jump: vn, vs, vr, vg, routes, gr, meshes or a resource name (Tab completes)",
            ),
            (
                "Tab / ← →, h l",
                "move between the kinds column, the list and the detail pane",
            ),
            (
                "Enter (detail pane)",
                "follow a link (a target, a provider, a backend, used by); fold a branch",
            ),
            ("z / Space", "fold or unfold the whole spec / one branch"),
            (
                "g",
                "inside a mesh: the topology, gateways to nodes, drawn left to right",
            ),
            (
                "M",
                "inside a mesh: how it migrates to VPC Lattice or ECS Service Connect",
            ),
            (
                "/",
                "filter by name as you type; Enter keeps the filter, Esc clears it",
            ),
            ("s", "sort by name, then created, then last updated"),
            ("r / F5", "list again (keeps the selection)"),
            (
                "y",
                "copy the selected resource's ARN to the clipboard (OSC 52)",
            ),
            (
                "x",
                "export the described resource (CLI, JSON, CloudFormation, Terraform with import; any kind but a mesh also Kubernetes)",
            ),
            (
                "c",
                "inside a mesh: create a resource of the listed kind in its guided form (a route in the router you are in, a gateway route in the gateway)",
            ),
            (
                "e",
                "edit the selected resource in its form (UpdateX); a mesh in the create form (Esc or F2 ends the edit)",
            ),
            (
                "E",
                "edit the whole spec as YAML in $VISUAL / $EDITOR (or the in-app editor without one); saving sends UpdateX",
            ),
            (
                "+ / -",
                "on a route: the canary control (shift the weights of its targets, Ctrl-S sends UpdateRoute)",
            ),
            (
                "t",
                "edit the tags of any resource (TagResource / UntagResource)",
            ),
            (
                "d / Delete",
                "delete any resource: type its name to confirm; a mesh with resources offers to delete them all first",
            ),
            (
                "Esc",
                "cancel a request; clear the filter; at the Meshes list quit",
            ),
            ("--read-only", "c, e, E, +/-, t and d are off and refused"),
        ],
    ),
    ("Topology (g)", crate::topology::view::KEYS),
    (
        "Migrate (M)",
        &[
            (
                "1 / 2 / 3, Tab",
                "the target: VPC Lattice, VPC Lattice with the Gateway API, ECS Service Connect",
            ),
            (
                "↑ ↓ / PgUp / PgDn / Home / End",
                "move through the resources: what each becomes, what does not carry over",
            ),
            (
                "w",
                "write it: c CloudFormation, t Terraform, y YAML, r the report; then the file name",
            ),
            ("Esc", "back from the file prompt; close"),
        ],
    ),
    ("Onboard a service (F6 inside a mesh)", crate::onboard::KEYS),
    (
        "Tag editor (t)",
        &[
            ("Tab / Shift-Tab", "key, value, tag list"),
            (
                "Enter",
                "key/value: add the tag or change its value; list: edit the selected tag",
            ),
            ("d / Delete", "remove the selected tag (in the list)"),
            (
                "Ctrl-S",
                "save: TagResource for new and changed keys, UntagResource for removed ones",
            ),
            ("Esc", "close without saving"),
        ],
    ),
    (
        "Resource forms (c, e)",
        &[
            ("Tab / Shift-Tab, ↑ ↓", "next / previous field"),
            (
                "← →",
                "choose a value of a list (an enum, a resource of the mesh)",
            ),
            ("Space", "toggle"),
            (
                "a / d",
                "on a group's heading: add an item; on an item's heading: remove it",
            ),
            (
                "Ctrl-S",
                "check and send CreateX / UpdateX; an error keeps every value and shows on the form",
            ),
            ("Esc", "close (twice when the form holds input)"),
            (
                "Ctrl-C",
                "in any of these windows holding changes: press twice to quit",
            ),
        ],
    ),
    (
        "Canary control (+ / -)",
        &[
            ("↑ ↓ / Tab", "choose the target"),
            (
                "+ / - , → ←",
                "the target's weight to the next multiple of 5 up / down; the others share the rest",
            ),
            ("0-9, Enter", "type a weight"),
            ("r", "back to the route's weights"),
            (
                "Ctrl-S",
                "send UpdateRoute; the window stays until the answer (an error keeps the weights)",
            ),
            ("Esc", "close, nothing sent"),
        ],
    ),
    (
        "Spec editor (E, in-app)",
        &[
            (
                "Ctrl-S",
                "check against the service model and send UpdateX; problems go in as #! comments",
            ),
            ("Ctrl-U / Ctrl-R", "undo / redo"),
            ("Esc", "close (twice when the text changed)"),
        ],
    ),
    (
        "Delete (d)",
        &[
            ("type the name", "exactly, to confirm"),
            (
                "Enter / Esc",
                "delete / keep it (a mesh that holds resources shows the plan in order; Enter runs it with progress, Esc stops after the delete in flight)",
            ),
        ],
    ),
];

/// The groups of [`KEYS`] that apply to a view, in the order the help shows them.
fn groups_for(view: View) -> &'static [&'static str] {
    match view {
        View::Create => &[
            "Everywhere",
            "Create form",
            "Walkthrough (F6)",
            "Export (x)",
        ],
        View::Meshes => &[
            "Meshes view and inside a mesh",
            "Topology (g)",
            "Migrate (M)",
            "Onboard a service (F6 inside a mesh)",
            "Resource forms (c, e)",
            "Canary control (+ / -)",
            "Spec editor (E, in-app)",
            "Tag editor (t)",
            "Delete (d)",
            "Export (x)",
            "Everywhere",
        ],
    }
}

pub fn help(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let w = area.width.saturating_sub(4).min(100);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    // The key column, then the description wrapped under itself (a hanging indent), so
    // every row of the window is one line and the scroll limit is exact.
    let key_w = if inner_w >= 70 { 30 } else { 20 };
    let text_w = inner_w.saturating_sub(key_w).max(10);
    let mut lines = Vec::new();
    // The status line cuts long messages: here they are whole.
    if let Some(status) = &app.status {
        lines.push(Line::from(Span::styled("Last message", theme.title())));
        for part in crate::ui::text::wrap(&crate::ui::text::clean(status), inner_w) {
            lines.push(Line::from(Span::styled(part, theme.warn())));
        }
        lines.push(Line::default());
    }
    let groups = groups_for(app.view);
    let shown = groups
        .iter()
        .filter_map(|g| KEYS.iter().find(|(name, _)| name == g));
    for (group, keys) in shown {
        lines.push(Line::from(Span::styled(*group, theme.title())));
        for (k, what) in *keys {
            let key = format!("  {k}");
            let key_fits = crate::ui::text::width(&key) < key_w;
            if !key_fits {
                lines.push(Line::from(Span::styled(key.clone(), theme.key())));
            }
            for (i, part) in crate::ui::text::wrap(what, text_w).into_iter().enumerate() {
                let left = if i == 0 && key_fits { key.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("{left:<key_w$}"), theme.key()),
                    Span::raw(part),
                ]));
            }
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        "Esc, F1 or ? closes this window.",
        theme.dim(),
    )));
    let rows = lines.len();
    let h = (rows as u16 + 2).min(area.height.saturating_sub(2));
    let r = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, r);
    let mut block = Block::bordered()
        .title(" Keys ")
        .border_style(theme.focus_border());
    // Taller than the window: ↑↓ scroll it.
    let visible = h.saturating_sub(2) as usize;
    let max_scroll = rows.saturating_sub(visible) as u16;
    if max_scroll > 0 {
        block = block.title_bottom(Line::from(" ↑↓ PgUp PgDn scroll ").right_aligned());
    }
    let p = Paragraph::new(lines)
        .scroll((app.help_scroll.min(max_scroll), 0))
        .block(block);
    frame.render_widget(p, r);
}

pub fn confirm_quit(theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = area.centered(
        Constraint::Length(52.min(area.width)),
        Constraint::Length(5),
    );
    frame.render_widget(Clear, r);
    let p = Paragraph::new(vec![
        Line::from("The form has input that was not created."),
        Line::from("Quit and lose it?"),
        Line::from(vec![
            Span::styled(" y ", theme.key()),
            Span::raw("quit   "),
            Span::styled(" n / Esc ", theme.key()),
            Span::raw("stay"),
        ]),
    ])
    .block(
        Block::bordered()
            .title(" Quit? ")
            .border_style(theme.warn()),
    );
    frame.render_widget(p, r);
}
