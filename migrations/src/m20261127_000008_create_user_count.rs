//! A maintained count of live users, so the unfiltered users list counts without scanning.
//!
//! One row, updated in the same transaction as every user creation and deletion. It serializes
//! those (rare) writes on one row, and makes `GET /users` as cheap at 100,000 users as at ten.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum UserCount {
    Table,
    /// Always 1.
    Singleton,
    Live,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Deleted,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserCount::Table)
                    .col(integer(UserCount::Singleton).primary_key())
                    .col(big_integer(UserCount::Live))
                    .check(Expr::col(UserCount::Singleton).eq(1))
                    .to_owned(),
            )
            .await?;
        // Start from the users that already exist.
        let live = Query::select()
            .expr(Expr::val(1))
            .expr(Expr::col(Asterisk).count())
            .from(Users::Table)
            .and_where(Expr::col(Users::Deleted).eq(false))
            .to_owned();
        let insert = Query::insert()
            .into_table(UserCount::Table)
            .columns([UserCount::Singleton, UserCount::Live])
            .select_from(live)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserCount::Table).to_owned())
            .await?;
        Ok(())
    }
}
