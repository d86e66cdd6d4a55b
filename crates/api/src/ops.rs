//! Every Graph operation lcw serves, declared once: method, path (as the reference writes
//! it), least-privileged permission, response shape (which decides the OData options
//! accepted), expandable navigations (see [`crate::operation`]), and the handler that serves
//! it. The router, the permission check and the coverage ledger all read this table; a new
//! operation is one line here and one `*_route` function in its area's handler module.

use std::future::Future;
use std::pin::Pin;

use crate::auth::Permission;
use crate::ctx::{Ctx, Reply};
use crate::error::ApiError;
use crate::handlers::{
    actions, authentication, catalog, containers, directory, entitlement, extensions, resume, runs,
    settings, tasks, workflows,
};
pub use crate::operation::{count, delete, get, patch, post, put, Operation, Shape};

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;
pub type Handler = fn(Ctx) -> HandlerFuture;

/// An operation and the handler that serves it.
pub struct Served {
    pub op: Operation,
    pub handler: Handler,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.op.method, self.op.path)
    }
}

impl Operation {
    /// Ends a declaration with the function that serves it.
    const fn serve(self, handler: Handler) -> Served {
        Served { op: self, handler }
    }
}

macro_rules! h {
    ($f:path) => {
        |c| Box::pin($f(c))
    };
}

/// A Lifecycle Workflows permission: delegated callers also need a directory role.
const fn lifecycle(least: &'static str) -> Permission {
    Permission {
        least,
        needs_lcw_role: true,
    }
}

/// A directory (users, groups, authentication methods, entitlement) permission.
const fn directory(least: &'static str) -> Permission {
    Permission {
        least,
        needs_lcw_role: false,
    }
}

const LW_WF_READ: Permission = lifecycle("LifecycleWorkflows-Workflow.Read.All");
const LW_WF_READBASIC: Permission = lifecycle("LifecycleWorkflows-Workflow.ReadBasic.All");
const LW_WF_WRITE: Permission = lifecycle("LifecycleWorkflows-Workflow.ReadWrite.All");
const LW_WF_ACTIVATE: Permission = lifecycle("LifecycleWorkflows-Workflow.Activate");
const LW_READ: Permission = lifecycle("LifecycleWorkflows.Read.All");
const LW_WRITE: Permission = lifecycle("LifecycleWorkflows.ReadWrite.All");
const LW_REPORTS: Permission = lifecycle("LifecycleWorkflows-Reports.Read.All");
const EXT_READ: Permission = lifecycle("LifecycleWorkflows-CustomExt.Read.All");
const EXT_WRITE: Permission = lifecycle("LifecycleWorkflows-CustomExt.ReadWrite.All");
const USER_READ: Permission = directory("User.Read.All");
const USER_WRITE: Permission = directory("User.ReadWrite.All");
const GROUP_READ: Permission = directory("Group.Read.All");
const GROUP_WRITE: Permission = directory("Group.ReadWrite.All");
const GROUP_MEMBER_READ: Permission = directory("GroupMember.Read.All");
const GROUP_MEMBER_WRITE: Permission = directory("GroupMember.ReadWrite.All");
const AUTH_READ: Permission = directory("UserAuthenticationMethod.Read.All");
const AUTH_WRITE: Permission = directory("UserAuthenticationMethod.ReadWrite.All");
const EM_READ: Permission = directory("EntitlementManagement.Read.All");
const EM_WRITE: Permission = directory("EntitlementManagement.ReadWrite.All");

const WORKFLOW: &str = model::types::WORKFLOW;
const VERSION: &str = model::types::WORKFLOW_VERSION;
const TASK: &str = model::types::TASK;
const USER: &str = model::types::USER;
const GROUP: &str = model::types::GROUP;
const DIRECTORY_OBJECT: &str = model::types::DIRECTORY_OBJECT;
const RUN: &str = model::types::RUN;
const UPR: &str = model::types::USER_PROCESSING_RESULT;
const SPR: &str = model::types::SUBJECT_PROCESSING_RESULT;
const TPR: &str = model::types::TASK_PROCESSING_RESULT;
const REPORT: &str = model::types::TASK_REPORT;
const TAP: &str = "microsoft.graph.temporaryAccessPassAuthenticationMethod";
const AP: &str = "microsoft.graph.accessPackage";
const AP_POLICY: &str = "microsoft.graph.accessPackageAssignmentPolicy";
const AP_ASSIGNMENT: &str = "microsoft.graph.accessPackageAssignment";
const AP_REQUEST: &str = "microsoft.graph.accessPackageAssignmentRequest";

const WF_EXPAND: &[&str] = &[
    "tasks",
    "createdBy",
    "lastModifiedBy",
    "administrationScopeTargets",
    "versions",
];
/// One workflow also expands `previewScope` (never a list: each would evaluate its scope).
const WF_GET_EXPAND: &[&str] = &[
    "tasks",
    "createdBy",
    "lastModifiedBy",
    "administrationScopeTargets",
    "versions",
    "previewScope",
];
const VERSION_EXPAND: &[&str] = &[
    "tasks",
    "createdBy",
    "lastModifiedBy",
    "administrationScopeTargets",
];
const USER_EXPAND: &[&str] = &["manager", "memberOf"];
const GROUP_EXPAND: &[&str] = &["members"];
const UPR_EXPAND: &[&str] = &["subject"];
const TPR_EXPAND: &[&str] = &["subject", "task"];
const REPORT_EXPAND: &[&str] = &["task", "taskDefinition"];
const AP_ASSIGNMENT_EXPAND: &[&str] = &["accessPackage", "assignmentPolicy", "target"];
const AP_REQUEST_EXPAND: &[&str] = &["accessPackage", "assignment", "requestor"];

// One line an operation (rustfmt would spread each over eight).
#[rustfmt::skip]
pub static OPERATIONS: &[Served] = &[
    // ---- the containers (handlers/containers.rs) ----
    get("/identityGovernance/lifecycleWorkflows", LW_READ).entity(model::types::LIFECYCLE_WORKFLOWS_CONTAINER).serve(h!(containers::get_container_route)),
    patch("/identityGovernance/lifecycleWorkflows", LW_WRITE).entity(model::types::LIFECYCLE_WORKFLOWS_CONTAINER).serve(h!(containers::update_container_route)),
    delete("/identityGovernance/lifecycleWorkflows", LW_WRITE).entity(model::types::LIFECYCLE_WORKFLOWS_CONTAINER).serve(h!(containers::delete_container_route)),
    get("/identityGovernance/lifecycleWorkflows/deletedItems", LW_READ).entity(model::types::DELETED_ITEM_CONTAINER).serve(h!(containers::get_container_route)),
    delete("/identityGovernance/lifecycleWorkflows/deletedItems", LW_WRITE).entity(model::types::DELETED_ITEM_CONTAINER).serve(h!(containers::delete_container_route)),
    get("/identityGovernance/lifecycleWorkflows/insights", LW_REPORTS).entity(model::types::INSIGHTS).serve(h!(containers::get_container_route)),
    patch("/identityGovernance/lifecycleWorkflows/insights", LW_WRITE).entity(model::types::INSIGHTS).serve(h!(containers::update_container_route)),
    delete("/identityGovernance/lifecycleWorkflows/insights", LW_WRITE).entity(model::types::INSIGHTS).serve(h!(containers::delete_container_route)),
    // ---- workflows ----
    get("/identityGovernance/lifecycleWorkflows/workflows", LW_WF_READBASIC).collection(WORKFLOW).expand(WF_EXPAND).cacheable().serve(h!(workflows::list_workflows_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows", LW_WF_WRITE).serve(h!(workflows::create_workflow_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/$count", LW_WF_READBASIC, WORKFLOW).serve(h!(workflows::count_workflows_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", LW_WF_READBASIC).entity(WORKFLOW).expand(WF_GET_EXPAND).cacheable().mirrored().serve(h!(workflows::get_workflow_route)),
    patch("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", LW_WF_WRITE).serve(h!(workflows::update_workflow_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}", LW_WF_WRITE).serve(h!(workflows::delete_workflow_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/createdBy", LW_WF_READ).entity(USER).mirrored().serve(h!(workflows::get_workflow_created_by_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/lastModifiedBy", LW_WF_READ).entity(USER).mirrored().serve(h!(workflows::get_workflow_last_modified_by_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.createNewVersion", LW_WF_WRITE).mirrored().serve(h!(workflows::create_new_version_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.restore", LW_WF_WRITE).mirrored().serve(h!(workflows::restore_workflow_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets", LW_WF_READ).collection(DIRECTORY_OBJECT).cacheable().mirrored().serve(h!(workflows::list_administration_scope_targets_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets/{directoryObject-id}", LW_WF_READ).entity(DIRECTORY_OBJECT).cacheable().mirrored().serve(h!(workflows::get_administration_scope_target_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/administrationScopeTargets/$count", LW_WF_READ, DIRECTORY_OBJECT).mirrored().serve(h!(workflows::count_administration_scope_targets_route)),
    // ---- deleted items ----
    get("/identityGovernance/lifecycleWorkflows/deletedItems/workflows", LW_WF_READ).collection(WORKFLOW).expand(WF_EXPAND).cacheable().serve(h!(workflows::list_deleted_workflows_route)),
    count("/identityGovernance/lifecycleWorkflows/deletedItems/workflows/$count", LW_WF_READ, WORKFLOW).serve(h!(workflows::count_deleted_workflows_route)),
    delete("/identityGovernance/lifecycleWorkflows/deletedItems/workflows/{workflow-id}", LW_WF_WRITE).serve(h!(workflows::purge_workflow_route)),
    // ---- tasks ----
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks", LW_WF_READ).collection(TASK).cacheable().mirrored().serve(h!(tasks::list_tasks_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks", LW_WF_WRITE).mirrored().serve(h!(tasks::create_task_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/$count", LW_WF_READ, TASK).mirrored().serve(h!(tasks::count_tasks_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", LW_WF_READ).entity(TASK).cacheable().mirrored().serve(h!(tasks::get_task_route)),
    patch("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", LW_WF_WRITE).mirrored().serve(h!(tasks::update_task_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}", LW_WF_WRITE).mirrored().serve(h!(tasks::delete_task_route)),
    // ---- versions ----
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions", LW_WF_READ).collection(VERSION).expand(VERSION_EXPAND).cacheable().mirrored().serve(h!(tasks::list_versions_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/$count", LW_WF_READ, VERSION).mirrored().serve(h!(tasks::count_versions_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}", LW_WF_READ).entity(VERSION).expand(VERSION_EXPAND).cacheable().mirrored().serve(h!(tasks::get_version_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/createdBy", LW_WF_READ).entity(USER).mirrored().serve(h!(tasks::get_version_created_by_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/lastModifiedBy", LW_WF_READ).entity(USER).mirrored().serve(h!(tasks::get_version_last_modified_by_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks", LW_WF_READ).collection(TASK).cacheable().mirrored().serve(h!(tasks::list_version_tasks_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/$count", LW_WF_READ, TASK).mirrored().serve(h!(tasks::count_version_tasks_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", LW_WF_READ).entity(TASK).cacheable().mirrored().serve(h!(tasks::get_version_task_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks", LW_WF_WRITE).mirrored().serve(h!(tasks::write_version_task_route)),
    patch("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", LW_WF_WRITE).mirrored().serve(h!(tasks::write_version_task_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}", LW_WF_WRITE).mirrored().serve(h!(tasks::write_version_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets", LW_WF_READ).collection(DIRECTORY_OBJECT).cacheable().mirrored().serve(h!(workflows::list_administration_scope_targets_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets/{directoryObject-id}", LW_WF_READ).entity(DIRECTORY_OBJECT).cacheable().mirrored().serve(h!(workflows::get_administration_scope_target_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/administrationScopeTargets/$count", LW_WF_READ, DIRECTORY_OBJECT).mirrored().serve(h!(workflows::count_administration_scope_targets_route)),
    // ---- catalog ----
    get("/identityGovernance/lifecycleWorkflows/taskDefinitions", LW_READ).collection(model::types::TASK_DEFINITION).counted().cacheable().serve(h!(catalog::list_task_definitions_route)),
    count("/identityGovernance/lifecycleWorkflows/taskDefinitions/$count", LW_READ, model::types::TASK_DEFINITION).serve(h!(catalog::count_task_definitions_route)),
    get("/identityGovernance/lifecycleWorkflows/taskDefinitions/{taskDefinition-id}", LW_READ).entity(model::types::TASK_DEFINITION).cacheable().serve(h!(catalog::get_task_definition_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates", LW_READ).collection(model::types::WORKFLOW_TEMPLATE).expand(&["tasks"]).cacheable().serve(h!(catalog::list_workflow_templates_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/$count", LW_READ, model::types::WORKFLOW_TEMPLATE).serve(h!(catalog::count_workflow_templates_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}", LW_READ).entity(model::types::WORKFLOW_TEMPLATE).expand(&["tasks"]).cacheable().serve(h!(catalog::get_workflow_template_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks", LW_READ).collection(TASK).cacheable().serve(h!(catalog::list_template_tasks_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/$count", LW_READ, TASK).serve(h!(catalog::count_template_tasks_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}", LW_READ).entity(TASK).cacheable().serve(h!(catalog::get_template_task_route)),
    // Templates never run: their tasks have no processing results.
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults", LW_READ).collection(TPR).expand(TPR_EXPAND).cacheable().serve(h!(catalog::list_template_task_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/$count", LW_READ, TPR).serve(h!(catalog::count_template_task_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", LW_READ).entity(TPR).expand(TPR_EXPAND).cacheable().serve(h!(catalog::get_template_task_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_READ).entity(USER).cacheable().serve(h!(catalog::get_template_task_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_READ).entity(TASK).cacheable().serve(h!(catalog::get_template_task_result_route)),
    // ---- settings ----
    get("/identityGovernance/lifecycleWorkflows/settings", LW_READ).entity(model::types::SETTINGS).cacheable().serve(h!(settings::get_settings_route)),
    patch("/identityGovernance/lifecycleWorkflows/settings", LW_WRITE).serve(h!(settings::update_settings_route)),
    // ---- custom task extensions ----
    get("/identityGovernance/lifecycleWorkflows/customTaskExtensions", EXT_READ).collection(model::types::CUSTOM_TASK_EXTENSION).expand(&["createdBy", "lastModifiedBy"]).cacheable().serve(h!(extensions::list_custom_task_extensions_route)),
    post("/identityGovernance/lifecycleWorkflows/customTaskExtensions", EXT_WRITE).serve(h!(extensions::create_custom_task_extension_route)),
    count("/identityGovernance/lifecycleWorkflows/customTaskExtensions/$count", EXT_READ, model::types::CUSTOM_TASK_EXTENSION).serve(h!(extensions::count_custom_task_extensions_route)),
    get("/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", EXT_READ).entity(model::types::CUSTOM_TASK_EXTENSION).expand(&["createdBy", "lastModifiedBy"]).cacheable().serve(h!(extensions::get_custom_task_extension_route)),
    patch("/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", EXT_WRITE).serve(h!(extensions::update_custom_task_extension_route)),
    delete("/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}", EXT_WRITE).serve(h!(extensions::delete_custom_task_extension_route)),
    get("/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}/createdBy", EXT_READ).entity(USER).serve(h!(extensions::get_custom_task_extension_created_by_route)),
    get("/identityGovernance/lifecycleWorkflows/customTaskExtensions/{customTaskExtension-id}/lastModifiedBy", EXT_READ).entity(USER).serve(h!(extensions::get_custom_task_extension_last_modified_by_route)),
    // ---- directory ----
    get("/users", USER_READ).collection(USER).expand(USER_EXPAND).serve(h!(directory::list_users_route)),
    post("/users", USER_WRITE).serve(h!(directory::create_user_route)),
    count("/users/$count", USER_READ, USER).serve(h!(directory::count_users_route)),
    get("/users/{user-id}", USER_READ).entity(USER).expand(USER_EXPAND).serve(h!(directory::get_user_route)),
    patch("/users/{user-id}", USER_WRITE).serve(h!(directory::update_user_route)),
    delete("/users/{user-id}", USER_WRITE).serve(h!(directory::delete_user_route)),
    get("/users/{user-id}/manager", USER_READ).entity(USER).serve(h!(directory::get_manager_route)),
    put("/users/{user-id}/manager/$ref", USER_WRITE).serve(h!(directory::set_manager_route)),
    delete("/users/{user-id}/manager/$ref", USER_WRITE).serve(h!(directory::remove_manager_route)),
    get("/users/{user-id}/directReports", USER_READ).collection(USER).serve(h!(directory::list_direct_reports_route)),
    get("/users/{user-id}/memberOf", USER_READ).collection(GROUP).serve(h!(directory::list_member_of_route)),
    get("/groups", GROUP_READ).collection(GROUP).expand(GROUP_EXPAND).serve(h!(directory::list_groups_route)),
    post("/groups", GROUP_WRITE).serve(h!(directory::create_group_route)),
    count("/groups/$count", GROUP_READ, GROUP).serve(h!(directory::count_groups_route)),
    get("/groups/{group-id}", GROUP_READ).entity(GROUP).expand(GROUP_EXPAND).serve(h!(directory::get_group_route)),
    patch("/groups/{group-id}", GROUP_WRITE).serve(h!(directory::update_group_route)),
    delete("/groups/{group-id}", GROUP_WRITE).serve(h!(directory::delete_group_route)),
    get("/groups/{group-id}/members", GROUP_MEMBER_READ).collection(USER).serve(h!(directory::list_members_route)),
    count("/groups/{group-id}/members/$count", GROUP_MEMBER_READ, USER).serve(h!(directory::count_members_route)),
    post("/groups/{group-id}/members/$ref", GROUP_MEMBER_WRITE).serve(h!(directory::add_member_route)),
    delete("/groups/{group-id}/members/{directoryObject-id}/$ref", GROUP_MEMBER_WRITE).serve(h!(directory::remove_member_route)),
    // ---- run history (handlers/runs.rs) ----
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs", LW_REPORTS).collection(RUN).counted().mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/{run-id1}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/reprocessedRuns/{run-id1}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults", LW_REPORTS).collection(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/$count", LW_REPORTS, UPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}", LW_REPORTS).entity(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id1}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id1}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults", LW_REPORTS).collection(SPR).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/$count", LW_REPORTS, SPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}", LW_REPORTS).entity(SPR).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id1}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id1}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults", LW_REPORTS).collection(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/$count", LW_REPORTS, UPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}", LW_REPORTS).entity(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/reprocessedRuns/{run-id}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults", LW_REPORTS).collection(SPR).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/$count", LW_REPORTS, SPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}", LW_REPORTS).entity(SPR).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/reprocessedRuns/{run-id}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports", LW_REPORTS).collection(REPORT).counted().expand(REPORT_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/$count", LW_REPORTS, REPORT).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/microsoft.graph.identityGovernance.summary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).mirrored().serve(h!(runs::summary_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}", LW_REPORTS).entity(REPORT).expand(REPORT_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskDefinition", LW_REPORTS).entity(model::types::TASK_DEFINITION).mirrored().serve(h!(runs::get_report_definition_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults", LW_REPORTS).collection(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/$count", LW_REPORTS, TPR).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}", LW_REPORTS).entity(TPR).expand(TPR_EXPAND).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/subject", LW_REPORTS).entity(USER).mirrored().serve(h!(runs::get_subject_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/task", LW_REPORTS).entity(TASK).mirrored().serve(h!(runs::get_result_task_route)),
    // ---- execution scope and preview scope (handlers/runs.rs) ----
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope", LW_WF_READ).collection(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::list_execution_scope_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/$count", LW_WF_READ, UPR).mirrored().serve(h!(runs::count_execution_scope_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}", LW_WF_READ).entity(UPR).expand(UPR_EXPAND).mirrored().serve(h!(runs::get_execution_scope_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns", LW_REPORTS).collection(RUN).mirrored().serve(h!(runs::list_results_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/$count", LW_REPORTS, RUN).mirrored().serve(h!(runs::count_results_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}", LW_REPORTS).entity(RUN).mirrored().serve(h!(runs::get_result_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/$ref", LW_REPORTS).mirrored().serve(h!(runs::list_reprocessed_refs_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    delete("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/executionScope/{userProcessingResult-id}/reprocessedRuns/{run-id}/reprocessedRuns/{run-id1}/$ref", LW_WF_WRITE).mirrored().serve(h!(runs::delete_reprocessed_ref_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope", LW_WF_READ).collection(USER).mirrored().serve(h!(runs::list_preview_scope_route)),
    count("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope/$count", LW_WF_READ, USER).mirrored().serve(h!(runs::count_preview_scope_route)),
    get("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/previewScope/{directoryObject-id}", LW_WF_READ).entity(USER).mirrored().serve(h!(runs::get_preview_scope_route)),
    // ---- workflow actions (handlers/actions.rs) ----
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activate", LW_WF_ACTIVATE).mirrored().serve(h!(actions::activate_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activateWithScope", LW_WF_ACTIVATE).mirrored().serve(h!(actions::activate_with_scope_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.activateAndWait", LW_WF_ACTIVATE).mirrored().serve(h!(actions::activate_and_wait_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.previewWorkflow", LW_WF_WRITE).mirrored().serve(h!(actions::preview_workflow_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.previewTaskFailures", LW_WF_READ).mirrored().serve(h!(actions::preview_task_failures_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.cancelProcessing", LW_WF_WRITE).mirrored().serve(h!(actions::cancel_processing_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/microsoft.graph.identityGovernance.clearQuarantine", LW_WF_WRITE).mirrored().serve(h!(actions::clear_quarantine_route)),
    // ---- resume a task waiting for its custom task extension (handlers/resume.rs) ----
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/runs/{run-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/subjectProcessingResults/{subjectProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/taskReports/{taskReport-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/userProcessingResults/{userProcessingResult-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflows/{workflow-id}/versions/{workflowVersion-versionNumber}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).mirrored().serve(h!(resume::resume_route)),
    post("/identityGovernance/lifecycleWorkflows/workflowTemplates/{workflowTemplate-id}/tasks/{task-id}/taskProcessingResults/{taskProcessingResult-id}/microsoft.graph.identityGovernance.resume", LW_WRITE).serve(h!(resume::resume_template_route)),
    // ---- insights (handlers/actions.rs) ----
    get("/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.workflowsProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).serve(h!(actions::workflows_processed_summary_route)),
    get("/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.workflowsProcessedByCategory(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).serve(h!(actions::workflows_processed_by_category_route)),
    get("/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.topWorkflowsProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).collection(model::types::TOP_WORKFLOWS_SUMMARY).serve(h!(actions::top_workflows_processed_summary_route)),
    get("/identityGovernance/lifecycleWorkflows/insights/microsoft.graph.identityGovernance.topTasksProcessedSummary(startDateTime={startDateTime},endDateTime={endDateTime})", LW_REPORTS).collection(model::types::TOP_TASKS_SUMMARY).serve(h!(actions::top_tasks_processed_summary_route)),
    // ---- authentication methods: Temporary Access Pass (handlers/authentication.rs) ----
    get("/users/{user-id}/authentication/temporaryAccessPassMethods", AUTH_READ).collection(TAP).serve(h!(authentication::list_taps_route)),
    post("/users/{user-id}/authentication/temporaryAccessPassMethods", AUTH_WRITE).serve(h!(authentication::create_tap_route)),
    get("/users/{user-id}/authentication/temporaryAccessPassMethods/{temporaryAccessPassAuthenticationMethod-id}", AUTH_READ).entity(TAP).serve(h!(authentication::get_tap_route)),
    delete("/users/{user-id}/authentication/temporaryAccessPassMethods/{temporaryAccessPassAuthenticationMethod-id}", AUTH_WRITE).serve(h!(authentication::delete_tap_route)),
    // ---- entitlement management (handlers/entitlement.rs) ----
    get("/identityGovernance/entitlementManagement/accessPackages", EM_READ).collection(AP).expand(&["assignmentPolicies"]).serve(h!(entitlement::list_access_packages_route)),
    post("/identityGovernance/entitlementManagement/accessPackages", EM_WRITE).serve(h!(entitlement::create_access_package_route)),
    get("/identityGovernance/entitlementManagement/accessPackages/{accessPackage-id}", EM_READ).entity(AP).expand(&["assignmentPolicies"]).serve(h!(entitlement::get_access_package_route)),
    delete("/identityGovernance/entitlementManagement/accessPackages/{accessPackage-id}", EM_WRITE).serve(h!(entitlement::delete_access_package_route)),
    get("/identityGovernance/entitlementManagement/assignmentPolicies", EM_READ).collection(AP_POLICY).expand(&["accessPackage"]).serve(h!(entitlement::list_policies_route)),
    post("/identityGovernance/entitlementManagement/assignmentPolicies", EM_WRITE).serve(h!(entitlement::create_policy_route)),
    get("/identityGovernance/entitlementManagement/assignmentPolicies/{accessPackageAssignmentPolicy-id}", EM_READ).entity(AP_POLICY).expand(&["accessPackage"]).serve(h!(entitlement::get_policy_route)),
    delete("/identityGovernance/entitlementManagement/assignmentPolicies/{accessPackageAssignmentPolicy-id}", EM_WRITE).serve(h!(entitlement::delete_policy_route)),
    get("/identityGovernance/entitlementManagement/assignments", EM_READ).collection(AP_ASSIGNMENT).expand(AP_ASSIGNMENT_EXPAND).serve(h!(entitlement::list_assignments_route)),
    get("/identityGovernance/entitlementManagement/assignments/{accessPackageAssignment-id}", EM_READ).entity(AP_ASSIGNMENT).expand(AP_ASSIGNMENT_EXPAND).serve(h!(entitlement::get_assignment_route)),
    get("/identityGovernance/entitlementManagement/assignmentRequests", EM_READ).collection(AP_REQUEST).expand(AP_REQUEST_EXPAND).serve(h!(entitlement::list_requests_route)),
    post("/identityGovernance/entitlementManagement/assignmentRequests", EM_WRITE).serve(h!(entitlement::create_request_route)),
    get("/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}", EM_READ).entity(AP_REQUEST).expand(AP_REQUEST_EXPAND).serve(h!(entitlement::get_request_route)),
    // The SDKs send the namespaced segment, the docs the short one.
    post("/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}/microsoft.graph.cancel", EM_WRITE).serve(h!(entitlement::cancel_request_route)),
    post("/identityGovernance/entitlementManagement/assignmentRequests/{accessPackageAssignmentRequest-id}/cancel", EM_WRITE).serve(h!(entitlement::cancel_request_route)),
];
