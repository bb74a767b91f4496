//! Logging: the only place a `tracing` subscriber is installed.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, LogSettings};

/// Installs the subscriber: `RUST_LOG` if set, else the configured filter.
pub(crate) fn init(settings: &LogSettings) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .map_err(|e| anyhow::anyhow!("invalid log.filter {:?}: {e}", settings.filter))?;
    let registry = tracing_subscriber::registry().with(filter);
    match settings.format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()?,
        LogFormat::Text => registry.with(tracing_subscriber::fmt::layer()).try_init()?,
    }
    Ok(())
}
