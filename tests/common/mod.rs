//! Helpers the binary's integration tests share: run `accessgraph` in the
//! repository root and read what it printed.
#![allow(dead_code, reason = "each test crate uses a subset")]
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::path::PathBuf;
use std::process::Command;

/// The repository root
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in the repository root; returns (exit code, stdout, stderr)
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accessgraph"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs the binary on a snapshot file
pub fn on_file(snapshot: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--snapshot", snapshot];
    all.extend_from_slice(args);
    run(&all)
}

/// Runs the binary on a bundled fixture's snapshot (`cookbook`, `acme`)
pub fn on(fixture: &str, args: &[&str]) -> (i32, String, String) {
    on_file(&format!("fixtures/{fixture}/snapshot.json"), args)
}
