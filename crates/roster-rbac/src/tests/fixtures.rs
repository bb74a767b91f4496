//! Fixtures shared by the cross-module tests.

use roster_domain::ids::{GroupId, OrganizationId, UserId};
use uuid::Uuid;

/// The subject under test.
pub(crate) const fn fx_me() -> UserId {
    UserId(Uuid::from_u128(1))
}

/// Another member of the subject's organization.
pub(crate) const fn fx_bob() -> UserId {
    UserId(Uuid::from_u128(2))
}

/// The organization the subject belongs to.
pub(crate) const fn fx_org() -> OrganizationId {
    OrganizationId(Uuid::from_u128(10))
}

/// An organization the subject does not belong to.
pub(crate) const fn fx_other_org() -> OrganizationId {
    OrganizationId(Uuid::from_u128(11))
}

/// A group.
pub(crate) const fn fx_group() -> GroupId {
    GroupId(Uuid::from_u128(20))
}
