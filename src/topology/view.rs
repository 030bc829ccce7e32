//! The topology component (`g` inside a mesh): the laid-out graph, the selected box, and the
//! part of the drawing on screen. Pure state; `ui::topology` draws it. Keys return a
//! [`TopologyOutcome`] for the app to act on, as the other components do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::layout::Layout;
use super::{Column, Graph};
use crate::kind::Key;
use crate::mesh::MeshModel;

/// What a key did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopologyOutcome {
    /// The key moved the selection or the view (or did nothing worth more).
    Handled,
    /// Not a topology key: the app may use it.
    Ignored,
    /// Enter on a resource the mesh holds: describe it.
    Describe(Key),
    /// Esc or `g`: close the topology.
    Close,
}

/// The keys, for the help window and the README.
pub const KEYS: &[(&str, &str)] = &[
    (
        "← → ↑ ↓",
        "move to the nearest box left / right, the box above / below",
    ),
    ("Home / End", "first / last box of the column"),
    ("PgUp / PgDn", "a screen up / down"),
    ("h j k l", "pan the view left / down / up / right"),
    ("n / N", "next / previous box with a mark (✗ ⚠)"),
    (
        "Enter",
        "describe the selected resource (on a missing one: who names it)",
    ),
    ("Esc / g", "close the topology"),
];

/// Columns and rows `h j k l` pan by.
const PAN_X: u32 = 8;
const PAN_Y: u32 = 4;

#[derive(Clone, Debug)]
pub struct Topology {
    layout: Layout,
    /// The selected box (a node index), if the mesh has any.
    selected: Option<usize>,
    /// The top-left cell of the drawing on screen.
    pub offset: (u32, u32),
    /// The whole area the widget draws in (set by the app from its layout).
    size: (u16, u16),
    /// A message for the status line (cleared by the next key).
    pub note: Option<String>,
}

impl Topology {
    pub fn new(mesh: &MeshModel) -> Topology {
        let layout = Layout::new(Graph::from_mesh(mesh));
        let selected = layout.order.first().and_then(|c| c.first()).copied();
        // The first box near the top of the view, the columns from the left.
        let top = selected.map_or(0, |s| layout.boxes[s].y.saturating_sub(2));
        Topology {
            layout,
            selected,
            offset: (0, top),
            size: (80, 24),
            note: None,
        }
    }

    /// Lays out the mesh again (it changed), keeping the selection on the same resource
    /// when it is still there, else on the nearest box of the same column.
    pub fn update(&mut self, mesh: &MeshModel) {
        let old = self.selected.map(|i| {
            let n = &self.layout.graph.nodes[i];
            (n.key.clone(), n.column, self.layout.boxes[i].center_y())
        });
        self.layout = Layout::new(Graph::from_mesh(mesh));
        self.selected = match old {
            None => self.layout.order.first().and_then(|c| c.first()).copied(),
            Some((key, column, y)) => self
                .layout
                .graph
                .nodes
                .iter()
                .position(|n| n.column == column && n.key == key)
                .or_else(|| {
                    let c = self
                        .layout
                        .columns
                        .iter()
                        .position(|c| c.column == column)?;
                    self.nearest_in(c, y)
                })
                .or_else(|| self.layout.order.first().and_then(|c| c.first()).copied()),
        };
        self.clamp_offset();
        self.scroll_into_view();
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The selected box (node index into `layout().graph.nodes`).
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// The resource of the selected box.
    pub fn selected_key(&self) -> Option<&Key> {
        self.selected.map(|i| &self.layout.graph.nodes[i].key)
    }

    /// Selects the box of `key` (in its own column: a service, not the backend box naming it)
    /// and scrolls it into view; false, selection unchanged, when the mesh has no such box.
    pub fn select(&mut self, key: &Key) -> bool {
        let nodes = &self.layout.graph.nodes;
        let found = nodes
            .iter()
            .position(|n| &n.key == key && n.column != Column::Backends)
            .or_else(|| nodes.iter().position(|n| &n.key == key));
        match found {
            Some(i) => {
                self.selected = Some(i);
                self.scroll_into_view();
                true
            }
            None => false,
        }
    }

    /// Tells the component the size of the area the widget draws in (header and status line
    /// included), so paging and keeping the selection on screen use the real size.
    pub fn set_size(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.clamp_offset();
        self.scroll_into_view();
    }

    /// The graph's part of the area: all but the header row and the status row.
    pub fn viewport(&self) -> (u32, u32) {
        (self.size.0 as u32, self.size.1.saturating_sub(2) as u32)
    }

    fn clamp_offset(&mut self) {
        let (w, h) = self.viewport();
        self.offset.0 = self.offset.0.min(self.layout.width.saturating_sub(w));
        self.offset.1 = self.offset.1.min(self.layout.height.saturating_sub(h));
    }

    /// Moves the view so the selected box is on screen (as much of it as fits).
    pub fn scroll_into_view(&mut self) {
        let Some(s) = self.selected else { return };
        let b = &self.layout.boxes[s];
        let (w, h) = self.viewport();
        let (w, h) = (w.max(1), h.max(1));
        if b.x < self.offset.0 || b.w > w {
            self.offset.0 = b.x.saturating_sub(1);
        } else if b.x + b.w > self.offset.0 + w {
            self.offset.0 = b.x + b.w - w;
        }
        if b.y < self.offset.1 || b.h > h {
            self.offset.1 = b.y;
        } else if b.bottom() > self.offset.1 + h {
            self.offset.1 = b.bottom() - h;
        }
        self.clamp_offset();
    }

    /// The box of column `c` whose middle is nearest row `y`.
    fn nearest_in(&self, c: usize, y: u32) -> Option<usize> {
        let col = self.layout.order.get(c)?;
        col.iter().copied().min_by_key(|&b| {
            (
                self.layout.boxes[b].center_y().abs_diff(y),
                self.layout.boxes[b].y,
            )
        })
    }

    fn position(&self) -> Option<(usize, usize)> {
        let s = self.selected?;
        let c = self.layout.boxes[s].col;
        let i = self.layout.order[c].iter().position(|&b| b == s)?;
        Some((c, i))
    }

    fn select_box(&mut self, b: Option<usize>) {
        if let Some(b) = b {
            self.selected = Some(b);
            self.scroll_into_view();
        }
    }

    /// The marked boxes in reading order: column by column, top to bottom.
    fn marked(&self) -> Vec<usize> {
        self.layout
            .order
            .iter()
            .flatten()
            .copied()
            .filter(|&b| self.layout.graph.nodes[b].marked())
            .collect()
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> TopologyOutcome {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return TopologyOutcome::Ignored;
        }
        self.note = None;
        let (_, vh) = self.viewport();
        let pos = self.position();
        match key.code {
            KeyCode::Esc | KeyCode::Char('g') => return TopologyOutcome::Close,
            KeyCode::Enter => {
                let Some(s) = self.selected else {
                    self.note = Some("The mesh holds nothing to describe.".into());
                    return TopologyOutcome::Handled;
                };
                let n = &self.layout.graph.nodes[s];
                if n.missing {
                    let by: Vec<String> = self
                        .layout
                        .graph
                        .edges
                        .iter()
                        .filter(|e| e.to == s)
                        .map(|e| {
                            let f = &self.layout.graph.nodes[e.from].key;
                            format!("{} {:?}", f.kind, crate::ui::text::clean(&f.name))
                        })
                        .collect();
                    self.note = Some(format!(
                        "{} {:?} does not exist; named by {}.",
                        n.key.kind,
                        n.name(),
                        by.join(", ")
                    ));
                    return TopologyOutcome::Handled;
                }
                return TopologyOutcome::Describe(n.key.clone());
            }
            KeyCode::Up => {
                if let Some((c, i)) = pos {
                    self.select_box(i.checked_sub(1).map(|i| self.layout.order[c][i]));
                }
            }
            KeyCode::Down => {
                if let Some((c, i)) = pos {
                    self.select_box(self.layout.order[c].get(i + 1).copied());
                }
            }
            KeyCode::Left | KeyCode::Right => {
                if let (Some((c, _)), Some(s)) = (pos, self.selected) {
                    let y = self.layout.boxes[s].center_y();
                    let to = if key.code == KeyCode::Left {
                        c.checked_sub(1)
                    } else {
                        Some(c + 1).filter(|&c| c < self.layout.columns.len())
                    };
                    self.select_box(to.and_then(|c| self.nearest_in(c, y)));
                }
            }
            KeyCode::Home => {
                if let Some((c, _)) = pos {
                    self.select_box(self.layout.order[c].first().copied());
                }
            }
            KeyCode::End => {
                if let Some((c, _)) = pos {
                    self.select_box(self.layout.order[c].last().copied());
                }
            }
            KeyCode::PageDown | KeyCode::PageUp => {
                let page = vh.saturating_sub(1).max(1);
                let down = key.code == KeyCode::PageDown;
                self.offset.1 = if down {
                    self.offset.1.saturating_add(page)
                } else {
                    self.offset.1.saturating_sub(page)
                };
                self.clamp_offset();
                if let (Some((c, i)), Some(s)) = (pos, self.selected) {
                    let y = self.layout.boxes[s].center_y();
                    let y = if down {
                        y.saturating_add(page)
                    } else {
                        y.saturating_sub(page)
                    };
                    // At least one box on, even when the next is more than a page away.
                    let col = &self.layout.order[c];
                    let step = if down {
                        col.get(i + 1).copied()
                    } else {
                        i.checked_sub(1).map(|i| col[i])
                    };
                    let to = match self.nearest_in(c, y) {
                        Some(b) if b == s => step,
                        other => other,
                    };
                    self.select_box(to);
                }
            }
            KeyCode::Char('h') => self.offset.0 = self.offset.0.saturating_sub(PAN_X),
            KeyCode::Char('l') => {
                self.offset.0 = self.offset.0.saturating_add(PAN_X);
                self.clamp_offset();
            }
            KeyCode::Char('k') => self.offset.1 = self.offset.1.saturating_sub(PAN_Y),
            KeyCode::Char('j') => {
                self.offset.1 = self.offset.1.saturating_add(PAN_Y);
                self.clamp_offset();
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                let marked = self.marked();
                if marked.is_empty() {
                    self.note = Some("Nothing in this mesh is marked: no problems found.".into());
                    return TopologyOutcome::Handled;
                }
                let at = self
                    .selected
                    .and_then(|s| marked.iter().position(|&b| b == s));
                let next = match (key.code == KeyCode::Char('n'), at) {
                    (true, Some(i)) => marked[(i + 1) % marked.len()],
                    (false, Some(i)) => marked[(i + marked.len() - 1) % marked.len()],
                    (true, None) => marked[0],
                    (false, None) => marked[marked.len() - 1],
                };
                self.select_box(Some(next));
            }
            _ => return TopologyOutcome::Ignored,
        }
        TopologyOutcome::Handled
    }

    /// The status line: what is selected and what is wrong with it, or the last note.
    pub fn status(&self) -> String {
        if let Some(note) = &self.note {
            return note.clone();
        }
        let Some(s) = self.selected else {
            return format!(
                "mesh {:?} holds no resources",
                crate::ui::text::clean(&self.layout.graph.mesh)
            );
        };
        let n = &self.layout.graph.nodes[s];
        let what = if n.column == Column::Backends {
            format!("{} {:?} (as a backend)", n.key.kind, n.name())
        } else {
            format!("{} {:?}", n.key.kind, n.name())
        };
        match n.marks.first() {
            Some(m) if n.marks.len() > 1 => format!(
                "{what}: {} (+{} more)",
                m.describe(&n.key),
                n.marks.len() - 1
            ),
            Some(m) => format!("{what}: {}", m.describe(&n.key)),
            None => what,
        }
    }
}
