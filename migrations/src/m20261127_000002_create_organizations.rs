//! Organizations, their members and the members' explicit organization roles.

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
    Name,
    /// `lower(name)` for live organizations, `NULL` once deleted.
    NameKey,
    DisplayName,
    Description,
    Icon,
    IsDefault,
    Deleted,
    /// The number of memberships, kept in the same transaction as every membership change so the
    /// unfiltered member list can count without scanning.
    MemberCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationMembers {
    Table,
    OrganizationId,
    UserId,
    /// The member's `lower(username)`, copied here so a member page is one range of one index.
    UsernameKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrganizationMemberRoles {
    Table,
    OrganizationId,
    UserId,
    Role,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(pk_uuid(Organizations::Id))
                    .col(string(Organizations::Name))
                    .col(string_null(Organizations::NameKey))
                    .col(string(Organizations::DisplayName))
                    .col(string(Organizations::Description))
                    .col(string(Organizations::Icon))
                    .col(boolean(Organizations::IsDefault))
                    .col(boolean(Organizations::Deleted))
                    .col(big_integer(Organizations::MemberCount).default(0))
                    .col(big_integer(Organizations::CreatedAt))
                    .col(big_integer(Organizations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("organizations_name_key_idx")
                    .table(Organizations::Table)
                    .col(Organizations::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // At most one default organization.
        manager
            .create_index(
                Index::create()
                    .name("organizations_single_default_idx")
                    .table(Organizations::Table)
                    .col(Organizations::IsDefault)
                    .unique()
                    .and_where(Expr::col(Organizations::IsDefault).eq(true))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationMembers::Table)
                    .col(uuid(OrganizationMembers::OrganizationId))
                    .col(uuid(OrganizationMembers::UserId))
                    .col(string(OrganizationMembers::UsernameKey))
                    .col(big_integer(OrganizationMembers::CreatedAt))
                    .col(big_integer(OrganizationMembers::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .name("organization_members_pkey")
                            .col(OrganizationMembers::OrganizationId)
                            .col(OrganizationMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("organization_members_organization_id_fkey")
                            .from(
                                OrganizationMembers::Table,
                                OrganizationMembers::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("organization_members_user_id_fkey")
                            .from(OrganizationMembers::Table, OrganizationMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The member page: one organization's members in username order.
        manager
            .create_index(
                Index::create()
                    .name("organization_members_org_username_idx")
                    .table(OrganizationMembers::Table)
                    .col(OrganizationMembers::OrganizationId)
                    .col(OrganizationMembers::UsernameKey)
                    .to_owned(),
            )
            .await?;
        // Memberships of one user.
        manager
            .create_index(
                Index::create()
                    .name("organization_members_user_id_idx")
                    .table(OrganizationMembers::Table)
                    .col(OrganizationMembers::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrganizationMemberRoles::Table)
                    .col(uuid(OrganizationMemberRoles::OrganizationId))
                    .col(uuid(OrganizationMemberRoles::UserId))
                    .col(string(OrganizationMemberRoles::Role))
                    .primary_key(
                        Index::create()
                            .name("organization_member_roles_pkey")
                            .col(OrganizationMemberRoles::OrganizationId)
                            .col(OrganizationMemberRoles::UserId)
                            .col(OrganizationMemberRoles::Role),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("organization_member_roles_member_fkey")
                            .from(
                                OrganizationMemberRoles::Table,
                                (
                                    OrganizationMemberRoles::OrganizationId,
                                    OrganizationMemberRoles::UserId,
                                ),
                            )
                            .to(
                                OrganizationMembers::Table,
                                (
                                    OrganizationMembers::OrganizationId,
                                    OrganizationMembers::UserId,
                                ),
                            )
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // `role:` filters on member lists, and removing a deleted custom role from every member.
        manager
            .create_index(
                Index::create()
                    .name("organization_member_roles_role_idx")
                    .table(OrganizationMemberRoles::Table)
                    .col(OrganizationMemberRoles::OrganizationId)
                    .col(OrganizationMemberRoles::Role)
                    .col(OrganizationMemberRoles::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(OrganizationMemberRoles::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OrganizationMembers::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Organizations::Table).to_owned())
            .await?;
        Ok(())
    }
}
