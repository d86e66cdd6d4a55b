//! The one place where every failure becomes a Graph error response.

use axum::http::{HeaderValue, StatusCode};
use serde_json::json;

/// Every way a request can fail. Handlers return these; `render` is the only code that turns
/// them into HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest {
        message: String,
        target: Option<String>,
    },
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A directory object (user/group) that does not exist: Graph's directory code.
    #[error("{0}")]
    DirectoryNotFound(String),
    #[error("The HTTP method '{0}' is not allowed for this resource.")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotAcceptable(String),
    #[error("The request was not received in time.")]
    RequestTimeout,
    #[error("The request body is larger than the limit of {0} bytes.")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    NotImplemented(String),
    /// A transient overload (the database stayed busy): 503 with `Retry-After`, which the
    /// Graph SDKs' retry handlers honour.
    #[error("The service is busy. Retry the request after {RETRY_AFTER_SECONDS} seconds.")]
    Unavailable(String),
    /// Server-side failure; the detail is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What `Retry-After` says on a 503.
pub const RETRY_AFTER_SECONDS: u32 = 5;

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            target: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::DirectoryNotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Graph error code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "BadRequest",
            ApiError::Unauthenticated(_) => "InvalidAuthenticationToken",
            ApiError::Forbidden(_) => "Authorization_RequestDenied",
            ApiError::NotFound(_) => "ResourceNotFound",
            ApiError::DirectoryNotFound(_) => "Request_ResourceNotFound",
            ApiError::MethodNotAllowed(_) => "MethodNotAllowed",
            ApiError::Conflict(_) => "Conflict",
            ApiError::NotAcceptable(_) => "NotAcceptable",
            ApiError::RequestTimeout => "RequestTimeout",
            ApiError::PayloadTooLarge(_) => "RequestEntityTooLarge",
            ApiError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            ApiError::NotImplemented(_) => "NotImplemented",
            ApiError::Unavailable(_) => "serviceNotAvailable",
            ApiError::Internal(_) => "InternalServerError",
        }
    }

    /// The Graph error body: `{"error": {code, message, target?, innerError{date, request-id,
    /// client-request-id}}}`.
    pub fn body(&self, request_id: &str, client_request_id: &str, now: &str) -> Vec<u8> {
        let message = match self {
            ApiError::Internal(detail) => {
                tracing::error!(request_id, detail = %detail, "internal error");
                "An internal server error occurred.".to_string()
            }
            ApiError::Unavailable(detail) => {
                tracing::warn!(request_id, detail = %detail, "database busy; answered 503");
                self.to_string()
            }
            other => other.to_string(),
        };
        let mut error = json!({
            "code": self.code(),
            "message": message,
            "innerError": {
                "date": now,
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        });
        if let ApiError::BadRequest {
            target: Some(t), ..
        } = self
        {
            error["target"] = json!(t);
        }
        serde_json::to_vec(&json!({ "error": error })).unwrap_or_default()
    }

    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        matches!(self, ApiError::Unauthenticated(_)).then(|| HeaderValue::from_static("Bearer"))
    }

    pub fn retry_after(&self) -> Option<HeaderValue> {
        matches!(self, ApiError::Unavailable(_)).then(|| HeaderValue::from(RETRY_AFTER_SECONDS))
    }
}

/// The domain's verdicts as Graph errors: the one mapping handlers rely on.
impl From<lifecycle::Error> for ApiError {
    fn from(e: lifecycle::Error) -> Self {
        use lifecycle::Error as E;
        match e {
            E::Invalid { message, target } => ApiError::BadRequest { message, target },
            E::NotFound(m) => ApiError::NotFound(m),
            E::DirectoryNotFound(m) => ApiError::DirectoryNotFound(m),
            E::Forbidden(m) => ApiError::Forbidden(m),
            E::Conflict(m) => ApiError::Conflict(m),
            E::NotAcceptable(m) => ApiError::NotAcceptable(m),
            E::NotImplemented(m) => ApiError::NotImplemented(m),
            E::Store(s) => s.into(),
            E::Engine(e) => e.into(),
            E::Model(m) => m.into(),
            E::Query(q) => q.into(),
            E::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<model::ModelError> for ApiError {
    fn from(e: model::ModelError) -> Self {
        match e {
            model::ModelError::Internal(m) => ApiError::Internal(m),
            other => ApiError::BadRequest {
                target: other.target().map(str::to_string),
                message: other.to_string(),
            },
        }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::LimitReached { kind, max } => ApiError::bad_request(format!(
                "The tenant already has the maximum of {max} {kind} objects."
            )),
            store::StoreError::Conflict(m) => ApiError::Conflict(m),
            store::StoreError::InvalidQuery(m) => ApiError::bad_request(m),
            store::StoreError::Busy(m) => ApiError::Unavailable(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<odata::QueryError> for ApiError {
    fn from(e: odata::QueryError) -> Self {
        ApiError::BadRequest {
            target: Some(e.option.clone()),
            message: e.to_string(),
        }
    }
}

impl From<engine::runner::EngineError> for ApiError {
    fn from(e: engine::runner::EngineError) -> Self {
        match e {
            engine::runner::EngineError::Store(s) => s.into(),
            engine::runner::EngineError::Invalid(m) => ApiError::bad_request(m),
            engine::runner::EngineError::NotFound(m) => ApiError::NotFound(m),
            e @ engine::runner::EngineError::JobAborted(_) => ApiError::Internal(e.to_string()),
        }
    }
}
