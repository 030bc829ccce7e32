//! The topology (issue 14) of three fixed meshes — the onboarding shape, a mesh with every kind
//! of problem, a 500-resource mesh — as the TUI draws it at 120×40 and 80×24 (golden
//! snapshots), and as DOT (read back by Graphviz's own `dot`), Mermaid and SVG (parsed as XML).
//!
//! Needs Graphviz's `dot` on PATH (`scripts/test` installs Debian's `graphviz` when it runs
//! as root). Set APPMESH_SKIP_GRAPHVIZ=1 to skip the DOT checks on a machine without it (they
//! fail rather than pass silently otherwise).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::topology::cli::{Format, render};
use appmesh_tui::topology::fixtures::{large, onboarding, problems};
use appmesh_tui::topology::layout::Layout;
use appmesh_tui::topology::view::Topology;
use appmesh_tui::topology::{Graph, dot, mermaid, paint, svg};
use appmesh_tui::ui::theme::Theme;
use appmesh_tui::ui::topology::TopologyView;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use serde_json::{Value, json};

fn screen(t: &mut Topology, w: u16, h: u16) -> String {
    t.set_size(w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::default();
    terminal
        .draw(|f| {
            f.render_widget(
                TopologyView {
                    topology: t,
                    theme: &theme,
                },
                f.area(),
            )
        })
        .unwrap();
    terminal.backend().to_string()
}

fn fixtures() -> [(&'static str, MeshModel); 3] {
    [
        ("onboarding", onboarding()),
        ("problems", problems()),
        ("large500", large(500)),
    ]
}

#[test]
fn golden_screens_at_120x40_and_80x24() {
    for (name, mesh) in fixtures() {
        for (w, h) in [(120, 40), (80, 24)] {
            let mut t = Topology::new(&mesh);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&mut t, w, h));
        }
    }
}

#[test]
fn golden_screens_after_walking_to_a_problem() {
    // The problems mesh, after `n` to its first mark and two more: the view follows.
    let mut t = Topology::new(&problems());
    t.set_size(80, 24);
    for _ in 0..3 {
        t.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    }
    insta::assert_snapshot!("problems_80x24_third_mark", screen(&mut t, 80, 24));
}

#[test]
fn golden_text_documents() {
    insta::assert_snapshot!("onboarding_text", render(&onboarding(), Format::Text));
    insta::assert_snapshot!("problems_text", render(&problems(), Format::Text));
    insta::assert_snapshot!("problems_mermaid", render(&problems(), Format::Mermaid));
    insta::assert_snapshot!("problems_dot", render(&problems(), Format::Dot));
}

/// A mesh whose names hold everything the formats give a meaning: quotes, backslashes,
/// Graphviz escapes, XML and Mermaid specials, wide characters, controls.
fn hostile() -> MeshModel {
    let names = [
        "a\"quote\"",
        "back\\slash\\N\\G",
        "<b>&amp;</b>'x'",
        "#35; |pipe| `tick` -->",
        "日本語のノード",
        "esc\u{1b}[31mred\u{7}",
        "}; digraph x { a -> b",
    ];
    let mut m = MeshModel::new("m \"<&>\"");
    let mesh = m.name.clone();
    m.items.insert(Key::mesh(&mesh), Item::new(json!({})));
    let weighted: Vec<Value> = names
        .iter()
        .map(|n| json!({"virtualNode": n, "weight": 1}))
        .collect();
    for n in names {
        m.items.insert(
            Key::new(Kind::VirtualNode, &mesh, "", n),
            Item::new(json!({"serviceDiscovery": {"dns": {"hostname": n}}, "backends": [{"virtualService": {"virtualServiceName": n}}]})),
        );
        m.items.insert(
            Key::new(Kind::VirtualService, &mesh, "", n),
            Item::new(json!({"provider": {"virtualRouter": {"virtualRouterName": n}}})),
        );
        m.items.insert(
            Key::new(Kind::VirtualRouter, &mesh, "", n),
            Item::new(json!({})),
        );
        m.items.insert(
            Key::new(Kind::Route, &mesh, n, n),
            Item::new(json!({"httpRoute": {"match": {"prefix": format!("/{n}")}, "action": {"weightedTargets": weighted}}})),
        );
    }
    m
}

fn dot_available() -> bool {
    if std::env::var_os("APPMESH_SKIP_GRAPHVIZ").is_some() {
        eprintln!("skipped: APPMESH_SKIP_GRAPHVIZ is set");
        return false;
    }
    match Command::new("dot").arg("-V").output() {
        Ok(o) if o.status.success() => true,
        _ => panic!(
            "Graphviz's `dot` is not on PATH: run scripts/test (installs it as root), `apt-get install graphviz`, or set APPMESH_SKIP_GRAPHVIZ=1"
        ),
    }
}

/// Graphviz reads `text` and answers its own JSON form of the graph.
fn graphviz_json(text: &str) -> Value {
    let mut child = Command::new("dot")
        .arg("-Tjson0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running dot");
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "dot refused the graph: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("dot's JSON")
}

/// Graphviz's labels back as the text a reader sees (`\n` between lines, `\\` a backslash).
fn unescape_dot(label: &str) -> String {
    let mut out = String::new();
    let mut chars = label.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn graphviz_reads_every_box_and_edge_of_the_dot() {
    if !dot_available() {
        return;
    }
    for (name, mesh) in fixtures().into_iter().chain([("hostile", hostile())]) {
        let g = Graph::from_mesh(&mesh);
        let text = dot::render(&g);
        let parsed = graphviz_json(&text);
        let objects = parsed["objects"].as_array().expect("objects");
        // Nodes by id, with their labels as Graphviz read them.
        let labels: BTreeMap<String, String> = objects
            .iter()
            .filter(|o| o.get("nodes").is_none())
            .map(|o| {
                (
                    o["name"].as_str().unwrap().to_string(),
                    unescape_dot(o["label"].as_str().unwrap()),
                )
            })
            .collect();
        assert_eq!(labels.len(), g.nodes.len(), "{name}");
        for (i, _) in g.nodes.iter().enumerate() {
            let label = &labels[&format!("n{i}")];
            assert_eq!(label, &dot::node_label(&g, i), "{name}: n{i}");
            assert!(label.starts_with(&g.nodes[i].name()), "{name}: {label}");
        }
        let id_of: BTreeMap<i64, &str> = objects
            .iter()
            .map(|o| (o["_gvid"].as_i64().unwrap(), o["name"].as_str().unwrap()))
            .collect();
        let edges: Vec<(String, String, String)> = parsed["edges"]
            .as_array()
            .map(|a| a.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter(|e| e["style"].as_str() != Some("invis"))
            .map(|e| {
                (
                    id_of[&e["tail"].as_i64().unwrap()].to_string(),
                    id_of[&e["head"].as_i64().unwrap()].to_string(),
                    unescape_dot(e["label"].as_str().unwrap_or("")),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = g
            .edges
            .iter()
            .map(|e| {
                (
                    format!("n{}", e.from),
                    format!("n{}", e.to),
                    e.label.clone(),
                )
            })
            .collect();
        assert_eq!(
            edges.iter().collect::<BTreeSet<_>>(),
            want.iter().collect::<BTreeSet<_>>(),
            "{name}"
        );
        assert_eq!(edges.len(), want.len(), "{name}");
    }
}

#[test]
fn graphviz_keeps_the_columns_left_to_right() {
    if !dot_available() {
        return;
    }
    // Laid out by Graphviz itself: every edge goes right, every column is one rank.
    let g = Graph::from_mesh(&onboarding());
    let parsed = graphviz_json(&dot::render(&g));
    let x_of: BTreeMap<String, f64> = parsed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| {
            let pos = o.get("pos")?.as_str()?;
            let x: f64 = pos.split(',').next()?.parse().ok()?;
            Some((o["name"].as_str()?.to_string(), x))
        })
        .collect();
    for e in &g.edges {
        assert!(
            x_of[&format!("n{}", e.from)] < x_of[&format!("n{}", e.to)],
            "{:?}",
            e
        );
    }
    for a in 0..g.nodes.len() {
        for b in 0..g.nodes.len() {
            if g.nodes[a].column == g.nodes[b].column {
                assert_eq!(x_of[&format!("n{a}")], x_of[&format!("n{b}")]);
            }
        }
    }
}

#[test]
fn svg_is_well_formed_and_says_every_name() {
    for (name, mesh) in fixtures().into_iter().chain([("hostile", hostile())]) {
        let l = Layout::new(Graph::from_mesh(&mesh));
        let text = svg::render(&l);
        let doc =
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        // Every box has its <title>, with the full name, as the reader sees it.
        let titles: BTreeSet<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect();
        for n in &l.graph.nodes {
            let t = format!("{} {}", n.key.kind, n.name());
            assert!(titles.contains(&t), "{name}: no title {t:?}");
        }
        let rects = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("rect") && n.attribute("class").is_some_and(|c| c.starts_with("box"))
            })
            .count();
        assert_eq!(
            rects,
            l.graph.nodes.len() + 5,
            "{name}: boxes and the legend's samples"
        );
        let lines = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count();
        assert_eq!(lines, l.paths.len() + 1, "{name}");
        // Marks show: missing boxes dashed, the problems listed.
        let missing = l.graph.nodes.iter().filter(|n| n.missing).count();
        let dashed = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("box missing"))
            .count();
        assert_eq!(dashed, missing + 1, "{name}");
    }
}

#[test]
fn mermaid_is_a_flowchart_with_every_box_and_edge_and_nothing_unescaped() {
    for (name, mesh) in fixtures().into_iter().chain([("hostile", hostile())]) {
        let g = Graph::from_mesh(&mesh);
        let text = mermaid::render(&g);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("---"));
        assert!(lines.next().unwrap().starts_with("title: 'mesh "));
        assert_eq!(lines.next(), Some("---"));
        assert_eq!(lines.next(), Some("flowchart LR"));
        let node_re = regex_lite::Regex::new(r#"^    (n\d+)\["([^"]*)"\]$"#).unwrap();
        let edge_re =
            regex_lite::Regex::new(r#"^  (n\d+) (-->|-\.->)(?:\|"([^"|]*)"\|)? (n\d+)$"#).unwrap();
        let mut nodes = BTreeSet::new();
        let mut edges = Vec::new();
        let mut depth = 0;
        for line in lines {
            if line.starts_with("  subgraph c") {
                depth += 1;
                assert!(line.ends_with("\"]"), "{line}");
            } else if line == "  end" {
                depth -= 1;
            } else if line == "    direction TB"
                || line.starts_with("  classDef ")
                || line.starts_with("  class ")
            {
            } else if let Some(c) = node_re.captures(line) {
                assert_eq!(depth, 1, "{name}: a box outside its column: {line}");
                let label = &c[2];
                // Nothing Mermaid reads as syntax is left bare.
                for bad in ['"', '<', '>', '|', '`', '\u{1b}'] {
                    assert!(!label.replace("<br/>", "").contains(bad), "{name}: {line}");
                }
                assert!(nodes.insert(c[1].to_string()), "{name}: twice {line}");
            } else if let Some(c) = edge_re.captures(line) {
                edges.push((c[1].to_string(), c[4].to_string()));
            } else {
                panic!("{name}: a line Mermaid's flowchart grammar does not expect: {line:?}");
            }
        }
        assert_eq!(depth, 0);
        assert_eq!(nodes.len(), g.nodes.len(), "{name}");
        assert_eq!(edges.len(), g.edges.len(), "{name}");
        for (a, b) in &edges {
            assert!(nodes.contains(a) && nodes.contains(b), "{name}: {a} -> {b}");
        }
    }
}

#[test]
fn hostile_names_reach_the_terminal_harmless() {
    let mut t = Topology::new(&hostile());
    let text = screen(&mut t, 120, 40);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    // The whole text dump too.
    let dump = paint::to_text(t.layout());
    assert!(!dump.contains('\u{1b}') && !dump.contains('\u{7}'));
    assert!(dump.contains("esc␛[31mred�"), "{dump}");
    assert!(dump.contains("日本語のノード"), "{dump}");
}

/// The pictures in `assets/topology/` (the README shows them; `scripts/topology-screenshots`
/// turns them into PNG screenshots with headless Chromium) are the app's current SVG output.
/// `UPDATE_SCREENSHOTS=1 cargo test --test topology` writes them again.
#[test]
fn svg_pictures_in_assets_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/topology");
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    for (name, mesh) in [("onboarding", onboarding()), ("problems", problems())] {
        let text = render(&mesh, Format::Svg);
        let path = dir.join(format!("{name}.svg"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == text,
            "{} is out of date: run `UPDATE_SCREENSHOTS=1 cargo test --test topology` (and scripts/topology-screenshots for the PNGs)",
            path.display()
        );
    }
}
