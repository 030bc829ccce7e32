//! The config file, themes, NO_COLOR and --transcript, through the real binary.

mod support;

use support::pty::{Key, Spawn};

#[test]
fn config_file_sets_region_theme_and_key_hints() {
    let tui = Spawn::app()
        .file(
            ".config/appmesh-tui/config.toml",
            "region = \"eu-west-1\"\nkey_hints = false\ntheme = \"high-contrast\"\n",
        )
        .args(&["--sandbox", "--ephemeral"])
        .size(120, 40)
        .spawn();
    let screen = tui.wait_for("eu-west-1");
    assert!(
        screen.contains("F1 help") && !screen.contains("Tab/S-Tab"),
        "key hints off: {screen}"
    );
    // High contrast: the focused field's border is light yellow, not the default cyan.
    let (row, col) = tui.find("Mesh name").unwrap();
    assert_eq!(tui.cell_fg(row, col), support::pty::Color::Idx(11));
}

#[test]
fn a_broken_config_file_is_reported_and_the_defaults_used() {
    let tui = Spawn::app()
        .file(
            ".config/appmesh-tui/config.toml",
            "region = \"eu-west-1\"\nthem = \"dark\"\n",
        )
        .args(&["--sandbox", "--ephemeral"])
        .size(120, 40)
        .spawn();
    let screen = tui.wait_for("config.toml:2");
    assert!(screen.contains("them"), "{screen}");
    tui.wait_until("the default region in force", |s| {
        s.contains("SANDBOX  us-east-1")
    });
}

#[test]
fn no_color_draws_without_colour() {
    let tui = Spawn::app()
        .args(&["--sandbox", "--ephemeral"])
        .env("NO_COLOR", "1")
        .size(120, 40)
        .spawn();
    tui.wait_for("SANDBOX");
    let (row, col) = tui.find("Mesh name").unwrap();
    assert_eq!(tui.cell_fg(row, col), support::pty::Color::Default);
    let (row, col) = tui.find("SANDBOX").unwrap();
    assert_eq!(tui.cell_bg(row, col), support::pty::Color::Default);
    assert!(
        tui.cell(row, col).unwrap().inverse,
        "the badge still stands out (reverse video)"
    );
}

#[test]
fn transcript_records_the_session_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("onboarding.md");
    let tui = Spawn::app()
        .args(&[
            "--sandbox",
            "--ephemeral",
            "--transcript",
            path.to_str().unwrap(),
        ])
        .size(120, 40)
        .spawn();
    tui.wait_for("SANDBOX");
    tui.type_text("recorded-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ recorded-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ recorded-mesh");
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    let text = std::fs::read_to_string(&path).unwrap();
    for expected in [
        "# appmesh-tui session",
        "SANDBOX",
        "CreateMesh `recorded-mesh`",
        "\"meshName\": \"recorded-mesh\"",
        "is **ACTIVE**, version 1",
        "arn:aws:appmesh:us-east-1:111122223333:mesh/recorded-mesh",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        !text.contains("SECRET") && !text.contains("sandbox/secret"),
        "no credentials in the transcript"
    );
}

#[test]
fn completions_and_man_page() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--sandbox"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_appmesh-tui"))
        .arg("man")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(".SH"));
}

#[test]
fn log_file_is_private_and_holds_calls_but_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let tui = Spawn::app()
        .args(&[
            "--sandbox",
            "--ephemeral",
            "--log-file",
            log.to_str().unwrap(),
        ])
        .size(120, 40)
        .spawn();
    tui.wait_for("SANDBOX");
    tui.type_text("logged-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ logged-mesh");
    tui.key(Key::Ctrl('c'));
    tui.wait_exit();
    let text = std::fs::read_to_string(&log).unwrap();
    for expected in [
        "started",
        "requests go to the built-in SANDBOX",
        "CreateMesh `logged-mesh`",
        "ok: mesh `logged-mesh` ACTIVE version 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    for secret in ["sandbox/secret", "AKIAIOSFODNN7SANDBOX", "Authorization"] {
        assert!(!text.contains(secret), "{secret} leaked into the log");
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Nothing from the log reached the terminal.
    assert!(!tui.raw_contains(b"requests go to"));
}

#[test]
fn f8_switches_profile_and_region_and_requests_follow() {
    use support::fault::{Behaviour, FaultServer};
    let server = FaultServer::start(Behaviour::Healthy);
    let tui = Spawn::app()
        .aws_config("[default]\nregion = us-east-1\n\n[profile prod]\nregion = eu-west-1\n")
        .aws_credentials(
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s2\n",
        )
        .args(&["--endpoint-url", &server.endpoint()])
        .size(120, 40)
        .spawn();
    tui.wait_for("profile default · region us-east-1");
    tui.key(Key::F(8));
    tui.wait_until("the picker lists both profiles", |s| {
        s.contains("Profile and region") && s.contains("● default") && s.contains("prod")
    });
    tui.key(Key::Down);
    tui.key(Key::Tab);
    tui.key(Key::Ctrl('u'));
    tui.type_text("eu-west-1");
    tui.key(Key::Enter);
    tui.wait_for("profile prod · region eu-west-1");
    tui.type_text("switched-mesh");
    tui.key(Key::Ctrl('s'));
    tui.wait_for("CreateMesh ✓ switched-mesh");
    let create = server.requests_for("CreateMesh");
    let auth = create[0]
        .header("authorization")
        .unwrap_or_default()
        .to_string();
    assert!(
        auth.contains("Credential=AKIDPROD/") && auth.contains("/eu-west-1/appmesh/"),
        "signed as prod in eu-west-1: {auth}"
    );
}

#[test]
fn f8_on_the_sandbox_explains_why_not() {
    let tui = Spawn::app()
        .args(&["--sandbox", "--ephemeral"])
        .size(120, 40)
        .spawn();
    tui.wait_for("SANDBOX");
    tui.key(Key::F(8));
    tui.wait_for("The sandbox has one fixed account and region");
}
