//! Substring search (`search:`, bare words and `name:` in `q`) backed by trigram indexes on
//! PostgreSQL. The store searches with `LIKE '%term%'` on the lower-cased key columns, which
//! `pg_trgm`'s GIN operator class can answer from the index.
//!
//! `pg_trgm` ships with PostgreSQL and is a trusted extension, so a database owner may create it.
//! Where it can't be created (no privilege, package missing) the migration still succeeds and
//! search falls back to a scan: correct, only slower. SQLite has no equivalent; there the migration
//! does nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = r#"
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is unavailable (%): substring search will not be index-backed', SQLERRM;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS users_username_key_trgm_idx
            ON users USING gin (username_key gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS users_email_key_trgm_idx
            ON users USING gin (email_key gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS users_name_key_trgm_idx
            ON users USING gin (name_key gin_trgm_ops);
    END IF;
END
$$;
"#;

// The extension stays: other schemas in the database may use it.
const DOWN: &str = r#"
DROP INDEX IF EXISTS users_name_key_trgm_idx;
DROP INDEX IF EXISTS users_email_key_trgm_idx;
DROP INDEX IF EXISTS users_username_key_trgm_idx;
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
