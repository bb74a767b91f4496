//! Each membership also holds its user's `email_key`, beside the `username_key` it already
//! copies, and on PostgreSQL one trigram index over the two, so a member search finds the
//! organization's matching memberships in one index scan.
//!
//! Looked up in `users_search_key_trgm_idx`, every matching user then needed a probe of the
//! membership key, and every row of the page a second lookup of its membership: three quarters of
//! the buffers a search read. Usernames and emails never change once a user exists, and
//! memberships are deleted with their user, so the copies are written once, with the membership.
//! Where `pg_trgm` is missing no index is created, as in `m20261127_000006_create_search_indexes`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum OrganizationMembers {
    Table,
    EmailKey,
}

/// Copies every member's key from their user row.
const BACKFILL: &str = "UPDATE organization_members SET email_key = \
     (SELECT u.email_key FROM users u WHERE u.id = organization_members.user_id)";

const INDEX_UP: &str = r#"
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS organization_members_search_key_trgm_idx
            ON organization_members
            USING gin ((username_key || ' ' || COALESCE(email_key, '')) gin_trgm_ops)
            WITH (fastupdate = off);
    END IF;
END
$$;
"#;

const INDEX_DOWN: &str = "DROP INDEX IF EXISTS organization_members_search_key_trgm_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OrganizationMembers::Table)
                    .add_column(
                        ColumnDef::new(OrganizationMembers::EmailKey)
                            .string()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(BACKFILL).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(INDEX_UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(INDEX_DOWN)
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(OrganizationMembers::Table)
                    .drop_column(OrganizationMembers::EmailKey)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
