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

/// River's two flags after one update (`drift_detected`, `warning_detected`).
///
/// They are independent: River's EDDM keeps a warning raised earlier when it detects a
/// drift, and the two-sided HDDM tests can raise both at one update, so a [`Signal`]
/// (drift wins) does not say everything River's flags say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    /// River's `drift_detected`.
    pub drift: bool,
    /// River's `warning_detected`.
    pub warning: bool,
}

impl Flags {
    /// The signal of these flags: drift wins over warning.
    pub fn signal(self) -> Signal {
        if self.drift {
            Signal::Drift
        } else if self.warning {
            Signal::Warning
        } else {
            Signal::None
        }
    }
}

impl From<Signal> for Flags {
    fn from(s: Signal) -> Self {
        Flags {
            drift: s == Signal::Drift,
            warning: s == Signal::Warning,
        }
    }
}

/// A streaming change detector: O(1) or amortised O(log n) work per update, state
/// serialisable so a stream can resume exactly where it stopped.
#[typetag::serde(tag = "type")]
pub trait StreamDetector: Send + Sync + std::fmt::Debug {
    /// The registered name, e.g. `adwin`.
    fn name(&self) -> &str;
    /// Feeds one value.
    fn update(&mut self, x: f64) -> Signal;
    /// Feeds one value and returns both flags. Detectors that can raise a warning and a
    /// drift at once override this; the default derives the flags from [`Self::update`].
    fn update_flags(&mut self, x: f64) -> Flags {
        Flags::from(self.update(x))
    }
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

    #[test]
    fn flags_and_signals_convert() {
        let both = Flags {
            drift: true,
            warning: true,
        };
        assert_eq!(both.signal(), Signal::Drift);
        assert_eq!(Flags::from(Signal::Warning).signal(), Signal::Warning);
        assert_eq!(Flags::from(Signal::None), Flags::default());
        assert!(!Flags::from(Signal::Drift).warning);
    }
}
