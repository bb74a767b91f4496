//! Building `WHERE` clauses: the `q` search, the prepared authorization filter and the keyset
//! cursor, all as SQL so nothing is filtered after loading.

use roster_domain::filter::RowFilter;
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::search::UserQuery;
use sea_orm::sea_query::{
    BinOper, Condition, Expr, ExprTrait, Func, Query, SubQueryStatement, UnionType,
};

use crate::convert::{key, micros};
use crate::entity::{
    organization_member_roles as omr, organization_members as om, user_site_roles as usr, users,
};

/// `FALSE`, spelt so every backend accepts it.
pub(crate) fn never() -> Expr {
    Expr::cust("1 = 0")
}

/// `TRUE`, spelt so every backend accepts it.
pub(crate) fn always() -> Expr {
    Expr::cust("1 = 1")
}

/// The escape character of [`contains`]' patterns: not `\`, whose spelling in a string literal
/// depends on PostgreSQL's `standard_conforming_strings`.
const LIKE_ESCAPE: char = '!';

/// A `LIKE` pattern matching `s` anywhere, with [`LIKE_ESCAPE`] escaping `LIKE`'s wildcards (and
/// itself) in `s`.
pub(crate) fn contains(s: &str) -> String {
    let mut pattern = String::with_capacity(s.len() + 2);
    pattern.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// How [`user_query`] hands its `LIKE` patterns to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Patterns {
    /// As parameters. PostgreSQL plans such a statement for each pattern: the best plan for it, at
    /// the price of planning on every execution.
    Bound,
    /// As `(SELECT $n)`, whose value the planner can't see, so PostgreSQL plans the statement once
    /// and caches the plan. Only for statements whose plan is good whatever the pattern (the member
    /// search of `members`), and terms a trigram index can look up (3 characters or more).
    Opaque,
}

impl Patterns {
    /// `expr LIKE <pattern of s> ESCAPE '!'`.
    pub(crate) fn like(self, expr: Expr, s: &str) -> Expr {
        let pattern = Expr::val(contains(s));
        let pattern = match self {
            Patterns::Bound => pattern,
            Patterns::Opaque => Expr::from(SubQueryStatement::from(
                Query::select().expr(pattern).to_owned(),
            )),
        };
        // Spelt as sea-query spells a `LikeExpr` with an escape, which only takes a string.
        let escaped = Expr::Binary(
            Box::new(pattern),
            BinOper::Escape,
            Box::new(Expr::Constant(LIKE_ESCAPE.into())),
        );
        expr.binary(BinOper::Like, escaped)
    }
}

fn ucol(c: users::Column) -> Expr {
    Expr::col((users::Entity, c))
}

/// Where [`user_query`] looks up a `search:` term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchKeys {
    /// The user's `username_key` and `email_key`.
    Users,
    /// The membership's copies of them, for member lists (`organization_members` must be in the
    /// statement, `users` only if `q` says something else about users).
    Members,
}

/// The `q` search over the `users` table. `member_of` is the organization of a member list, whose
/// organization roles `role:` also matches; `None` on the users list (site roles only).
pub(crate) fn user_query(
    q: &UserQuery,
    member_of: Option<OrganizationId>,
    patterns: Patterns,
    keys: SearchKeys,
) -> Condition {
    let mut c = Condition::all();
    if let Some(s) = &q.search {
        let s = key(s);
        let (username, email) = match keys {
            SearchKeys::Users => (
                ucol(users::Column::UsernameKey),
                ucol(users::Column::EmailKey),
            ),
            SearchKeys::Members => (
                Expr::col((om::Entity, om::Column::UsernameKey)),
                Expr::col((om::Entity, om::Column::EmailKey)),
            ),
        };
        // The username and email together, as the `*_search_key_trgm_idx` indexes hold them (no
        // email gives a NULL key), so one index scan finds the matches. A match that crosses from
        // one to the other must contain the space between them, so only a term with a space
        // needs the two columns checked apart.
        let concat = BinOper::Custom("||");
        let both = username
            .clone()
            .binary(concat, Expr::Constant(" ".into()))
            .binary(
                concat,
                Func::coalesce([email.clone(), Expr::Constant("".into())]),
            );
        c = c.add(patterns.like(both, &s));
        if s.contains(' ') {
            c = c.add(
                Condition::any()
                    .add(patterns.like(username, &s))
                    .add(patterns.like(email, &s)),
            );
        }
    }
    if let Some(s) = &q.name {
        c = c.add(patterns.like(ucol(users::Column::NameKey), &key(s)));
    }
    if !q.status.is_empty() {
        c = c.add(ucol(users::Column::Status).is_in(q.status.iter().map(|s| s.as_str())));
    }
    if !q.roles.is_empty() {
        // `id IN (… UNION ALL …)` rather than `EXISTS … OR EXISTS …`: the holders of a role are
        // few and found through the role indexes, while an `OR` of correlated `EXISTS` would probe
        // them once per user.
        let roles: Vec<String> = q.roles.iter().map(|r| key(r)).collect();
        let mut holders = Query::select()
            .column((usr::Entity, usr::Column::UserId))
            .from(usr::Entity)
            .and_where(Expr::col((usr::Entity, usr::Column::Role)).is_in(roles.clone()))
            .to_owned();
        if let Some(org) = member_of {
            holders.union(
                UnionType::All,
                Query::select()
                    .column((omr::Entity, omr::Column::UserId))
                    .from(omr::Entity)
                    .and_where(Expr::col((omr::Entity, omr::Column::OrganizationId)).eq(org.0))
                    .and_where(Expr::col((omr::Entity, omr::Column::Role)).is_in(roles))
                    .to_owned(),
            );
        }
        c = c.add(ucol(users::Column::Id).in_subquery(holders));
    }
    if !q.login_types.is_empty() {
        c = c.add(ucol(users::Column::LoginType).is_in(q.login_types.iter().map(|t| t.as_str())));
    }
    if let Some(b) = q.service_account {
        c = c.add(ucol(users::Column::IsServiceAccount).eq(b));
    }
    if let Some(id) = q.github_com_user_id {
        c = c.add(ucol(users::Column::GithubComUserId).eq(id));
    }
    if let Some(t) = q.last_seen_before {
        c = c.add(ucol(users::Column::LastSeenAt).lte(micros(t)));
    }
    if let Some(t) = q.last_seen_after {
        c = c.add(ucol(users::Column::LastSeenAt).gte(micros(t)));
    }
    if let Some(t) = q.created_before {
        c = c.add(ucol(users::Column::CreatedAt).lte(micros(t)));
    }
    if let Some(t) = q.created_after {
        c = c.add(ucol(users::Column::CreatedAt).gte(micros(t)));
    }
    if let Some(u) = &q.username {
        c = c.add(ucol(users::Column::UsernameKey).eq(key(u)));
    }
    if let Some(e) = &q.email {
        c = c.add(ucol(users::Column::EmailKey).eq(key(e)));
    }
    c
}

/// Where the objects of a list live, for [`row_filter`].
#[derive(Debug)]
pub(crate) enum ObjectOrg {
    /// Outside any organization.
    Outside,
    /// In the organization this column names.
    Column(Expr),
}

/// The SQL form of [`RowFilter::matches`]: `owner` is the column naming the object's owner, or
/// `None` for objects nobody owns.
pub(crate) fn row_filter(filter: &RowFilter, org: ObjectOrg, owner: Option<Expr>) -> Expr {
    let s = match filter {
        RowFilter::All => return always(),
        RowFilter::Nothing => return never(),
        RowFilter::Where(s) => s,
    };
    let own = |owner: &Expr| owner.clone().eq(s.subject.0);
    match org {
        ObjectOrg::Outside => match owner {
            Some(owner) if s.owned_outside_orgs => own(&owner),
            _ => never(),
        },
        ObjectOrg::Column(col) => {
            let mut any = Condition::any();
            if !s.orgs.is_empty() {
                any = any.add(col.clone().is_in(s.orgs.iter().map(|o| o.0)));
            }
            if let Some(owner) = owner
                && !s.owned_in_orgs.is_empty()
            {
                any = any.add(
                    Condition::all()
                        .add(own(&owner))
                        .add(col.is_in(s.owned_in_orgs.iter().map(|o| o.0))),
                );
            }
            if any.is_empty() { never() } else { any.into() }
        }
    }
}

/// Who a member list may show: everyone, only the subject, or nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberScope {
    All,
    Own(UserId),
    Nothing,
}

/// [`row_filter`] for the members of one organization (owner = the member), as a scope so the
/// unfiltered case can use the maintained member count.
pub(crate) fn member_scope(filter: &RowFilter, org: OrganizationId) -> MemberScope {
    match filter {
        RowFilter::All => MemberScope::All,
        RowFilter::Nothing => MemberScope::Nothing,
        RowFilter::Where(s) if s.orgs.contains(&org) => MemberScope::All,
        RowFilter::Where(s) if s.owned_in_orgs.contains(&org) => MemberScope::Own(s.subject),
        RowFilter::Where(_) => MemberScope::Nothing,
    }
}

/// `(SELECT username_key FROM users WHERE id = :after AND NOT deleted)`: the keyset cursor. An
/// unknown or deleted user gives `NULL`, which compares as no row, as in Coder.
pub(crate) fn cursor_key(after: UserId) -> Expr {
    let sub = Query::select()
        .column((users::Entity, users::Column::UsernameKey))
        .from(users::Entity)
        .and_where(ucol(users::Column::Id).eq(after.0))
        .and_where(ucol(users::Column::Deleted).eq(false))
        .to_owned();
    Expr::from(SubQueryStatement::from(sub))
}

/// `AND`s a condition into a statement, leaving the statement alone when it has no terms.
pub(crate) fn and_cond(sel: &mut sea_orm::sea_query::SelectStatement, cond: Condition) {
    if !cond.is_empty() {
        sel.cond_where(cond);
    }
}
