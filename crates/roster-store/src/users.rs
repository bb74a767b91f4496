//! [`UserRepo`] on [`SeaStore`].

use std::collections::HashMap;

use async_trait::async_trait;
use roster_domain::audit::{AuditStamp, NewAuditEntry};
use roster_domain::filter::RowFilter;
use roster_domain::ids::UserId;
use roster_domain::page::{PageOf, Pagination};
use roster_domain::ports::UserRepo;
use roster_domain::search::UserQuery;
use roster_domain::user::{NewUser, User, UserCredentials, UserStatus};
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, IntoCondition, Order, Query, SelectStatement,
    SubQueryStatement,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryResult, QuerySelect, StatementBuilder,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaStore;
use crate::audit::write_entry;
use crate::convert::{self, from_micros, key, micros, role_set};
use crate::entity::{
    api_keys, first_user, organization_member_roles as omr, organization_members as om,
    organizations, user_count, user_site_roles as usr, users,
};
use crate::error::{db_err, db_err_fk};
use crate::marks::next_members_version;
use crate::query::{ObjectOrg, Patterns, SearchKeys, and_cond, cursor_key, row_filter, user_query};

/// A stored user as a domain user.
pub(crate) fn user_from(m: users::Model, site_roles: Vec<String>) -> RepoResult<User> {
    Ok(User {
        id: UserId(m.id),
        username: m.username,
        email: m.email,
        name: m.name,
        avatar_url: m.avatar_url,
        status: convert::status(&m.status)?,
        login_type: convert::login_type(&m.login_type)?,
        is_service_account: m.is_service_account,
        site_roles: role_set(site_roles),
        created_at: from_micros(m.created_at)?,
        updated_at: from_micros(m.updated_at)?,
        last_seen_at: from_micros(m.last_seen_at)?,
    })
}

/// The `users` columns a [`User`] is made of, in the order [`user_at`] reads them.
pub(crate) const USER_COLUMNS: [users::Column; 11] = [
    users::Column::Id,
    users::Column::Username,
    users::Column::Email,
    users::Column::Name,
    users::Column::AvatarUrl,
    users::Column::Status,
    users::Column::LoginType,
    users::Column::IsServiceAccount,
    users::Column::CreatedAt,
    users::Column::UpdatedAt,
    users::Column::LastSeenAt,
];

/// The user in `row`'s columns `at..at + USER_COLUMNS.len()`, read by position: by name, each
/// column costs a formatted name and a search through the row's columns.
pub(crate) fn user_at(row: &QueryResult, at: usize, site_roles: Vec<String>) -> RepoResult<User> {
    let get_time = |i: usize| -> RepoResult<OffsetDateTime> {
        from_micros(row.try_get_by_index::<i64>(at + i).map_err(db_err)?)
    };
    let status: String = row.try_get_by_index(at + 5).map_err(db_err)?;
    let login_type: String = row.try_get_by_index(at + 6).map_err(db_err)?;
    Ok(User {
        id: UserId(row.try_get_by_index(at).map_err(db_err)?),
        username: row.try_get_by_index(at + 1).map_err(db_err)?,
        email: row.try_get_by_index(at + 2).map_err(db_err)?,
        name: row.try_get_by_index(at + 3).map_err(db_err)?,
        avatar_url: row.try_get_by_index(at + 4).map_err(db_err)?,
        status: convert::status(&status)?,
        login_type: convert::login_type(&login_type)?,
        is_service_account: row.try_get_by_index(at + 7).map_err(db_err)?,
        site_roles: role_set(site_roles),
        created_at: get_time(8)?,
        updated_at: get_time(9)?,
        last_seen_at: get_time(10)?,
    })
}

/// What separates the names in a [`role_list`].
pub(crate) const ROLE_SEPARATOR: &str = ",";

/// The role names in a [`role_list`] value (`None` and `""` hold none).
pub(crate) fn split_roles(joined: Option<String>) -> Vec<String> {
    joined
        .map(|s| {
            s.split(ROLE_SEPARATOR)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The site roles of these users, in one statement.
pub(crate) async fn site_roles_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> RepoResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = usr::Entity::find()
        .filter(usr::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(db_err)?;
    for r in rows {
        out.entry(r.user_id).or_default().push(r.role);
    }
    Ok(out)
}

/// One live user matching `cond`, with site roles.
async fn find_one(
    db: &impl ConnectionTrait,
    cond: sea_orm::Condition,
) -> RepoResult<Option<(User, Option<String>)>> {
    let Some(m) = users::Entity::find()
        .filter(cond)
        .filter(users::Column::Deleted.eq(false))
        .one(db)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let roles = site_roles_of(db, &[m.id])
        .await?
        .remove(&m.id)
        .unwrap_or_default();
    let hash = m.hashed_password.clone();
    Ok(Some((user_from(m, roles)?, hash)))
}

/// Locks a live user's row for the rest of `tx` (a no-op update) and reads it: the state an
/// audited change replaces. `NotFound` for unknown or deleted users.
async fn lock_user(tx: &impl ConnectionTrait, id: UserId) -> RepoResult<User> {
    let res = users::Entity::update_many()
        .col_expr(
            users::Column::UpdatedAt,
            Expr::col(users::Column::UpdatedAt),
        )
        .filter(users::Column::Id.eq(id.0))
        .filter(users::Column::Deleted.eq(false))
        .exec(tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected == 0 {
        return Err(RepoError::NotFound { entity: "user" });
    }
    find_one(tx, users::Column::Id.eq(id.0).into_condition())
        .await?
        .map(|(u, _)| u)
        .ok_or(RepoError::NotFound { entity: "user" })
}

/// Adds `delta` to the maintained number of live users, inside the caller's transaction.
pub(crate) async fn add_to_user_count(tx: &impl ConnectionTrait, delta: i64) -> RepoResult<()> {
    user_count::Entity::update_many()
        .col_expr(
            user_count::Column::Live,
            Expr::col(user_count::Column::Live).add(delta),
        )
        .filter(user_count::Column::Singleton.eq(1))
        .exec(tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A set of role names as the comma-separated list kept on a row (`users.site_role_list`,
/// `organization_members.role_list`), next to the role tables, so pages read roles as a column.
/// Whoever changes a role set in a transaction rewrites its list there too. Role names never hold
/// a comma; the order within a list doesn't matter.
pub(crate) fn role_list(roles: &[String]) -> String {
    roles.join(ROLE_SEPARATOR)
}

/// Inserts a user, their site roles and memberships inside `tx`, keeping the user and member
/// counts.
async fn insert_user(tx: &impl ConnectionTrait, new: &NewUser) -> RepoResult<User> {
    let at = micros(new.created_at);
    let email_key = (!new.email.is_empty()).then(|| key(&new.email));
    let username_key = key(&new.username);
    let model = users::Model {
        id: new.id.0,
        username: new.username.clone(),
        username_key: Some(username_key.clone()),
        email: new.email.clone(),
        email_key: email_key.clone(),
        name: new.name.clone(),
        name_key: key(&new.name),
        avatar_url: String::new(),
        hashed_password: new.password_hash.clone(),
        status: new.status.as_str().to_owned(),
        login_type: new.login_type.as_str().to_owned(),
        is_service_account: new.is_service_account,
        github_com_user_id: None,
        deleted: false,
        created_at: at,
        updated_at: at,
        last_seen_at: 0,
        site_role_list: role_list(&role_set(new.site_roles.clone())),
    };
    users::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(tx)
        .await
        .map_err(db_err)?;
    add_to_user_count(tx, 1).await?;

    let roles = role_set(new.site_roles.clone());
    usr::Entity::insert_many(roles.iter().map(|r| usr::ActiveModel {
        user_id: Set(new.id.0),
        role: Set(r.clone()),
    }))
    .exec_without_returning(tx)
    .await
    .map_err(db_err)?;

    let mut orgs: Vec<Uuid> = new.organization_ids.iter().map(|o| o.0).collect();
    orgs.sort();
    orgs.dedup();
    if !orgs.is_empty() {
        let bumped = organizations::Entity::update_many()
            .col_expr(
                organizations::Column::MemberCount,
                Expr::col(organizations::Column::MemberCount).add(1_i64),
            )
            .col_expr(
                organizations::Column::MembersVersion,
                next_members_version(),
            )
            .filter(organizations::Column::Id.is_in(orgs.iter().copied()))
            .filter(organizations::Column::Deleted.eq(false))
            .exec(tx)
            .await
            .map_err(db_err)?;
        if bumped.rows_affected != orgs.len() as u64 {
            return Err(RepoError::NotFound {
                entity: "organization",
            });
        }
        om::Entity::insert_many(orgs.iter().map(|o| om::ActiveModel {
            organization_id: Set(*o),
            user_id: Set(new.id.0),
            username_key: Set(username_key.clone()),
            email_key: Set(email_key.clone()),
            created_at: Set(at),
            updated_at: Set(at),
            role_list: Set(String::new()),
        }))
        .exec_without_returning(tx)
        .await
        .map_err(db_err_fk("organization"))?;
    }
    user_from(model, roles)
}

/// The statement behind a users page and its count: live users matching `q`, `filter` and the
/// cursor, without a select list.
fn users_base(q: &UserQuery, filter: &RowFilter, after: Option<UserId>) -> SelectStatement {
    let mut sel = Query::select();
    // A user is live exactly when their username key is set (deleting clears it), and this
    // spelling lets the count of every live user read the username index alone.
    sel.from(users::Entity)
        .and_where(Expr::col((users::Entity, users::Column::UsernameKey)).is_not_null());
    and_cond(
        &mut sel,
        user_query(q, None, Patterns::Bound, SearchKeys::Users),
    );
    sel.and_where(row_filter(
        filter,
        ObjectOrg::Outside,
        Some(Expr::col((users::Entity, users::Column::Id))),
    ));
    if let Some(after) = after {
        sel.and_where(Expr::col((users::Entity, users::Column::UsernameKey)).gt(cursor_key(after)));
    }
    sel
}

/// `COUNT(*)` of a statement's rows.
pub(crate) async fn count(db: &impl ConnectionTrait, base: &SelectStatement) -> RepoResult<u64> {
    let mut stmt = base.clone();
    stmt.expr_as(Func::count(Expr::col(Asterisk)), Alias::new("n"));
    let n: i64 = match db.query_one(&stmt).await.map_err(db_err)? {
        Some(row) => row.try_get("", "n").map_err(db_err)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The largest limit both databases accept, for an offset without a limit (SQLite accepts
/// `OFFSET` only after a `LIMIT`).
const NO_LIMIT: u64 = i64::MAX as u64;

/// Applies offset and limit as parameters.
pub(crate) fn paginate(sel: &mut SelectStatement, page: Pagination) {
    match page.limit {
        Some(limit) => {
            sel.limit(Ord::min(limit, NO_LIMIT));
        }
        None if page.offset > 0 => {
            sel.limit(NO_LIMIT);
        }
        None => {}
    }
    if page.offset > 0 {
        sel.offset(Ord::min(page.offset, NO_LIMIT));
    }
}

/// Builds `sel`, which must end in its `ORDER BY` and have no limit, with `page`'s limit
/// appended as an integer literal and its offset, if any, as a parameter.
///
/// With `LIMIT $n` PostgreSQL's generic plan assumes a tenth of the rows are fetched, never looks
/// cheaper than a custom one, and so every execution is planned afresh, which costs as much as
/// running a page. With the literal, first and keyset pages of one size share a cached plan. An
/// offset stays a parameter: as a literal, every page number would be another statement to
/// prepare on every pooled connection. The literal is an integer formatted here, so nothing from
/// a request reaches the SQL text.
fn build_paged(
    backend: sea_orm::DbBackend,
    sel: &SelectStatement,
    page: Pagination,
) -> sea_orm::Statement {
    let mut stmt = backend.build(sel);
    let limit = match page.limit {
        Some(limit) => Some(Ord::min(limit, NO_LIMIT)),
        None if page.offset > 0 => Some(NO_LIMIT),
        None => None,
    };
    if let Some(limit) = limit {
        stmt.sql.push_str(" LIMIT ");
        stmt.sql.push_str(&limit.to_string());
    }
    if page.offset > 0 {
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let values = stmt
            .values
            .get_or_insert_with(|| sea_orm::Values(Vec::new()));
        values.0.push(sea_orm::Value::BigInt(Some(offset)));
        stmt.sql.push_str(" OFFSET ");
        match backend {
            sea_orm::DbBackend::Postgres => {
                stmt.sql.push('$');
                stmt.sql.push_str(&values.0.len().to_string());
            }
            _ => stmt.sql.push('?'),
        }
    }
    stmt
}

/// Runs the page `sel`, whose first column is the subquery `total` counting every match, with
/// `page`'s limit and offset (see [`build_paged`]). Returns the rows and the count.
pub(crate) async fn query_page(
    db: &impl ConnectionTrait,
    sel: &SelectStatement,
    total: &SelectStatement,
    page: Pagination,
) -> RepoResult<(Vec<QueryResult>, u64)> {
    run_page(db, build_paged(db.get_database_backend(), sel, page), total).await
}

/// Runs the page `stmt`, whose first column counts every match as `total` does, and returns the
/// rows and the count: every row carries it, so only a page past the end asks for it again.
pub(crate) async fn run_page(
    db: &impl ConnectionTrait,
    stmt: sea_orm::Statement,
    total: &impl StatementBuilder,
) -> RepoResult<(Vec<QueryResult>, u64)> {
    let rows = db.query_all_raw(stmt).await.map_err(db_err)?;
    let count: Option<i64> = match rows.first() {
        Some(row) => row.try_get_by_index(0).map_err(db_err)?,
        None => match db.query_one(total).await.map_err(db_err)? {
            Some(row) => row.try_get_by_index(0).map_err(db_err)?,
            None => None,
        },
    };
    Ok((rows, u64::try_from(count.unwrap_or(0)).unwrap_or(0)))
}

#[async_trait]
impl UserRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn any_exists(&self) -> RepoResult<bool> {
        let n = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .limit(1)
            .into_tuple::<Uuid>()
            .one(&self.db)
            .await
            .map_err(db_err)?;
        Ok(n.is_some())
    }

    #[tracing::instrument(level = "debug", skip(self, new, audit), fields(user_id = %new.id), err(level = "debug"))]
    async fn create(&self, new: NewUser, audit: AuditStamp) -> RepoResult<User> {
        let tx = self.write_tx().await?;
        let user = insert_user(&tx, &new).await?;
        write_entry(&tx, &NewAuditEntry::user(audit, None, Some(&user))).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(user)
    }

    #[tracing::instrument(level = "debug", skip(self, new), fields(user_id = %new.id), err(level = "debug"))]
    async fn create_first(&self, new: NewUser) -> RepoResult<User> {
        let tx = self.write_tx().await?;
        // The singleton row is the lock: a concurrent call fails here with a unique violation.
        first_user::Entity::insert(first_user::ActiveModel {
            singleton: Set(1),
            user_id: Set(new.id.0),
            created_at: Set(micros(new.created_at)),
        })
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        // Users created another way (an operator's command) also make this not the first.
        let existing = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .limit(1)
            .into_tuple::<Uuid>()
            .one(&tx)
            .await
            .map_err(db_err)?;
        if existing.is_some() {
            return Err(RepoError::Conflict {
                field: "first_user",
            });
        }
        let user = insert_user(&tx, &new).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(user)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, id: UserId) -> RepoResult<Option<User>> {
        let found = find_one(&self.db, users::Column::Id.eq(id.0).into_condition()).await?;
        Ok(found.map(|(u, _)| u))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find_by_username(&self, username: &str) -> RepoResult<Option<User>> {
        let cond = users::Column::UsernameKey
            .eq(key(username))
            .into_condition();
        Ok(find_one(&self.db, cond).await?.map(|(u, _)| u))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn credentials_by_email(&self, email: &str) -> RepoResult<Option<UserCredentials>> {
        if email.is_empty() {
            return Ok(None);
        }
        let cond = users::Column::EmailKey.eq(key(email)).into_condition();
        Ok(find_one(&self.db, cond)
            .await?
            .map(|(user, password_hash)| UserCredentials {
                user,
                password_hash,
            }))
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(
        &self,
        query: &UserQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<User>> {
        if *filter == RowFilter::Nothing {
            return Ok(PageOf {
                rows: Vec::new(),
                count: 0,
            });
        }
        let unfiltered =
            *filter == RowFilter::All && page.after_id.is_none() && *query == UserQuery::default();
        let total = if unfiltered {
            Query::select()
                .column(user_count::Column::Live)
                .from(user_count::Entity)
                .and_where(Expr::col(user_count::Column::Singleton).eq(1))
                .to_owned()
        } else {
            users_base(query, filter, page.after_id)
                .expr(Func::count(Expr::col(Asterisk)))
                .to_owned()
        };
        // One statement: the count, then each user's columns and site roles.
        let mut sel = users_base(query, filter, page.after_id);
        sel.expr(Expr::from(SubQueryStatement::from(total.clone())))
            .columns(USER_COLUMNS.iter().map(|c| (users::Entity, *c)))
            .column((users::Entity, users::Column::SiteRoleList))
            .order_by((users::Entity, users::Column::UsernameKey), Order::Asc);
        let (rows, count) = query_page(&self.db, &sel, &total, page).await?;
        let roles_at = 1 + USER_COLUMNS.len();
        let rows = rows
            .iter()
            .map(|row| {
                let roles = split_roles(row.try_get_by_index(roles_at).map_err(db_err)?);
                user_at(row, 1, roles)
            })
            .collect::<RepoResult<Vec<_>>>()?;
        Ok(PageOf { rows, count })
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn set_status(
        &self,
        id: UserId,
        status: UserStatus,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<User> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = lock_user(&tx, id).await?;
        users::Entity::update_many()
            .col_expr(users::Column::Status, Expr::val(status.as_str()))
            .col_expr(users::Column::UpdatedAt, Expr::val(micros(at)))
            .filter(users::Column::Id.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let new = find_one(&tx, users::Column::Id.eq(id.0).into_condition())
            .await?
            .map(|(u, _)| u)
            .ok_or(RepoError::NotFound { entity: "user" })?;
        write_entry(&tx, &NewAuditEntry::user(audit, Some(&old), Some(&new))).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn set_site_roles(
        &self,
        id: UserId,
        roles: Vec<String>,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<User> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        // Locking the row first makes concurrent calls replace the set one after another.
        let old = lock_user(&tx, id).await?;
        let roles = role_set(roles);
        users::Entity::update_many()
            .col_expr(users::Column::UpdatedAt, Expr::val(micros(at)))
            .col_expr(users::Column::SiteRoleList, Expr::val(role_list(&roles)))
            .filter(users::Column::Id.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        usr::Entity::delete_many()
            .filter(usr::Column::UserId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        usr::Entity::insert_many(roles.into_iter().map(|r| usr::ActiveModel {
            user_id: Set(id.0),
            role: Set(r),
        }))
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        let new = find_one(&tx, users::Column::Id.eq(id.0).into_condition())
            .await?
            .map(|(u, _)| u)
            .ok_or(RepoError::NotFound { entity: "user" })?;
        write_entry(&tx, &NewAuditEntry::user(audit, Some(&old), Some(&new))).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn delete(&self, id: UserId, at: OffsetDateTime, audit: AuditStamp) -> RepoResult<()> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = lock_user(&tx, id).await?;
        // Freeing the keys lets a new user take the username and email.
        let res = users::Entity::update_many()
            .col_expr(users::Column::Deleted, Expr::val(true))
            .col_expr(
                users::Column::UsernameKey,
                Expr::val(Option::<String>::None),
            )
            .col_expr(users::Column::EmailKey, Expr::val(Option::<String>::None))
            .col_expr(users::Column::UpdatedAt, Expr::val(micros(at)))
            .filter(users::Column::Id.eq(id.0))
            .filter(users::Column::Deleted.eq(false))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound { entity: "user" });
        }
        add_to_user_count(&tx, -1).await?;
        let member_of = Query::select()
            .column(om::Column::OrganizationId)
            .from(om::Entity)
            .and_where(Expr::col(om::Column::UserId).eq(id.0))
            .to_owned();
        organizations::Entity::update_many()
            .col_expr(
                organizations::Column::MemberCount,
                Expr::col(organizations::Column::MemberCount).sub(1_i64),
            )
            .col_expr(
                organizations::Column::MembersVersion,
                next_members_version(),
            )
            .filter(organizations::Column::Id.in_subquery(member_of))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        omr::Entity::delete_many()
            .filter(omr::Column::UserId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        om::Entity::delete_many()
            .filter(om::Column::UserId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        api_keys::Entity::delete_many()
            .filter(api_keys::Column::UserId.eq(id.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        write_entry(&tx, &NewAuditEntry::user(audit, Some(&old), None)).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn touch_last_seen(&self, id: UserId, at: OffsetDateTime) -> RepoResult<()> {
        users::Entity::update_many()
            .col_expr(users::Column::LastSeenAt, Expr::val(micros(at)))
            .filter(users::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
