//! Random meshes — references that hit and miss, weights of 0, names with quotes, markup,
//! wide characters and escape sequences — through the topology: the graph, the layout (its
//! invariants: boxes apart, edges from port to port, no two lines on the same cells except
//! where they cross), every renderer (SVG parses as XML, text keeps escapes out), and the
//! component under random keys at random sizes (never a panic, the selection always a box).

use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::topology::layout::Layout;
use appmesh_tui::topology::view::Topology;
use appmesh_tui::topology::{Graph, dot, mermaid, paint, svg};
use appmesh_tui::ui::theme::Theme;
use appmesh_tui::ui::topology::TopologyView;
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use serde_json::{Value, json};

const NAMES: &[&str] = &[
    "a",
    "b",
    "web",
    "api.local",
    "x\"y",
    "<svg>&",
    "日本",
    "esc\u{1b}[2J",
    "back\\slash",
    "#35;|`",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(NAMES).prop_map(str::to_string),
        1 => "[a-z0-9.\\-]{1,40}",
    ]
}

#[derive(Clone, Debug)]
enum Res {
    Node(String, Vec<String>),
    Service(String, Option<(bool, String)>),
    Router(String),
    Route(String, String, Vec<(String, i64)>),
    Gateway(String),
    GatewayRoute(String, String, String),
}

fn res() -> impl Strategy<Value = Res> {
    prop_oneof![
        (name(), prop::collection::vec(name(), 0..3)).prop_map(|(n, b)| Res::Node(n, b)),
        (name(), prop::option::of((any::<bool>(), name()))).prop_map(|(n, p)| Res::Service(n, p)),
        name().prop_map(Res::Router),
        (
            name(),
            name(),
            prop::collection::vec((name(), 0i64..=100), 1..4)
        )
            .prop_map(|(r, n, t)| Res::Route(r, n, t)),
        name().prop_map(Res::Gateway),
        (name(), name(), name()).prop_map(|(g, n, s)| Res::GatewayRoute(g, n, s)),
    ]
}

fn mesh(rs: &[Res]) -> MeshModel {
    let mut m = MeshModel::new("m");
    m.items.insert(Key::mesh("m"), Item::new(json!({})));
    let mut put = |kind, parent: &str, name: &str, spec: Value| {
        m.items
            .insert(Key::new(kind, "m", parent, name), Item::new(spec));
    };
    for r in rs {
        match r {
            Res::Node(n, backends) => {
                let b: Vec<Value> = backends
                    .iter()
                    .map(|b| json!({"virtualService": {"virtualServiceName": b}}))
                    .collect();
                put(Kind::VirtualNode, "", n, json!({"backends": b}));
            }
            Res::Service(n, p) => {
                let spec = match p {
                    Some((true, to)) => {
                        json!({"provider": {"virtualNode": {"virtualNodeName": to}}})
                    }
                    Some((false, to)) => {
                        json!({"provider": {"virtualRouter": {"virtualRouterName": to}}})
                    }
                    None => json!({}),
                };
                put(Kind::VirtualService, "", n, spec);
            }
            Res::Router(n) => put(Kind::VirtualRouter, "", n, json!({})),
            Res::Route(r, n, t) => {
                let t: Vec<Value> = t
                    .iter()
                    .map(|(node, w)| json!({"virtualNode": node, "weight": w}))
                    .collect();
                put(
                    Kind::Route,
                    r,
                    n,
                    json!({"httpRoute": {"match": {"prefix": format!("/{n}")}, "action": {"weightedTargets": t}}}),
                );
            }
            Res::Gateway(n) => put(Kind::VirtualGateway, "", n, json!({})),
            Res::GatewayRoute(g, n, s) => put(
                Kind::GatewayRoute,
                g,
                n,
                json!({"grpcRoute": {"match": {"serviceName": s}, "action": {"target": {"virtualService": {"virtualServiceName": s}}}}}),
            ),
        }
    }
    m
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop::sample::select(vec![
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Enter,
        KeyCode::Char('h'),
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('l'),
        KeyCode::Char('n'),
        KeyCode::Char('N'),
        KeyCode::Char('x'),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_mesh_lays_out_and_renders(rs in prop::collection::vec(res(), 0..40)) {
        let m = mesh(&rs);
        let g = Graph::from_mesh(&m);
        // Every edge goes right; every finding of the mesh is a mark somewhere.
        for e in &g.edges {
            prop_assert!(g.nodes[e.from].column < g.nodes[e.to].column);
        }
        let marks: usize = g.nodes.iter().map(|n| n.marks.len()).sum();
        prop_assert!(marks >= m.findings().len());
        let l = Layout::new(g.clone());
        let v = l.violations();
        prop_assert!(v.is_empty(), "{:#?}", v);
        prop_assert_eq!(l.paths.len(), g.edges.len());
        let text = paint::to_text(&l);
        prop_assert!(!text.contains('\u{1b}'), "an escape in the text dump");
        let s = svg::render(&l);
        prop_assert!(roxmltree::Document::parse(&s).is_ok(), "{}", s);
        let d = dot::render(&g);
        prop_assert!(d.starts_with("digraph ") && d.trim_end().ends_with('}'), "not a digraph");
        let mm = mermaid::render(&g);
        prop_assert!(!mm.contains('\u{1b}'), "an escape in the Mermaid text");
    }

    #[test]
    fn any_keys_at_any_size_keep_a_box_selected(
        rs in prop::collection::vec(res(), 0..30),
        more in prop::collection::vec(res(), 0..10),
        keys in prop::collection::vec(key_code(), 0..60),
        w in 1u16..200,
        h in 1u16..80,
    ) {
        let m = mesh(&rs);
        let mut t = Topology::new(&m);
        t.set_size(w, h);
        let theme = Theme::default();
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for (i, code) in keys.iter().enumerate() {
            t.handle_key(KeyEvent::new(*code, KeyModifiers::NONE));
            if i == keys.len() / 2 {
                // The mesh changes under the user.
                let mut all = rs.clone();
                all.extend(more.iter().cloned());
                t.update(&mesh(&all));
            }
            term.draw(|f| f.render_widget(TopologyView { topology: &t, theme: &theme }, f.area())).unwrap();
            let l = t.layout();
            match t.selected() {
                Some(s) => prop_assert!(s < l.graph.nodes.len()),
                None => prop_assert!(l.graph.nodes.is_empty()),
            }
            let (vw, vh) = t.viewport();
            prop_assert!(t.offset.0 <= l.width.saturating_sub(vw));
            prop_assert!(t.offset.1 <= l.height.saturating_sub(vh));
        }
    }
}
