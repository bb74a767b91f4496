//! Reading the authorization epoch, which every request on every server does first.
//!
//! Through the pool a read costs a checkout and two round trips, because sqlx pings every
//! connection it takes back. On PostgreSQL an [`EpochReader`] task instead keeps a connection of
//! its own and answers everyone waiting with one read. A caller waits for the next read that
//! starts after it asked, so the value it gets includes every change committed before it asked,
//! exactly as a read of its own would. Under load, callers that arrive during a read share the
//! next one.
//!
//! When the reader's connection fails or hangs (5 s), its waiters read through the pool instead,
//! and the next read connects again.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection};
use tokio::sync::{mpsc, oneshot};
use tokio::time::timeout;

/// How long the reader waits to connect or to read before its waiters go through the pool, whose
/// own timeouts then apply; a hung connection is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The most callers one read answers; the rest wait for the next.
const MAX_BATCH: usize = 1024;

/// What a waiter gets: the epoch, or word that the reader could not read it.
type Answer = Option<i64>;

/// The handle of a running reader task; the task ends when the last handle is dropped.
#[derive(Debug)]
pub(crate) struct EpochReader {
    asks: mpsc::UnboundedSender<oneshot::Sender<Answer>>,
}

impl EpochReader {
    /// Starts the reader task on the current runtime.
    pub(crate) fn start(options: Arc<PgConnectOptions>) -> Self {
        let (asks, waiting) = mpsc::unbounded_channel();
        tokio::spawn(serve(options, waiting));
        EpochReader { asks }
    }

    /// The epoch as of a read that started after this call, or `None` if the reader failed (the
    /// caller then reads it another way).
    pub(crate) async fn read(&self) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.asks.send(answer).ok()?;
        answered.await.ok().flatten()
    }
}

/// The reader loop: wait for a caller, take everyone who has asked by now, read once, answer all.
async fn serve(
    options: Arc<PgConnectOptions>,
    mut waiting: mpsc::UnboundedReceiver<oneshot::Sender<Answer>>,
) {
    let mut conn: Option<PgConnection> = None;
    let mut batch = Vec::new();
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let epoch = read_once(&options, &mut conn).await;
        for answer in batch.drain(..) {
            // A caller that stopped waiting doesn't need the answer.
            let _ = answer.send(epoch);
        }
    }
    if let Some(conn) = conn {
        let _ = conn.close().await;
    }
}

/// One read on the reader's connection, connecting first if needed. On any failure the
/// connection is dropped, to be made again for the next read.
async fn read_once(options: &PgConnectOptions, conn: &mut Option<PgConnection>) -> Answer {
    if conn.is_none() {
        match timeout(READ_TIMEOUT, PgConnection::connect_with(options)).await {
            Ok(Ok(c)) => *conn = Some(c),
            Ok(Err(error)) => {
                tracing::warn!(%error, "the authorization epoch reader could not connect");
                return None;
            }
            Err(_) => {
                tracing::warn!("the authorization epoch reader timed out connecting");
                return None;
            }
        }
    }
    let c = conn.as_mut()?;
    let read = sqlx::query_scalar::<_, i64>("SELECT value FROM authz_epoch WHERE singleton = 1")
        .fetch_one(c);
    match timeout(READ_TIMEOUT, read).await {
        Ok(Ok(epoch)) => Some(epoch),
        Ok(Err(error)) => {
            tracing::warn!(%error, "the authorization epoch reader failed; reconnecting");
            *conn = None;
            None
        }
        Err(_) => {
            tracing::warn!("the authorization epoch reader timed out; reconnecting");
            *conn = None;
            None
        }
    }
}
