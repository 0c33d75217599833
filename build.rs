//! Generates `include/erpauth.h` from the `extern "C"` functions with cbindgen.
//!
//! The header is always written to `$OUT_DIR/erpauth.h`. It is also written to
//! `include/erpauth.h` (only when its text changed) unless
//! `ERPAUTH_HEADER_CHECK=1`: the test command sets that, so a committed header
//! that is out of date is caught by `tests/header.rs` instead of being
//! silently rewritten.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=ERPAUTH_HEADER_CHECK");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");

    let mut text = Vec::new();
    bindings.write(&mut text);
    std::fs::write(out_dir.join("erpauth.h"), &text).expect("write OUT_DIR/erpauth.h");

    if env::var("ERPAUTH_HEADER_CHECK").as_deref() != Ok("1") {
        let committed = crate_dir.join("include").join("erpauth.h");
        if std::fs::read(&committed).ok().as_deref() != Some(&text[..]) {
            std::fs::create_dir_all(committed.parent().unwrap()).expect("create include/");
            std::fs::write(&committed, &text).expect("write include/erpauth.h");
        }
    }
}
