//! The README's screenshots (`assets/screens/*.svg`), drawn from the app's real rendering
//! (ratatui `TestBackend`, colours included) and kept current: this test fails when a
//! picture is out of date. `UPDATE_SCREENSHOTS=1 cargo test --test screenshots` redraws them.

use std::fmt::Write as _;
use std::path::PathBuf;

use appmesh_tui::app::{Action, App, Call, CallResult, Effect, MeshResult, Msg};
use appmesh_tui::model::{
    EgressFilter, IpPreference, Mesh, MeshSpec, MeshStatus, MeshSummary, Metadata, Tag,
};
use appmesh_tui::ui::{self, text::epoch_plus};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use ratatui::{Terminal, backend::TestBackend};

use appmesh_tui::testing::{NOW, key as press, type_text};
const OWNER: &str = "111122223333";
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const BG: &str = "#1d1f21";
const FG: &str = "#d8d8d8";

/// A dark terminal palette for the 16 named colours.
fn hex(c: Color) -> Option<&'static str> {
    Some(match c {
        Color::Reset => return None,
        Color::Black => "#1d1f21",
        Color::Red => "#cc6666",
        Color::Green => "#8bbf5a",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#81a2be",
        Color::Magenta => "#b294bb",
        Color::Cyan => "#6fc3c3",
        Color::Gray => "#c5c8c6",
        Color::DarkGray => "#707880",
        Color::LightRed => "#ff7b7b",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#fff0a0",
        Color::LightBlue => "#a3c8ff",
        Color::LightMagenta => "#e0b0ff",
        Color::LightCyan => "#a0f0f0",
        Color::White => "#ffffff",
        _ => FG,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The buffer as an SVG picture: one rectangle per run of background colour, one text
/// element per run of same-styled cells.
fn svg(buf: &Buffer) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{:.0}" height="{:.0}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">"#,
        w as f32 * CELL_W + 16.0,
        h as f32 * CELL_H + 16.0
    );
    let _ = write!(
        out,
        r#"<rect width="100%" height="100%" rx="6" fill="{BG}"/><g transform="translate(8 8)" xml:space="preserve">"#
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buf[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let (fg, bg) = if reversed {
                (cell.bg, cell.fg)
            } else {
                (cell.fg, cell.bg)
            };
            let fg_hex = hex(fg).unwrap_or(if reversed { BG } else { FG });
            let bg_hex = hex(bg).or(if reversed { Some(FG) } else { None });
            let bold = cell.modifier.contains(Modifier::BOLD);
            let dim = cell.modifier.contains(Modifier::DIM);
            // Extend the run while the style is the same.
            let start = x;
            let mut text = String::new();
            while x < w {
                let c = &buf[(x, y)];
                if c.fg != cell.fg || c.bg != cell.bg || c.modifier != cell.modifier {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let (px, py) = (start as f32 * CELL_W, y as f32 * CELL_H);
            if let Some(bg) = bg_hex {
                let _ = write!(
                    out,
                    r#"<rect x="{px:.1}" y="{py:.1}" width="{:.1}" height="{CELL_H}" fill="{bg}"/>"#,
                    (x - start) as f32 * CELL_W
                );
            }
            if !text.trim().is_empty() {
                let _ = write!(
                    out,
                    r#"<text x="{px:.1}" y="{:.1}" fill="{fg_hex}"{}{} textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                    py + CELL_H - 4.0,
                    if bold { r#" font-weight="bold""# } else { "" },
                    if dim { r#" opacity="0.6""# } else { "" },
                    (x - start) as f32 * CELL_W,
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</g></svg>\n");
    out
}

fn app(w: u16, h: u16) -> App {
    appmesh_tui::testing::connected_app(w, h, "~/.local/share/appmesh-tui/sandbox.json")
}

fn the_call(effects: &[Effect]) -> (u64, Call) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Call { id, call } => Some((*id, call.clone())),
            _ => None,
        })
        .expect("a call")
}

fn summary(name: &str, age: u64, version: i64) -> MeshSummary {
    MeshSummary {
        name: name.into(),
        arn: format!("arn:aws:appmesh:us-east-1:{OWNER}:mesh/{name}"),
        version,
        created_at: epoch_plus(NOW - age),
        last_updated_at: epoch_plus(NOW - age / 3),
        mesh_owner: OWNER.into(),
        resource_owner: OWNER.into(),
    }
}

fn mesh(s: &MeshSummary, spec: MeshSpec) -> Mesh {
    Mesh {
        name: s.name.clone(),
        spec,
        status: MeshStatus::Active,
        metadata: Metadata {
            arn: s.arn.clone(),
            uid: "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b".into(),
            version: s.version,
            created_at: s.created_at,
            last_updated_at: s.last_updated_at,
            mesh_owner: OWNER.into(),
            resource_owner: OWNER.into(),
        },
    }
}

fn create_form() -> App {
    let mut a = app(120, 32);
    appmesh_tui::testing::fill_form(&mut a);
    let effects = a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL,
    )));
    let (id, _) = the_call(&effects);
    let s = summary("orders-mesh", 125, 1);
    let spec = MeshSpec {
        egress_filter: Some(EgressFilter::AllowAll),
        ip_preference: Some(IpPreference::Ipv4Preferred),
    };
    a.update(Msg::Done {
        id,
        result: CallResult::Mesh(Ok(MeshResult {
            action: Action::Create,
            mesh: mesh(&s, spec),
            tags: Ok(vec![Tag::new("team", "payments"), Tag::new("env", "dev")]),
            request_id: Some("8e1b7c52-7a0e-4d5e-9c55-3a8f3b0d2f11".into()),
        })),
    });
    a
}

/// Inside the `payments` mesh (the onboarding shape), the router's routes, with the canary
/// route described beside them.
fn meshes_list() -> App {
    let mut svc = appmesh_tui::testing::Service::new();
    svc.add_mesh("payments", true).add_mesh("checkout", false);
    let mut a = app(120, 32);
    let step = |a: &mut App, code: KeyCode, svc: &mut appmesh_tui::testing::Service| {
        appmesh_tui::testing::press(a, code, svc);
    };
    step(&mut a, KeyCode::F(3), &mut svc);
    step(&mut a, KeyCode::Down, &mut svc);
    step(&mut a, KeyCode::Enter, &mut svc);
    step(&mut a, KeyCode::Char(':'), &mut svc);
    for c in "vr".chars() {
        step(&mut a, KeyCode::Char(c), &mut svc);
    }
    step(&mut a, KeyCode::Enter, &mut svc);
    step(&mut a, KeyCode::Enter, &mut svc);
    step(&mut a, KeyCode::Enter, &mut svc);
    a
}

fn walkthrough() -> App {
    let mut a = app(100, 30);
    a.open_walkthrough();
    press(&mut a, KeyCode::Enter);
    type_text(&mut a, "orders-dev");
    press(&mut a, KeyCode::Enter);
    a
}

fn check(name: &str, app: &App) {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| ui::render(app, f)).unwrap();
    let picture = svg(terminal.backend().buffer());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/screens")
        .join(format!("{name}.svg"));
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &picture).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == picture,
        "{} is out of date: run `UPDATE_SCREENSHOTS=1 cargo test --test screenshots` and commit it",
        path.display()
    );
}

#[test]
fn create_form_and_result_pane() {
    check("create-form", &create_form());
}

#[test]
fn meshes_list_and_describe() {
    check("meshes-list", &meshes_list());
}

#[test]
fn walkthrough_egress_step() {
    check("walkthrough", &walkthrough());
}

#[test]
fn svg_escapes_markup_and_draws_colours() {
    let mut buf = Buffer::empty(ratatui::layout::Rect::new(0, 0, 6, 1));
    buf.set_string(0, 0, "<a&b>", ratatui::style::Style::new().fg(Color::Green));
    let s = svg(&buf);
    assert!(
        s.contains("&lt;a&amp;b&gt;") && s.contains("#8bbf5a"),
        "{s}"
    );
}
