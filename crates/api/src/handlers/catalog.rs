//! The built-in task definitions and workflow templates.

use serde_json::Value;

use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::render::inline_tasks;

fn template_or_404(ctx: &Ctx) -> Result<&'static Value, ApiError> {
    let id = ctx.key("workflowTemplate-id")?;
    model::catalog::workflow_template(id).ok_or_else(|| {
        ApiError::NotFound(format!("Workflow template with id '{id}' was not found."))
    })
}

fn template_tasks(t: &Value) -> Vec<Value> {
    t.get("tasks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Templates list without tasks unless `$expand=tasks`; a single template shows them.
fn present_template(ctx: &Ctx, t: &Value, with_tasks: bool) -> Value {
    let mut v = t.clone();
    let context = (with_tasks || ctx.expands("tasks")).then(|| {
        let id = t.get("id").and_then(Value::as_str).unwrap_or("");
        format!(
            "{}/$metadata#identityGovernance/lifecycleWorkflows/workflowTemplates('{id}')/tasks",
            ctx.base
        )
    });
    inline_tasks(&mut v, context);
    v
}

pub async fn list_task_definitions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.collection(model::catalog::task_definitions().to_vec())
}

pub async fn count_task_definitions_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.count(model::catalog::task_definitions())
}

pub async fn get_task_definition_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let id = ctx.key("taskDefinition-id")?;
    let def = model::catalog::task_definition(id).ok_or_else(|| {
        ApiError::NotFound(format!("Task definition with id '{id}' was not found."))
    })?;
    ctx.entity(def.clone())
}

pub async fn list_workflow_templates_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let items = model::catalog::workflow_templates()
        .iter()
        .map(|t| present_template(&ctx, t, false))
        .collect();
    ctx.collection(items)
}

pub async fn count_workflow_templates_route(ctx: Ctx) -> Result<Reply, ApiError> {
    ctx.count(model::catalog::workflow_templates())
}

pub async fn get_workflow_template_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let t = template_or_404(&ctx)?;
    let shown = present_template(&ctx, t, true);
    ctx.entity(shown)
}

pub async fn list_template_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let t = template_or_404(&ctx)?;
    ctx.collection(template_tasks(t))
}

pub async fn count_template_tasks_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let t = template_or_404(&ctx)?;
    ctx.count(&template_tasks(t))
}

pub async fn get_template_task_route(ctx: Ctx) -> Result<Reply, ApiError> {
    let t = template_or_404(&ctx)?;
    let id = ctx.key("task-id")?;
    let task = template_tasks(t)
        .into_iter()
        .find(|x| {
            x.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.eq_ignore_ascii_case(id))
        })
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Task with id '{id}' was not found in the template."
            ))
        })?;
    ctx.entity(task)
}

/// The template task named by the path (404 otherwise).
fn template_task_or_404(ctx: &Ctx) -> Result<(), ApiError> {
    let t = template_or_404(ctx)?;
    let id = ctx.key("task-id")?;
    if template_tasks(t).iter().any(|x| {
        x.get("id")
            .and_then(Value::as_str)
            .is_some_and(|i| i.eq_ignore_ascii_case(id))
    }) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "Task with id '{id}' was not found in the template."
        )))
    }
}

pub async fn list_template_task_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    template_task_or_404(&ctx)?;
    ctx.collection(Vec::new())
}

pub async fn count_template_task_results_route(ctx: Ctx) -> Result<Reply, ApiError> {
    template_task_or_404(&ctx)?;
    ctx.count(&[])
}

pub async fn get_template_task_result_route(ctx: Ctx) -> Result<Reply, ApiError> {
    template_task_or_404(&ctx)?;
    let id = ctx.key("taskProcessingResult-id")?;
    Err(ApiError::NotFound(format!(
        "Task processing result '{id}' was not found: workflow templates are never run."
    )))
}
