//! Every input bounded, every file safe (issue 16), through the real binary: templates that are
//! devices, FIFOs or huge; credentials in an endpoint URL; answers far larger than App Mesh
//! sends, or not HTTP at all; a server that pages forever; control characters from a template;
//! and the command line's own messages. Each pseudo-terminal test also checks that the app's
//! peak resident memory (VmHWM) stayed under 64 MiB.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::fault::{self, Behaviour, FaultServer};
use support::moto::TEST_ENV;
use support::pty::{Key, Spawn, Tui};

/// The memory bound of the issue: whatever the input, the app stays under it.
const RSS_LIMIT: u64 = 64 << 20;

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// The app on the in-process sandbox with `--template PATH`.
fn with_template(path: &str) -> Tui {
    Tui::spawn(
        &["--sandbox", "--ephemeral", "--template", path],
        &[],
        120,
        40,
    )
}

/// Esc on the template window, once it is drawn whole (its footer comes last); returns once
/// the form's keys are back, so what is typed next is not read as Alt+key.
fn close_template_window(tui: &Tui) {
    tui.wait_for("Esc close  ↑↓ scroll");
    tui.key(Key::Esc);
    tui.wait_for("Tab/S-Tab move");
}

#[test]
fn a_template_that_is_dev_zero_shows_the_first_frame_and_says_why() {
    let tui = with_template("/dev/zero");
    let screen = tui.wait_until("the template window", |s| {
        s.contains("/dev/zero is a character device") && s.contains("1 MiB")
    });
    // The form is there and usable: the template window closes and typing works.
    assert!(screen.contains("SANDBOX"), "{screen}");
    close_template_window(&tui);
    tui.type_text("still-works");
    tui.wait_for("still-works");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn a_template_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("team.json");
    mkfifo(&fifo);
    let tui = with_template(fifo.to_str().unwrap());
    tui.wait_until("the template window", |s| {
        s.contains("team.json is a FIFO (named pipe)") && s.contains("SANDBOX")
    });
    close_template_window(&tui);
    tui.type_text("m");
    tui.wait_for("1/255");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn a_huge_template_is_refused_by_its_size_naming_the_cap_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("huge.json");
    // 66 MB (sparse: nothing is written to disk).
    std::fs::File::create(&big)
        .unwrap()
        .set_len(66 << 20)
        .unwrap();
    let tui = with_template(big.to_str().unwrap());
    let screen = tui.wait_until("the template window", |s| {
        s.contains("huge.json is larger than 1 MiB") && s.contains("--max-template-size")
    });
    assert!(!screen.contains("problems"), "nothing was parsed: {screen}");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn control_characters_from_a_template_are_refused_and_nothing_is_sent() {
    let server = FaultServer::start(Behaviour::Healthy);
    let template = serde_json::json!({
        "meshName": "prod\u{0}\u{1b}[2J\u{202e}x",
        "tags": [
            { "key": "team", "value": "ops" },
            { "key": "env\u{1b}", "value": "dev" }
        ]
    })
    .to_string();
    let tui = Spawn::app()
        .file("bad.json", &template)
        .args(&[
            "--endpoint-url",
            &server.endpoint(),
            "--template",
            "bad.json",
        ])
        .envs(TEST_ENV)
        .size(120, 40)
        .spawn();
    let screen = tui.wait_until("the problems, with the character named", |s| {
        s.contains("$.meshName: character 5 is U+0000 (NUL)")
            && s.contains("$.tags[1].key: character 4 is U+001B (ESC)")
    });
    assert!(!tui.raw_contains(b"\x1b[2J\x1b"), "{screen}");
    close_template_window(&tui);
    // The name was left out, the good tag kept; submitting sends nothing.
    tui.wait_for("team = ops");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Mesh name is required");
    assert!(server.requests_for("CreateMesh").is_empty());
    // Typed input is checked the same way: a pasted right-to-left override is refused.
    tui.paste("ok\u{202e}name");
    tui.wait_for("U+202E (right-to-left override)");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("Not sent");
    assert!(server.requests_for("CreateMesh").is_empty());
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn an_aws_config_file_that_is_dev_zero_is_refused_and_the_sandbox_never_reads_it() {
    // The SDK reads the AWS config whole: the app checks it first and says what to fix.
    let server = FaultServer::start(Behaviour::Healthy);
    let tui = Spawn::app()
        .args(&["--endpoint-url", &server.endpoint()])
        .envs(TEST_ENV)
        .env("AWS_CONFIG_FILE", "/dev/zero")
        .size(120, 40)
        .spawn();
    tui.wait_until("the refusal", |s| {
        s.contains("not connected") && s.contains("AWS file /dev/zero is a character device")
    });
    tui.type_text("m");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("AWS_CONFIG_FILE");
    assert!(server.requests_for("CreateMesh").is_empty());
    tui.assert_peak_rss_under(RSS_LIMIT);
    drop(tui);
    // The sandbox reads none of the user's AWS files.
    let tui = Spawn::app()
        .args(&["--sandbox", "--ephemeral"])
        .env("AWS_CONFIG_FILE", "/dev/zero")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/zero")
        .size(120, 40)
        .spawn();
    tui.wait_for("SANDBOX  us-east-1");
    tui.type_text("isolated");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn credentials_in_the_endpoint_url_never_reach_screen_transcript_or_log() {
    let server = FaultServer::start(Behaviour::Healthy);
    let endpoint = server
        .endpoint()
        .replace("http://", "http://admin:hunter2@");
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &endpoint,
            "--transcript",
            "session.md",
            "--log-file",
            "app.log",
        ],
        TEST_ENV,
        120,
        40,
    );
    tui.wait_for("***@127.0.0.1");
    tui.type_text("secret-free");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓");
    // The request went to the server all the same.
    assert_eq!(server.requests_for("CreateMesh").len(), 1);
    tui.key(Key::Tab); // out of the name field: x exports
    tui.key(Key::Char('x'));
    tui.wait_for("AWS CLI command");
    tui.key(Key::Enter);
    tui.wait_for("--endpoint-url");
    assert!(!tui.raw_contains(b"hunter2"), "{}", tui.dump());
    tui.assert_peak_rss_under(RSS_LIMIT);
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    for file in ["session.md", "app.log"] {
        let text = std::fs::read_to_string(tui.home().join(file)).unwrap();
        assert!(
            !text.contains("hunter2") && !text.contains("admin"),
            "{file}: {text}"
        );
        assert!(text.contains("***@127.0.0.1"), "{file}: {text}");
    }
}

/// Submits a create against `server` and waits for the failure; returns the screen.
fn create_against(server: &FaultServer, expected: &[&str]) -> (Tui, String) {
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 120, 40);
    tui.wait_for("Mesh name");
    tui.type_text("big-answer");
    tui.key(Key::Ctrl('s'));
    let screen = tui.wait_until("the failure explained", |s| {
        s.contains("CreateMesh failed") && expected.iter().all(|e| s.contains(e))
    });
    (tui, screen)
}

#[test]
fn a_200_megabyte_answer_is_refused_without_being_read() {
    let server = FaultServer::start(Behaviour::Huge(200 << 20));
    let (tui, screen) = create_against(&server, &["Not read", "200 MiB", "8 MiB"]);
    assert!(
        screen.contains("big-answer"),
        "the form keeps the name: {screen}"
    );
    // Not retried: the next attempt would get the same.
    assert_eq!(server.requests_for("CreateMesh").len(), 1);
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn a_200_megabyte_chunked_answer_stops_at_the_cap() {
    let server = FaultServer::start(Behaviour::HugeChunked(200 << 20));
    let (tui, _) = create_against(&server, &["Not read", "went past", "8 MiB"]);
    assert_eq!(server.requests_for("CreateMesh").len(), 1);
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn an_answer_that_is_not_http_is_not_called_silence() {
    let server = FaultServer::start(Behaviour::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()));
    let (tui, screen) = create_against(&server, &["not HTTP"]);
    assert!(!screen.contains("Nothing answered"), "{screen}");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn a_server_repeating_its_page_token_stops_the_list_with_a_message() {
    let server = FaultServer::start(Behaviour::only(
        "ListMeshes",
        Behaviour::Reply(fault::Reply::ok(fault::bodies::list_meshes(
            &["loop-a", "loop-b"],
            Some("same-token-forever"),
        ))),
    ));
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 160, 40);
    tui.wait_for("Mesh name");
    tui.key(Key::F(3));
    let screen = tui.wait_until("the list stopped", |s| {
        s.contains("listing stopped early") && s.contains("Meshes (2)")
    });
    assert!(
        screen.contains("loop-a") && screen.contains("loop-b"),
        "{screen}"
    );
    // The status line (or F1) says why.
    tui.key(Key::F(1));
    tui.wait_for("page token it had sent before");
    assert_eq!(server.requests_for("ListMeshes").len(), 2);
    tui.assert_peak_rss_under(RSS_LIMIT);
}

#[test]
fn a_list_that_times_out_is_not_told_to_resubmit_a_form() {
    let server = FaultServer::start(Behaviour::only("ListMeshes", Behaviour::Hang));
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &server.endpoint(),
            "--attempt-timeout",
            "1",
            "--call-timeout",
            "2",
        ],
        TEST_ENV,
        120,
        40,
    );
    tui.wait_for("Mesh name");
    tui.key(Key::F(3));
    let screen = tui.wait_until("the timeout explained", |s| {
        s.contains("Could not list the meshes") && s.contains("trying again is safe")
    });
    assert!(
        !screen.contains("form") && !screen.contains("clientToken"),
        "{screen}"
    );
}

#[test]
fn exports_never_replace_a_fifo_and_write_through_a_link() {
    let server = FaultServer::start(Behaviour::Healthy);
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("fifo.sh"));
    std::fs::write(dir.path().join("real.sh"), "old").unwrap();
    std::os::unix::fs::symlink("real.sh", dir.path().join("link.sh")).unwrap();
    let tui = Spawn::app()
        .args(&["--endpoint-url", &server.endpoint()])
        .envs(TEST_ENV)
        .cwd(dir.path())
        .size(120, 40)
        .spawn();
    tui.wait_for("Mesh name");
    tui.type_text("exported");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓");
    tui.key(Key::Tab); // out of the name field: x exports
    tui.key(Key::Char('x'));
    tui.wait_for("AWS CLI command");
    tui.key(Key::Enter);
    tui.wait_for("--endpoint-url");
    tui.key(Key::Char('w'));
    tui.wait_for("exported.sh");
    tui.key(Key::Ctrl('u'));
    tui.type_text("fifo.sh");
    tui.key(Key::Enter);
    tui.wait_for("FIFO (named pipe)");
    {
        use std::os::unix::fs::FileTypeExt;
        let meta = std::fs::symlink_metadata(dir.path().join("fifo.sh")).unwrap();
        assert!(meta.file_type().is_fifo(), "the FIFO is still a FIFO");
    }
    tui.key(Key::Ctrl('u'));
    tui.type_text("link.sh");
    tui.key(Key::Enter);
    tui.wait_for("overwrite");
    tui.key(Key::Char('y'));
    tui.wait_for("a link to");
    let link = std::fs::symlink_metadata(dir.path().join("link.sh")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let text = std::fs::read_to_string(dir.path().join("real.sh")).unwrap();
    assert!(text.contains("create-mesh"), "{text}");
    tui.assert_peak_rss_under(RSS_LIMIT);
}

// ---- the command line ------------------------------------------------------------------------

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run appmesh-tui")
}

#[test]
fn without_a_terminal_the_message_comes_alone() {
    let out = run(&["--sandbox", "--ephemeral"]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout, no terminal sequences: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs an interactive terminal"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn flag_mistakes_get_messages_a_user_can_act_on() {
    let out = run(&["--call-timeout", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--call-timeout 0") && err.contains("above 0") && !err.contains("between 0"),
        "{err}"
    );
    let out = run(&["--endpoint-url", "notaurl"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("\"notaurl\" is not a URL") && err.contains("http://127.0.0.1:4566"),
        "{err}"
    );
    assert!(!err.contains("Request {"), "no debug dump: {err}");
    let out = run(&["--endpoint-url", "ftp://admin:hunter2@host"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2"), "{err}");
    let out = run(&["--max-template-size", "lots"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a size"), "{err}");
}
