//! Rank marks: how many members follow a keyset cursor, without counting each of them.
//!
//! A keyset page's `count` is the number of members after the cursor (`coder-behaviour.md` §5.2).
//! Counted directly, a cursor near the start of 100,000 members reads 100,000 index entries on
//! every page. Instead, every [`MARK_EVERY`]-th member key of an organization, counting from the
//! last, is kept in `organization_member_marks` with the number of members after it and the
//! organization's `members_version` when it was computed. Every statement that changes an
//! organization's `member_count` also sets `members_version` to [`next_members_version`], in the
//! transaction of the change, so a mark that carries the current version is exact.
//!
//! The count after a cursor `c` is then the count of the first current mark `m` after `c` plus
//! the members in `(c, m]`, which are fewer than [`MARK_EVERY`] index entries. Without a current
//! mark after `c`, the members after `c` are counted directly. Both happen in the page's one
//! statement ([`count_after`]).
//!
//! [`refresh`] rebuilds an organization's marks. The store calls it in the background after it
//! served a long count (at most once per [`REFRESH_EVERY`] per organization and replica), and the
//! seed command calls it at the end. Rebuilds on two replicas may interleave: every mark is still
//! exact for the version it carries, so the worst case is a longer scan until the next rebuild.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use roster_domain::RepoResult;
use roster_domain::ids::{OrganizationId, UserId};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, OnConflict, Query, SelectStatement, SubQueryStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::begin_write;
use crate::entity::{
    organization_member_marks as marks, organization_members as om, organizations,
};
use crate::error::db_err;
use crate::query::cursor_key;

/// One member key in this many carries a mark. A count after a current mark reads fewer index
/// entries than this; an organization of `n` members has about `n / MARK_EVERY` marks.
pub(crate) const MARK_EVERY: i64 = 64;

/// A count after a cursor at least this long makes the store check the organization's marks.
pub(crate) const REFRESH_ABOVE: u64 = 2 * MARK_EVERY as u64;

/// The least time between two background checks of one organization's marks on one replica.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// `members_version + 1`, for every statement that changes an organization's `member_count`:
/// it retires the organization's marks.
pub(crate) fn next_members_version() -> Expr {
    Expr::col(organizations::Column::MembersVersion).add(1_i64)
}

fn sub(sel: SelectStatement) -> Expr {
    Expr::from(SubQueryStatement::from(sel))
}

/// `(SELECT members_version FROM organizations WHERE id = :org)`.
fn current_version(org: OrganizationId) -> Expr {
    sub(Query::select()
        .column(organizations::Column::MembersVersion)
        .from(organizations::Entity)
        .and_where(Expr::col(organizations::Column::Id).eq(org.0))
        .to_owned())
}

/// Members of `org` whose key is after the cursor, without a select list.
fn members_after(org: OrganizationId, after: UserId) -> SelectStatement {
    Query::select()
        .from(om::Entity)
        .and_where(Expr::col((om::Entity, om::Column::OrganizationId)).eq(org.0))
        .and_where(Expr::col((om::Entity, om::Column::UsernameKey)).gt(cursor_key(after)))
        .to_owned()
}

/// `SELECT COALESCE(<from the first current mark after the cursor>, <counted directly>)`: the
/// number of members of `org` after the cursor `after`, as a one-column statement that can also
/// be a subquery. An unknown cursor gives 0, as a direct count does.
pub(crate) fn count_after(org: OrganizationId, after: UserId) -> SelectStatement {
    let next_mark = || {
        sub(Query::select()
            .expr(Func::min(Expr::col((
                marks::Entity,
                marks::Column::UsernameKey,
            ))))
            .from(marks::Entity)
            .and_where(Expr::col((marks::Entity, marks::Column::OrganizationId)).eq(org.0))
            .and_where(Expr::col((marks::Entity, marks::Column::UsernameKey)).gt(cursor_key(after)))
            .and_where(
                Expr::col((marks::Entity, marks::Column::MembersVersion)).eq(current_version(org)),
            )
            .to_owned())
    };
    let after_mark = Query::select()
        .column(marks::Column::MembersAfter)
        .from(marks::Entity)
        .and_where(Expr::col((marks::Entity, marks::Column::OrganizationId)).eq(org.0))
        .and_where(Expr::col((marks::Entity, marks::Column::UsernameKey)).eq(next_mark()))
        .to_owned();
    let up_to_mark = members_after(org, after)
        .and_where(Expr::col((om::Entity, om::Column::UsernameKey)).lte(next_mark()))
        .expr(Func::count(Expr::col(Asterisk)))
        .to_owned();
    let direct = members_after(org, after)
        .expr(Func::count(Expr::col(Asterisk)))
        .to_owned();
    // With no current mark after the cursor both subqueries of the sum are NULL or 0, the sum is
    // NULL, and the direct count runs; otherwise it never does.
    Query::select()
        .expr(Func::coalesce([
            sub(after_mark).add(sub(up_to_mark)),
            sub(direct),
        ]))
        .to_owned()
}

/// Rebuilds the marks of `org` unless they are all current. Returns whether it rebuilt them.
pub(crate) async fn refresh(db: &DatabaseConnection, org: OrganizationId) -> RepoResult<bool> {
    let check = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .expr(Func::sum(
            Expr::case(
                Expr::col(marks::Column::MembersVersion).eq(current_version(org)),
                1,
            )
            .finally(0),
        ))
        .from(marks::Entity)
        .and_where(Expr::col(marks::Column::OrganizationId).eq(org.0))
        .to_owned();
    if let Some(row) = db.query_one(&check).await.map_err(db_err)? {
        let all: i64 = row.try_get_by_index(0).map_err(db_err)?;
        let current: Option<i64> = row.try_get_by_index(1).map_err(db_err)?;
        if all > 0 && current == Some(all) {
            return Ok(false);
        }
    }

    // Rank from the last key down: `members_after` is the number of keys after this one.
    let ranked = Query::select()
        .column(om::Column::OrganizationId)
        .column(om::Column::UsernameKey)
        .expr_as(
            Expr::cust("ROW_NUMBER() OVER (ORDER BY username_key DESC) - 1"),
            marks::Column::MembersAfter,
        )
        .from(om::Entity)
        .and_where(Expr::col(om::Column::OrganizationId).eq(org.0))
        .to_owned();
    let ranked_alias = Alias::new("ranked");
    let chosen = Query::select()
        .column((ranked_alias.clone(), om::Column::OrganizationId))
        .column((ranked_alias.clone(), om::Column::UsernameKey))
        // Read in the same statement, so in the same snapshot, as the members it describes.
        .expr(current_version(org))
        .column((ranked_alias.clone(), marks::Column::MembersAfter))
        .from_subquery(ranked, ranked_alias.clone())
        .and_where(
            Expr::col((ranked_alias, marks::Column::MembersAfter))
                .modulo(MARK_EVERY)
                .eq(0),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(marks::Entity)
        .columns([
            marks::Column::OrganizationId,
            marks::Column::UsernameKey,
            marks::Column::MembersVersion,
            marks::Column::MembersAfter,
        ])
        .select_from(chosen)
        .map_err(|e| roster_domain::RepoError::Unavailable(Box::new(e)))?
        // A rebuild on another replica may have written the same keys meanwhile.
        .on_conflict(
            OnConflict::columns([marks::Column::OrganizationId, marks::Column::UsernameKey])
                .update_columns([marks::Column::MembersVersion, marks::Column::MembersAfter])
                .to_owned(),
        )
        .to_owned();
    let delete = Query::delete()
        .from_table(marks::Entity)
        .and_where(Expr::col(marks::Column::OrganizationId).eq(org.0))
        .to_owned();

    let tx = begin_write(db).await?;
    tx.execute(&delete).await.map_err(db_err)?;
    tx.execute(&insert).await.map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(true)
}

/// When each organization's marks were last checked by this replica.
#[derive(Debug, Default)]
pub(crate) struct RefreshSchedule {
    last: Mutex<HashMap<OrganizationId, Instant>>,
}

impl RefreshSchedule {
    /// Whether `org` is due for a check now, recording the check if so.
    pub(crate) fn due(&self, org: OrganizationId, now: Instant) -> bool {
        let Ok(mut last) = self.last.lock() else {
            return false;
        };
        if let Some(at) = last.get(&org)
            && now.duration_since(*at) < REFRESH_EVERY
        {
            return false;
        }
        // Forget old checks so the map stays as small as the set of busy organizations.
        if last.len() >= 1024 {
            last.retain(|_, at| now.duration_since(*at) < REFRESH_EVERY);
        }
        last.insert(org, now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_is_due_once_per_interval() {
        let schedule = RefreshSchedule::default();
        let (a, b) = (OrganizationId::new_v7(), OrganizationId::new_v7());
        let t0 = Instant::now();
        assert!(schedule.due(a, t0));
        assert!(!schedule.due(a, t0 + REFRESH_EVERY / 2));
        assert!(schedule.due(b, t0 + REFRESH_EVERY / 2));
        assert!(schedule.due(a, t0 + REFRESH_EVERY));
    }
}
