//! Properties of every file format the app parses (issue 16): the `--template` JSON, the config
//! file (TOML) and the AWS config and credentials files it reads by hand. The same invariants
//! run under cargo-fuzz in `fuzz/fuzz_targets/` (`scripts/fuzz`); these run with every
//! `cargo test`, on generated documents shaped like the real ones and on any text.

use std::path::Path;

use appmesh_tui::app::App;
use appmesh_tui::config::Config;
use appmesh_tui::model::{TAGS_MAX, forbidden_char};
use appmesh_tui::template::{MAX_PROBLEMS, RULES_KEY, Template};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Strings as a hostile or careless file holds them: plain, empty, long, control characters.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9-]{1,20}",
        1 => Just(String::new()),
        1 => "[a-z]{250,260}",
        2 => prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
        1 => prop::sample::select(vec![
            "prod\u{0}x", "a\u{1b}[2Jb", "rlo\u{202e}x", "two\nlines", "tab\there", "\u{9b}c1",
        ])
        .prop_map(str::to_string),
    ]
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Sometimes the right shape, sometimes anything.
fn maybe(right: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![4 => right, 1 => any_json()]
}

fn tag() -> impl Strategy<Value = Value> {
    maybe((string(), string()).prop_map(|(k, v)| json!({ "key": k, "value": v })))
}

fn template_doc() -> impl Strategy<Value = Value> {
    let enum_value = prop::sample::select(vec![
        "DROP_ALL",
        "ALLOW_ALL",
        "IPv4_ONLY",
        "IPv6_PREFERRED",
        "drop_all",
    ]);
    let spec = maybe(
        (enum_value.clone(), enum_value.clone()).prop_map(|(e, p)| {
            json!({ "egressFilter": { "type": e }, "serviceDiscovery": { "ipPreference": p } })
        }),
    );
    let rules = maybe(
        (
            prop::collection::vec(string(), 0..4),
            string(),
            prop::collection::vec(string(), 0..4),
            string(),
        )
            .prop_map(|(required, key, values, prefix)| {
                json!({
                    "requiredTagKeys": required,
                    "allowedTagValues": { key: values },
                    "meshNamePrefix": prefix,
                })
            }),
    );
    (
        maybe(string().prop_map(Value::String)),
        spec,
        prop::collection::vec(tag(), 0..60),
        rules,
        prop::collection::vec((string(), any_json()), 0..3),
    )
        .prop_map(|(name, spec, tags, rules, extra)| {
            let mut o = Map::new();
            o.insert("meshName".into(), name);
            o.insert("spec".into(), spec);
            o.insert("tags".into(), Value::Array(tags));
            o.insert(RULES_KEY.into(), rules);
            for (k, v) in extra {
                o.insert(k, v);
            }
            Value::Object(o)
        })
}

/// The invariants of a parsed template (the fuzz target checks the same).
fn check_template(t: Template) -> Result<(), TestCaseError> {
    prop_assert!(t.problems.len() <= MAX_PROBLEMS + 1);
    let no_controls = |s: &str| forbidden_char(s).is_none();
    if let Some(n) = &t.mesh_name {
        prop_assert!(no_controls(n), "meshName {n:?}");
    }
    for tag in &t.tags {
        prop_assert!(no_controls(&tag.key) && no_controls(&tag.value), "{tag:?}");
    }
    for k in &t.rules.required_tag_keys {
        prop_assert!(no_controls(k), "{k:?}");
    }
    for (k, vals) in &t.rules.allowed_tag_values {
        prop_assert!(no_controls(k) && vals.iter().all(|v| no_controls(v)));
    }
    let doc = t.cli_input_json();
    let back = Template::parse(&doc, Path::new("back.json"))
        .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
    prop_assert_eq!(&back.tags, &t.tags);
    prop_assert_eq!(&back.spec, &t.spec);
    if t.mesh_name.is_some() {
        prop_assert_eq!(&back.mesh_name, &t.mesh_name);
    }
    let mut app = App::new((80, 24));
    app.apply_template("t.json", t);
    prop_assert!(no_controls(app.form.name.value()));
    prop_assert!(app.form.tags.len() <= TAGS_MAX);
    prop_assert!(
        app.form
            .tags
            .iter()
            .all(|t| no_controls(&t.key) && no_controls(&t.value))
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn templates_shaped_like_real_ones_keep_no_control_character(doc in template_doc()) {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let t = Template::parse(&text, Path::new("t.json"))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        check_template(t)?;
    }

    #[test]
    fn any_text_as_a_template_parses_or_fails_with_the_file_named(
        text in prop_oneof![
            prop::collection::vec(any::<char>(), 0..200).prop_map(|c| c.into_iter().collect::<String>()),
            "[\\[\\]{}\",:0-9a-z ]{0,200}",
            (1usize..200).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        ]
    ) {
        match Template::parse(&text, Path::new("any.json")) {
            Ok(t) => check_template(t)?,
            Err(e) => prop_assert!(e.to_string().contains("any.json"), "{e}"),
        }
    }

    #[test]
    fn any_text_as_a_config_file_parses_or_names_the_file(
        text in prop_oneof![
            prop::collection::vec(any::<char>(), 0..200).prop_map(|c| c.into_iter().collect::<String>()),
            (
                prop::sample::select(vec!["profile", "region", "endpoint_url", "theme", "key_hints", "x"]),
                prop::sample::select(vec!["\"a\"", "\"http://h:1\"", "\"notaurl\"", "true", "[", "[[1]]", "{}", "\"mono\""]),
            )
                .prop_map(|(k, v)| format!("{k} = {v}\n")),
            (1usize..2000).prop_map(|n| format!("profile = {}{}\n", "[".repeat(n), "]".repeat(n))),
        ]
    ) {
        match Config::parse(&text, Path::new("/c/config.toml")) {
            Ok(c) => {
                if let Some(url) = &c.endpoint_url {
                    prop_assert_eq!(appmesh_tui::aws::endpoint_url_problem(url), None);
                }
            }
            Err(e) => prop_assert!(e.starts_with("config file /c/config.toml"), "{e}"),
        }
    }

    #[test]
    fn aws_files_give_each_profile_once_and_default_first(
        lines in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "[default]", "[profile dev]", "[profile  prod ]", "[sso-session x]", "[]",
                    "[ ]", "[profile]", "credential_process = x", "sso_session = s", "region = r",
                ]).prop_map(str::to_string),
                "[a-z \\[\\]=]{0,20}",
            ],
            0..20,
        ),
        split in 0usize..20,
    ) {
        let split = split.min(lines.len());
        let config = lines[..split].join("\n");
        let credentials = lines[split..].join("\n");
        let names = appmesh_tui::picker::parse_profiles(&config, &credentials);
        let mut seen = std::collections::HashSet::new();
        for (i, n) in names.iter().enumerate() {
            prop_assert!(!n.is_empty(), "{names:?}");
            prop_assert!(seen.insert(n), "{n:?} twice");
            prop_assert!(n != "default" || i == 0);
        }
    }
}
