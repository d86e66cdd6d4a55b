//! The domain's one error type. The API maps it to a Graph error in one place
//! (`api::error`); nothing here knows about HTTP status codes.

/// Every way a domain operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input breaks a rule; `target` names the property or option at fault.
    #[error("{message}")]
    Invalid {
        message: String,
        target: Option<String>,
    },
    /// A lifecycle-workflows object (workflow, task, run, result...) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A directory object (user, group) does not exist; Graph answers these with its
    /// directory error code.
    #[error("{0}")]
    DirectoryNotFound(String),
    /// The caller may not do this to this object (beyond the permission of the operation).
    #[error("{0}")]
    Forbidden(String),
    /// The object's state forbids the change (e.g. a uniqueness rule).
    #[error("{0}")]
    Conflict(String),
    /// Graph refuses the request as not acceptable (activateWithScope's `subjects` naming
    /// users that do not exist).
    #[error("{0}")]
    NotAcceptable(String),
    /// Graph documents the operation but lcw does not serve this form of it.
    #[error("{0}")]
    NotImplemented(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Engine(#[from] engine::runner::EngineError),
    #[error(transparent)]
    Model(#[from] model::ModelError),
    #[error(transparent)]
    Query(#[from] odata::QueryError),
    /// A broken invariant of lcw itself; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            target: None,
        }
    }

    pub fn invalid_at(message: impl Into<String>, target: impl Into<String>) -> Self {
        Error::Invalid {
            message: message.into(),
            target: Some(target.into()),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
