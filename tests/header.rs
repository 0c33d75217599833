//! The committed `include/erpauth.h` must be what cbindgen makes of the
//! current source. Run with `ERPAUTH_HEADER_CHECK=1` (the test command does)
//! so that the build does not refresh the committed file first.

#[test]
fn committed_header_is_up_to_date() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/erpauth.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/erpauth.h");
    let committed = std::fs::read_to_string(path).expect("include/erpauth.h exists");
    assert!(
        committed == generated,
        "include/erpauth.h is stale: run `cargo build` (without ERPAUTH_HEADER_CHECK) and commit it"
    );
}
