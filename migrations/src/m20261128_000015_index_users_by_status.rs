//! Live users by status, in username order, on both databases.
//!
//! Coder's users page asks for `status:active` by default. Without this index the count of a
//! status read every user row, and a page of a rare status walked the username index past every
//! user of the others. The index is partial, like the live-user lookups: a deleted user's
//! `username_key` is `NULL`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = "CREATE INDEX IF NOT EXISTS users_status_username_key_idx \
     ON users (status, username_key) WHERE username_key IS NOT NULL";

const DOWN: &str = "DROP INDEX IF EXISTS users_status_username_key_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
