//! The create flow end to end: the real binary in a pseudo-terminal, talking HTTP to the
//! built-in sandbox, to moto (behind its timestamp proxy) and to a faulty server of our own;
//! afterwards a client we did not write (the AWS CLI) checks what the server holds.

mod support;

use support::fault::{self, Behaviour, FaultServer, Reply, bodies};
use support::moto::{Moto, TEST_ENV, aws_cli, cli_tags};
use support::pty::{Key, Tui};
use support::serve::Serve;

/// Fills the form: name, ALLOW_ALL, IPv4_ONLY, tags team=ops and env=dev.
fn fill_form(tui: &Tui, name: &str) {
    tui.wait_for("Mesh name");
    tui.type_text(name);
    tui.key(Key::Tab);
    tui.key(Key::Down); // ALLOW_ALL
    tui.key(Key::Tab);
    tui.keys(&[Key::Down, Key::Down, Key::Down]); // IPv4_ONLY
    tui.key(Key::Tab);
    tui.type_text("team");
    tui.key(Key::Tab);
    tui.type_text("ops");
    tui.key(Key::Enter);
    tui.wait_for("Added tag team");
    tui.type_text("env");
    tui.key(Key::Tab);
    tui.type_text("dev");
    tui.key(Key::Enter);
    tui.wait_for("Added tag env");
}

fn assert_mesh_held(endpoint: &str, name: &str) {
    let out = aws_cli(endpoint, &["appmesh", "describe-mesh", "--mesh-name", name]).ok();
    let mesh = &out.json()["mesh"];
    assert_eq!(mesh["meshName"], name);
    assert_eq!(mesh["spec"]["egressFilter"]["type"], "ALLOW_ALL");
    assert_eq!(
        mesh["spec"]["serviceDiscovery"]["ipPreference"],
        "IPv4_ONLY"
    );
    assert_eq!(mesh["status"]["status"], "ACTIVE");
    let arn = mesh["metadata"]["arn"].as_str().unwrap().to_string();
    let tags = cli_tags(endpoint, &arn);
    assert_eq!(
        tags,
        [("env".into(), "dev".into()), ("team".into(), "ops".into())]
    );
}

#[test]
fn create_on_the_sandbox_survives_restart_and_the_cli_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let tui = Tui::spawn(
        &["--sandbox", "--state", state.to_str().unwrap()],
        &[],
        120,
        40,
    );
    tui.wait_for("SANDBOX");
    fill_form(&tui, "e2e-sandbox");
    tui.key(Key::Ctrl('s'));
    let expected = [
        "ACTIVE",
        "arn:aws:appmesh:us-east-1:111122223333",
        "Version        1",
        "ALLOW_ALL",
        "IPv4_ONLY",
        "team = ops",
        "env = dev",
        "Request ID",
    ];
    tui.wait_until("the created mesh in the pane", |s| {
        s.contains("CreateMesh ✓ e2e-sandbox") && expected.iter().all(|e| s.contains(e))
    });
    // The form was created as it is: Esc quits without asking, and the terminal is restored.
    tui.key(Key::Esc);
    assert!(tui.wait_exit().success());
    assert!(
        tui.raw_contains(b"\x1b[?1049l"),
        "left the alternate screen"
    );
    assert!(tui.raw_contains(b"\x1b[?25h"), "cursor shown again");

    // A separate sandbox process on the same state file, checked with the AWS CLI.
    let serve = Serve::with_state(&state);
    assert_mesh_held(&serve.endpoint, "e2e-sandbox");
}

#[test]
fn create_against_moto_at_80x24_and_the_cli_agrees() {
    let moto = Moto::start();
    let tui = Tui::spawn(&["--endpoint-url", &moto.endpoint()], TEST_ENV, 80, 24);
    // 80 columns: the header keeps profile, region and endpoint in a short form.
    tui.wait_for(&format!("default · us-east-1 · {}", moto.endpoint()));
    fill_form(&tui, "e2e-moto");
    tui.key(Key::Ctrl('s'));
    // 80 columns: the result opens full screen over the form.
    tui.wait_until("the created mesh", |s| {
        s.contains("CreateMesh ✓ e2e-moto") && s.contains("ACTIVE") && s.contains("team = ops")
    });
    tui.key(Key::Esc);
    tui.wait_until("the form, still filled", |s| {
        s.contains("Tags (2/50)") && s.contains("e2e-moto")
    });
    assert_mesh_held(&moto.endpoint(), "e2e-moto");
}

/// Starts the app against `server`, fills and submits the form, waits for `expected`, and
/// checks the form kept everything.
fn submit_against(server: &FaultServer, expected: &[&str]) -> Tui {
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &server.endpoint(),
            "--attempt-timeout",
            "5",
            "--call-timeout",
            "20",
        ],
        TEST_ENV,
        120,
        40,
    );
    fill_form(&tui, "faulty-mesh");
    tui.key(Key::Ctrl('s'));
    // The whole frame (it can arrive in several reads): the error with everything
    // expected, and the form with its values.
    tui.wait_until("the error and the intact form", |s| {
        s.contains("CreateMesh failed")
            && expected.iter().all(|e| s.contains(e))
            && s.contains("faulty-mesh")
            && s.contains("team = ops")
            && s.contains("Tags (2/50)")
    });
    tui
}

#[test]
fn conflict_shows_code_status_request_id_and_hint() {
    let server = FaultServer::start(Behaviour::Error(
        fault::ApiError::conflict("Mesh faulty-mesh already exists").request_id("req-409-e2e"),
    ));
    let tui = submit_against(
        &server,
        &["ConflictException", "409", "req-409-e2e", "already exists"],
    );
    // Retrying the unchanged form reuses the clientToken; a changed form gets a new one.
    server.set_behaviour(Behaviour::Error(
        fault::ApiError::conflict("Mesh faulty-mesh already exists").request_id("req-409-again"),
    ));
    tui.key(Key::Ctrl('s'));
    // The second answer must be in before the next submit (a submit while one is in flight
    // is refused, by design).
    tui.wait_for("req-409-again");
    let reqs = server.wait_for_requests(2);
    tui.key(Key::BackTab); // from Tag key back to IP preference
    tui.key(Key::Up); // IPv4_PREFERRED: the spec changed
    tui.key(Key::Ctrl('s'));
    let reqs3 = server.wait_for_requests(3);
    let token = |r: &fault::RecordedRequest| r.json()["clientToken"].as_str().unwrap().to_string();
    assert_eq!(token(&reqs[0]), token(&reqs[1]));
    assert_ne!(token(&reqs3[1]), token(&reqs3[2]));
}

#[test]
fn modeled_errors_each_show_their_message() {
    for (error, shown) in [
        (
            fault::ApiError::bad_request("meshName is invalid"),
            "BadRequestException",
        ),
        (
            fault::ApiError::forbidden("not allowed"),
            "ForbiddenException",
        ),
        (
            fault::ApiError::limit_exceeded("too many meshes"),
            "LimitExceededException",
        ),
    ] {
        let server = FaultServer::start(Behaviour::Error(error));
        submit_against(&server, &[shown]);
    }
}

#[test]
fn server_errors_are_retried_then_shown() {
    for (error, shown, status) in [
        (
            fault::ApiError::internal("boom"),
            "InternalServerErrorException",
            "500",
        ),
        (
            fault::ApiError::unavailable("down"),
            "ServiceUnavailableException",
            "503",
        ),
        (
            fault::ApiError::too_many_requests("slow down"),
            "TooManyRequestsException",
            "429",
        ),
    ] {
        let server = FaultServer::start(Behaviour::Error(error));
        submit_against(&server, &[shown, status, "already retried"]);
        assert!(server.request_count() >= 2, "the SDK retried {shown}");
    }
}

#[test]
fn throttling_once_then_success_creates_the_mesh() {
    let server = FaultServer::start(Behaviour::ThenSucceed {
        failures: 1,
        error: fault::ApiError::too_many_requests("slow down"),
        then: Reply::ok(bodies::mesh_json("faulty-mesh")),
    });
    let tui = Tui::spawn(&["--endpoint-url", &server.endpoint()], TEST_ENV, 120, 40);
    fill_form(&tui, "faulty-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ faulty-mesh");
    let reqs = server.requests();
    let creates: Vec<_> = reqs
        .iter()
        .filter(|r| r.operation() == "CreateMesh")
        .collect();
    assert_eq!(creates.len(), 2, "one throttled attempt and one retry");
    assert_eq!(
        creates[0].json()["clientToken"],
        creates[1].json()["clientToken"]
    );
}

#[test]
fn unreadable_answers_and_closed_ports_are_explained() {
    let garbage = FaultServer::start(Behaviour::Garbage);
    submit_against(&garbage, &["Unreadable answer", "HTTP 200 with a body"]);
    let html = FaultServer::start(Behaviour::Html(502));
    submit_against(&html, &["502"]);

    let port = fault::closed_port();
    let tui = Tui::spawn(
        &["--endpoint-url", &format!("http://127.0.0.1:{port}")],
        TEST_ENV,
        120,
        40,
    );
    fill_form(&tui, "faulty-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_until("the connection error and the form", |s| {
        s.contains("Could not connect")
            && s.contains("Nothing answered at the endpoint")
            && s.contains("team = ops")
    });
}

#[test]
fn missing_credentials_point_to_the_sandbox() {
    let server = FaultServer::start(Behaviour::Healthy);
    let tui = Tui::spawn(
        &[
            "--endpoint-url",
            &server.endpoint(),
            "--region",
            "us-east-1",
        ],
        &[],
        120,
        40,
    );
    fill_form(&tui, "no-creds");
    tui.key(Key::Ctrl('s'));
    tui.wait_until("the credentials hint", |s| {
        s.contains("CreateMesh failed")
            && s.contains("No AWS credentials were found")
            && s.contains("--sandbox")
    });
    assert_eq!(server.request_count(), 0, "nothing unsigned was sent");
}

/// A sandbox whose journal is damaged does not start: the header says so, the status line and
/// the pane say which file and what to do, the form keeps what was typed, and neither file is
/// touched.
#[test]
fn a_sandbox_that_cannot_start_says_why_and_keeps_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
        .args(["sandbox", "seed", "--count", "2", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let journal = appmesh_tui::sandbox::journal::path_for(&state);
    std::fs::write(&journal, b"00000000 {\"seq\":1}\n00000000 {\"seq\":2}\n").unwrap();
    let state_before = std::fs::read(&state).unwrap();

    let tui = Tui::spawn(
        &["--sandbox", "--state", state.to_str().unwrap()],
        &[],
        120,
        40,
    );
    tui.wait_until("the header and the status line", |s| {
        s.contains("SANDBOX  not started") && s.contains("cannot read sandbox journal")
    });
    tui.wait_for("Mesh name");
    tui.type_text("keep-me");
    tui.key(Key::Ctrl('s'));
    tui.wait_until("the reason and what to do", |s| {
        s.contains("CreateMesh failed")
            && s.contains("SandboxNotStarted")
            && s.contains("is damaged: its checksum does not")
            && s.contains("move the journal aside")
            && s.contains("The built-in sandbox could not start")
            && s.contains("--ephemeral")
    });
    assert!(tui.screen().contains("keep-me"), "{}", tui.screen());
    // Typing still works.
    tui.type_text("-too");
    tui.wait_for("keep-me-too");
    tui.key(Key::Ctrl('c'));
    assert!(tui.wait_exit().success());
    assert!(!tui.alternate_screen());
    assert_eq!(std::fs::read(&state).unwrap(), state_before);
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        b"00000000 {\"seq\":1}\n00000000 {\"seq\":2}\n"
    );
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let tui = Tui::spawn(&["--sandbox", "--ephemeral"], &[], 100, 30);
    tui.wait_for("SANDBOX");
    tui.type_text("half-typed");
    tui.key(Key::Ctrl('c'));
    assert!(tui.wait_exit().success());
    tui.assert_restored();
}

#[test]
fn a_credential_process_that_prompts_runs_before_the_ui_takes_the_screen() {
    let server = FaultServer::start(Behaviour::Healthy);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("mfa-creds.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'MFA code: ' > /dev/tty\nread code < /dev/tty\n\
         printf '{\"Version\":1,\"AccessKeyId\":\"AKIDMFA%s\",\"SecretAccessKey\":\"s\"}' \"$code\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let tui = support::pty::Spawn::app()
        .aws_config(&format!(
            "[profile mfa]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ))
        .args(&["--profile", "mfa", "--endpoint-url", &server.endpoint()])
        .size(120, 40)
        .spawn();
    tui.wait_until("the helper's prompt", |s| {
        s.contains("MFA code:")
            && s.contains("getting credentials for profile mfa (credential_process)")
    });
    tui.type_text("424242\r");
    tui.wait_for("Mesh name");
    tui.type_text("mfa-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ mfa-mesh");
    let create = server.requests_for("CreateMesh");
    let auth = create[0]
        .header("authorization")
        .unwrap_or_default()
        .to_string();
    assert!(
        auth.contains("Credential=AKIDMFA424242/"),
        "signed with the helper's key: {auth}"
    );
}
