//! The type and enum tables (restated from the Graph beta metadata in `shared/reference`).
//!
//! Each type, property and enum member exists in both served versions unless marked
//! beta-only: the mark goes on what neither the v1.0 metadata
//! (`shared/reference/csdl/v1.0-identityGovernance.xml`) nor the newest official v1.0 SDK
//! (`msgraph-sdk`, which is ahead of that metadata) models.

use crate::descriptor::{coll, p, ro, ro_coll, wo, EnumDef, Property, Ty::*, TypeDef};
use crate::version::Versions;

macro_rules! ty {
    ($name:expr, base = $base:expr, abstract = $abs:expr, [$($prop:expr),* $(,)?]) => {
        TypeDef { name: $name, base: $base, is_abstract: $abs, properties: &[$($prop),*], versions: Versions::ALL }
    };
    // A type only `/beta` knows: neither the v1.0 metadata nor the newest v1.0 SDK has it.
    (beta_only $name:expr, base = $base:expr, abstract = $abs:expr, [$($prop:expr),* $(,)?]) => {
        TypeDef { name: $name, base: $base, is_abstract: $abs, properties: &[$($prop),*], versions: Versions::BETA_ONLY }
    };
}

pub const IG: &str = "microsoft.graph.identityGovernance.";

pub const WORKFLOW: &str = "microsoft.graph.identityGovernance.workflow";
pub const WORKFLOW_VERSION: &str = "microsoft.graph.identityGovernance.workflowVersion";
pub const TASK: &str = "microsoft.graph.identityGovernance.task";
pub const TASK_DEFINITION: &str = "microsoft.graph.identityGovernance.taskDefinition";
pub const WORKFLOW_TEMPLATE: &str = "microsoft.graph.identityGovernance.workflowTemplate";
pub const CUSTOM_TASK_EXTENSION: &str = "microsoft.graph.identityGovernance.customTaskExtension";
pub const SETTINGS: &str = "microsoft.graph.identityGovernance.lifecycleManagementSettings";
pub const USER: &str = "microsoft.graph.user";
pub const GROUP: &str = "microsoft.graph.group";
pub const DIRECTORY_OBJECT: &str = "microsoft.graph.directoryObject";
pub const LIFECYCLE_WORKFLOWS_CONTAINER: &str =
    "microsoft.graph.identityGovernance.lifecycleWorkflowsContainer";
pub const DELETED_ITEM_CONTAINER: &str = "microsoft.graph.deletedItemContainer";
pub const INSIGHTS: &str = "microsoft.graph.identityGovernance.insights";

const ENTITY_ID: Property = ro("id", Str);

pub static TYPES: &[TypeDef] = &[
    // ---- containers: navigations only, none of which a PATCH may carry ----
    ty!(LIFECYCLE_WORKFLOWS_CONTAINER, base = None, abstract = false, []),
    ty!(DELETED_ITEM_CONTAINER, base = None, abstract = false, []),
    ty!(INSIGHTS, base = None, abstract = false, []),
    // ---- workflow definitions ----
    ty!("microsoft.graph.identityGovernance.workflowBase", base = None, abstract = true, [
        ro_coll("administrationScopeTargets", Complex(DIRECTORY_OBJECT)),
        p("category", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")),
        ro("createdBy", Complex(USER)),
        ro("createdDateTime", DateTime),
        p("description", Str),
        p("displayName", Str),
        p("executionConditions", Complex("microsoft.graph.identityGovernance.workflowExecutionConditions")),
        p("isEnabled", Bool),
        p("isSchedulingEnabled", Bool),
        ro("lastModifiedBy", Complex(USER)),
        ro("lastModifiedDateTime", DateTime),
        p("targetSubjectType", Flags("microsoft.graph.identityGovernance.subjectType")),
        coll("tasks", Complex(TASK)),
    ]),
    ty!(WORKFLOW, base = Some("microsoft.graph.identityGovernance.workflowBase"), abstract = false, [
        p("id", Str),
        ro("deletedDateTime", DateTime),
        ro_coll("executionScope", Complex("microsoft.graph.identityGovernance.userProcessingResult")),
        ro("nextScheduleRunDateTime", DateTime),
        ro_coll("previewScope", Complex(DIRECTORY_OBJECT)),
        ro("quarantineDetails", Complex("microsoft.graph.identityGovernance.quarantineDetails")),
        ro_coll("runs", Any),
        p("settings", Complex("microsoft.graph.identityGovernance.workflowSetting")),
        ro_coll("subjectProcessingResults", Any),
        ro_coll("taskReports", Any),
        ro_coll("userProcessingResults", Any),
        ro("version", Int),
        ro_coll("versions", Any),
    ]),
    ty!(WORKFLOW_VERSION, base = Some("microsoft.graph.identityGovernance.workflowBase"), abstract = false, [
        p("settings", Complex("microsoft.graph.identityGovernance.workflowSetting")),
        ro("versionNumber", Int),
    ]),
    ty!(TASK, base = None, abstract = false, [
        ENTITY_ID,
        coll("arguments", Complex("microsoft.graph.keyValuePair")),
        ro("category", Flags("microsoft.graph.identityGovernance.lifecycleTaskCategory")),
        p("continueOnError", Bool),
        p("description", Str),
        p("displayName", Str),
        ro("executionSequence", Int),
        p("isEnabled", Bool),
        p("taskDefinitionId", Str),
        ro_coll("taskProcessingResults", Any),
    ]),
    ty!("microsoft.graph.keyValuePair", base = None, abstract = false, [
        p("name", Str),
        p("value", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowSetting", base = None, abstract = false, [
        p("quarantineConfiguration", Complex("microsoft.graph.identityGovernance.quarantineConfiguration")),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineConfiguration", base = None, abstract = false, [
        coll("conditions", Complex("microsoft.graph.identityGovernance.quarantineCondition")),
        p("matchMode", Enum("microsoft.graph.identityGovernance.matchMode")),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineCondition", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.countBasedQuarantineCondition", base = Some("microsoft.graph.identityGovernance.quarantineCondition"), abstract = false, [
        p("threshold", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.percentageBasedQuarantineCondition", base = Some("microsoft.graph.identityGovernance.quarantineCondition"), abstract = false, [
        p("percentage", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineDetails", base = None, abstract = false, [
        p("quarantineReason", Str),
        p("quarantineType", Enum("microsoft.graph.identityGovernance.quarantineType")),
        p("quarantinedDateTime", DateTime),
    ]),
    // ---- execution conditions ----
    ty!("microsoft.graph.identityGovernance.workflowExecutionConditions", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.triggerAndScopeBasedConditions", base = Some("microsoft.graph.identityGovernance.workflowExecutionConditions"), abstract = false, [
        p("scope", Complex("microsoft.graph.subjectSet")),
        p("trigger", Complex("microsoft.graph.identityGovernance.workflowExecutionTrigger")),
    ]),
    ty!("microsoft.graph.identityGovernance.onDemandExecutionOnly", base = Some("microsoft.graph.identityGovernance.workflowExecutionConditions"), abstract = false, []),
    ty!("microsoft.graph.identityGovernance.provisioningAttributeMapping", base = Some("microsoft.graph.identityGovernance.workflowExecutionConditions"), abstract = false, []),
    ty!("microsoft.graph.identityGovernance.workflowExecutionTrigger", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.timeBasedAttributeTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("offsetInDays", Int),
        p("timeBasedAttribute", Enum("microsoft.graph.identityGovernance.workflowTriggerTimeBasedAttribute")),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.timeBasedAttributeTriggerV2", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("attribute", Str),
        p("operator", Complex("microsoft.graph.identityGovernance.workflowExecutionTriggerOperator")),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.workflowExecutionTriggerOperator", base = None, abstract = true, []),
    ty!(beta_only "microsoft.graph.identityGovernance.workflowTriggerTimeBasedOperator", base = Some("microsoft.graph.identityGovernance.workflowExecutionTriggerOperator"), abstract = true, [
        p("eventTiming", Enum("microsoft.graph.identityGovernance.workflowTriggerOperatorEventTiming")),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.operatorEqualTo", base = Some("microsoft.graph.identityGovernance.workflowTriggerTimeBasedOperator"), abstract = false, [
        p("offsetInDays", Int),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.operatorLessThanEqualTo", base = Some("microsoft.graph.identityGovernance.workflowTriggerTimeBasedOperator"), abstract = false, [
        p("offsetInDays", Int),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.operatorBetween", base = Some("microsoft.graph.identityGovernance.workflowTriggerTimeBasedOperator"), abstract = false, [
        p("greaterThanOffsetInDays", Int),
        p("lessThanOffsetInDays", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.attributeChangeTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        coll("triggerAttributes", Complex("microsoft.graph.identityGovernance.triggerAttribute")),
    ]),
    ty!("microsoft.graph.identityGovernance.triggerAttribute", base = None, abstract = false, [
        p("name", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.membershipChangeTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("changeType", Enum("microsoft.graph.identityGovernance.membershipChangeType")),
    ]),
    ty!("microsoft.graph.identityGovernance.userInactivityTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("inactivityPeriodInDays", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.guestSponsorTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("minimumRequiredSponsors", Int),
    ]),
    ty!("microsoft.graph.subjectSet", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.ruleBasedSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        p("rule", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.groupBasedSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        coll("groups", Complex(GROUP)),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.selectedObjectsSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        coll("inScopeObjects", Complex(DIRECTORY_OBJECT)),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.allExcludingGroupsSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        coll("excludedGroups", Complex(GROUP)),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.allExcludingSpecificObjectsSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        coll("excludedObjects", Complex(DIRECTORY_OBJECT)),
    ]),
    ty!(beta_only "microsoft.graph.identityGovernance.allExcludingAgentBuilderPlatformsSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        p("excludedAgentBuilderPlatforms", Flags("microsoft.graph.identityGovernance.agentBuilderPlatforms")),
    ]),
    // ---- catalog ----
    ty!(TASK_DEFINITION, base = None, abstract = false, [
        ENTITY_ID,
        p("category", Flags("microsoft.graph.identityGovernance.lifecycleTaskCategory")),
        p("continueOnError", Bool),
        p("description", Str),
        p("displayName", Str),
        coll("parameters", Complex("microsoft.graph.identityGovernance.parameter")),
        p("version", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.parameter", base = None, abstract = false, [
        p("name", Str),
        p("valueType", Enum("microsoft.graph.identityGovernance.valueType")),
        coll("values", Str),
    ]),
    ty!(WORKFLOW_TEMPLATE, base = None, abstract = false, [
        ENTITY_ID,
        p("category", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")),
        p("description", Str),
        p("displayName", Str),
        p("executionConditions", Complex("microsoft.graph.identityGovernance.workflowExecutionConditions")),
        coll("tasks", Complex(TASK)),
    ]),
    // ---- settings ----
    ty!(SETTINGS, base = None, abstract = false, [
        ENTITY_ID,
        p("emailSettings", Complex("microsoft.graph.emailSettings")),
        p("quarantineConfiguration", Complex("microsoft.graph.identityGovernance.quarantineConfiguration")),
        p("workflowScheduleIntervalInHours", Int),
        // lcw extension: days a time-based trigger still picks up a date that passed (Entra: 3).
        p("lcwCatchUpDays", Int),
    ]),
    ty!("microsoft.graph.emailSettings", base = None, abstract = false, [
        p("senderDomain", Str),
        p("useCompanyBranding", Bool),
    ]),
    // ---- custom task extensions ----
    ty!("microsoft.graph.customCalloutExtension", base = None, abstract = true, [
        ENTITY_ID,
        p("authenticationConfiguration", Complex("microsoft.graph.customExtensionAuthenticationConfiguration")),
        p("clientConfiguration", Complex("microsoft.graph.customExtensionClientConfiguration")),
        p("description", Str),
        p("displayName", Str),
        p("endpointConfiguration", Complex("microsoft.graph.customExtensionEndpointConfiguration")),
    ]),
    ty!(CUSTOM_TASK_EXTENSION, base = Some("microsoft.graph.customCalloutExtension"), abstract = false, [
        p("callbackConfiguration", Complex("microsoft.graph.customExtensionCallbackConfiguration")),
        ro("createdBy", Complex(USER)),
        ro("createdDateTime", DateTime),
        ro("lastModifiedBy", Complex(USER)),
        ro("lastModifiedDateTime", DateTime),
        p("replyMode", Enum("microsoft.graph.identityGovernance.customTaskExtensionReplyMode")),
    ]),
    ty!("microsoft.graph.customExtensionAuthenticationConfiguration", base = None, abstract = true, []),
    ty!("microsoft.graph.azureAdTokenAuthentication", base = Some("microsoft.graph.customExtensionAuthenticationConfiguration"), abstract = false, [
        p("resourceId", Str),
    ]),
    ty!("microsoft.graph.azureAdPopTokenAuthentication", base = Some("microsoft.graph.customExtensionAuthenticationConfiguration"), abstract = false, []),
    ty!("microsoft.graph.customExtensionEndpointConfiguration", base = None, abstract = true, []),
    ty!("microsoft.graph.logicAppTriggerEndpointConfiguration", base = Some("microsoft.graph.customExtensionEndpointConfiguration"), abstract = false, [
        p("logicAppWorkflowName", Str),
        p("resourceGroupName", Str),
        p("subscriptionId", Str),
        p("url", Str),
    ]),
    ty!("microsoft.graph.httpRequestEndpoint", base = Some("microsoft.graph.customExtensionEndpointConfiguration"), abstract = false, [
        p("targetUrl", Str),
    ]),
    ty!("microsoft.graph.customExtensionClientConfiguration", base = None, abstract = false, [
        p("maximumRetries", Int),
        p("timeoutInMilliseconds", Int),
    ]),
    ty!("microsoft.graph.customExtensionCallbackConfiguration", base = None, abstract = true, [
        p("timeoutDuration", Duration),
    ]),
    ty!("microsoft.graph.identityGovernance.customTaskExtensionCallbackConfiguration", base = Some("microsoft.graph.customExtensionCallbackConfiguration"), abstract = false, [
        coll("authorizedApps", Complex("microsoft.graph.application")),
    ]),
    ty!("microsoft.graph.application", base = Some(DIRECTORY_OBJECT), abstract = false, [
        p("appId", Str),
        p("displayName", Str),
    ]),
    // ---- directory ----
    ty!(DIRECTORY_OBJECT, base = None, abstract = false, [
        p("id", Str),
        ro("deletedDateTime", DateTime),
    ]),
    ty!(USER, base = Some(DIRECTORY_OBJECT), abstract = false, [
        p("accountEnabled", Bool),
        // lcw lets callers set licenses directly so tests can arrange a directory in one call.
        coll("assignedLicenses", Complex("microsoft.graph.assignedLicense")),
        coll("businessPhones", Str),
        p("city", Str),
        p("companyName", Str),
        p("country", Str),
        ro("createdDateTime", DateTime),
        p("department", Str),
        p("displayName", Str),
        p("employeeHireDate", DateTime),
        p("employeeId", Str),
        p("employeeLeaveDateTime", DateTime),
        p("employeeOrgData", Complex("microsoft.graph.employeeOrgData")),
        p("employeeType", Str),
        p("givenName", Str),
        p("jobTitle", Str),
        p("mail", Str),
        p("mailNickname", Str),
        ro("manager", Complex(DIRECTORY_OBJECT)),
        ro_coll("memberOf", Complex(DIRECTORY_OBJECT)),
        p("mobilePhone", Str),
        p("officeLocation", Str),
        coll("otherMails", Str),
        wo("passwordProfile", Complex("microsoft.graph.passwordProfile")),
        p("postalCode", Str),
        p("preferredLanguage", Str),
        ro("signInSessionsValidFromDateTime", DateTime),
        p("state", Str),
        p("streetAddress", Str),
        p("surname", Str),
        p("usageLocation", Str),
        p("userPrincipalName", Str),
        p("userType", Str),
    ]),
    ty!("microsoft.graph.assignedLicense", base = None, abstract = false, [
        coll("disabledPlans", Guid),
        p("skuId", Guid),
    ]),
    ty!("microsoft.graph.employeeOrgData", base = None, abstract = false, [
        p("costCenter", Str),
        p("division", Str),
    ]),
    ty!("microsoft.graph.passwordProfile", base = None, abstract = false, [
        p("forceChangePasswordNextSignIn", Bool),
        p("forceChangePasswordNextSignInWithMfa", Bool),
        p("password", Str),
    ]),
    ty!(GROUP, base = Some(DIRECTORY_OBJECT), abstract = false, [
        ro("createdDateTime", DateTime),
        p("description", Str),
        p("displayName", Str),
        coll("groupTypes", Str),
        p("isAssignableToRole", Bool),
        p("mail", Str),
        p("mailEnabled", Bool),
        p("mailNickname", Str),
        ro_coll("members", Complex(DIRECTORY_OBJECT)),
        // `["Team"]` marks a group that is a team.
        coll("resourceProvisioningOptions", Str),
        p("securityEnabled", Bool),
        p("visibility", Str),
    ]),
    // ---- run history (appended for crates/api/src/handlers/runs.rs) ----
    ty!(RUN, base = None, abstract = false, [
        ENTITY_ID,
        ro("activatedOnScope", Complex("microsoft.graph.identityGovernance.activationScope")),
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int),
        ro("failedUsersCount", Int),
        ro("lastUpdatedDateTime", DateTime),
        ro("processingStatus", Enum(PROCESSING_STATUS)),
        ro_coll("reprocessedRuns", Complex(RUN)),
        ro("scheduledDateTime", DateTime),
        ro("startedDateTime", DateTime),
        ro_coll("subjectProcessingResults", Complex(SUBJECT_PROCESSING_RESULT)),
        ro("successfulUsersCount", Int),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)),
        ro("totalTasksCount", Int),
        ro("totalUnprocessedTasksCount", Int),
        ro("totalUsersCount", Int),
        ro_coll("userProcessingResults", Complex(USER_PROCESSING_RESULT)),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)),
    ]),
    ty!(USER_PROCESSING_RESULT, base = None, abstract = false, [
        ENTITY_ID,
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int),
        ro("processingStatus", Enum(PROCESSING_STATUS)),
        ro_coll("reprocessedRuns", Complex(RUN)),
        ro("scheduledDateTime", DateTime),
        ro("startedDateTime", DateTime),
        ro("subject", Complex(USER)),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)),
        ro("totalTasksCount", Int),
        ro("totalUnprocessedTasksCount", Int),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)),
        ro("workflowVersion", Int),
    ]),
    ty!(SUBJECT_PROCESSING_RESULT, base = None, abstract = false, [
        ENTITY_ID,
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int),
        ro("processingStatus", Enum(PROCESSING_STATUS)),
        ro_coll("reprocessedRuns", Complex(RUN)),
        ro("scheduledDateTime", DateTime),
        ro("startedDateTime", DateTime),
        ro("subject", Complex("microsoft.graph.identityGovernance.workflowSubject")),
        ro("subjectType", Flags("microsoft.graph.identityGovernance.subjectType")),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)),
        ro("totalTasksCount", Int),
        ro("totalUnprocessedTasksCount", Int),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)),
        ro("workflowVersion", Int),
    ]),
    ty!(TASK_PROCESSING_RESULT, base = None, abstract = false, [
        ENTITY_ID,
        ro("completedDateTime", DateTime),
        ro("createdDateTime", DateTime),
        ro("failureReason", Str),
        ro("processingInfo", Str),
        ro("processingStatus", Enum(PROCESSING_STATUS)),
        ro("startedDateTime", DateTime),
        ro("subject", Complex(USER)),
        ro("task", Complex(TASK)),
        ro("workflowSubject", Complex("microsoft.graph.identityGovernance.workflowSubject")),
    ]),
    ty!(TASK_REPORT, base = None, abstract = false, [
        ENTITY_ID,
        ro("completedDateTime", DateTime),
        ro("failedUsersCount", Int),
        ro("lastUpdatedDateTime", DateTime),
        ro("processingStatus", Enum(PROCESSING_STATUS)),
        ro("runId", Str),
        ro("startedDateTime", DateTime),
        ro("successfulUsersCount", Int),
        ro("task", Complex(TASK)),
        ro("taskDefinition", Complex(TASK_DEFINITION)),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)),
        ro("totalUsersCount", Int),
        ro("unprocessedUsersCount", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowSubject", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.directoryObjectWorkflowSubject", base = Some("microsoft.graph.identityGovernance.workflowSubject"), abstract = false, [
        p("directoryObject", Complex(DIRECTORY_OBJECT)),
    ]),
    ty!("microsoft.graph.identityGovernance.provisioningObjectWorkflowSubject", base = Some("microsoft.graph.identityGovernance.workflowSubject"), abstract = false, [
        coll("attributeSetEntries", Complex("microsoft.graph.identityGovernance.attributeSetEntry")),
        p("id", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.attributeSetEntry", base = None, abstract = false, [
        p("name", Str),
        p("value", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.awaitedWorkflowProcessingResult", base = None, abstract = false, [
        p("processingStatus", Enum(PROCESSING_STATUS)),
        coll("statusReasons", Str),
        p("subject", Complex("microsoft.graph.identityGovernance.workflowSubject")),
    ]),
    ty!("microsoft.graph.identityGovernance.previewFailedTask", base = None, abstract = false, [
        p("definitionId", Str),
        p("failureReason", Str),
        p("name", Str),
        p("taskId", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.activationScope", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.activateUserScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        coll("users", Complex(USER)),
    ]),
    ty!("microsoft.graph.identityGovernance.activateGroupScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        p("group", Complex(GROUP)),
    ]),
    ty!("microsoft.graph.identityGovernance.activateRunScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        p("run", Complex(RUN)),
        p("taskScope", Enum("microsoft.graph.identityGovernance.activationTaskScopeType")),
        p("userScope", Enum("microsoft.graph.identityGovernance.activationUserScopeType")),
    ]),
    ty!("microsoft.graph.identityGovernance.activateProcessingResultScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        coll("processingResults", Complex(USER_PROCESSING_RESULT)),
        p("taskScope", Enum("microsoft.graph.identityGovernance.activationTaskScopeType")),
    ]),
    ty!("microsoft.graph.identityGovernance.cancelScope", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.cancelRunsScope", base = Some("microsoft.graph.identityGovernance.cancelScope"), abstract = false, [
        coll("runs", Complex(RUN)),
    ]),
    ty!("microsoft.graph.identityGovernance.runSummary", base = None, abstract = false, [
        p("failedRuns", Int),
        p("failedTasks", Int),
        p("successfulRuns", Int),
        p("totalRuns", Int),
        p("totalTasks", Int),
        p("totalUsers", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.userSummary", base = None, abstract = false, [
        p("failedTasks", Int),
        p("failedUsers", Int),
        p("successfulUsers", Int),
        p("totalTasks", Int),
        p("totalUsers", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.subjectSummary", base = None, abstract = false, [
        p("failedSubjects", Int),
        p("failedTasks", Int),
        p("successfulSubjects", Int),
        p("totalSubjects", Int),
        p("totalTasks", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.taskReportSummary", base = None, abstract = false, [
        p("failedTasks", Int),
        p("successfulTasks", Int),
        p("totalTasks", Int),
        p("unprocessedTasks", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowsInsightsSummary", base = None, abstract = false, [
        p("failedRuns", Int),
        p("failedTasks", Int),
        p("failedUsers", Int),
        p("successfulRuns", Int),
        p("successfulTasks", Int),
        p("successfulUsers", Int),
        p("totalRuns", Int),
        p("totalTasks", Int),
        p("totalUsers", Int),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowsInsightsByCategory", base = None, abstract = false, [
        p("failedJoinerRuns", Int),
        p("failedLeaverRuns", Int),
        p("failedMoverRuns", Int),
        p("successfulJoinerRuns", Int),
        p("successfulLeaverRuns", Int),
        p("successfulMoverRuns", Int),
        p("totalJoinerRuns", Int),
        p("totalLeaverRuns", Int),
        p("totalMoverRuns", Int),
    ]),
    ty!(TOP_WORKFLOWS_SUMMARY, base = None, abstract = false, [
        p("failedRuns", Int),
        p("failedUsers", Int),
        p("successfulRuns", Int),
        p("successfulUsers", Int),
        p("totalRuns", Int),
        p("totalUsers", Int),
        p("workflowCategory", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")),
        p("workflowDisplayName", Str),
        p("workflowId", Str),
        p("workflowVersion", Int),
    ]),
    ty!(TOP_TASKS_SUMMARY, base = None, abstract = false, [
        p("failedTasks", Int),
        p("failedUsers", Int),
        p("successfulTasks", Int),
        p("successfulUsers", Int),
        p("taskDefinitionDisplayName", Str),
        p("taskDefinitionId", Str),
        p("totalTasks", Int),
        p("totalUsers", Int),
    ]),
];

// ---- run history names (appended) ----
pub const RUN: &str = "microsoft.graph.identityGovernance.run";
pub const USER_PROCESSING_RESULT: &str = "microsoft.graph.identityGovernance.userProcessingResult";
pub const SUBJECT_PROCESSING_RESULT: &str =
    "microsoft.graph.identityGovernance.subjectProcessingResult";
pub const TASK_PROCESSING_RESULT: &str = "microsoft.graph.identityGovernance.taskProcessingResult";
pub const TASK_REPORT: &str = "microsoft.graph.identityGovernance.taskReport";
pub const TOP_WORKFLOWS_SUMMARY: &str =
    "microsoft.graph.identityGovernance.topWorkflowsInsightsSummary";
pub const TOP_TASKS_SUMMARY: &str = "microsoft.graph.identityGovernance.topTasksInsightsSummary";
const PROCESSING_STATUS: &str =
    "microsoft.graph.identityGovernance.lifecycleWorkflowProcessingStatus";
const EXECUTION_TYPE: &str = "microsoft.graph.identityGovernance.workflowExecutionType";

pub static ENUMS: &[EnumDef] = &[
    EnumDef {
        name: "microsoft.graph.identityGovernance.lifecycleWorkflowCategory",
        members: &[
            "joiner",
            "leaver",
            "unknownFutureValue",
            "mover",
            "extensibility",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.lifecycleTaskCategory",
        members: &[
            "joiner",
            "leaver",
            "unknownFutureValue",
            "mover",
            "extensibility",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: true,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.lifecycleWorkflowProcessingStatus",
        members: &[
            "queued",
            "inProgress",
            "completed",
            "completedWithErrors",
            "canceled",
            "failed",
            "unknownFutureValue",
            "canceling",
            "quarantined",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.workflowExecutionType",
        members: &[
            "scheduled",
            "onDemand",
            "unknownFutureValue",
            "activatedWithScope",
            "preview",
            "extensibilityOnDemand",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.workflowTriggerTimeBasedAttribute",
        members: &[
            "employeeHireDate",
            "employeeLeaveDateTime",
            "unknownFutureValue",
            "createdDateTime",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.valueType",
        members: &["enum", "string", "int", "bool", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.membershipChangeType",
        members: &["add", "remove", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.customTaskExtensionOperationStatus",
        members: &["completed", "failed", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.customTaskExtensionReplyMode",
        members: &["none", "callback", "response", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.activationTaskScopeType",
        members: &["allTasks", "failedTasks", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.activationUserScopeType",
        members: &["allUsers", "failedUsers", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.matchMode",
        members: &["any", "all", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.quarantineType",
        members: &[
            "notQuarantined",
            "countBasedThresholdExceeded",
            "percentageBasedThresholdExceeded",
            "multipleConditionsExceeded",
            "unknownFutureValue",
        ],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.subjectType",
        members: &[
            "user",
            "agentIdentity",
            "unknownFutureValue",
            "provisioningObject",
        ],
        versions: Versions::ALL,
        beta_only_members: &["agentIdentity"],
        flags: true,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.workflowTriggerOperatorEventTiming",
        members: &["before", "after", "on", "unknownFutureValue"],
        versions: Versions::BETA_ONLY,
        beta_only_members: &[],
        flags: false,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.agentBuilderPlatforms",
        members: &["microsoftCopilotStudio", "foundry", "unknownFutureValue"],
        versions: Versions::BETA_ONLY,
        beta_only_members: &[],
        flags: true,
    },
];
