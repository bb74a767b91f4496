//! Bulk data for benchmarks: an organization with many members, inserted with multi-row
//! statements in batches, each batch in one transaction, instead of one round trip per member.

use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::user::{LoginType, UserStatus};
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::begin_write;
use crate::convert::micros;
use crate::entity::{
    aibridge_interceptions as ai, organization_members as om, organizations, users,
};
use crate::error::db_err;
use crate::marks::next_members_version;
use crate::users::add_to_user_count;

/// Users per multi-row `INSERT`: 17 columns each stays well under both databases' limits on
/// bound parameters (SQLite 32,766, PostgreSQL 65,535).
const BATCH: usize = 500;

/// Creates `n` active password users and makes them members of `org`, in batches.
///
/// Usernames are `u<6-digit index>-<8 hex digits of the organization id>` (so `q=u0001` matches
/// 100 of 100,000 members), emails `<username>@example.com`. Returns the new users' ids in index
/// order. `NotFound` if the organization doesn't exist.
pub async fn seed_members(
    db: &DatabaseConnection,
    org: OrganizationId,
    n: usize,
    at: OffsetDateTime,
) -> RepoResult<Vec<UserId>> {
    let org_hex = org.0.simple().to_string();
    let suffix = &org_hex[org_hex.len() - 8..];
    let at = micros(at);
    let mut ids = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        let batch: Vec<(UserId, String)> = (start..end)
            .map(|i| (UserId::new_v7(), format!("u{i:06}-{suffix}")))
            .collect();
        let tx = begin_write(db).await?;
        let bumped = organizations::Entity::update_many()
            .col_expr(
                organizations::Column::MemberCount,
                Expr::col(organizations::Column::MemberCount)
                    .add(i64::try_from(batch.len()).unwrap_or(i64::MAX)),
            )
            .col_expr(
                organizations::Column::MembersVersion,
                next_members_version(),
            )
            .filter(organizations::Column::Id.eq(org.0))
            .filter(organizations::Column::Deleted.eq(false))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if bumped.rows_affected == 0 {
            return Err(RepoError::NotFound {
                entity: "organization",
            });
        }
        add_to_user_count(&tx, i64::try_from(batch.len()).unwrap_or(i64::MAX)).await?;
        users::Entity::insert_many(batch.iter().map(|(id, username)| {
            users::Model {
                id: id.0,
                username: username.clone(),
                username_key: Some(username.clone()),
                email: seed_email(username),
                email_key: Some(seed_email(username)),
                name: format!("Seed user {username}"),
                name_key: format!("seed user {username}"),
                avatar_url: String::new(),
                hashed_password: None,
                status: UserStatus::Active.as_str().to_owned(),
                login_type: LoginType::Password.as_str().to_owned(),
                is_service_account: false,
                github_com_user_id: None,
                deleted: false,
                created_at: at,
                updated_at: at,
                last_seen_at: 0,
                site_role_list: String::new(),
            }
            .into_active_model()
        }))
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        om::Entity::insert_many(batch.iter().map(|(id, username)| {
            om::Model {
                organization_id: org.0,
                user_id: id.0,
                username_key: username.clone(),
                email_key: Some(seed_email(username)),
                created_at: at,
                updated_at: at,
                role_list: String::new(),
            }
            .into_active_model()
        }))
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        ids.extend(batch.into_iter().map(|(id, _)| id));
        start = end;
    }
    analyze(
        db,
        &[
            "users",
            "organization_members",
            "organization_member_roles",
            "user_site_roles",
        ],
    )
    .await?;
    // Count after a cursor from marks at once, rather than after the first deep page.
    crate::marks::refresh(db, org).await?;
    Ok(ids)
}

/// Records one AI Bridge interception by each of `users`, in batches, so that each of them holds
/// an AI seat.
pub async fn seed_ai_interceptions(
    db: &DatabaseConnection,
    users: &[UserId],
    at: OffsetDateTime,
) -> RepoResult<()> {
    let at = micros(at);
    for batch in users.chunks(BATCH) {
        ai::Entity::insert_many(batch.iter().map(|user| {
            ai::Model {
                id: Uuid::now_v7(),
                initiator_id: user.0,
                provider: "anthropic".into(),
                model: "seed".into(),
                started_at: at,
            }
            .into_active_model()
        }))
        .exec_without_returning(db)
        .await
        .map_err(db_err)?;
    }
    analyze(db, &["aibridge_interceptions"]).await
}

/// Fresh statistics, so the planner picks the indexes right away rather than after autovacuum;
/// on PostgreSQL also a vacuum, which marks the new pages all-visible so counts are index-only
/// scans instead of visiting every row of the heap.
async fn analyze(db: &DatabaseConnection, tables: &[&str]) -> RepoResult<()> {
    let maintenance = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "VACUUM (ANALYZE)",
        _ => "ANALYZE",
    };
    for table in tables {
        db.execute_unprepared(&format!("{maintenance} {table}"))
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// A seeded user's email (already lower case, as its key).
fn seed_email(username: &str) -> String {
    format!("{username}@example.com")
}
