//! Fuzzes the config file parser (`appmesh_tui::config::Config::parse`, TOML): any text, as the
//! file would be read.
//!
//! Invariants: no panic (deeply nested arrays included); an error names the file and says to
//! fix it or move it away; a parsed `endpoint_url` is always an http(s) URL with a host.
//!
//! Run it with `scripts/fuzz [SECONDS]` or `cargo +nightly fuzz run config_file`.

#![no_main]

use std::path::Path;

use appmesh_tui::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, Path::new("/fuzz/config.toml")) {
        Ok(c) => {
            if let Some(url) = &c.endpoint_url {
                assert_eq!(appmesh_tui::aws::endpoint_url_problem(url), None, "{url:?}");
            }
        }
        Err(e) => {
            assert!(e.starts_with("config file /fuzz/config.toml"), "{e}");
            assert!(e.contains("defaults"), "{e}");
        }
    }
});
