//! Configuration: built-in defaults < `roster.toml` (or `--config`) < environment variables
//! `ROSTER_<SECTION>__<KEY>`. Unknown keys and bad values stop the start with a message that
//! names the key.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use config::{Config, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The defaults, as the TOML an operator would write.
pub(crate) const DEFAULTS: &str = r#"
[http]
address = "127.0.0.1:3000"
secure_cookies = false

[database]
url = "sqlite://roster.db?mode=rwc"
migrate_on_start = true
max_connections = 0

[auth]
session_lifetime_hours = 24
max_token_lifetime_days = 30

[entitlements]
custom_roles = true
multiple_organizations = true
ai_governance_user_limit = 0

[log]
filter = "info"
format = "text"
"#;

/// Every setting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settings {
    /// The HTTP listener.
    pub(crate) http: HttpSettings,
    /// The database.
    pub(crate) database: DatabaseSettings,
    /// Sessions and tokens.
    pub(crate) auth: AuthSettings,
    /// Enabled features.
    pub(crate) entitlements: EntitlementSettings,
    /// Logging.
    pub(crate) log: LogSettings,
}

/// `[http]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HttpSettings {
    /// Where to listen, e.g. `127.0.0.1:3000`.
    pub(crate) address: SocketAddr,
    /// Mark the session cookie `Secure` (when served over HTTPS by a proxy).
    pub(crate) secure_cookies: bool,
}

/// `[database]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user:password@host/db`. Secret: it may hold a password.
    pub(crate) url: SecretString,
    /// Apply pending migrations when the server starts.
    pub(crate) migrate_on_start: bool,
    /// Pool size (PostgreSQL; SQLite uses it for readers); 0 sizes it from the machine, see
    /// [`DatabaseSettings::pool_size`].
    pub(crate) max_connections: u32,
}

impl DatabaseSettings {
    /// `max_connections`, or when it is 0 twice the CPUs this process may use, at least 4.
    ///
    /// A page is one short statement, so connections beyond what the CPUs can run only queue
    /// inside the database: on 2 cores, 16 connections under 16 concurrent member pages gave
    /// p99 25 ms where 4 gave 13 ms, at higher throughput.
    pub(crate) fn pool_size(&self) -> u32 {
        if self.max_connections > 0 {
            return self.max_connections;
        }
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        u32::try_from(cpus.saturating_mul(2))
            .unwrap_or(u32::MAX)
            .max(MIN_AUTO_POOL)
    }
}

/// The smallest pool [`DatabaseSettings::pool_size`] picks by itself.
const MIN_AUTO_POOL: u32 = 4;

/// `[auth]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthSettings {
    /// Lifetime of a session from `POST /users/login`, in hours.
    pub(crate) session_lifetime_hours: u32,
    /// Longest lifetime of a long-lived token, in days.
    pub(crate) max_token_lifetime_days: u32,
}

/// `[entitlements]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntitlementSettings {
    /// Custom role create, update and delete.
    pub(crate) custom_roles: bool,
    /// Organizations beyond the default one.
    pub(crate) multiple_organizations: bool,
    /// AI seats available; `0` disables AI seat tracking.
    pub(crate) ai_governance_user_limit: u64,
}

/// `[log]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogSettings {
    /// A `tracing` filter, e.g. `info,roster_store=debug`. `RUST_LOG` overrides it.
    pub(crate) filter: String,
    /// `text` or `json`.
    pub(crate) format: LogFormat,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl Settings {
    /// Loads the settings. `file` is `--config`; without it `roster.toml` is read if present.
    pub(crate) fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        Self::load_from(file, std::env::vars())
    }

    /// Loads the settings from the given environment (tests pass their own).
    pub(crate) fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Settings> {
        let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        builder = match file {
            Some(path) => {
                builder.add_source(File::from(path).format(FileFormat::Toml).required(true))
            }
            None => builder.add_source(File::new("roster.toml", FileFormat::Toml).required(false)),
        };
        // Only `ROSTER_<SECTION>__<KEY>` variables configure the server; other `ROSTER_*`
        // variables (the test harness's, say) are not configuration and are left alone.
        let vars: HashMap<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("ROSTER_") && k.contains("__"))
            .collect();
        builder = builder.add_source(
            Environment::with_prefix("ROSTER")
                .prefix_separator("_")
                .separator("__")
                .try_parsing(true)
                .source(Some(vars)),
        );
        let settings: Settings = builder
            .build()
            .context("reading the configuration")?
            .try_deserialize()
            .context("invalid configuration")?;
        Ok(settings)
    }

    /// The AI seat limit, when AI seat tracking is enabled.
    pub(crate) fn ai_seat_limit(&self) -> Option<u64> {
        (self.entitlements.ai_governance_user_limit > 0)
            .then_some(self.entitlements.ai_governance_user_limit)
    }
}

/// The database address with any password replaced, for logs.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl fmt::Display for Settings {
    /// The effective configuration, secrets redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "http.address={} http.secure_cookies={} database.url={} database.migrate_on_start={} \
             database.max_connections={} auth.session_lifetime_hours={} auth.max_token_lifetime_days={} \
             entitlements.custom_roles={} entitlements.multiple_organizations={} \
             entitlements.ai_governance_user_limit={} log.filter={:?} log.format={:?}",
            self.http.address,
            self.http.secure_cookies,
            redact_url(self.database.url.expose_secret()),
            self.database.migrate_on_start,
            self.database.pool_size(),
            self.auth.session_lifetime_hours,
            self.auth.max_token_lifetime_days,
            self.entitlements.custom_roles,
            self.entitlements.multiple_organizations,
            self.entitlements.ai_governance_user_limit,
            self.log.filter,
            self.log.format,
        )
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.http.address.to_string(), "127.0.0.1:3000");
        assert_eq!(
            s.database.url.expose_secret(),
            "sqlite://roster.db?mode=rwc"
        );
        assert!(s.entitlements.custom_roles);
        assert_eq!(s.ai_seat_limit(), None);
        assert_eq!(s.log.format, LogFormat::Text);
        // The pool follows the machine unless set.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let expected = u32::try_from(cpus * 2).unwrap().max(4);
        assert_eq!(s.database.max_connections, 0);
        assert_eq!(s.database.pool_size(), expected);
    }

    #[test]
    fn a_set_pool_size_is_kept() {
        let s =
            Settings::load_from(None, env(&[("ROSTER_DATABASE__MAX_CONNECTIONS", "3")])).unwrap();
        assert_eq!(s.database.pool_size(), 3);
    }

    #[test]
    fn file_overrides_defaults_and_env_overrides_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "[http]\naddress = \"0.0.0.0:8080\"\n[entitlements]\nai_governance_user_limit = 5"
        )
        .unwrap();
        let s = Settings::load_from(
            Some(file.path()),
            env(&[
                ("ROSTER_HTTP__ADDRESS", "127.0.0.1:9999"),
                ("ROSTER_LOG__FORMAT", "json"),
                ("ROSTER_TEST_PG_URL", "ignored: not configuration"),
            ]),
        )
        .unwrap();
        assert_eq!(s.http.address.to_string(), "127.0.0.1:9999");
        assert_eq!(s.ai_seat_limit(), Some(5));
        assert_eq!(s.log.format, LogFormat::Json);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let err = Settings::load_from(None, env(&[("ROSTER_HTTP__ADRESS", "x")])).unwrap_err();
        assert!(format!("{err:#}").contains("adress"), "{err:#}");
        let err = Settings::load_from(None, env(&[("ROSTER_LOG__FORMAT", "xml")])).unwrap_err();
        assert!(format!("{err:#}").contains("format"), "{err:#}");
        let err =
            Settings::load_from(None, env(&[("ROSTER_HTTP__ADDRESS", "nowhere")])).unwrap_err();
        assert!(format!("{err:#}").contains("address"), "{err:#}");
    }

    #[test]
    fn effective_configuration_hides_the_database_password() {
        let s = Settings::load_from(
            None,
            env(&[(
                "ROSTER_DATABASE__URL",
                "postgres://roster:hunter2@db:5432/roster",
            )]),
        )
        .unwrap();
        let shown = s.to_string();
        assert!(
            shown.contains("postgres://roster:***@db:5432/roster"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"));
    }
}
