//! The topology as Graphviz DOT (`graph --format dot`): the same boxes and edges as the
//! terminal drawing, one `rank=same` group per column so Graphviz keeps the columns, marks as
//! colours, dashes and a second label line. Every name is a quoted, escaped string.

use std::fmt::Write as _;

use super::{Column, Graph, Role};

/// A DOT quoted string: `"` and `\` escaped (so Graphviz's `\N`, `\G`, `\l` escapes cannot
/// be formed by a name), line breaks as `\n`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub const ERROR: &str = "#c0392b";
pub const WARN: &str = "#d68910";

/// The label of node `i`: name, detail, marks, one per line.
pub fn node_label(g: &Graph, i: usize) -> String {
    let n = &g.nodes[i];
    let mut lines = vec![n.name()];
    if !n.detail.is_empty() {
        lines.push(n.detail.clone());
    }
    lines.extend(n.marks.iter().map(|m| m.short().to_string()));
    lines.join("\n")
}

pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "digraph {} {{", quote(&format!("mesh {}", g.mesh)));
    let _ = writeln!(
        w,
        "  graph [rankdir=LR, newrank=true, nodesep=0.3, ranksep=0.8, fontname=\"Helvetica\", labelloc=t, label={}];",
        quote(&format!("mesh {}", crate::ui::text::clean(&g.mesh)))
    );
    let _ = writeln!(
        w,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];"
    );
    let _ = writeln!(w, "  edge [fontname=\"Helvetica\", fontsize=10];");
    let mut firsts = Vec::new();
    for c in Column::ALL {
        let members: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| g.nodes[i].column == c)
            .collect();
        if members.is_empty() {
            continue;
        }
        firsts.push(members[0]);
        let _ = writeln!(w, "  // {}", c.title());
        let _ = write!(w, "  {{ rank=same;");
        for i in &members {
            let _ = write!(w, " n{i};");
        }
        let _ = writeln!(w, " }}");
        for i in members {
            let n = &g.nodes[i];
            let mut attrs = format!(
                "label={}, tooltip={}",
                quote(&node_label(g, i)),
                quote(&format!(
                    "{} {}",
                    n.key.kind,
                    crate::ui::text::clean(&n.key.name)
                ))
            );
            if n.missing {
                let _ = write!(
                    attrs,
                    ", style=\"rounded,dashed\", color=\"{ERROR}\", fontcolor=\"{ERROR}\""
                );
            } else if n.marks.iter().any(|m| m.is_error()) {
                let _ = write!(attrs, ", penwidth=2, color=\"{ERROR}\"");
            } else if n.marked() {
                let _ = write!(attrs, ", penwidth=2, color=\"{WARN}\"");
            }
            let _ = writeln!(w, "  n{i} [{attrs}];");
        }
    }
    // Keeps the columns in order even where no edge joins them.
    for pair in firsts.windows(2) {
        let _ = writeln!(w, "  n{} -> n{} [style=invis];", pair[0], pair[1]);
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label={}", quote(&e.label)));
        }
        if e.role == Role::Contains {
            attrs.push("arrowhead=none".into());
        }
        if e.problem {
            attrs.push(format!(
                "style=dashed, color=\"{WARN}\", fontcolor=\"{WARN}\""
            ));
        }
        if attrs.is_empty() {
            let _ = writeln!(w, "  n{} -> n{};", e.from, e.to);
        } else {
            let _ = writeln!(w, "  n{} -> n{} [{}];", e.from, e.to, attrs.join(", "));
        }
    }
    let _ = writeln!(w, "}}");
    out
}
