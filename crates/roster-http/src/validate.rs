//! Request field checks with Coder's validation messages.

use roster_domain::ValidationErrors;
use roster_domain::name::check_name;

/// Coder's struct-validation detail.
pub(crate) fn tag_failed(tag: &str, value: &str) -> String {
    format!("Validation failed for tag {tag:?} with value: {value:?}")
}

/// A required, well-formed name (the `username` tag).
pub(crate) fn name(errors: &mut ValidationErrors, field: &str, value: &str) {
    if value.is_empty() {
        errors.push(field, tag_failed("required", value));
    } else if check_name(value).is_err() {
        errors.push(field, tag_failed("username", value));
    }
}

/// A required email address of the form `local@domain`.
pub(crate) fn email(errors: &mut ValidationErrors, field: &str, value: &str) {
    if value.is_empty() {
        errors.push(field, tag_failed("required", value));
    } else if !looks_like_email(value) {
        errors.push(field, tag_failed("email", value));
    }
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.len() <= 254
}

/// Checks a password against [`password_strength`], as Coder answers a weak one:
/// `400 Password not strong enough!` with the problem on `password`.
pub(crate) fn strong_password(password: &str) -> Result<(), crate::error::ApiError> {
    match password_strength(password) {
        None => Ok(()),
        Some(problem) => Err(crate::error::ApiError::BadRequest {
            message: "Password not strong enough!".into(),
            detail: String::new(),
            validations: vec![roster_domain::ValidationError::new("password", problem)],
        }),
    }
}

/// Coder's password policy: 6 to 64 characters and enough entropy. Returns the problem.
pub(crate) fn password_strength(password: &str) -> Option<String> {
    let len = password.chars().count();
    if len < 6 {
        return Some("password must be at least 6 characters".into());
    }
    if len > 64 {
        return Some("password must be no more than 64 characters".into());
    }
    // Entropy as go-password-validator estimates it: the size of the character classes used,
    // to the power of the length once runs of the same character are collapsed.
    let mut base = 0u32;
    let has = |f: fn(char) -> bool| password.chars().any(f);
    if has(|c| c.is_ascii_lowercase()) {
        base += 26;
    }
    if has(|c| c.is_ascii_uppercase()) {
        base += 26;
    }
    if has(|c| c.is_ascii_digit()) {
        base += 10;
    }
    if has(|c| " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".contains(c)) {
        base += 33;
    }
    if has(|c| !c.is_ascii()) {
        base += 40;
    }
    let mut effective = 0u32;
    let mut prev = None;
    let mut run = 0;
    for c in password.chars() {
        if Some(c) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(c);
        }
        if run <= 2 {
            effective += 1;
        }
    }
    let entropy = f64::from(effective) * f64::from(base.max(1)).log2();
    (entropy < 52.0).then(|| {
        "insecure password, try including more special characters, using uppercase letters, using numbers or using a longer password".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(password_strength("abc").is_some());
        assert!(password_strength("aaaaaaaaaaaaaaaaaaaaaaa").is_some());
        assert!(password_strength("password").is_some());
        assert_eq!(password_strength("SomeSecurePassword!"), None);
        assert_eq!(password_strength("correct horse battery staple"), None);
        assert!(password_strength(&"Ab1!".repeat(20)).is_some());
    }

    #[test]
    fn email_shapes() {
        assert!(looks_like_email("a@b.c"));
        assert!(!looks_like_email("a@"));
        assert!(!looks_like_email("@b"));
        assert!(!looks_like_email("a b@c"));
        assert!(!looks_like_email("plain"));
    }

    #[test]
    fn names_report_the_tag() {
        let mut e = ValidationErrors::default();
        name(&mut e, "username", "bad name");
        name(&mut e, "name", "");
        assert_eq!(
            e.0[0].detail,
            r#"Validation failed for tag "username" with value: "bad name""#
        );
        assert_eq!(
            e.0[1].detail,
            r#"Validation failed for tag "required" with value: """#
        );
    }
}
