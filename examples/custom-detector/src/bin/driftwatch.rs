//! The full `driftwatch` CLI with this crate's `mean_shift` monitor linked in.
use custom_detector as _;
fn main() -> std::process::ExitCode {
    driftwatch_cli::main()
}
