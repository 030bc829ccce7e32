//! The release binary's code layout (README › How it is built): the order file `build.rs`
//! hands the linker, and the script that writes it.

use std::collections::HashSet;
use std::process::Command;

const ORDER: &str = "assets/link/symbol-order.txt";

/// The order file names functions the way the linker knows them (mangled, one per line, each
/// once), and enough of them to be a recorded session rather than a stub.
#[test]
fn the_order_file_lists_mangled_functions_once_each() {
    let text = std::fs::read_to_string(ORDER).expect("the order file is in the repository");
    let names: Vec<&str> = text.lines().collect();
    assert!(
        names.len() >= 1000,
        "{ORDER} holds {} names: record it with scripts/order-symbols",
        names.len()
    );
    let mut seen = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        let mangled = name.starts_with("_ZN") || name.starts_with("_R");
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.$".contains(c));
        assert!(
            mangled || plain,
            "{ORDER}:{}: {name:?} is not a symbol",
            i + 1
        );
        assert!(seen.insert(*name), "{ORDER}:{}: {name} twice", i + 1);
    }
    let ours = names.iter().filter(|n| n.contains("11appmesh_tui")).count();
    assert!(
        ours >= 100,
        "only {ours} of the app's own functions are in {ORDER}"
    );
    let build = std::fs::read_to_string("build.rs").unwrap();
    assert!(
        build.contains(ORDER),
        "build.rs hands {ORDER} to the linker"
    );
}

/// The script's readers (linker map, callgrind output, perf samples) on small samples of each,
/// written the way the tools write them: the object named once on a `cob=` line, a
/// `.text.unlikely.` section, a recursion suffix, a perf mapping at an offset.
#[test]
fn the_order_script_reads_maps_callgrind_and_perf() {
    let out = Command::new("python3")
        .args(["scripts/order_symbols.py", "--self-test"])
        .output()
        .expect("run python3 scripts/order_symbols.py --self-test");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
