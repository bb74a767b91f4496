//! Custom roles. Permissions are JSON text of `[{negate, resource_type, action}]`, one column per
//! level, so the same value reads back on SQLite and PostgreSQL.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CustomRoles {
    Table,
    Id,
    /// `NULL` for site-wide roles (not creatable through the API).
    OrganizationId,
    /// Always lower-case.
    Name,
    DisplayName,
    SitePermissions,
    OrgPermissions,
    UserPermissions,
    MemberPermissions,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CustomRoles::Table)
                    .col(pk_uuid(CustomRoles::Id))
                    .col(uuid_null(CustomRoles::OrganizationId))
                    .col(string(CustomRoles::Name))
                    .col(string(CustomRoles::DisplayName))
                    .col(text(CustomRoles::SitePermissions))
                    .col(text(CustomRoles::OrgPermissions))
                    .col(text(CustomRoles::UserPermissions))
                    .col(text(CustomRoles::MemberPermissions))
                    .col(big_integer(CustomRoles::CreatedAt))
                    .col(big_integer(CustomRoles::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("custom_roles_organization_id_fkey")
                            .from(CustomRoles::Table, CustomRoles::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A name is unique within its organization; also the lookup by (organization, name).
        manager
            .create_index(
                Index::create()
                    .name("custom_roles_org_name_idx")
                    .table(CustomRoles::Table)
                    .col(CustomRoles::OrganizationId)
                    .col(CustomRoles::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CustomRoles::Table).to_owned())
            .await?;
        Ok(())
    }
}
