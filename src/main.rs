//! The `accessgraph` command: parse the command line, dispatch, map the
//! outcome to an exit code (0 allowed / no findings, 1 denied / findings,
//! 2 error). Everything else lives in the library and `cli`.

mod cli;

// Reading and compiling policies allocates many small strings; mimalloc
// makes that markedly cheaper than the system allocator (see README,
// Performance).
// `--features system-alloc` leaves it out, for heap profilers.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code.into(),
        // A reader that stopped early (`| head`) is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<csv::Error>().is_some_and(|ce| {
                        matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
                    })
            }) =>
        {
            ExitCode::from(0)
        }
        Err(e) => {
            // One clear message naming the file and the place inside it.
            eprintln!("error: {e:#}");
            cli::Exit::Error.into()
        }
    }
}
