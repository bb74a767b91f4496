//! A counter of changes to who may do what, so servers can cache callers' compiled roles.
//!
//! One row, incremented in the same transaction as every change to roles, memberships, user
//! status, site roles, organizations and API key revocation. A server compares it with the value
//! its cached subject was built at; any change on any replica is therefore seen on the very next
//! request everywhere, for the price of reading one row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum AuthzEpoch {
    Table,
    /// Always 1.
    Singleton,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthzEpoch::Table)
                    .col(integer(AuthzEpoch::Singleton).primary_key())
                    .col(big_integer(AuthzEpoch::Value))
                    .check(Expr::col(AuthzEpoch::Singleton).eq(1))
                    .to_owned(),
            )
            .await?;
        let insert = Query::insert()
            .into_table(AuthzEpoch::Table)
            .columns([AuthzEpoch::Singleton, AuthzEpoch::Value])
            .values([1.into(), 0.into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthzEpoch::Table).to_owned())
            .await?;
        Ok(())
    }
}
