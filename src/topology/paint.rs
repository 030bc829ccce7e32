//! The terminal drawing of a [`Layout`]: any rectangle of it as cells of box-drawing
//! characters, each with a [`Tone`] the TUI turns into a style. The TUI widget paints only
//! what is on screen (the layout's row index finds the lines, a binary search the boxes), so
//! a frame costs the same for 50 resources as for 5,000; `--format text` paints the whole
//! graph, a block of rows at a time.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::layout::{Layout, LineKind};

/// What a cell shows, for styling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Blank,
    Edge,
    /// An edge to something missing, or with weight 0.
    EdgeProblem,
    Label,
    LabelProblem,
    Border,
    /// A box with a warning.
    BorderWarn,
    /// A box with an error, or one that is missing.
    BorderError,
    BorderSelected,
    Name,
    NameSelected,
    Detail,
    Warn,
    Error,
    Header,
}

/// One cell. `ch == '\0'` is the right half of a wide character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub tone: Tone,
}

const BLANK: Cell = Cell {
    ch: ' ',
    tone: Tone::Blank,
};

/// A rectangle of the drawing, in layout coordinates.
#[derive(Clone, Debug)]
pub struct Grid {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub cells: Vec<Cell>,
}

impl Grid {
    fn new(x: u32, y: u32, w: u32, h: u32) -> Grid {
        Grid {
            x,
            y,
            w,
            h,
            cells: vec![BLANK; (w as usize) * (h as usize)],
        }
    }

    pub fn get(&self, x: u32, y: u32) -> Option<&Cell> {
        if x < self.x || y < self.y || x >= self.x + self.w || y >= self.y + self.h {
            return None;
        }
        self.cells
            .get(((y - self.y) * self.w + (x - self.x)) as usize)
    }

    fn set(&mut self, x: u32, y: u32, cell: Cell) {
        if x < self.x || y < self.y || x >= self.x + self.w || y >= self.y + self.h {
            return;
        }
        let i = ((y - self.y) * self.w + (x - self.x)) as usize;
        self.cells[i] = cell;
    }

    /// Writes `s` from column `x`, at most `max` columns; wide characters cut by the
    /// rectangle's edges become spaces, zero-width ones are left out.
    fn text(&mut self, x: u32, y: u32, s: &str, max: u32, tone: Tone) {
        let mut cx = x;
        let end = x.saturating_add(max);
        for ch in s.chars() {
            let w = UnicodeWidthChar::width(ch).unwrap_or(0) as u32;
            if w == 0 {
                continue;
            }
            if cx + w > end {
                break;
            }
            if w == 2 {
                let left_in = cx >= self.x;
                let right_in = cx + 1 < self.x + self.w;
                if left_in && right_in {
                    self.set(cx, y, Cell { ch, tone });
                    self.set(cx + 1, y, Cell { ch: '\0', tone });
                } else {
                    self.set(cx, y, Cell { ch: ' ', tone });
                    self.set(cx + 1, y, Cell { ch: ' ', tone });
                }
            } else {
                self.set(cx, y, Cell { ch, tone });
            }
            cx += w;
        }
    }

    /// The rows as text (wide characters once, trailing spaces kept).
    pub fn rows(&self) -> impl Iterator<Item = String> + '_ {
        self.cells.chunks(self.w.max(1) as usize).map(|row| {
            row.iter()
                .filter(|c| c.ch != '\0')
                .map(|c| c.ch)
                .collect::<String>()
        })
    }
}

const L: u8 = 1;
const R: u8 = 2;
const U: u8 = 4;
const D: u8 = 8;
const PROBLEM: u8 = 16;
const FINE: u8 = 32;

fn line_char(mask: u8) -> char {
    let dashed = mask & PROBLEM != 0 && mask & FINE == 0;
    match mask & 15 {
        m if m & (U | D) == 0 => {
            if dashed {
                '╌'
            } else {
                '─'
            }
        }
        m if m & (L | R) == 0 => {
            if dashed {
                '╎'
            } else {
                '│'
            }
        }
        m if m == R | D => '┌',
        m if m == L | D => '┐',
        m if m == R | U => '└',
        m if m == L | U => '┘',
        m if m == L | R | D => '┬',
        m if m == L | R | U => '┴',
        m if m == U | D | R => '├',
        m if m == U | D | L => '┤',
        _ => '┼',
    }
}

/// The border characters: corners, horizontal, vertical, and the vertical with a line leaving
/// to the right.
struct Border {
    tl: char,
    tr: char,
    bl: char,
    br: char,
    h: char,
    v: char,
    port: char,
}

const LIGHT: Border = Border {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '─',
    v: '│',
    port: '├',
};
const HEAVY: Border = Border {
    tl: '┏',
    tr: '┓',
    bl: '┗',
    br: '┛',
    h: '━',
    v: '┃',
    port: '┠',
};
const DASHED: Border = Border {
    tl: '┌',
    tr: '┐',
    bl: '└',
    br: '┘',
    h: '╌',
    v: '╎',
    port: '├',
};
const DOUBLE: Border = Border {
    tl: '╔',
    tr: '╗',
    bl: '╚',
    br: '╝',
    h: '═',
    v: '║',
    port: '╟',
};

/// Paints the rectangle `x, y, w, h` of the layout; `selected` (a node index) is drawn with a
/// double border.
pub fn paint(layout: &Layout, x: u32, y: u32, w: u32, h: u32, selected: Option<usize>) -> Grid {
    let mut grid = Grid::new(x, y, w, h);
    if w == 0 || h == 0 {
        return grid;
    }
    let (x1, y1) = (x.saturating_add(w), y.saturating_add(h));
    // Lines: each cell collects the directions lines leave it in.
    let mut masks = vec![0u8; (w as usize) * (h as usize)];
    let mut mark = |cx: u32, cy: u32, bits: u8| {
        if cx >= x && cx < x1 && cy >= y && cy < y1 {
            masks[((cy - y) * w + (cx - x)) as usize] |= bits;
        }
    };
    for id in layout.pieces_in(y, y1) {
        let p = layout.pieces[id as usize];
        let kind = if layout.paths[p.path as usize].problem {
            PROBLEM
        } else {
            FINE
        };
        let ((ax, ay), (bx, by)) = (p.a, p.b);
        if ay == by {
            if ay < y || ay >= y1 {
                continue;
            }
            let (lo, hi) = (ax.min(bx), ax.max(bx));
            for cx in lo.max(x.saturating_sub(1))..=hi.min(x1) {
                let mut bits = kind;
                if cx > lo {
                    bits |= L;
                }
                if cx < hi {
                    bits |= R;
                }
                mark(cx, ay, bits);
            }
        } else {
            if ax < x || ax >= x1 {
                continue;
            }
            let (lo, hi) = (ay.min(by), ay.max(by));
            for cy in lo.max(y.saturating_sub(1))..=hi.min(y1) {
                let mut bits = kind;
                if cy > lo {
                    bits |= U;
                }
                if cy < hi {
                    bits |= D;
                }
                mark(ax, cy, bits);
            }
        }
    }
    for (i, m) in masks.iter().enumerate() {
        if *m & 15 != 0 {
            let tone = if m & FINE == 0 {
                Tone::EdgeProblem
            } else {
                Tone::Edge
            };
            grid.cells[i] = Cell {
                ch: line_char(*m),
                tone,
            };
        }
    }
    // Arrow heads and labels.
    for id in layout.pieces_in(y, y1) {
        let p = layout.pieces[id as usize];
        let path = &layout.paths[p.path as usize];
        let last = path.points.len() - 2;
        let first_piece = p.a == path.points[0];
        let last_piece = p.b == path.points[last + 1];
        let (lt, at) = if path.problem {
            (Tone::LabelProblem, Tone::EdgeProblem)
        } else {
            (Tone::Label, Tone::Edge)
        };
        if first_piece && !path.label.is_empty() {
            let (lx, ly) = path.label_at;
            grid.text(lx, ly, &path.label, u32::MAX, lt);
        }
        if last_piece {
            grid.set(
                p.b.0,
                p.b.1,
                Cell {
                    ch: '▶', tone: at
                },
            );
        }
    }
    // Boxes, over the lines.
    for (c, col) in layout.columns.iter().enumerate() {
        if col.x >= x1 || col.x + col.width <= x {
            continue;
        }
        for &b in layout.boxes_in(c, y, y1) {
            paint_box(&mut grid, layout, b, selected == Some(b));
        }
    }
    grid
}

fn paint_box(grid: &mut Grid, layout: &Layout, b: usize, selected: bool) {
    let bx = &layout.boxes[b];
    let node = &layout.graph.nodes[b];
    let error = node.marks.iter().any(|m| m.is_error());
    let (border, tone) = if selected {
        (&DOUBLE, Tone::BorderSelected)
    } else if node.missing {
        (&DASHED, Tone::BorderError)
    } else if error {
        (&HEAVY, Tone::BorderError)
    } else if node.marked() {
        (&HEAVY, Tone::BorderWarn)
    } else {
        (&LIGHT, Tone::Border)
    };
    let (x0, y0, x1, y1) = (bx.x, bx.y, bx.x + bx.w - 1, bx.y + bx.h - 1);
    // Only the rows in the grid.
    let rows = y0.max(grid.y)..=y1.min(grid.y + grid.h - 1);
    for yy in rows {
        let (left, fill, right) = if yy == y0 {
            (border.tl, border.h, border.tr)
        } else if yy == y1 {
            (border.bl, border.h, border.br)
        } else {
            let right = if bx.out_ports.binary_search(&yy).is_ok() {
                border.port
            } else {
                border.v
            };
            (border.v, ' ', right)
        };
        grid.set(x0, yy, Cell { ch: left, tone });
        let fill_tone = if fill == ' ' { Tone::Blank } else { tone };
        for xx in (x0 + 1).max(grid.x)..x1.min(grid.x + grid.w) {
            grid.set(
                xx,
                yy,
                Cell {
                    ch: fill,
                    tone: fill_tone,
                },
            );
        }
        grid.set(x1, yy, Cell { ch: right, tone });
    }
    let room = bx.w.saturating_sub(4);
    for (i, (text, kind)) in bx.lines.iter().enumerate() {
        let yy = y0 + 1 + i as u32;
        if yy >= y1 {
            break;
        }
        if yy < grid.y || yy >= grid.y + grid.h {
            continue;
        }
        let tone = match kind {
            LineKind::Name if selected => Tone::NameSelected,
            LineKind::Name => Tone::Name,
            LineKind::Detail => Tone::Detail,
            LineKind::Warn => Tone::Warn,
            LineKind::Error => Tone::Error,
        };
        grid.text(
            x0 + 2,
            yy,
            &super::layout::fit(text, room as usize),
            room,
            tone,
        );
    }
}

/// The column titles over `x..x + w`, as one row of cells.
pub fn header(layout: &Layout, x: u32, w: u32) -> Grid {
    let mut grid = Grid::new(x, 0, w, 1);
    for (c, col) in layout.columns.iter().enumerate() {
        let room = layout
            .columns
            .get(c + 1)
            .map_or(col.width, |next| next.x - col.x - 1);
        let full = col.column.title();
        let title = if full.len() as u32 <= room {
            full
        } else {
            col.column.short_title()
        };
        grid.text(
            col.x,
            0,
            &super::layout::fit(title, room as usize),
            room,
            Tone::Header,
        );
    }
    grid
}

/// What the marks mean, for the text dump and the SVG.
pub const LEGEND: &[(&str, &str)] = &[
    (
        "┌╌╌┐ ✗ missing",
        "named by another resource, but the mesh does not hold it",
    ),
    (
        "┏━━┓ ✗ names missing",
        "names a resource the mesh does not hold (the dashed edge)",
    ),
    (
        "┏━━┓ ⚠ unreached",
        "a virtual node no virtual service reaches",
    ),
    ("┏━━┓ ⚠ no provider", "a virtual service without a provider"),
    (
        "┏━━┓ ⚠ weight 0",
        "a route that gives a target weight 0 (its edge says 0%)",
    ),
    (
        "╌╌▶",
        "an edge to something missing, or carrying no traffic",
    ),
];

/// The whole graph as text: the column titles, the drawing (trailing spaces cut), then what
/// the marks mean and every problem in words.
pub fn write_text(layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    let g = &layout.graph;
    writeln!(out, "mesh {}", crate::ui::text::clean(&g.mesh))?;
    if g.nodes.is_empty() {
        writeln!(out, "(nothing in the mesh)")?;
        return Ok(());
    }
    let head = header(layout, 0, layout.width);
    for row in head.rows() {
        writeln!(out, "{}", row.trim_end())?;
    }
    const CHUNK: u32 = 256;
    let mut y = 0;
    while y < layout.height {
        let h = CHUNK.min(layout.height - y);
        let grid = paint(layout, 0, y, layout.width, h, None);
        for row in grid.rows() {
            writeln!(out, "{}", row.trim_end())?;
        }
        y += h;
    }
    let problems = g.problems();
    if !problems.is_empty() {
        writeln!(out)?;
        writeln!(out, "Problems ({}):", problems.len())?;
        for (_, p) in &problems {
            writeln!(out, "- {p}")?;
        }
        writeln!(out)?;
        writeln!(out, "Marks:")?;
        for (mark, meaning) in LEGEND {
            writeln!(out, "  {mark:<22} {meaning}")?;
        }
    }
    Ok(())
}

/// [`write_text`] into a string.
pub fn to_text(layout: &Layout) -> String {
    let mut out = Vec::new();
    write_text(layout, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("the drawing is UTF-8")
}
