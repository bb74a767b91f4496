//! Each user's site roles and each membership's organization roles, also kept on the row itself
//! as one comma-separated list, so a page of members or users reads them as columns.
//!
//! `user_site_roles` and `organization_member_roles` stay the record that authorization reads;
//! the store rewrites a list in the transaction that changes its rows. Aggregating the roles per
//! row in correlated subqueries cost PostgreSQL a fifth to two fifths of a member page. Role names
//! never contain a comma.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    SiteRoleList,
}

#[derive(DeriveIden)]
enum OrganizationMembers {
    Table,
    RoleList,
}

/// Fills the new columns from the role tables (the order within a list doesn't matter).
const BACKFILL: [&str; 2] = [
    "UPDATE users SET site_role_list = COALESCE((SELECT string_agg(r.role, ',') \
     FROM user_site_roles r WHERE r.user_id = users.id), '')",
    "UPDATE organization_members SET role_list = COALESCE((SELECT string_agg(r.role, ',') \
     FROM organization_member_roles r WHERE r.organization_id = organization_members.organization_id \
     AND r.user_id = organization_members.user_id), '')",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string(Users::SiteRoleList).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OrganizationMembers::Table)
                    .add_column(string(OrganizationMembers::RoleList).default(""))
                    .to_owned(),
            )
            .await?;
        for sql in BACKFILL {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OrganizationMembers::Table)
                    .drop_column(OrganizationMembers::RoleList)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::SiteRoleList)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
