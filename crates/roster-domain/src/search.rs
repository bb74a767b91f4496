//! The `q` search grammar shared by `GET /users` and the member lists (Coder's
//! `searchquery.Users`, with Roster's decisions), parsed into a typed [`UserQuery`].
//!
//! Grammar, in the order the parser applies it:
//!
//! 1. The whole string is lower-cased, so keys and values are case-insensitive.
//! 2. It is split on whitespace outside double quotes; a quote toggles "inside quotes" and stays
//!    in the element until step 4. An unbalanced quote runs to the end of the string.
//! 3. An element that contains `:` and starts or ends with `:` is a `q` error, and so is an
//!    element with more than one `:` outside quotes. An element with no `:` outside quotes is a
//!    bare word; the others are `key:value`.
//! 4. Double quotes are trimmed from both ends of keys, values and bare words (Coder leaves them
//!    in bare words, so `"john doe"` would search for the quotes too).
//! 5. Bare words are joined with one space into a single `search` value, so `john  doe` searches
//!    for `john doe` (Coder joins them the same way). Together with an explicit `search:` that
//!    is two `search` values, which is the repeated-key error below.
//! 6. An empty value (`name:""`) counts as absent; it neither filters nor repeats.
//! 7. Each key is then checked:
//!    - unknown keys: `"<key>" is not a valid query param`, field = key, even with an empty value;
//!    - single-valued keys (`search`, `name`, `username`, `email`, `service_account`,
//!      `github_com_user_id` and the four timestamps) given more than once: Coder's
//!      "provided more than once" error, field = key;
//!    - multi-valued keys (`status`, `role`, `login_type`) take comma lists and may repeat; the
//!      values accumulate, duplicates dropped. A list item that is empty or not a valid value is
//!      reported on the key, all bad items of a key in one entry as Coder does;
//!    - `role:member` (anywhere in the list) drops the role filter: everyone is a member;
//!    - typed values (list items, booleans, integers, timestamps) have surrounding whitespace
//!      trimmed; free text (`search`, `name`, `username`, `email`) is kept as written;
//!    - booleans take Go's `strconv.ParseBool` spellings (`true`/`t`/`1`, `false`/`f`/`0`);
//!    - `github_com_user_id:0` is no filter, as in Coder;
//!    - timestamps are RFC 3339 with any fractional precision and a `Z` or `±hh:mm` offset
//!      (quote them because of the colons) and are normalized to UTC; a space instead of the
//!      `T`, which RFC 3339 allows and Go refuses, is accepted.
//!
//! Every problem is reported (grammar errors first, then one entry per bad key, in order of first
//! appearance), where Coder stops at the first grammar error.
//! Element and value quoting in details follows Go's `%q`, so ASCII details match Coder's.

use std::borrow::Cow;
use std::collections::HashMap;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::error::ValidationErrors;
use crate::user::{LoginType, UserStatus};

/// A parsed `q`. Every field narrows the result; empty or `None` fields don't filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    /// Substring of username or email (`search:` or bare words), lower-cased.
    pub search: Option<String>,
    /// Substring of the display name (`name:`), lower-cased.
    pub name: Option<String>,
    /// Any of these statuses (`status:`).
    pub status: Vec<UserStatus>,
    /// Any of these roles (`role:`), lower-cased. Never contains `member`: asking for it drops the
    /// filter. On member lists it also matches the member's organization roles.
    pub roles: Vec<String>,
    /// Any of these login types (`login_type:`).
    pub login_types: Vec<LoginType>,
    /// Service accounts only, or none (`service_account:`).
    pub service_account: Option<bool>,
    /// GitHub user id (`github_com_user_id:`).
    pub github_com_user_id: Option<i64>,
    /// Last seen at or before (`last_seen_before:`).
    pub last_seen_before: Option<OffsetDateTime>,
    /// Last seen at or after (`last_seen_after:`).
    pub last_seen_after: Option<OffsetDateTime>,
    /// User created at or before (`created_before:`).
    pub created_before: Option<OffsetDateTime>,
    /// User created at or after (`created_after:`).
    pub created_after: Option<OffsetDateTime>,
    /// Exact username, case-insensitive (`username:`).
    pub username: Option<String>,
    /// Exact email, case-insensitive (`email:`).
    pub email: Option<String>,
}

/// Parses `q`. Every problem becomes one validation entry; the parser never panics.
///
/// An empty or all-whitespace `q` is the default (unfiltered) query. The grammar and the
/// decisions behind it are in the [module docs](self).
pub fn parse_user_query(q: &str) -> Result<UserQuery, ValidationErrors> {
    let lowered = q.to_lowercase();
    let mut errors = ValidationErrors::default();
    let terms = collect_terms(&lowered, &mut errors);
    let mut query = UserQuery::default();
    for term in &terms {
        apply_term(&mut query, term, &mut errors);
    }
    if query.roles.iter().any(|role| role == "member") {
        query.roles.clear();
    }
    errors.into_result(query)
}

/// The `Time3339Nano` layout Coder names in its date errors; kept so the details read alike.
const GO_RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// One key and its non-empty values, in order of appearance.
#[derive(Debug)]
struct Term<'q> {
    key: &'q str,
    values: Vec<Cow<'q, str>>,
}

/// Terms in order of first appearance, with an index so huge inputs stay linear.
#[derive(Debug, Default)]
struct Terms<'q> {
    list: Vec<Term<'q>>,
    index: HashMap<&'q str, usize>,
}

impl<'q> Terms<'q> {
    /// Records `key` (even without a value, so unknown keys are always reported) and `value`.
    fn add(&mut self, key: &'q str, value: Option<Cow<'q, str>>) {
        let at = match self.index.get(key) {
            Some(&at) => at,
            None => {
                self.list.push(Term {
                    key,
                    values: Vec::new(),
                });
                self.index.insert(key, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        if let (Some(term), Some(value)) = (self.list.get_mut(at), value) {
            term.values.push(value);
        }
    }
}

/// The keyed terms of `q` after steps 1 to 6 of the grammar (bare words under `search`), for
/// other search grammars sharing this one (the audit log's).
pub(crate) fn keyed_terms(q: &str, errors: &mut ValidationErrors) -> Vec<(String, Vec<String>)> {
    let lowered = q.to_lowercase();
    collect_terms(&lowered, errors)
        .into_iter()
        .map(|t| {
            (
                t.key.to_owned(),
                t.values.into_iter().map(Cow::into_owned).collect(),
            )
        })
        .collect()
}

/// Steps 2 to 6 of the grammar: splits the lowered `q` into keyed terms, reporting grammar errors.
fn collect_terms<'q>(lowered: &'q str, errors: &mut ValidationErrors) -> Vec<Term<'q>> {
    let mut terms = Terms::default();
    let mut bare_words: Vec<&str> = Vec::new();
    for element in split_elements(lowered) {
        let colons = unquoted_colons(element);
        if element.contains(':') && (element.starts_with(':') || element.ends_with(':')) {
            errors.push(
                "q",
                format!(
                    "Query element {} cannot start or end with ':'",
                    go_quote(element)
                ),
            );
            continue;
        }
        match colons.as_slice() {
            [] => {
                let word = trim_quotes(element);
                if !word.is_empty() {
                    bare_words.push(word);
                }
            }
            [at] => {
                let key = trim_quotes(element.get(..*at).unwrap_or_default());
                let value = trim_quotes(element.get(*at + 1..).unwrap_or_default());
                terms.add(key, (!value.is_empty()).then_some(Cow::Borrowed(value)));
            }
            _ => errors.push(
                "q",
                format!("Query element {} can only contain 1 ':'", go_quote(element)),
            ),
        }
    }
    if !bare_words.is_empty() {
        terms.add("search", Some(Cow::Owned(bare_words.join(" "))));
    }
    terms.list
}

/// Splits on whitespace outside double quotes, dropping empty elements (Coder splits with
/// `strings.FieldsFunc` on `' '` only; Roster splits on any Unicode whitespace).
fn split_elements(s: &str) -> Vec<&str> {
    let mut elements = Vec::new();
    let mut quoted = false;
    let mut start: Option<usize> = None;
    for (at, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            if let Some(from) = start.take() {
                elements.extend(s.get(from..at));
            }
        } else if start.is_none() {
            start = Some(at);
        }
    }
    if let Some(from) = start {
        elements.extend(s.get(from..));
    }
    elements
}

/// Byte offsets of the `:` outside double quotes.
fn unquoted_colons(element: &str) -> Vec<usize> {
    let mut quoted = false;
    let mut colons = Vec::new();
    for (at, c) in element.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => colons.push(at),
            _ => {}
        }
    }
    colons
}

/// Trims every leading and trailing `"`, like Go's `strings.Trim(s, "\"")`.
fn trim_quotes(s: &str) -> &str {
    s.trim_matches('"')
}

/// Step 7: turns one term into a filter or into errors.
fn apply_term(query: &mut UserQuery, term: &Term<'_>, errors: &mut ValidationErrors) {
    let key = term.key;
    let values = &term.values;
    match key {
        "search" => query.search = single(key, values, errors).map(str::to_owned),
        "name" => query.name = single(key, values, errors).map(str::to_owned),
        "username" => query.username = single(key, values, errors).map(str::to_owned),
        "email" => query.email = single(key, values, errors).map(str::to_owned),
        "status" => extend_list(&mut query.status, key, values, errors, UserStatus::parse),
        "login_type" => extend_list(
            &mut query.login_types,
            key,
            values,
            errors,
            LoginType::parse,
        ),
        "role" => extend_list(&mut query.roles, key, values, errors, |role| {
            Some(role.to_owned())
        }),
        "service_account" => {
            if let Some(value) = single(key, values, errors) {
                query.service_account = parse_bool(key, value, errors);
            }
        }
        "github_com_user_id" => {
            if let Some(value) = single(key, values, errors) {
                query.github_com_user_id = parse_i64(key, value, errors).filter(|id| *id != 0);
            }
        }
        "last_seen_before" => query.last_seen_before = timestamp(key, values, errors),
        "last_seen_after" => query.last_seen_after = timestamp(key, values, errors),
        "created_before" => query.created_before = timestamp(key, values, errors),
        "created_after" => query.created_after = timestamp(key, values, errors),
        _ => errors.push(key, format!("{} is not a valid query param", go_quote(key))),
    }
}

/// The one value of a single-valued key, or `None` when absent or (an error) repeated.
fn single<'v>(
    key: &str,
    values: &'v [Cow<'_, str>],
    errors: &mut ValidationErrors,
) -> Option<&'v str> {
    match values {
        [] => None,
        [value] => Some(value.as_ref()),
        _ => {
            errors.push(
                key,
                format!(
                    "Query param {} provided more than once, found {} times. \
                     Only provide 1 instance of this query param.",
                    go_quote(key),
                    values.len()
                ),
            );
            None
        }
    }
}

/// Parses every comma-separated item of every value; bad items are reported together.
fn extend_list<T: PartialEq>(
    out: &mut Vec<T>,
    key: &str,
    values: &[Cow<'_, str>],
    errors: &mut ValidationErrors,
    parse: impl Fn(&str) -> Option<T>,
) {
    let mut bad = Vec::new();
    for item in values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
    {
        match (!item.is_empty()).then(|| parse(item)).flatten() {
            Some(parsed) if !out.contains(&parsed) => out.push(parsed),
            Some(_) => {}
            None => bad.push(format!("{} is not a valid value", go_quote(item))),
        }
    }
    if !bad.is_empty() {
        errors.push(
            key,
            format!(
                "Query param {} has invalid values: {}",
                go_quote(key),
                bad.join("\n")
            ),
        );
    }
}

/// Go's `strconv.ParseBool` on an already lower-cased value.
fn parse_bool(key: &str, value: &str, errors: &mut ValidationErrors) -> Option<bool> {
    match value.trim() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        other => {
            errors.push(
                key,
                format!(
                    "Query param {} must be a valid boolean: {} is not true or false",
                    go_quote(key),
                    go_quote(other)
                ),
            );
            None
        }
    }
}

/// A base-10 signed 64-bit integer, like Go's `strconv.ParseInt(v, 10, 64)`.
fn parse_i64(key: &str, value: &str, errors: &mut ValidationErrors) -> Option<i64> {
    let value = value.trim();
    match value.parse::<i64>() {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            let why = match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    "is out of range"
                }
                _ => "is not an integer",
            };
            errors.push(
                key,
                format!(
                    "Query param {} must be a valid 64-bit integer: {} {why}",
                    go_quote(key),
                    go_quote(value)
                ),
            );
            None
        }
    }
}

/// An RFC 3339 timestamp in UTC. The value was lower-cased with the rest of `q`, so the `T` and
/// `Z` are upper-cased back first, as Coder does.
fn timestamp(
    key: &str,
    values: &[Cow<'_, str>],
    errors: &mut ValidationErrors,
) -> Option<OffsetDateTime> {
    let value = single(key, values, errors)?.trim();
    let why = match OffsetDateTime::parse(&value.to_ascii_uppercase(), &Rfc3339) {
        Ok(at) => match at.checked_to_offset(UtcOffset::UTC) {
            Some(utc) => return Some(utc),
            None => "is out of the supported range in UTC".to_owned(),
        },
        Err(e) => format!("could not be parsed: {e}"),
    };
    errors.push(
        key,
        format!(
            "Query param {} must be a valid date format ({GO_RFC3339_NANO}): {} {why}",
            go_quote(key),
            go_quote(value)
        ),
    );
    None
}

/// Quotes like Go's `%q` (`strconv.Quote`), so details match Coder's for the same input.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_printable(c) => out.push(c),
            c if c < ' ' || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if u32::from(c) < 0x1_0000 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Close to Go's `unicode.IsPrint`: not a control, separator, format or private-use character
/// (the ASCII space excepted). Unassigned code points are treated as printable.
fn go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        u32::from(c),
        0xad | 0x600..=0x605
            | 0x61c
            | 0x6dd
            | 0x70f
            | 0x890..=0x891
            | 0x8e2
            | 0x180e
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x2064
            | 0x2066..=0x206f
            | 0xe000..=0xf8ff
            | 0xfeff
            | 0xfff9..=0xfffb
            | 0x110bd
            | 0x110cd
            | 0x13430..=0x1343f
            | 0x1bca0..=0x1bca3
            | 0x1d173..=0x1d17a
            | 0xe0001
            | 0xe0020..=0xe007f
            | 0xf0000..=0x10ffff
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;
    use crate::user::LoginType::{Github, None as NoLogin, Oidc, Password, Token};
    use crate::user::UserStatus::{Active, Dormant, Suspended};

    /// Expected problems, as `(field, detail)`.
    type Problems<'a> = &'a [(&'a str, &'a str)];

    #[track_caller]
    fn check(q: &str, expected: Result<UserQuery, Problems<'_>>) {
        let got = parse_user_query(q).map_err(|e| {
            e.0.into_iter()
                .map(|v| (v.field, v.detail))
                .collect::<Vec<_>>()
        });
        let expected = expected.map_err(|problems| {
            problems
                .iter()
                .map(|(f, d)| (f.to_string(), d.to_string()))
                .collect::<Vec<_>>()
        });
        assert_eq!(got, expected, "q = {q:?}");
    }

    fn fx_query() -> UserQuery {
        UserQuery::default()
    }

    fn fx_search(s: &str) -> Result<UserQuery, Problems<'static>> {
        Ok(UserQuery {
            search: Some(s.into()),
            ..fx_query()
        })
    }

    #[test]
    fn empty_or_blank_query_is_the_default() {
        check("", Ok(fx_query()));
        check("   ", Ok(fx_query()));
        check(" \t\r\n ", Ok(fx_query()));
        check("\u{a0}\u{2003}", Ok(fx_query()));
        check("\"\"", Ok(fx_query()));
        check("\"", Ok(fx_query()));
        check("\"\"\"\" \"\"", Ok(fx_query()));
        check("name:\"\"", Ok(fx_query()));
        check("status:\"\" role:\"\"", Ok(fx_query()));
    }

    #[test]
    fn bare_words_join_into_one_search() {
        check("alice", fx_search("alice"));
        check("Alice", fx_search("alice"));
        check("  alice   smith  ", fx_search("alice smith"));
        check("alice\tsmith", fx_search("alice smith"));
        check("\"john doe\" smith", fx_search("john doe smith"));
        check("\"a:b\"", fx_search("a:b"));
        check("a@example.com", fx_search("a@example.com"));
        check(
            "a status:active b",
            Ok(UserQuery {
                search: Some("a b".into()),
                status: vec![Active],
                ..fx_query()
            }),
        );
        check("search:bob", fx_search("bob"));
        check("SEARCH:Bob", fx_search("bob"));
        check("search:\"bob  smith\"", fx_search("bob  smith"));
        check("search:\" \"", fx_search(" "));
    }

    #[test]
    fn keys_and_values_are_case_insensitive() {
        check(
            "STATUS:Active",
            Ok(UserQuery {
                status: vec![Active],
                ..fx_query()
            }),
        );
        check(
            "Role:OWNER",
            Ok(UserQuery {
                roles: vec!["owner".into()],
                ..fx_query()
            }),
        );
        check(
            "role:Owner",
            Ok(UserQuery {
                roles: vec!["owner".into()],
                ..fx_query()
            }),
        );
        check(
            "NAME:\"Jo Ann\"",
            Ok(UserQuery {
                name: Some("jo ann".into()),
                ..fx_query()
            }),
        );
        check(
            "Login_Type:OIDC",
            Ok(UserQuery {
                login_types: vec![Oidc],
                ..fx_query()
            }),
        );
        check(
            "Service_Account:TRUE",
            Ok(UserQuery {
                service_account: Some(true),
                ..fx_query()
            }),
        );
        check(
            "Username:Alice",
            Ok(UserQuery {
                username: Some("alice".into()),
                ..fx_query()
            }),
        );
        check(
            "EMAIL:Alice@Example.COM",
            Ok(UserQuery {
                email: Some("alice@example.com".into()),
                ..fx_query()
            }),
        );
    }

    #[test]
    fn every_key_parses() {
        check(
            "name:ann",
            Ok(UserQuery {
                name: Some("ann".into()),
                ..fx_query()
            }),
        );
        check(
            "status:dormant",
            Ok(UserQuery {
                status: vec![Dormant],
                ..fx_query()
            }),
        );
        check(
            "status:active,dormant,suspended",
            Ok(UserQuery {
                status: vec![Active, Dormant, Suspended],
                ..fx_query()
            }),
        );
        check(
            "status:\"active, suspended\"",
            Ok(UserQuery {
                status: vec![Active, Suspended],
                ..fx_query()
            }),
        );
        check(
            "role:owner,auditor",
            Ok(UserQuery {
                roles: vec!["owner".into(), "auditor".into()],
                ..fx_query()
            }),
        );
        check(
            "role:organization-admin",
            Ok(UserQuery {
                roles: vec!["organization-admin".into()],
                ..fx_query()
            }),
        );
        check(
            "login_type:password,github,oidc,token,none",
            Ok(UserQuery {
                login_types: vec![Password, Github, Oidc, Token, NoLogin],
                ..fx_query()
            }),
        );
        for (value, expected) in [
            ("true", true),
            ("t", true),
            ("1", true),
            ("false", false),
            ("f", false),
            ("0", false),
        ] {
            check(
                &format!("service_account:{value}"),
                Ok(UserQuery {
                    service_account: Some(expected),
                    ..fx_query()
                }),
            );
        }
        check(
            "github_com_user_id:12345",
            Ok(UserQuery {
                github_com_user_id: Some(12345),
                ..fx_query()
            }),
        );
        check(
            "github_com_user_id:+7",
            Ok(UserQuery {
                github_com_user_id: Some(7),
                ..fx_query()
            }),
        );
        check(
            "github_com_user_id:-5",
            Ok(UserQuery {
                github_com_user_id: Some(-5),
                ..fx_query()
            }),
        );
        check(
            "github_com_user_id:9223372036854775807",
            Ok(UserQuery {
                github_com_user_id: Some(i64::MAX),
                ..fx_query()
            }),
        );
        check("github_com_user_id:0", Ok(fx_query()));
        check(
            "username:bob",
            Ok(UserQuery {
                username: Some("bob".into()),
                ..fx_query()
            }),
        );
        check(
            "email:b@x.io",
            Ok(UserQuery {
                email: Some("b@x.io".into()),
                ..fx_query()
            }),
        );
        check(
            "search:a name:b status:active role:owner login_type:github service_account:false \
             github_com_user_id:9 last_seen_before:\"2024-01-02T03:04:05Z\" \
             last_seen_after:\"2024-01-01T00:00:00Z\" created_before:\"2023-06-01T00:00:00Z\" \
             created_after:\"2023-01-01T00:00:00Z\" username:bob email:bob@x.io",
            Ok(UserQuery {
                search: Some("a".into()),
                name: Some("b".into()),
                status: vec![Active],
                roles: vec!["owner".into()],
                login_types: vec![Github],
                service_account: Some(false),
                github_com_user_id: Some(9),
                last_seen_before: Some(datetime!(2024-01-02 03:04:05 UTC)),
                last_seen_after: Some(datetime!(2024-01-01 00:00:00 UTC)),
                created_before: Some(datetime!(2023-06-01 00:00:00 UTC)),
                created_after: Some(datetime!(2023-01-01 00:00:00 UTC)),
                username: Some("bob".into()),
                email: Some("bob@x.io".into()),
            }),
        );
    }

    #[test]
    fn timestamps_are_rfc3339_normalized_to_utc() {
        #[track_caller]
        fn check_at(value: &str, expected: OffsetDateTime) {
            check(
                &format!("created_after:\"{value}\""),
                Ok(UserQuery {
                    created_after: Some(expected),
                    ..fx_query()
                }),
            );
        }
        check_at("2024-01-02T03:04:05Z", datetime!(2024-01-02 03:04:05 UTC));
        check_at(
            "2024-01-02T03:04:05+02:00",
            datetime!(2024-01-02 01:04:05 UTC),
        );
        check_at(
            "2024-01-02T03:04:05-05:30",
            datetime!(2024-01-02 08:34:05 UTC),
        );
        check_at(
            "2024-01-02T00:30:00+01:00",
            datetime!(2024-01-01 23:30:00 UTC),
        );
        check_at(
            "2024-01-02T03:04:05.5Z",
            datetime!(2024-01-02 03:04:05.5 UTC),
        );
        check_at(
            "2024-01-02T03:04:05.123456789Z",
            datetime!(2024-01-02 03:04:05.123456789 UTC),
        );
        check_at(
            "2024-01-02T03:04:05.123456789+02:00",
            datetime!(2024-01-02 01:04:05.123456789 UTC),
        );
        check_at("2024-01-02t03:04:05z", datetime!(2024-01-02 03:04:05 UTC));
        check_at(" 2024-01-02T03:04:05Z ", datetime!(2024-01-02 03:04:05 UTC));
        // RFC 3339 (section 5.6, note) allows a space for the `T`; Go refuses it, we accept it.
        check_at("2024-01-02 03:04:05Z", datetime!(2024-01-02 03:04:05 UTC));
        check(
            "CREATED_BEFORE:\"2024-01-02T03:04:05+02:00\" last_seen_after:\"2020-02-29T12:00:00Z\"",
            Ok(UserQuery {
                created_before: Some(datetime!(2024-01-02 01:04:05 UTC)),
                last_seen_after: Some(datetime!(2020-02-29 12:00:00 UTC)),
                ..fx_query()
            }),
        );
    }

    #[test]
    fn bad_timestamps_are_reported_on_the_key() {
        #[track_caller]
        fn check_bad(key: &str, value: &str) {
            let result = parse_user_query(&format!("{key}:\"{value}\""));
            let errors = result.expect_err(value).0;
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, key);
            let prefix = format!(
                "Query param \"{key}\" must be a valid date format \
                 (2006-01-02T15:04:05.999999999Z07:00): {}",
                go_quote(&value.trim().to_lowercase())
            );
            assert!(
                errors[0].detail.starts_with(&prefix),
                "{:?}",
                errors[0].detail
            );
        }
        check_bad("created_after", "yesterday");
        check_bad("created_before", "2024-01-02");
        check_bad("last_seen_after", "2024-01-02T03:04:05");
        check_bad("last_seen_before", "2024-13-01T00:00:00Z");
        check_bad("created_after", "2024-01-02T03:04:05+2");
        check_bad("created_after", "9999-12-31T23:59:59-23:59");
        check(
            "created_after:\"9999-12-31T23:59:59-23:59\"",
            Err(&[(
                "created_after",
                "Query param \"created_after\" must be a valid date format \
                 (2006-01-02T15:04:05.999999999Z07:00): \"9999-12-31t23:59:59-23:59\" is out \
                 of the supported range in UTC",
            )]),
        );
        // Unquoted, the colons of the time make it a grammar error, as in Coder.
        check(
            "created_after:2024-01-02T03:04:05Z",
            Err(&[(
                "q",
                "Query element \"created_after:2024-01-02t03:04:05z\" can only contain 1 ':'",
            )]),
        );
    }

    #[test]
    fn elements_starting_or_ending_with_a_colon_are_refused() {
        check(
            ":foo",
            Err(&[("q", "Query element \":foo\" cannot start or end with ':'")]),
        );
        check(
            "foo:",
            Err(&[("q", "Query element \"foo:\" cannot start or end with ':'")]),
        );
        check(
            "status:",
            Err(&[(
                "q",
                "Query element \"status:\" cannot start or end with ':'",
            )]),
        );
        check(
            ":",
            Err(&[("q", "Query element \":\" cannot start or end with ':'")]),
        );
        check(
            "::",
            Err(&[("q", "Query element \"::\" cannot start or end with ':'")]),
        );
        check(
            "a:b:",
            Err(&[("q", "Query element \"a:b:\" cannot start or end with ':'")]),
        );
        check(
            "x\":",
            Err(&[("q", "Query element \"x\\\":\" cannot start or end with ':'")]),
        );
        check(
            "Name:",
            Err(&[("q", "Query element \"name:\" cannot start or end with ':'")]),
        );
    }

    #[test]
    fn elements_with_two_unquoted_colons_are_refused() {
        check(
            "a:b:c",
            Err(&[("q", "Query element \"a:b:c\" can only contain 1 ':'")]),
        );
        check(
            "a::b",
            Err(&[("q", "Query element \"a::b\" can only contain 1 ':'")]),
        );
        check(
            "x:\"y\":z",
            Err(&[(
                "q",
                "Query element \"x:\\\"y\\\":z\" can only contain 1 ':'",
            )]),
        );
        check(
            "name:\"a:b\"",
            Ok(UserQuery {
                name: Some("a:b".into()),
                ..fx_query()
            }),
        );
        check(
            "name:\"a:b:c d\"",
            Ok(UserQuery {
                name: Some("a:b:c d".into()),
                ..fx_query()
            }),
        );
        check(
            "\"name\":ann",
            Ok(UserQuery {
                name: Some("ann".into()),
                ..fx_query()
            }),
        );
    }

    #[test]
    fn unknown_keys_are_reported_once_on_the_key() {
        check(
            "foo:bar",
            Err(&[("foo", "\"foo\" is not a valid query param")]),
        );
        check(
            "foo:\"\"",
            Err(&[("foo", "\"foo\" is not a valid query param")]),
        );
        check(
            "foo:a foo:b",
            Err(&[("foo", "\"foo\" is not a valid query param")]),
        );
        check("\"\":x", Err(&[("", "\"\" is not a valid query param")]));
        check(
            "Organization:x",
            Err(&[(
                "organization",
                "\"organization\" is not a valid query param",
            )]),
        );
        check(
            "ключ:x",
            Err(&[("ключ", "\"ключ\" is not a valid query param")]),
        );
        check(
            "\"my key\":x",
            Err(&[("my key", "\"my key\" is not a valid query param")]),
        );
        check(
            "rbac_role:owner status:active",
            Err(&[("rbac_role", "\"rbac_role\" is not a valid query param")]),
        );
    }

    #[test]
    fn repeated_single_valued_keys_are_refused() {
        for key in [
            "search",
            "name",
            "username",
            "email",
            "service_account",
            "github_com_user_id",
        ] {
            let detail = format!(
                "Query param \"{key}\" provided more than once, found 2 times. \
                 Only provide 1 instance of this query param."
            );
            check(&format!("{key}:1 {key}:1"), Err(&[(key, &detail)]));
        }
        for key in [
            "last_seen_before",
            "last_seen_after",
            "created_before",
            "created_after",
        ] {
            let detail = format!(
                "Query param \"{key}\" provided more than once, found 3 times. \
                 Only provide 1 instance of this query param."
            );
            let at = "\"2024-01-02T03:04:05Z\"";
            check(
                &format!("{key}:{at} {key}:{at} {key}:{at}"),
                Err(&[(key, &detail)]),
            );
        }
        // Bare words are one `search` value, so they clash with an explicit `search:`.
        check(
            "alice bob search:carol",
            Err(&[(
                "search",
                "Query param \"search\" provided more than once, found 2 times. \
                 Only provide 1 instance of this query param.",
            )]),
        );
        // An empty value is absent, so it neither filters nor counts.
        check(
            "name:\"\" name:ann",
            Ok(UserQuery {
                name: Some("ann".into()),
                ..fx_query()
            }),
        );
    }

    #[test]
    fn multi_valued_keys_accumulate() {
        check(
            "status:active status:suspended",
            Ok(UserQuery {
                status: vec![Active, Suspended],
                ..fx_query()
            }),
        );
        check(
            "status:active,active status:active",
            Ok(UserQuery {
                status: vec![Active],
                ..fx_query()
            }),
        );
        check(
            "role:owner role:auditor,owner",
            Ok(UserQuery {
                roles: vec!["owner".into(), "auditor".into()],
                ..fx_query()
            }),
        );
        check(
            "login_type:oidc login_type:password",
            Ok(UserQuery {
                login_types: vec![Oidc, Password],
                ..fx_query()
            }),
        );
    }

    #[test]
    fn member_in_the_role_list_drops_the_role_filter() {
        check("role:member", Ok(fx_query()));
        check("role:MEMBER", Ok(fx_query()));
        check("role:owner,member", Ok(fx_query()));
        check("role:owner role:member", Ok(fx_query()));
        check(
            "role:member status:active",
            Ok(UserQuery {
                status: vec![Active],
                ..fx_query()
            }),
        );
        check(
            "role:members",
            Ok(UserQuery {
                roles: vec!["members".into()],
                ..fx_query()
            }),
        );
    }

    #[test]
    fn bad_values_are_reported_on_the_key() {
        check(
            "status:bogus",
            Err(&[(
                "status",
                "Query param \"status\" has invalid values: \"bogus\" is not a valid value",
            )]),
        );
        check(
            "status:active,bogus,nope",
            Err(&[(
                "status",
                "Query param \"status\" has invalid values: \"bogus\" is not a valid value\n\
                 \"nope\" is not a valid value",
            )]),
        );
        check(
            "status:active,",
            Err(&[(
                "status",
                "Query param \"status\" has invalid values: \"\" is not a valid value",
            )]),
        );
        check(
            "status:deleted status:active",
            Err(&[(
                "status",
                "Query param \"status\" has invalid values: \"deleted\" is not a valid value",
            )]),
        );
        check(
            "login_type:saml",
            Err(&[(
                "login_type",
                "Query param \"login_type\" has invalid values: \"saml\" is not a valid value",
            )]),
        );
        check(
            "role:,",
            Err(&[(
                "role",
                "Query param \"role\" has invalid values: \"\" is not a valid value\n\
                 \"\" is not a valid value",
            )]),
        );
        check(
            "service_account:yes",
            Err(&[(
                "service_account",
                "Query param \"service_account\" must be a valid boolean: \"yes\" is not true or \
                 false",
            )]),
        );
        check(
            "github_com_user_id:abc",
            Err(&[(
                "github_com_user_id",
                "Query param \"github_com_user_id\" must be a valid 64-bit integer: \"abc\" is \
                 not an integer",
            )]),
        );
        check(
            "github_com_user_id:1.5",
            Err(&[(
                "github_com_user_id",
                "Query param \"github_com_user_id\" must be a valid 64-bit integer: \"1.5\" is \
                 not an integer",
            )]),
        );
        check(
            "github_com_user_id:99999999999999999999",
            Err(&[(
                "github_com_user_id",
                "Query param \"github_com_user_id\" must be a valid 64-bit integer: \
                 \"99999999999999999999\" is out of range",
            )]),
        );
    }

    #[test]
    fn every_problem_is_reported() {
        check(
            ":a b: a:b:c foo:x status:nope name:a name:b ok",
            Err(&[
                ("q", "Query element \":a\" cannot start or end with ':'"),
                ("q", "Query element \"b:\" cannot start or end with ':'"),
                ("q", "Query element \"a:b:c\" can only contain 1 ':'"),
                ("foo", "\"foo\" is not a valid query param"),
                (
                    "status",
                    "Query param \"status\" has invalid values: \"nope\" is not a valid value",
                ),
                (
                    "name",
                    "Query param \"name\" provided more than once, found 2 times. \
                     Only provide 1 instance of this query param.",
                ),
            ]),
        );
    }

    #[test]
    fn hostile_input_is_handled() {
        check(
            "name:\"foo bar",
            Ok(UserQuery {
                name: Some("foo bar".into()),
                ..fx_query()
            }),
        );
        check(
            "name:\"foo bar status:active",
            Ok(UserQuery {
                name: Some("foo bar status:active".into()),
                ..fx_query()
            }),
        );
        check(
            "name:foo\"bar\"",
            Ok(UserQuery {
                name: Some("foo\"bar".into()),
                ..fx_query()
            }),
        );
        check(
            "name:Zoë",
            Ok(UserQuery {
                name: Some("zoë".into()),
                ..fx_query()
            }),
        );
        check("ÄLICE", fx_search("älice"));
        check("İ", fx_search("i\u{307}"));
        check(
            "😀 name:🦀",
            Ok(UserQuery {
                search: Some("😀".into()),
                name: Some("🦀".into()),
                ..fx_query()
            }),
        );
        check("a\u{a0}b", fx_search("a b"));
        check("\u{0}", fx_search("\u{0}"));
        check(
            "\u{0}:x",
            Err(&[("\u{0}", "\"\\x00\" is not a valid query param")]),
        );
        check(
            "\u{200b}:x",
            Err(&[("\u{200b}", "\"\\u200b\" is not a valid query param")]),
        );
        check(
            "name:a\u{1b}[31m",
            Ok(UserQuery {
                name: Some("a\u{1b}[31m".into()),
                ..fx_query()
            }),
        );
        check(
            "\\:x",
            Err(&[("\\", "\"\\\\\" is not a valid query param")]),
        );
        check(
            "'name':x",
            Err(&[("'name'", "\"'name'\" is not a valid query param")]),
        );
        check(
            "status:\"active",
            Ok(UserQuery {
                status: vec![Active],
                ..fx_query()
            }),
        );
        check(
            "service_account:\"\u{0}\"",
            Err(&[(
                "service_account",
                "Query param \"service_account\" must be a valid boolean: \"\\x00\" is not true or \
             false",
            )]),
        );
    }

    #[test]
    fn huge_input_is_handled() {
        check(&"x".repeat(1 << 20), fx_search(&"x".repeat(1 << 20)));
        check(&"\"".repeat(1 << 20), Ok(fx_query()));
        check(&" ".repeat(1 << 20), Ok(fx_query()));
        check(
            &"status:active ".repeat(50_000),
            Ok(UserQuery {
                status: vec![Active],
                ..fx_query()
            }),
        );
        let repeated = parse_user_query(&"name:x ".repeat(50_000)).expect_err("repeated");
        assert_eq!(repeated.0.len(), 1);
        assert!(
            repeated.0[0].detail.contains("found 50000 times"),
            "{:?}",
            repeated.0[0]
        );
        let unknown: String = (0..50_000).map(|i| format!("k{i}:v ")).collect();
        assert_eq!(
            parse_user_query(&unknown).expect_err("unknown").0.len(),
            50_000
        );
        let grammar = parse_user_query(&"a:b:c ".repeat(50_000)).expect_err("grammar");
        assert_eq!(grammar.0.len(), 50_000);
    }

    #[test]
    fn go_quote_matches_go() {
        #[track_caller]
        fn check_quote(input: &str, expected: &str) {
            assert_eq!(go_quote(input), expected, "{input:?}");
        }
        check_quote("", r#""""#);
        check_quote("abc", r#""abc""#);
        check_quote("a\"b", r#""a\"b""#);
        check_quote("a\\b", r#""a\\b""#);
        check_quote("\u{7}\u{8}\u{c}\n\r\t\u{b}", r#""\a\b\f\n\r\t\v""#);
        check_quote("\u{0}\u{1f}\u{7f}", r#""\x00\x1f\x7f""#);
        check_quote("\u{85}\u{a0}", r#""\u0085\u00a0""#);
        check_quote("\u{feff}\u{e000}", r#""\ufeff\ue000""#);
        check_quote("\u{f0000}", r#""\U000f0000""#);
        check_quote("zoë 🦀 ключ", r#""zoë 🦀 ключ""#);
    }

    /// Pieces that exercise the grammar's edges when glued together at random.
    fn fx_piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(" ".to_owned()),
            Just("\"".to_owned()),
            Just(":".to_owned()),
            Just(",".to_owned()),
            Just("\t".to_owned()),
            Just("status:".to_owned()),
            Just("role:member".to_owned()),
            Just("role:".to_owned()),
            Just("search:".to_owned()),
            Just("created_after:".to_owned()),
            Just("\"2024-01-02T03:04:05+02:00\"".to_owned()),
            Just("github_com_user_id:".to_owned()),
            Just("service_account:".to_owned()),
            Just("active".to_owned()),
            Just("İ".to_owned()),
            Just("\u{0}".to_owned()),
            "[a-z0-9_]{0,6}",
            any::<char>().prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn never_panics_on_arbitrary_strings(q in any::<String>()) {
            let _ = parse_user_query(&q);
        }

        #[test]
        fn grammar_like_input_keeps_the_invariants(
            pieces in proptest::collection::vec(fx_piece(), 0..24)
        ) {
            let q = pieces.concat();
            match parse_user_query(&q) {
                Ok(query) => {
                    prop_assert!(!query.roles.iter().any(|role| role == "member"));
                    prop_assert!(query.roles.iter().all(|role| !role.is_empty()));
                    prop_assert_ne!(query.github_com_user_id, Some(0));
                }
                Err(errors) => prop_assert!(!errors.is_empty()),
            }
            prop_assert_eq!(parse_user_query(&q), parse_user_query(&q.to_ascii_uppercase()));
        }
    }
}
