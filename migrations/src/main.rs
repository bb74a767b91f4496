//! `cargo run -p migrations -- up|down|status|fresh`: the sea-orm-migration CLI over [`migrations::Migrator`].
//! The database comes from `DATABASE_URL` (or `-u`).

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migrations::Migrator).await;
}
