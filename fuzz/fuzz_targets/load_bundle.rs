//! Fuzzes the bundle loader: any bytes must give `Ok` or `Err`, never a panic, an abort
//! or an allocation above the limits; whatever loads must predict without panicking.
#![no_main]

mod probe;

// Link the model crate so its estimators are in the typetag registry the loader uses.
use driftwatch_models as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = driftwatch_persist::from_bytes(data) {
        probe::probe(&bundle);
    }
});
