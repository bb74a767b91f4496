//! The records behind `has_ai_seat`: AI Bridge interceptions, workspaces and their builds.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AibridgeInterceptions {
    Table,
    Id,
    InitiatorId,
    Provider,
    Model,
    StartedAt,
}

#[derive(DeriveIden)]
enum Workspaces {
    Table,
    Id,
    OrganizationId,
    OwnerId,
    Name,
    /// `lower(name)` for live workspaces, `NULL` once deleted.
    NameKey,
    Deleted,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkspaceBuilds {
    Table,
    Id,
    WorkspaceId,
    BuildNumber,
    Transition,
    HasAiTask,
    InitiatorId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AibridgeInterceptions::Table)
                    .col(pk_uuid(AibridgeInterceptions::Id))
                    .col(uuid(AibridgeInterceptions::InitiatorId))
                    .col(string(AibridgeInterceptions::Provider))
                    .col(string(AibridgeInterceptions::Model))
                    .col(big_integer(AibridgeInterceptions::StartedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("aibridge_interceptions_initiator_id_fkey")
                            .from(
                                AibridgeInterceptions::Table,
                                AibridgeInterceptions::InitiatorId,
                            )
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // AI seats by user.
        manager
            .create_index(
                Index::create()
                    .name("aibridge_interceptions_initiator_id_idx")
                    .table(AibridgeInterceptions::Table)
                    .col(AibridgeInterceptions::InitiatorId)
                    .to_owned(),
            )
            .await?;
        // Newest first.
        manager
            .create_index(
                Index::create()
                    .name("aibridge_interceptions_started_at_idx")
                    .table(AibridgeInterceptions::Table)
                    .col(AibridgeInterceptions::StartedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Workspaces::Table)
                    .col(pk_uuid(Workspaces::Id))
                    .col(uuid(Workspaces::OrganizationId))
                    .col(uuid(Workspaces::OwnerId))
                    .col(string(Workspaces::Name))
                    .col(string_null(Workspaces::NameKey))
                    .col(boolean(Workspaces::Deleted))
                    .col(big_integer(Workspaces::CreatedAt))
                    .col(big_integer(Workspaces::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("workspaces_organization_id_fkey")
                            .from(Workspaces::Table, Workspaces::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("workspaces_owner_id_fkey")
                            .from(Workspaces::Table, Workspaces::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A live workspace's name is unique per owner; also the lookup of an owner's workspaces.
        manager
            .create_index(
                Index::create()
                    .name("workspaces_owner_name_idx")
                    .table(Workspaces::Table)
                    .col(Workspaces::OwnerId)
                    .col(Workspaces::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("workspaces_organization_id_idx")
                    .table(Workspaces::Table)
                    .col(Workspaces::OrganizationId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WorkspaceBuilds::Table)
                    .col(pk_uuid(WorkspaceBuilds::Id))
                    .col(uuid(WorkspaceBuilds::WorkspaceId))
                    .col(integer(WorkspaceBuilds::BuildNumber))
                    .col(string(WorkspaceBuilds::Transition))
                    .col(boolean(WorkspaceBuilds::HasAiTask))
                    .col(uuid(WorkspaceBuilds::InitiatorId))
                    .col(big_integer(WorkspaceBuilds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("workspace_builds_workspace_id_fkey")
                            .from(WorkspaceBuilds::Table, WorkspaceBuilds::WorkspaceId)
                            .to(Workspaces::Table, Workspaces::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("workspace_builds_initiator_id_fkey")
                            .from(WorkspaceBuilds::Table, WorkspaceBuilds::InitiatorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Builds of a workspace in order; the backstop against two builds with one number.
        manager
            .create_index(
                Index::create()
                    .name("workspace_builds_workspace_number_idx")
                    .table(WorkspaceBuilds::Table)
                    .col(WorkspaceBuilds::WorkspaceId)
                    .col(WorkspaceBuilds::BuildNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // AI seats: whether a workspace has any build with an AI task.
        manager
            .create_index(
                Index::create()
                    .name("workspace_builds_workspace_ai_idx")
                    .table(WorkspaceBuilds::Table)
                    .col(WorkspaceBuilds::WorkspaceId)
                    .col(WorkspaceBuilds::HasAiTask)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkspaceBuilds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Workspaces::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AibridgeInterceptions::Table).to_owned())
            .await?;
        Ok(())
    }
}
