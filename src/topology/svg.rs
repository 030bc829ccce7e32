//! The topology as SVG (`graph --format svg`), drawn by the app from the same layout as the
//! terminal (no Graphviz at run time): boxes where the terminal has boxes, edges along the
//! same tracks, the same labels and marks, a legend and the problems in words. Every name is
//! escaped for XML, and characters XML cannot hold become `�`.

use std::fmt::Write as _;

use super::layout::{Layout, LineKind, fit};
use super::paint::LEGEND;
use crate::ui::text::clean;

/// Pixels per terminal cell.
const CW: u32 = 8;
const RH: u32 = 16;
/// Rows above the drawing: the title and the column titles.
const TOP: u32 = 3;

/// Text for XML character data and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn px(x: u32) -> u32 {
    x * CW + CW / 2
}

fn py(y: u32) -> u32 {
    (y + TOP) * RH + RH / 2
}

const STYLE: &str = "
  text { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px; fill: #1d1f21; }
  .title { font-size: 15px; font-weight: bold; }
  .head { font-weight: bold; fill: #555; }
  .box { fill: #ffffff; stroke: #5d6d7e; stroke-width: 1.2; }
  .box.warn { stroke: #d68910; stroke-width: 2.4; }
  .box.error { stroke: #c0392b; stroke-width: 2.4; }
  .box.missing { stroke: #c0392b; stroke-width: 1.6; stroke-dasharray: 5 3; fill: #fdf2f0; }
  .name { font-weight: bold; }
  .detail { fill: #6b7480; }
  .markwarn { fill: #b9770e; }
  .markerror { fill: #c0392b; }
  .edge { fill: none; stroke: #7f8c8d; stroke-width: 1.2; }
  .edge.problem { stroke: #d68910; stroke-dasharray: 5 3; }
  .label { font-size: 11px; fill: #1f618d; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
  .label.problem { fill: #b9770e; }
  .legend { font-size: 11px; }
";

/// The SVG document.
pub fn render(layout: &Layout) -> String {
    let g = &layout.graph;
    let problems = g.problems();
    let legend_rows = 2
        + LEGEND.len() as u32
        + if problems.is_empty() {
            0
        } else {
            2 + problems.len() as u32
        };
    let width = (layout.width.max(60)) * CW;
    let height = (TOP + layout.height + legend_rows) * RH;
    let mut s = String::new();
    let o = &mut s;
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    );
    let _ = writeln!(o, "<title>mesh {}</title>", escape(&g.mesh));
    let _ = writeln!(o, "<style>{STYLE}</style>");
    let _ = writeln!(
        o,
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#7f8c8d\"/></marker>\
         <marker id=\"arrow-problem\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d68910\"/></marker></defs>"
    );
    let _ = writeln!(o, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        o,
        "<text class=\"title\" x=\"{}\" y=\"{}\">mesh {}</text>",
        CW,
        RH + 2,
        escape(&g.mesh)
    );
    for col in &layout.columns {
        let _ = writeln!(
            o,
            "<text class=\"head\" x=\"{}\" y=\"{}\">{}</text>",
            col.x * CW + CW / 2,
            2 * RH + RH / 2 + 4,
            escape(col.column.title())
        );
    }
    // Edges, under the boxes.
    let _ = writeln!(o, "<g id=\"edges\">");
    for path in &layout.paths {
        let mut pts = String::new();
        let last = path.points.len() - 1;
        for (i, &(x, y)) in path.points.iter().enumerate() {
            // The arrow's tip on the target's border (one cell right of the arrow head cell).
            let xx = if i == last { px(x + 1) } else { px(x) };
            let _ = write!(pts, "{}{},{}", if i > 0 { " " } else { "" }, xx, py(y));
        }
        let (class, marker) = if path.problem {
            ("edge problem", "arrow-problem")
        } else {
            ("edge", "arrow")
        };
        let e = &g.edges[path.edge];
        let _ = writeln!(
            o,
            "<polyline class=\"{class}\" points=\"{pts}\" marker-end=\"url(#{marker})\"><title>{} → {} ({})</title></polyline>",
            escape(&g.nodes[e.from].key.name),
            escape(&g.nodes[e.to].key.name),
            e.role.word()
        );
        if !path.label.is_empty() {
            let (lx, ly) = path.label_at;
            let _ = writeln!(
                o,
                "<text class=\"label{}\" x=\"{}\" y=\"{}\">{}</text>",
                if path.problem { " problem" } else { "" },
                lx * CW,
                py(ly) - 3,
                escape(&path.label)
            );
        }
    }
    let _ = writeln!(o, "</g>");
    let _ = writeln!(o, "<g id=\"boxes\">");
    for (i, b) in layout.boxes.iter().enumerate() {
        let n = &g.nodes[i];
        let class = if n.missing {
            "box missing"
        } else if n.marks.iter().any(|m| m.is_error()) {
            "box error"
        } else if n.marked() {
            "box warn"
        } else {
            "box"
        };
        let _ = writeln!(
            o,
            "<g><title>{} {}</title><rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\"/>",
            n.key.kind,
            escape(&n.key.name),
            px(b.x),
            py(b.y),
            (b.w - 1) * CW,
            (b.h - 1) * RH
        );
        let room = b.w.saturating_sub(4) as usize;
        for (k, (text, kind)) in b.lines.iter().enumerate() {
            if k as u32 + 2 >= b.h {
                break;
            }
            let class = match kind {
                LineKind::Name => "name",
                LineKind::Detail => "detail",
                LineKind::Warn => "markwarn",
                LineKind::Error => "markerror",
            };
            let _ = writeln!(
                o,
                "<text class=\"{class}\" x=\"{}\" y=\"{}\">{}</text>",
                (b.x + 2) * CW,
                py(b.y + 1 + k as u32) + 4,
                escape(&fit(text, room))
            );
        }
        let _ = writeln!(o, "</g>");
    }
    let _ = writeln!(o, "</g>");
    // The legend and the problems in words.
    let mut y = (TOP + layout.height + 1) * RH;
    let _ = writeln!(o, "<g id=\"legend\">");
    let _ = writeln!(o, "<text class=\"head\" x=\"{CW}\" y=\"{y}\">Marks</text>");
    let samples = [
        "box missing",
        "box error",
        "box warn",
        "box warn",
        "box warn",
    ];
    for (k, (mark, meaning)) in LEGEND.iter().enumerate() {
        y += RH;
        let sample_x = CW;
        match samples.get(k) {
            Some(class) => {
                let _ = writeln!(
                    o,
                    "<rect class=\"{class}\" x=\"{sample_x}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
                    y - RH + 5,
                    3 * CW,
                    RH - 6
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "<polyline class=\"edge problem\" points=\"{},{} {},{}\" marker-end=\"url(#arrow-problem)\"/>",
                    sample_x,
                    y - 4,
                    sample_x + 3 * CW,
                    y - 4
                );
            }
        }
        let words = mark.split_once(' ').map_or(*mark, |(_, w)| w);
        let _ = writeln!(
            o,
            "<text class=\"legend\" x=\"{}\" y=\"{y}\">{} — {}</text>",
            5 * CW,
            escape(words.trim()),
            escape(meaning)
        );
    }
    if !problems.is_empty() {
        y += 2 * RH;
        let _ = writeln!(
            o,
            "<text class=\"head\" x=\"{CW}\" y=\"{y}\">Problems ({})</text>",
            problems.len()
        );
        for (i, p) in &problems {
            y += RH;
            let class = if g.nodes[*i].marks.iter().any(|m| m.is_error()) {
                "markerror"
            } else {
                "markwarn"
            };
            let _ = writeln!(
                o,
                "<text class=\"legend {class}\" x=\"{}\" y=\"{y}\">{}</text>",
                2 * CW,
                escape(p)
            );
        }
    }
    let _ = writeln!(o, "</g>");
    let _ = writeln!(o, "</svg>");
    s
}
