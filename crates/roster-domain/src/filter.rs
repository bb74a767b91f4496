//! A prepared authorization filter for lists, produced by `roster-rbac` and turned into SQL by
//! the store, so lists are filtered in the database rather than after loading.

use crate::ids::{OrganizationId, UserId};

/// Which rows of one resource type a subject may act on.
///
/// An object is described by its organization (`None` outside any organization) and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowFilter {
    /// Every row.
    All,
    /// No row.
    Nothing,
    /// Rows matching any branch.
    Where(Scoped),
}

/// The branches of a [`RowFilter::Where`]. A row matches when:
/// its organization is in `orgs`; or it is owned by `subject` and its organization is in
/// `owned_in_orgs`; or it is owned by `subject`, has no organization and `owned_outside_orgs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scoped {
    /// The subject the ownership branches compare with.
    pub subject: UserId,
    /// Organizations where every row is allowed.
    pub orgs: Vec<OrganizationId>,
    /// Organizations where the subject's own rows are allowed.
    pub owned_in_orgs: Vec<OrganizationId>,
    /// Whether the subject's own rows outside any organization are allowed.
    pub owned_outside_orgs: bool,
}

impl RowFilter {
    /// Whether a row with this organization and owner passes.
    pub fn matches(&self, org: Option<OrganizationId>, owner: Option<UserId>) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Nothing => false,
            RowFilter::Where(s) => {
                let own = owner == Some(s.subject);
                match org {
                    Some(o) => s.orgs.contains(&o) || (own && s.owned_in_orgs.contains(&o)),
                    None => own && s.owned_outside_orgs,
                }
            }
        }
    }
}
