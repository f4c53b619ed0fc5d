//! `driftwatch`: train, package and watch tabular ML models. The whole CLI is the
//! library's [`driftwatch_cli::main`], so a binary with more plugins is these lines
//! plus `use its_plugin_crate as _;` (examples/custom-detector).

fn main() -> std::process::ExitCode {
    driftwatch_cli::main()
}
