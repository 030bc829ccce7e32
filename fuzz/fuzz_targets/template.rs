//! Fuzzes the `--template` parser (`appmesh_tui::template`): any text, as the file would be read.
//!
//! Invariants checked on every input:
//! - no panic, and parsing ends (the shape check bounds depth and values before the parse);
//! - at most `MAX_PROBLEMS` problems are listed, plus one line counting the rest;
//! - nothing a name, tag key, tag value or rule holds has a control character (they are
//!   refused with their path, never kept);
//! - the `--cli-input-json` document made from the template is JSON and reads back as the same
//!   name, spec and tags;
//! - prefilling the app's form from it never panics, and leaves no control character and at
//!   most 50 tags in the form.
//!
//! Run it with `scripts/fuzz [SECONDS]` (every target) or
//! `cargo +nightly fuzz run template fuzz/corpus/template`.

#![no_main]

use std::path::Path;

use appmesh_tui::app::App;
use appmesh_tui::model::{TAGS_MAX, forbidden_char};
use appmesh_tui::template::{MAX_PROBLEMS, Template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // Not UTF-8: the file reader refuses it before the parser sees it.
        return;
    };
    let Ok(t) = Template::parse(text, Path::new("fuzz.json")) else {
        return;
    };
    assert!(t.problems.len() <= MAX_PROBLEMS + 1, "{} problems", t.problems.len());
    let clean = |s: &str, what: &str| {
        assert!(forbidden_char(s).is_none(), "{what} kept a control character: {s:?}");
    };
    if let Some(n) = &t.mesh_name {
        clean(n, "meshName");
    }
    for tag in &t.tags {
        clean(&tag.key, "a tag key");
        clean(&tag.value, "a tag value");
    }
    for k in &t.rules.required_tag_keys {
        clean(k, "requiredTagKeys");
    }
    for (k, vals) in &t.rules.allowed_tag_values {
        clean(k, "allowedTagValues key");
        for v in vals {
            clean(v, "allowedTagValues value");
        }
    }
    if let Some(p) = &t.rules.mesh_name_prefix {
        clean(p, "meshNamePrefix");
    }

    let doc = t.cli_input_json();
    let back = Template::parse(&doc, Path::new("back.json"))
        .unwrap_or_else(|e| panic!("the exported document does not parse: {e}\n{doc}"));
    assert_eq!(back.tags, t.tags, "{doc}");
    assert_eq!(back.spec, t.spec, "{doc}");
    if t.mesh_name.is_some() {
        assert_eq!(back.mesh_name, t.mesh_name, "{doc}");
    }

    let mut app = App::new((80, 24));
    app.apply_template("fuzz.json", t);
    clean(app.form.name.value(), "the form's name");
    assert!(app.form.tags.len() <= TAGS_MAX);
    for tag in &app.form.tags {
        clean(&tag.key, "a form tag key");
        clean(&tag.value, "a form tag value");
    }
});
