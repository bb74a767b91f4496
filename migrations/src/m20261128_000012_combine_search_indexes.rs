//! One trigram index for `search:` instead of two, on PostgreSQL.
//!
//! A `search:` term matches the username or the email. Looked up in the two trigram indexes of
//! `m20261127_000006_create_search_indexes`, that was two index scans and a bitmap `OR` on every
//! search. The store now looks the term up in `username_key || ' ' || COALESCE(email_key, '')`,
//! which holds both, then checks the two columns exactly, so this one expression index serves the
//! lookup. The `name:` index stays. Where `pg_trgm` is missing nothing is created, as before.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = r#"
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS users_search_key_trgm_idx
            ON users USING gin ((username_key || ' ' || COALESCE(email_key, '')) gin_trgm_ops)
            WITH (fastupdate = off);
        DROP INDEX IF EXISTS users_username_key_trgm_idx;
        DROP INDEX IF EXISTS users_email_key_trgm_idx;
    END IF;
END
$$;
"#;

const DOWN: &str = r#"
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS users_username_key_trgm_idx
            ON users USING gin (username_key gin_trgm_ops) WITH (fastupdate = off);
        CREATE INDEX IF NOT EXISTS users_email_key_trgm_idx
            ON users USING gin (email_key gin_trgm_ops) WITH (fastupdate = off);
        DROP INDEX IF EXISTS users_search_key_trgm_idx;
    END IF;
END
$$;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(DOWN).await?;
        }
        Ok(())
    }
}
