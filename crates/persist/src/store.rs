//! A versioned model store in a plain directory.
//!
//! ```text
//! STORE/
//!   NAME/
//!     1.2.0/model.dwm        the bundle, never changed once pushed
//!     1.2.0/model.dwm.sig    its detached signature, when the pushed bundle had one
//!     stages.json            {"production": "1.2.0", "staging": "1.3.0-rc.1"}
//! ```
//!
//! Names, versions and stages are validated before they become path components (no
//! separators, no `..`, nothing hidden), so a reference cannot reach outside the store.
//! Pushes are safe to run concurrently: a version is assembled in a private temporary
//! directory and renamed into place in one step, and the rename fails if another push of
//! the same version won. Stage changes are read-modify-write of `stages.json` under a lock
//! file, written atomically.

use std::cmp::Ordering as CmpOrdering;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::codec;
use crate::error::{Error, Result};
use crate::file::write_atomic;
use crate::header::{BundleHeader, is_semver};
use crate::limits::Limits;
use crate::sign::signature_path;

/// File name of a stored bundle inside its version directory.
const BUNDLE_FILE: &str = "model.dwm";
/// The stage -> version map of a model.
const STAGES_FILE: &str = "stages.json";
/// Held while `stages.json` is rewritten.
const LOCK_FILE: &str = ".lock";
/// How long to wait for the lock before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// A lock older than this was left by a crashed process and is broken.
const LOCK_STALE: Duration = Duration::from_secs(60);

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A model store rooted at a directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// What a reference `NAME[@VERSION|@STAGE]` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The newest version (semantic-version order).
    Latest,
    /// One version.
    Version(String),
    /// The version a stage points at.
    Stage(String),
}

/// A parsed, validated `NAME[@VERSION|@STAGE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    /// The model name.
    pub name: String,
    /// Which version.
    pub selector: Selector,
}

impl ModelRef {
    /// Parses `NAME`, `NAME@1.2.0` or `NAME@production`; a part after `@` that starts
    /// with a digit is a version, otherwise a stage.
    pub fn parse(s: &str) -> Result<ModelRef> {
        let (name, rest) = match s.split_once('@') {
            Some((n, r)) => (n, Some(r)),
            None => (s, None),
        };
        check_name(name)?;
        let selector = match rest {
            None => Selector::Latest,
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => {
                check_version(r)?;
                Selector::Version(r.to_string())
            }
            Some(r) => {
                check_stage(r)?;
                Selector::Stage(r.to_string())
            }
        };
        Ok(ModelRef {
            name: name.to_string(),
            selector,
        })
    }
}

/// One stored version.
#[derive(Debug, Clone, Serialize)]
pub struct StoredVersion {
    /// Model name in the store.
    pub name: String,
    /// Version in the store.
    pub version: String,
    /// Stages pointing at this version.
    pub stages: Vec<String>,
    /// Path of the stored bundle.
    pub path: PathBuf,
    /// Size of the bundle in bytes.
    pub size: u64,
    /// Whether a detached signature is stored with it.
    pub signed: bool,
    /// The bundle's header.
    pub header: BundleHeader,
}

/// A model with its versions (oldest first) and stages.
#[derive(Debug, Clone, Serialize)]
pub struct StoredModel {
    /// Model name.
    pub name: String,
    /// Versions, in semantic-version order.
    pub versions: Vec<String>,
    /// Stage -> version.
    pub stages: BTreeMap<String, String>,
}

impl Store {
    /// A store at `root`; the directory is created by the first push.
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// The store directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn err(&self, detail: impl Into<String>) -> Error {
        Error::Store {
            store: self.root.display().to_string(),
            detail: detail.into(),
        }
    }

    fn io(&self, action: &'static str, at: &Path) -> impl FnOnce(std::io::Error) -> Error {
        let file = at.display().to_string();
        move |source| Error::Io {
            action,
            file,
            source,
        }
    }

    /// Adds the bundle at `file` (checked: header and payload checksums) as
    /// `name@version`, defaulting to the name and version in its header; its `.sig`, if
    /// present, is stored with it. A version is immutable: pushing it again is an error.
    pub fn push(
        &self,
        file: &Path,
        name: Option<&str>,
        version: Option<&str>,
    ) -> Result<StoredVersion> {
        let bytes = read_file(file)?;
        let header = codec::verify_bytes(&bytes, &Limits::default(), &file.display().to_string())?;
        let name = name.unwrap_or(&header.name);
        let version = version.unwrap_or(&header.version);
        check_name(name)?;
        check_version(version)?;
        let sig = match fs::read(signature_path(file)) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(self.io("read", &signature_path(file))(e)),
        };
        let model_dir = self.root.join(name);
        fs::create_dir_all(&model_dir).map_err(self.io("create", &model_dir))?;
        let dest = model_dir.join(version);
        if dest.exists() {
            return Err(self.already(name, version));
        }
        let tmp = model_dir.join(format!(
            ".push-{}-{}",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let staged = (|| -> Result<()> {
            fs::create_dir(&tmp).map_err(self.io("create", &tmp))?;
            write_synced(&tmp.join(BUNDLE_FILE), &bytes)?;
            if let Some(sig) = &sig {
                write_synced(&signature_path(&tmp.join(BUNDLE_FILE)), sig)?;
            }
            sync_dir(&tmp);
            Ok(())
        })();
        // rename(2) of a directory onto an existing non-empty one fails, so of two
        // concurrent pushes of one version exactly one lands.
        let moved = staged.and_then(|()| match fs::rename(&tmp, &dest) {
            Ok(()) => Ok(()),
            Err(_) if dest.join(BUNDLE_FILE).exists() => Err(self.already(name, version)),
            Err(e) => Err(self.io("rename into place", &dest)(e)),
        });
        if let Err(e) = moved {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        sync_dir(&model_dir);
        self.show(&ModelRef {
            name: name.into(),
            selector: Selector::Version(version.into()),
        })
    }

    fn already(&self, name: &str, version: &str) -> Error {
        self.err(format!(
            "{name}@{version} is already in the store and versions never change; push it as a new version"
        ))
    }

    /// Every model in the store, sorted by name.
    pub fn list(&self) -> Result<Vec<StoredModel>> {
        let entries = match fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("list", &self.root)(e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| check_name(n).is_ok())
            .collect();
        names.sort();
        names.iter().map(|n| self.model(n)).collect()
    }

    /// One model's versions and stages.
    pub fn model(&self, name: &str) -> Result<StoredModel> {
        check_name(name)?;
        let dir = self.root.join(name);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(self.err(format!(
                    "no model named '{name}'; `driftwatch models list` shows what is stored"
                )));
            }
            Err(e) => return Err(self.io("list", &dir)(e)),
        };
        let mut versions: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join(BUNDLE_FILE).is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|v| is_semver(v))
            .collect();
        versions.sort_by(|a, b| semver_cmp(a, b));
        Ok(StoredModel {
            name: name.into(),
            versions,
            stages: self.stages(name)?,
        })
    }

    fn stages(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let path = self.root.join(name).join(STAGES_FILE);
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| {
                self.err(format!(
                    "{} is damaged ({e}); fix or delete it and promote again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.io("read", &path)(e)),
        }
    }

    /// The version a reference resolves to.
    pub fn resolve(&self, r: &ModelRef) -> Result<String> {
        let m = self.model(&r.name)?;
        let version = match &r.selector {
            Selector::Latest => m
                .versions
                .last()
                .cloned()
                .ok_or_else(|| self.err(format!("model '{}' has no versions", r.name)))?,
            Selector::Version(v) => v.clone(),
            Selector::Stage(s) => m.stages.get(s).cloned().ok_or_else(|| {
                self.err(format!(
                    "model '{}' has no stage '{s}' (stages: {}); promote a version first",
                    r.name,
                    if m.stages.is_empty() {
                        "none".to_string()
                    } else {
                        m.stages.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ))
            })?,
        };
        if !m.versions.contains(&version) {
            return Err(self.err(format!(
                "'{}' has no version {version} (versions: {})",
                r.name,
                m.versions.join(", ")
            )));
        }
        Ok(version)
    }

    /// The stored version a reference points at, with its header.
    pub fn show(&self, r: &ModelRef) -> Result<StoredVersion> {
        let version = self.resolve(r)?;
        let path = self.root.join(&r.name).join(&version).join(BUNDLE_FILE);
        let header = crate::read_header(&path)?;
        let size = fs::metadata(&path)
            .map_err(self.io("read the size of", &path))?
            .len();
        let stages = self
            .stages(&r.name)?
            .into_iter()
            .filter(|(_, v)| *v == version)
            .map(|(s, _)| s)
            .collect();
        Ok(StoredVersion {
            name: r.name.clone(),
            signed: signature_path(&path).is_file(),
            version,
            stages,
            path,
            size,
            header,
        })
    }

    /// Points `stage` of model `name` at `version` (which must be stored).
    pub fn promote(&self, name: &str, version: &str, stage: &str) -> Result<StoredVersion> {
        check_name(name)?;
        check_version(version)?;
        check_stage(stage)?;
        let r = ModelRef {
            name: name.into(),
            selector: Selector::Version(version.into()),
        };
        self.resolve(&r)?;
        let dir = self.root.join(name);
        let _lock = Lock::acquire(&dir.join(LOCK_FILE), self)?;
        let mut stages = self.stages(name)?;
        stages.insert(stage.into(), version.into());
        let json = serde_json::to_vec_pretty(&stages).map_err(|e| self.err(e.to_string()))?;
        write_atomic(&dir.join(STAGES_FILE), &json)?;
        self.show(&r)
    }

    /// Copies the bundle a reference points at to `out` (atomically, checked first), with
    /// its signature as `out.sig` when it has one (a stale `out.sig` is removed).
    pub fn pull(&self, r: &ModelRef, out: &Path) -> Result<StoredVersion> {
        let v = self.show(r)?;
        let bytes = read_file(&v.path)?;
        codec::verify_bytes(&bytes, &Limits::default(), &v.path.display().to_string())?;
        let out_sig = signature_path(out);
        if v.signed {
            let sig = fs::read(signature_path(&v.path))
                .map_err(self.io("read", &signature_path(&v.path)))?;
            write_atomic(out, &bytes)?;
            write_atomic(&out_sig, &sig)?;
        } else {
            write_atomic(out, &bytes)?;
            match fs::remove_file(&out_sig) {
                Err(e) if e.kind() != ErrorKind::NotFound => {
                    return Err(self.io("remove the stale signature", &out_sig)(e));
                }
                _ => {}
            }
        }
        Ok(v)
    }
}

/// A lock file held while it exists; removed on drop.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn acquire(path: &Path, store: &Store) -> Result<Lock> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Lock { path: path.into() });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > LOCK_STALE);
                    if stale {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if start.elapsed() > LOCK_WAIT {
                        return Err(store.err(format!(
                            "{} is held by another driftwatch; if none is running, delete it",
                            path.display()
                        )));
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(store.io("create the lock file", path)(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let limits = Limits::default();
    let max = (codec::PRELUDE_LEN as u64)
        .saturating_add(limits.max_header_bytes)
        .saturating_add(limits.max_payload_bytes);
    let io = |action: &'static str| {
        let file = path.display().to_string();
        move |source| Error::Io {
            action,
            file,
            source,
        }
    };
    let len = fs::metadata(path).map_err(io("open"))?.len();
    if len > max {
        return Err(Error::TooLarge {
            file: path.display().to_string(),
            part: "file",
            size: len,
            limit: max,
            field: "max_payload_bytes",
        });
    }
    fs::read(path).map_err(io("read"))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |action: &'static str| {
        let file = path.display().to_string();
        move |source| Error::Io {
            action,
            file,
            source,
        }
    };
    let mut f = File::create(path).map_err(io("create"))?;
    f.write_all(bytes).map_err(io("write"))?;
    f.sync_all().map_err(io("sync"))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn bad_ref(detail: String) -> Error {
    Error::Store {
        store: "reference".into(),
        detail,
    }
}

/// Model names: 1 to 64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit (so no
/// `..`, no hidden files, no separators).
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(bad_ref(format!(
            "'{name}' is not a valid model name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )))
    }
}

/// Versions: a semantic version of at most 64 characters.
pub fn check_version(version: &str) -> Result<()> {
    if version.len() <= 64 && is_semver(version) {
        Ok(())
    } else {
        Err(bad_ref(format!(
            "'{version}' is not a semantic version like 1.2.0 or 2.0.0-rc.1"
        )))
    }
}

/// Stages: 1 to 32 of `a-z 0-9 _ -`, starting with a letter.
pub fn check_stage(stage: &str) -> Result<()> {
    let ok = (1..=32).contains(&stage.len())
        && stage.starts_with(|c: char| c.is_ascii_lowercase())
        && stage
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(bad_ref(format!(
            "'{stage}' is not a valid stage: use 1-32 lower-case letters, digits, '_' or '-', starting with a letter (e.g. production)"
        )))
    }
}

/// Semantic-version precedence (build metadata ignored, then compared as text so the
/// order is total).
pub fn semver_cmp(a: &str, b: &str) -> CmpOrdering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>, &str) {
        let (rest, build) = v.split_once('+').unwrap_or((v, ""));
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        (
            core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
            pre,
            build,
        )
    }
    let (ca, pa, ba) = split(a);
    let (cb, pb, bb) = split(b);
    ca.cmp(&cb)
        .then_with(|| match (pa, pb) {
            (None, None) => CmpOrdering::Equal,
            (None, Some(_)) => CmpOrdering::Greater,
            (Some(_), None) => CmpOrdering::Less,
            (Some(x), Some(y)) => {
                let (mut xs, mut ys) = (x.split('.'), y.split('.'));
                loop {
                    match (xs.next(), ys.next()) {
                        (None, None) => break CmpOrdering::Equal,
                        (None, Some(_)) => break CmpOrdering::Less,
                        (Some(_), None) => break CmpOrdering::Greater,
                        (Some(p), Some(q)) => {
                            let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                                (Ok(m), Ok(n)) => m.cmp(&n),
                                (Ok(_), Err(_)) => CmpOrdering::Less,
                                (Err(_), Ok(_)) => CmpOrdering::Greater,
                                (Err(_), Err(_)) => p.cmp(q),
                            };
                            if o != CmpOrdering::Equal {
                                break o;
                            }
                        }
                    }
                }
            }
        })
        .then_with(|| ba.cmp(bb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_versions_and_stages_cannot_escape_the_store() {
        for bad in [
            "", "..", ".", ".hidden", "a/b", "a\\b", "../x", "-x", "a b", "é",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_name(&"a".repeat(65)).is_err());
        for ok in ["iris", "churn-model", "m.v2", "A_1"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["..", "1.0", "1.0.0/..", "../1.0.0", "1.0.0-a/b"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
        for bad in ["", "Production", "prod/x", "..", "1st"] {
            assert!(check_stage(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_parse_into_versions_and_stages() {
        let r = ModelRef::parse("iris@1.2.0").unwrap();
        assert_eq!(r.selector, Selector::Version("1.2.0".into()));
        let r = ModelRef::parse("iris@production").unwrap();
        assert_eq!(r.selector, Selector::Stage("production".into()));
        assert_eq!(ModelRef::parse("iris").unwrap().selector, Selector::Latest);
        assert!(ModelRef::parse("../etc@1.0.0").is_err());
        assert!(ModelRef::parse("iris@1.0").is_err());
        assert!(ModelRef::parse("iris@../../x").is_err());
    }

    #[test]
    fn semver_precedence_follows_the_spec() {
        let mut v = vec![
            "1.0.0",
            "1.0.0-rc.1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "0.9.0",
            "1.10.0",
            "1.2.0",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
        ];
        v.sort_by(|a, b| semver_cmp(a, b));
        assert_eq!(
            v,
            [
                "0.9.0",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0",
                "1.2.0",
                "1.10.0"
            ]
        );
    }
}
