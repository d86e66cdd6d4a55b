//! Every Graph operation lcw serves, declared once: method, path (as the reference writes
//! it), least-privileged permission, response shape (which decides the OData options
//! accepted), expandable navigations, and the handler. The router, the permission check and
//! the coverage ledger all read this table.

use std::future::Future;
use std::pin::Pin;

use axum::http::Method;

use crate::auth::Permission;
use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::{
    actions, authentication, catalog, directory, entitlement, extensions, resume, runs, settings,
    tasks, workflows,
};
use crate::routing::Scope;

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;
pub type Handler = fn(Ctx) -> HandlerFuture;

/// What the operation answers; decides which OData system query options it accepts.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// A collection of this type: `$select $expand $filter $orderby $top $skip $count $search`.
    Collection(&'static str),
    /// One entity of this type: `$select $expand`.
    Entity(&'static str),
    /// A `/$count` segment: `$filter $search`.
    Count,
    /// Actions and writes: no query options.
    Action,
}

pub struct Operation {
    pub method: Method,
    pub path: &'static str,
    /// Also served under `/deletedItems/workflows/{workflow-id}/...`.
    pub mirror: bool,
    pub permission: &'static str,
    /// Lifecycle Workflows operation: delegated callers need a directory role.
    pub lcw: bool,
    pub shape: Shape,
    pub expand: &'static [&'static str],
    /// The type a `/$count` counts, to validate its `$filter`.
    pub count_of: Option<&'static str>,
    /// GET responses may be cached until the tenant's data changes.
    pub cacheable: bool,
    pub handler: Handler,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl Operation {
    /// Reads under `deletedItems` need `LifecycleWorkflows-Workflow.Read.All` where the live
    /// workflow list and item only need `ReadBasic`.
    pub fn permission_for(&self, scope: Scope) -> Permission {
        let least = match (scope, self.permission) {
            (Scope::Deleted, "LifecycleWorkflows-Workflow.ReadBasic.All") => {
                "LifecycleWorkflows-Workflow.Read.All"
            }
            (_, p) => p,
        };
        Permission {
            least,
            needs_lcw_role: self.lcw,
        }
    }
}

macro_rules! h {
    ($f:path) => {
        |c| Box::pin($f(c))
    };
}

const LW_WF_READ: &str = "LifecycleWorkflows-Workflow.Read.All";
const LW_WF_READBASIC: &str = "LifecycleWorkflows-Workflow.ReadBasic.All";
const LW_WF_WRITE: &str = "LifecycleWorkflows-Workflow.ReadWrite.All";
const LW_READ: &str = "LifecycleWorkflows.Read.All";
const LW_WRITE: &str = "LifecycleWorkflows.ReadWrite.All";
const EXT_READ: &str = "LifecycleWorkflows-CustomExt.Read.All";
const EXT_WRITE: &str = "LifecycleWorkflows-CustomExt.ReadWrite.All";

const WORKFLOW: &str = model::types::WORKFLOW;
const VERSION: &str = model::types::WORKFLOW_VERSION;
const TASK: &str = model::types::TASK;
const USER: &str = model::types::USER;
const GROUP: &str = model::types::GROUP;
const DIRECTORY_OBJECT: &str = model::types::DIRECTORY_OBJECT;

const WF_EXPAND: &[&str] = &[
    "tasks",
    "createdBy",
    "lastModifiedBy",
    "administrationScopeTargets",
    "versions",
];
const VERSION_EXPAND: &[&str] = &[
    "tasks",
    "createdBy",
    "lastModifiedBy",
    "administrationScopeTargets",
];
const USER_EXPAND: &[&str] = &["manager", "memberOf"];
const GROUP_EXPAND: &[&str] = &["members"];

// ---- run history (handlers/runs.rs, handlers/actions.rs) ----
const LW_REPORTS: &str = "LifecycleWorkflows-Reports.Read.All";
const LW_WF_ACTIVATE: &str = "LifecycleWorkflows-Workflow.Activate";
const RUN: &str = model::types::RUN;
const UPR: &str = model::types::USER_PROCESSING_RESULT;
const SPR: &str = model::types::SUBJECT_PROCESSING_RESULT;
const TPR: &str = model::types::TASK_PROCESSING_RESULT;
const REPORT: &str = model::types::TASK_REPORT;
const UPR_EXPAND: &[&str] = &["subject"];
const TPR_EXPAND: &[&str] = &["subject", "task"];
const REPORT_EXPAND: &[&str] = &["task", "taskDefinition"];

// ---- authentication methods and entitlement management ----
const AUTH_READ: &str = "UserAuthenticationMethod.Read.All";
const AUTH_WRITE: &str = "UserAuthenticationMethod.ReadWrite.All";
const EM_READ: &str = "EntitlementManagement.Read.All";
const EM_WRITE: &str = "EntitlementManagement.ReadWrite.All";
const TAP: &str = "microsoft.graph.temporaryAccessPassAuthenticationMethod";
const AP: &str = "microsoft.graph.accessPackage";
const AP_POLICY: &str = "microsoft.graph.accessPackageAssignmentPolicy";
const AP_ASSIGNMENT: &str = "microsoft.graph.accessPackageAssignment";
const AP_REQUEST: &str = "microsoft.graph.accessPackageAssignmentRequest";
const AP_ASSIGNMENT_EXPAND: &[&str] = &["accessPackage", "assignmentPolicy", "target"];
const AP_REQUEST_EXPAND: &[&str] = &["accessPackage", "assignment", "requestor"];

#[allow(clippy::too_many_arguments)]
const fn op(
    method: Method,
    path: &'static str,
    mirror: bool,
    permission: &'static str,
    lcw: bool,
    shape: Shape,
    expand: &'static [&'static str],
    cacheable: bool,
    handler: Handler,
) -> Operation {
    Operation {
        method,
        path,
        mirror,
        permission,
        lcw,
        shape,
        expand,
        count_of: None,
        cacheable,
        handler,
    }
}

const fn count(
    path: &'static str,
    mirror: bool,
    permission: &'static str,
    lcw: bool,
    of: &'static str,
    handler: Handler,
) -> Operation {
    Operation {
        method: Method::GET,
        path,
        mirror,
        permission,
        lcw,
        shape: Shape::Count,
        expand: &[],
        count_of: Some(of),
        cacheable: true,
        handler,
    }
}

pub static OPERATIONS: &[Operation] = &[
    // ---- workflows ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows", false, LW_WF_READBASIC, true, Shape::Collection(WORKFLOW), WF_EXPAND, true, h!(workflows::list_workflows_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows", false, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::create_workflow_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/$count", false, LW_WF_READBASIC, true, WORKFLOW, h!(workflows::count_workflows_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", true, LW_WF_READBASIC, true, Shape::Entity(WORKFLOW), WF_EXPAND, true, h!(workflows::get_workflow_route)),
    op(Method::PATCH, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", false, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::update_workflow_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", false, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::delete_workflow_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/createdBy", true, LW_WF_READ, true, Shape::Entity(USER), &[], false, h!(workflows::get_workflow_created_by_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/lastModifiedBy", true, LW_WF_READ, true, Shape::Entity(USER), &[], false, h!(workflows::get_workflow_last_modified_by_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.createNewVersion", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::create_new_version_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.restore", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::restore_workflow_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets", true, LW_WF_READ, true, Shape::Collection(DIRECTORY_OBJECT), &[], true, h!(workflows::list_administration_scope_targets_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets/{directoryObject-id}", true, LW_WF_READ, true, Shape::Entity(DIRECTORY_OBJECT), &[], true, h!(workflows::get_administration_scope_target_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets/$count", true, LW_WF_READ, true, DIRECTORY_OBJECT, h!(workflows::count_administration_scope_targets_route)),
    // ---- deleted items ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/deletedItems/workflows", false, LW_WF_READ, true, Shape::Collection(WORKFLOW), WF_EXPAND, true, h!(workflows::list_deleted_workflows_route)),
    count("/identityGovernance/lifecycleWorkflows/deletedItems/workflows/$count", false, LW_WF_READ, true, WORKFLOW, h!(workflows::count_deleted_workflows_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/deletedItems/workflows/{workflow-id}", false, LW_WF_WRITE, true, Shape::Action, &[], false, h!(workflows::purge_workflow_route)),
    // ---- tasks ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks", true, LW_WF_READ, true, Shape::Collection(TASK), &[], true, h!(tasks::list_tasks_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::create_task_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/$count", true, LW_WF_READ, true, TASK, h!(tasks::count_tasks_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", true, LW_WF_READ, true, Shape::Entity(TASK), &[], true, h!(tasks::get_task_route)),
    op(Method::PATCH, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::update_task_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::delete_task_route)),
    // ---- versions ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions", true, LW_WF_READ, true, Shape::Collection(VERSION), VERSION_EXPAND, true, h!(tasks::list_versions_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/$count", true, LW_WF_READ, true, VERSION, h!(tasks::count_versions_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}", true, LW_WF_READ, true, Shape::Entity(VERSION), VERSION_EXPAND, true, h!(tasks::get_version_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/createdBy", true, LW_WF_READ, true, Shape::Entity(USER), &[], false, h!(tasks::get_version_created_by_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/lastModifiedBy", true, LW_WF_READ, true, Shape::Entity(USER), &[], false, h!(tasks::get_version_last_modified_by_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks", true, LW_WF_READ, true, Shape::Collection(TASK), &[], true, h!(tasks::list_version_tasks_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/$count", true, LW_WF_READ, true, TASK, h!(tasks::count_version_tasks_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", true, LW_WF_READ, true, Shape::Entity(TASK), &[], true, h!(tasks::get_version_task_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::write_version_task_route)),
    op(Method::PATCH, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::write_version_task_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(tasks::write_version_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets", true, LW_WF_READ, true, Shape::Collection(DIRECTORY_OBJECT), &[], true, h!(workflows::list_administration_scope_targets_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets/{directoryObject-id}", true, LW_WF_READ, true, Shape::Entity(DIRECTORY_OBJECT), &[], true, h!(workflows::get_administration_scope_target_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets/$count", true, LW_WF_READ, true, DIRECTORY_OBJECT, h!(workflows::count_administration_scope_targets_route)),
    // ---- catalog ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/taskDefinitions", false, LW_READ, true, Shape::Collection(model::types::TASK_DEFINITION), &[], true, h!(catalog::list_task_definitions_route)),
    count("/identityGovernance/lifecycleWorkflows/taskDefinitions/$count", false, LW_READ, true, model::types::TASK_DEFINITION, h!(catalog::count_task_definitions_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/taskDefinitions/{taskDefinition-id}", false, LW_READ, true, Shape::Entity(model::types::TASK_DEFINITION), &[], true, h!(catalog::get_task_definition_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates", false, LW_READ, true, Shape::Collection(model::types::WORKFLOW_TEMPLATE), &["tasks"], true, h!(catalog::list_workflow_templates_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/$count", false, LW_READ, true, model::types::WORKFLOW_TEMPLATE, h!(catalog::count_workflow_templates_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}", false, LW_READ, true, Shape::Entity(model::types::WORKFLOW_TEMPLATE), &["tasks"], true, h!(catalog::get_workflow_template_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks", false, LW_READ, true, Shape::Collection(TASK), &[], true, h!(catalog::list_template_tasks_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/$count", false, LW_READ, true, TASK, h!(catalog::count_template_tasks_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}", false, LW_READ, true, Shape::Entity(TASK), &[], true, h!(catalog::get_template_task_route)),
    // Templates never run: their tasks have no processing results.
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults", false, LW_READ, true, Shape::Collection(TPR), TPR_EXPAND, true, h!(catalog::list_template_task_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/$count", false, LW_READ, true, TPR, h!(catalog::count_template_task_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", false, LW_READ, true, Shape::Entity(TPR), TPR_EXPAND, true, h!(catalog::get_template_task_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", false, LW_READ, true, Shape::Entity(USER), &[], true, h!(catalog::get_template_task_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", false, LW_READ, true, Shape::Entity(TASK), &[], true, h!(catalog::get_template_task_result_route)),
    // ---- settings ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/settings", false, LW_READ, true, Shape::Entity(model::types::SETTINGS), &[], true, h!(settings::get_settings_route)),
    op(Method::PATCH, "/identityGovernance/lifecycleWorkflows/settings", false, LW_WRITE, true, Shape::Action, &[], false, h!(settings::update_settings_route)),
    // ---- custom task extensions ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/customTaskExtensions", false, EXT_READ, true, Shape::Collection(model::types::CUSTOM_TASK_EXTENSION), &["createdBy", "lastModifiedBy"], true, h!(extensions::list_custom_task_extensions_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/customTaskExtensions", false, EXT_WRITE, true, Shape::Action, &[], false, h!(extensions::create_custom_task_extension_route)),
    count("/identityGovernance/lifecycleWorkflows/customTaskExtensions/$count", false, EXT_READ, true, model::types::CUSTOM_TASK_EXTENSION, h!(extensions::count_custom_task_extensions_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", false, EXT_READ, true, Shape::Entity(model::types::CUSTOM_TASK_EXTENSION), &["createdBy", "lastModifiedBy"], true, h!(extensions::get_custom_task_extension_route)),
    op(Method::PATCH, "/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", false, EXT_WRITE, true, Shape::Action, &[], false, h!(extensions::update_custom_task_extension_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", false, EXT_WRITE, true, Shape::Action, &[], false, h!(extensions::delete_custom_task_extension_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}/createdBy", false, EXT_READ, true, Shape::Entity(USER), &[], false, h!(extensions::get_custom_task_extension_created_by_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}/lastModifiedBy", false, EXT_READ, true, Shape::Entity(USER), &[], false, h!(extensions::get_custom_task_extension_last_modified_by_route)),
    // ---- directory ----
    op(Method::GET, "/users", false, "User.Read.All", false, Shape::Collection(USER), USER_EXPAND, false, h!(directory::list_users_route)),
    op(Method::POST, "/users", false, "User.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::create_user_route)),
    count("/users/$count", false, "User.Read.All", false, USER, h!(directory::count_users_route)),
    op(Method::GET, "/users/{user-id}", false, "User.Read.All", false, Shape::Entity(USER), USER_EXPAND, false, h!(directory::get_user_route)),
    op(Method::PATCH, "/users/{user-id}", false, "User.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::update_user_route)),
    op(Method::DELETE, "/users/{user-id}", false, "User.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::delete_user_route)),
    op(Method::GET, "/users/{user-id}/manager", false, "User.Read.All", false, Shape::Entity(USER), &[], false, h!(directory::get_manager_route)),
    op(Method::PUT, "/users/{user-id}/manager/$ref", false, "User.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::set_manager_route)),
    op(Method::DELETE, "/users/{user-id}/manager/$ref", false, "User.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::remove_manager_route)),
    op(Method::GET, "/users/{user-id}/directReports", false, "User.Read.All", false, Shape::Collection(USER), &[], false, h!(directory::list_direct_reports_route)),
    op(Method::GET, "/users/{user-id}/memberOf", false, "User.Read.All", false, Shape::Collection(GROUP), &[], false, h!(directory::list_member_of_route)),
    op(Method::GET, "/groups", false, "Group.Read.All", false, Shape::Collection(GROUP), GROUP_EXPAND, false, h!(directory::list_groups_route)),
    op(Method::POST, "/groups", false, "Group.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::create_group_route)),
    count("/groups/$count", false, "Group.Read.All", false, GROUP, h!(directory::count_groups_route)),
    op(Method::GET, "/groups/{group-id}", false, "Group.Read.All", false, Shape::Entity(GROUP), GROUP_EXPAND, false, h!(directory::get_group_route)),
    op(Method::PATCH, "/groups/{group-id}", false, "Group.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::update_group_route)),
    op(Method::DELETE, "/groups/{group-id}", false, "Group.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::delete_group_route)),
    op(Method::GET, "/groups/{group-id}/members", false, "GroupMember.Read.All", false, Shape::Collection(USER), &[], false, h!(directory::list_members_route)),
    count("/groups/{group-id}/members/$count", false, "GroupMember.Read.All", false, USER, h!(directory::count_members_route)),
    op(Method::POST, "/groups/{group-id}/members/$ref", false, "GroupMember.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::add_member_route)),
    op(Method::DELETE, "/groups/{group-id}/members/{directoryObject-id}/$ref", false, "GroupMember.ReadWrite.All", false, Shape::Action, &[], false, h!(directory::remove_member_route)),
    // ---- run history (handlers/runs.rs) ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/{run-id1}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/{run-id1}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults", true, LW_REPORTS, true, Shape::Collection(UPR), UPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/$count", true, LW_REPORTS, true, UPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(UPR), UPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id1}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id1}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults", true, LW_REPORTS, true, Shape::Collection(SPR), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/$count", true, LW_REPORTS, true, SPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(SPR), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id1}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id1}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults", true, LW_REPORTS, true, Shape::Collection(UPR), UPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/$count", true, LW_REPORTS, true, UPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(UPR), UPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults", true, LW_REPORTS, true, Shape::Collection(SPR), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/$count", true, LW_REPORTS, true, SPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(SPR), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports", true, LW_REPORTS, true, Shape::Collection(REPORT), REPORT_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/$count", true, LW_REPORTS, true, REPORT, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}", true, LW_REPORTS, true, Shape::Entity(REPORT), REPORT_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskDefinition", true, LW_REPORTS, true, Shape::Entity(model::types::TASK_DEFINITION), &[], false, h!(runs::get_report_definition_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults", true, LW_REPORTS, true, Shape::Collection(TPR), TPR_EXPAND, false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/$count", true, LW_REPORTS, true, TPR, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", true, LW_REPORTS, true, Shape::Entity(TPR), TPR_EXPAND, false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", true, LW_REPORTS, true, Shape::Entity(USER), &[], false, h!(runs::get_subject_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", true, LW_REPORTS, true, Shape::Entity(TASK), &[], false, h!(runs::get_result_task_route)),
    // ---- execution scope and preview scope (handlers/runs.rs) ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope", true, LW_WF_READ, true, Shape::Collection(UPR), UPR_EXPAND, false, h!(runs::list_execution_scope_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/$count", true, LW_WF_READ, true, UPR, h!(runs::count_execution_scope_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}", true, LW_WF_READ, true, Shape::Entity(UPR), UPR_EXPAND, false, h!(runs::get_execution_scope_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns", true, LW_REPORTS, true, Shape::Collection(RUN), &[], false, h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/$count", true, LW_REPORTS, true, RUN, h!(runs::count_results_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}", true, LW_REPORTS, true, Shape::Entity(RUN), &[], false, h!(runs::get_result_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/$ref", true, LW_REPORTS, true, Shape::Action, &[], false, h!(runs::list_reprocessed_refs_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::DELETE, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}/reprocessedRuns/{run-id1}/$ref", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(runs::delete_reprocessed_ref_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope", true, LW_WF_READ, true, Shape::Collection(USER), &[], false, h!(runs::list_preview_scope_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope/$count", true, LW_WF_READ, true, USER, h!(runs::count_preview_scope_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope/{directoryObject-id}", true, LW_WF_READ, true, Shape::Entity(USER), &[], false, h!(runs::get_preview_scope_route)),
    // ---- workflow actions (handlers/actions.rs) ----
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activate", true, LW_WF_ACTIVATE, true, Shape::Action, &[], false, h!(actions::activate_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activateWithScope", true, LW_WF_ACTIVATE, true, Shape::Action, &[], false, h!(actions::activate_with_scope_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activateAndWait", true, LW_WF_ACTIVATE, true, Shape::Action, &[], false, h!(actions::activate_and_wait_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.previewWorkflow", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(actions::preview_workflow_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.previewTaskFailures", true, LW_WF_READ, true, Shape::Action, &[], false, h!(actions::preview_task_failures_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.cancelProcessing", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(actions::cancel_processing_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.clearQuarantine", true, LW_WF_WRITE, true, Shape::Action, &[], false, h!(actions::clear_quarantine_route)),
    // ---- resume a task waiting for its custom task extension (handlers/resume.rs) ----
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", true, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_route)),
    op(Method::POST, "/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", false, LW_WRITE, true, Shape::Action, &[], false, h!(resume::resume_template_route)),
    // ---- insights (handlers/actions.rs) ----
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.workflowsProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", false, LW_REPORTS, true, Shape::Action, &[], false, h!(actions::workflows_processed_summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.workflowsProcessedByCategory(startDateTime={startDateTime},endDateTime={endDateTime})", false, LW_REPORTS, true, Shape::Action, &[], false, h!(actions::workflows_processed_by_category_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.topWorkflowsProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", false, LW_REPORTS, true, Shape::Collection(model::types::TOP_WORKFLOWS_SUMMARY), &[], false, h!(actions::top_workflows_processed_summary_route)),
    op(Method::GET, "/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.topTasksProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", false, LW_REPORTS, true, Shape::Collection(model::types::TOP_TASKS_SUMMARY), &[], false, h!(actions::top_tasks_processed_summary_route)),
    // ---- authentication methods: Temporary Access Pass (handlers/authentication.rs) ----
    op(Method::GET, "/users/{user-id}/authentication/temporaryAccessPassMethods", false, AUTH_READ, false, Shape::Collection(TAP), &[], false, h!(authentication::list_taps_route)),
    op(Method::POST, "/users/{user-id}/authentication/temporaryAccessPassMethods", false, AUTH_WRITE, false, Shape::Action, &[], false, h!(authentication::create_tap_route)),
    op(Method::GET, "/users/{user-id}/authentication/temporaryAccessPassMethods/{temporaryAccessPassAuthenticationMethod-id}", false, AUTH_READ, false, Shape::Entity(TAP), &[], false, h!(authentication::get_tap_route)),
    op(Method::DELETE, "/users/{user-id}/authentication/temporaryAccessPassMethods/{temporaryAccessPassAuthenticationMethod-id}", false, AUTH_WRITE, false, Shape::Action, &[], false, h!(authentication::delete_tap_route)),
    // ---- entitlement management (handlers/entitlement.rs) ----
    op(Method::GET, "/identityGovernance/entitlementManagement/accessPackages", false, EM_READ, false, Shape::Collection(AP), &["assignmentPolicies"], false, h!(entitlement::list_access_packages_route)),
    op(Method::POST, "/identityGovernance/entitlementManagement/accessPackages", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::create_access_package_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/accessPackages/{accessPackage-id}", false, EM_READ, false, Shape::Entity(AP), &["assignmentPolicies"], false, h!(entitlement::get_access_package_route)),
    op(Method::DELETE, "/identityGovernance/entitlementManagement/accessPackages/{accessPackage-id}", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::delete_access_package_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignmentPolicies", false, EM_READ, false, Shape::Collection(AP_POLICY), &["accessPackage"], false, h!(entitlement::list_policies_route)),
    op(Method::POST, "/identityGovernance/entitlementManagement/assignmentPolicies", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::create_policy_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignmentPolicies/{accessPackageAssignmentPolicy-id}", false, EM_READ, false, Shape::Entity(AP_POLICY), &["accessPackage"], false, h!(entitlement::get_policy_route)),
    op(Method::DELETE, "/identityGovernance/entitlementManagement/assignmentPolicies/{accessPackageAssignmentPolicy-id}", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::delete_policy_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignments", false, EM_READ, false, Shape::Collection(AP_ASSIGNMENT), AP_ASSIGNMENT_EXPAND, false, h!(entitlement::list_assignments_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignments/{accessPackageAssignment-id}", false, EM_READ, false, Shape::Entity(AP_ASSIGNMENT), AP_ASSIGNMENT_EXPAND, false, h!(entitlement::get_assignment_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignmentRequests", false, EM_READ, false, Shape::Collection(AP_REQUEST), AP_REQUEST_EXPAND, false, h!(entitlement::list_requests_route)),
    op(Method::POST, "/identityGovernance/entitlementManagement/assignmentRequests", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::create_request_route)),
    op(Method::GET, "/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}", false, EM_READ, false, Shape::Entity(AP_REQUEST), AP_REQUEST_EXPAND, false, h!(entitlement::get_request_route)),
    // The SDKs send the namespaced segment, the docs the short one.
    op(Method::POST, "/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}/microsoft.graph.cancel", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::cancel_request_route)),
    op(Method::POST, "/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}/cancel", false, EM_WRITE, false, Shape::Action, &[], false, h!(entitlement::cancel_request_route)),
];
