//! [`Object`]: what a decision is about.

use roster_domain::ids::{GroupId, OrganizationId, UserId};
use roster_domain::permission::{Action, ResourceType};
use uuid::Uuid;

use crate::compiled::grant_bits;

/// The object of a decision (Coder's `rbac.Object`): a resource type, and optionally an id, an
/// owner, an organization and ACL lists.
///
/// ```
/// use roster_rbac::{Object, ResourceType};
/// # use roster_domain::ids::{OrganizationId, UserId};
/// # let (org, user) = (OrganizationId::new_v7(), UserId::new_v7());
/// // A membership row: type organization_member, in the org, owned by the member.
/// let membership = Object::new(ResourceType::OrganizationMember).in_org(org).owned_by(user);
/// assert_eq!(membership.org(), Some(org));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    resource_type: ResourceType,
    id: Option<Uuid>,
    owner: Option<UserId>,
    org: Option<OrganizationId>,
    any_org: bool,
    acl_users: Vec<(UserId, u32)>,
    acl_groups: Vec<(GroupId, u32)>,
}

impl Object {
    /// An object of this type, with no id, owner or organization (a site-wide object).
    pub const fn new(resource_type: ResourceType) -> Self {
        Object {
            resource_type,
            id: None,
            owner: None,
            org: None,
            any_org: false,
            acl_users: Vec::new(),
            acl_groups: Vec::new(),
        }
    }

    /// Sets the object's id (informational: decisions do not depend on it).
    pub fn with_id(mut self, id: Uuid) -> Self {
        self.id = Some(id);
        self
    }

    /// Places the object in an organization. Clears [`any_org`](Object::any_org).
    pub fn in_org(mut self, org: OrganizationId) -> Self {
        self.org = Some(org);
        self.any_org = false;
        self
    }

    /// Sets the object's owner.
    pub fn owned_by(mut self, owner: UserId) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Asks about "some organization": the organization level votes with the best vote across
    /// the subject's organizations, and the member and user levels abstain.
    /// Clears the organization, as Coder's `AnyOrganization()` does.
    pub fn any_org(mut self) -> Self {
        self.org = None;
        self.any_org = true;
        self
    }

    /// Grants `user` the `actions` on this object through its user ACL.
    /// `Action::Wildcard` grants every action.
    pub fn with_user_acl(mut self, user: UserId, actions: &[Action]) -> Self {
        self.acl_users.push((user, bits(actions)));
        self
    }

    /// Grants the members of `group` the `actions` on this object through its group ACL.
    /// The organization's "Everyone" group has the organization's id as its group id.
    /// Group ACLs only count for subjects that are members of the object's organization.
    pub fn with_group_acl(mut self, group: GroupId, actions: &[Action]) -> Self {
        self.acl_groups.push((group, bits(actions)));
        self
    }

    /// The resource type.
    pub const fn resource_type(&self) -> ResourceType {
        self.resource_type
    }

    /// The id, if set.
    pub const fn id(&self) -> Option<Uuid> {
        self.id
    }

    /// The owner, if any.
    pub const fn owner(&self) -> Option<UserId> {
        self.owner
    }

    /// The organization, if any.
    pub const fn org(&self) -> Option<OrganizationId> {
        self.org
    }

    /// Whether this is an "in any organization" question.
    pub const fn is_any_org(&self) -> bool {
        self.any_org
    }

    /// Whether the object has ACL entries (the prepared filter ignores ACLs).
    pub fn has_acl(&self) -> bool {
        !self.acl_users.is_empty() || !self.acl_groups.is_empty()
    }

    pub(crate) fn acl_users(&self) -> &[(UserId, u32)] {
        &self.acl_users
    }

    pub(crate) fn acl_groups(&self) -> &[(GroupId, u32)] {
        &self.acl_groups
    }
}

fn bits(actions: &[Action]) -> u32 {
    actions.iter().fold(0, |acc, a| acc | grant_bits(*a))
}
