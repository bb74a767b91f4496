//! Conversions between stored values and domain values: times, enums and permissions.

use roster_domain::RepoError;
use roster_domain::permission::{Action, Permission, ResourceType};
use roster_domain::user::{LoginType, UserStatus};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::corrupt;

/// A time as stored: microseconds since the Unix epoch. Both databases compare and order these
/// exactly like the times they stand for (SQLite's text timestamps would not).
pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    let us = t.unix_timestamp_nanos().div_euclid(1_000);
    i64::try_from(us).unwrap_or(if us < 0 { i64::MIN } else { i64::MAX })
}

/// A stored time back as a UTC time.
pub(crate) fn from_micros(us: i64) -> Result<OffsetDateTime, RepoError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
        .map_err(|_| corrupt("timestamp", us.to_string()))
}

pub(crate) fn status(s: &str) -> Result<UserStatus, RepoError> {
    UserStatus::parse(s).ok_or_else(|| corrupt("status", s))
}

pub(crate) fn login_type(s: &str) -> Result<LoginType, RepoError> {
    LoginType::parse(s).ok_or_else(|| corrupt("login_type", s))
}

/// One permission as stored in the JSON text columns of `custom_roles`.
#[derive(Debug, Serialize, Deserialize)]
struct StoredPermission {
    negate: bool,
    resource_type: String,
    action: String,
}

/// Permissions as JSON text.
pub(crate) fn permissions_to_json(perms: &[Permission]) -> String {
    let stored: Vec<StoredPermission> = perms
        .iter()
        .map(|p| StoredPermission {
            negate: p.negate,
            resource_type: p.resource_type.as_str().to_owned(),
            action: p.action.as_str().to_owned(),
        })
        .collect();
    // Serializing strings and booleans can't fail; fall back to an empty list all the same.
    serde_json::to_string(&stored).unwrap_or_else(|_| "[]".to_owned())
}

/// Permissions from JSON text.
pub(crate) fn permissions_from_json(
    column: &'static str,
    json: &str,
) -> Result<Vec<Permission>, RepoError> {
    let stored: Vec<StoredPermission> =
        serde_json::from_str(json).map_err(|_| corrupt(column, json))?;
    stored
        .into_iter()
        .map(|p| {
            let resource_type: ResourceType = p
                .resource_type
                .parse()
                .map_err(|_| corrupt(column, p.resource_type.clone()))?;
            let action: Action = p
                .action
                .parse()
                .map_err(|_| corrupt(column, p.action.clone()))?;
            Ok(Permission {
                negate: p.negate,
                resource_type,
                action,
            })
        })
        .collect()
}

/// Lower-cases a key the way every key column is written, so both databases compare the same
/// bytes whatever their own `lower()` does with non-ASCII text.
pub(crate) fn key(s: &str) -> String {
    s.to_lowercase()
}

/// Sorted, de-duplicated role names.
pub(crate) fn role_set(roles: Vec<String>) -> Vec<String> {
    let mut roles = roles;
    roles.sort();
    roles.dedup();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn micros_round_trip_and_order() {
        let a = datetime!(2024-05-06 07:08:09.123456 UTC);
        let b = datetime!(2024-05-06 07:08:09.1234567 UTC);
        assert_eq!(from_micros(micros(a)).unwrap(), a);
        assert!(micros(datetime!(1970-01-01 0:00 UTC)) == 0);
        assert!(micros(a) <= micros(b));
        assert_eq!(
            from_micros(micros(datetime!(1969-12-31 23:59:59.5 UTC))).unwrap(),
            datetime!(1969-12-31 23:59:59.5 UTC)
        );
    }

    #[test]
    fn permissions_round_trip() {
        let perms = vec![
            Permission::allow(ResourceType::Workspace, Action::Read),
            Permission::deny(ResourceType::Wildcard, Action::Wildcard),
        ];
        let json = permissions_to_json(&perms);
        assert_eq!(permissions_from_json("p", &json).unwrap(), perms);
        assert!(permissions_from_json("p", "[{\"negate\":false}]").is_err());
    }
}
