//! `driftwatch serve`: turns the flags into a [`ServeConfig`] and runs the server of
//! `driftwatch-serve` (everything else lives there).

use std::time::Duration;

use anyhow::{Result, bail};
use driftwatch_serve::{Limits, ServeConfig, config::MonitorSettings};

use crate::args::ServeArgs;
use crate::output::note;

pub fn run(a: &ServeArgs) -> Result<i32> {
    let config = config(a)?;
    driftwatch_serve::serve(&config, |addr| {
        note(&format!(
            "serving {} on http://{addr} (Ctrl-C to stop)",
            config.model.display()
        ));
    })?;
    Ok(0)
}

/// The server's configuration from the flags.
fn config(a: &ServeArgs) -> Result<ServeConfig> {
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 86_400.0) {
        bail!("--timeout must be a number of seconds above 0 (at most a day)");
    }
    let mut c = ServeConfig::new(a.model.path()?);
    c.listen = a.listen;
    c.log = a.log.clone();
    c.labels = a.labels.clone();
    c.token_file = a.token_file.clone();
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
