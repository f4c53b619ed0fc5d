//! `bench-inputs DIR`: writes the drift benches' inputs to DIR for
//! `cargo xtask bench --vs-python` (see the library's `write_inputs`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: bench-inputs DIR");
        return ExitCode::from(2);
    };
    let dir = std::path::PathBuf::from(dir);
    match driftwatch_benches::write_inputs(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write the bench inputs to {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
