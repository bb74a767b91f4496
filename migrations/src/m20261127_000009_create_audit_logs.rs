//! The audit log: one row per audited change or failed audited request.
//!
//! No foreign keys: entries outlive what they name (users and organizations are soft-deleted,
//! custom roles are deleted for real) and must never block or cascade a change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuditLogs {
    Table,
    Id,
    /// Microseconds since the Unix epoch.
    Time,
    /// The acting user, `NULL` for the operator's command line.
    UserId,
    /// The organization the entry belongs to, `NULL` for site-wide resources.
    OrganizationId,
    Action,
    ResourceType,
    ResourceId,
    ResourceTarget,
    /// `lower(resource_target)`, for the free-text search.
    ResourceTargetKey,
    /// Coder's `AuditDiff` as JSON text.
    Diff,
    StatusCode,
    RequestId,
    Ip,
    UserAgent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLogs::Table)
                    .col(pk_uuid(AuditLogs::Id))
                    .col(big_integer(AuditLogs::Time))
                    .col(uuid_null(AuditLogs::UserId))
                    .col(uuid_null(AuditLogs::OrganizationId))
                    .col(string(AuditLogs::Action))
                    .col(string(AuditLogs::ResourceType))
                    .col(uuid(AuditLogs::ResourceId))
                    .col(string(AuditLogs::ResourceTarget))
                    .col(string(AuditLogs::ResourceTargetKey))
                    .col(text(AuditLogs::Diff))
                    .col(integer(AuditLogs::StatusCode))
                    .col(string(AuditLogs::RequestId))
                    .col(string(AuditLogs::Ip))
                    .col(text(AuditLogs::UserAgent))
                    .to_owned(),
            )
            .await?;
        // The list: newest first.
        manager
            .create_index(
                Index::create()
                    .name("audit_logs_time_idx")
                    .table(AuditLogs::Table)
                    .col((AuditLogs::Time, IndexOrder::Desc))
                    .col((AuditLogs::Id, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        // Organization auditors and `organization:`.
        manager
            .create_index(
                Index::create()
                    .name("audit_logs_organization_time_idx")
                    .table(AuditLogs::Table)
                    .col(AuditLogs::OrganizationId)
                    .col((AuditLogs::Time, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        // `username:`.
        manager
            .create_index(
                Index::create()
                    .name("audit_logs_user_time_idx")
                    .table(AuditLogs::Table)
                    .col(AuditLogs::UserId)
                    .col((AuditLogs::Time, IndexOrder::Desc))
                    .to_owned(),
            )
            .await?;
        // `resource_type:` with or without `action:`.
        manager
            .create_index(
                Index::create()
                    .name("audit_logs_resource_action_time_idx")
                    .table(AuditLogs::Table)
                    .col(AuditLogs::ResourceType)
                    .col(AuditLogs::Action)
                    .col((AuditLogs::Time, IndexOrder::Desc))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLogs::Table).to_owned())
            .await
    }
}
