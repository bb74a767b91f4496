//! Domain errors: validation problems and repository failures, adapter-neutral.

/// One problem with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct ValidationError {
    /// The JSON (or query) name of the field.
    pub field: String,
    /// What is wrong with it, in a sentence a client can show.
    pub detail: String,
}

impl ValidationError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// Every problem found with an input, reported together.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("{} validation error(s)", .0.len())]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Records a problem.
    pub fn push(&mut self, field: impl Into<String>, detail: impl Into<String>) {
        self.0.push(ValidationError::new(field, detail));
    }

    /// `Ok(value)` when nothing was recorded, else the problems.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// A boxed error from an adapter's technology, kept as a source and never shown to clients.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a repository (port) can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The row to change does not exist.
    #[error("{entity} not found")]
    NotFound {
        /// What kind of row.
        entity: &'static str,
    },
    /// A uniqueness rule was broken (duplicate username, already a member, …).
    #[error("conflict on {field}")]
    Conflict {
        /// Which rule, named after the field it protects.
        field: &'static str,
    },
    /// The storage failed; the request can't be served.
    #[error("storage unavailable")]
    Unavailable(#[source] BoxError),
}

/// Result of a port call.
pub type RepoResult<T> = Result<T, RepoError>;
