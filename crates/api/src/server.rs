//! The HTTP front door: every request goes through `dispatch`, which authenticates, routes,
//! authorises, parses OData options and the body, calls the handler and renders the reply or
//! the error.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use crate::cache::CacheKey;
use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
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

/// Serve until the process gets SIGINT or SIGTERM, then stop accepting and let the requests
/// in flight finish (for at most [`DRAIN_LIMIT`]).
///
/// Each connection must send a request head within `limits.header_timeout` of opening (and
/// of each response, when kept alive), or it is closed; at most `limits.max_connections` are
/// served at once, so idle or slow clients cannot use up the process.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let app = router(state);
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let socket = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _peer)) => socket,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = socket.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let conn =
            graceful.watch(builder.serve_connection(hyper_util::rt::TokioIo::new(socket), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_LIMIT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after {DRAIN_LIMIT:?}; stopping anyway");
    }
    Ok(())
}

/// How long a stopping server waits for the requests in flight.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

struct RequestIds {
    request_id: String,
    client_request_id: String,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn dispatch(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = header_str(req.headers(), "client-request-id")
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let ids = RequestIds {
        request_id,
        client_request_id,
    };
    // The caller (and so the tenant) is not known yet, and may never be.
    let now = state.clock.shared_now();
    match handle(&state, req).await {
        Ok(resp) => finish(resp, &ids),
        Err(e) => error_response(&e, &ids, now),
    }
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

fn json_response(status: StatusCode, body: Bytes) -> Response {
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

async fn handle(state: &Arc<AppState>, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    // RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host.
    if parts.version == axum::http::Version::HTTP_11 && !parts.headers.contains_key(header::HOST) {
        return Err(ApiError::bad_request(
            "An HTTP/1.1 request must carry a Host header.",
        ));
    }
    let raw_path = parts.uri.path().to_string();
    if raw_path == "/.well-known/jwks.json" || raw_path == "/.well-known/keys" {
        let body = serde_json::to_vec(&state.auth.dev_key().jwks()).unwrap_or_default();
        return Ok(json_response(StatusCode::OK, Bytes::from(body)));
    }
    if raw_path == "/health" {
        return Ok(json_response(
            StatusCode::OK,
            Bytes::from_static(b"{\"status\":\"ok\"}"),
        ));
    }
    if let Some(rest) = raw_path.strip_prefix("/lcw/admin/") {
        // Strangers get their 401 before lcw spends anything on reading their body.
        state
            .auth
            .authenticate(header_str(&parts.headers, "authorization"))
            .await?;
        let body = read_body(state, body, &parts.headers, &parts.method).await?;
        let link_base = origin(&parts.headers, state.trust_proxy)
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
        let Origin { scheme, host } = origin(&parts.headers, state.trust_proxy)?;
        let base = format!("{scheme}://{host}/{}", version.segment());
        return crate::metadata::answer(document, &parts.method, version, &base, JSON_CONTENT_TYPE);
    }
    let principal = state
        .auth
        .authenticate(header_str(&parts.headers, "authorization"))
        .await?;
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
    let Origin { scheme, host } = origin(&parts.headers, state.trust_proxy)?;

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
struct Origin {
    scheme: String,
    host: String,
}

/// From the connection (plain HTTP) and its `Host` header; from `Forwarded` /
/// `X-Forwarded-Proto` / `X-Forwarded-Host` only when the operator said a proxy sets them.
fn origin(headers: &HeaderMap, trust_proxy: bool) -> Result<Origin, ApiError> {
    let mut scheme = "http".to_string();
    let mut host = header_str(headers, "host").map(str::to_string);
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

async fn read_body(
    state: &AppState,
    body: Body,
    headers: &HeaderMap,
    method: &Method,
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
