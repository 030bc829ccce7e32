//! Render, filter and describe budgets of issues 6 and 12 (README, "Performance"):
//!
//! | bench | budget |
//! |---|---|
//! | `form/full_120x40` | ≤ 150 µs |
//! | `meshes/render_10000_120x40` | ≤ 300 µs |
//! | `meshes/filter_10000_*` (one more character typed into the filter) | ≤ 2 ms |
//! | `inside/render_nodes_5050_120x40` (a mesh of 5,050 resources, its 2,500 nodes listed) | ≤ 300 µs |
//! | `inside/page_down_render_nodes_5050_120x40` (Page Down and the frame of rows not drawn before) | ≤ 300 µs |
//! | `inside/filter_nodes_*` | ≤ 2 ms |
//! | `inside/describe_*` (the describe's answer taken in and the frame that shows it) | ≤ 1 ms |
//! | `kind_form/route_edit_120x40` (a frame of the largest guided form) | ≤ 150 µs |
//! | `kind_form/check_route_edit` (build and validate the spec, as after every key) | ≤ 1 ms |
//!
//! Everything goes through the public API the runtime uses: keys are `Msg::Key`, answers
//! arrive as `Msg::Done` from `testing::Service` (the sandbox's state answering as the
//! runtime's calls do, 100 to a page like the service), and frames are drawn with
//! `ui::render` inside `Terminal::draw` on a ratatui `TestBackend`.
//!
//! Run: `cargo bench --bench render -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use appmesh_tui::app::{App, Call, Effect, Msg, View};
use appmesh_tui::explore::Where;
use appmesh_tui::kind::Key;
use appmesh_tui::kind::Kind;
use appmesh_tui::kind_form::KindForm;
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::sandbox::cli::SeedPlan;
use appmesh_tui::template::Rules;
use appmesh_tui::testing::{Service, connected_app, fill_form, key, press, type_text};
use appmesh_tui::ui;
use appmesh_tui::ui::theme::Theme;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

const W: u16 = 120;
const H: u16 = 40;
const MESHES: usize = 10_000;
const NOW: u64 = 1_795_000_000;

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// A connected app, as after the AWS configuration loaded.
fn connected() -> App {
    let mut app = connected_app(W, H, "/home/ops/.local/share/appmesh-tui/sandbox.json");
    app.now = at(NOW);
    app
}

/// The create form filled in the way a user does it (the same keys as the snapshot tests).
fn full_form() -> App {
    let mut a = connected();
    fill_form(&mut a);
    a
}

/// The Meshes view (F3) with 10,000 meshes as `sandbox seed --meshes 10000` adds them, listed
/// page by page.
fn mesh_list() -> App {
    let mut svc = Service::seeded(&SeedPlan {
        meshes: MESHES,
        prefix: "seed".into(),
        ..Default::default()
    });
    let mut app = connected();
    press(&mut app, KeyCode::F(3), &mut svc);
    assert_eq!(app.view, View::Meshes);
    let list = app.explorer.list();
    assert_eq!(list.rows.len(), MESHES);
    assert!(!list.loading());
    app
}

/// One mesh of 5,050 resources: 2,500 nodes, 2,000 services, 50 routers with 8 routes each,
/// 10 gateways with 9 gateway routes each (`sandbox seed --nodes 2500 --services 2000
/// --routers 50 --routes 8 --gateways 10 --gateway-routes 9`), opened with its nodes listed.
fn big_mesh() -> (App, Service) {
    let mut svc = Service::seeded(&SeedPlan {
        meshes: 1,
        prefix: "big".into(),
        nodes: 2_500,
        services: 2_000,
        routers: 50,
        routes: 8,
        gateways: 10,
        gateway_routes: 9,
        ..Default::default()
    });
    let mut app = connected();
    press(&mut app, KeyCode::F(3), &mut svc);
    press(&mut app, KeyCode::Enter, &mut svc);
    if app.overlay.is_some() {
        press(&mut app, KeyCode::Esc, &mut svc);
    }
    press(&mut app, KeyCode::Char(':'), &mut svc);
    for c in "vn".chars() {
        press(&mut app, KeyCode::Char(c), &mut svc);
    }
    press(&mut app, KeyCode::Enter, &mut svc);
    assert!(matches!(app.explorer.at, Where::Kind(Kind::VirtualNode)));
    assert_eq!(app.explorer.list().rows.len(), 2_500);
    let s = screen(&app);
    assert!(s.contains("Virtual nodes     2500"), "{s}");
    (app, svc)
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(W, H)).unwrap()
}

fn screen(app: &App) -> String {
    let mut t = terminal();
    t.draw(|f| ui::render(app, f)).unwrap();
    t.backend().to_string()
}

/// Draws `app` the way the runtime redraws a dirty screen: `ui::render` into the next buffer
/// inside `Terminal::draw` (which diffs against the last frame and writes the changes).
fn bench_draw(c: &mut Criterion, id: &str, app: &App) {
    let mut t = terminal();
    c.bench_function(id, |b| {
        b.iter(|| {
            t.draw(|f| ui::render(black_box(app), f)).unwrap();
        })
    });
}

fn form(c: &mut Criterion) {
    let app = full_form();
    let s = screen(&app);
    assert!(s.contains("orders-mesh") && s.contains("payments"), "{s}");
    bench_draw(c, "form/full_120x40", &app);
}

fn meshes(c: &mut Criterion) {
    let app = mesh_list();
    let s = screen(&app);
    assert!(s.contains("seed-00001"), "{s}");
    bench_draw(c, "meshes/render_10000_120x40", &app);

    // The selection far down the list: the rows on screen are not the first ones.
    let mut down = app.clone();
    key(&mut down, KeyCode::Char('G'));
    let s = screen(&down);
    assert!(s.contains("seed-10000"), "{s}");
    bench_draw(c, "meshes/render_10000_120x40_at_end", &down);

    // Filtering: `/` opens the filter input, then each typed character narrows the list.
    let mut open = app.clone();
    key(&mut open, KeyCode::Char('/'));
    assert!(open.explorer.list().filtering);
    filter_bench(c, "meshes/filter_10000_first_char", &open, 's', MESHES);

    let mut typed = open.clone();
    type_text(&mut typed, "seed-0");
    assert_eq!(typed.explorer.list().rows.len(), MESHES - 1);
    filter_bench(c, "meshes/filter_10000_seed-0_plus_9", &typed, '9', 1_000);

    // A character that no name has: every mesh is checked, no row is left to sort.
    filter_bench(c, "meshes/filter_10000_no_match", &typed, 'x', 0);

    // Sorted by creation time (`s`): the matching rows are really sorted, not just found in
    // order, which is the costliest first character.
    let mut by_created = app.clone();
    key(&mut by_created, KeyCode::Char('s'));
    key(&mut by_created, KeyCode::Char('/'));
    assert!(by_created.explorer.list().filtering);
    filter_bench(
        c,
        "meshes/filter_10000_by_created_first_char",
        &by_created,
        's',
        MESHES,
    );
}

/// Times one `Msg::Key` with `ch` typed into the filter of a copy of `from` (the copy and
/// its drop are outside the measurement), checking it leaves `rows` rows.
fn filter_bench(c: &mut Criterion, id: &str, from: &App, ch: char, rows: usize) {
    let mut check = from.clone();
    key(&mut check, KeyCode::Char(ch));
    assert_eq!(check.explorer.list().rows.len(), rows, "{id}");
    c.bench_function(id, |b| {
        b.iter_batched(
            || from.clone(),
            |mut a| {
                let effects = key(&mut a, KeyCode::Char(ch));
                (a, effects)
            },
            BatchSize::LargeInput,
        )
    });
}

fn inside(c: &mut Criterion) {
    let (app, mut svc) = big_mesh();
    let s = screen(&app);
    assert!(s.contains("│node-0001 "), "{s}");
    bench_draw(c, "inside/render_nodes_5050_120x40", &app);
    // Page after page of rows not drawn before (each row's facts read from its spec's text):
    // Page Down and the frame that shows it, back to the top at the end of the 2,500 rows.
    let mut paging = app.clone();
    let mut t = terminal();
    c.bench_function("inside/page_down_render_nodes_5050_120x40", |b| {
        b.iter(|| {
            let l = paging.explorer.list();
            let at_end = l.selected + l.height >= l.rows.len();
            key(
                &mut paging,
                if at_end {
                    KeyCode::Home
                } else {
                    KeyCode::PageDown
                },
            );
            t.draw(|f| ui::render(black_box(&paging), f)).unwrap();
        })
    });

    let mut open = app.clone();
    key(&mut open, KeyCode::Char('/'));
    filter_bench(c, "inside/filter_nodes_first_char", &open, 'n', 2_500);
    let mut typed = open.clone();
    type_text(&mut typed, "node-0");
    filter_bench(c, "inside/filter_nodes_node-0_plus_1", &typed, '1', 100);

    // Describe: Enter asks for the node; its answer comes back, and the frame shows it with
    // what it links to and what uses it (found among the mesh's 5,050 resources).
    for (name, id) in [
        ("node-0001", "inside/describe_node_used_by_5"),
        ("node-2500", "inside/describe_node_unused"),
    ] {
        let mut at_node = app.clone();
        key(&mut at_node, KeyCode::Char('/'));
        type_text(&mut at_node, name);
        key(&mut at_node, KeyCode::Enter);
        let mut effects = key(&mut at_node, KeyCode::Enter);
        let Some(Effect::Call {
            id: call_id,
            call: call @ Call::Get { .. },
        }) = effects.pop()
        else {
            panic!("Enter on a node describes it: {effects:?}");
        };
        let answer = svc.answer(&call);
        let mut check = at_node.clone();
        check.update(Msg::Done {
            id: call_id,
            result: answer.clone(),
        });
        let s = screen(&check);
        assert!(s.contains(&format!("DescribeVirtualNode ✓ {name}")), "{s}");
        let mut t = terminal();
        c.bench_function(id, |b| {
            b.iter_batched(
                || (at_node.clone(), answer.clone()),
                |(mut a, result)| {
                    a.update(Msg::Done {
                        id: call_id,
                        result,
                    });
                    t.draw(|f| ui::render(&a, f)).unwrap();
                    a
                },
                BatchSize::LargeInput,
            )
        });
    }
}

fn route_form() -> KindForm {
    let mut mesh = MeshModel::new("shop");
    for (kind, name) in [
        (Kind::VirtualNode, "blue"),
        (Kind::VirtualNode, "green"),
        (Kind::VirtualRouter, "web-router"),
    ] {
        mesh.items.insert(
            Key::new(kind, "shop", "", name),
            Item::new(serde_json::json!({})),
        );
    }
    let spec = serde_json::json!({
        "priority": 10,
        "httpRoute": {
            "match": {"prefix": "/api", "method": "GET",
                      "headers": [{"name": "x-canary", "match": {"exact": "1"}}]},
            "action": {"weightedTargets": [{"virtualNode": "blue", "weight": 90},
                                           {"virtualNode": "green", "weight": 10}]},
            "retryPolicy": {"maxRetries": 3, "perRetryTimeout": {"unit": "ms", "value": 250},
                            "httpRetryEvents": ["server-error", "gateway-error"]},
            "timeout": {"idle": {"unit": "s", "value": 60}}
        }
    });
    let key = Key::new(Kind::Route, "shop", "web-router", "canary");
    KindForm::new(
        Kind::Route,
        &mesh,
        Some((&key, &Item::new(spec))),
        &Rules::default(),
    )
}

fn kind_forms(c: &mut Criterion) {
    let form = route_form();
    let mut t = terminal();
    t.draw(|f| form.render(f, f.area(), &Theme::default()))
        .unwrap();
    assert!(t.backend().to_string().contains("Weighted targets"));
    c.bench_function("kind_form/route_edit_120x40", |b| {
        b.iter(|| {
            t.draw(|f| black_box(&form).render(f, f.area(), &Theme::default()))
                .unwrap();
        })
    });
    assert!(form.build().problems.is_empty());
    c.bench_function("kind_form/check_route_edit", |b| {
        b.iter(|| black_box(&form).build())
    });
}

criterion_group!(benches, form, meshes, inside, kind_forms);
criterion_main!(benches);
