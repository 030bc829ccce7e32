//! The README's key tables are the help overlay's (`ui::overlay::KEYS`), so they can never
//! disagree. `UPDATE_README=1 cargo test --test readme_keys` rewrites them.

use std::path::PathBuf;

use appmesh_tui::ui::overlay::KEYS;

const START: &str =
    "<!-- keys:start (generated from src/ui/overlay.rs by tests/readme_keys.rs) -->";
const END: &str = "<!-- keys:end -->";

fn tables() -> String {
    let mut out = String::new();
    for (group, keys) in KEYS {
        out.push_str(&format!(
            "\n**{group}**\n\n| key | what it does |\n|---|---|\n"
        ));
        for (k, what) in *keys {
            out.push_str(&format!(
                "| {} | {} |\n",
                k.replace('|', "\\|"),
                what.replace('|', "\\|")
            ));
        }
    }
    out
}

#[test]
fn readme_lists_every_key_of_the_help_overlay() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START} … {END} markers");
    };
    let generated = format!("{START}\n{}\n{END}", tables());
    let current = &readme[a..b + END.len()];
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, readme.replace(current, &generated)).unwrap();
        return;
    }
    assert!(
        current == generated,
        "README.md's keys are out of date: run `UPDATE_README=1 cargo test --test readme_keys`"
    );
}
