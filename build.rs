//! Link settings of the shared library; nothing is generated here (the header is
//! regenerated on purpose with `cargo xtask header`).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A SONAME: a host that loaded the library by its full path (the .NET binding's
    // ERPAUTH_LIBRARY_PATH, a NuGet runtimes/ folder copied as is) has later lookups of
    // the bare name `liberpauth.so` bind to that same copy instead of failing or loading
    // a second one (which would keep a second last-error per thread).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liberpauth.so");
    }
}
