//! JSON batching: `POST /{version}/$batch`.
//!
//! The envelope is parsed into typed parts and checked as a whole (at most
//! [`MAX_REQUESTS`], unique ids, `dependsOn` naming known ids without a cycle, a
//! `Content-Type` for every body); any defect is one 400 for the batch. Each part then becomes
//! an ordinary request, with the batch's `Authorization` and `Host`, and goes through the very
//! `dispatch` that serves a request sent alone, so routing, authorisation, validation, OData
//! options, the cache and the error bodies are those of a single call. Parts whose
//! dependencies are done run concurrently, a few at a time; a part whose dependency failed
//! (4xx or 5xx) is answered 424 without running.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::server::{dispatch_boxed, error_reply, header_str, json_response, origin, read_body};
use crate::AppState;

/// Graph's limit on the requests of one batch.
pub const MAX_REQUESTS: usize = 20;

/// Parts of one batch running at once: enough to overlap database round trips, few enough
/// that one batch cannot take every worker of the process.
const CONCURRENCY: usize = 4;

/// The largest response body one part may contribute to the envelope.
const PART_RESPONSE_LIMIT: usize = 16 * 1024 * 1024;

/// The API versions a batch (and a part's URL) may name.
const VERSIONS: [&str; 2] = ["beta", "v1.0"];

/// Marks a request dispatched from a batch, so that a nested `$batch` is refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InBatch;

/// The version of a `/{version}/$batch` path (`$` possibly percent-encoded).
pub(crate) fn batch_version(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix('/')?;
    let (version, last) = rest.split_once('/')?;
    let last = last.strip_suffix('/').unwrap_or(last);
    let is_batch = last.eq_ignore_ascii_case("$batch") || last.eq_ignore_ascii_case("%24batch");
    VERSIONS
        .into_iter()
        .find(|v| *v == version)
        .filter(|_| is_batch)
}

/// The request body: `{"requests": [...]}`.
#[derive(Deserialize)]
struct Envelope {
    requests: Vec<PartRequest>,
}

#[derive(Deserialize)]
struct PartRequest {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default, rename = "dependsOn")]
    depends_on: Option<Vec<String>>,
    /// The Python SDK's spelling of `dependsOn`.
    #[serde(default, rename = "depends_on")]
    depends_on_snake: Option<Vec<String>>,
}

/// A part checked and ready to dispatch.
struct Part {
    id: String,
    method: Method,
    /// The path and query to dispatch, or why this part is answered 400 without running.
    target: Result<Uri, String>,
    headers: HeaderMap,
    body: Bytes,
    /// Indexes of the parts this one waits for.
    depends_on: Vec<usize>,
}

/// One entry of `responses`.
#[derive(Serialize)]
struct PartResponse {
    id: String,
    status: u16,
    headers: Map<String, Value>,
    body: Value,
}

#[derive(Serialize)]
struct ResponseEnvelope {
    responses: Vec<PartResponse>,
}

pub(crate) async fn handle(
    state: &Arc<AppState>,
    version: &'static str,
    outer: Parts,
    body: Body,
) -> Result<Response, ApiError> {
    if outer.method != Method::POST {
        return Err(ApiError::MethodNotAllowed(outer.method.to_string()));
    }
    // The batch's token speaks for every part: a stranger is refused before the body is read.
    state
        .auth
        .authenticate(header_str(&outer.headers, "authorization"))
        .await?;
    let bytes = read_body(state, body, &outer.headers, &outer.method).await?;
    let host = origin(&outer, state.trust_proxy)?.host;
    let parts = parse(&bytes, version, &host)?;
    let statuses = run(state, &outer, parts).await;
    let bytes = serde_json::to_vec(&ResponseEnvelope {
        responses: statuses,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(json_response(StatusCode::OK, Bytes::from(bytes)))
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

/// Parse and check the whole envelope; any defect makes the batch malformed.
fn parse(bytes: &[u8], version: &str, host: &str) -> Result<Vec<Part>, ApiError> {
    let envelope: Envelope = serde_json::from_slice(bytes)
        .map_err(|e| malformed(format!("The batch request body is invalid: {e}.")))?;
    if envelope.requests.len() > MAX_REQUESTS {
        return Err(malformed(format!(
            "A batch may contain at most {MAX_REQUESTS} requests; this one has {}.",
            envelope.requests.len()
        )));
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, r) in envelope.requests.iter().enumerate() {
        if r.id.is_empty() {
            return Err(malformed("Every request of a batch needs a non-empty id."));
        }
        if index.insert(r.id.as_str(), i).is_some() {
            return Err(malformed(format!(
                "The id '{}' is used by more than one request of the batch.",
                r.id.escape_default()
            )));
        }
    }
    let mut parts = Vec::with_capacity(envelope.requests.len());
    for r in &envelope.requests {
        let mut depends_on = Vec::new();
        for dep in r
            .depends_on
            .iter()
            .chain(r.depends_on_snake.iter())
            .flatten()
        {
            let Some(&d) = index.get(dep.as_str()) else {
                return Err(malformed(format!(
                    "Request '{}' depends on '{}', which is not a request of the batch.",
                    r.id.escape_default(),
                    dep.escape_default()
                )));
            };
            if !depends_on.contains(&d) {
                depends_on.push(d);
            }
        }
        parts.push(Part {
            id: r.id.clone(),
            method: parse_method(r)?,
            target: target(&r.url, version, host),
            headers: part_headers(r)?,
            body: part_body(r)?,
            depends_on,
        });
    }
    if let Some(id) = in_cycle(&parts) {
        return Err(malformed(format!(
            "The dependencies of request '{}' form a cycle.",
            id.escape_default()
        )));
    }
    Ok(parts)
}

fn parse_method(r: &PartRequest) -> Result<Method, ApiError> {
    Method::from_bytes(r.method.to_ascii_uppercase().as_bytes())
        .ok()
        .filter(|_| !r.method.is_empty())
        .ok_or_else(|| {
            malformed(format!(
                "Request '{}' has an invalid method '{}'.",
                r.id.escape_default(),
                r.method.escape_default()
            ))
        })
}

/// The path a part's `url` names: relative to the batch's version root, unless it starts with
/// a version of its own (`/beta/...`, `/v1.0/...`).
///
/// An absolute URL on the batch's own host is accepted too: the Python SDK's request builders
/// produce those once the client has sent any request.
fn target(url: &str, batch_version: &str, host: &str) -> Result<Uri, String> {
    let mut url = url.trim();
    if let Some((authority, path)) = split_origin(url) {
        if !authority.eq_ignore_ascii_case(host) {
            return Err(format!(
                "The url of a batch request must be relative to the version root, as '/users', \
                 or on this service's host '{host}'."
            ));
        }
        url = path;
    }
    let relative = url.strip_prefix('/').unwrap_or(url);
    let (version, rest) = VERSIONS
        .into_iter()
        .find_map(|v| {
            let rest = relative.strip_prefix(v)?;
            (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')).then_some((v, rest))
        })
        .unwrap_or((batch_version, relative));
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    format!("/{version}/{}", escape_uri(rest))
        .parse::<Uri>()
        .map_err(|_| "The url of the batch request is not a valid URL.".to_string())
}

/// The authority and the rest of an absolute `http(s)` URL.
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None;
    }
    let after = &url[scheme_end + 3..];
    let end = after.find(['/', '?']).unwrap_or(after.len());
    Some((&after[..end], &after[end..]))
}

/// Percent-encode what may not stand in a request target (spaces in a `$filter` typed by
/// hand, quotes, non-ASCII), leaving everything else as the client wrote it.
fn escape_uri(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Headers of the batch that every part carries: its token and the origin its links are on.
fn from_batch(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "authorization" | "host" | "forwarded" | "x-forwarded-proto" | "x-forwarded-host"
    )
}

/// Headers a part cannot set: those it takes from the batch, and the framing of its own body.
fn owned_by_batch(name: &HeaderName) -> bool {
    from_batch(name)
        || matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        )
}

fn part_headers(r: &PartRequest) -> Result<HeaderMap, ApiError> {
    let mut headers = HeaderMap::new();
    for (name, value) in r.headers.iter().flatten() {
        let invalid = || {
            malformed(format!(
                "Request '{}' has an invalid header '{}'.",
                r.id.escape_default(),
                name.escape_default()
            ))
        };
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(invalid))
                .collect::<Result<Vec<_>, _>>()?
                .join(", "),
            Value::Null | Value::Object(_) => return Err(invalid()),
        };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(&text).map_err(|_| invalid())?;
        if !owned_by_batch(&name) {
            headers.append(name, value);
        }
    }
    Ok(headers)
}

fn is_json(content_type: &str) -> bool {
    let ct = content_type.trim().to_ascii_lowercase();
    ct.starts_with("application/json") || ct.split(';').next().is_some_and(|t| t.ends_with("+json"))
}

/// Decodes base64 in either alphabet, padded or not: OData asks for base64url, while the
/// Python SDK sends standard base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    url.decode(text).or_else(|_| standard.decode(text)).ok()
}

/// The bytes of a part's body: JSON as JSON, `text/*` as the text, anything else base64.
fn part_body(r: &PartRequest) -> Result<Bytes, ApiError> {
    let Some(body) = &r.body else {
        return Ok(Bytes::new());
    };
    let content_type = r
        .headers
        .iter()
        .flatten()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .and_then(|(_, v)| v.as_str())
        .ok_or_else(|| {
            malformed(format!(
                "Request '{}' has a body but no Content-Type header.",
                r.id.escape_default()
            ))
        })?;
    let to_json = |v: &Value| {
        serde_json::to_vec(v)
            .map(Bytes::from)
            .map_err(|e| ApiError::Internal(e.to_string()))
    };
    if is_json(content_type) {
        // The Python SDK sends a JSON body that is not an object base64-encoded.
        if let Value::String(text) = body {
            if let Some(decoded) =
                decode_base64(text).filter(|d| serde_json::from_slice::<Value>(d).is_ok())
            {
                return Ok(Bytes::from(decoded));
            }
        }
        return to_json(body);
    }
    match body {
        Value::String(text)
            if content_type
                .trim()
                .to_ascii_lowercase()
                .starts_with("text/") =>
        {
            Ok(Bytes::from(text.clone().into_bytes()))
        }
        Value::String(text) => decode_base64(text).map(Bytes::from).ok_or_else(|| {
            malformed(format!(
                "The body of request '{}' is not base64url-encoded, as its Content-Type requires.",
                r.id.escape_default()
            ))
        }),
        other => to_json(other),
    }
}

/// The id of a request on a dependency cycle, if there is one (Kahn's algorithm: whatever
/// cannot be ordered is on or behind a cycle).
fn in_cycle(parts: &[Part]) -> Option<&str> {
    let mut waiting: Vec<usize> = parts.iter().map(|p| p.depends_on.len()).collect();
    let dependants = dependants(parts);
    let mut ready: Vec<usize> = (0..parts.len()).filter(|&i| waiting[i] == 0).collect();
    while let Some(i) = ready.pop() {
        for &d in &dependants[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(d);
            }
        }
    }
    waiting
        .iter()
        .position(|&w| w > 0)
        .and_then(|i| parts.get(i))
        .map(|p| p.id.as_str())
}

fn dependants(parts: &[Part]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); parts.len()];
    for (i, p) in parts.iter().enumerate() {
        for &d in &p.depends_on {
            out[d].push(i);
        }
    }
    out
}

/// A part's answer as the envelope carries it, with what its dependants need to know.
struct Outcome {
    failed: bool,
    response: PartResponse,
    /// The path below the version root of the entity the part created (a 201), which later
    /// parts may name as `$<id>`.
    created: Option<String>,
}

/// Run the parts in dependency order, independent ones concurrently; answers come back in the
/// order of the requests.
async fn run(state: &Arc<AppState>, outer: &Parts, parts: Vec<Part>) -> Vec<PartResponse> {
    let dependants = dependants(&parts);
    let mut waiting: Vec<usize> = parts.iter().map(|p| p.depends_on.len()).collect();
    let mut ready: VecDeque<usize> = (0..parts.len()).filter(|&i| waiting[i] == 0).collect();
    let mut outcomes: Vec<Option<Outcome>> = parts.iter().map(|_| None).collect();
    let mut running = tokio::task::JoinSet::new();
    let mut running_part: HashMap<tokio::task::Id, (usize, Uri)> = HashMap::new();
    loop {
        while running.len() < CONCURRENCY {
            let Some(i) = ready.pop_front() else { break };
            let part = &parts[i];
            let failed_dependency = part
                .depends_on
                .iter()
                .find(|&&d| outcomes[d].as_ref().is_none_or(|o| o.failed));
            let request = match (failed_dependency, &part.target) {
                (Some(&d), _) => Err(ApiError::FailedDependency(format!(
                    "Request '{}' was not run because request '{}', which it depends on, failed.",
                    part.id, parts[d].id
                ))),
                (None, Err(message)) => Err(ApiError::bad_request(message.clone())),
                (None, Ok(uri)) => {
                    resolve_reference(uri, part, &parts, &outcomes).map_err(ApiError::bad_request)
                }
            };
            match request {
                Ok(uri) => {
                    let request = internal_request(outer, part, uri.clone());
                    let handle = running.spawn(answer(state.clone(), request));
                    running_part.insert(handle.id(), (i, uri));
                }
                Err(e) => {
                    let response = error_reply(state, &e, &part.headers);
                    let outcome = capture(&part.id, response).await;
                    complete(
                        i,
                        outcome,
                        &mut outcomes,
                        &mut waiting,
                        &dependants,
                        &mut ready,
                    );
                }
            }
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (task, outcome) = match joined {
            Ok((task, response)) => (task, Ok(response)),
            Err(e) => (e.id(), Err(e)),
        };
        let Some((i, uri)) = running_part.remove(&task) else {
            continue;
        };
        let response = outcome.unwrap_or_else(|e| {
            error_reply(
                state,
                &ApiError::Internal(format!("a batch request failed: {e}")),
                &parts[i].headers,
            )
        });
        let mut outcome = capture(&parts[i].id, response).await;
        outcome.created = created_path(&uri, &outcome.response);
        complete(
            i,
            outcome,
            &mut outcomes,
            &mut waiting,
            &dependants,
            &mut ready,
        );
    }
    outcomes
        .into_iter()
        .zip(&parts)
        .map(|(o, p)| match o {
            Some(o) => o.response,
            // Unreachable for a checked DAG; answered rather than dropped all the same.
            None => PartResponse {
                id: p.id.clone(),
                status: StatusCode::FAILED_DEPENDENCY.as_u16(),
                headers: Map::new(),
                body: Value::Null,
            },
        })
        .collect()
}

fn complete(
    i: usize,
    outcome: Outcome,
    outcomes: &mut [Option<Outcome>],
    waiting: &mut [usize],
    dependants: &[Vec<usize>],
    ready: &mut VecDeque<usize>,
) {
    outcomes[i] = Some(outcome);
    for &d in &dependants[i] {
        waiting[d] -= 1;
        if waiting[d] == 0 {
            ready.push_back(d);
        }
    }
}

/// The version and the rest of a dispatched path: `/beta/users/1` → (`beta`, `/users/1`).
fn split_version(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix('/')?;
    let slash = rest.find('/').unwrap_or(rest.len());
    Some((&rest[..slash], &rest[slash..]))
}

/// OData's `$<id>` as the first segment of a part's URL names the entity created by request
/// `<id>`, which the part must depend on, directly or through others: `"url": "$1/tasks"`.
fn resolve_reference(
    uri: &Uri,
    part: &Part,
    parts: &[Part],
    outcomes: &[Option<Outcome>],
) -> Result<Uri, String> {
    let Some((version, rest)) = split_version(uri.path()) else {
        return Ok(uri.clone());
    };
    let Some(reference) = rest.strip_prefix("/$") else {
        return Ok(uri.clone());
    };
    let end = reference.find('/').unwrap_or(reference.len());
    let name = odata::percent_decode(&reference[..end]);
    let Some(d) = parts
        .iter()
        .position(|p| p.id == name)
        .filter(|&d| depends_on(part, d, parts))
    else {
        // Not a reference (`$metadata`, `$batch`, ...): the router answers it.
        return Ok(uri.clone());
    };
    let Some(created) = outcomes[d].as_ref().and_then(|o| o.created.as_deref()) else {
        return Err(format!(
            "Request '{}' refers to '${name}', but request '{name}' created no entity.",
            part.id
        ));
    };
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("/{version}{created}{}{query}", &reference[end..])
        .parse::<Uri>()
        .map_err(|_| format!("The url of request '{}' is not a valid URL.", part.id))
}

/// Whether `part` waits for request `d`, directly or through others.
fn depends_on(part: &Part, d: usize, parts: &[Part]) -> bool {
    let mut seen = vec![false; parts.len()];
    let mut stack: Vec<usize> = part.depends_on.clone();
    while let Some(i) = stack.pop() {
        if i == d {
            return true;
        }
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(&parts[i].depends_on);
        }
    }
    false
}

/// Where the entity a 201 created lives: its `Location`, or the collection it was posted to
/// followed by its `id`.
fn created_path(uri: &Uri, response: &PartResponse) -> Option<String> {
    if response.status != StatusCode::CREATED.as_u16() {
        return None;
    }
    if let Some(location) = response.headers.get("Location").and_then(Value::as_str) {
        let path = location.parse::<Uri>().ok()?.path().to_string();
        return split_version(&path).map(|(_, rest)| rest.to_string());
    }
    let id = response.body.get("id")?.as_str()?;
    let (_, collection) = split_version(uri.path())?;
    Some(format!(
        "{}/{}",
        collection.trim_end_matches('/'),
        escape_uri(id)
    ))
}

/// The request a part stands for: the batch's token and origin, the part's own headers and body.
fn internal_request(outer: &Parts, part: &Part, uri: Uri) -> Request {
    let mut request = Request::new(Body::from(part.body.clone()));
    *request.method_mut() = part.method.clone();
    *request.uri_mut() = uri;
    *request.version_mut() = outer.version;
    let headers = request.headers_mut();
    for (name, value) in &outer.headers {
        if from_batch(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    for (name, value) in &part.headers {
        headers.append(name.clone(), value.clone());
    }
    if !part.body.is_empty() {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(part.body.len()));
    }
    // An HTTP/2 batch names its host in `:authority`, not `Host`: the parts get it as `Host`.
    if !headers.contains_key(header::HOST) {
        if let Some(authority) = outer.uri.authority() {
            if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
                headers.insert(header::HOST, host);
            }
        }
    }
    // The parts' links use the scheme the batch came in on.
    if let Some(tls) = outer.extensions.get::<crate::listen::ConnectedOverTls>() {
        request.extensions_mut().insert(*tls);
    }
    request.extensions_mut().insert(InBatch);
    request
}

async fn answer(state: Arc<AppState>, request: Request) -> Response {
    dispatch_boxed(state, request).await
}

/// The part's status, headers and body as the envelope carries them.
async fn capture(id: &str, response: Response) -> Outcome {
    let (head, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, PART_RESPONSE_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(id, error = %e, "a batch response could not be captured");
            return Outcome {
                failed: true,
                response: PartResponse {
                    id: id.to_string(),
                    status: StatusCode::INTERNAL_SERVER_ERROR.as_u16(),
                    headers: Map::new(),
                    body: Value::Null,
                },
                created: None,
            };
        }
    };
    let mut headers = Map::new();
    for name in head.headers.keys() {
        if name == header::CONTENT_LENGTH {
            continue;
        }
        let values: Vec<&str> = head
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        headers.insert(display_name(name), Value::String(values.join(", ")));
    }
    let content_type = header_str(&head.headers, "content-type").unwrap_or("");
    let body = if bytes.is_empty() {
        Value::Null
    } else if is_json(content_type) {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    } else if content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("text/")
    {
        Value::String(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        Value::String(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes))
    };
    let status = head.status.as_u16();
    Outcome {
        failed: status >= 400,
        response: PartResponse {
            id: id.to_string(),
            status,
            headers,
            body,
        },
        created: None,
    }
}

/// Header names as Graph writes them in batch responses (HTTP sends them lower-cased).
fn display_name(name: &HeaderName) -> String {
    match name.as_str() {
        "content-type" => "Content-Type".into(),
        "odata-version" => "OData-Version".into(),
        "location" => "Location".into(),
        "retry-after" => "Retry-After".into(),
        "www-authenticate" => "WWW-Authenticate".into(),
        "cache-control" => "Cache-Control".into(),
        "etag" => "ETag".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_paths_name_their_version() {
        assert_eq!(batch_version("/beta/$batch"), Some("beta"));
        assert_eq!(batch_version("/v1.0/%24batch"), Some("v1.0"));
        assert_eq!(batch_version("/beta/$BATCH/"), Some("beta"));
        assert_eq!(batch_version("/beta/users/$batch"), None);
        assert_eq!(batch_version("/v2/$batch"), None);
        assert_eq!(batch_version("/$batch"), None);
    }

    #[test]
    fn part_urls_resolve_under_a_version() {
        let t = |url: &str| target(url, "beta", "lcw.test:8080").map(|u| u.to_string());
        assert_eq!(t("/users?$top=1").unwrap(), "/beta/users?$top=1");
        assert_eq!(t("users").unwrap(), "/beta/users");
        assert_eq!(t("/v1.0/users").unwrap(), "/v1.0/users");
        assert_eq!(t("beta?x=1").unwrap(), "/beta/?x=1");
        assert_eq!(t("/betausers").unwrap(), "/beta/betausers");
        assert_eq!(t("http://LCW.test:8080/v1.0/users").unwrap(), "/v1.0/users");
        assert!(t("https://graph.microsoft.com/beta/users").is_err());
        assert_eq!(
            t("/users?$filter=displayName eq 'Ann Lee'").unwrap(),
            "/beta/users?$filter=displayName%20eq%20'Ann%20Lee'"
        );
    }

    fn parts(json: &str) -> Result<Vec<Part>, ApiError> {
        parse(json.as_bytes(), "beta", "localhost")
    }

    #[test]
    fn dependencies_form_a_dag() {
        let ok = parts(
            r#"{"requests":[{"id":"a","method":"GET","url":"/x"},
            {"id":"b","method":"GET","url":"/x","dependsOn":["a"]},
            {"id":"c","method":"GET","url":"/x","depends_on":["a","b"],"dependsOn":["b"]}]}"#,
        )
        .unwrap();
        assert_eq!(ok[2].depends_on, vec![1, 0]);
        let cycle = parts(
            r#"{"requests":[{"id":"a","method":"GET","url":"/x","dependsOn":["b"]},
            {"id":"b","method":"GET","url":"/x","dependsOn":["a"]}]}"#,
        );
        assert!(matches!(cycle, Err(ApiError::BadRequest { .. })));
    }

    #[test]
    fn bodies_follow_their_content_type() {
        let body = |ct: &str, body: &str| {
            let json = format!(
                r#"{{"requests":[{{"id":"a","method":"POST","url":"/x",
                "headers":{{"Content-Type":"{ct}"}},"body":{body}}}]}}"#
            );
            parts(&json).map(|p| p[0].body.clone())
        };
        assert_eq!(
            body("application/json", r#"{"a":1}"#).unwrap(),
            r#"{"a":1}"#
        );
        assert_eq!(body("text/plain", r#""hi""#).unwrap(), "hi");
        assert_eq!(body("image/png", r#""aGk""#).unwrap(), "hi");
        // The Python SDK's base64 of a JSON body that is not an object.
        assert_eq!(body("application/json", r#""e30=""#).unwrap(), "{}");
        assert!(body("image/png", r#""*""#).is_err());
    }
}
