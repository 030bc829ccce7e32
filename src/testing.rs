//! Fixtures shared by the tests and benches: an app as it is once the AWS configuration has
//! loaded, keys as a user types them, and the screen drawn to a string. Not part of the
//! app's interface.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};

use crate::app::{App, Effect, Msg, SandboxInfo};
use crate::aws::Target;
use crate::ui::{self, text::epoch_plus};

/// The fixed "now" of every fixture (2026-11-18T…Z), so relative times are stable.
pub const NOW: u64 = 1_795_000_000;
/// The endpoint the fixtures' sandbox listens on.
pub const ENDPOINT: &str = "http://127.0.0.1:41234";

/// An app of `w`×`h` on the sandbox (state kept in `sandbox_state`), connected, at [`NOW`].
pub fn connected_app(w: u16, h: u16, sandbox_state: &str) -> App {
    let mut app = App::new((w, h));
    app.now = epoch_plus(NOW);
    app.sandbox = Some(SandboxInfo {
        state: sandbox_state.into(),
    });
    app.update(Msg::Connected(Target {
        profile: None,
        region: "us-east-1".into(),
        region_note: None,
        endpoint: Some(ENDPOINT.into()),
    }));
    app
}

/// The whole screen as text, one quoted line per row (ratatui's `TestBackend`).
pub fn draw(app: &App) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("a test terminal");
    terminal
        .draw(|f| ui::render(app, f))
        .expect("drawing to a test terminal");
    terminal.backend().to_string()
}

pub fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )))
}

pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Fills the create form the way a user does: the name `orders-mesh`, ALLOW_ALL, IPv4_PREFERRED
/// (two down from "Not set"), and the tags team=payments and env=dev, each added with Enter.
pub fn fill_form(app: &mut App) {
    type_text(app, "orders-mesh");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Down);
    key(app, KeyCode::Tab);
    key(app, KeyCode::Down);
    key(app, KeyCode::Down);
    key(app, KeyCode::Tab);
    for (k, v) in [("team", "payments"), ("env", "dev")] {
        type_text(app, k);
        key(app, KeyCode::Tab);
        type_text(app, v);
        key(app, KeyCode::Enter);
    }
}
