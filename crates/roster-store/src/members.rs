//! [`MemberRepo`] on [`SeaStore`].
//!
//! A member page is one statement whatever its size (two when it is past the end). It holds the
//! count: the maintained `organizations.member_count` when nothing narrows the list, the rank
//! marks after a keyset cursor (`marks`), else an index-backed `COUNT`. It holds the page itself:
//! memberships joined to users in `organization_members_org_username_idx` order, or, for a
//! search, the matching memberships found first ([`search_statements`]). And it holds each row's
//! site and organization roles, from the role lists kept on the user and membership rows
//! (`users::role_list`).
//! Each statement through the pool is a round trip plus a ping when the connection returns to the
//! pool, so it pays to ask once.

use std::collections::HashMap;

use async_trait::async_trait;
use roster_domain::audit::{AuditStamp, NewAuditEntry};
use roster_domain::filter::RowFilter;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::{MemberWithUser, Membership};
use roster_domain::page::{PageOf, Pagination};
use roster_domain::ports::MemberRepo;
use roster_domain::search::UserQuery;
use roster_domain::{RepoError, RepoResult};
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, ExprTrait, Func, IntoIden, Order, Query,
    SelectStatement, SubQueryStatement, WithClause, WithQuery,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryResult, QuerySelect, Statement,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::SeaStore;
use crate::audit::write_entry;
use crate::convert::{from_micros, micros, role_set};
use crate::entity::{
    organization_member_roles as omr, organization_members as om, organizations, users,
};
use crate::error::{db_err, db_err_fk};
use crate::marks::{self, next_members_version};
use crate::query::{
    MemberScope, Patterns, SearchKeys, and_cond, cursor_key, member_scope, user_query,
};
use crate::users::{USER_COLUMNS, paginate, query_page, role_list, run_page, split_roles, user_at};

/// Memberships in `org` matching `q`, `scope` and the cursor, without a select list.
///
/// Memberships exist only for live users (deleting a user removes them in the same transaction,
/// and deleted users can't be added), so when `q` says nothing about users the statement needs no
/// join: counting the rows after a cursor is then a range of one index.
fn members_base(
    org: OrganizationId,
    q: &UserQuery,
    scope: MemberScope,
    after: Option<UserId>,
    join_users: bool,
) -> SelectStatement {
    let mut sel = Query::select();
    sel.from(om::Entity)
        .and_where(Expr::col((om::Entity, om::Column::OrganizationId)).eq(org.0));
    if join_users || *q != UserQuery::default() {
        sel.inner_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::Id)).equals((om::Entity, om::Column::UserId)),
        )
        // A literal: with `deleted = ?`, SQLite's planner walks every user and sorts them
        // instead of walking the organization's username index.
        .and_where(Expr::col((users::Entity, users::Column::Deleted)).not());
        and_cond(
            &mut sel,
            user_query(q, Some(org), Patterns::Bound, SearchKeys::Members),
        );
    }
    if let MemberScope::Own(subject) = scope {
        sel.and_where(Expr::col((om::Entity, om::Column::UserId)).eq(subject.0));
    }
    if let Some(after) = after {
        sel.and_where(Expr::col((om::Entity, om::Column::UsernameKey)).gt(cursor_key(after)));
    }
    sel
}

/// Adds the select list of a member row: the user's columns, the membership's times, and the
/// user's site and organization roles (the role lists kept on the rows). `membership` names the
/// table, or the subquery, that holds the membership's columns.
fn select_member_columns(sel: &mut SelectStatement, membership: impl IntoIden) {
    let membership = membership.into_iden();
    sel.columns(USER_COLUMNS.iter().map(|c| (users::Entity, *c)))
        .column((membership.clone(), om::Column::CreatedAt))
        .column((membership.clone(), om::Column::UpdatedAt));
    sel.column((users::Entity, users::Column::SiteRoleList))
        .column((membership, om::Column::RoleList));
}

/// Reads member rows whose member columns (see [`select_member_columns`]) start at column `at`.
fn members_from_rows(
    org: OrganizationId,
    rows: &[QueryResult],
    at: usize,
) -> RepoResult<Vec<MemberWithUser>> {
    let m = at + USER_COLUMNS.len();
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let created: i64 = row.try_get_by_index(m).map_err(db_err)?;
        let updated: i64 = row.try_get_by_index(m + 1).map_err(db_err)?;
        let site = split_roles(row.try_get_by_index(m + 2).map_err(db_err)?);
        let org_roles = split_roles(row.try_get_by_index(m + 3).map_err(db_err)?);
        let user = user_at(row, at, site)?;
        members.push(MemberWithUser {
            membership: Membership {
                organization_id: org,
                user_id: user.id,
                roles: role_set(org_roles),
                created_at: from_micros(created)?,
                updated_at: from_micros(updated)?,
            },
            user,
        });
    }
    Ok(members)
}

/// A page of members from the start or after a keyset cursor: the count of every match first (an
/// uncorrelated subquery that both databases evaluate once), then the member columns, with the
/// limit left to [`query_page`]. A page with an offset is [`offset_page_statement`].
fn page_statement(
    org: OrganizationId,
    query: &UserQuery,
    scope: MemberScope,
    after: Option<UserId>,
    total: SelectStatement,
) -> SelectStatement {
    let mut sel = members_base(org, query, scope, after, true);
    sel.expr(Expr::from(SubQueryStatement::from(total)));
    select_member_columns(&mut sel, om::Entity);
    sel.order_by((om::Entity, om::Column::UsernameKey), Order::Asc);
    sel
}

/// The membership columns a page's slice carries (see [`page_of_slice`]).
const SLICE_COLUMNS: [om::Column; 5] = [
    om::Column::UserId,
    om::Column::UsernameKey,
    om::Column::CreatedAt,
    om::Column::UpdatedAt,
    om::Column::RoleList,
];

/// A page of members from `slice`, a subquery of memberships ([`SLICE_COLUMNS`]) already in order
/// and cut to the page, led by the count `total`: only the slice's own rows are joined to their
/// users.
fn page_of_slice(total: SelectStatement, slice: SelectStatement) -> SelectStatement {
    let alias = Alias::new("slice");
    let mut sel = Query::select();
    sel.expr(Expr::from(SubQueryStatement::from(total)));
    select_member_columns(&mut sel, alias.clone());
    sel.from_subquery(slice, alias.clone())
        .inner_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::Id))
                .equals((alias.clone(), om::Column::UserId)),
        )
        .order_by((alias, om::Column::UsernameKey), Order::Asc);
    sel
}

/// A page of members after skipping `page.offset` of them, led by the count `total`.
///
/// [`page_statement`] joins every membership it walks to its user, and `OFFSET` walks the skipped
/// ones too: 50,000 lookups of users for a page deep in 100,000 members. Here the memberships are
/// counted off first, from the organization's username index (joined to users only when `q`
/// filters on them), and only the page's own rows are joined. Limit and offset are parameters, so
/// every page of every size is one statement (planned on each execution, as an offset page needs).
fn offset_page_statement(
    org: OrganizationId,
    query: &UserQuery,
    scope: MemberScope,
    page: Pagination,
    total: SelectStatement,
) -> SelectStatement {
    let mut slice = members_base(org, query, scope, page.after_id, false);
    slice
        .columns(SLICE_COLUMNS.map(|c| (om::Entity, c)))
        .order_by((om::Entity, om::Column::UsernameKey), Order::Asc);
    paginate(&mut slice, page);
    page_of_slice(total, slice)
}

/// Whether the member page finds `q`'s matches first (see [`search_statements`]): when `q` has a
/// substring term.
fn finds_matches_first(q: &UserQuery) -> bool {
    q.search.is_some() || q.name.is_some()
}

/// [`Patterns::Opaque`] when a trigram index can look up every substring term of `q`.
fn patterns_for(q: &UserQuery) -> Patterns {
    let indexed = |term: &Option<String>| term.as_deref().is_none_or(|t| t.chars().count() >= 3);
    if indexed(&q.search) && indexed(&q.name) {
        Patterns::Opaque
    } else {
        Patterns::Bound
    }
}

/// The organization a member search looks in: on PostgreSQL a literal in the statement's text.
///
/// A parameter would leave the cached plan to guess the organization's size from the average of
/// all of them: with many small organizations beside a large one, it walks the large one's
/// members instead of looking the term up. As a literal, each organization's searches get their
/// own statement and a plan fitted to its size from the column's statistics (the trigram index
/// for a large organization, the organization's own index for a small one). The literal is a
/// UUID the store formats, so nothing from a request reaches the SQL text. SQLite, which keeps no
/// plans and has no trigram index, takes a parameter.
fn searched_org(backend: DbBackend, org: OrganizationId) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::Constant(org.0.into()),
        _ => Expr::val(org.0),
    }
}

/// A page of members for a `q` with a substring term, and the statement that counts its matches
/// (for a page past the end).
///
/// Walking the members in order and testing each against the term, as [`page_statement`] does,
/// reads the whole organization when few match. Here the matching memberships come first: from
/// the trigram index over the username and email keys each membership copies from its user
/// (`organization_members_search_key_trgm_idx`), or for `name:` from the users' `name_key` index.
/// They are joined to their users only when `q` also filters on users, and materialized once with
/// the membership columns the page shows. The count reads them; the page sorts them, takes its
/// slice, and only then joins the users of its own rows ([`page_of_slice`]). That plan suits any
/// term, so the patterns are opaque to the planner ([`patterns_for`]) and PostgreSQL caches the
/// plan instead of planning every search, which cost as much as running it.
fn search_statements(
    backend: DbBackend,
    org: OrganizationId,
    q: &UserQuery,
    scope: MemberScope,
    after: Option<UserId>,
    page: Pagination,
) -> (Statement, WithQuery) {
    let matches = Alias::new("matches");
    let mut found = Query::select();
    found
        .columns(SLICE_COLUMNS.map(|c| (om::Entity, c)))
        .from(om::Entity)
        .and_where(
            Expr::col((om::Entity, om::Column::OrganizationId)).eq(searched_org(backend, org)),
        );
    // Memberships exist only for live users, so only a condition on users needs them.
    let on_users = UserQuery {
        search: None,
        ..q.clone()
    };
    if on_users != UserQuery::default() {
        found.inner_join(
            users::Entity,
            Expr::col((users::Entity, users::Column::Id)).equals((om::Entity, om::Column::UserId)),
        );
    }
    and_cond(
        &mut found,
        user_query(q, Some(org), patterns_for(q), SearchKeys::Members),
    );
    if let MemberScope::Own(subject) = scope {
        found.and_where(Expr::col((om::Entity, om::Column::UserId)).eq(subject.0));
    }
    if let Some(after) = after {
        found.and_where(Expr::col((om::Entity, om::Column::UsernameKey)).gt(cursor_key(after)));
    }
    let with = WithClause::new()
        .cte(
            CommonTableExpression::new()
                .query(found)
                .table_name(matches.clone())
                .materialized(true)
                .to_owned(),
        )
        .to_owned();
    let count = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .from(matches.clone())
        .to_owned();

    let mut ordered = Query::select();
    ordered
        .column(Asterisk)
        .from(matches)
        .order_by(om::Column::UsernameKey, Order::Asc);
    paginate(&mut ordered, page);
    let sel = page_of_slice(count.clone(), ordered);
    (backend.build(&sel.with(with.clone())), count.with(with))
}

/// A user's username, deleted users included (for audit targets).
pub(crate) async fn username_of(conn: &impl ConnectionTrait, user: UserId) -> RepoResult<String> {
    users::Entity::find_by_id(user.0)
        .select_only()
        .column(users::Column::Username)
        .into_tuple::<String>()
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or(RepoError::NotFound { entity: "user" })
}

/// One membership with its roles, read inside the caller's transaction.
async fn membership_in(
    conn: &impl ConnectionTrait,
    org: OrganizationId,
    user: UserId,
) -> RepoResult<Option<Membership>> {
    let Some(row) = om::Entity::find_by_id((org.0, user.0))
        .one(conn)
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let roles = omr::Entity::find()
        .filter(omr::Column::OrganizationId.eq(org.0))
        .filter(omr::Column::UserId.eq(user.0))
        .select_only()
        .column(omr::Column::Role)
        .into_tuple::<String>()
        .all(conn)
        .await
        .map_err(db_err)?;
    membership_from(row, roles).map(Some)
}

fn membership_from(m: om::Model, roles: Vec<String>) -> RepoResult<Membership> {
    Ok(Membership {
        organization_id: OrganizationId(m.organization_id),
        user_id: UserId(m.user_id),
        roles: role_set(roles),
        created_at: from_micros(m.created_at)?,
        updated_at: from_micros(m.updated_at)?,
    })
}

#[async_trait]
impl MemberRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn add(
        &self,
        org: OrganizationId,
        user: UserId,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Membership> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let (username, username_key, email_key) = users::Entity::find_by_id(user.0)
            .filter(users::Column::Deleted.eq(false))
            .select_only()
            .column(users::Column::Username)
            .column(users::Column::UsernameKey)
            .column(users::Column::EmailKey)
            .into_tuple::<(String, Option<String>, Option<String>)>()
            .one(&tx)
            .await
            .map_err(db_err)?
            .and_then(|(name, key, email_key)| Some((name, key?, email_key)))
            .ok_or(RepoError::NotFound { entity: "user" })?;
        // Counting first also locks the organization row, so the count can't drift.
        let res = organizations::Entity::update_many()
            .col_expr(
                organizations::Column::MemberCount,
                Expr::col(organizations::Column::MemberCount).add(1_i64),
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
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound {
                entity: "organization",
            });
        }
        let model = om::Model {
            organization_id: org.0,
            user_id: user.0,
            username_key,
            email_key,
            created_at: micros(at),
            updated_at: micros(at),
            role_list: String::new(),
        };
        om::Entity::insert(model.clone().into_active_model())
            .exec_without_returning(&tx)
            .await
            .map_err(db_err_fk("organization"))?;
        let membership = membership_from(model, Vec::new())?;
        write_entry(
            &tx,
            &NewAuditEntry::membership(audit, &username, None, Some(&membership)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(membership)
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn remove(&self, org: OrganizationId, user: UserId, audit: AuditStamp) -> RepoResult<()> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        let old = membership_in(&tx, org, user)
            .await?
            .ok_or(RepoError::NotFound {
                entity: "membership",
            })?;
        omr::Entity::delete_many()
            .filter(omr::Column::OrganizationId.eq(org.0))
            .filter(omr::Column::UserId.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let res = om::Entity::delete_many()
            .filter(om::Column::OrganizationId.eq(org.0))
            .filter(om::Column::UserId.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound {
                entity: "membership",
            });
        }
        organizations::Entity::update_many()
            .col_expr(
                organizations::Column::MemberCount,
                Expr::col(organizations::Column::MemberCount).sub(1_i64),
            )
            .col_expr(
                organizations::Column::MembersVersion,
                next_members_version(),
            )
            .filter(organizations::Column::Id.eq(org.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        let username = username_of(&tx, user).await?;
        write_entry(
            &tx,
            &NewAuditEntry::membership(audit, &username, Some(&old), None),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn find(&self, org: OrganizationId, user: UserId) -> RepoResult<Option<MemberWithUser>> {
        let mut sel = members_base(
            org,
            &UserQuery::default(),
            MemberScope::Own(user),
            None,
            true,
        );
        select_member_columns(&mut sel, om::Entity);
        let rows = self.db.query_all(&sel).await.map_err(db_err)?;
        Ok(members_from_rows(org, &rows, 0)?.into_iter().next())
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(
        &self,
        org: OrganizationId,
        query: &UserQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<MemberWithUser>> {
        let scope = member_scope(filter, org);
        if scope == MemberScope::Nothing {
            return Ok(PageOf {
                rows: Vec::new(),
                count: 0,
            });
        }
        if finds_matches_first(query) {
            let (stmt, total) = search_statements(
                self.db.get_database_backend(),
                org,
                query,
                scope,
                page.after_id,
                page,
            );
            let (rows, count) = run_page(&self.db, stmt, &total).await?;
            let rows = members_from_rows(org, &rows, 1)?;
            return Ok(PageOf { rows, count });
        }
        let everyone = scope == MemberScope::All && *query == UserQuery::default();
        let total = match page.after_id {
            None if everyone => Query::select()
                .column(organizations::Column::MemberCount)
                .from(organizations::Entity)
                .and_where(Expr::col(organizations::Column::Id).eq(org.0))
                .to_owned(),
            Some(after) if everyone => marks::count_after(org, after),
            _ => members_base(org, query, scope, page.after_id, false)
                .expr(Func::count(Expr::col(Asterisk)))
                .to_owned(),
        };
        let (rows, count) = if page.offset > 0 {
            let sel = offset_page_statement(org, query, scope, page, total.clone());
            let stmt = self.db.get_database_backend().build(&sel);
            run_page(&self.db, stmt, &total).await?
        } else {
            let sel = page_statement(org, query, scope, page.after_id, total.clone());
            query_page(&self.db, &sel, &total, page).await?
        };
        if everyone && page.after_id.is_some() && count >= marks::REFRESH_ABOVE {
            // Cheap if the marks served this count; if they didn't, the next one will be.
            self.refresh_member_marks_later(org);
        }
        let rows = members_from_rows(org, &rows, 1)?;
        Ok(PageOf { rows, count })
    }

    #[tracing::instrument(level = "debug", skip(self, audit), err(level = "debug"))]
    async fn set_roles(
        &self,
        org: OrganizationId,
        user: UserId,
        roles: Vec<String>,
        at: OffsetDateTime,
        audit: AuditStamp,
    ) -> RepoResult<Membership> {
        let tx = self.write_tx().await?;
        // Who may do what changes: cached subjects must be rebuilt.
        crate::bump_authz_epoch(&tx).await?;
        // Touching the membership first locks it: concurrent calls replace the set in turn, and
        // the state read next for the audit diff is the one this call replaces.
        let res = om::Entity::update_many()
            .col_expr(om::Column::UpdatedAt, Expr::col(om::Column::UpdatedAt))
            .filter(om::Column::OrganizationId.eq(org.0))
            .filter(om::Column::UserId.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(RepoError::NotFound {
                entity: "membership",
            });
        }
        let old = membership_in(&tx, org, user)
            .await?
            .ok_or(RepoError::NotFound {
                entity: "membership",
            })?;
        let roles = role_set(roles);
        om::Entity::update_many()
            .col_expr(om::Column::UpdatedAt, Expr::val(micros(at)))
            .col_expr(om::Column::RoleList, Expr::val(role_list(&roles)))
            .filter(om::Column::OrganizationId.eq(org.0))
            .filter(om::Column::UserId.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        omr::Entity::delete_many()
            .filter(omr::Column::OrganizationId.eq(org.0))
            .filter(omr::Column::UserId.eq(user.0))
            .exec(&tx)
            .await
            .map_err(db_err)?;
        omr::Entity::insert_many(roles.iter().map(|r| omr::ActiveModel {
            organization_id: Set(org.0),
            user_id: Set(user.0),
            role: Set(r.clone()),
        }))
        .exec_without_returning(&tx)
        .await
        .map_err(db_err)?;
        let row = om::Entity::find_by_id((org.0, user.0))
            .one(&tx)
            .await
            .map_err(db_err)?
            .ok_or(RepoError::NotFound {
                entity: "membership",
            })?;
        let new = membership_from(row, roles)?;
        let username = username_of(&tx, user).await?;
        write_entry(
            &tx,
            &NewAuditEntry::membership(audit, &username, Some(&old), Some(&new)),
        )
        .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn memberships_of(&self, user: UserId) -> RepoResult<Vec<Membership>> {
        let live_orgs = Query::select()
            .column(organizations::Column::Id)
            .from(organizations::Entity)
            .and_where(Expr::col(organizations::Column::Deleted).eq(false))
            .to_owned();
        let rows = om::Entity::find()
            .filter(om::Column::UserId.eq(user.0))
            .filter(om::Column::OrganizationId.in_subquery(live_orgs))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mut roles: HashMap<Uuid, Vec<String>> = HashMap::new();
        if !rows.is_empty() {
            for r in omr::Entity::find()
                .filter(omr::Column::UserId.eq(user.0))
                .all(&self.db)
                .await
                .map_err(db_err)?
            {
                roles.entry(r.organization_id).or_default().push(r.role);
            }
        }
        rows.into_iter()
            .map(|m| {
                let r = roles.remove(&m.organization_id).unwrap_or_default();
                membership_from(m, r)
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn organization_ids_of(
        &self,
        users: &[UserId],
    ) -> RepoResult<Vec<(UserId, OrganizationId)>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let live_orgs = Query::select()
            .column(organizations::Column::Id)
            .from(organizations::Entity)
            .and_where(Expr::col(organizations::Column::Deleted).eq(false))
            .to_owned();
        let pairs = om::Entity::find()
            .select_only()
            .column(om::Column::UserId)
            .column(om::Column::OrganizationId)
            .filter(om::Column::UserId.is_in(users.iter().map(|u| u.0)))
            .filter(om::Column::OrganizationId.in_subquery(live_orgs))
            .into_tuple::<(Uuid, Uuid)>()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(pairs
            .into_iter()
            .map(|(u, o)| (UserId(u), OrganizationId(o)))
            .collect())
    }
}
