//! Roster's storage: sea-orm adapters implementing the ports of `roster-domain`, on SQLite (the
//! embedded default) and PostgreSQL (production), with the same behaviour on both.
//!
//! Design:
//! - One adapter type, [`SeaStore`], implements every port; the server wraps it in `Arc<dyn …>`.
//! - sea-orm entities are private (`entity`); rows become domain values at the edge.
//! - `DbErr` becomes `RepoError` in one place (`error`): unique violations are `Conflict` on the
//!   field their constraint protects, identified by constraint name, never a panic or a 500.
//! - Multi-step writes are transactions. Time and ids are arguments; nothing here reads a clock
//!   or asks the database for an id.
//! - Lists are filtered in SQL: the `q` search and `roster-rbac`'s prepared [`RowFilter`] become
//!   the `WHERE` clause (`query`). Pages order by the lower-cased username from an index, page
//!   with a keyset cursor, and take a fixed number of statements whatever their size.
//! - Audited changes write their audit entry (`audit::write_entry`) in their own transaction,
//!   with the diff of the rows they read before and after the change.
//! - Every adapter method has a `debug` span; its error is recorded at `debug` too, because a
//!   `NotFound` or `Conflict` is an answer, not a failure: the HTTP edge logs what is one.
//! - This crate must never depend on `roster-rbac`, `roster-http` or the server. The schema lives
//!   in the `migrations` crate, which never imports these entities.
//!
//! Start reading at [`SeaStore`] and the port implementations in `users`, `organizations`,
//! `members`, `roles`, `api_keys`, `ai` and `audit`.
//!
//! [`RowFilter`]: roster_domain::filter::RowFilter

mod ai;
mod api_keys;
mod audit;
mod convert;
mod entity;
mod epoch;
mod error;
mod marks;
mod members;
mod organizations;
mod query;
mod roles;
pub mod seed;
mod users;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use roster_domain::RepoResult;
use roster_domain::ids::OrganizationId;
use roster_domain::ports::{AuthzEpoch, StoreHealth};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub use crate::error::StoreError;

/// The sea-orm adapter: every port of `roster-domain` over one connection pool.
///
/// Cloning is cheap: clones share the pool.
#[derive(Debug, Clone)]
pub struct SeaStore {
    db: DatabaseConnection,
    /// `None` when background maintenance is off.
    marks: Option<Arc<marks::RefreshSchedule>>,
    /// On PostgreSQL, started by the first read of the authorization epoch.
    epoch: Arc<OnceLock<epoch::EpochReader>>,
}

impl SeaStore {
    /// An adapter over a connection from [`connect`], with the schema migrated.
    pub fn new(db: DatabaseConnection) -> Self {
        SeaStore {
            db,
            marks: Some(Arc::default()),
            epoch: Arc::default(),
        }
    }

    /// This adapter without background maintenance: marks are rebuilt only by
    /// [`SeaStore::refresh_member_marks`]. For tests and tools that must know when writes happen.
    pub fn without_background_maintenance(mut self) -> Self {
        self.marks = None;
        self
    }

    /// Rebuilds the rank marks that count the members after a keyset cursor in `org`, unless they
    /// are current (see `marks`). The store does this by itself in the background; bulk loads call
    /// it so the first deep page is already cheap. Returns whether it rebuilt them.
    pub async fn refresh_member_marks(&self, org: OrganizationId) -> RepoResult<bool> {
        marks::refresh(&self.db, org).await
    }

    /// Checks the marks of `org` in the background, if this replica hasn't lately.
    fn refresh_member_marks_later(&self, org: OrganizationId) {
        let Some(schedule) = &self.marks else {
            return;
        };
        if !schedule.due(org, Instant::now()) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let db = self.db.clone();
        runtime.spawn(async move {
            if let Err(error) = marks::refresh(&db, org).await {
                tracing::warn!(%error, organization = %org.0, "refreshing member marks failed");
            }
        });
    }

    /// The underlying connection.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
    /// (`IMMEDIATE`), so two writers queue on the busy timeout instead of one failing when it
    /// upgrades from reading to writing; PostgreSQL ignores the mode.
    async fn write_tx(&self) -> RepoResult<DatabaseTransaction> {
        begin_write(&self.db).await
    }
}

/// Increments the authorization epoch inside `tx` (see `roster_domain::ports::AuthzEpoch`).
/// Every write that changes what someone may do calls it before committing.
pub(crate) async fn bump_authz_epoch(tx: &DatabaseTransaction) -> RepoResult<()> {
    let stmt = Query::update()
        .table(Alias::new("authz_epoch"))
        .value(Alias::new("value"), Expr::col(Alias::new("value")).add(1))
        .and_where(Expr::col(Alias::new("singleton")).eq(1))
        .to_owned();
    tx.execute(&stmt).await.map(|_| ()).map_err(error::db_err)
}

#[async_trait]
impl AuthzEpoch for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn authz_epoch(&self) -> RepoResult<i64> {
        if self.db.get_database_backend() == DbBackend::Postgres {
            let reader = self.epoch.get_or_init(|| {
                let options = self.db.get_postgres_connection_pool().connect_options();
                epoch::EpochReader::start(options)
            });
            if let Some(epoch) = reader.read().await {
                return Ok(epoch);
            }
        }
        let stmt = Query::select()
            .column(Alias::new("value"))
            .from(Alias::new("authz_epoch"))
            .and_where(Expr::col(Alias::new("singleton")).eq(1))
            .to_owned();
        match self.db.query_one(&stmt).await.map_err(error::db_err)? {
            Some(row) => row.try_get("", "value").map_err(error::db_err),
            None => Err(roster_domain::RepoError::NotFound {
                entity: "authz_epoch",
            }),
        }
    }
}

/// See [`SeaStore::write_tx`].
pub(crate) async fn begin_write(db: &DatabaseConnection) -> RepoResult<DatabaseTransaction> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
    .map_err(error::db_err)
}

/// How long an SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A pooled connection idle at least this long is pinged before it is handed out.
const POOL_PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// Opens a connection pool for a `sqlite:` or `postgres:` URL.
///
/// SQLite files are created when missing and run with foreign keys on, write-ahead logging and a
/// busy timeout. An in-memory SQLite database (`sqlite::memory:`) lives in its one connection, so
/// its pool has exactly one connection that is never recycled.
pub async fn connect(url: &str) -> Result<DatabaseConnection, StoreError> {
    connect_with(url, DEFAULT_MAX_CONNECTIONS).await
}

/// The pool size [`connect`] uses.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// Like [`connect`], with at most `max_connections` pooled connections (an in-memory SQLite
/// database always has exactly one).
pub async fn connect_with(
    url: &str,
    max_connections: u32,
) -> Result<DatabaseConnection, StoreError> {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.sqlx_logging(false)
        .max_connections(Ord::max(max_connections, 1))
        // SQLx pings a connection on every checkout by default: a round trip per statement.
        // Only a connection idle long enough to have been dropped by the server or a proxy is
        // worth checking; a dead hot connection fails its statement, which reports the fault.
        .test_before_acquire_if_idle_for(POOL_PING_AFTER_IDLE);
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        opt.map_sqlx_sqlite_opts(move |o| {
            let o = o.foreign_keys(true).busy_timeout(SQLITE_BUSY_TIMEOUT);
            if in_memory {
                o
            } else {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
            }
        });
        if in_memory {
            opt.max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
    }
    Database::connect(opt).await.map_err(StoreError::Connect)
}

#[async_trait]
impl StoreHealth for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn ping(&self) -> RepoResult<()> {
        self.db.ping().await.map_err(error::db_err)
    }
}
