//! Path matching over Graph URL templates.
//!
//! Served operations (from `ops::OPERATIONS`) and every endpoint of the reference list
//! (`reference/api-endpoints.json`) go into one segment trie. A request that reaches a
//! reference endpoint nobody serves gets a Graph-shaped 501; a known path with another method
//! gets 405; anything else is a 400 naming the first unknown segment, as Graph answers.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::Method;

use crate::operation::Route;
use crate::ops::{Handler, OPERATIONS};

pub const LW: &str = "/identityGovernance/lifecycleWorkflows";
const NS: &str = "microsoft.graph.identityGovernance.";

/// Whether an operation answers under `/workflows/{id}` or `/deletedItems/workflows/{id}`.
pub use lifecycle::Scope;

/// A route and the handler that serves it.
pub struct ServedRoute {
    pub route: Route,
    pub handler: Handler,
}

#[derive(Default)]
struct Node {
    literals: HashMap<String, Node>,
    param: Option<Box<Node>>,
    /// Bound functions: lower-cased bare name → node; the argument text is captured.
    functions: HashMap<String, Node>,
    served: Vec<(Method, usize)>,
    /// Methods of reference endpoints at this node (for 501).
    reference: Vec<Method>,
}

pub struct Router {
    root: Node,
    pub routes: Vec<ServedRoute>,
    pub reference: Vec<ReferenceEndpoint>,
}

#[derive(Debug, Clone)]
pub struct ReferenceEndpoint {
    pub method: Method,
    pub path: String,
}

pub enum Lookup<'a> {
    Found {
        route: &'a Route,
        handler: Handler,
        params: Vec<String>,
        function_args: Option<String>,
    },
    NotImplemented,
    MethodNotAllowed,
    /// The first segment that matched nothing.
    NoSuchSegment(String),
}

/// A template segment. Namespaced bound-operation names are kept bare and lower-cased, so
/// `/restore` and `/microsoft.graph.identityGovernance.restore` reach the same node.
enum TSeg {
    Literal(String),
    Param,
    Function(String),
}

fn bare_lower(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    match lower.strip_prefix(&NS.to_ascii_lowercase()) {
        Some(b) => b.to_string(),
        None => lower,
    }
}

fn template_segments(t: &str) -> Vec<TSeg> {
    t.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') {
                TSeg::Param
            } else if let Some(open) = s.find('(') {
                TSeg::Function(bare_lower(&s[..open]))
            } else {
                TSeg::Literal(bare_lower(s))
            }
        })
        .collect()
}

impl Node {
    fn insert(&mut self, segs: &[TSeg]) -> &mut Node {
        let Some((first, rest)) = segs.split_first() else {
            return self;
        };
        let next = match first {
            TSeg::Literal(l) => self.literals.entry(l.clone()).or_default(),
            TSeg::Param => self.param.get_or_insert_with(Default::default),
            TSeg::Function(name) => self.functions.entry(name.clone()).or_default(),
        };
        next.insert(rest)
    }
}

fn deleted_template(t: &str) -> Option<String> {
    t.strip_prefix(&format!("{LW}/workflows/{{workflow-id}}"))
        .map(|rest| format!("{LW}/deletedItems/workflows/{{workflow-id}}{rest}"))
}

impl Router {
    fn build() -> Router {
        let mut router = Router {
            root: Node::default(),
            routes: Vec::new(),
            reference: Vec::new(),
        };
        for served in OPERATIONS.iter() {
            let op = &served.op;
            let add = |template: String, scope: Scope, router: &mut Router| {
                let idx = router.routes.len();
                router.routes.push(ServedRoute {
                    route: Route {
                        op,
                        scope,
                        name: format!("{} {template}", op.method),
                        template: template.clone(),
                    },
                    handler: served.handler,
                });
                let segs = template_segments(&template);
                router
                    .root
                    .insert(&segs)
                    .served
                    .push((op.method.clone(), idx));
            };
            add(op.path.to_string(), Scope::Active, &mut router);
            if op.mirror {
                if let Some(t) = deleted_template(op.path) {
                    add(t, Scope::Deleted, &mut router);
                }
            }
        }
        let reference: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../reference/api-endpoints.json"))
                .unwrap_or_default();
        for e in reference {
            let (Some(m), Some(p)) = (
                e.get("method").and_then(|v| v.as_str()),
                e.get("path").and_then(|v| v.as_str()),
            ) else {
                continue;
            };
            let Ok(method) = m.parse::<Method>() else {
                continue;
            };
            let segs = template_segments(p);
            router.root.insert(&segs).reference.push(method.clone());
            router.reference.push(ReferenceEndpoint {
                method,
                path: p.to_string(),
            });
        }
        router
    }

    /// The process-wide router (the tables are static).
    pub fn get() -> &'static Router {
        static ROUTER: OnceLock<Router> = OnceLock::new();
        ROUTER.get_or_init(Router::build)
    }

    /// Match decoded path segments (after `/beta`).
    pub fn lookup(&self, method: &Method, segments: &[String]) -> Lookup<'_> {
        let mut node = &self.root;
        let mut params = Vec::new();
        let mut function_args = None;
        for seg in segments {
            let bare = bare_lower(seg);
            if let Some(next) = node.literals.get(&bare) {
                node = next;
                continue;
            }
            if let Some(open) = bare.find('(') {
                if bare.ends_with(')') {
                    if let Some(next) = node.functions.get(&bare[..open]) {
                        // Keep the caller's spelling of the arguments.
                        let start = seg.len() - (bare.len() - open);
                        function_args = seg.get(start + 1..seg.len() - 1).map(str::to_string);
                        node = next;
                        continue;
                    }
                }
            }
            if let Some(next) = &node.param {
                params.push(seg.clone());
                node = next;
                continue;
            }
            return Lookup::NoSuchSegment(seg.clone());
        }
        if let Some((_, idx)) = node.served.iter().find(|(m, _)| m == method) {
            if let Some(served) = self.routes.get(*idx) {
                return Lookup::Found {
                    route: &served.route,
                    handler: served.handler,
                    params,
                    function_args,
                };
            }
        }
        if node.reference.contains(method) {
            return Lookup::NotImplemented;
        }
        if !node.served.is_empty() || !node.reference.is_empty() {
            return Lookup::MethodNotAllowed;
        }
        Lookup::NoSuchSegment(segments.last().cloned().unwrap_or_default())
    }

    /// Whether a reference endpoint is served (for the ledger).
    pub fn serves(&self, e: &ReferenceEndpoint) -> bool {
        let segs: Vec<String> = e
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.starts_with('{') {
                    "x".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        matches!(self.lookup(&e.method, &segs), Lookup::Found { .. })
    }
}
