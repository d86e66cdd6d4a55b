//! The request context handlers receive, and the OData response envelopes they build.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use crate::auth::Principal;
use crate::error::ApiError;
use crate::operation::{Route, Shape};
use crate::AppState;
use lifecycle::Scope;

/// Default and largest server-driven page sizes.
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 999;

/// What a handler answers; turned into HTTP in one place (`server::respond`).
#[derive(Debug)]
pub enum Reply {
    Json(StatusCode, Value),
    /// 201 with the new entity and its URL in `Location`.
    Created {
        location: String,
        body: Value,
    },
    NoContent,
    Count(i64),
}

pub struct Ctx {
    pub state: Arc<AppState>,
    pub principal: Principal,
    pub route: &'static Route,
    /// Key segments in template order.
    pub params: Vec<String>,
    /// Raw argument text of a bound function segment (`summary(...)`).
    pub function_args: Option<String>,
    pub query: odata::QueryOptions,
    pub raw_query: Option<String>,
    pub body: Bytes,
    /// `http://host:port/beta` or `http://host:port/v1.0`.
    pub base: String,
    /// The request path after the version root, as sent.
    pub path: String,
    /// The API version the path names; decides what the type tables show and accept.
    pub version: model::ApiVersion,
    pub include_evolvable: bool,
}

impl Ctx {
    pub fn tenant(&self) -> &str {
        &self.principal.tenant_id
    }

    pub fn scope(&self) -> Scope {
        self.route.scope
    }

    /// The n-th key of the path.
    pub fn param(&self, n: usize) -> Result<&str, ApiError> {
        self.params.get(n).map(String::as_str).ok_or_else(|| {
            ApiError::Internal(format!("route {} has no key {n}", self.route.template))
        })
    }

    /// The path key named as in the route's template, e.g. `key("workflow-id")` for
    /// `{workflow-id}`.
    pub fn key(&self, name: &str) -> Result<&str, ApiError> {
        self.route
            .key_index(name)
            .and_then(|n| self.params.get(n))
            .map(String::as_str)
            .ok_or_else(|| {
                ApiError::Internal(format!(
                    "route {} has no key {{{name}}}",
                    self.route.template
                ))
            })
    }

    /// Who asks, for the domain layer: tenant, acting principal, and the tenant's time now.
    pub fn caller(&self) -> lifecycle::Caller {
        lifecycle::Caller {
            tenant: self.tenant().to_string(),
            actor: self.actor(),
            now: self.now(),
        }
    }

    /// The domain operations.
    pub fn domain(&self) -> &lifecycle::Service {
        &self.state.domain
    }

    /// The caller's tenant's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock.now(self.tenant())
    }

    pub fn actor(&self) -> model::workflow::Actor {
        model::workflow::Actor {
            id: self.principal.object_id.clone(),
        }
    }

    /// The request body as JSON (400 naming the problem when it is missing or malformed).
    pub fn json_body(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request(
                "A request body is required for this operation.",
            ));
        }
        let v: Value = serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_request(format!("The request body is not valid JSON: {e}."))
        })?;
        if !v.is_object() {
            return Err(ApiError::bad_request(
                "The request body must be a JSON object.",
            ));
        }
        if let Some(path) = nul_in(&v, "") {
            // No property takes one, and PostgreSQL cannot even store one in text.
            return Err(ApiError::BadRequest {
                message: format!("Invalid value for '{path}': a NUL character is not allowed."),
                target: Some(path),
            });
        }
        // Types, properties and enum members only another API version knows.
        if let Some(ty) = &self.route.request_type {
            model::check_request(self.version, ty, &v)?;
        }
        Ok(v)
    }

    /// The body of a write to an existing object, read without failing: the domain judges it
    /// only after it found the object, so an unknown object answers 404 whatever the body.
    pub fn body_after_lookup(&self) -> lifecycle::Body {
        self.json_body().map_err(|e| match e {
            ApiError::BadRequest { message, target } => {
                lifecycle::Error::Invalid { message, target }
            }
            other => lifecycle::Error::Internal(other.to_string()),
        })
    }

    /// Optional JSON body for actions whose body may be absent.
    pub fn optional_json_body(&self) -> Result<Option<Value>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.json_body().map(Some)
    }

    /// `@odata.context` for this request: keys become `('id')`, a trailing key `/$entity`,
    /// `$select` adds `(a,b)`.
    pub fn context_url(&self, entity: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut key_i = 0;
        let segs: Vec<&str> = self
            .route
            .template
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let mut ends_with_key = false;
        for (i, s) in segs.iter().enumerate() {
            if s.starts_with('{') {
                let v = self.params.get(key_i).cloned().unwrap_or_default();
                key_i += 1;
                if i + 1 == segs.len() {
                    ends_with_key = true;
                } else if let Some(last) = out.last_mut() {
                    if s.contains("versionNumber") {
                        last.push_str(&format!("({v})"));
                    } else {
                        last.push_str(&format!("('{}')", v.replace('\'', "''")));
                    }
                }
            } else if s.contains('(') || s.starts_with("microsoft.graph.") {
                break;
            } else {
                out.push((*s).to_string());
            }
        }
        let mut path = out.join("/").trim_start_matches('/').to_string();
        if let Some(sel) = &self.query.select {
            path.push_str(&format!("({})", sel.join(",")));
        }
        if entity || ends_with_key {
            path.push_str("/$entity");
        }
        format!("{}/$metadata#{}", self.base, path)
    }

    fn type_name(&self) -> Option<&'static str> {
        match self.route.op.shape {
            Shape::Collection(t) | Shape::Entity(t) => Some(t),
            _ => None,
        }
    }

    /// Reject `$select`/`$orderby`/`$filter` naming properties the type does not have.
    pub(crate) fn check_properties(&self, ty: &str) -> Result<(), ApiError> {
        let Some(td) = model::schema::type_def(ty) else {
            return Ok(());
        };
        let known = |name: &str| {
            name == "id" || model::schema::property_in(td, name, self.version).is_some()
        };
        if let Some(sel) = &self.query.select {
            for s in sel {
                if s != "*" && !known(s) {
                    return Err(ApiError::BadRequest {
                        message: format!("Parsing OData Select and Expand failed: Could not find a property named '{s}' on type '{ty}'."),
                        target: Some("$select".into()),
                    });
                }
            }
        }
        for o in &self.query.orderby {
            if let Some(first) = o.path.first() {
                if !known(first) {
                    return Err(ApiError::BadRequest {
                        message: format!("Invalid $orderby: could not find a property named '{first}' on type '{ty}'."),
                        target: Some("$orderby".into()),
                    });
                }
            }
        }
        if let Some(f) = &self.query.filter {
            for p in f.property_paths() {
                if let Some(first) = p.first() {
                    if !known(first) {
                        return Err(ApiError::BadRequest {
                            message: format!("Invalid $filter: could not find a property named '{first}' on type '{ty}'."),
                            target: Some("$filter".into()),
                        });
                    }
                }
            }
        }
        for e in &self.query.expand {
            // No served navigation expands further, so nested options never name one.
            let nested = e.options.as_deref().is_some_and(|o| {
                let o = o.to_ascii_lowercase();
                o.contains("$expand") || o.contains("%24expand")
            });
            if nested {
                return Err(ApiError::BadRequest {
                    message: "The request includes a $expand path which is too deep. The maximum depth allowed is 1.".into(),
                    target: Some("$expand".into()),
                });
            }
            if !self.route.op.expand.contains(&e.name.as_str()) {
                return Err(ApiError::BadRequest {
                    message: format!(
                        "Parsing OData Select and Expand failed: '{}' cannot be expanded here{}.",
                        e.name,
                        if self.route.op.expand.is_empty() {
                            String::new()
                        } else {
                            format!(" (expandable: {})", self.route.op.expand.join(", "))
                        }
                    ),
                    target: Some("$expand".into()),
                });
            }
        }
        Ok(())
    }

    /// Validate `$select`/`$orderby`/`$filter`/`$expand` against the route's type (or the type
    /// a `/$count` counts), for handlers that page in SQL and build the envelope themselves.
    pub fn check_query(&self) -> Result<(), ApiError> {
        match (self.type_name(), self.route.op.count_of) {
            (Some(ty), _) | (None, Some(ty)) => self.check_properties(ty),
            (None, None) => Ok(()),
        }
    }

    /// Whether the collection answer carries `@odata.count`: asked with `$count=true`, or
    /// always on the collections where Graph gives it.
    pub fn wants_count(&self) -> bool {
        self.query.count || self.route.op.always_counted
    }

    pub fn expands(&self, name: &str) -> bool {
        self.query.expand.iter().any(|e| e.name == name)
    }

    /// Shape one entity: `$select`, evolvable enums, `@odata.context`.
    pub fn entity(&self, mut value: Value) -> Result<Reply, ApiError> {
        let ty = self.type_name().unwrap_or("");
        self.check_properties(ty)?;
        let mut out = Map::new();
        out.insert(
            "@odata.context".into(),
            Value::String(self.context_url(true)),
        );
        self.shape_item(ty, &mut value);
        if let Value::Object(m) = value {
            out.extend(m);
        }
        Ok(Reply::Json(StatusCode::OK, Value::Object(out)))
    }

    /// The created entity, 201, with `Location` naming it under the collection posted to.
    pub fn created(&self, ty: &str, mut value: Value, context: &str) -> Reply {
        model::render(ty, &mut value, self.include_evolvable, self.version);
        let location = value
            .get("id")
            .and_then(Value::as_str)
            .map(|id| format!("{}{}/{id}", self.base, self.path.trim_end_matches('/')));
        let mut out = Map::new();
        out.insert(
            "@odata.context".into(),
            Value::String(format!("{}/$metadata#{}", self.base, context)),
        );
        if let Value::Object(m) = value {
            out.extend(m);
        }
        match location {
            Some(location) => Reply::Created {
                location,
                body: Value::Object(out),
            },
            None => Reply::Json(StatusCode::CREATED, Value::Object(out)),
        }
    }

    /// An entity returned by an action (`restore`, `createNewVersion`): with context, and
    /// typed when `typed`.
    pub fn action_entity(&self, ty: &str, mut value: Value, context: &str, typed: bool) -> Reply {
        model::render(ty, &mut value, self.include_evolvable, self.version);
        let mut out = Map::new();
        out.insert(
            "@odata.context".into(),
            Value::String(format!("{}/$metadata#{}", self.base, context)),
        );
        if typed {
            out.insert("@odata.type".into(), Value::String(format!("#{ty}")));
        }
        if let Value::Object(m) = value {
            out.extend(m);
        }
        Reply::Json(StatusCode::OK, Value::Object(out))
    }

    fn shape_item(&self, ty: &str, value: &mut Value) {
        model::render(ty, value, self.include_evolvable, self.version);
        if let (Some(sel), Value::Object(m)) = (&self.query.select, value) {
            if !sel.iter().any(|s| s == "*") {
                let mut keep: Vec<String> = sel.clone();
                for e in &self.query.expand {
                    keep.push(e.name.clone());
                }
                odata::apply_select(m, &keep, &["id"]);
            }
        }
    }

    fn skiptoken_offset(&self) -> Result<usize, ApiError> {
        let Some(tok) = &self.query.skiptoken else {
            return Ok(0);
        };
        URL_SAFE_NO_PAD
            .decode(tok)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
            .ok_or_else(|| ApiError::BadRequest {
                message: format!(
                    "The $skiptoken '{tok}' is not valid; use the @odata.nextLink as given."
                ),
                target: Some("$skiptoken".into()),
            })
    }

    pub fn page_window(&self) -> Result<(usize, usize), ApiError> {
        if let Some(top) = self.query.top.filter(|&t| t > MAX_PAGE) {
            return Err(ApiError::BadRequest {
                message: format!(
                    "Invalid page size specified: '{top}'. Must be between 1 and {MAX_PAGE} inclusive."
                ),
                target: Some("$top".into()),
            });
        }
        let page = self.query.top.unwrap_or(DEFAULT_PAGE);
        let skip = self
            .query
            .skip
            .unwrap_or(0)
            .saturating_add(self.skiptoken_offset()?);
        Ok((skip, page))
    }

    /// Filter, search, order, count and page an in-memory collection.
    pub fn collection(&self, items: Vec<Value>) -> Result<Reply, ApiError> {
        let ty = self.type_name().unwrap_or("");
        self.check_properties(ty)?;
        let opts = odata::EvalOptions {
            case_insensitive: true,
        };
        let filtered: Vec<Value> = items
            .into_iter()
            .filter(|v| {
                self.query
                    .filter
                    .as_ref()
                    .is_none_or(|f| f.matches_with(v, &opts))
            })
            .filter(|v| {
                self.query
                    .search
                    .as_ref()
                    .is_none_or(|s| s.matches(v, "displayName"))
            })
            .collect();
        let (skip, page) = self.page_window()?;
        let p = store::page_in_memory(
            filtered,
            &self.query.orderby,
            page,
            skip,
            self.wants_count(),
        );
        self.collection_page(
            ty,
            p.items,
            p.total,
            p.more.then_some(skip.saturating_add(page)),
        )
    }

    /// Build the collection envelope for one page.
    pub fn collection_page(
        &self,
        ty: &str,
        mut items: Vec<Value>,
        total: Option<i64>,
        next_offset: Option<usize>,
    ) -> Result<Reply, ApiError> {
        for v in &mut items {
            self.shape_item(ty, v);
        }
        let mut out = Map::new();
        out.insert(
            "@odata.context".into(),
            Value::String(self.context_url(false)),
        );
        if let Some(n) = total {
            out.insert("@odata.count".into(), Value::from(n));
        }
        if let Some(offset) = next_offset {
            out.insert(
                "@odata.nextLink".into(),
                Value::String(self.next_link(offset)),
            );
        }
        out.insert("value".into(), Value::Array(items));
        Ok(Reply::Json(StatusCode::OK, Value::Object(out)))
    }

    /// Absolute, same-host next-page link carrying the caller's options.
    fn next_link(&self, offset: usize) -> String {
        let mut parts: Vec<String> = self
            .raw_query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .filter(|p| {
                let name = p.split('=').next().unwrap_or("").to_ascii_lowercase();
                !matches!(
                    name.as_str(),
                    "$skiptoken" | "%24skiptoken" | "$skip" | "%24skip"
                )
            })
            .map(str::to_string)
            .collect();
        parts.push(format!(
            "$skiptoken={}",
            URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
        ));
        format!("{}{}?{}", self.base, self.path, parts.join("&"))
    }

    /// `/$count`: filter and search, then count.
    pub fn count(&self, items: &[Value]) -> Result<Reply, ApiError> {
        if let Some(ty) = self.route.op.count_of {
            self.check_properties(ty)?;
        }
        let opts = odata::EvalOptions {
            case_insensitive: true,
        };
        let n = items
            .iter()
            .filter(|v| {
                self.query
                    .filter
                    .as_ref()
                    .is_none_or(|f| f.matches_with(v, &opts))
            })
            .filter(|v| {
                self.query
                    .search
                    .as_ref()
                    .is_none_or(|s| s.matches(v, "displayName"))
            })
            .count();
        Ok(Reply::Count(n as i64))
    }
}

/// The path (`a.b[2]`) of the first string, or object key, holding a NUL character.
fn nul_in(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(at.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_in(x, &format!("{at}[{i}]"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if k.contains('\0') {
                Some(path.escape_default().to_string())
            } else {
                nul_in(x, &path)
            }
        }),
        _ => None,
    }
}
