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
    /// A `$batch` request not run because a request it depends on failed.
    #[error("{0}")]
    FailedDependency(String),
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
            ApiError::FailedDependency(_) => StatusCode::FAILED_DEPENDENCY,
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
            ApiError::FailedDependency(_) => "FailedDependency",
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

/// An error of the Entra identity endpoints (`/{tenant}/oauth2/v2.0/token` and the
/// discovery documents), in Entra's own shape rather than Graph's: `error`, an
/// `error_description` that starts with the AADSTS code, `error_codes`, `timestamp`,
/// `trace_id`, `correlation_id`, `error_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraError {
    pub status: StatusCode,
    /// The OAuth error: `invalid_request`, `invalid_client`, `unauthorized_client`, ...
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    pub message: String,
}

impl EntraError {
    pub fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        message: impl Into<String>,
    ) -> Self {
        EntraError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    /// 400 `invalid_request`.
    pub fn invalid_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", code, message)
    }

    /// 401 `invalid_client`: the client's credentials do not hold.
    pub fn invalid_client(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", code, message)
    }

    /// 400 `invalid_request` for a missing form parameter (AADSTS900144).
    pub fn missing(parameter: &str) -> Self {
        Self::invalid_request(
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// The tenant named in the path is not known (AADSTS90002).
    pub fn unknown_tenant(tenant: &str, error: &'static str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            error,
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    }

    /// The JSON body; `now` is the UTC time of the answer.
    pub fn body(
        &self,
        trace_id: &str,
        correlation_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<u8> {
        let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let description = format!(
            "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
            self.code, self.message
        );
        serde_json::to_vec(&json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        }))
        .unwrap_or_default()
    }
}

/// A sign-in the domain refused, as Entra answers it.
impl From<lifecycle::identity::SignInError> for EntraError {
    fn from(e: lifecycle::identity::SignInError) -> Self {
        use lifecycle::identity::SignInError as E;
        match e {
            E::UnknownTenant(t) => EntraError::unknown_tenant(&t, "invalid_request"),
            E::UnknownApp { client_id, tenant } => EntraError::new(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                format!(
                    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
                ),
            ),
            E::InvalidSecret(app) => EntraError::invalid_client(
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app}'."
                ),
            ),
            E::ExpiredSecret(app) => EntraError::invalid_client(
                7000222,
                format!(
                    "The provided client secret keys for app '{app}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
                ),
            ),
            E::UnknownCertificate(app) => EntraError::invalid_client(
                700027,
                format!(
                    "Client assertion failed signature validation. The key was not found: no certificate of app '{app}' has the thumbprint in the assertion's x5t or x5t#S256 header."
                ),
            ),
            E::InvalidAssertion(reason) => EntraError::invalid_client(
                700027,
                format!("Client assertion failed signature validation. {reason}"),
            ),
            E::Store(store::StoreError::Busy(detail)) => {
                tracing::warn!(detail = %detail, "database busy; token request answered 503");
                EntraError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    50196,
                    "The server is temporarily unable to handle the request. Retry the request.",
                )
            }
            E::Store(other) => {
                tracing::error!(detail = %other, "token request failed");
                EntraError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    50000,
                    "There was an error issuing a token or an issue with our sign-in service.",
                )
            }
        }
    }
}
