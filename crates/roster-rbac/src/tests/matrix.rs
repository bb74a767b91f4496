//! The role × object × action matrix: every built-in role over representative objects and the
//! actions the members API asks about.
//!
//! Every subject is a member of `fx_org()` (holding the role named in the first column there, or
//! as a site role) and not of `fx_other_org()`. Columns:
//! `site` a site-wide object; `org` an object in the subject's organization; `other` an object
//! in another organization; `own` an object in the subject's organization owned by the subject;
//! `bob` one owned by another member; `mine` one owned by the subject outside any organization.
//! `Y` is allowed, `.` denied.
//!
//! Some answers look odd but are Coder's: the implied `member` role's user level grants almost
//! every type on objects the subject owns outside any organization (the `mine` column), and
//! `organization-admin`'s organization level grants every type but a few in its organization.

use roster_domain::permission::{Action, ResourceType};

use crate::builtin::{is_org_role, is_site_role};
use crate::tests::fixtures::{fx_bob, fx_me, fx_org, fx_other_org};
use crate::{Object, Subject};

const MATRIX: &str = "
# role                               type:action                      site org other own bob mine
none                                 organization:read                .   Y   .   Y   Y   Y
none                                 organization:update              .   .   .   .   .   Y
none                                 organization:create              .   .   .   .   .   Y
none                                 organization_member:read         .   Y   .   Y   Y   .
none                                 organization_member:create       .   .   .   .   .   .
none                                 organization_member:update       .   .   .   .   .   .
none                                 organization_member:delete       .   .   .   .   .   .
none                                 assign_role:assign               .   .   .   .   .   Y
none                                 assign_role:read                 Y   Y   Y   Y   Y   Y
none                                 assign_org_role:assign           .   .   .   .   .   Y
none                                 assign_org_role:unassign         .   .   .   .   .   Y
none                                 assign_org_role:read             .   Y   .   Y   Y   Y
none                                 assign_org_role:create           .   .   .   .   .   Y
none                                 user:read                        .   .   .   .   .   Y
none                                 user:update_personal             .   .   .   .   .   Y
none                                 user:create                      .   .   .   .   .   .
none                                 group:read                       .   Y   .   Y   Y   Y
none                                 workspace:create                 .   .   .   Y   .   .
none                                 workspace:ssh                    .   .   .   Y   .   .
none                                 audit_log:read                   .   .   .   .   .   Y

owner                                organization:read                Y   Y   Y   Y   Y   Y
owner                                organization:update              Y   Y   Y   Y   Y   Y
owner                                organization:create              Y   Y   Y   Y   Y   Y
owner                                organization_member:read         Y   Y   Y   Y   Y   Y
owner                                organization_member:create       Y   Y   Y   Y   Y   Y
owner                                organization_member:update       Y   Y   Y   Y   Y   Y
owner                                organization_member:delete       Y   Y   Y   Y   Y   Y
owner                                assign_role:assign               Y   Y   Y   Y   Y   Y
owner                                assign_role:read                 Y   Y   Y   Y   Y   Y
owner                                assign_org_role:assign           Y   Y   Y   Y   Y   Y
owner                                assign_org_role:unassign         Y   Y   Y   Y   Y   Y
owner                                assign_org_role:read             Y   Y   Y   Y   Y   Y
owner                                assign_org_role:create           Y   Y   Y   Y   Y   Y
owner                                user:read                        Y   Y   Y   Y   Y   Y
owner                                user:update_personal             Y   Y   Y   Y   Y   Y
owner                                user:create                      Y   Y   Y   Y   Y   Y
owner                                group:read                       Y   Y   Y   Y   Y   Y
owner                                workspace:create                 Y   Y   Y   Y   Y   Y
owner                                workspace:ssh                    Y   Y   Y   Y   Y   Y
owner                                audit_log:read                   Y   Y   Y   Y   Y   Y

auditor                              organization:read                Y   Y   Y   Y   Y   Y
auditor                              organization:update              .   .   .   .   .   Y
auditor                              organization:create              .   .   .   .   .   Y
auditor                              organization_member:read         Y   Y   Y   Y   Y   Y
auditor                              organization_member:create       .   .   .   .   .   .
auditor                              organization_member:update       .   .   .   .   .   .
auditor                              organization_member:delete       .   .   .   .   .   .
auditor                              assign_role:assign               .   .   .   .   .   Y
auditor                              assign_role:read                 Y   Y   Y   Y   Y   Y
auditor                              assign_org_role:assign           .   .   .   .   .   Y
auditor                              assign_org_role:unassign         .   .   .   .   .   Y
auditor                              assign_org_role:read             Y   Y   Y   Y   Y   Y
auditor                              assign_org_role:create           .   .   .   .   .   Y
auditor                              user:read                        Y   Y   Y   Y   Y   Y
auditor                              user:update_personal             .   .   .   .   .   Y
auditor                              user:create                      .   .   .   .   .   .
auditor                              group:read                       Y   Y   Y   Y   Y   Y
auditor                              workspace:create                 .   .   .   Y   .   .
auditor                              workspace:ssh                    .   .   .   Y   .   .
auditor                              audit_log:read                   Y   Y   Y   Y   Y   Y

template-admin                       organization:read                Y   Y   Y   Y   Y   Y
template-admin                       organization:update              .   .   .   .   .   Y
template-admin                       organization:create              .   .   .   .   .   Y
template-admin                       organization_member:read         Y   Y   Y   Y   Y   Y
template-admin                       organization_member:create       .   .   .   .   .   .
template-admin                       organization_member:update       .   .   .   .   .   .
template-admin                       organization_member:delete       .   .   .   .   .   .
template-admin                       assign_role:assign               .   .   .   .   .   Y
template-admin                       assign_role:read                 Y   Y   Y   Y   Y   Y
template-admin                       assign_org_role:assign           .   .   .   .   .   Y
template-admin                       assign_org_role:unassign         .   .   .   .   .   Y
template-admin                       assign_org_role:read             Y   Y   Y   Y   Y   Y
template-admin                       assign_org_role:create           .   .   .   .   .   Y
template-admin                       user:read                        Y   Y   Y   Y   Y   Y
template-admin                       user:update_personal             .   .   .   .   .   Y
template-admin                       user:create                      .   .   .   .   .   .
template-admin                       group:read                       Y   Y   Y   Y   Y   Y
template-admin                       workspace:create                 .   .   .   Y   .   .
template-admin                       workspace:ssh                    .   .   .   Y   .   .
template-admin                       audit_log:read                   .   .   .   .   .   Y

user-admin                           organization:read                Y   Y   Y   Y   Y   Y
user-admin                           organization:update              .   .   .   .   .   Y
user-admin                           organization:create              .   .   .   .   .   Y
user-admin                           organization_member:read         Y   Y   Y   Y   Y   Y
user-admin                           organization_member:create       Y   Y   Y   Y   Y   Y
user-admin                           organization_member:update       Y   Y   Y   Y   Y   Y
user-admin                           organization_member:delete       Y   Y   Y   Y   Y   Y
user-admin                           assign_role:assign               Y   Y   Y   Y   Y   Y
user-admin                           assign_role:read                 Y   Y   Y   Y   Y   Y
user-admin                           assign_org_role:assign           Y   Y   Y   Y   Y   Y
user-admin                           assign_org_role:unassign         Y   Y   Y   Y   Y   Y
user-admin                           assign_org_role:read             Y   Y   Y   Y   Y   Y
user-admin                           assign_org_role:create           .   .   .   .   .   Y
user-admin                           user:read                        Y   Y   Y   Y   Y   Y
user-admin                           user:update_personal             Y   Y   Y   Y   Y   Y
user-admin                           user:create                      Y   Y   Y   Y   Y   Y
user-admin                           group:read                       Y   Y   Y   Y   Y   Y
user-admin                           workspace:create                 .   .   .   Y   .   .
user-admin                           workspace:ssh                    .   .   .   Y   .   .
user-admin                           audit_log:read                   .   .   .   .   .   Y

organization-admin                   organization:read                .   Y   .   Y   Y   Y
organization-admin                   organization:update              .   Y   .   Y   Y   Y
organization-admin                   organization:create              .   Y   .   Y   Y   Y
organization-admin                   organization_member:read         .   Y   .   Y   Y   .
organization-admin                   organization_member:create       .   Y   .   Y   Y   .
organization-admin                   organization_member:update       .   Y   .   Y   Y   .
organization-admin                   organization_member:delete       .   Y   .   Y   Y   .
organization-admin                   assign_role:assign               .   .   .   .   .   Y
organization-admin                   assign_role:read                 Y   Y   Y   Y   Y   Y
organization-admin                   assign_org_role:assign           .   Y   .   Y   Y   Y
organization-admin                   assign_org_role:unassign         .   Y   .   Y   Y   Y
organization-admin                   assign_org_role:read             .   Y   .   Y   Y   Y
organization-admin                   assign_org_role:create           .   Y   .   Y   Y   Y
organization-admin                   user:read                        Y   Y   Y   Y   Y   Y
organization-admin                   user:update_personal             .   Y   .   Y   Y   Y
organization-admin                   user:create                      .   Y   .   Y   Y   .
organization-admin                   group:read                       .   Y   .   Y   Y   Y
organization-admin                   workspace:create                 .   Y   .   Y   Y   .
organization-admin                   workspace:ssh                    .   .   .   Y   .   .
organization-admin                   audit_log:read                   .   Y   .   Y   Y   Y

organization-auditor                 organization:read                .   Y   .   Y   Y   Y
organization-auditor                 organization:update              .   .   .   .   .   Y
organization-auditor                 organization:create              .   .   .   .   .   Y
organization-auditor                 organization_member:read         .   Y   .   Y   Y   .
organization-auditor                 organization_member:create       .   .   .   .   .   .
organization-auditor                 organization_member:update       .   .   .   .   .   .
organization-auditor                 organization_member:delete       .   .   .   .   .   .
organization-auditor                 assign_role:assign               .   .   .   .   .   Y
organization-auditor                 assign_role:read                 Y   Y   Y   Y   Y   Y
organization-auditor                 assign_org_role:assign           .   .   .   .   .   Y
organization-auditor                 assign_org_role:unassign         .   .   .   .   .   Y
organization-auditor                 assign_org_role:read             .   Y   .   Y   Y   Y
organization-auditor                 assign_org_role:create           .   .   .   .   .   Y
organization-auditor                 user:read                        .   .   .   .   .   Y
organization-auditor                 user:update_personal             .   .   .   .   .   Y
organization-auditor                 user:create                      .   .   .   .   .   .
organization-auditor                 group:read                       .   Y   .   Y   Y   Y
organization-auditor                 workspace:create                 .   .   .   Y   .   .
organization-auditor                 workspace:ssh                    .   .   .   Y   .   .
organization-auditor                 audit_log:read                   .   Y   .   Y   Y   Y

organization-user-admin              organization:read                .   Y   .   Y   Y   Y
organization-user-admin              organization:update              .   .   .   .   .   Y
organization-user-admin              organization:create              .   .   .   .   .   Y
organization-user-admin              organization_member:read         .   Y   .   Y   Y   .
organization-user-admin              organization_member:create       .   Y   .   Y   Y   .
organization-user-admin              organization_member:update       .   Y   .   Y   Y   .
organization-user-admin              organization_member:delete       .   Y   .   Y   Y   .
organization-user-admin              assign_role:assign               .   .   .   .   .   Y
organization-user-admin              assign_role:read                 Y   Y   Y   Y   Y   Y
organization-user-admin              assign_org_role:assign           .   Y   .   Y   Y   Y
organization-user-admin              assign_org_role:unassign         .   Y   .   Y   Y   Y
organization-user-admin              assign_org_role:read             .   Y   .   Y   Y   Y
organization-user-admin              assign_org_role:create           .   .   .   .   .   Y
organization-user-admin              user:read                        Y   Y   Y   Y   Y   Y
organization-user-admin              user:update_personal             .   .   .   .   .   Y
organization-user-admin              user:create                      .   .   .   .   .   .
organization-user-admin              group:read                       .   Y   .   Y   Y   Y
organization-user-admin              workspace:create                 .   .   .   Y   .   .
organization-user-admin              workspace:ssh                    .   .   .   Y   .   .
organization-user-admin              audit_log:read                   .   .   .   .   .   Y

organization-template-admin          organization:read                .   Y   .   Y   Y   Y
organization-template-admin          organization:update              .   .   .   .   .   Y
organization-template-admin          organization:create              .   .   .   .   .   Y
organization-template-admin          organization_member:read         .   Y   .   Y   Y   .
organization-template-admin          organization_member:create       .   .   .   .   .   .
organization-template-admin          organization_member:update       .   .   .   .   .   .
organization-template-admin          organization_member:delete       .   .   .   .   .   .
organization-template-admin          assign_role:assign               .   .   .   .   .   Y
organization-template-admin          assign_role:read                 Y   Y   Y   Y   Y   Y
organization-template-admin          assign_org_role:assign           .   .   .   .   .   Y
organization-template-admin          assign_org_role:unassign         .   .   .   .   .   Y
organization-template-admin          assign_org_role:read             .   Y   .   Y   Y   Y
organization-template-admin          assign_org_role:create           .   .   .   .   .   Y
organization-template-admin          user:read                        .   .   .   .   .   Y
organization-template-admin          user:update_personal             .   .   .   .   .   Y
organization-template-admin          user:create                      .   .   .   .   .   .
organization-template-admin          group:read                       .   Y   .   Y   Y   Y
organization-template-admin          workspace:create                 .   .   .   Y   .   .
organization-template-admin          workspace:ssh                    .   .   .   Y   .   .
organization-template-admin          audit_log:read                   .   .   .   .   .   Y

organization-workspace-creation-ban  organization:read                .   Y   .   Y   Y   Y
organization-workspace-creation-ban  organization:update              .   .   .   .   .   Y
organization-workspace-creation-ban  organization:create              .   .   .   .   .   Y
organization-workspace-creation-ban  organization_member:read         .   Y   .   Y   Y   .
organization-workspace-creation-ban  organization_member:create       .   .   .   .   .   .
organization-workspace-creation-ban  organization_member:update       .   .   .   .   .   .
organization-workspace-creation-ban  organization_member:delete       .   .   .   .   .   .
organization-workspace-creation-ban  assign_role:assign               .   .   .   .   .   Y
organization-workspace-creation-ban  assign_role:read                 Y   Y   Y   Y   Y   Y
organization-workspace-creation-ban  assign_org_role:assign           .   .   .   .   .   Y
organization-workspace-creation-ban  assign_org_role:unassign         .   .   .   .   .   Y
organization-workspace-creation-ban  assign_org_role:read             .   Y   .   Y   Y   Y
organization-workspace-creation-ban  assign_org_role:create           .   .   .   .   .   Y
organization-workspace-creation-ban  user:read                        .   .   .   .   .   Y
organization-workspace-creation-ban  user:update_personal             .   .   .   .   .   Y
organization-workspace-creation-ban  user:create                      .   .   .   .   .   .
organization-workspace-creation-ban  group:read                       .   Y   .   Y   Y   Y
organization-workspace-creation-ban  workspace:create                 .   .   .   .   .   .
organization-workspace-creation-ban  workspace:ssh                    .   .   .   Y   .   .
organization-workspace-creation-ban  audit_log:read                   .   .   .   .   .   Y
";

fn fx_subject(role: &str) -> Subject {
    let (site, org): (Vec<String>, Vec<String>) = if is_site_role(role) {
        (vec![role.to_owned()], vec![])
    } else if is_org_role(role) {
        (vec![], vec![role.to_owned()])
    } else {
        assert_eq!(role, "none");
        (vec![], vec![])
    };
    Subject::new(fx_me(), &site, &[(fx_org(), org)], &[])
}

fn fx_objects(t: ResourceType) -> [Object; 6] {
    let o = || Object::new(t);
    [
        o(),
        o().in_org(fx_org()),
        o().in_org(fx_other_org()),
        o().in_org(fx_org()).owned_by(fx_me()),
        o().in_org(fx_org()).owned_by(fx_bob()),
        o().owned_by(fx_me()),
    ]
}

#[track_caller]
fn check(line: &str) {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [role, question, expected @ ..] = fields.as_slice() else {
        panic!("bad row {line:?}")
    };
    let (t, a) = question.split_once(':').expect("type:action");
    let t: ResourceType = t.parse().expect("resource type");
    let a: Action = a.parse().expect("action");
    let subject = fx_subject(role);
    let got: Vec<&str> = fx_objects(t)
        .iter()
        .map(|o| if subject.allows(a, o) { "Y" } else { "." })
        .collect();
    assert_eq!(got, expected, "{role} {question}");
    for o in fx_objects(t) {
        assert_eq!(
            subject.explain(a, &o).is_allowed(),
            subject.allows(a, &o),
            "{role} {question} {o:?}"
        );
    }
}

#[test]
fn builtin_roles_decide_as_the_matrix_says() {
    let rows = MATRIX
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let mut count = 0;
    for row in rows {
        check(row);
        count += 1;
    }
    assert_eq!(count, 200);
}
