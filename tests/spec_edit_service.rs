//! Every spec fixture of every kind (`tests/fixtures/specs/all-kinds.json`: every member, union
//! branch and enum value) through the spec editor and the service: described, put in the
//! editor's YAML buffer, read back unchanged, sent as UpdateX the way the app sends it, and the
//! service (the sandbox's own state, `testing::Service`) then holds the identical spec.

mod support;

use appmesh_tui::app::{Call, CallResult};
use appmesh_tui::kind::Kind;
use appmesh_tui::spec_edit::{read_buffer, render_buffer};
use appmesh_tui::testing::Service;

#[test]
fn every_fixture_goes_through_the_editor_and_the_service_unchanged() {
    let mut s = Service::new();
    let container = support::fixtures::container_mesh();
    let mut seen = std::collections::BTreeSet::new();
    for (i, f) in support::fixtures::all().into_iter().enumerate() {
        let mesh = if f.kind == Kind::Mesh {
            f.name.clone()
        } else {
            container.clone()
        };
        let key = f.key(&mesh);
        let spec = f.expected_spec();
        s.create(&key, &spec, &[], None)
            .unwrap_or_else(|e| panic!("{key:?} created: {e:?}"));
        let held = s.spec_of(&key).expect("the service holds it");
        // The editor's buffer of what the service holds, saved unchanged, reads back the same.
        let buffer = render_buffer(key.kind, &held);
        let back =
            read_buffer(key.kind, &buffer).unwrap_or_else(|e| panic!("{key:?}: {e:?}\n{buffer}"));
        assert_eq!(back, held, "{key:?}\n{buffer}");
        // Sent as the app sends a save; the service keeps exactly that spec.
        let answer = s.answer(&Call::Write {
            key: key.clone(),
            create: false,
            spec: back,
            tags: Vec::new(),
            client_token: format!("edit-{i}"),
        });
        assert!(
            matches!(&answer, CallResult::Resource { result: Ok(_), .. }),
            "{key:?}: {answer:?}"
        );
        assert_eq!(s.spec_of(&key).as_ref(), Some(&spec), "{key:?}");
        seen.insert(key.kind);
    }
    assert_eq!(seen.len(), Kind::ALL.len(), "every kind: {seen:?}");
}
