//! Handlers, one module per Graph resource area. Each `*_route` function serves one
//! declaration of `crate::ops::OPERATIONS`: it reads the request into a typed input, calls one
//! operation of the domain (`ctx.domain()`), and renders the result (with `crate::render`
//! and the `ctx` envelopes). Handler modules never import each other.

pub mod actions;
pub mod authentication;
pub mod catalog;
pub mod containers;
pub mod directory;
pub mod entitlement;
pub mod extensions;
pub mod resume;
pub mod runs;
pub mod settings;
pub mod tasks;
pub mod workflows;
