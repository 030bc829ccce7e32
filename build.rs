//! Lays out the release binary's code so that what the app runs sits together.
//!
//! The kernel maps a binary's code 64 KiB around every page the program touches, so code
//! the TUI runs, scattered among code it never runs (the sandbox server, import, exports,
//! the SDK's credential providers), made it map nearly all of its 8.5 MiB. The linker
//! places the functions named in `assets/link/symbol-order.txt` first, in that order, and
//! the rest after them. `scripts/order-symbols` writes that file from what the app ran in
//! a recorded session (README › How it is built › Code layout). A name the build no
//! longer has is skipped, so a stale file costs memory, never a failed build.
//!
//! Only release builds of the `appmesh-tui` binary on x86_64 Linux with the GNU toolchain,
//! where rustc links with LLD, take it; `APPMESH_TUI_NO_SYMBOL_ORDER=1` turns it off (for a
//! linker without `--symbol-ordering-file`, such as GNU ld).

use std::path::Path;

fn main() {
    const ORDER: &str = "assets/link/symbol-order.txt";
    println!("cargo:rerun-if-changed={ORDER}");
    println!("cargo:rerun-if-env-changed=APPMESH_TUI_NO_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=APPMESH_TUI_LINK_MAP");
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let lld_target = std::env::var("TARGET").is_ok_and(|t| t == "x86_64-unknown-linux-gnu");
    let off = std::env::var_os("APPMESH_TUI_NO_SYMBOL_ORDER").is_some_and(|v| v != "0");
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let order = Path::new(&dir).join(ORDER);
    if release && lld_target && !off && order.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    // `scripts/order-symbols` reads where the linker put each function.
    if let Some(map) = std::env::var_os("APPMESH_TUI_LINK_MAP").filter(|m| !m.is_empty()) {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,-Map={}",
            Path::new(&map).display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-demangle");
    }
}
