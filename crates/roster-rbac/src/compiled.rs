//! Precompiled permission levels: one allow and one deny bit mask per resource type.
//!
//! The `*` type and the `*` action are folded in when a level is compiled, so a vote is two
//! array lookups and two bit tests.
//! Bits `0..18` are the concrete actions; bit [`WILDCARD_BIT`] marks a permission whose action is
//! literally `*`, so a question about the action `*` only matches such permissions, as in Coder's
//! policy (`perm.action in [input.action, "*"]`).
//! Likewise slot `ResourceType::Wildcard` only holds permissions whose type is literally `*`.

use roster_domain::permission::{Action, ActionSet, Permission, ResourceType};

/// Number of slots in a level: one per resource type, the wildcard included.
pub(crate) const TYPES: usize = ResourceType::VALUES.len();

/// The bit of a permission whose action is `*`.
pub(crate) const WILDCARD_BIT: u32 = 1 << Action::Wildcard.index();

/// The bits a permission (or an ACL entry) with `action` covers.
pub(crate) const fn grant_bits(action: Action) -> u32 {
    match action {
        Action::Wildcard => ActionSet::ALL.0 | WILDCARD_BIT,
        a => 1 << a.index(),
    }
}

/// The bit a question about `action` tests.
pub(crate) const fn query_bit(action: Action) -> u32 {
    1 << action.index()
}

/// The answer of one level: Coder's `-1`, `0`, `+1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Vote {
    Deny,
    Abstain,
    Allow,
}

/// One level of one subject (or scope), compiled.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Level {
    allow: [u32; TYPES],
    deny: [u32; TYPES],
}

impl std::fmt::Debug for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for t in ResourceType::VALUES {
            let (a, d) = (self.allow[t.index()], self.deny[t.index()]);
            if a != 0 || d != 0 {
                map.entry(&t.as_str(), &format_args!("allow={a:#x} deny={d:#x}"));
            }
        }
        map.finish()
    }
}

impl Default for Level {
    fn default() -> Self {
        Level::EMPTY
    }
}

impl Level {
    pub(crate) const EMPTY: Level = Level {
        allow: [0; TYPES],
        deny: [0; TYPES],
    };

    /// Adds one permission, folding the wildcards in.
    pub(crate) fn add(&mut self, p: Permission) {
        let bits = grant_bits(p.action);
        let masks = if p.negate {
            &mut self.deny
        } else {
            &mut self.allow
        };
        if p.resource_type == ResourceType::Wildcard {
            for m in masks.iter_mut() {
                *m |= bits;
            }
        } else {
            masks[p.resource_type.index()] |= bits;
        }
    }

    pub(crate) fn extend(&mut self, perms: &[Permission]) {
        for p in perms {
            self.add(*p);
        }
    }

    pub(crate) fn from_permissions(perms: &[Permission]) -> Level {
        let mut level = Level::EMPTY;
        level.extend(perms);
        level
    }

    /// The vote of this level for `bit` (from [`query_bit`]) on type slot `t`.
    #[inline]
    pub(crate) fn vote(&self, t: usize, bit: u32) -> Vote {
        if self.deny[t] & bit != 0 {
            Vote::Deny
        } else if self.allow[t] & bit != 0 {
            Vote::Allow
        } else {
            Vote::Abstain
        }
    }

    /// Folds several organizations' levels into the level that answers "the best vote in any of
    /// them" (Coder's `any_org`): allow where some organization allows, abstain where none allows
    /// but some abstains, deny where every one denies.
    pub(crate) fn max_of<'a>(levels: impl Iterator<Item = &'a Level>) -> Level {
        let mut some_allow = [0u32; TYPES];
        let mut some_abstain = [0u32; TYPES];
        let mut any = false;
        for level in levels {
            any = true;
            for t in 0..TYPES {
                let (a, d) = (level.allow[t], level.deny[t]);
                some_allow[t] |= a & !d;
                some_abstain[t] |= !(a | d);
            }
        }
        let mut out = Level::EMPTY;
        if any {
            for t in 0..TYPES {
                out.allow[t] = some_allow[t];
                out.deny[t] = !(some_allow[t] | some_abstain[t]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::permission::{Action, Permission, ResourceType};

    use crate::compiled::{Level, Vote, query_bit};

    #[track_caller]
    fn check(perms: &[Permission], t: ResourceType, a: Action, expected: Vote) {
        let level = Level::from_permissions(perms);
        assert_eq!(
            level.vote(t.index(), query_bit(a)),
            expected,
            "{perms:?} {t}:{a}"
        );
    }

    #[test]
    fn votes_fold_wildcards_and_negation_wins() {
        use Action::*;
        use ResourceType as R;
        let allow = Permission::allow;
        let deny = Permission::deny;
        check(&[], R::Workspace, Read, Vote::Abstain);
        check(
            &[allow(R::Workspace, Read)],
            R::Workspace,
            Read,
            Vote::Allow,
        );
        check(
            &[allow(R::Workspace, Read)],
            R::Workspace,
            Update,
            Vote::Abstain,
        );
        check(
            &[allow(R::Workspace, Read)],
            R::Template,
            Read,
            Vote::Abstain,
        );
        check(&[allow(R::Wildcard, Read)], R::Template, Read, Vote::Allow);
        check(
            &[allow(R::Workspace, Wildcard)],
            R::Workspace,
            Ssh,
            Vote::Allow,
        );
        check(
            &[allow(R::Wildcard, Wildcard)],
            R::User,
            Delete,
            Vote::Allow,
        );
        check(
            &[allow(R::Wildcard, Wildcard), deny(R::User, Delete)],
            R::User,
            Delete,
            Vote::Deny,
        );
        check(
            &[allow(R::User, Delete), deny(R::Wildcard, Wildcard)],
            R::User,
            Delete,
            Vote::Deny,
        );
        check(&[deny(R::Wildcard, Read)], R::User, Delete, Vote::Abstain);
        // Questions about `*` itself only match permissions spelled with `*`.
        check(&[allow(R::User, Read)], R::User, Wildcard, Vote::Abstain);
        check(&[allow(R::User, Wildcard)], R::User, Wildcard, Vote::Allow);
        check(
            &[allow(R::User, Wildcard)],
            R::Wildcard,
            Wildcard,
            Vote::Abstain,
        );
        check(&[allow(R::Wildcard, Read)], R::Wildcard, Read, Vote::Allow);
    }

    #[test]
    fn max_of_takes_the_best_vote() {
        let t = ResourceType::Workspace;
        let bit = query_bit(Action::Create);
        let allow = Level::from_permissions(&[Permission::allow(t, Action::Create)]);
        let deny = Level::from_permissions(&[Permission::deny(t, Action::Create)]);
        let none = Level::EMPTY;
        let vote = |levels: &[&Level]| Level::max_of(levels.iter().copied()).vote(t.index(), bit);
        assert_eq!(vote(&[]), Vote::Abstain);
        assert_eq!(vote(&[&deny]), Vote::Deny);
        assert_eq!(vote(&[&deny, &none]), Vote::Abstain);
        assert_eq!(vote(&[&deny, &allow]), Vote::Allow);
        assert_eq!(vote(&[&none, &allow]), Vote::Allow);
    }
}
