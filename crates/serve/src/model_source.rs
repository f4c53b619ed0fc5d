//! Where the served model comes from: a bundle file (`--model`) or the version a stage
//! of a model store points at (`--store --name --stage`), optionally only when its
//! detached signature verifies with a trusted key (`--verify-key`).
//!
//! The same [`ModelSource::load`] runs at start and on every reload, so a bundle the
//! server would refuse to start with is refused as a replacement too. Loading goes
//! through persist's own checks ([`driftwatch_persist::load`] or, with a key,
//! [`driftwatch_persist::load_signed`]); this module adds no verifier of its own.

use std::fmt;
use std::path::PathBuf;

use driftwatch_persist::store::{Selector, check_name, check_stage};
use driftwatch_persist::{ModelRef, Store, VerifyingKey};

use crate::error::{Error, Result};
use crate::state::Model;

/// The stage served when none is named.
pub const DEFAULT_STAGE: &str = "production";

/// Where the bundle is, as configured (never from a request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelLocation {
    /// A bundle file, re-read from the same path on reload.
    File(PathBuf),
    /// The version `stage` of model `name` points at in the store at `dir`.
    Store {
        /// The store directory.
        dir: PathBuf,
        /// The model's name in the store.
        name: String,
        /// The stage to follow, e.g. `production`.
        stage: String,
    },
}

impl From<PathBuf> for ModelLocation {
    fn from(p: PathBuf) -> Self {
        ModelLocation::File(p)
    }
}

impl From<&std::path::Path> for ModelLocation {
    fn from(p: &std::path::Path) -> Self {
        ModelLocation::File(p.to_path_buf())
    }
}

impl From<&str> for ModelLocation {
    fn from(p: &str) -> Self {
        ModelLocation::File(p.into())
    }
}

impl fmt::Display for ModelLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelLocation::File(p) => write!(f, "{}", p.display()),
            ModelLocation::Store { dir, name, stage } => {
                write!(f, "{name}@{stage} from model store {}", dir.display())
            }
        }
    }
}

/// A loaded model and where exactly it came from.
#[derive(Debug)]
pub struct Loaded {
    /// The model, ready to serve.
    pub model: Model,
    /// The bundle file that was read.
    pub path: PathBuf,
    /// The store version the stage pointed at (store sources only).
    pub store_version: Option<String>,
}

/// A configured location plus the key its bundles must be signed with, if any.
#[derive(Clone)]
pub struct ModelSource {
    location: ModelLocation,
    key: Option<VerifyingKey>,
}

impl fmt::Debug for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelSource")
            .field("location", &self.location)
            .field("signed", &self.key.is_some())
            .finish()
    }
}

impl ModelSource {
    /// Checks the store name and stage (so a typo fails at start, not at the first
    /// reload) and reads the public key `--verify-key` names.
    pub fn new(location: ModelLocation, verify_key: Option<&std::path::Path>) -> Result<Self> {
        if let ModelLocation::Store { name, stage, .. } = &location {
            let bad = |source| Error::Model {
                context: format!("--store model {name}@{stage}"),
                source: Box::new(source),
            };
            check_name(name).map_err(bad)?;
            check_stage(stage).map_err(bad)?;
        }
        let key = verify_key
            .map(|p| {
                driftwatch_persist::read_verifying_key(p).map_err(|source| Error::Model {
                    context: "reading --verify-key".into(),
                    source: Box::new(source),
                })
            })
            .transpose()?;
        Ok(ModelSource { location, key })
    }

    /// Where the bundle is.
    pub fn location(&self) -> &ModelLocation {
        &self.location
    }

    /// The store version the stage points at now (cheap: reads `stages.json` and lists
    /// the model's directory); `None` for a bundle file, which has no pointer to watch.
    pub fn pointer(&self) -> Result<Option<String>> {
        match &self.location {
            ModelLocation::File(_) => Ok(None),
            ModelLocation::Store { dir, name, stage } => {
                Self::resolve(dir, name, stage).map(|(_, v)| Some(v))
            }
        }
    }

    fn resolve(dir: &std::path::Path, name: &str, stage: &str) -> Result<(Store, String)> {
        let store = Store::new(dir);
        let r = ModelRef {
            name: name.into(),
            selector: Selector::Stage(stage.into()),
        };
        let version = store.resolve(&r).map_err(|source| Error::Model {
            context: format!("resolving {name}@{stage} in model store {}", dir.display()),
            source: Box::new(source),
        })?;
        Ok((store, version))
    }

    /// Loads the bundle the location names now, with every check of persist's loader
    /// and, with a key, only if its detached signature verifies.
    pub fn load(&self) -> Result<Loaded> {
        let (path, store_version) = match &self.location {
            ModelLocation::File(p) => (p.clone(), None),
            ModelLocation::Store { dir, name, stage } => {
                let (store, version) = Self::resolve(dir, name, stage)?;
                let shown = store
                    .show(&ModelRef {
                        name: name.clone(),
                        selector: Selector::Version(version.clone()),
                    })
                    .map_err(|source| Error::Model {
                        context: format!(
                            "reading {name}@{version} in model store {}",
                            dir.display()
                        ),
                        source: Box::new(source),
                    })?;
                (shown.path, Some(version))
            }
        };
        let bundle = match &self.key {
            None => driftwatch_persist::load(&path).map_err(|source| Error::Bundle {
                path: path.clone(),
                source: Box::new(source),
            })?,
            Some(key) => {
                driftwatch_persist::load_signed(&path, key).map_err(|source| Error::Model {
                    context: format!("loading signed model bundle {}", path.display()),
                    source: Box::new(source),
                })?
            }
        };
        Ok(Loaded {
            model: Model {
                header: bundle.header,
                pipeline: bundle.pipeline,
            },
            path,
            store_version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_names_and_stages_are_checked_before_any_file_is_read() {
        let bad = ModelSource::new(
            ModelLocation::Store {
                dir: "nowhere".into(),
                name: "../etc".into(),
                stage: DEFAULT_STAGE.into(),
            },
            None,
        );
        assert!(
            matches!(&bad, Err(Error::Model { context, .. }) if context.contains("../etc")),
            "{bad:?}"
        );
        let bad_stage = ModelSource::new(
            ModelLocation::Store {
                dir: "nowhere".into(),
                name: "iris".into(),
                stage: "Prod/x".into(),
            },
            None,
        );
        assert!(bad_stage.is_err());
    }

    #[test]
    fn a_missing_store_model_is_named_in_the_error() -> Result<()> {
        let dir = tempfile::tempdir().map_err(Error::Runtime)?;
        let s = ModelSource::new(
            ModelLocation::Store {
                dir: dir.path().into(),
                name: "iris".into(),
                stage: DEFAULT_STAGE.into(),
            },
            None,
        )?;
        let e = s.pointer().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            e.starts_with("resolving iris@production in model store") && e.contains("no model"),
            "{e}"
        );
        assert_eq!(
            ModelLocation::from("m.dwm").to_string(),
            "m.dwm",
            "a file location prints as its path"
        );
        assert_eq!(ModelSource::new("m.dwm".into(), None)?.pointer()?, None);
        Ok(())
    }
}
