//! The committed `include/erpauth.h` must be what cbindgen makes of the
//! current source; `cargo xtask header` regenerates it. The generation code
//! is the xtask's own file, included here, so the two cannot disagree.

#[path = "../xtask/src/header.rs"]
mod header;

use std::path::Path;

#[test]
fn committed_header_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = header::generate(root);
    let committed = std::fs::read(root.join(header::COMMITTED)).expect("include/erpauth.h exists");
    assert!(
        committed == generated,
        "include/erpauth.h is stale: run `cargo xtask header` and commit it"
    );
}

/// The header's version macros are constants in the source (cbindgen cannot
/// read the package version); they must be the package's.
#[test]
fn version_macros_are_the_package_version() {
    let number = |s: &str| s.parse::<u32>().expect("a numeric version component");
    assert_eq!(
        (
            erpauth::ffi::VERSION_MAJOR,
            erpauth::ffi::VERSION_MINOR,
            erpauth::ffi::VERSION_PATCH
        ),
        (
            number(env!("CARGO_PKG_VERSION_MAJOR")),
            number(env!("CARGO_PKG_VERSION_MINOR")),
            number(env!("CARGO_PKG_VERSION_PATCH"))
        ),
        "update VERSION_MAJOR/MINOR/PATCH in src/ffi/mod.rs to the package version, \
         then run `cargo xtask header`"
    );
}
