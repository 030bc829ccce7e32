//! `appmesh-tui graph` as a user runs it: against the built-in sandbox (`--sandbox --state`)
//! seeded with the onboarding shape, every format, to standard output and to a file, and
//! the messages when the mesh or the output is wrong.

use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_appmesh-tui"));
    c.stdin(Stdio::null())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("running appmesh-tui")
}

fn seeded() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state = state.to_str().unwrap().to_string();
    let out = run(&[
        "sandbox",
        "seed",
        "--count",
        "1",
        "--prefix",
        "shop",
        "--shape",
        "realistic",
        "--state",
        &state,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, state)
}

#[test]
fn graph_draws_the_seeded_mesh_in_every_format() {
    let (dir, state) = seeded();
    let text = run(&[
        "--sandbox",
        "--state",
        &state,
        "graph",
        "--mesh",
        "shop-00001",
    ]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    // The onboarding shape, as the sandbox holds it: the same drawing as the fixture's.
    let mut fixture = appmesh_tui::topology::fixtures::onboarding();
    fixture.name = "shop-00001".into();
    let items = std::mem::take(&mut fixture.items);
    for (k, v) in items {
        let k = if k.kind == appmesh_tui::kind::Kind::Mesh {
            appmesh_tui::kind::Key::mesh("shop-00001")
        } else {
            appmesh_tui::kind::Key::new(k.kind, "shop-00001", k.parent, k.name)
        };
        fixture.items.insert(k, v);
    }
    let want =
        appmesh_tui::topology::cli::render(&fixture, appmesh_tui::topology::cli::Format::Text);
    assert_eq!(stdout, want);

    for (format, first) in [("dot", "digraph "), ("mermaid", "---"), ("svg", "<svg ")] {
        let path = dir.path().join(format!("g.{format}"));
        let out = run(&[
            "--sandbox",
            "--state",
            &state,
            "graph",
            "--mesh",
            "shop-00001",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with(first), "{format}: {written}");
        assert!(
            written.contains("web-router") && written.contains("90%"),
            "{format}"
        );
    }
}

#[test]
fn graph_says_what_is_wrong() {
    let (dir, state) = seeded();
    let out = run(&["--sandbox", "--state", &state, "graph", "--mesh", "nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("describing mesh \"nope\"") && err.contains("NotFound"),
        "{err}"
    );
    let out = run(&[
        "--sandbox",
        "--state",
        &state,
        "graph",
        "--mesh",
        "shop-00001",
        "--format",
        "png",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dot, mermaid, svg"));
    // A directory is not a file to write.
    let out = run(&[
        "--sandbox",
        "--state",
        &state,
        "graph",
        "--mesh",
        "shop-00001",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(dir.path().to_str().unwrap()), "{err}");
}
