//! Criterion benchmarks of the decision, the prepared filter and subject compilation.
//!
//! Run with `cargo bench -p roster-rbac`. The subjects are the ones Coder benchmarks
//! (`BenchmarkRBACAuthorize`): no roles, owner, organization admin, member of two organizations
//! and "many roles" (admin of three organizations plus every site role but owner).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use roster_domain::ids::{OrganizationId, UserId};
use roster_rbac::{Action, Object, ResourceType, Subject, builtin};
use uuid::Uuid;

fn org(n: u128) -> OrganizationId {
    OrganizationId(Uuid::from_u128(0x1000 + n))
}

const ME: UserId = UserId(Uuid::from_u128(1));
const BOB: UserId = UserId(Uuid::from_u128(2));

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// The subjects Coder benchmarks, by name.
fn subjects() -> Vec<(&'static str, Subject)> {
    let many_orgs: Vec<(OrganizationId, Vec<String>)> = (1..=3)
        .map(|n| (org(n), names(&[builtin::ORG_ADMIN])))
        .collect();
    vec![
        ("no_roles", Subject::new(ME, &[], &[], &[])),
        (
            "owner",
            Subject::new(ME, &names(&[builtin::OWNER]), &[(org(1), vec![])], &[]),
        ),
        (
            "org_admin",
            Subject::new(ME, &[], &[(org(1), names(&[builtin::ORG_ADMIN]))], &[]),
        ),
        (
            "org_member_2_orgs",
            Subject::new(ME, &[], &[(org(1), vec![]), (org(2), vec![])], &[]),
        ),
        (
            "many_roles",
            Subject::new(
                ME,
                &names(&[
                    builtin::AUDITOR,
                    builtin::TEMPLATE_ADMIN,
                    builtin::USER_ADMIN,
                ]),
                &many_orgs,
                &[],
            ),
        ),
    ]
}

/// A mix of questions across site, organization, member-owned and user-owned objects.
fn questions() -> Vec<(Action, Object)> {
    use ResourceType as R;
    vec![
        (
            Action::Read,
            Object::new(R::Workspace).in_org(org(1)).owned_by(BOB),
        ),
        (
            Action::Create,
            Object::new(R::Workspace).in_org(org(1)).owned_by(ME),
        ),
        (
            Action::Read,
            Object::new(R::OrganizationMember)
                .in_org(org(1))
                .owned_by(BOB),
        ),
        (Action::Read, Object::new(R::User)),
        (Action::Assign, Object::new(R::AssignOrgRole).in_org(org(1))),
        (Action::Use, Object::new(R::Template).in_org(org(9))),
        (Action::Read, Object::new(R::AuditLog)),
        (Action::Read, Object::new(R::ApiKey).owned_by(ME)),
    ]
}

fn bench_authorize(c: &mut Criterion) {
    let questions = questions();
    let mut group = c.benchmark_group("authorize");
    for (name, subject) in subjects() {
        group.bench_function(name, |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & 7;
                let (action, object) = &questions[i];
                black_box(
                    subject
                        .authorize(black_box(*action), black_box(object))
                        .is_ok(),
                )
            })
        });
    }
    group.finish();
}

fn bench_org_count(c: &mut Criterion) {
    let mut group = c.benchmark_group("org_count");
    for count in [1u128, 100] {
        let memberships: Vec<_> = (1..=count).map(|n| (org(n), vec![])).collect();
        let subject = Subject::new(ME, &[], &memberships, &[]);
        let questions = [
            (
                Action::Read,
                Object::new(ResourceType::OrganizationMember).in_org(org(count)),
            ),
            (
                Action::Create,
                Object::new(ResourceType::Workspace)
                    .in_org(org(count))
                    .owned_by(ME),
            ),
            (
                Action::Read,
                Object::new(ResourceType::Group).in_org(org(1000)),
            ),
            (
                Action::Update,
                Object::new(ResourceType::Organization).in_org(org(1)),
            ),
        ];
        group.bench_with_input(
            BenchmarkId::new("member_of", count),
            &subject,
            |b, subject| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) & 3;
                    let (action, object) = &questions[i];
                    black_box(subject.allows(black_box(*action), black_box(object)))
                })
            },
        );
    }
    group.finish();
}

fn bench_prepare(c: &mut Criterion) {
    let mut group = c.benchmark_group("prepare");
    let mut subjects = subjects();
    let hundred: Vec<_> = (1..=100).map(|n| (org(n), vec![])).collect();
    subjects.push(("org_member_100_orgs", Subject::new(ME, &[], &hundred, &[])));
    for (name, subject) in &subjects {
        group.bench_function(*name, |b| {
            b.iter(|| {
                black_box(
                    subject.prepare(black_box(Action::Read), black_box(ResourceType::Workspace)),
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("filter_per_object");
    for (name, subject) in &subjects {
        let filter = subject.prepare(Action::Read, ResourceType::Workspace);
        let rows: Vec<(Option<OrganizationId>, Option<UserId>)> = (0..64u128)
            .map(|n| {
                let org_of_row = if n % 5 == 0 { None } else { Some(org(n % 4)) };
                let owner = if n % 3 == 0 { Some(ME) } else { Some(BOB) };
                (org_of_row, owner)
            })
            .collect();
        group.bench_function(*name, |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) & 63;
                let (o, u) = rows[i];
                black_box(filter.matches(black_box(o), black_box(u)))
            })
        });
    }
    group.finish();
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("subject_new");
    let many: Vec<_> = (1..=3)
        .map(|n| (org(n), names(&[builtin::ORG_ADMIN])))
        .collect();
    let site = names(&[
        builtin::AUDITOR,
        builtin::TEMPLATE_ADMIN,
        builtin::USER_ADMIN,
    ]);
    group.bench_function("many_roles", |b| {
        b.iter(|| black_box(Subject::new(ME, black_box(&site), black_box(&many), &[])))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_authorize,
    bench_org_count,
    bench_prepare,
    bench_compile
);
criterion_main!(benches);
