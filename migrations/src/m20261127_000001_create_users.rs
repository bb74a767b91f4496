//! Users, their explicit site roles, and the first-user singleton.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    /// `lower(username)` for live users, `NULL` once deleted.
    UsernameKey,
    Email,
    /// `lower(email)` for live users with an email, else `NULL`.
    EmailKey,
    Name,
    /// `lower(name)`, for `name:` searches.
    NameKey,
    AvatarUrl,
    HashedPassword,
    Status,
    LoginType,
    IsServiceAccount,
    GithubComUserId,
    Deleted,
    CreatedAt,
    UpdatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum UserSiteRoles {
    Table,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum FirstUser {
    Table,
    Singleton,
    UserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string(Users::Username))
                    .col(string_null(Users::UsernameKey))
                    .col(string(Users::Email))
                    .col(string_null(Users::EmailKey))
                    .col(string(Users::Name))
                    .col(string(Users::NameKey))
                    .col(string(Users::AvatarUrl))
                    .col(string_null(Users::HashedPassword))
                    .col(string(Users::Status))
                    .col(string(Users::LoginType))
                    .col(boolean(Users::IsServiceAccount))
                    .col(big_integer_null(Users::GithubComUserId))
                    .col(boolean(Users::Deleted))
                    .col(big_integer(Users::CreatedAt))
                    .col(big_integer(Users::UpdatedAt))
                    .col(big_integer(Users::LastSeenAt))
                    .to_owned(),
            )
            .await?;
        // Unique among live users, and the order of every user list.
        manager
            .create_index(
                Index::create()
                    .name("users_username_key_idx")
                    .table(Users::Table)
                    .col(Users::UsernameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_email_key_idx")
                    .table(Users::Table)
                    .col(Users::EmailKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserSiteRoles::Table)
                    .col(uuid(UserSiteRoles::UserId))
                    .col(string(UserSiteRoles::Role))
                    .primary_key(
                        Index::create()
                            .name("user_site_roles_pkey")
                            .col(UserSiteRoles::UserId)
                            .col(UserSiteRoles::Role),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("user_site_roles_user_id_fkey")
                            .from(UserSiteRoles::Table, UserSiteRoles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // `role:` filters on the users list.
        manager
            .create_index(
                Index::create()
                    .name("user_site_roles_role_idx")
                    .table(UserSiteRoles::Table)
                    .col(UserSiteRoles::Role)
                    .col(UserSiteRoles::UserId)
                    .to_owned(),
            )
            .await?;

        // One row at most: inserting it is what makes creating the first user race-free.
        manager
            .create_table(
                Table::create()
                    .table(FirstUser::Table)
                    .col(integer(FirstUser::Singleton).primary_key())
                    .col(uuid(FirstUser::UserId))
                    .col(big_integer(FirstUser::CreatedAt))
                    .check(Expr::col(FirstUser::Singleton).eq(1))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FirstUser::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(UserSiteRoles::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await?;
        Ok(())
    }
}
