//! Fuzzes the mesh file reader (`appmesh_tui::meshfile::parse`) and the transcript replay
//! (`appmesh_tui::meshfile::replay`): any text, as the file would be read.
//!
//! Invariants checked on every input:
//! - no panic, and reading ends (serde_norway bounds nesting; the reader's budget bounds what
//!   aliases can expand to);
//! - a file that reads is written back (`to_yaml`) as text that reads as the same meshes, and
//!   writing that gives the same text;
//! - a file that does not read has at least one problem, at most `NAMED_PROBLEMS` named, each
//!   on a line of the file;
//! - replaying the text as a transcript never panics, and what it built can be written.
//!
//! Run it with `scripts/fuzz [SECONDS] mesh_file` or
//! `cargo +nightly fuzz run mesh_file fuzz/corpus/mesh_file fuzz/seeds/mesh_file`.

#![no_main]

use appmesh_tui::meshfile::{self, format::NAMED_PROBLEMS, replay};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // Not UTF-8: the file reader refuses it before the parser sees it.
        return;
    };
    let lines = text.lines().count() + 1;
    match meshfile::parse("fuzz.yaml", text) {
        Ok(f) => {
            let written = meshfile::to_yaml(&f.meshes);
            let back = meshfile::parse("written.yaml", &written)
                .unwrap_or_else(|e| panic!("what was written does not read back: {e}\n{written}"));
            let sorted = |mut m: Vec<appmesh_tui::mesh::MeshModel>| {
                m.sort_by(|a, b| a.name.cmp(&b.name));
                m
            };
            assert_eq!(sorted(back.meshes.clone()), sorted(f.meshes));
            assert_eq!(meshfile::to_yaml(&back.meshes), written);
        }
        Err(e) => {
            assert!(!e.problems.is_empty());
            assert!(e.problems.len() <= NAMED_PROBLEMS);
            for p in &e.problems {
                if let Some(l) = p.line {
                    assert!(l >= 1 && l <= lines, "line {l} of {lines}: {e}");
                }
            }
        }
    }
    let r = replay::replay(text);
    let _ = meshfile::to_yaml(&r.meshes);
});
