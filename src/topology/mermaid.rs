//! The topology as a Mermaid flowchart (`graph --format mermaid`, `flowchart LR`): one
//! subgraph per column, marks as classes (dashed red for missing, orange for warnings),
//! dotted edges for problems. Labels are quoted with Mermaid's entity codes for the
//! characters its parser gives a meaning (`"`, `#`, `<`, `>`, `&`, `|`, `` ` ``).

use std::fmt::Write as _;

use super::{Column, Graph};

/// Text for inside a quoted Mermaid label.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(g: &Graph) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "---");
    // YAML front matter: a single-quoted string, where only `'` needs doubling.
    let title = crate::ui::text::clean(&g.mesh).replace('\'', "''");
    let _ = writeln!(w, "title: 'mesh {title}'");
    let _ = writeln!(w, "---");
    let _ = writeln!(w, "flowchart LR");
    for (ci, c) in Column::ALL.into_iter().enumerate() {
        let members: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| g.nodes[i].column == c)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(w, "  subgraph c{ci} [\"{}\"]", c.title());
        let _ = writeln!(w, "    direction TB");
        for i in members {
            let n = &g.nodes[i];
            let mut lines = vec![escape(&n.name())];
            if !n.detail.is_empty() {
                lines.push(escape(&n.detail));
            }
            lines.extend(n.marks.iter().map(|m| escape(m.short())));
            let _ = writeln!(w, "    n{i}[\"{}\"]", lines.join("<br/>"));
        }
        let _ = writeln!(w, "  end");
    }
    for e in &g.edges {
        let arrow = if e.problem { "-.->" } else { "-->" };
        if e.label.is_empty() {
            let _ = writeln!(w, "  n{} {arrow} n{}", e.from, e.to);
        } else {
            let _ = writeln!(
                w,
                "  n{} {arrow}|\"{}\"| n{}",
                e.from,
                escape(&e.label),
                e.to
            );
        }
    }
    let _ = writeln!(
        w,
        "  classDef missing stroke:#c0392b,stroke-width:2px,stroke-dasharray:5 5,color:#c0392b"
    );
    let _ = writeln!(w, "  classDef error stroke:#c0392b,stroke-width:3px");
    let _ = writeln!(w, "  classDef warn stroke:#d68910,stroke-width:3px");
    for (class, pick) in [
        (
            "missing",
            &(|n: &super::Node| n.missing) as &dyn Fn(&super::Node) -> bool,
        ),
        ("error", &|n: &super::Node| {
            !n.missing && n.marks.iter().any(|m| m.is_error())
        }),
        ("warn", &|n: &super::Node| {
            n.marked() && !n.marks.iter().any(|m| m.is_error())
        }),
    ] {
        let ids: Vec<String> = (0..g.nodes.len())
            .filter(|&i| pick(&g.nodes[i]))
            .map(|i| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(w, "  class {} {class}", ids.join(","));
        }
    }
    out
}
