//! Errors: the one error of this crate's own API, and the mapping of `DbErr` into the domain's
//! `RepoError`, done once here so every adapter method reports constraints the same way on SQLite
//! and PostgreSQL.

use roster_domain::RepoError;
use sea_orm::{DbErr, SqlErr};

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("cannot connect to the database")]
    Connect(#[source] DbErr),
}

/// A row the store wrote itself but cannot read back (a value outside the domain's vocabulary).
#[derive(Debug, thiserror::Error)]
#[error("corrupt {column} in the database: {value:?}")]
pub(crate) struct CorruptRow {
    pub(crate) column: &'static str,
    pub(crate) value: String,
}

/// A unique constraint: its PostgreSQL name, SQLite's description of its columns, and the field
/// reported in `RepoError::Conflict`.
struct Unique {
    postgres: &'static str,
    sqlite: &'static str,
    field: &'static str,
}

/// Every unique constraint of the schema. SQLite names columns, PostgreSQL names constraints, so
/// both spellings are listed. Longer SQLite descriptions come before their prefixes.
const UNIQUES: &[Unique] = &[
    Unique {
        postgres: "users_username_key_idx",
        sqlite: "users.username_key",
        field: "username",
    },
    Unique {
        postgres: "users_email_key_idx",
        sqlite: "users.email_key",
        field: "email",
    },
    Unique {
        postgres: "users_pkey",
        sqlite: "users.id",
        field: "id",
    },
    Unique {
        postgres: "first_user_pkey",
        sqlite: "first_user.singleton",
        field: "first_user",
    },
    Unique {
        postgres: "user_site_roles_pkey",
        sqlite: "user_site_roles.",
        field: "role",
    },
    Unique {
        postgres: "organizations_name_key_idx",
        sqlite: "organizations.name_key",
        field: "name",
    },
    Unique {
        postgres: "organizations_single_default_idx",
        sqlite: "organizations.is_default",
        field: "is_default",
    },
    Unique {
        postgres: "organizations_pkey",
        sqlite: "organizations.id",
        field: "id",
    },
    Unique {
        postgres: "organization_members_pkey",
        sqlite: "organization_members.",
        field: "membership",
    },
    Unique {
        postgres: "organization_member_roles_pkey",
        sqlite: "organization_member_roles.",
        field: "role",
    },
    Unique {
        postgres: "custom_roles_org_name_idx",
        sqlite: "custom_roles.name",
        field: "name",
    },
    Unique {
        postgres: "custom_roles_pkey",
        sqlite: "custom_roles.id",
        field: "id",
    },
    Unique {
        postgres: "api_keys_pkey",
        sqlite: "api_keys.id",
        field: "id",
    },
    Unique {
        postgres: "workspaces_owner_name_idx",
        sqlite: "workspaces.name_key",
        field: "name",
    },
    Unique {
        postgres: "workspaces_pkey",
        sqlite: "workspaces.id",
        field: "id",
    },
    Unique {
        postgres: "workspace_builds_workspace_number_idx",
        sqlite: "workspace_builds.build_number",
        field: "build_number",
    },
    Unique {
        postgres: "workspace_builds_pkey",
        sqlite: "workspace_builds.id",
        field: "id",
    },
    Unique {
        postgres: "aibridge_interceptions_pkey",
        sqlite: "aibridge_interceptions.id",
        field: "id",
    },
];

/// The field a unique-violation message is about, from the constraint it names.
fn unique_field(message: &str) -> &'static str {
    UNIQUES
        .iter()
        .find(|u| message.contains(&format!("\"{}\"", u.postgres)) || message.contains(u.sqlite))
        .map_or("unique", |u| u.field)
}

/// Maps a database error: unique violations become `Conflict` on the field the constraint
/// protects; everything else is `Unavailable`.
pub(crate) fn db_err(e: DbErr) -> RepoError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => RepoError::Conflict {
            field: unique_field(&message),
        },
        _ => RepoError::Unavailable(Box::new(e)),
    }
}

/// Like [`db_err`], and a foreign-key violation means the referenced `entity` does not exist.
/// SQLite doesn't say which key failed, so the caller names the entity it can be about.
pub(crate) fn db_err_fk(entity: &'static str) -> impl Fn(DbErr) -> RepoError {
    move |e| match e.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => RepoError::NotFound { entity },
        _ => db_err(e),
    }
}

/// A value read back from the database that the domain doesn't know.
pub(crate) fn corrupt(column: &'static str, value: impl Into<String>) -> RepoError {
    RepoError::Unavailable(Box::new(CorruptRow {
        column,
        value: value.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(message: &str, expected: &str) {
        assert_eq!(unique_field(message), expected, "{message}");
    }

    #[test]
    fn names_the_field_of_each_backend_message() {
        check(
            "duplicate key value violates unique constraint \"users_username_key_idx\"",
            "username",
        );
        check("UNIQUE constraint failed: users.username_key", "username");
        check("UNIQUE constraint failed: users.email_key", "email");
        check(
            "UNIQUE constraint failed: organization_members.organization_id, \
             organization_members.user_id",
            "membership",
        );
        check(
            "duplicate key value violates unique constraint \"organization_members_pkey\"",
            "membership",
        );
        check(
            "UNIQUE constraint failed: custom_roles.organization_id, custom_roles.name",
            "name",
        );
        check(
            "UNIQUE constraint failed: first_user.singleton",
            "first_user",
        );
        check("UNIQUE constraint failed: something.else", "unique");
    }
}
