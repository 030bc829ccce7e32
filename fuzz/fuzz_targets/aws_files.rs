//! Fuzzes the app's own readers of the AWS config and credentials files: the profile list of the
//! F8 picker (`picker::parse_profiles`) and the check for credential helpers that prompt
//! (`aws::profile_section_needs_terminal`). The SDK reads these files too; this covers what the
//! app parses by hand.
//!
//! Invariants: no panic; the profile list has no duplicates, no empty names, `default` first
//! when present, and only names found in a `[...]` header of the input.
//!
//! Run it with `scripts/fuzz [SECONDS]` or `cargo +nightly fuzz run aws_files`.

#![no_main]

use appmesh_tui::aws::profile_section_needs_terminal;
use appmesh_tui::picker::parse_profiles;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The same text as the config file, and split in two at a NUL as config + credentials.
    let (config, credentials) = text.split_once('\0').unwrap_or((text, ""));
    let names = parse_profiles(config, credentials);
    let mut seen = std::collections::HashSet::new();
    for (i, n) in names.iter().enumerate() {
        assert!(seen.insert(n), "{n:?} twice in {names:?}");
        assert!(!n.is_empty(), "an empty profile name: {names:?}");
        assert!(n != "default" || i == 0, "default not first: {names:?}");
        assert!(text.contains(n.as_str()), "{n:?} is not in the input");
    }
    for profile in names.iter().take(4).map(String::as_str).chain(["default", ""]) {
        if let Some(how) = profile_section_needs_terminal(config, profile) {
            assert!(how == "credential_process" || how == "SSO", "{how}");
        }
    }
});
