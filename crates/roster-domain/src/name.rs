//! Coder's name rule (`NameValid`), shared by usernames, organization names and custom role names.

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty.
    #[error("must be at least 1 character")]
    Empty,
    /// Longer than 32 characters.
    #[error("must be <= 32 characters")]
    TooLong,
    /// Not letters and digits separated by single hyphens.
    #[error("must be alphanumeric with hyphens")]
    BadCharacters,
    /// `new` and `create` would clash with routes.
    #[error("cannot use {0:?} as a name")]
    Reserved(String),
}

/// Checks Coder's `NameValid`: 1 to 32 characters matching `^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`,
/// and not `new` or `create`.
pub fn check_name(s: &str) -> Result<(), NameError> {
    if s.is_empty() {
        return Err(NameError::Empty);
    }
    if s.len() > 32 {
        return Err(NameError::TooLong);
    }
    let well_formed = s
        .split('-')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed {
        return Err(NameError::BadCharacters);
    }
    if s == "new" || s == "create" {
        return Err(NameError::Reserved(s.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: Result<(), NameError>) {
        assert_eq!(check_name(input), expected, "{input:?}");
    }

    #[test]
    fn accepts_coder_names() {
        check("a", Ok(()));
        check("Alice-Smith-2", Ok(()));
        check(&"x".repeat(32), Ok(()));
    }

    #[test]
    fn refuses_bad_names() {
        check("", Err(NameError::Empty));
        check(&"x".repeat(33), Err(NameError::TooLong));
        check("-a", Err(NameError::BadCharacters));
        check("a-", Err(NameError::BadCharacters));
        check("a--b", Err(NameError::BadCharacters));
        check("a_b", Err(NameError::BadCharacters));
        check("é", Err(NameError::BadCharacters));
        check("a b", Err(NameError::BadCharacters));
        check("new", Err(NameError::Reserved("new".into())));
        check("create", Err(NameError::Reserved("create".into())));
    }
}
