//! The terminal survives: hostile server data, signals, suspend, resizes during a request,
//! pastes, and servers that never answer. Each runs the real binary in a pseudo-terminal.

mod support;

use support::fault::{self, Behaviour, FaultServer};
use support::moto::TEST_ENV;
use support::pty::{Key, Tui};

fn send_signal(tui: &Tui, signal: i32) {
    let pid = tui.pid().expect("the app has a pid") as i32;
    // SAFETY: kill only sends a signal to the child we started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

fn assert_restored(tui: &Tui) {
    for seq in [&b"\x1b[?1049l"[..], b"\x1b[?25h", b"\x1b[?2004l", b"\x1b[?1000l"] {
        assert!(tui.raw_contains(seq), "missing {:?}", String::from_utf8_lossy(seq));
    }
    assert!(!tui.alternate_screen(), "back on the main screen");
}

#[test]
fn hostile_server_data_never_reaches_the_terminal_as_escape_sequences() {
    let server = FaultServer::start(Behaviour::Hostile);
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("innocent");
    tui.key(Key::Ctrl('s'));
    let screen = tui.wait_for("CreateMesh ✓");
    // The escape character is shown as a visible symbol, never interpreted.
    assert!(screen.contains("evil␛]0;pwned"), "{screen}");
    assert!(tui.titles().is_empty(), "window title changed: {:?}", tui.titles());
    assert!(tui.clipboard_writes().is_empty(), "clipboard written");
    assert!(!tui.raw_contains(fault::OSC_TITLE.as_bytes()));
    assert!(!tui.raw_contains(fault::OSC_CLIPBOARD.as_bytes()));
    assert!(!tui.raw_contains("\u{202e}".as_bytes()));
    assert!(!tui.raw_contains("\u{9b}".as_bytes()));
    // The rest of the screen is intact (a CSI 2J would have blanked it).
    assert!(screen.contains("Mesh name") && screen.contains("Egress filter"), "{screen}");
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 100, 30);
        tui.wait_for("SANDBOX");
        tui.type_text("unsaved");
        send_signal(&tui, signal);
        tui.wait_exit();
        assert_restored(&tui);
    }
}

#[test]
fn ctrl_z_suspends_and_resume_redraws() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 100, 30);
    tui.wait_for("SANDBOX");
    tui.type_text("kept-name");
    let before = tui.output_len();
    tui.key(Key::Ctrl('z'));
    // Suspending gives the terminal back before the process stops.
    tui.wait_raw(b"\x1b[?1049l");
    assert!(tui.raw_output_since(before).windows(8).any(|w| w == b"\x1b[?1049l"));
    send_signal(&tui, libc::SIGCONT);
    // Resumed: the alternate screen comes back with a full redraw, the typed text kept.
    tui.wait_until("redrawn after resume", |s| s.contains("kept-name") && s.contains("Egress filter"));
    assert!(tui.alternate_screen());
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    assert_restored(&tui);
}

#[test]
fn resizing_during_a_request_and_below_the_minimum() {
    let server = FaultServer::start(Behaviour::Hang);
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("resize-me");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Creating mesh resize-me");
    tui.resize(10, 5);
    tui.wait_until("the too-small message", |s| s.contains("too small"));
    tui.resize(80, 24);
    // Narrow: the form is drawn; the request is still in flight and Esc cancels it.
    tui.wait_until("form redrawn at 80x24", |s| s.contains("resize-me") && s.contains("request in flight"));
    tui.key(Key::Esc);
    let screen = tui.wait_for("CreateMesh failed");
    assert!(screen.contains("Cancelled") || screen.contains("Outcome unknown"), "{screen}");
    tui.key(Key::Esc);
    tui.resize(120, 40);
    // Wide again: the form (with its value) and the pane (with the outcome) side by side.
    tui.wait_until("form and pane side by side", |s| s.contains("resize-me") && s.contains("Outcome unknown"));
}

#[test]
fn a_server_that_never_answers_times_out_with_a_clear_message() {
    let server = FaultServer::start(Behaviour::Hang);
    let tui = Tui::spawn(
        &["--endpoint-url", &server.endpoint(), "--attempt-timeout", "1", "--call-timeout", "3"],
        TEST_ENV,
        120,
        40,
    );
    tui.wait_for("Mesh name");
    tui.type_text("slow-mesh");
    tui.key(Key::Ctrl('s'));
    let screen = tui.wait_for("CreateMesh failed");
    assert!(screen.contains("Timed out") || screen.contains("No answer"), "{screen}");
    assert!(screen.contains("Outcome unknown"), "{screen}");
    assert!(screen.contains("slow-mesh"), "{screen}");
}

#[test]
fn pasting_multi_line_and_oversized_text_is_cleaned_and_clipped() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 120, 40);
    tui.wait_for("SANDBOX");
    tui.paste(&format!("first\nsecond\x1b[2J{}", "x".repeat(400)));
    let screen = tui.wait_for("255/255");
    assert!(screen.contains("clipped") && screen.contains("spaces"), "{screen}");
    tui.key(Key::Home);
    tui.wait_for("first second [2J");
}

#[test]
fn wide_characters_and_emoji_are_measured_and_edited() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 120, 40);
    tui.wait_for("SANDBOX");
    tui.type_text("網格🦀é");
    tui.wait_for("4/255");
    tui.key(Key::Backspace);
    tui.key(Key::Backspace);
    tui.wait_for("2/255");
    tui.type_text("-x");
    tui.key(Key::Ctrl('s'));
    let screen = tui.wait_for("CreateMesh ✓");
    assert!(screen.contains("網格-x"), "{screen}");
}
