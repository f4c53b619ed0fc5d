//! The exit codes of `driftwatch` (README, "Exit codes"; docs/OUTPUT.md). A script can
//! tell "the check ran and found something" (1) from "the check could not run" (2).

/// Success: the command ran and, where it checks something, found nothing to report.
pub const OK: u8 = 0;

/// The command ran and what it checked failed: `validate` found invalid rows, a
/// `check-deploy` check failed, or `--fail-on-drift` / `--fail-on-data-issue` /
/// `--fail-on-alert` was given and something fired.
pub const FOUND: u8 = 1;

/// The command could not run: bad usage, or input that cannot be read or used (a
/// missing file, a malformed table, a damaged bundle or reference, a refused option).
pub const ERROR: u8 = 2;
