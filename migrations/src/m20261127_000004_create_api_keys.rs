//! API keys: session and long-lived tokens. Only a SHA-256 of the secret is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    /// The public 10-character id.
    Id,
    UserId,
    HashedSecret,
    /// `session` or `token`.
    Kind,
    LoginType,
    TokenName,
    CreatedAt,
    ExpiresAt,
    LastUsed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(string(ApiKeys::Id).primary_key())
                    .col(uuid(ApiKeys::UserId))
                    .col(blob(ApiKeys::HashedSecret))
                    .col(string(ApiKeys::Kind))
                    .col(string(ApiKeys::LoginType))
                    .col(string(ApiKeys::TokenName))
                    .col(big_integer(ApiKeys::CreatedAt))
                    .col(big_integer(ApiKeys::ExpiresAt))
                    .col(big_integer(ApiKeys::LastUsed))
                    .foreign_key(
                        ForeignKey::create()
                            .name("api_keys_user_id_fkey")
                            .from(ApiKeys::Table, ApiKeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_keys_user_id_idx")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await?;
        Ok(())
    }
}
