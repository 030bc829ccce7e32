//! Draws the topology component: the column titles on the first row (they pan with the
//! drawing), the part of the drawing in view, and a status line (the selected resource and
//! what is wrong with it). Only the cells on screen are painted, so a frame costs the same for
//! any size of mesh.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::text;
use super::theme::Theme;
use crate::topology::paint::{self, Grid, Tone};
use crate::topology::view::Topology;

/// The topology widget: `TopologyView { topology, theme }.render(area, buf)`. The app should
/// call [`Topology::set_size`] with the same area's size when it changes.
pub struct TopologyView<'a> {
    pub topology: &'a Topology,
    pub theme: &'a Theme,
}

fn style(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Blank => Style::new(),
        Tone::Edge | Tone::Border => theme.border(),
        Tone::EdgeProblem | Tone::BorderWarn | Tone::Warn | Tone::LabelProblem => theme.warn(),
        Tone::BorderError | Tone::Error => theme.error(),
        Tone::Label => theme.label(),
        Tone::BorderSelected => theme.focus_border(),
        Tone::Name | Tone::Header => theme.title(),
        Tone::NameSelected => theme.selected(),
        Tone::Detail => theme.dim(),
    }
}

/// Copies `grid` to the row `y` of `buf` from column `x`.
fn blit(grid: &Grid, theme: &Theme, buf: &mut Buffer, x: u16, y: u16) {
    let w = grid.w as usize;
    for (row, cells) in grid.cells.chunks(w.max(1)).enumerate() {
        let yy = y + row as u16;
        for (col, cell) in cells.iter().enumerate() {
            let xx = x + col as u16;
            let Some(target) = buf.cell_mut((xx, yy)) else {
                continue;
            };
            if cell.ch == '\0' {
                // The right half of a wide character drawn just before.
                target.reset();
                continue;
            }
            target.set_char(cell.ch).set_style(style(theme, cell.tone));
        }
    }
}

impl Widget for TopologyView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let t = self.topology;
        let layout = t.layout();
        let (ox, oy) = t.offset;
        let w = area.width as u32;
        let head = paint::header(layout, ox, w);
        blit(&head, self.theme, buf, area.x, area.y);
        if area.height >= 3 {
            let h = (area.height - 2) as u32;
            let grid = paint::paint(layout, ox, oy, w, h, t.selected());
            blit(&grid, self.theme, buf, area.x, area.y + 1);
        }
        if area.height >= 2 {
            let y = area.y + area.height - 1;
            let status = text::fit(&text::clean(&t.status()), area.width as usize);
            let tone = match t.selected().map(|s| &layout.graph.nodes[s]) {
                _ if t.note.is_some() => self.theme.warn(),
                Some(n) if n.marks.iter().any(|m| m.is_error()) => self.theme.error(),
                Some(n) if n.marked() => self.theme.warn(),
                _ => self.theme.dim(),
            };
            buf.set_stringn(area.x, y, &status, area.width as usize, tone);
        }
    }
}
