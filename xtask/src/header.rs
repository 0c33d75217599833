//! How `include/erpauth.h` is made: cbindgen (pinned in xtask/Cargo.toml and
//! the root dev-dependencies) over the root crate with `cbindgen.toml`.
//! `cargo xtask header` writes it; tests/header.rs includes this file and
//! fails when the committed header differs. Nothing writes into the source
//! tree during a build.

use std::path::Path;

/// The committed header, relative to the root crate.
pub const COMMITTED: &str = "include/erpauth.h";

/// The header cbindgen makes of the crate in `crate_dir`.
pub fn generate(crate_dir: &Path) -> Vec<u8> {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut text = Vec::new();
    bindings.write(&mut text);
    text
}
