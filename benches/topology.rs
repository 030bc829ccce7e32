//! Topology budgets of issue 14 (README, "Performance"):
//!
//! | bench | budget |
//! |---|---|
//! | `topology/layout_5000` (MeshModel → graph → layout, 5,000 resources) | ≤ 50 ms |
//! | `topology/frame_5000_120x40` (one frame of the widget, selection in the middle) | ≤ 1 ms |
//!
//! The mesh is `topology::fixtures::large(5000)`: gateways with gateway routes, services
//! provided by routers (two 90/10 routes each) or nodes, nodes with one or two backends —
//! the shape `sandbox seed` makes with quotas off, 5,000 resources exactly. Frames are drawn
//! as the runtime draws them: inside `Terminal::draw` on a 120×40 `TestBackend` (which diffs
//! against the last frame and writes the changes), as `benches/render.rs` does.
//!
//! Run: `cargo bench --bench topology -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use appmesh_tui::topology::Graph;
use appmesh_tui::topology::fixtures::large;
use appmesh_tui::topology::layout::Layout;
use appmesh_tui::topology::view::Topology;
use appmesh_tui::ui::theme::Theme;
use appmesh_tui::ui::topology::TopologyView;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn topology(c: &mut Criterion) {
    for n in [500, 5000] {
        let mesh = large(n);
        c.bench_function(&format!("topology/layout_{n}"), |b| {
            b.iter(|| black_box(Layout::new(Graph::from_mesh(black_box(&mesh)))))
        });
        let mut t = Topology::new(&mesh);
        t.set_size(120, 40);
        // Somewhere in the middle of the drawing, where lines are densest.
        for _ in 0..3 {
            t.handle_key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        }
        for _ in 0..n / 40 {
            t.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        }
        let theme = Theme::default();
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("a test terminal");
        c.bench_function(&format!("topology/frame_{n}_120x40"), |b| {
            b.iter(|| {
                term.draw(|f| {
                    f.render_widget(
                        TopologyView {
                            topology: black_box(&t),
                            theme: &theme,
                        },
                        f.area(),
                    )
                })
                .expect("drawing to a test terminal");
            })
        });
    }
}

criterion_group!(benches, topology);
criterion_main!(benches);
