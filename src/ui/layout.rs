//! Where everything goes on screen, computed from the terminal size alone, so rendering and
//! mouse hit-testing agree without the view keeping state.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::View;
use crate::form::Field;

/// Smallest usable terminal; below it the app says so instead of drawing a broken layout.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 22;
/// From this width on, the result pane sits beside the form.
pub const WIDE: u16 = 110;

/// The parts of the create form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormAreas {
    pub name: Rect,
    pub name_message: Rect,
    pub egress: Rect,
    pub ip_preference: Rect,
    pub tag_key: Rect,
    pub tag_value: Rect,
    pub tag_message: Rect,
    pub tags: Rect,
    pub create: Rect,
}

impl FormAreas {
    /// Each focusable field with its area, for mouse clicks.
    pub fn fields(&self) -> [(Field, Rect); 7] {
        [
            (Field::Name, self.name),
            (Field::Egress, self.egress),
            (Field::IpPreference, self.ip_preference),
            (Field::TagKey, self.tag_key),
            (Field::TagValue, self.tag_value),
            (Field::Tags, self.tags),
            (Field::Create, self.create),
        ]
    }

    pub fn of(field: Field, areas: &FormAreas) -> Rect {
        areas
            .fields()
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| r)
            .unwrap_or_default()
    }
}

/// The parts of the Meshes list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BrowserAreas {
    /// The bordered list, title included.
    pub list: Rect,
    /// The column titles.
    pub columns: Rect,
    /// The mesh rows (one mesh per line).
    pub rows: Rect,
    /// The filter line under the list.
    pub filter: Rect,
}

/// The parts of the Meshes view: where the user is, the kinds of the open mesh (inside a mesh),
/// and the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExploreAreas {
    /// `payments › virtual routers › web-router › routes`.
    pub crumbs: Rect,
    /// The kinds with their counts, inside a mesh.
    pub kinds: Option<Rect>,
    pub list: BrowserAreas,
}

/// Width of the kinds column inside a mesh: "Virtual services 9999…" and its borders.
pub const KINDS_WIDTH: u16 = 24;

/// The whole screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Screen {
    pub too_small: bool,
    pub header: Rect,
    pub tabs: Vec<(View, Rect)>,
    pub body: Rect,
    pub form: FormAreas,
    /// The area left of the pane (the form, or the Meshes view).
    pub left: Rect,
    /// `None` when the terminal is too narrow: the pane then opens as an overlay.
    pub pane: Option<Rect>,
    pub help_line: Rect,
    pub footer: Rect,
}

/// The app's name at the left of the header, shown when there is room.
pub const TITLE: &str = " appmesh-tui ";

pub fn show_title(width: u16) -> bool {
    width >= WIDE
}

pub const TAB_LABELS: [(View, &str); 2] =
    [(View::Create, " F2 Create "), (View::Meshes, " F3 Meshes ")];

pub fn screen(area: Rect) -> Screen {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Screen {
            too_small: true,
            ..Screen::default()
        };
    }
    let [header, body, help_line, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut tabs = Vec::new();
    let mut x = header.x
        + if show_title(area.width) {
            TITLE.len() as u16 + 1
        } else {
            0
        };
    for (view, label) in TAB_LABELS {
        let w = label.len() as u16;
        tabs.push((view, Rect::new(x, header.y, w, 1)));
        x += w + 1;
    }
    let (form_area, pane) = if area.width >= WIDE {
        let [f, p] =
            Layout::horizontal([Constraint::Percentage(54), Constraint::Fill(1)]).areas(body);
        (f, Some(p))
    } else {
        (body, None)
    };
    Screen {
        too_small: false,
        header,
        tabs,
        body,
        form: form_areas(form_area),
        left: form_area,
        pane,
        help_line,
        footer,
    }
}

impl Screen {
    /// The Meshes view's parts; `inside` a mesh the kinds column shows.
    pub fn explore(&self, inside: bool) -> ExploreAreas {
        let [crumbs, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(self.left);
        let (kinds, list) = if inside {
            let [k, l] = Layout::horizontal([Constraint::Length(KINDS_WIDTH), Constraint::Fill(1)])
                .areas(rest);
            (Some(k), l)
        } else {
            (None, rest)
        };
        ExploreAreas {
            crumbs,
            kinds,
            list: browser_areas(list),
        }
    }

    /// How many rows the Meshes view's list shows at once.
    pub fn list_rows(&self, inside: bool) -> usize {
        self.explore(inside).list.rows.height as usize
    }
}

fn browser_areas(area: Rect) -> BrowserAreas {
    let [list, filter] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let inner = Rect::new(
        list.x + 1,
        list.y + 1,
        list.width.saturating_sub(2),
        list.height.saturating_sub(2),
    );
    let [columns, rows] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    BrowserAreas {
        list,
        columns,
        rows,
        filter,
    }
}

fn form_areas(area: Rect) -> FormAreas {
    let [
        name,
        name_message,
        lists,
        tag_inputs,
        tag_message,
        tags,
        create,
    ] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(7),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let [egress, ip_preference] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Fill(1)]).areas(lists);
    let [tag_key, tag_value] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Fill(1)]).areas(tag_inputs);
    let create = Rect::new(create.x + 1, create.y, 12.min(create.width), 1);
    FormAreas {
        name,
        name_message,
        egress: Rect {
            height: 4,
            ..egress
        },
        ip_preference,
        tag_key,
        tag_value,
        tag_message,
        tags,
        create,
    }
}

/// The parts of the walkthrough screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WalkthroughAreas {
    /// The bordered step list, always on screen.
    pub steps: Rect,
    /// What the form holds so far, under the step list.
    pub summary: Rect,
    /// The current step: its field (if any) and its explanation.
    pub main: Rect,
}

/// Step list on the left (wider on wide terminals), the step on the right.
pub fn walkthrough_areas(body: Rect) -> WalkthroughAreas {
    let side = if body.width >= WIDE { 28 } else { 24 };
    let [left, main] =
        Layout::horizontal([Constraint::Length(side), Constraint::Fill(1)]).areas(body);
    let [steps, summary] =
        Layout::vertical([Constraint::Length(10), Constraint::Fill(1)]).areas(left);
    WalkthroughAreas {
        steps,
        summary,
        main,
    }
}
