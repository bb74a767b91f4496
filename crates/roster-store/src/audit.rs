//! [`AuditRepo`] on [`SeaStore`], and [`write_entry`], which the audited adapter methods call
//! inside their own transactions.
//!
//! A page is four statements whatever its size: the count, the page (newest first, from
//! `audit_logs_time_idx`), the acting users with their site roles, and the organizations.

use std::collections::HashMap;

use async_trait::async_trait;
use roster_domain::RepoResult;
use roster_domain::audit::{
    AuditAction, AuditDiff, AuditEntry, AuditQuery, AuditResource, NewAuditEntry, OrganizationRef,
};
use roster_domain::filter::RowFilter;
use roster_domain::ids::{AuditLogId, OrganizationId, UserId};
use roster_domain::organization::Organization;
use roster_domain::page::{PageOf, Pagination};
use roster_domain::ports::AuditRepo;
use roster_domain::user::User;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, Iterable,
    QueryFilter,
};
use uuid::Uuid;

use crate::SeaStore;
use crate::convert::{from_micros, key, micros};
use crate::entity::{audit_logs as al, organizations, users};
use crate::error::{corrupt, db_err};
use crate::organizations::org_from;
use crate::query::{ObjectOrg, Patterns, never, row_filter};
use crate::users::{count, paginate, site_roles_of, user_from};

/// Writes one entry with `conn`: the caller's transaction, so the entry commits or rolls back
/// with the change it describes.
pub(crate) async fn write_entry(conn: &impl ConnectionTrait, e: &NewAuditEntry) -> RepoResult<()> {
    // Serializing strings, numbers and maps can't fail; fall back to an empty diff all the same.
    let diff = serde_json::to_string(&e.diff).unwrap_or_else(|_| "{}".to_owned());
    let model = al::Model {
        id: e.stamp.id.0,
        time: micros(e.stamp.time),
        user_id: e.stamp.actor.map(|u| u.0),
        organization_id: e.organization_id.map(|o| o.0),
        action: e.action.as_str().to_owned(),
        resource_type: e.resource_type.as_str().to_owned(),
        resource_id: e.resource_id,
        resource_target: e.resource_target.clone(),
        resource_target_key: key(&e.resource_target),
        diff,
        status_code: i32::from(e.stamp.status_code),
        request_id: e.stamp.request_id.clone(),
        ip: e.stamp.ip.clone(),
        user_agent: e.stamp.user_agent.clone(),
    };
    al::Entity::insert(model.into_active_model())
        .exec_without_returning(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn col(c: al::Column) -> Expr {
    Expr::col((al::Entity, c))
}

/// Entries matching `q` and `filter`, without a select list.
fn audit_base(q: &AuditQuery, filter: &RowFilter) -> SelectStatement {
    let mut sel = Query::select();
    sel.from(al::Entity);
    if q.matches_nothing {
        sel.and_where(never());
    }
    if let Some(s) = &q.search {
        sel.and_where(Patterns::Bound.like(col(al::Column::ResourceTargetKey), &key(s)));
    }
    if let Some(a) = q.action {
        sel.and_where(col(al::Column::Action).eq(a.as_str()));
    }
    if let Some(r) = q.resource_type {
        sel.and_where(col(al::Column::ResourceType).eq(r.as_str()));
    }
    if let Some(u) = &q.username {
        let ids = Query::select()
            .column((users::Entity, users::Column::Id))
            .from(users::Entity)
            .and_where(Expr::col((users::Entity, users::Column::UsernameKey)).eq(key(u)))
            .to_owned();
        sel.and_where(col(al::Column::UserId).in_subquery(ids));
    }
    match &q.organization {
        Some(OrganizationRef::Id(id)) => {
            sel.and_where(col(al::Column::OrganizationId).eq(id.0));
        }
        Some(OrganizationRef::Name(name)) => {
            let ids = Query::select()
                .column((organizations::Entity, organizations::Column::Id))
                .from(organizations::Entity)
                .and_where(
                    Expr::col((organizations::Entity, organizations::Column::NameKey))
                        .eq(key(name)),
                )
                .to_owned();
            sel.and_where(col(al::Column::OrganizationId).in_subquery(ids));
        }
        None => {}
    }
    if let Some(t) = q.time_from {
        sel.and_where(col(al::Column::Time).gte(micros(t)));
    }
    if let Some(t) = q.time_before {
        sel.and_where(col(al::Column::Time).lt(micros(t)));
    }
    sel.and_where(row_filter(
        filter,
        ObjectOrg::Column(col(al::Column::OrganizationId)),
        None,
    ));
    sel
}

fn action(s: &str) -> RepoResult<AuditAction> {
    AuditAction::parse(s).ok_or_else(|| corrupt("audit_logs.action", s))
}

fn resource(s: &str) -> RepoResult<AuditResource> {
    AuditResource::parse(s).ok_or_else(|| corrupt("audit_logs.resource_type", s))
}

/// The users with these ids, deleted ones included, with their site roles.
async fn users_by_id(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> RepoResult<HashMap<Uuid, User>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
        .map_err(db_err)?;
    let mut roles = site_roles_of(conn, &ids).await?;
    rows.into_iter()
        .map(|m| {
            let id = m.id;
            Ok((id, user_from(m, roles.remove(&id).unwrap_or_default())?))
        })
        .collect()
}

/// The organizations with these ids, deleted ones included.
async fn orgs_by_id(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> RepoResult<HashMap<Uuid, Organization>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    organizations::Entity::find()
        .filter(organizations::Column::Id.is_in(ids))
        .all(conn)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|m| Ok((m.id, org_from(m)?)))
        .collect()
}

fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    ids
}

#[async_trait]
impl AuditRepo for SeaStore {
    #[tracing::instrument(level = "debug", skip(self, entry), fields(audit_id = %entry.stamp.id), err(level = "debug"))]
    async fn record(&self, entry: NewAuditEntry) -> RepoResult<()> {
        write_entry(&self.db, &entry).await
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "debug"))]
    async fn list(
        &self,
        query: &AuditQuery,
        filter: &RowFilter,
        page: Pagination,
    ) -> RepoResult<PageOf<AuditEntry>> {
        let base = audit_base(query, filter);
        let total = count(&self.db, &base).await?;
        let mut sel = base;
        sel.columns(al::Column::iter().map(|c| (al::Entity, c)))
            .order_by((al::Entity, al::Column::Time), Order::Desc)
            .order_by((al::Entity, al::Column::Id), Order::Desc);
        paginate(&mut sel, page);
        let rows = self
            .db
            .query_all(&sel)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| al::Model::from_query_result(r, "").map_err(db_err))
            .collect::<RepoResult<Vec<al::Model>>>()?;
        let users = users_by_id(&self.db, distinct(rows.iter().filter_map(|r| r.user_id))).await?;
        let orgs = orgs_by_id(
            &self.db,
            distinct(rows.iter().filter_map(|r| r.organization_id)),
        )
        .await?;
        let entries = rows
            .into_iter()
            .map(|r| {
                let diff: AuditDiff = serde_json::from_str(&r.diff)
                    .map_err(|_| corrupt("audit_logs.diff", r.diff.clone()))?;
                Ok(AuditEntry {
                    id: AuditLogId(r.id),
                    time: from_micros(r.time)?,
                    user_id: r.user_id.map(UserId),
                    user: r.user_id.and_then(|u| users.get(&u).cloned()),
                    organization_id: r.organization_id.map(OrganizationId),
                    organization: r.organization_id.and_then(|o| orgs.get(&o).cloned()),
                    action: action(&r.action)?,
                    resource_type: resource(&r.resource_type)?,
                    resource_id: r.resource_id,
                    resource_target: r.resource_target,
                    diff,
                    status_code: u16::try_from(r.status_code).map_err(|_| {
                        corrupt("audit_logs.status_code", r.status_code.to_string())
                    })?,
                    request_id: r.request_id,
                    ip: r.ip,
                    user_agent: r.user_agent,
                })
            })
            .collect::<RepoResult<Vec<AuditEntry>>>()?;
        Ok(PageOf {
            rows: entries,
            count: total,
        })
    }
}
