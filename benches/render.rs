//! Render and filter budgets of issue 6 (README, "Performance"):
//!
//! | bench | budget |
//! |---|---|
//! | `form/full_120x40` | ≤ 150 µs |
//! | `meshes/render_10000_120x40` | ≤ 300 µs |
//! | `meshes/filter_10000_*` (one more character typed into the filter) | ≤ 2 ms |
//! | `kind_form/route_edit_120x40` (a frame of the largest guided form) | ≤ 150 µs |
//! | `kind_form/check_route_edit` (build and validate the spec, as after every key) | ≤ 1 ms |
//!
//! Everything goes through the public API the runtime uses: keys are `Msg::Key`, ListMeshes
//! pages arrive as `Msg::Done` with `CallResult::Page`, and frames are drawn with
//! `ui::render` inside `Terminal::draw` on a ratatui `TestBackend`.
//!
//! Run: `cargo bench --bench render -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use appmesh_tui::app::{App, Call, CallResult, Effect, Msg, View};
use appmesh_tui::aws::MeshPage;
use appmesh_tui::kind::{Key, Kind};
use appmesh_tui::kind_form::KindForm;
use appmesh_tui::mesh::{Item, MeshModel};
use appmesh_tui::model::MeshSummary;
use appmesh_tui::template::Rules;
use appmesh_tui::testing::{connected_app, fill_form, key, type_text};
use appmesh_tui::ui;
use appmesh_tui::ui::theme::Theme;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

const W: u16 = 120;
const H: u16 = 40;
const MESHES: usize = 10_000;
/// ListMeshes' maximum page size, as the app asks for.
const PAGE: usize = 100;
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

/// A mesh as `appmesh-tui sandbox seed` names them, with spread-out times.
fn summary(i: usize) -> MeshSummary {
    let name = format!("seed-{i:05}");
    MeshSummary {
        arn: format!("arn:aws:appmesh:us-east-1:111122223333:mesh/{name}"),
        name,
        version: 1 + (i % 7) as i64,
        created_at: at(NOW - 86_400 * 30 + (i as u64 * 7919) % 2_000_000),
        last_updated_at: at(NOW - (i as u64 * 104_729) % 2_000_000),
        mesh_owner: "111122223333".into(),
        resource_owner: "111122223333".into(),
    }
}

/// The Meshes view (F3) with 10,000 meshes, fed page by page as the runtime feeds
/// ListMeshes results (in the service's order: by name).
fn mesh_list() -> App {
    let mut app = connected();
    let mut effects = key(&mut app, KeyCode::F(3));
    assert_eq!(app.view, View::Meshes);
    let mut fed = 0;
    while fed < MESHES {
        let Some(Effect::Call {
            id,
            call: Call::ListPage { generation, .. },
        }) = effects.pop()
        else {
            panic!("F3 and every page but the last ask for a page: {effects:?}");
        };
        let meshes: Vec<MeshSummary> = (fed..(fed + PAGE).min(MESHES)).map(summary).collect();
        fed += meshes.len();
        let next_token = (fed < MESHES).then(|| format!("token-{fed}"));
        effects = app.update(Msg::Done {
            id,
            result: CallResult::Page {
                generation,
                result: Ok(MeshPage { meshes, next_token }),
            },
        });
    }
    assert!(
        effects.is_empty(),
        "the last page ends the run: {effects:?}"
    );
    assert_eq!(app.browser.meshes.len(), MESHES);
    assert_eq!(app.browser.rows.len(), MESHES);
    assert!(!app.browser.loading());
    app
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
    assert!(s.contains("seed-00000"), "{s}");
    bench_draw(c, "meshes/render_10000_120x40", &app);

    // The selection far down the list: the rows on screen are not the first ones.
    let mut down = app.clone();
    key(&mut down, KeyCode::Char('G'));
    let s = screen(&down);
    assert!(s.contains("seed-09999"), "{s}");
    bench_draw(c, "meshes/render_10000_120x40_at_end", &down);

    // Filtering: `/` opens the filter input, then each typed character narrows the list.
    let mut open = app.clone();
    key(&mut open, KeyCode::Char('/'));
    assert!(open.browser.filtering);
    filter_bench(c, "meshes/filter_10000_first_char", &open, 's', MESHES);

    let mut typed = open.clone();
    type_text(&mut typed, "seed-0");
    assert_eq!(typed.browser.rows.len(), MESHES);
    filter_bench(c, "meshes/filter_10000_seed-0_plus_9", &typed, '9', 1_000);

    // A character that no name has: every mesh is checked, no row is left to sort.
    filter_bench(c, "meshes/filter_10000_no_match", &typed, 'x', 0);

    // Sorted by creation time (`s`): the matching rows are really sorted, not just found in
    // order, which is the costliest first character.
    let mut by_created = app.clone();
    key(&mut by_created, KeyCode::Char('s'));
    key(&mut by_created, KeyCode::Char('/'));
    assert!(by_created.browser.filtering);
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
    assert_eq!(check.browser.rows.len(), rows, "{id}");
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

/// A route with two targets, a header match and a retry policy, edited in its guided form.
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

criterion_group!(benches, form, meshes, kind_forms);
criterion_main!(benches);
