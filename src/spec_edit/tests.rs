use std::io;
use std::path::Path;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::kind::{Key, Kind};
use crate::ui::theme::Theme;

/// One spec per kind, together covering the unions people meet (service discovery, provider,
/// route protocols, health checks, TLS validation, access log, backends).
pub(crate) fn fixtures() -> Vec<(Kind, Value)> {
    vec![
        (
            Kind::Mesh,
            json!({"egressFilter": {"type": "ALLOW_ALL"}, "serviceDiscovery": {"ipPreference": "IPv4_PREFERRED"}}),
        ),
        (Kind::Mesh, json!({})),
        (
            Kind::VirtualService,
            json!({"provider": {"virtualRouter": {"virtualRouterName": "web-router"}}}),
        ),
        (
            Kind::VirtualService,
            json!({"provider": {"virtualNode": {"virtualNodeName": "web-v1"}}}),
        ),
        (
            Kind::VirtualNode,
            json!({
                "listeners": [{
                    "portMapping": {"port": 8080, "protocol": "http"},
                    "healthCheck": {"healthyThreshold": 2, "intervalMillis": 5000, "path": "/ping",
                        "protocol": "http", "timeoutMillis": 2000, "unhealthyThreshold": 3},
                    "timeout": {"http": {"idle": {"unit": "s", "value": 30}}}
                }],
                "serviceDiscovery": {"dns": {"hostname": "web.local", "responseType": "LOADBALANCER"}},
                "backends": [{"virtualService": {"virtualServiceName": "db.local",
                    "clientPolicy": {"tls": {"validation": {"trust": {"file": {"certificateChain": "/ca.pem"}}}}}}}],
                "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}
            }),
        ),
        (
            Kind::VirtualNode,
            json!({"serviceDiscovery": {"awsCloudMap": {"namespaceName": "ns", "serviceName": "svc",
                "attributes": [{"key": "stage", "value": "prod"}]}}}),
        ),
        (
            Kind::VirtualRouter,
            json!({"listeners": [{"portMapping": {"port": 80, "protocol": "http2"}}]}),
        ),
        (
            Kind::Route,
            json!({"priority": 10, "httpRoute": {"match": {"prefix": "/", "method": "GET",
                "headers": [{"name": "x-canary", "match": {"exact": "1"}}]},
                "action": {"weightedTargets": [{"virtualNode": "web-v1", "weight": 90},
                    {"virtualNode": "web-v2", "weight": 10, "port": 8080}]},
                "retryPolicy": {"maxRetries": 2, "perRetryTimeout": {"unit": "ms", "value": 250},
                    "httpRetryEvents": ["server-error"]}}}),
        ),
        (
            Kind::Route,
            json!({"grpcRoute": {"match": {"serviceName": "pkg.Svc", "methodName": "Get"},
                "action": {"weightedTargets": [{"virtualNode": "a", "weight": 1}]}}}),
        ),
        (
            Kind::Route,
            json!({"tcpRoute": {"action": {"weightedTargets": [{"virtualNode": "a", "weight": 100}]}}}),
        ),
        (
            Kind::VirtualGateway,
            json!({"listeners": [{"portMapping": {"port": 443, "protocol": "http"},
                "tls": {"mode": "STRICT", "certificate": {"file": {"certificateChain": "/c.pem", "privateKey": "/k.pem"}}}}],
                "logging": {"accessLog": {"file": {"path": "/dev/stdout"}}}}),
        ),
        (
            Kind::GatewayRoute,
            json!({"httpRoute": {"match": {"prefix": "/api", "hostname": {"exact": "example.com"}},
                "action": {"target": {"virtualService": {"virtualServiceName": "api.local"}, "port": 8080},
                    "rewrite": {"prefix": {"defaultPrefix": "DISABLED"}}}}}),
        ),
    ]
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in\n{text}"))
        + 1
}

fn problems(kind: Kind, text: &str) -> Vec<ProblemAt> {
    match read_buffer(kind, text) {
        Err(Unread::Problems(p)) => p,
        other => panic!("expected problems, got {other:?} for\n{text}"),
    }
}

#[test]
fn every_fixture_is_valid_and_comes_back_unchanged() {
    for (kind, spec) in fixtures() {
        let model = crate::shape::model();
        assert_eq!(
            crate::shape::validate(model, kind.info().spec_shape, &spec, ""),
            vec![],
            "{kind} fixture"
        );
        let text = render_buffer(kind, &spec);
        assert_eq!(
            read_buffer(kind, &text),
            Ok(spec.clone()),
            "{kind}:\n{text}"
        );
    }
}

#[test]
fn the_header_names_the_allowed_values_of_the_enums_present() {
    let (kind, spec) = fixtures().remove(4);
    let text = render_buffer(kind, &spec);
    assert!(
        text.contains("#   listeners[].portMapping.protocol: http | tcp | http2 | grpc"),
        "{text}"
    );
    assert!(
        text.contains("#   serviceDiscovery.dns.responseType: LOADBALANCER | ENDPOINTS"),
        "{text}"
    );
    assert!(
        text.contains("#   listeners[].timeout.http.idle.unit: s | ms"),
        "{text}"
    );
    // Unions present: one of their members.
    assert!(text.contains("Exactly one of:"), "{text}");
    assert!(text.contains("#   serviceDiscovery: "), "{text}");
    // Enums not present are not listed.
    assert!(!text.contains("ipPreference"), "{text}");
    // The header is comments only, and the YAML follows.
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert!(header.len() > 5);
    assert!(text.contains("\n    port: 8080\n") || text.contains("port: 8080"));
}

#[test]
fn only_comments_or_nothing_cancels() {
    for text in [
        "",
        "\n\n",
        "# just a comment\n",
        "#! old problem\n# header\n   \n",
    ] {
        assert_eq!(
            read_buffer(Kind::VirtualNode, text),
            Err(Unread::Cancelled),
            "{text:?}"
        );
    }
    let header_only: String =
        render_buffer(Kind::Mesh, &json!({"egressFilter": {"type": "DROP_ALL"}}))
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
    assert_eq!(
        read_buffer(Kind::Mesh, &header_only),
        Err(Unread::Cancelled)
    );
}

#[test]
fn a_rule_broken_names_its_path_and_line() {
    let (kind, mut spec) = fixtures().remove(4);
    spec["listeners"][0]["portMapping"]["port"] = json!(0);
    let text = render_buffer(kind, &spec);
    let p = problems(kind, &text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "listeners[0].portMapping.port");
    assert!(p[0].rule.contains("between 1 and 65535"), "{}", p[0].rule);
    assert_eq!(p[0].line, line_of(&text, "port: 0"));
}

#[test]
fn a_missing_member_points_at_its_parent() {
    let text = "listeners:\n- portMapping:\n    port: 8080\nserviceDiscovery:\n  dns:\n    hostname: a.local\n";
    let p = problems(Kind::VirtualNode, text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "listeners[0].portMapping.protocol");
    assert_eq!(p[0].rule, "is required");
    assert_eq!(p[0].line, 2, "the line of portMapping");
}

#[test]
fn list_items_and_indentless_lists_are_located() {
    let text = "\
backends:
- virtualService:
    virtualServiceName: a.local
- virtualService:
    virtualServiceName: [a]
listeners:
  - portMapping:
      port: 8080
      protocol: http
  - portMapping:
      port: 8081
      protocol: smtp
";
    let p = problems(Kind::VirtualNode, text);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].path, "backends[1].virtualService.virtualServiceName");
    assert_eq!(p[0].line, 5);
    assert_eq!(p[1].path, "listeners[1].portMapping.protocol");
    assert!(p[1].rule.contains("must be one of http, tcp, http2, grpc"));
    assert_eq!(p[1].line, 12);
}

#[test]
fn a_typo_in_a_member_name_is_a_problem_not_dropped() {
    let text = "listeners:\n- portMapping:\n    port: 8080\n    protocl: http\n";
    let p = problems(Kind::VirtualNode, text);
    let typo = p
        .iter()
        .find(|p| p.path == "listeners[0].portMapping.protocl")
        .expect("the typo is named");
    assert!(typo.rule.contains("not a member"), "{}", typo.rule);
    assert!(
        typo.rule.contains("did you mean protocol?"),
        "{}",
        typo.rule
    );
    assert!(typo.rule.contains("port, protocol"), "{}", typo.rule);
    assert_eq!(typo.line, 4);
    // The one found by hand in vi, and one nothing resembles.
    let text = "listeners:\n- healthCheck:\n    unhealthyTreshold: 3\n  portMapping:\n    zzz: 1\n";
    let p = problems(Kind::VirtualNode, text);
    let rule = |path: &str| {
        p.iter()
            .find(|p| p.path == path)
            .map(|p| p.rule.clone())
            .unwrap_or_else(|| panic!("no problem at {path}: {p:?}"))
    };
    assert!(
        rule("listeners[0].healthCheck.unhealthyTreshold")
            .contains("did you mean unhealthyThreshold? here it knows"),
        "{p:?}"
    );
    assert!(
        !rule("listeners[0].portMapping.zzz").contains("did you mean"),
        "{p:?}"
    );
}

#[test]
fn yaml_that_does_not_parse_keeps_the_text_and_says_where() {
    let text = "listeners:\n- portMapping:\n    port: [8080\n    protocol: http\n";
    let p = problems(Kind::VirtualNode, text);
    assert_eq!(p.len(), 1);
    assert!(p[0].rule.starts_with("not valid YAML"), "{}", p[0].rule);
    assert!(p[0].line >= 3 && p[0].line <= 5, "{p:?}");
    let annotated = annotate(text, &p);
    for line in text.lines() {
        assert!(annotated.contains(line), "{line:?} kept");
    }
    assert_eq!(
        problems(Kind::VirtualNode, &annotated),
        p,
        "same problem after annotating"
    );
}

#[test]
fn tags_and_odd_keys_are_refused_with_a_reason() {
    let text = "egressFilter:\n  type: !Ref Filter\n";
    let p = problems(Kind::Mesh, text);
    assert_eq!(p[0].path, "egressFilter.type");
    assert!(p[0].rule.contains("YAML tag !Ref"), "{}", p[0].rule);
    assert_eq!(p[0].line, 2);
    let p = problems(Kind::Mesh, "? [a, b]\n: 1\n");
    assert!(p[0].rule.contains("not a name"), "{p:?}");
    let p = problems(
        Kind::VirtualRouter,
        "listeners:\n- portMapping:\n    port: .nan\n    protocol: http\n",
    );
    assert!(p[0].rule.contains("not a number JSON can hold"), "{p:?}");
}

#[test]
fn an_empty_value_means_not_set() {
    let text = "egressFilter:\n  type: ALLOW_ALL\nserviceDiscovery:\n";
    assert_eq!(
        read_buffer(Kind::Mesh, text),
        Ok(json!({"egressFilter": {"type": "ALLOW_ALL"}}))
    );
}

#[test]
fn annotate_puts_each_problem_above_its_line_and_replaces_old_ones() {
    let (kind, mut spec) = fixtures().remove(4);
    spec["listeners"][0]["portMapping"]["port"] = json!(0);
    spec["serviceDiscovery"]["dns"]["responseType"] = json!("ROUND_ROBIN");
    let text = render_buffer(kind, &spec);
    let p = problems(kind, &text);
    assert_eq!(p.len(), 2);
    let once = annotate(&text, &p);
    let lines: Vec<&str> = once.lines().collect();
    let port = lines.iter().position(|l| l.trim() == "port: 0").unwrap();
    assert_eq!(
        lines[port - 1].trim(),
        "#! listeners[0].portMapping.port: must be between 1 and 65535 (got 0)"
    );
    let indent = |l: &str| l.len() - l.trim_start().len();
    assert_eq!(indent(lines[port - 1]), indent(lines[port]));
    assert!(
        lines[0].starts_with("#! 2 problems to fix (#! comments)"),
        "{once}"
    );
    // Reading the annotated text gives the same problems, and annotating again changes nothing.
    let again = problems(kind, &once);
    assert_eq!(again, p);
    assert_eq!(annotate(&once, &again), once);
    // Fixed: the annotations do not get in the way.
    let fixed = once
        .replace("port: 0", "port: 8080")
        .replace("ROUND_ROBIN", "ENDPOINTS");
    let mut want = spec.clone();
    want["listeners"][0]["portMapping"]["port"] = json!(8080);
    want["serviceDiscovery"]["dns"]["responseType"] = json!("ENDPOINTS");
    assert_eq!(read_buffer(kind, &fixed), Ok(want));
    // No problems: no annotations.
    assert_eq!(annotate(&once, &[]), annotate(&text, &[]));
    assert!(
        !annotate(&once, &[])
            .lines()
            .any(|l| l.trim_start().starts_with(PROBLEM_MARK))
    );
}

#[test]
fn a_huge_text_is_refused_without_parsing() {
    let text = format!("egressFilter:\n  type: {}\n", "A".repeat(MAX_BUFFER_BYTES));
    let p = problems(Kind::Mesh, &text);
    assert!(p[0].rule.contains("larger than 1024 KiB"), "{p:?}");
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let p = problems(Kind::Mesh, &bomb);
    assert!(!p.is_empty());
    let deep = format!("egressFilter: {}{}\n", "[".repeat(500), "]".repeat(500));
    let p = problems(Kind::Mesh, &deep);
    assert!(!p.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text: no panic, and annotating keeps every line that is not a problem comment.
    #[test]
    fn reading_any_text_is_safe_and_annotating_loses_nothing(
        text in "([ a-z:#!\\-\\[\\]{}'\"|>&*0-9\n]{0,12}\n){0,12}"
    ) {
        for kind in Kind::ALL {
            match read_buffer(kind, &text) {
                Ok(v) => prop_assert!(v.is_object()),
                Err(Unread::Cancelled) => {}
                Err(Unread::Problems(p)) => {
                    prop_assert!(!p.is_empty());
                    let clean = text.lines().filter(|l| !l.trim_start().starts_with(PROBLEM_MARK) && l.trim() != "#!").count();
                    for q in &p {
                        prop_assert!(q.line <= clean.max(1), "{q:?}");
                    }
                    let a = annotate(&text, &p);
                    let kept: Vec<&str> = a.lines().filter(|l| !l.trim_start().starts_with(PROBLEM_MARK)).collect();
                    let orig: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with(PROBLEM_MARK) && l.trim() != "#!").collect();
                    prop_assert_eq!(kept, orig);
                    prop_assert_eq!(annotate(&a, &p), a.clone());
                }
            }
        }
    }

    /// A valid spec with one weight changed to anything: valid iff within the model's range, and
    /// then exactly that spec comes back.
    #[test]
    fn an_edited_number_is_checked_against_the_model(w in -5i64..110) {
        let (kind, spec) = fixtures().remove(7);
        let text = render_buffer(kind, &spec).replace("weight: 90", &format!("weight: {w}"));
        let got = read_buffer(kind, &text);
        if (0..=100).contains(&w) {
            let mut want = spec.clone();
            want["httpRoute"]["action"]["weightedTargets"][0]["weight"] = json!(w);
            prop_assert_eq!(got, Ok(want));
        } else {
            let p = match got { Err(Unread::Problems(p)) => p, other => panic!("{other:?}") };
            prop_assert_eq!(&p[0].path, "httpRoute.action.weightedTargets[0].weight");
            prop_assert_eq!(p[0].line, line_of(&text, &format!("weight: {w}")));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The external editor

#[derive(Default)]
struct FakeTerminal {
    left: usize,
    restored: usize,
    fail_leave: bool,
}

impl TerminalHandover for FakeTerminal {
    fn leave(&mut self) -> io::Result<()> {
        if self.fail_leave {
            return Err(io::Error::other("no terminal"));
        }
        assert_eq!(self.left, self.restored, "left twice without restoring");
        self.left += 1;
        Ok(())
    }
    fn restore(&mut self) -> io::Result<()> {
        self.restored += 1;
        assert_eq!(self.left, self.restored);
        Ok(())
    }
}

/// A shell script standing in for the person: round N copies the file it got to `seen.N` and
/// writes `round.N` over it (or exits with the code in `exit.N`).
fn fake_editor(dir: &Path, rounds: &[&str]) -> Editor {
    for (i, text) in rounds.iter().enumerate() {
        std::fs::write(dir.join(format!("round.{}", i + 1)), text).unwrap();
    }
    let script = dir.join("fake-editor.sh");
    std::fs::write(
        &script,
        r#"#!/bin/sh
set -e
dir=$(dirname "$0")
n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/count"
cp "$1" "$dir/seen.$n"
if [ -f "$dir/exit.$n" ]; then exit "$(cat "$dir/exit.$n")"; fi
cat "$dir/round.$n" > "$1"
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // As `EDITOR="sh /path/fake-editor.sh"` would give it: a command with an argument.
    Editor::from_vars(|name| match name {
        "EDITOR" => Some(format!("sh {}", script.display())),
        _ => None,
    })
    .unwrap()
}

#[test]
fn the_editor_reopens_with_the_problems_until_the_spec_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "listeners:\n- portMapping:\n    port: 0\n    protocol: http\n";
    let good = "listeners:\n- portMapping:\n    port: 9090\n    protocol: http\n";
    let editor = fake_editor(dir.path(), &[bad, good]);
    assert_eq!(editor.source, "EDITOR");
    let mut term = FakeTerminal::default();
    let spec = json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]});
    let out = edit_in_terminal(
        Kind::VirtualNode,
        render_buffer(Kind::VirtualNode, &spec),
        &editor,
        &mut term,
    );
    assert_eq!(
        out,
        Edited::Saved(json!({"listeners": [{"portMapping": {"port": 9090, "protocol": "http"}}]}))
    );
    assert_eq!((term.left, term.restored), (2, 2));
    // The first round got the rendered buffer, the second the person's text with the problem
    // above its line.
    let seen1 = std::fs::read_to_string(dir.path().join("seen.1")).unwrap();
    assert_eq!(seen1, render_buffer(Kind::VirtualNode, &spec));
    let seen2 = std::fs::read_to_string(dir.path().join("seen.2")).unwrap();
    assert_eq!(
        seen2,
        "#! 1 problem to fix (#! comments); save again, or empty the file to cancel.\n\
         listeners:\n- portMapping:\n    #! listeners[0].portMapping.port: must be between 1 and 65535 (got 0)\n    port: 0\n    protocol: http\n"
    );
    assert!(!dir.path().join("seen.3").exists());
}

#[test]
fn emptying_the_file_cancels_and_a_failing_editor_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let editor = fake_editor(dir.path(), &["# nothing left\n"]);
    let mut term = FakeTerminal::default();
    let out = edit_in_terminal(
        Kind::Mesh,
        render_buffer(Kind::Mesh, &json!({})),
        &editor,
        &mut term,
    );
    assert_eq!(out, Edited::Cancelled);

    let dir = tempfile::tempdir().unwrap();
    let typed = "egressFilter:\n  type: ALLOW_SOME\n";
    let editor = fake_editor(dir.path(), &[typed, "unused"]);
    std::fs::write(dir.path().join("exit.2"), "3").unwrap();
    let mut term = FakeTerminal::default();
    let out = edit_in_terminal(
        Kind::Mesh,
        render_buffer(Kind::Mesh, &json!({})),
        &editor,
        &mut term,
    );
    let Edited::Failed { reason, text, .. } = out else {
        panic!("{out:?}")
    };
    assert!(reason.contains("exited with exit status: 3"), "{reason}");
    assert!(
        text.contains("type: ALLOW_SOME"),
        "what the person wrote is kept: {text}"
    );
    assert!(
        text.contains("#! egressFilter.type: must be one of"),
        "{text}"
    );
    assert_eq!((term.left, term.restored), (2, 2));
}

#[test]
fn an_editor_that_cannot_run_or_a_terminal_that_cannot_be_left_loses_nothing() {
    let editor = Editor {
        command: "/nonexistent/editor --wait".into(),
        source: "VISUAL",
    };
    let mut term = FakeTerminal::default();
    let buffer = render_buffer(Kind::Mesh, &json!({}));
    let out = edit_in_terminal(Kind::Mesh, buffer.clone(), &editor, &mut term);
    let Edited::Failed { reason, text, .. } = out else {
        panic!("{out:?}")
    };
    assert!(reason.contains("cannot run the editor"), "{reason}");
    assert!(reason.contains("VISUAL"), "{reason}");
    assert_eq!(text, buffer);
    assert_eq!((term.left, term.restored), (1, 1));

    let mut term = FakeTerminal {
        fail_leave: true,
        ..Default::default()
    };
    let out = edit_in_terminal(Kind::Mesh, buffer.clone(), &editor, &mut term);
    assert!(matches!(out, Edited::Failed { text, .. } if text == buffer));
}

#[test]
fn the_editor_is_chosen_like_git_does() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let e = Editor::from_vars(vars(&[("VISUAL", "code --wait"), ("EDITOR", "nano")])).unwrap();
    assert_eq!((e.command.as_str(), e.source), ("code --wait", "VISUAL"));
    let e = Editor::from_vars(vars(&[
        ("VISUAL", "code"),
        ("EDITOR", "nano"),
        ("TERM", "dumb"),
    ]))
    .unwrap();
    assert_eq!(e.source, "EDITOR");
    let e = Editor::from_vars(vars(&[("VISUAL", "  "), ("EDITOR", "ed")])).unwrap();
    assert_eq!(e.command, "ed");
    assert_eq!(Editor::from_vars(vars(&[("PATH", "/nonexistent")])), None);
    assert_eq!(Editor::from_vars(vars(&[])), None);

    let dir = tempfile::tempdir().unwrap();
    let nano = dir.path().join("nano");
    std::fs::write(&nano, "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&nano, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("/nonexistent:{}", dir.path().display());
    let e = Editor::from_vars(|n| (n == "PATH").then(|| path.clone())).unwrap();
    assert_eq!((e.command, e.source), (nano.display().to_string(), "PATH"));

    // `code --wait`: split on whitespace; shell syntax goes through sh with the file as "$@".
    let file = Path::new("/tmp/spec.yaml");
    let e = Editor {
        command: "code --wait".into(),
        source: "EDITOR",
    };
    let c = e.process(file);
    assert_eq!(c.get_program(), "code");
    assert_eq!(
        c.get_args().collect::<Vec<_>>(),
        ["--wait", "/tmp/spec.yaml"]
    );
    let e = Editor {
        command: "\"/opt/My Editor/bin/ed\" -w".into(),
        source: "EDITOR",
    };
    let c = e.process(file);
    assert_eq!(c.get_program(), "sh");
    let args: Vec<_> = c.get_args().collect();
    assert_eq!(args[0], "-c");
    assert_eq!(args[1], "\"/opt/My Editor/bin/ed\" -w \"$@\"");
    assert_eq!(args[3], "/tmp/spec.yaml");
}

// ---------------------------------------------------------------------------------------------
// The in-app editor

fn press(e: &mut SpecEditor, code: KeyCode) -> Outcome {
    e.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(e: &mut SpecEditor, c: char) -> Outcome {
    e.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn draw(e: &SpecEditor, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| e.render(f, f.area(), &Theme::default()))
        .unwrap();
    t.backend().to_string()
}

fn node_key() -> Key {
    Key::new(Kind::VirtualNode, "shop", "", "web-v1")
}

#[test]
fn the_in_app_editor_checks_annotates_and_saves() {
    let spec = json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]});
    let mut e = SpecEditor::new(Kind::VirtualNode, node_key(), &spec);
    // Unchanged: Ctrl-S gives the same spec back.
    assert_eq!(ctrl(&mut e, 's'), Outcome::Save(spec.clone()));
    // The cursor starts on the first line of the spec: go to `port: 8080`, break it.
    let lines = e.text();
    let start = lines.lines().position(|l| l == "listeners:").unwrap();
    let port_row = lines
        .lines()
        .position(|l| l.trim() == "port: 8080")
        .unwrap();
    for _ in start..port_row {
        press(&mut e, KeyCode::Down);
    }
    press(&mut e, KeyCode::End);
    for _ in 0..4 {
        press(&mut e, KeyCode::Backspace);
    }
    for c in "99999".chars() {
        press(&mut e, KeyCode::Char(c));
    }
    assert_eq!(ctrl(&mut e, 's'), Outcome::Stay);
    assert_eq!(e.problems().len(), 1);
    assert!(
        e.text()
            .contains("    #! listeners[0].portMapping.port: must be between 1 and 65535 (got 99999)\n    port: 99999\n"),
        "{}",
        e.text()
    );
    insta::assert_snapshot!("spec_editor_problem_80x24", draw(&e, 80, 24));
    // The cursor is on the broken line: fix it there.
    press(&mut e, KeyCode::End);
    for _ in 0..5 {
        press(&mut e, KeyCode::Backspace);
    }
    for c in "8081".chars() {
        press(&mut e, KeyCode::Char(c));
    }
    assert_eq!(
        ctrl(&mut e, 's'),
        Outcome::Save(json!({"listeners": [{"portMapping": {"port": 8081, "protocol": "http"}}]}))
    );
}

#[test]
fn esc_asks_before_discarding_changes_and_an_emptied_text_cancels() {
    let mut e = SpecEditor::new(Kind::Mesh, Key::mesh("shop"), &json!({}));
    assert_eq!(
        press(&mut e, KeyCode::Esc),
        Outcome::Cancel,
        "nothing changed"
    );
    let mut e = SpecEditor::new(Kind::Mesh, Key::mesh("shop"), &json!({}));
    press(&mut e, KeyCode::Char('x'));
    assert_eq!(press(&mut e, KeyCode::Esc), Outcome::Stay);
    assert!(draw(&e, 80, 24).contains("Esc again discards your changes"));
    assert_eq!(press(&mut e, KeyCode::Esc), Outcome::Cancel);
    // Only comments left: Ctrl-S cancels.
    let mut e = SpecEditor::with_text(
        Kind::Mesh,
        Key::mesh("shop"),
        "# header\n".into(),
        Some("no editor".into()),
    );
    assert_eq!(ctrl(&mut e, 's'), Outcome::Cancel);
}

#[test]
fn the_in_app_editor_at_120x40() {
    let (kind, spec) = fixtures().remove(7);
    let e = SpecEditor::new(
        kind,
        Key::new(Kind::Route, "shop", "web-router", "canary"),
        &spec,
    );
    insta::assert_snapshot!("spec_editor_route_120x40", draw(&e, 120, 40));
}

/// Found by hand: after `:cq` in vi the in-app editor's note (why it opened, what to do) was
/// cut at the window's edge, "…; go on here: Ctrl-S checks and s". It wraps now.
#[test]
fn a_long_note_is_wrapped_not_cut() {
    let spec = json!({"listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}]});
    let note = "the editor (vi, from $EDITOR) exited with exit status: 1; nothing was sent; \
                go on here: Ctrl-S checks and saves";
    let e = SpecEditor::with_text(
        Kind::VirtualNode,
        node_key(),
        render_buffer(Kind::VirtualNode, &spec),
        Some(note.into()),
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&e, w, h);
        let shown: String = screen
            .lines()
            .map(|l| l.trim_matches(|c| c == '"' || c == '│' || c == ' '))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            shown.contains("go on here: Ctrl-S checks and saves"),
            "{w}x{h}:\n{screen}"
        );
        assert!(shown.contains("exited with exit status: 1"), "{screen}");
    }
}

#[test]
fn pasting_keeps_yaml_free_of_tabs() {
    let mut e = SpecEditor::with_text(Kind::Mesh, Key::mesh("shop"), String::new(), None);
    e.paste("egressFilter:\r\n\ttype: ALLOW_ALL");
    assert_eq!(e.text(), "egressFilter:\n  type: ALLOW_ALL\n");
    assert_eq!(
        ctrl(&mut e, 's'),
        Outcome::Save(json!({"egressFilter": {"type": "ALLOW_ALL"}}))
    );
}

/// Real programs as the editor: `sed -i …` (split on whitespace) and `vi -es -c '…'` (quotes, so
/// through `sh -c`, as git runs it).
#[test]
fn real_editors_edit_the_file() {
    let spec = json!({"egressFilter": {"type": "ALLOW_ALL"}});
    let mut term = FakeTerminal::default();
    let sed = Editor {
        command: "sed -i s/ALLOW_ALL/DROP_ALL/".into(),
        source: "EDITOR",
    };
    let out = edit_in_terminal(
        Kind::Mesh,
        render_buffer(Kind::Mesh, &spec),
        &sed,
        &mut term,
    );
    assert_eq!(
        out,
        Edited::Saved(json!({"egressFilter": {"type": "DROP_ALL"}}))
    );
    let vi_found = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| Path::new(d).join("vi").is_file());
    if !vi_found {
        eprintln!("no vi on PATH: the vi half of this test checked nothing");
        return;
    }
    let vi = Editor {
        command: "vi -es -c '%s/ALLOW_ALL/DROP_ALL/' -c 'wq'".into(),
        source: "VISUAL",
    };
    let out = edit_in_terminal(Kind::Mesh, render_buffer(Kind::Mesh, &spec), &vi, &mut term);
    assert_eq!(
        out,
        Edited::Saved(json!({"egressFilter": {"type": "DROP_ALL"}}))
    );
}

/// Found by `scripts/fuzz` (spec_buffer): a buffer ending in a lone `\r` lost it when the
/// problems were written in, and a Windows file came back with `\n` line ends.
#[test]
fn annotating_keeps_every_line_end_the_user_wrote() {
    let problem = |line| ProblemAt {
        line,
        path: String::new(),
        rule: "a problem".into(),
    };
    let a = annotate("\0\r", &[problem(1)]);
    assert!(a.ends_with("\0\r"), "{a:?}");
    let windows = "httpRoute:\r\n  match:\r\n    prefix: /\r\n";
    let a = annotate(windows, &[problem(2)]);
    assert!(a.contains("httpRoute:\r\n"), "{a:?}");
    assert!(a.ends_with("    prefix: /\r\n"), "{a:?}");
    // Annotating again replaces the problems and changes nothing else.
    assert_eq!(annotate(&a, &[problem(2)]), a);
}
