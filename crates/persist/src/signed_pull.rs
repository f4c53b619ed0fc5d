//! Pulling from the model store only what a trusted key signed.

use std::path::Path;

use ed25519_dalek::VerifyingKey;

use crate::codec;
use crate::error::{Error, Result};
use crate::file::write_atomic;
use crate::limits::Limits;
use crate::sign::{check_signature, read_bounded, signature_path};
use crate::store::{ModelRef, Store, StoredVersion};

impl Store {
    /// [`Store::pull`], but only when the stored bundle's detached signature verifies
    /// with `key`: the stored file is read once, its signature and checksums are checked
    /// on those bytes, and the same bytes are written to `out` with the signature as
    /// `out.sig`. An unsigned, differently signed or tampered bundle is refused with
    /// [`Error::Unsigned`] or [`Error::BadSignature`] and nothing is written.
    pub fn pull_verified(
        &self,
        r: &ModelRef,
        out: &Path,
        key: &VerifyingKey,
    ) -> Result<StoredVersion> {
        let v = self.show(r)?;
        let limits = Limits::default();
        let bytes = read_bounded(&v.path, &limits)?;
        let sig = check_signature(&v.path, &bytes, key)?;
        codec::verify_bytes(&bytes, &limits, &v.path.display().to_string())?;
        let sig_json = serde_json::to_vec_pretty(&sig).map_err(|e| Error::Encode {
            file: signature_path(out).display().to_string(),
            detail: e.to_string(),
        })?;
        write_atomic(out, &bytes)?;
        write_atomic(&signature_path(out), &sig_json)?;
        Ok(v)
    }
}
