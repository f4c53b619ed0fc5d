//! `driftwatch models`: the versioned model store (`driftwatch_persist::Store`).

use std::fmt::Write as _;

use anyhow::{Context, Result};
use driftwatch_persist::store::StoredVersion;
use driftwatch_persist::{Error as PersistError, ModelRef, Store};

use crate::args::{ModelsAction, ModelsArgs};
use crate::output::{Format, emit, print_json};

pub fn run(a: &ModelsArgs) -> Result<i32> {
    // The text output, printed at the end (JSON is printed where it is made).
    let mut out = String::new();
    let store = Store::new(&a.store);
    let at = || format!("model store {}", a.store.display());
    match &a.action {
        ModelsAction::Push {
            model,
            name,
            version,
        } => {
            let file = model.path()?;
            let v = store
                .push(file, name.as_deref(), version.as_deref())
                .with_context(|| format!("pushing {} to {}", file.display(), at()))?;
            report(&mut out, &v, a.format, "pushed")?;
        }
        ModelsAction::List => {
            let models = store.list().with_context(at)?;
            match a.format {
                Format::Json => print_json(&models)?,
                Format::Text => {
                    if models.is_empty() {
                        let _ = writeln!(out, "{} holds no models", a.store.display());
                    }
                    for m in &models {
                        let stages: Vec<String> =
                            m.stages.iter().map(|(s, v)| format!("{s}={v}")).collect();
                        let _ = writeln!(
                            out,
                            "{:<24} versions: {:<30} stages: {}",
                            m.name,
                            m.versions.join(", "),
                            if stages.is_empty() {
                                "-".into()
                            } else {
                                stages.join(", ")
                            }
                        );
                    }
                }
            }
        }
        ModelsAction::Show { reference } => {
            let r = ModelRef::parse(reference)?;
            if r.selector == driftwatch_persist::store::Selector::Latest && a.format == Format::Text
            {
                let m = store.model(&r.name).with_context(at)?;
                let _ = writeln!(out, "{}: versions {}", m.name, m.versions.join(", "));
                for (s, v) in &m.stages {
                    let _ = writeln!(out, "  {s} -> {v}");
                }
            }
            let v = store.show(&r).with_context(at)?;
            report(&mut out, &v, a.format, "model")?;
        }
        ModelsAction::Promote { reference, stage } => {
            let r = ModelRef::parse(reference)?;
            let driftwatch_persist::store::Selector::Version(version) = &r.selector else {
                anyhow::bail!(
                    "promote needs NAME@VERSION with an exact version (e.g. iris@1.2.0), got '{reference}'"
                );
            };
            let v = store.promote(&r.name, version, stage).with_context(at)?;
            report(&mut out, &v, a.format, &format!("promoted to {stage}"))?;
        }
        ModelsAction::Pull {
            reference,
            output: to,
            verify_key,
        } => {
            let r = ModelRef::parse(reference)?;
            let v = match verify_key {
                None => store
                    .pull(&r, to)
                    .with_context(|| format!("pulling {reference} from {}", at()))?,
                Some(k) => {
                    let key = driftwatch_persist::read_verifying_key(k)
                        .context("reading --verify-key")?;
                    store.pull_verified(&r, to, &key).map_err(|e| {
                        let refused = matches!(
                            e,
                            PersistError::Unsigned { .. } | PersistError::BadSignature { .. }
                        );
                        anyhow::Error::new(e).context(if refused {
                            format!(
                                "refusing to pull {reference} from {}: nothing was written to {}",
                                at(),
                                to.display()
                            )
                        } else {
                            format!("pulling {reference} from {}", at())
                        })
                    })?
                }
            };
            let verified = verify_key.is_some();
            match a.format {
                Format::Json => print_json(&serde_json::json!({
                    "name": v.name, "version": v.version, "out": to, "signed": v.signed,
                    "signature_verified": verified,
                }))?,
                Format::Text => {
                    let _ = writeln!(
                        out,
                        "pulled {}@{} -> {}{}",
                        v.name,
                        v.version,
                        to.display(),
                        match (verified, v.signed) {
                            (true, _) => " (signature verified, with .sig)",
                            (false, true) => " (with .sig)",
                            (false, false) => "",
                        }
                    );
                }
            }
        }
    }
    if !out.is_empty() {
        emit(&out, None, "the store's answer")?;
    }
    Ok(0)
}

/// One stored version: JSON printed, text appended to `out`.
fn report(out: &mut String, v: &StoredVersion, format: Format, what: &str) -> Result<()> {
    match format {
        Format::Json => print_json(v)?,
        Format::Text => {
            let _ = writeln!(out, "{what}: {}@{}", v.name, v.version);
            let _ = writeln!(out, "  path:     {}", v.path.display());
            let _ = writeln!(out, "  size:     {} bytes", v.size);
            let _ = writeln!(out, "  signed:   {}", if v.signed { "yes" } else { "no" });
            let _ = writeln!(
                out,
                "  stages:   {}",
                if v.stages.is_empty() {
                    "-".into()
                } else {
                    v.stages.join(", ")
                }
            );
            let _ = writeln!(
                out,
                "  bundle:   {} {} (created {})",
                v.header.name, v.header.version, v.header.created_at
            );
            for (k, m) in &v.header.training_metrics {
                let _ = writeln!(out, "  metric:   {k} = {m:.4}");
            }
        }
    }
    Ok(())
}
