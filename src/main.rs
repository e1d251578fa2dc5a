//! The `accessgraph` command: parse the command line, dispatch, map the
//! outcome to an exit code (0 allowed / no findings, 1 denied / findings,
//! 2 error). Everything else lives in the library and `cli`.

mod cli;

// Reading and compiling policies allocates many small strings; mimalloc
// makes that markedly cheaper than the system allocator (see README,
// Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(e) => {
            // One clear message naming the file and the place inside it.
            eprintln!("error: {e:#}");
            cli::Exit::Error.into()
        }
    }
}
