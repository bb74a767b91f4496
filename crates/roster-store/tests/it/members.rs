use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use roster_domain::RepoError;
use roster_domain::filter::{RowFilter, Scoped};
use roster_domain::ids::{OrganizationId, UserId};
use roster_domain::organization::MemberWithUser;
use roster_domain::page::{PageOf, Pagination};
use roster_domain::ports::{MemberRepo, OrganizationRepo, UserRepo};
use roster_domain::search::UserQuery;
use roster_domain::user::{User, UserStatus};
use roster_store::SeaStore;
use roster_store::seed::seed_members;
use sea_orm::DatabaseConnection;

use crate::fixtures::{T0, fx_audit, fx_new_org, fx_new_user, fx_org, fx_user, t};
use crate::harness::backends;

backends!(
    adds_finds_and_removes_members,
    add_refuses_duplicates_and_unknowns,
    member_pagination_follows_the_spec_table,
    every_offset_page_is_that_slice_of_the_whole_list,
    member_count_is_maintained,
    role_filter_matches_site_and_organization_roles,
    member_query_filters,
    member_search_finds_matches_first,
    every_way_in_copies_the_search_keys,
    role_lists_follow_every_role_change,
    row_filter_limits_members,
    set_roles_replaces_the_set,
    concurrent_set_roles_never_mix_sets,
    lists_memberships_and_organization_ids,
    a_page_takes_the_same_statements_whatever_its_size,
    seeds_members_in_bulk,
);

fn all_pages() -> Pagination {
    Pagination::default()
}

fn member_names(page: &PageOf<MemberWithUser>) -> Vec<&str> {
    page.rows.iter().map(|m| m.user.username.as_str()).collect()
}

async fn list(
    store: &SeaStore,
    org: OrganizationId,
    q: &UserQuery,
    filter: &RowFilter,
    page: Pagination,
) -> PageOf<MemberWithUser> {
    MemberRepo::list(store, org, q, filter, page).await.unwrap()
}

async fn adds_finds_and_removes_members(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let mut new = fx_new_user("alice");
    new.site_roles = vec!["auditor".into()];
    new.created_at = t(-100);
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();

    // Exec
    let m = store.add(org.id, alice.id, t(5), fx_audit()).await.unwrap();

    // Check: membership times are the membership's, the user's are the user's.
    assert_eq!(m.organization_id, org.id);
    assert_eq!(m.user_id, alice.id);
    assert!(m.roles.is_empty());
    assert_eq!((m.created_at, m.updated_at), (t(5), t(5)));
    let found = MemberRepo::find(&store, org.id, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.membership, m);
    assert_eq!(found.user, alice);
    assert_eq!(found.user.created_at, t(-100));
    assert_eq!(found.user.site_roles, vec!["auditor"]);

    store.remove(org.id, alice.id, fx_audit()).await.unwrap();
    assert!(
        MemberRepo::find(&store, org.id, alice.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.remove(org.id, alice.id, fx_audit()).await,
        Err(RepoError::NotFound {
            entity: "membership"
        })
    ));
}

async fn add_refuses_duplicates_and_unknowns(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();

    let err = store
        .add(org.id, alice.id, T0, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::Conflict {
                field: "membership"
            }
        ),
        "{err:?}"
    );
    let err = store
        .add(org.id, UserId::new_v7(), T0, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "user" }),
        "{err:?}"
    );
    let err = store
        .add(OrganizationId::new_v7(), alice.id, T0, fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "organization"
            }
        ),
        "{err:?}"
    );
    let bob = fx_user(&store, "bob").await;
    UserRepo::delete(&store, bob.id, T0, fx_audit())
        .await
        .unwrap();
    let err = store.add(org.id, bob.id, T0, fx_audit()).await.unwrap_err();
    assert!(
        matches!(err, RepoError::NotFound { entity: "user" }),
        "{err:?}"
    );
    // Failed adds didn't count.
    assert_eq!(
        list(
            &store,
            org.id,
            &UserQuery::default(),
            &RowFilter::All,
            all_pages()
        )
        .await
        .count,
        1
    );
}

/// Ten members `user-00` … `user-09` of `org`; the last four have "after" in their display name.
/// Also a user who is not a member, sorting in between.
async fn fx_ten_members(store: &SeaStore, org: OrganizationId) -> Vec<User> {
    let mut users = Vec::new();
    for i in [3, 7, 0, 9, 1, 5, 2, 8, 4, 6] {
        let mut new = fx_new_user(&format!("User-{i:02}"));
        if i >= 6 {
            new.name = format!("Comes after {i}");
        }
        new.organization_ids = vec![org];
        users.push(UserRepo::create(store, new, fx_audit()).await.unwrap());
    }
    let mut outsider = fx_new_user("user-05a");
    outsider.name = "after all".into();
    UserRepo::create(store, outsider, fx_audit()).await.unwrap();
    users.sort_by_key(|u| u.username.to_lowercase());
    users
}

async fn member_pagination_follows_the_spec_table(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let users = fx_ten_members(&store, org.id).await;
    let all = UserQuery::default();
    let p = |after_id, offset, limit| Pagination {
        after_id,
        offset,
        limit,
    };

    // Exec + Check
    let r = list(&store, org.id, &all, &RowFilter::All, p(None, 0, None)).await;
    assert_eq!((r.rows.len(), r.count), (10, 10));
    let expected: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(member_names(&r), expected);
    let r = list(&store, org.id, &all, &RowFilter::All, p(None, 0, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 10));
    let r = list(&store, org.id, &all, &RowFilter::All, p(None, 1, None)).await;
    assert_eq!((r.rows.len(), r.count), (9, 10));
    assert_eq!(r.rows[0].user.username, "User-01");
    let r = list(&store, org.id, &all, &RowFilter::All, p(None, 1, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 10));
    let r = list(&store, org.id, &all, &RowFilter::All, p(None, 11, None)).await;
    assert_eq!((r.rows.len(), r.count), (0, 10));
    let r = list(
        &store,
        org.id,
        &all,
        &RowFilter::All,
        p(Some(users[5].id), 0, None),
    )
    .await;
    assert_eq!((r.rows.len(), r.count), (4, 4));
    assert_eq!(
        member_names(&r),
        vec!["User-06", "User-07", "User-08", "User-09"]
    );
    let after = UserQuery {
        name: Some("after".into()),
        ..UserQuery::default()
    };
    let r = list(&store, org.id, &after, &RowFilter::All, p(None, 1, Some(1))).await;
    assert_eq!((r.rows.len(), r.count), (1, 4));
    assert_eq!(r.rows[0].user.username, "User-07");
    let r = list(
        &store,
        org.id,
        &all,
        &RowFilter::All,
        p(Some(UserId::new_v7()), 0, None),
    )
    .await;
    assert_eq!((r.rows.len(), r.count), (0, 0));
}

async fn every_offset_page_is_that_slice_of_the_whole_list(db: DatabaseConnection) {
    // Setup: ten members, two suspended and three organization admins.
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let users = fx_ten_members(&store, org.id).await;
    for u in [&users[2], &users[7]] {
        store
            .set_status(u.id, UserStatus::Suspended, T0, fx_audit())
            .await
            .unwrap();
    }
    for u in [&users[1], &users[4], &users[8]] {
        store
            .set_roles(
                org.id,
                u.id,
                vec!["organization-admin".into()],
                T0,
                fx_audit(),
            )
            .await
            .unwrap();
    }
    let own = RowFilter::Where(Scoped {
        subject: users[4].id,
        orgs: vec![],
        owned_in_orgs: vec![org.id],
        owned_outside_orgs: false,
    });
    let kinds = [
        (UserQuery::default(), RowFilter::All, None),
        (UserQuery::default(), RowFilter::All, Some(users[3].id)),
        (
            UserQuery {
                status: vec![UserStatus::Active],
                ..UserQuery::default()
            },
            RowFilter::All,
            None,
        ),
        (
            UserQuery {
                roles: vec!["organization-admin".into()],
                ..UserQuery::default()
            },
            RowFilter::All,
            Some(users[0].id),
        ),
        (UserQuery::default(), own, None),
    ];

    for (q, filter, after_id) in &kinds {
        let whole = list(
            &store,
            org.id,
            q,
            filter,
            Pagination {
                after_id: *after_id,
                offset: 0,
                limit: None,
            },
        )
        .await;
        for offset in 0..=whole.rows.len() as u64 + 1 {
            for limit in [None, Some(1), Some(3)] {
                // Exec
                let at = Pagination {
                    after_id: *after_id,
                    offset,
                    limit,
                };
                let page = list(&store, org.id, q, filter, at).await;
                // Check: the same rows, roles and times as the whole list's slice, and its count.
                let from = Ord::min(offset as usize, whole.rows.len());
                let to = limit.map_or(whole.rows.len(), |l| {
                    Ord::min(from + l as usize, whole.rows.len())
                });
                assert_eq!(page.rows, whole.rows[from..to], "{q:?} {at:?}");
                assert_eq!(page.count, whole.count, "{q:?} {at:?}");
            }
        }
    }
}

async fn member_count_is_maintained(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;
    let count = |org: OrganizationId| {
        let store = store.clone();
        async move {
            list(
                &store,
                org,
                &UserQuery::default(),
                &RowFilter::All,
                all_pages(),
            )
            .await
            .count
        }
    };
    let a = fx_user(&store, "a").await;
    let b = fx_user(&store, "b").await;
    let mut new = fx_new_user("c");
    new.organization_ids = vec![org.id, other.id];
    let c = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    assert_eq!((count(org.id).await, count(other.id).await), (1, 1));
    store.add(org.id, a.id, T0, fx_audit()).await.unwrap();
    store.add(org.id, b.id, T0, fx_audit()).await.unwrap();
    assert_eq!(count(org.id).await, 3);
    store.remove(org.id, a.id, fx_audit()).await.unwrap();
    assert_eq!(count(org.id).await, 2);
    UserRepo::delete(&store, c.id, T0, fx_audit())
        .await
        .unwrap();
    assert_eq!((count(org.id).await, count(other.id).await), (1, 0));
    // The maintained count agrees with a real count.
    let q = UserQuery {
        search: Some(String::new()),
        ..UserQuery::default()
    };
    assert_eq!(
        list(&store, org.id, &q, &RowFilter::All, all_pages())
            .await
            .count,
        1
    );
    OrganizationRepo::delete(&store, org.id, T0, fx_audit())
        .await
        .unwrap();
    assert_eq!(count(org.id).await, 0);
    let _ = b;
}

async fn role_filter_matches_site_and_organization_roles(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let other = fx_org(&store, "other").await;
    let mut new = fx_new_user("alice");
    new.site_roles = vec!["owner".into()];
    new.organization_ids = vec![org.id, other.id];
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new = fx_new_user("bob");
    new.organization_ids = vec![org.id, other.id];
    let bob = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new = fx_new_user("carol");
    new.organization_ids = vec![org.id, other.id];
    let carol = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    store
        .set_roles(
            org.id,
            bob.id,
            vec!["organization-admin".into(), "custom".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    store
        .set_roles(
            other.id,
            carol.id,
            vec!["organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    let _ = alice;

    let roles = |org: OrganizationId, roles: Vec<&str>| {
        let store = store.clone();
        let q = UserQuery {
            roles: roles.into_iter().map(String::from).collect(),
            ..UserQuery::default()
        };
        async move {
            let p = list(&store, org, &q, &RowFilter::All, all_pages()).await;
            (
                member_names(&p)
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>(),
                p.count,
            )
        }
    };

    // Check: org roles of this organization only, or site roles.
    assert_eq!(
        roles(org.id, vec!["organization-admin"]).await,
        (vec!["bob".to_owned()], 1)
    );
    assert_eq!(
        roles(other.id, vec!["organization-admin"]).await,
        (vec!["carol".to_owned()], 1)
    );
    assert_eq!(
        roles(org.id, vec!["owner"]).await,
        (vec!["alice".to_owned()], 1)
    );
    assert_eq!(
        roles(org.id, vec!["owner", "custom"]).await,
        (vec!["alice".to_owned(), "bob".to_owned()], 2)
    );
    assert_eq!(roles(org.id, vec!["auditor"]).await, (vec![], 0));
    // The page carries both kinds of roles.
    let page = list(
        &store,
        org.id,
        &UserQuery::default(),
        &RowFilter::All,
        all_pages(),
    )
    .await;
    let bob_row = page.rows.iter().find(|m| m.user.id == bob.id).unwrap();
    assert_eq!(
        bob_row.membership.roles,
        vec!["custom", "organization-admin"]
    );
    let alice_row = page
        .rows
        .iter()
        .find(|m| m.user.username == "alice")
        .unwrap();
    assert_eq!(alice_row.user.site_roles, vec!["owner"]);
    assert!(alice_row.membership.roles.is_empty());
}

async fn member_query_filters(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    fx_ten_members(&store, org.id).await;
    let q = UserQuery {
        search: Some("05".into()),
        ..UserQuery::default()
    };
    let r = list(&store, org.id, &q, &RowFilter::All, all_pages()).await;
    assert_eq!(member_names(&r), vec!["User-05"]);
    assert_eq!(r.count, 1);
    let q = UserQuery {
        username: Some("user-07".into()),
        ..UserQuery::default()
    };
    let r = list(&store, org.id, &q, &RowFilter::All, all_pages()).await;
    assert_eq!(member_names(&r), vec!["User-07"]);
}

async fn member_search_finds_matches_first(db: DatabaseConnection) {
    // Setup: members whose usernames, emails and names a search may match, one of them with
    // `LIKE`'s wildcards and escape in its email and one without an email; a matching non-member.
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let mut made = Vec::new();
    for (username, email) in [
        ("alice", "alice@corp.test"),
        ("malice", "m@example.com"),
        ("bob", "bob_1!0%@example.com"),
        ("carol", ""),
        ("dave", "dave@example.com"),
    ] {
        let mut new = fx_new_user(username);
        new.email = email.into();
        if username == "dave" {
            new.status = UserStatus::Suspended;
        }
        new.organization_ids = vec![org.id];
        made.push(UserRepo::create(&store, new, fx_audit()).await.unwrap());
    }
    fx_user(&store, "alicia").await;
    let search = |term: &str| UserQuery {
        search: Some(term.into()),
        ..UserQuery::default()
    };
    let found = |q: UserQuery, filter: RowFilter, page: Pagination| {
        let store = store.clone();
        async move {
            let r = list(&store, org.id, &q, &filter, page).await;
            let names: Vec<String> = r.rows.iter().map(|m| m.user.username.clone()).collect();
            (names, r.count)
        }
    };
    let all = |q: UserQuery| found(q, RowFilter::All, all_pages());

    // Check: terms of 3 characters or more (opaque patterns) and shorter ones (bound) agree.
    assert_eq!(
        all(search("ali")).await,
        (vec!["alice".into(), "malice".into()], 2)
    );
    assert_eq!(
        all(search("AL")).await,
        (vec!["alice".into(), "malice".into()], 2)
    );
    assert_eq!(all(search("corp.test")).await, (vec!["alice".into()], 1));
    // Wildcards and the escape character are literal.
    assert_eq!(all(search("_1!0%")).await, (vec!["bob".into()], 1));
    assert_eq!(all(search("b_b")).await, (vec![], 0));
    assert_eq!(all(search("%")).await, (vec!["bob".into()], 1));
    // A term can't match across the username and the email.
    assert_eq!(all(search("e m@")).await, (vec![], 0));
    // A user without an email is found by username.
    assert_eq!(all(search("arol")).await, (vec!["carol".into()], 1));
    // With other filters, and by name.
    let q = UserQuery {
        search: Some("example".into()),
        status: vec![UserStatus::Suspended],
        ..UserQuery::default()
    };
    assert_eq!(all(q).await, (vec!["dave".into()], 1));
    let q = UserQuery {
        name: Some("name of mal".into()),
        ..UserQuery::default()
    };
    assert_eq!(all(q).await, (vec!["malice".into()], 1));

    // Check: keyset, offset and limit apply to the matches, and `count` counts them all.
    let page = |after_id, offset, limit| Pagination {
        after_id,
        offset,
        limit,
    };
    assert_eq!(
        found(
            search("ali"),
            RowFilter::All,
            page(Some(made[0].id), 0, None)
        )
        .await,
        (vec!["malice".into()], 1)
    );
    assert_eq!(
        found(search("ali"), RowFilter::All, page(None, 1, Some(1))).await,
        (vec!["malice".into()], 2)
    );
    assert_eq!(
        found(search("ali"), RowFilter::All, page(None, 0, Some(1))).await,
        (vec!["alice".into()], 2)
    );
    assert_eq!(
        found(search("ali"), RowFilter::All, page(None, 5, Some(1))).await,
        (vec![], 2)
    );

    // Check: a caller who may see only themself finds only themself.
    let own = RowFilter::Where(Scoped {
        subject: made[1].id,
        orgs: vec![],
        owned_in_orgs: vec![org.id],
        owned_outside_orgs: false,
    });
    assert_eq!(
        found(search("ali"), own, all_pages()).await,
        (vec!["malice".into()], 1)
    );
}

async fn role_lists_follow_every_role_change(db: DatabaseConnection) {
    // Pages read roles from the lists kept on the user and membership rows; the role tables,
    // which authorization reads, must say the same after every kind of change.
    let store = SeaStore::new(db);
    let mut new = fx_new_user("alice");
    new.site_roles = vec!["template-admin".into(), "auditor".into()];
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new_org = crate::fixtures::fx_new_org("org");
    new_org.creator = Some(alice.id);
    let org = OrganizationRepo::create(&store, new_org, fx_audit())
        .await
        .unwrap();
    let bob = fx_user(&store, "bob").await;
    store.add(org.id, bob.id, T0, fx_audit()).await.unwrap();

    let check = |step: &'static str| {
        let store = store.clone();
        async move {
            let page = list(
                &store,
                org.id,
                &UserQuery::default(),
                &RowFilter::All,
                all_pages(),
            )
            .await;
            for m in &page.rows {
                let user = UserRepo::find(&store, m.user.id).await.unwrap().unwrap();
                assert_eq!(m.user.site_roles, user.site_roles, "{step}: site roles");
                let held = store
                    .memberships_of(m.user.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|h| h.organization_id == org.id)
                    .unwrap();
                assert_eq!(m.membership.roles, held.roles, "{step}: organization roles");
            }
            let users = UserRepo::list(&store, &UserQuery::default(), &RowFilter::All, all_pages())
                .await
                .unwrap();
            for u in &users.rows {
                let user = UserRepo::find(&store, u.id).await.unwrap().unwrap();
                assert_eq!(u.site_roles, user.site_roles, "{step}: users list");
            }
            page
        }
    };

    let page = check("created").await;
    assert_eq!(
        page.rows[0].user.site_roles,
        vec!["auditor", "template-admin"]
    );
    assert_eq!(page.rows[0].membership.roles, vec!["organization-admin"]);
    store
        .set_roles(
            org.id,
            bob.id,
            vec!["organization-auditor".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    store
        .set_site_roles(alice.id, vec!["owner".into()], T0, fx_audit())
        .await
        .unwrap();
    let page = check("changed").await;
    assert_eq!(page.rows[0].user.site_roles, vec!["owner"]);
    assert_eq!(page.rows[1].membership.roles, vec!["organization-auditor"]);
    store
        .set_roles(org.id, alice.id, Vec::new(), T0, fx_audit())
        .await
        .unwrap();
    store
        .set_site_roles(alice.id, Vec::new(), T0, fx_audit())
        .await
        .unwrap();
    let page = check("emptied").await;
    assert!(page.rows[0].user.site_roles.is_empty());
    assert!(page.rows[0].membership.roles.is_empty());
}

async fn row_filter_limits_members(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let users = fx_ten_members(&store, org.id).await;
    let me = users[3].id;
    let all = UserQuery::default();
    let scoped = |orgs: Vec<OrganizationId>, owned: Vec<OrganizationId>| {
        RowFilter::Where(Scoped {
            subject: me,
            orgs,
            owned_in_orgs: owned,
            owned_outside_orgs: true,
        })
    };

    let r = list(&store, org.id, &all, &RowFilter::Nothing, all_pages()).await;
    assert_eq!((r.rows.len(), r.count), (0, 0));
    let r = list(
        &store,
        org.id,
        &all,
        &scoped(vec![org.id], vec![]),
        all_pages(),
    )
    .await;
    assert_eq!((r.rows.len(), r.count), (10, 10));
    let r = list(
        &store,
        org.id,
        &all,
        &scoped(vec![], vec![org.id]),
        all_pages(),
    )
    .await;
    assert_eq!((member_names(&r), r.count), (vec!["User-03"], 1));
    let r = list(
        &store,
        org.id,
        &all,
        &scoped(vec![OrganizationId::new_v7()], vec![]),
        all_pages(),
    )
    .await;
    assert_eq!((r.rows.len(), r.count), (0, 0));
}

async fn set_roles_replaces_the_set(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();

    let m = store
        .set_roles(
            org.id,
            alice.id,
            vec!["b".into(), "a".into(), "b".into()],
            t(1),
            fx_audit(),
        )
        .await
        .unwrap();
    assert_eq!(m.roles, vec!["a", "b"]);
    assert_eq!((m.created_at, m.updated_at), (T0, t(1)));
    let m = store
        .set_roles(org.id, alice.id, vec!["c".into()], t(2), fx_audit())
        .await
        .unwrap();
    assert_eq!(m.roles, vec!["c"]);
    let found = MemberRepo::find(&store, org.id, alice.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.membership, m);
    let m = store
        .set_roles(org.id, alice.id, vec![], t(3), fx_audit())
        .await
        .unwrap();
    assert!(m.roles.is_empty());

    let bob = fx_user(&store, "bob").await;
    let err = store
        .set_roles(org.id, bob.id, vec!["a".into()], t(4), fx_audit())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "membership"
            }
        ),
        "{err:?}"
    );
}

async fn concurrent_set_roles_never_mix_sets(db: DatabaseConnection) {
    // Setup
    let store = SeaStore::new(db);
    let org = fx_org(&store, "org").await;
    let alice = fx_user(&store, "alice").await;
    store.add(org.id, alice.id, T0, fx_audit()).await.unwrap();
    let set_a: Vec<String> = ["a1", "a2", "a3"].map(String::from).to_vec();
    let set_b: Vec<String> = ["b1", "b2"].map(String::from).to_vec();

    for round in 0..10 {
        // Exec: two writers race.
        let tasks: Vec<_> = [set_a.clone(), set_b.clone(), set_a.clone(), set_b.clone()]
            .into_iter()
            .map(|roles| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .set_roles(org.id, alice.id, roles, t(round), fx_audit())
                        .await
                })
            })
            .collect();
        for task in tasks {
            let m = task.await.unwrap().unwrap();
            assert!(
                m.roles == set_a || m.roles == set_b,
                "mixed set returned: {:?}",
                m.roles
            );
        }

        // Check: the stored set is one of the two, whole.
        let stored = MemberRepo::find(&store, org.id, alice.id)
            .await
            .unwrap()
            .unwrap()
            .membership
            .roles;
        assert!(
            stored == set_a || stored == set_b,
            "mixed set stored: {stored:?}"
        );
    }
}

async fn lists_memberships_and_organization_ids(db: DatabaseConnection) {
    let store = SeaStore::new(db);
    let a = fx_org(&store, "org-a").await;
    let b = fx_org(&store, "org-b").await;
    let c = fx_org(&store, "org-c").await;
    let mut new = fx_new_user("alice");
    new.organization_ids = vec![a.id, b.id, c.id];
    let alice = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let mut new = fx_new_user("bob");
    new.organization_ids = vec![b.id];
    let bob = UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let carol = fx_user(&store, "carol").await;
    store
        .set_roles(
            b.id,
            alice.id,
            vec!["organization-admin".into()],
            T0,
            fx_audit(),
        )
        .await
        .unwrap();
    OrganizationRepo::delete(&store, c.id, T0, fx_audit())
        .await
        .unwrap();

    let mut ms = store.memberships_of(alice.id).await.unwrap();
    ms.sort_by_key(|m| m.organization_id);
    let orgs: BTreeSet<OrganizationId> = ms.iter().map(|m| m.organization_id).collect();
    assert_eq!(orgs, BTreeSet::from([a.id, b.id]));
    let in_b = ms.iter().find(|m| m.organization_id == b.id).unwrap();
    assert_eq!(in_b.roles, vec!["organization-admin"]);
    assert!(store.memberships_of(carol.id).await.unwrap().is_empty());

    let pairs: BTreeSet<(UserId, OrganizationId)> = store
        .organization_ids_of(&[alice.id, bob.id, carol.id])
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        pairs,
        BTreeSet::from([(alice.id, a.id), (alice.id, b.id), (bob.id, b.id)])
    );
    assert!(store.organization_ids_of(&[]).await.unwrap().is_empty());
}

async fn a_page_takes_the_same_statements_whatever_its_size(db: DatabaseConnection) {
    // Setup: 60 members with site and organization roles.
    let setup = SeaStore::new(db.clone());
    let org = fx_org(&setup, "org").await;
    let ids = seed_members(&db, org.id, 60, T0).await.unwrap();
    for id in &ids[..30] {
        setup
            .set_roles(
                org.id,
                *id,
                vec!["organization-admin".into()],
                T0,
                fx_audit(),
            )
            .await
            .unwrap();
        setup
            .set_site_roles(*id, vec!["auditor".into()], T0, fx_audit())
            .await
            .unwrap();
    }
    let statements = Arc::new(AtomicUsize::new(0));
    let mut counted = db.clone();
    let counter = statements.clone();
    counted.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let store = SeaStore::new(counted);
    let measure = |q: UserQuery, page: Pagination| {
        let store = store.clone();
        let statements = statements.clone();
        async move {
            statements.store(0, Ordering::SeqCst);
            let r = MemberRepo::list(&store, org.id, &q, &RowFilter::All, page)
                .await
                .unwrap();
            (r.rows.len(), statements.load(Ordering::SeqCst))
        }
    };
    let p = |after_id, limit| Pagination {
        after_id,
        offset: 0,
        limit: Some(limit),
    };
    let all = UserQuery::default;
    let admins = || UserQuery {
        roles: vec!["organization-admin".into()],
        ..UserQuery::default()
    };

    // Exec + Check: unfiltered, with a cursor, and filtered; a page of 1 and of 50.
    let (n1, s1) = measure(all(), p(None, 1)).await;
    let (n50, s50) = measure(all(), p(None, 50)).await;
    assert_eq!((n1, n50), (1, 50));
    assert_eq!(s1, s50, "statements for a page of 1 vs 50");
    // The count, the page, and the roles of the page's users: one statement.
    assert_eq!(s1, 1);

    let (n1, s1) = measure(all(), p(Some(ids[2]), 1)).await;
    let (n50, s50) = measure(all(), p(Some(ids[2]), 50)).await;
    assert_eq!((n1, n50), (1, 50));
    assert_eq!((s1, s50), (1, 1));

    let (n1, s1) = measure(admins(), p(None, 1)).await;
    let (n30, s30) = measure(admins(), p(None, 50)).await;
    assert_eq!((n1, n30), (1, 30));
    assert_eq!((s1, s30), (1, 1));

    // A search finds its matches first, in the same one statement.
    let search = || UserQuery {
        search: Some("u00".into()),
        ..UserQuery::default()
    };
    let (n1, s1) = measure(search(), p(None, 1)).await;
    let (n50, s50) = measure(search(), p(None, 50)).await;
    assert_eq!((n1, n50), (1, 50));
    assert_eq!((s1, s50), (1, 1));

    // A page past the end asks for the count on its own, listed or searched.
    let past_the_end = Pagination {
        after_id: None,
        offset: 1_000,
        limit: Some(50),
    };
    for q in [all(), search()] {
        let (n0, s0) = measure(q, past_the_end).await;
        assert_eq!((n0, s0), (0, 2));
    }

    // The users list too.
    statements.store(0, Ordering::SeqCst);
    UserRepo::list(&store, &all(), &RowFilter::All, p(None, 1))
        .await
        .unwrap();
    let u1 = statements.swap(0, Ordering::SeqCst);
    UserRepo::list(&store, &all(), &RowFilter::All, p(None, 50))
        .await
        .unwrap();
    let u50 = statements.load(Ordering::SeqCst);
    assert_eq!((u1, u50), (1, 1));
}

async fn seeds_members_in_bulk(db: DatabaseConnection) {
    let store = SeaStore::new(db.clone());
    let org = fx_org(&store, "org").await;
    let ids = seed_members(&db, org.id, 1_234, T0).await.unwrap();
    assert_eq!(ids.len(), 1_234);
    let users = UserRepo::list(&store, &UserQuery::default(), &RowFilter::All, all_pages())
        .await
        .unwrap();
    assert_eq!(users.count, 1_234);
    let page = list(
        &store,
        org.id,
        &UserQuery::default(),
        &RowFilter::All,
        Pagination {
            after_id: None,
            offset: 0,
            limit: Some(2),
        },
    )
    .await;
    assert_eq!(page.count, 1_234);
    assert!(page.rows[0].user.username.starts_with("u000000-"));
    let q = UserQuery {
        search: Some("u0001".into()),
        ..UserQuery::default()
    };
    assert_eq!(
        list(&store, org.id, &q, &RowFilter::All, all_pages())
            .await
            .count,
        100
    );
    let err = seed_members(&db, OrganizationId::new_v7(), 1, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RepoError::NotFound {
                entity: "organization"
            }
        ),
        "{err:?}"
    );
}

/// PostgreSQL keeps one generic plan for the first pages and keyset pages of a size, so a member
/// page is not planned afresh on every request (it was while the limit was a parameter).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_caches_the_member_page_plan() {
    use sea_orm::sqlx::postgres::PgPoolOptions;
    use sea_orm::{ConnectionTrait, DbBackend, SqlxPostgresConnector, Statement};

    /// The statements prepared on `conn` whose text is `LIKE pattern`, with their generic plan
    /// counts.
    async fn prepared(conn: &DatabaseConnection, pattern: &str) -> Vec<(String, i64)> {
        let rows = conn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT statement, generic_plans FROM pg_prepared_statements \
                 WHERE statement LIKE $1",
                [pattern.into()],
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                (
                    r.try_get("", "statement").unwrap(),
                    r.try_get("", "generic_plans").unwrap(),
                )
            })
            .collect()
    }

    crate::harness::on_postgres(|db| async move {
        // Setup: 60 members, and a store on one connection, whose prepared statements are then
        // the ones the pages used.
        let setup = SeaStore::new(db.clone());
        let org = fx_org(&setup, "org").await;
        let ids = seed_members(&db, org.id, 60, T0).await.unwrap();
        let options = db.get_postgres_connection_pool().connect_options();
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with((*options).clone())
            .await
            .unwrap();
        let one = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
        let store = SeaStore::new(one.clone());
        let page = |after_id| Pagination {
            after_id,
            offset: 0,
            limit: Some(50),
        };

        // Exec: ten first pages and ten keyset pages.
        let all = UserQuery::default();
        for id in &ids[..10] {
            let first = list(&store, org.id, &all, &RowFilter::All, page(None)).await;
            assert_eq!(first.rows.len(), 50);
            let next = list(&store, org.id, &all, &RowFilter::All, page(Some(*id))).await;
            assert!(!next.rows.is_empty());
        }

        // Check: both statements run on a cached generic plan by now.
        let plans = prepared(&one, "%organization_members%LIMIT 50").await;
        assert_eq!(plans.len(), 2, "one statement per page kind: {plans:?}");
        for (statement, generic) in &plans {
            assert!(*generic > 0, "planned on every execution: {statement}");
        }

        // Searches with different terms share one statement, on a cached generic plan too.
        for i in 0..10 {
            let q = UserQuery {
                search: Some(format!("u0000{}", i % 6)),
                ..UserQuery::default()
            };
            let found = list(&store, org.id, &q, &RowFilter::All, page(None)).await;
            assert_eq!(found.count, 10, "{q:?}");
        }
        let searches = prepared(&one, "WITH%").await;
        assert_eq!(
            searches.len(),
            1,
            "one statement for every term: {searches:?}"
        );
        assert!(
            searches[0].1 > 0,
            "planned on every execution: {}",
            searches[0].0
        );
        // Another organization's searches have a statement, and a plan, of their own.
        let other = fx_org(&setup, "other").await;
        seed_members(&db, other.id, 3, T0).await.unwrap();
        let q = UserQuery {
            search: Some("example".into()),
            ..UserQuery::default()
        };
        let found = list(&store, other.id, &q, &RowFilter::All, page(None)).await;
        assert_eq!(found.count, 3);
        assert_eq!(prepared(&one, "WITH%").await.len(), 2);

        // Pages by offset share one statement whatever the offset (so no page number is
        // prepared anew on every connection), and their rows follow on.
        let mut seen = Vec::new();
        for offset in [1, 2, 3, 50] {
            let at = Pagination {
                after_id: None,
                offset,
                limit: Some(1),
            };
            let rows = list(&store, org.id, &all, &RowFilter::All, at).await.rows;
            seen.push(rows[0].user.id);
        }
        assert_eq!(seen, vec![ids[1], ids[2], ids[3], ids[50]]);
        let offset_statements = one
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT statement FROM pg_prepared_statements \
                 WHERE statement LIKE '%organization_members%LIMIT $% OFFSET $%' \
                 AND statement NOT LIKE '%pg_prepared_statements%'",
            ))
            .await
            .unwrap();
        assert_eq!(offset_statements.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn sqlite_walks_a_large_organization_in_username_order() {
    use sea_orm::ConnectionTrait;
    // Setup: an organization of 5,000 members, analyzed, and a store whose statements are
    // recorded.
    let db = crate::harness::sqlite().await;
    let setup = SeaStore::new(db.clone());
    let org = fx_org(&setup, "org").await;
    seed_members(&db, org.id, 5_000, T0).await.unwrap();
    db.execute_unprepared("ANALYZE").await.unwrap();
    let (recorded, statements) = crate::harness::recording(&db);
    let store = SeaStore::new(recorded);

    // Exec: the first page, a keyset page and a page by offset.
    let all = UserQuery::default();
    let after = list(&store, org.id, &all, &RowFilter::All, Pagination::default())
        .await
        .rows[100]
        .user
        .id;
    statements.lock().unwrap().clear();
    for (after_id, offset) in [(None, 0), (Some(after), 0), (None, 100)] {
        let page = Pagination {
            after_id,
            offset,
            limit: Some(50),
        };
        list(&store, org.id, &all, &RowFilter::All, page).await;
    }

    // Check: each page reads the organization's username index in order, without sorting.
    let statements = statements.lock().unwrap().clone();
    assert_eq!(statements.len(), 3);
    for stmt in statements {
        let plan = crate::harness::sqlite_plan(&db, &stmt).await;
        assert!(
            plan.iter().any(|p| p.contains(
                "organization_members USING INDEX organization_members_org_username_idx"
            )),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|p| p.contains("SCAN users")), "{plan:?}");
        assert!(!plan.iter().any(|p| p.contains("ORDER BY")), "{plan:?}");
    }
}

async fn every_way_in_copies_the_search_keys(db: DatabaseConnection) {
    // Setup: one member through each way a membership is written: added, created with the
    // organization, created as the organization's creator, and seeded.
    let store = SeaStore::new(db.clone());
    let org = fx_org(&store, "org").await;
    let added = fx_user(&store, "added").await;
    store.add(org.id, added.id, T0, fx_audit()).await.unwrap();
    let mut new = fx_new_user("created");
    new.email = "Created.Person@Example.COM".into();
    new.organization_ids = vec![org.id];
    UserRepo::create(&store, new, fx_audit()).await.unwrap();
    let creator = fx_user(&store, "creator").await;
    let mut new_org = fx_new_org("second");
    new_org.creator = Some(creator.id);
    let second = OrganizationRepo::create(&store, new_org, fx_audit())
        .await
        .unwrap();
    let seeded = seed_members(&db, org.id, 3, T0).await.unwrap();
    let seeded_email = UserRepo::find(&store, seeded[0])
        .await
        .unwrap()
        .unwrap()
        .email;

    // Exec + Check: each is found by a part of their email that their username doesn't hold,
    // with a short term and a long one (looked up in the index on PostgreSQL).
    let by_email = |term: &str| UserQuery {
        search: Some(term.into()),
        ..UserQuery::default()
    };
    let found = |org, term: String| {
        let store = store.clone();
        async move {
            let page = list(&store, org, &by_email(&term), &RowFilter::All, all_pages()).await;
            page.rows
                .iter()
                .map(|m| m.user.username.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(org.id, "added@example".into()).await, ["added"]);
    assert_eq!(found(org.id, "person@".into()).await, ["created"]);
    assert_eq!(
        found(org.id, "n@".into()).await,
        ["created"],
        "a 2-character term"
    );
    assert_eq!(
        found(second.id, "creator@example.com".into()).await,
        ["creator"]
    );
    let seeded_name = UserRepo::find(&store, seeded[0])
        .await
        .unwrap()
        .unwrap()
        .username;
    assert_eq!(found(org.id, seeded_email).await, [seeded_name]);
    // The creator is a member of "second" only.
    assert!(found(org.id, "creator@".into()).await.is_empty());
}
