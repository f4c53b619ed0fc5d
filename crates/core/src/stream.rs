//! Detectors that watch a stream one value at a time.

use serde::{Deserialize, Serialize};

/// What a detector says after a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// Nothing.
    None,
    /// The stream may be changing.
    Warning,
    /// A change was detected.
    Drift,
}

/// A streaming change detector: O(1) or amortised O(log n) work per update, state
/// serialisable so a stream can resume exactly where it stopped.
#[typetag::serde(tag = "type")]
pub trait StreamDetector: Send + Sync + std::fmt::Debug {
    /// The registered name, e.g. `adwin`.
    fn name(&self) -> &str;
    /// Feeds one value.
    fn update(&mut self, x: f64) -> Signal;
    /// Forgets everything seen.
    fn reset(&mut self);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_serialises_lowercase() {
        assert_eq!(serde_json::to_string(&Signal::Drift).unwrap(), "\"drift\"");
    }
}
