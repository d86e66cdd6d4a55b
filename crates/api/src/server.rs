//! The HTTP front door: every request goes through `dispatch`, which authenticates, routes,
//! authorises, parses OData options and the body, calls the handler and renders the reply or
//! the error. The connections the requests come in on are `listen`'s.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::cache::CacheKey;
use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::listen::ConnectedOverTls;
use crate::metadata::Document;
use crate::operation::Shape;
use crate::routing::{Lookup, Router};
use crate::AppState;

const JSON_CONTENT_TYPE: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub fn router(state: Arc<AppState>) -> axum::Router {
    // Build the route table before the first request.
    let _ = Router::get();
    axum::Router::new().fallback(dispatch).with_state(state)
}

pub(crate) async fn metrics_response(
    metrics: &crate::telemetry::Metrics,
    store: &store::Store,
) -> Response {
    let mut resp = Response::new(Body::from(metrics.render(store).await));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}

pub(crate) struct RequestIds {
    pub(crate) request_id: String,
    pub(crate) client_request_id: String,
}

/// What a request turned out to be, for its metrics and its log line.
struct Seen {
    /// The operation's stable name (see [`crate::operation::Route::name`]).
    operation: &'static str,
    /// The caller's tenant, once authenticated.
    tenant: Option<String>,
}

/// Requests no operation answers (unknown paths, wrong versions, 501s, bad Host).
const UNMATCHED: &str = "unmatched";

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl RequestIds {
    fn new(headers: &HeaderMap) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client_request_id = header_str(headers, "client-request-id")
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .map(str::to_string)
            .unwrap_or_else(|| request_id.clone());
        RequestIds {
            request_id,
            client_request_id,
        }
    }
}

async fn dispatch(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let ids = RequestIds::new(req.headers());
    // Entra's sign-in endpoints answer in Entra's shapes, not Graph's.
    if let Some(endpoint) = crate::identity::Endpoint::of(req.uri().path()) {
        let resp = crate::identity::serve(&state, endpoint, req, &ids).await;
        return finish(resp, &ids);
    }
    // The caller (and so the tenant) is not known yet, and may never be.
    let now = state.clock.shared_now();
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let mut seen = Seen {
        operation: UNMATCHED,
        tenant: None,
    };
    let resp = match handle(&state, req, &mut seen).await {
        Ok(resp) => finish(resp, &ids),
        Err(e) => error_response(&e, &ids, now),
    };
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    crate::telemetry::request(seen.operation, status, elapsed.as_secs_f64());
    // Never the path, query, headers or body: those may hold ids, tokens or passes.
    tracing::info!(
        target: "lcw::request",
        request_id = %ids.request_id,
        client_request_id = %ids.client_request_id,
        tenant = seen.tenant.as_deref().unwrap_or("-"),
        method = %method,
        operation = seen.operation,
        status,
        latency_ms = elapsed.as_micros() as f64 / 1e3,
        "request"
    );
    resp
}

/// The stable name of an `/lcw/admin/{rest}` request: fixed words, never the id in a path.
fn admin_operation(method: &Method, rest: &str) -> &'static str {
    let route = rest.trim_end_matches('/');
    match (method.as_str(), route) {
        ("GET", "outbox") => "GET /lcw/admin/outbox",
        ("POST", r) if r.starts_with("outbox/") && r.ends_with("/requeue") => {
            "POST /lcw/admin/outbox/{id}/requeue"
        }
        ("GET", "clock") => "GET /lcw/admin/clock",
        ("POST", "clock") => "POST /lcw/admin/clock",
        ("POST", "scheduler/run") => "POST /lcw/admin/scheduler/run",
        ("POST", "engine/drain") => "POST /lcw/admin/engine/drain",
        ("GET", r) if r.starts_with("tenants") => "GET /lcw/admin/tenants",
        ("POST", r) if r.starts_with("tenants") => "POST /lcw/admin/tenants",
        ("DELETE", r) if r.starts_with("tenants") => "DELETE /lcw/admin/tenants",
        ("GET", r) if r.starts_with("apps") => "GET /lcw/admin/apps",
        ("POST", r) if r.starts_with("apps") => "POST /lcw/admin/apps",
        ("DELETE", r) if r.starts_with("apps") => "DELETE /lcw/admin/apps",
        _ => UNMATCHED,
    }
}

/// One request of a `$batch`, answered by the same `dispatch` as a request that came alone.
/// Boxed because a batch is itself dispatched: the future cannot contain its own type.
pub(crate) fn dispatch_boxed(
    state: Arc<AppState>,
    req: Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
    Box::pin(dispatch(State(state), req))
}

/// The response `dispatch` gives for an error, for a batch part that is never dispatched
/// (its dependency failed): the same envelope, ids and headers.
pub(crate) fn error_reply(state: &AppState, e: &ApiError, headers: &HeaderMap) -> Response {
    error_response(e, &RequestIds::new(headers), state.clock.shared_now())
}

fn finish(mut resp: Response, ids: &RequestIds) -> Response {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&ids.request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&ids.client_request_id) {
        h.insert("client-request-id", v);
    }
    h.insert("odata-version", HeaderValue::from_static("4.0"));
    resp
}

fn error_response(e: &ApiError, ids: &RequestIds, now: chrono::DateTime<chrono::Utc>) -> Response {
    let date = now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let body = e.body(&ids.request_id, &ids.client_request_id, &date);
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = e.status();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    if let Some(v) = e.www_authenticate() {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    if let Some(v) = e.retry_after() {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    finish(resp, ids)
}

pub(crate) fn json_response(status: StatusCode, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

/// The API version the path's first segment names, and the path below it.
fn split_version(path: &str) -> Option<(model::ApiVersion, &str)> {
    let rest = path.strip_prefix('/')?;
    let (first, below) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    model::ApiVersion::from_segment(first).map(|v| (v, below))
}

/// Split and percent-decode the path below the version root.
fn path_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(odata::percent_decode)
        .collect()
}

fn wants_evolvable(headers: &HeaderMap) -> bool {
    headers.get_all("prefer").iter().any(|v| {
        v.to_str()
            .map(|s| {
                s.split(',').any(|p| {
                    p.trim()
                        .eq_ignore_ascii_case("include-unknown-enum-members")
                })
            })
            .unwrap_or(false)
    })
}

async fn handle(
    state: &Arc<AppState>,
    req: Request,
    seen: &mut Seen,
) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    // RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host.
    if parts.version == axum::http::Version::HTTP_11 && !parts.headers.contains_key(header::HOST) {
        return Err(ApiError::bad_request(
            "An HTTP/1.1 request must carry a Host header.",
        ));
    }
    let raw_path = parts.uri.path().to_string();
    if raw_path == "/.well-known/jwks.json" || raw_path == "/.well-known/keys" {
        seen.operation = "GET /.well-known/jwks.json";
        let body = serde_json::to_vec(&state.auth.dev_key().jwks()).unwrap_or_default();
        return Ok(json_response(StatusCode::OK, Bytes::from(body)));
    }
    if raw_path == "/health" {
        seen.operation = "GET /health";
        return Ok(json_response(
            StatusCode::OK,
            Bytes::from_static(b"{\"status\":\"ok\"}"),
        ));
    }
    if let Some(version) = crate::batch::batch_version(&raw_path) {
        seen.operation = "POST /$batch";
        if parts.extensions.get::<crate::batch::InBatch>().is_some() {
            return Err(ApiError::bad_request(
                "A batch request must not contain another batch request.",
            ));
        }
        return crate::batch::handle(state, version, parts, body).await;
    }
    if let (Some(metrics), "/metrics") = (&state.metrics, raw_path.as_str()) {
        // Opt-in (`--metrics`) and unauthenticated: it holds counts only, no tenant data.
        seen.operation = "GET /metrics";
        if parts.method != Method::GET {
            return Err(ApiError::MethodNotAllowed(parts.method.to_string()));
        }
        return Ok(metrics_response(metrics, &state.store).await);
    }
    if let Some(rest) = raw_path.strip_prefix("/lcw/admin/") {
        seen.operation = admin_operation(&parts.method, rest);
        // Strangers get their 401 before lcw spends anything on reading their body.
        let principal = state
            .auth
            .authenticate(header_str(&parts.headers, "authorization"))
            .await?;
        seen.tenant = Some(principal.tenant_id);
        let body = read_body(state, body, &parts.headers, &parts.method).await?;
        let link_base = origin(&parts, state.trust_proxy)
            .ok()
            .map(|o| format!("{}://{}", o.scheme, o.host));
        let (status, value) = crate::admin::handle(
            state,
            &parts.method,
            header_str(&parts.headers, "authorization"),
            (rest, parts.uri.query(), link_base.as_deref()),
            &body,
        )
        .await?;
        if status == StatusCode::NO_CONTENT {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = status;
            return Ok(r);
        }
        let bytes = serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.to_string()))?;
        return Ok(json_response(status, Bytes::from(bytes)));
    }
    let Some((version, path)) = split_version(&raw_path) else {
        return Err(ApiError::bad_request(
            "Invalid version: the request path must start with /beta/ or /v1.0/.",
        ));
    };
    let segments = path_segments(path);
    // `$metadata` and the service document are public, as Graph's are.
    if let Some(document) = Document::asked_by(&segments) {
        seen.operation = document.operation_name();
        let Origin { scheme, host } = origin(&parts, state.trust_proxy)?;
        let base = format!("{scheme}://{host}/{}", version.segment());
        return crate::metadata::answer(document, &parts.method, version, &base, JSON_CONTENT_TYPE);
    }
    let principal = match state
        .auth
        .authenticate(header_str(&parts.headers, "authorization"))
        .await
    {
        Ok(principal) => principal,
        Err(e) => {
            // Refused before routing; the operation is still named in metrics and logs.
            if let Lookup::Found { route, .. } =
                Router::get().lookup(version, &parts.method, &segments)
            {
                seen.operation = &route.name;
            }
            return Err(e);
        }
    };
    seen.tenant = Some(principal.tenant_id.clone());
    // No key is made of control characters; PostgreSQL cannot even look one up with a NUL.
    if let Some(bad) = segments.iter().find(|s| s.chars().any(char::is_control)) {
        return Err(ApiError::bad_request(format!(
            "Resource not found for the segment '{}'.",
            bad.escape_default()
        )));
    }
    let (route, handler, params, function_args) =
        match Router::get().lookup(version, &parts.method, &segments) {
            Lookup::Found {
                route,
                handler,
                params,
                function_args,
            } => (route, handler, params, function_args),
            Lookup::NotImplemented => {
                return Err(ApiError::NotImplemented(format!(
            "{} {} is part of the Graph Lifecycle Workflows API but is not implemented by lcw yet.",
            parts.method, path
        )))
            }
            Lookup::MethodNotAllowed => {
                return Err(ApiError::MethodNotAllowed(parts.method.to_string()))
            }
            Lookup::NoSuchSegment(seg) => {
                return Err(ApiError::bad_request(format!(
                    "Resource not found for the segment '{seg}'."
                )))
            }
        };
    seen.operation = &route.name;
    let op = route.op;
    let write = op.method != Method::GET;
    principal.authorize(op.permission_for(route.scope), write)?;

    let raw_query = parts.uri.query().map(str::to_string);
    if raw_query
        .as_deref()
        .is_some_and(|q| odata::percent_decode(q).contains('\0'))
    {
        // Neither database can compare text with a NUL in it (PostgreSQL refuses to store one).
        return Err(ApiError::bad_request(
            "A query option value must not contain a NUL character.",
        ));
    }
    let query = odata::parse_query(raw_query.as_deref())?;
    let allowed: &[&str] = match op.shape {
        Shape::Collection(_) => &[
            "$select",
            "$expand",
            "$filter",
            "$orderby",
            "$top",
            "$skip",
            "$count",
            "$search",
            "$skiptoken",
        ],
        Shape::Entity(_) => &["$select", "$expand"],
        Shape::Count => &["$filter", "$search"],
        Shape::Action => &[],
    };
    if let Some(bad) = query.present().into_iter().find(|o| !allowed.contains(o)) {
        return Err(ApiError::BadRequest {
            message: format!("Query option '{bad}' is not supported for this request."),
            target: Some(bad.to_string()),
        });
    }

    let body = read_body(state, body, &parts.headers, &parts.method).await?;
    let include_evolvable = wants_evolvable(&parts.headers);
    let Origin { scheme, host } = origin(&parts, state.trust_proxy)?;

    let cache_key = (op.cacheable && parts.method == Method::GET)
        .then(|| state.store.generation(&principal.tenant_id))
        .flatten()
        .map(|g| {
            (
                g,
                CacheKey {
                    tenant: principal.tenant_id.clone(),
                    uri: parts.uri.to_string(),
                    // The links in a cached body carry the origin it was built for.
                    host: format!("{scheme}://{host}"),
                    evolvable: include_evolvable,
                    permissions: permission_fingerprint(&principal),
                },
            )
        });
    if let Some((g, key)) = &cache_key {
        if let Some(body) = state.cache.get(key, *g) {
            return Ok(json_response(StatusCode::OK, body));
        }
    }

    let ctx = Ctx {
        state: state.clone(),
        principal,
        route,
        params,
        function_args,
        query,
        raw_query,
        body,
        base: format!("{scheme}://{host}/{}", version.segment()),
        path: path.to_string(),
        version,
        include_evolvable,
    };
    let reply = handler(ctx).await?;
    Ok(match reply {
        Reply::Json(status, value) => {
            let bytes = Bytes::from(
                serde_json::to_vec(&value).map_err(|e| ApiError::Internal(e.to_string()))?,
            );
            if let (Some((g, key)), true) = (cache_key, status == StatusCode::OK) {
                state.cache.put(key, g, bytes.clone());
            }
            json_response(status, bytes)
        }
        Reply::Created { location, body } => {
            let bytes = Bytes::from(
                serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.to_string()))?,
            );
            let mut r = json_response(StatusCode::CREATED, bytes);
            // An id that cannot be a header value (never one lcw assigns) goes without.
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Reply::NoContent => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NO_CONTENT;
            r
        }
        Reply::Count(n) => {
            let mut r = Response::new(Body::from(n.to_string()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain;charset=utf-8"),
            );
            r
        }
    })
}

/// Responses may differ by the caller's permissions only through errors, which are never
/// cached; the fingerprint keeps entries apart anyway so a cache hit never skips a check
/// that would have failed.
fn permission_fingerprint(p: &crate::auth::Principal) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.permissions.hash(&mut h);
    p.directory_roles.hash(&mut h);
    p.delegated.hash(&mut h);
    h.finish()
}

/// The scheme and host absolute links (`@odata.context`, `@odata.nextLink`) are built on.
pub(crate) struct Origin {
    pub(crate) scheme: String,
    pub(crate) host: String,
}

/// From the connection (`https` when it is TLS) and its `Host` header (HTTP/2's
/// `:authority`); from `Forwarded` / `X-Forwarded-Proto` / `X-Forwarded-Host` only when the
/// operator said a proxy sets them.
pub(crate) fn origin(
    parts: &axum::http::request::Parts,
    trust_proxy: bool,
) -> Result<Origin, ApiError> {
    let headers = &parts.headers;
    let over_tls = parts.extensions.get::<ConnectedOverTls>().is_some();
    let mut scheme = if over_tls { "https" } else { "http" }.to_string();
    let mut host = header_str(headers, "host")
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .map(str::to_string);
    if trust_proxy {
        let forwarded = forwarded_pairs(headers);
        let pick = |name: &str, x_header: &str| {
            forwarded
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    header_str(headers, x_header)
                        .and_then(|v| v.split(',').next())
                        .map(|v| v.trim().to_string())
                })
        };
        if let Some(p) = pick("proto", "x-forwarded-proto") {
            scheme = p.to_ascii_lowercase();
        }
        if let Some(h) = pick("host", "x-forwarded-host") {
            host = Some(h);
        }
    }
    if scheme != "http" && scheme != "https" {
        return Err(ApiError::bad_request(format!(
            "The forwarded scheme '{}' is not http or https.",
            scheme.escape_default()
        )));
    }
    let host = host.unwrap_or_else(|| "localhost".to_string());
    // An authority: host name or IP literal and port; nothing that could end the URL early.
    let valid = !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_')
        });
    if !valid {
        return Err(ApiError::bad_request(format!(
            "The Host '{}' is not a valid host name.",
            host.escape_default()
        )));
    }
    Ok(Origin { scheme, host })
}

/// The first element of RFC 7239 `Forwarded` headers, as `(name, value)` pairs.
fn forwarded_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    let Some(first) = header_str(headers, "forwarded").and_then(|v| v.split(',').next()) else {
        return Vec::new();
    };
    first
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect()
}

pub(crate) async fn read_body(
    state: &AppState,
    body: Body,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Bytes, ApiError> {
    let bytes = read_any_body(state, body, headers).await?;
    if !bytes.is_empty() && matches!(*method, Method::POST | Method::PATCH | Method::PUT) {
        if let Some(ct) = header_str(headers, "content-type") {
            let ct = ct.to_ascii_lowercase();
            if !(ct.starts_with("application/json")
                || ct.contains("+json")
                || ct.starts_with("text/plain"))
            {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "Content-Type '{ct}' is not supported; send application/json."
                )));
            }
        }
    }
    Ok(bytes)
}

/// A request body of any media type, within the size and time limits.
pub(crate) async fn read_any_body(
    state: &AppState,
    body: Body,
    headers: &HeaderMap,
) -> Result<Bytes, ApiError> {
    let limit = state.body_limit;
    let declared = header_str(headers, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit.saturating_mul(DRAIN_FACTOR)) {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    // A body that trickles in would hold the request (and its connection) for as long as the
    // client likes.
    let bytes = tokio::time::timeout(state.limits.body_timeout, read_limited(body, limit))
        .await
        .map_err(|_| ApiError::RequestTimeout)??;
    Ok(bytes)
}

/// A body somewhat over the limit is read to its end (and dropped) before the 413 goes out:
/// answering while the client is still sending makes it see a broken pipe instead of the
/// error. Far larger bodies are refused at once.
const DRAIN_FACTOR: usize = 8;

async fn read_limited(mut body: Body, limit: usize) -> Result<Bytes, ApiError> {
    use axum::body::HttpBody;
    let mut buf: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        let frame = frame.map_err(|e| {
            ApiError::bad_request(format!("The request body could not be read: {e}."))
        })?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limit {
                buf.extend_from_slice(&data);
            } else if seen > limit.saturating_mul(DRAIN_FACTOR) {
                break;
            }
        }
    }
    if seen > limit {
        return Err(ApiError::PayloadTooLarge(limit));
    }
    Ok(Bytes::from(buf))
}
