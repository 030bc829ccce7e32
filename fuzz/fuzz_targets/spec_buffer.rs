//! Fuzzes the spec editor's reading of an edited buffer (`appmesh_tui::spec_edit`, YAML): any
//! text, as the editor would hand it back, for every kind.
//!
//! Invariants: no panic (deep nesting, alias bombs, tags and huge texts included); a spec read
//! back is an object that validates against the kind's spec shape; problems name lines that
//! exist; annotating keeps every line that is not a problem comment, and annotating again with
//! the problems of the annotated text changes nothing.
//!
//! Run it with `scripts/fuzz [SECONDS] spec_buffer` or `cargo +nightly fuzz run spec_buffer`.

#![no_main]

use appmesh_tui::kind::Kind;
use appmesh_tui::shape;
use appmesh_tui::spec_edit::{PROBLEM_MARK, Unread, annotate, read_buffer};
use libfuzzer_sys::fuzz_target;

fn kept(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with(PROBLEM_MARK) && l.trim() != "#!")
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = Kind::ALL[k as usize % Kind::ALL.len()];
    match read_buffer(kind, text) {
        Ok(spec) => {
            assert!(spec.is_object());
            let problems = shape::validate(shape::model(), kind.info().spec_shape, &spec, "");
            assert!(problems.is_empty(), "{problems:?}");
        }
        Err(Unread::Cancelled) => {}
        Err(Unread::Problems(p)) => {
            assert!(!p.is_empty());
            let lines = kept(text).len().max(1);
            assert!(p.iter().all(|q| q.line <= lines), "{p:?}");
            let a = annotate(text, &p);
            assert_eq!(kept(&a), kept(text));
            if let Err(Unread::Problems(again)) = read_buffer(kind, &a) {
                assert_eq!(annotate(&a, &again), a);
            }
        }
    }
});
