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

#[test]
fn hostile_server_data_never_reaches_the_terminal_as_escape_sequences() {
    let server = FaultServer::start(Behaviour::Hostile);
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("innocent");
    tui.key(Key::Ctrl('s'));
    // The escape character is shown as a visible symbol, never interpreted.
    let screen = tui.wait_until("the hostile mesh drawn", |s| {
        s.contains("CreateMesh ✓") && s.contains("evil␛]0;pwned") && s.contains("Egress filter")
    });
    assert!(
        tui.titles().is_empty(),
        "window title changed: {:?}",
        tui.titles()
    );
    assert!(tui.clipboard_writes().is_empty(), "clipboard written");
    assert!(!tui.raw_contains(fault::OSC_TITLE.as_bytes()));
    assert!(!tui.raw_contains(fault::OSC_CLIPBOARD.as_bytes()));
    assert!(!tui.raw_contains("\u{202e}".as_bytes()));
    assert!(!tui.raw_contains("\u{9b}".as_bytes()));
    // The rest of the screen is intact (a CSI 2J would have blanked it).
    assert!(
        screen.contains("Mesh name") && screen.contains("Egress filter"),
        "{screen}"
    );
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 100, 30);
        tui.wait_for("SANDBOX");
        tui.type_text("unsaved");
        send_signal(&tui, signal);
        tui.wait_exit();
        tui.assert_restored();
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
    assert!(
        tui.raw_output_since(before)
            .windows(8)
            .any(|w| w == b"\x1b[?1049l")
    );
    send_signal(&tui, libc::SIGCONT);
    // Resumed: the alternate screen comes back with a full redraw, the typed text kept.
    tui.wait_until("redrawn after resume", |s| {
        s.contains("kept-name") && s.contains("Egress filter")
    });
    assert!(tui.alternate_screen());
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    tui.assert_restored();
}

/// tmux (3.3a) leaves rows of the app's last frame above the shell prompt when the pane was
/// resized while the app's screen was up and the app leaves it without clearing it first (found
/// by hand: 100x30, resized to 120x40, quit). The app's screen is cleared right before the main
/// screen comes back, on quitting and when the spec editor's editor takes the terminal.
#[test]
fn the_app_screen_is_cleared_before_the_main_screen_comes_back() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 100, 30);
    tui.wait_for("SANDBOX");
    tui.resize(120, 40);
    tui.wait_until("redrawn at 120x40", |s| {
        s.lines().next().is_some_and(|l| l.contains("appmesh-tui"))
    });
    let before = tui.output_len();
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    tui.assert_restored();
    let tail = tui.raw_output_since(before);
    let cleared_then_left = b"\x1b[2J\x1b[?1049l";
    assert!(
        tail.windows(cleared_then_left.len())
            .any(|w| w == cleared_then_left),
        "no clear right before leaving the alternate screen: {:?}",
        String::from_utf8_lossy(&tail[tail.len().saturating_sub(120)..])
    );
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
    tui.wait_until("form redrawn at 80x24", |s| {
        s.contains("resize-me") && s.contains("request in flight")
    });
    tui.key(Key::Esc);
    tui.wait_until("the cancel explained", |s| {
        s.contains("CreateMesh failed") && s.contains("Cancelled")
    });
    tui.key(Key::Esc);
    tui.resize(120, 40);
    // Wide again: the form (with its value) and the pane (with the outcome) side by side.
    tui.wait_until("form and pane side by side", |s| {
        s.contains("resize-me") && s.contains("Outcome unknown")
    });
}

#[test]
fn a_server_that_never_answers_times_out_with_a_clear_message() {
    let server = FaultServer::start(Behaviour::Hang);
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &server.endpoint(),
            "--attempt-timeout",
            "1",
            "--call-timeout",
            "3",
        ],
        TEST_ENV,
        120,
        40,
    );
    tui.wait_for("Mesh name");
    tui.type_text("slow-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_until("the timeout explained", |s| {
        s.contains("CreateMesh failed")
            && s.contains("Timed out")
            && s.contains("Outcome unknown")
            && s.contains("slow-mesh")
    });
}

#[test]
fn pasting_multi_line_and_oversized_text_is_cleaned_and_clipped() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 120, 40);
    tui.wait_for("SANDBOX");
    tui.paste(&format!("first\nsecond\x1b[2J{}", "x".repeat(400)));
    tui.wait_until("the paste note", |s| {
        s.contains("255/255") && s.contains("clipped") && s.contains("spaces")
    });
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
    tui.wait_until("the mesh with a wide name", |s| {
        s.contains("CreateMesh ✓") && s.contains("網格-x")
    });
}

/// Fills a name, submits against `endpoint`, waits for the failure, and returns the screen;
/// the form must still hold the name.
fn fail_against(endpoint: &str, extra: &[&str], expected: &[&str]) -> String {
    let mut args = vec!["--endpoint-url", endpoint];
    args.extend_from_slice(extra);
    let tui = Tui::spawn(&args, TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("net-fault");
    tui.key(Key::Ctrl('s'));
    // Wait for the whole frame (a frame can arrive in several reads), form value included.
    let screen = tui.wait_until("the failure with its explanation", |s| {
        s.contains("CreateMesh failed")
            && s.contains("net-fault")
            && expected.iter().all(|e| s.contains(e))
    });
    // Still responsive: typing goes on working after the failure.
    tui.type_text("-2");
    tui.wait_for("net-fault-2");
    screen
}

#[test]
fn a_server_answering_one_byte_per_second_times_out() {
    let server = FaultServer::start(Behaviour::drip(fault::Reply::ok(fault::bodies::mesh_json(
        "net-fault",
    ))));
    fail_against(
        &server.endpoint(),
        &["--attempt-timeout", "1", "--call-timeout", "2"],
        &["Timed out", "Outcome unknown"],
    );
}

#[test]
fn a_fifty_megabyte_body_is_an_unreadable_answer() {
    let server = FaultServer::start(Behaviour::Huge(50 << 20));
    fail_against(&server.endpoint(), &[], &["Unreadable answer"]);
}

#[test]
fn https_to_a_plain_http_server_is_explained() {
    let server = FaultServer::start(Behaviour::Healthy);
    let endpoint = server.endpoint().replace("http://", "https://");
    // The plain server waits for an HTTP request that never comes: the handshake times out,
    // and the hint names the likely cause.
    fail_against(
        &endpoint,
        &["--attempt-timeout", "1", "--call-timeout", "3"],
        &["Timed out", "plain-HTTP"],
    );
}

#[test]
fn an_unresolvable_host_is_explained() {
    fail_against(
        "http://appmesh.invalid:4566",
        &["--call-timeout", "10"],
        &["Could not connect", "resolved"],
    );
}
