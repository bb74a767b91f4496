//! Turns off `fastupdate` on the trigram indexes of `m20261127_000006_create_search_indexes`.
//!
//! With it on, rows inserted in bulk wait in an unsorted pending list that every search scans
//! until the next vacuum: a search over 100,000 freshly seeded members took ten times longer.
//! Off, each insert updates the index in place, and searches cost the same whenever they run.
//! `VACUUM` would flush an existing pending list but can't run inside a migration's transaction;
//! autovacuum does it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const INDEXES: [&str; 3] = [
    "users_username_key_trgm_idx",
    "users_email_key_trgm_idx",
    "users_name_key_trgm_idx",
];

/// `ALTER INDEX IF EXISTS` for each index: they are missing where `pg_trgm` was unavailable.
fn alter(setting: &str) -> String {
    INDEXES
        .iter()
        .map(|i| format!("ALTER INDEX IF EXISTS {i} SET ({setting});\n"))
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&alter("fastupdate = off"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&alter("fastupdate = on"))
                .await?;
        }
        Ok(())
    }
}
