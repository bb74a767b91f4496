//! Rank marks: how many members follow a keyset cursor, without counting them one by one.
//!
//! `organizations.members_version` is bumped in the same `UPDATE` as `member_count`, by every
//! change to an organization's set of members. `organization_member_marks` holds every n-th
//! member key in order (`roster-store` chooses n) with the number of members after it and the
//! version it was computed at, so a mark whose version is the organization's current one is exact.
//! The store rebuilds the marks; this migration only makes room for them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    MembersVersion,
}

#[derive(DeriveIden)]
enum OrganizationMemberMarks {
    Table,
    OrganizationId,
    /// A member's `lower(username)`, as in `organization_members.username_key`.
    UsernameKey,
    /// The organization's `members_version` when the mark was computed.
    MembersVersion,
    /// How many members' keys sort after this one.
    MembersAfter,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .add_column(big_integer(Organizations::MembersVersion).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganizationMemberMarks::Table)
                    .col(uuid(OrganizationMemberMarks::OrganizationId))
                    .col(string(OrganizationMemberMarks::UsernameKey))
                    .col(big_integer(OrganizationMemberMarks::MembersVersion))
                    .col(big_integer(OrganizationMemberMarks::MembersAfter))
                    .primary_key(
                        Index::create()
                            .name("organization_member_marks_pkey")
                            .col(OrganizationMemberMarks::OrganizationId)
                            .col(OrganizationMemberMarks::UsernameKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("organization_member_marks_organization_id_fkey")
                            .from(
                                OrganizationMemberMarks::Table,
                                OrganizationMemberMarks::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(OrganizationMemberMarks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organizations::Table)
                    .drop_column(Organizations::MembersVersion)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
