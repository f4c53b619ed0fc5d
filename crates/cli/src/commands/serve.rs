//! `driftwatch serve`: turns the flags into a [`ServeConfig`] and runs the server of
//! `driftwatch-serve` (everything else lives there).

use std::time::Duration;

use anyhow::{Result, bail};
use driftwatch_serve::config::{DEFAULT_WATCH_INTERVAL, MonitorSettings};
use driftwatch_serve::model_source::DEFAULT_STAGE;
use driftwatch_serve::{Limits, ModelLocation, ServeConfig};

use crate::args::{ServeArgs, ServeModelArgs};
use crate::output::note;

pub fn run(a: &ServeArgs) -> Result<i32> {
    let config = config(a)?;
    driftwatch_serve::serve(&config, |addr| {
        note(&format!(
            "serving {} on http://{addr} (Ctrl-C to stop)",
            config.model
        ));
    })?;
    Ok(0)
}

/// The server's configuration from the flags.
fn config(a: &ServeArgs) -> Result<ServeConfig> {
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 86_400.0) {
        bail!("--timeout must be a number of seconds above 0 (at most a day)");
    }
    let mut c = ServeConfig::new(location(&a.model)?);
    c.verify_key = a.model.verify_key.clone();
    if let Some(s) = a.model.watch_interval {
        if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
            bail!("--watch-interval must be a number of seconds above 0 (at most a day)");
        }
        c.watch_interval = Duration::from_secs_f64(s);
    } else {
        c.watch_interval = DEFAULT_WATCH_INTERVAL;
    }
    c.listen = a.listen;
    c.log = a.log.clone();
    c.labels = a.labels.clone();
    c.token_file = a.token_file.clone();
    c.admin_token_file = a.admin_token_file.clone();
    c.insecure = a.insecure;
    c.limits = Limits {
        max_body_bytes: a.max_body_bytes,
        max_batch_rows: a.max_batch_rows,
        max_concurrent: a.max_concurrent,
        timeout: Duration::from_secs_f64(a.timeout),
    };
    c.monitor = match &a.reference {
        None => None,
        Some(reference) => Some(MonitorSettings {
            reference: reference.clone(),
            config: a.config.clone(),
            window: match (a.window, &a.every) {
                (None, None) => None,
                (rows, every) => Some(super::monitor::spec_of(rows, every.as_ref())?),
            },
            history: a.history.clone(),
            alert_webhook: a.alert_webhook.clone(),
        }),
    };
    Ok(c)
}

/// The bundle file, or the store stage (clap has made sure exactly one was given).
fn location(m: &ServeModelArgs) -> Result<ModelLocation> {
    if let Some(dir) = &m.store {
        let Some(name) = &m.name else {
            bail!("--store needs --name: the model's name in the store");
        };
        return Ok(ModelLocation::Store {
            dir: dir.clone(),
            name: name.clone(),
            stage: m.stage.clone().unwrap_or_else(|| DEFAULT_STAGE.into()),
        });
    }
    match m.flag.as_ref().or(m.positional.as_ref()) {
        Some(p) => Ok(ModelLocation::File(p.clone())),
        None => bail!("give the model as MODEL, --model MODEL or --store DIR --name NAME"),
    }
}
