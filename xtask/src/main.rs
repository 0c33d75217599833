//! Repository tasks, run with `cargo xtask <task>` (an alias in
//! .cargo/config.toml).
//!
//! - `header`: regenerate include/erpauth.h from src/ffi;
//! - `header --check`: exit 1 if the committed header is not what cbindgen
//!   makes of the current source (tests/header.rs checks the same).

mod header;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the repository")
        .to_path_buf();
    let committed = root.join(header::COMMITTED);
    match args.as_slice() {
        ["header"] => {
            let text = header::generate(&root);
            if std::fs::read(&committed).ok().as_deref() == Some(&text[..]) {
                println!("{} is up to date", header::COMMITTED);
            } else {
                std::fs::write(&committed, &text)
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", committed.display()));
                println!("wrote {}", header::COMMITTED);
            }
            ExitCode::SUCCESS
        }
        ["header", "--check"] => {
            if std::fs::read(&committed).ok().as_deref() == Some(&header::generate(&root)[..]) {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "{} is stale: run `cargo xtask header` and commit it",
                    header::COMMITTED
                );
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: cargo xtask header [--check]");
            ExitCode::from(2)
        }
    }
}
