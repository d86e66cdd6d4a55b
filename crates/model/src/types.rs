//! The type and enum tables (restated from the Graph beta metadata in `shared/reference`).
//!
//! Each type, property and enum member exists in both served versions unless marked
//! beta-only: the mark goes on what neither the v1.0 metadata
//! (`shared/reference/csdl/v1.0-identityGovernance.xml`) nor the newest official v1.0 SDK
//! (`msgraph-sdk`, which is ahead of that metadata) models.

use crate::descriptor::{coll, p, ro, ro_coll, wo, EnumDef, Ty::*, TypeDef};
use crate::version::Versions;

macro_rules! ty {
    ($name:expr, base = $base:expr, abstract = $abs:expr, [$($prop:expr),* $(,)?]) => {
        TypeDef { name: $name, base: $base, is_abstract: $abs, properties: &[$($prop),*], versions: Versions::ALL, entity: false, key: None, open: false }
    };
    // A type only `/beta` knows: neither the v1.0 metadata nor the newest v1.0 SDK has it.
    (beta_only $name:expr, base = $base:expr, abstract = $abs:expr, [$($prop:expr),* $(,)?]) => {
        TypeDef { name: $name, base: $base, is_abstract: $abs, properties: &[$($prop),*], versions: Versions::BETA_ONLY, entity: false, key: None, open: false }
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

/// The base of every entity type that declares no key of its own.
pub const ENTITY: &str = "microsoft.graph.entity";
/// The type of the `/identityGovernance` singleton.
pub const IDENTITY_GOVERNANCE: &str = "microsoft.graph.identityGovernance";

pub static TYPES: &[TypeDef] = &[
    ty!(ENTITY, base = None, abstract = true, [
        ro("id", Str).not_null(),
    ]).keyed("id"),
    // ---- containers: navigations only, none of which a PATCH may carry (`refuse_navigations`) ----
    ty!(IDENTITY_GOVERNANCE, base = None, abstract = false, [
        ro("lifecycleWorkflows", Complex(LIFECYCLE_WORKFLOWS_CONTAINER)).contained(),
    ]).entity(),
    ty!(LIFECYCLE_WORKFLOWS_CONTAINER, base = Some(ENTITY), abstract = false, [
        ro_coll("customTaskExtensions", Complex(CUSTOM_TASK_EXTENSION)).contained(),
        ro("deletedItems", Complex(DELETED_ITEM_CONTAINER)).contained(),
        ro("insights", Complex(INSIGHTS)).contained(),
        ro("settings", Complex(SETTINGS)).contained().not_null(),
        ro_coll("taskDefinitions", Complex(TASK_DEFINITION)).contained(),
        ro_coll("workflows", Complex(WORKFLOW)).contained(),
        ro_coll("workflowTemplates", Complex(WORKFLOW_TEMPLATE)).contained(),
    ]).entity(),
    ty!(DELETED_ITEM_CONTAINER, base = Some(ENTITY), abstract = false, [
        ro_coll("workflows", Complex(WORKFLOW)).contained(),
    ]).entity(),
    ty!(INSIGHTS, base = Some(ENTITY), abstract = false, []).entity(),
    // ---- workflow definitions ----
    ty!("microsoft.graph.identityGovernance.workflowBase", base = None, abstract = true, [
        ro_coll("administrationScopeTargets", Complex(DIRECTORY_OBJECT)).nav(),
        p("category", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")).not_null(),
        ro("createdBy", Complex(USER)).nav(),
        ro("createdDateTime", DateTime),
        p("description", Str),
        p("displayName", Str).not_null(),
        p("executionConditions", Complex("microsoft.graph.identityGovernance.workflowExecutionConditions")),
        p("isEnabled", Bool).not_null(),
        p("isSchedulingEnabled", Bool).not_null(),
        ro("lastModifiedBy", Complex(USER)).nav(),
        ro("lastModifiedDateTime", DateTime),
        p("targetSubjectType", Flags("microsoft.graph.identityGovernance.subjectType")),
        coll("tasks", Complex(TASK)).contained(),
    ]).entity(),
    ty!(WORKFLOW, base = Some("microsoft.graph.identityGovernance.workflowBase"), abstract = false, [
        p("id", Str).not_null(),
        ro("deletedDateTime", DateTime),
        ro_coll("executionScope", Complex("microsoft.graph.identityGovernance.userProcessingResult")).nav(),
        ro("nextScheduleRunDateTime", DateTime),
        ro_coll("previewScope", Complex(DIRECTORY_OBJECT)).nav(),
        ro("quarantineDetails", Complex("microsoft.graph.identityGovernance.quarantineDetails")).not_null(),
        ro_coll("runs", Complex("microsoft.graph.identityGovernance.run")).contained(),
        p("settings", Complex("microsoft.graph.identityGovernance.workflowSetting")).not_null(),
        ro_coll("subjectProcessingResults", Complex("microsoft.graph.identityGovernance.subjectProcessingResult")).contained(),
        ro_coll("taskReports", Complex("microsoft.graph.identityGovernance.taskReport")).contained(),
        ro_coll("userProcessingResults", Complex("microsoft.graph.identityGovernance.userProcessingResult")).contained(),
        ro("version", Int),
        ro_coll("versions", Complex("microsoft.graph.identityGovernance.workflowVersion")).contained(),
    ]).keyed("id"),
    ty!(WORKFLOW_VERSION, base = Some("microsoft.graph.identityGovernance.workflowBase"), abstract = false, [
        p("settings", Complex("microsoft.graph.identityGovernance.workflowSetting")).not_null(),
        ro("versionNumber", Int).not_null(),
    ]).keyed("versionNumber"),
    ty!(TASK, base = Some(ENTITY), abstract = false, [
        coll("arguments", Complex("microsoft.graph.keyValuePair")).not_null(),
        ro("category", Flags("microsoft.graph.identityGovernance.lifecycleTaskCategory")).not_null(),
        p("continueOnError", Bool).not_null(),
        p("description", Str),
        p("displayName", Str).not_null(),
        ro("executionSequence", Int).not_null(),
        p("isEnabled", Bool).not_null(),
        p("taskDefinitionId", Str).not_null(),
        ro_coll("taskProcessingResults", Complex("microsoft.graph.identityGovernance.taskProcessingResult")).contained(),
    ]).entity(),
    ty!("microsoft.graph.keyValuePair", base = None, abstract = false, [
        p("name", Str).not_null(),
        p("value", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowSetting", base = None, abstract = false, [
        p("quarantineConfiguration", Complex("microsoft.graph.identityGovernance.quarantineConfiguration")),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineConfiguration", base = None, abstract = false, [
        coll("conditions", Complex("microsoft.graph.identityGovernance.quarantineCondition")).not_null(),
        p("matchMode", Enum("microsoft.graph.identityGovernance.matchMode")).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineCondition", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.countBasedQuarantineCondition", base = Some("microsoft.graph.identityGovernance.quarantineCondition"), abstract = false, [
        p("threshold", Int64).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.percentageBasedQuarantineCondition", base = Some("microsoft.graph.identityGovernance.quarantineCondition"), abstract = false, [
        p("percentage", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.quarantineDetails", base = None, abstract = false, [
        p("quarantineReason", Str),
        p("quarantineType", Enum("microsoft.graph.identityGovernance.quarantineType")).not_null(),
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
        p("offsetInDays", Int).not_null(),
        p("timeBasedAttribute", Enum("microsoft.graph.identityGovernance.workflowTriggerTimeBasedAttribute")).not_null(),
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
        coll("triggerAttributes", Complex("microsoft.graph.identityGovernance.triggerAttribute")).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.triggerAttribute", base = None, abstract = false, [
        p("name", Str).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.membershipChangeTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("changeType", Enum("microsoft.graph.identityGovernance.membershipChangeType")).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.userInactivityTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("inactivityPeriodInDays", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.guestSponsorTrigger", base = Some("microsoft.graph.identityGovernance.workflowExecutionTrigger"), abstract = false, [
        p("minimumRequiredSponsors", Int).not_null(),
    ]),
    ty!("microsoft.graph.subjectSet", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.ruleBasedSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        p("rule", Str).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.groupBasedSubjectSet", base = Some("microsoft.graph.subjectSet"), abstract = false, [
        coll("groups", Complex(GROUP)).nav(),
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
    ty!(TASK_DEFINITION, base = Some(ENTITY), abstract = false, [
        p("category", Flags("microsoft.graph.identityGovernance.lifecycleTaskCategory")).not_null(),
        p("continueOnError", Bool).not_null(),
        p("description", Str),
        p("displayName", Str).not_null(),
        coll("parameters", Complex("microsoft.graph.identityGovernance.parameter")).not_null(),
        p("version", Int).not_null(),
    ]).entity(),
    ty!("microsoft.graph.identityGovernance.parameter", base = None, abstract = false, [
        p("name", Str).not_null(),
        p("valueType", Enum("microsoft.graph.identityGovernance.valueType")).not_null(),
        coll("values", Str),
    ]),
    ty!(WORKFLOW_TEMPLATE, base = Some(ENTITY), abstract = false, [
        p("category", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")).not_null(),
        p("description", Str),
        p("displayName", Str).not_null(),
        p("executionConditions", Complex("microsoft.graph.identityGovernance.workflowExecutionConditions")),
        coll("tasks", Complex(TASK)).contained(),
    ]).entity(),
    // ---- settings ----
    ty!(SETTINGS, base = Some(ENTITY), abstract = false, [
        p("emailSettings", Complex("microsoft.graph.emailSettings")).not_null(),
        p("quarantineConfiguration", Complex("microsoft.graph.identityGovernance.quarantineConfiguration")),
        p("workflowScheduleIntervalInHours", Int).not_null(),
        // lcw extension: days a time-based trigger still picks up a date that passed (Entra: 3).
        p("lcwCatchUpDays", Int),
    ]).entity(),
    ty!("microsoft.graph.emailSettings", base = None, abstract = false, [
        p("senderDomain", Str).not_null(),
        p("useCompanyBranding", Bool).not_null(),
    ]),
    // ---- custom task extensions ----
    ty!("microsoft.graph.customCalloutExtension", base = Some(ENTITY), abstract = true, [
        p("authenticationConfiguration", Complex("microsoft.graph.customExtensionAuthenticationConfiguration")),
        p("clientConfiguration", Complex("microsoft.graph.customExtensionClientConfiguration")),
        p("description", Str),
        p("displayName", Str),
        p("endpointConfiguration", Complex("microsoft.graph.customExtensionEndpointConfiguration")),
    ]).entity(),
    ty!(CUSTOM_TASK_EXTENSION, base = Some("microsoft.graph.customCalloutExtension"), abstract = false, [
        p("callbackConfiguration", Complex("microsoft.graph.customExtensionCallbackConfiguration")),
        ro("createdBy", Complex(USER)).nav(),
        ro("createdDateTime", DateTime),
        ro("lastModifiedBy", Complex(USER)).nav(),
        ro("lastModifiedDateTime", DateTime),
        p("replyMode", Enum("microsoft.graph.identityGovernance.customTaskExtensionReplyMode")).not_null(),
    ]).entity(),
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
        coll("authorizedApps", Complex("microsoft.graph.application")).nav(),
    ]),
    ty!("microsoft.graph.application", base = Some(DIRECTORY_OBJECT), abstract = false, [
        p("appId", Str),
        p("displayName", Str),
    ]).entity().open(),
    // The bodies of a callout to a custom task extension and of its callback (`resume`).
    ty!("microsoft.graph.customExtensionData", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.customTaskExtensionCallbackData", base = Some("microsoft.graph.customExtensionData"), abstract = false, [
        p("operationStatus", Enum("microsoft.graph.identityGovernance.customTaskExtensionOperationStatus")),
    ]),
    ty!("microsoft.graph.identityGovernance.customTaskExtensionCalloutData", base = Some("microsoft.graph.customExtensionData"), abstract = false, [
        p("subject", Complex(USER)).nav(),
        p("task", Complex(TASK)).nav(),
        p("taskProcessingresult", Complex(TASK_PROCESSING_RESULT)).nav(),
        p("workflow", Complex(WORKFLOW)).nav(),
    ]),
    // ---- directory ----
    ty!(DIRECTORY_OBJECT, base = Some(ENTITY), abstract = false, [
        p("id", Str),
        ro("deletedDateTime", DateTime),
    ]).entity().open(),
    ty!(USER, base = Some(DIRECTORY_OBJECT), abstract = false, [
        p("accountEnabled", Bool),
        // lcw lets callers set licenses directly so tests can arrange a directory in one call.
        coll("assignedLicenses", Complex("microsoft.graph.assignedLicense")).not_null(),
        coll("businessPhones", Str).not_null(),
        p("city", Str),
        p("companyName", Str),
        p("country", Str),
        ro("createdDateTime", DateTime),
        p("department", Str),
        ro_coll("directReports", Complex(DIRECTORY_OBJECT)).nav(),
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
        ro("manager", Complex(DIRECTORY_OBJECT)).nav(),
        ro_coll("memberOf", Complex(DIRECTORY_OBJECT)).nav(),
        p("mobilePhone", Str),
        p("officeLocation", Str),
        coll("otherMails", Str).not_null(),
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
    ]).entity().open(),
    ty!("microsoft.graph.assignedLicense", base = None, abstract = false, [
        coll("disabledPlans", Guid).not_null(),
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
        coll("groupTypes", Str).not_null(),
        p("isAssignableToRole", Bool),
        p("mail", Str),
        p("mailEnabled", Bool),
        p("mailNickname", Str),
        ro_coll("members", Complex(DIRECTORY_OBJECT)).nav(),
        // `["Team"]` marks a group that is a team.
        coll("resourceProvisioningOptions", Str).not_null(),
        p("securityEnabled", Bool),
        p("visibility", Str),
    ]).entity().open(),
    // ---- run history (appended for crates/api/src/handlers/runs.rs) ----
    ty!(RUN, base = Some(ENTITY), abstract = false, [
        ro("activatedOnScope", Complex("microsoft.graph.identityGovernance.activationScope")),
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int).not_null(),
        ro("failedUsersCount", Int).not_null(),
        ro("lastUpdatedDateTime", DateTime),
        ro("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        ro_coll("reprocessedRuns", Complex(RUN)).nav(),
        ro("scheduledDateTime", DateTime).not_null(),
        ro("startedDateTime", DateTime),
        ro_coll("subjectProcessingResults", Complex(SUBJECT_PROCESSING_RESULT)).contained(),
        ro("successfulUsersCount", Int).not_null(),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)).contained(),
        ro("totalTasksCount", Int).not_null(),
        ro("totalUnprocessedTasksCount", Int).not_null(),
        ro("totalUsersCount", Int).not_null(),
        ro_coll("userProcessingResults", Complex(USER_PROCESSING_RESULT)).contained(),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)).not_null(),
    ]).entity(),
    ty!(USER_PROCESSING_RESULT, base = Some(ENTITY), abstract = false, [
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int).not_null(),
        ro("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        ro_coll("reprocessedRuns", Complex(RUN)).nav(),
        ro("scheduledDateTime", DateTime).not_null(),
        ro("startedDateTime", DateTime),
        ro("subject", Complex(USER)).nav().not_null(),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)).contained(),
        ro("totalTasksCount", Int).not_null(),
        ro("totalUnprocessedTasksCount", Int).not_null(),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)).not_null(),
        ro("workflowVersion", Int).not_null(),
    ]).entity(),
    ty!(SUBJECT_PROCESSING_RESULT, base = Some(ENTITY), abstract = false, [
        ro("completedDateTime", DateTime),
        ro("failedTasksCount", Int).not_null(),
        ro("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        ro_coll("reprocessedRuns", Complex(RUN)).nav(),
        ro("scheduledDateTime", DateTime).not_null(),
        ro("startedDateTime", DateTime),
        ro("subject", Complex("microsoft.graph.identityGovernance.workflowSubject")).not_null(),
        ro("subjectType", Flags("microsoft.graph.identityGovernance.subjectType")),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)).contained(),
        ro("totalTasksCount", Int).not_null(),
        ro("totalUnprocessedTasksCount", Int).not_null(),
        ro("workflowExecutionType", Enum(EXECUTION_TYPE)).not_null(),
        ro("workflowVersion", Int).not_null(),
    ]).entity(),
    ty!(TASK_PROCESSING_RESULT, base = Some(ENTITY), abstract = false, [
        ro("completedDateTime", DateTime),
        ro("createdDateTime", DateTime).not_null(),
        ro("failureReason", Str),
        ro("processingInfo", Str),
        ro("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        ro("startedDateTime", DateTime),
        ro("subject", Complex(USER)).nav().not_null(),
        ro("task", Complex(TASK)).nav().not_null(),
        ro("workflowSubject", Complex("microsoft.graph.identityGovernance.workflowSubject")),
    ]).entity(),
    ty!(TASK_REPORT, base = Some(ENTITY), abstract = false, [
        ro("completedDateTime", DateTime),
        ro("failedUsersCount", Int).not_null(),
        ro("lastUpdatedDateTime", DateTime).not_null(),
        ro("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        ro("runId", Str),
        ro("startedDateTime", DateTime),
        ro("successfulUsersCount", Int).not_null(),
        ro("task", Complex(TASK)).nav().not_null(),
        ro("taskDefinition", Complex(TASK_DEFINITION)).nav().not_null(),
        ro_coll("taskProcessingResults", Complex(TASK_PROCESSING_RESULT)).contained(),
        ro("totalUsersCount", Int).not_null(),
        ro("unprocessedUsersCount", Int).not_null(),
    ]).entity(),
    ty!("microsoft.graph.identityGovernance.workflowSubject", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.directoryObjectWorkflowSubject", base = Some("microsoft.graph.identityGovernance.workflowSubject"), abstract = false, [
        p("directoryObject", Complex(DIRECTORY_OBJECT)).nav(),
    ]),
    ty!("microsoft.graph.identityGovernance.provisioningObjectWorkflowSubject", base = Some("microsoft.graph.identityGovernance.workflowSubject"), abstract = false, [
        coll("attributeSetEntries", Complex("microsoft.graph.identityGovernance.attributeSetEntry")).not_null(),
        p("id", Str).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.attributeSetEntry", base = None, abstract = false, [
        p("name", Str).not_null(),
        p("value", Str),
    ]),
    ty!("microsoft.graph.identityGovernance.awaitedWorkflowProcessingResult", base = None, abstract = false, [
        p("processingStatus", Enum(PROCESSING_STATUS)).not_null(),
        coll("statusReasons", Str).not_null(),
        p("subject", Complex("microsoft.graph.identityGovernance.workflowSubject")),
    ]),
    ty!("microsoft.graph.identityGovernance.previewFailedTask", base = None, abstract = false, [
        p("definitionId", Str).not_null(),
        p("failureReason", Str).not_null(),
        p("name", Str).not_null(),
        p("taskId", Str).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.activationScope", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.activateUserScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        coll("users", Complex(USER)).nav(),
    ]),
    ty!("microsoft.graph.identityGovernance.activateGroupScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        p("group", Complex(GROUP)).nav().not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.activateRunScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        p("run", Complex(RUN)).nav().not_null(),
        p("taskScope", Enum("microsoft.graph.identityGovernance.activationTaskScopeType")).not_null(),
        p("userScope", Enum("microsoft.graph.identityGovernance.activationUserScopeType")).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.activateProcessingResultScope", base = Some("microsoft.graph.identityGovernance.activationScope"), abstract = false, [
        coll("processingResults", Complex(USER_PROCESSING_RESULT)).nav(),
        p("taskScope", Enum("microsoft.graph.identityGovernance.activationTaskScopeType")).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.cancelScope", base = None, abstract = true, []),
    ty!("microsoft.graph.identityGovernance.cancelRunsScope", base = Some("microsoft.graph.identityGovernance.cancelScope"), abstract = false, [
        coll("runs", Complex(RUN)).nav(),
    ]),
    ty!("microsoft.graph.identityGovernance.runSummary", base = None, abstract = false, [
        p("failedRuns", Int).not_null(),
        p("failedTasks", Int).not_null(),
        p("successfulRuns", Int).not_null(),
        p("totalRuns", Int).not_null(),
        p("totalTasks", Int).not_null(),
        p("totalUsers", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.userSummary", base = None, abstract = false, [
        p("failedTasks", Int).not_null(),
        p("failedUsers", Int).not_null(),
        p("successfulUsers", Int).not_null(),
        p("totalTasks", Int).not_null(),
        p("totalUsers", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.subjectSummary", base = None, abstract = false, [
        p("failedSubjects", Int).not_null(),
        p("failedTasks", Int).not_null(),
        p("successfulSubjects", Int).not_null(),
        p("totalSubjects", Int).not_null(),
        p("totalTasks", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.taskReportSummary", base = None, abstract = false, [
        p("failedTasks", Int).not_null(),
        p("successfulTasks", Int).not_null(),
        p("totalTasks", Int).not_null(),
        p("unprocessedTasks", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowsInsightsSummary", base = None, abstract = false, [
        p("failedRuns", Int).not_null(),
        p("failedTasks", Int).not_null(),
        p("failedUsers", Int).not_null(),
        p("successfulRuns", Int).not_null(),
        p("successfulTasks", Int).not_null(),
        p("successfulUsers", Int).not_null(),
        p("totalRuns", Int).not_null(),
        p("totalTasks", Int).not_null(),
        p("totalUsers", Int).not_null(),
    ]),
    ty!("microsoft.graph.identityGovernance.workflowsInsightsByCategory", base = None, abstract = false, [
        p("failedJoinerRuns", Int).not_null(),
        p("failedLeaverRuns", Int).not_null(),
        p("failedMoverRuns", Int).not_null(),
        p("successfulJoinerRuns", Int).not_null(),
        p("successfulLeaverRuns", Int).not_null(),
        p("successfulMoverRuns", Int).not_null(),
        p("totalJoinerRuns", Int).not_null(),
        p("totalLeaverRuns", Int).not_null(),
        p("totalMoverRuns", Int).not_null(),
    ]),
    ty!(TOP_WORKFLOWS_SUMMARY, base = None, abstract = false, [
        p("failedRuns", Int).not_null(),
        p("failedUsers", Int).not_null(),
        p("successfulRuns", Int).not_null(),
        p("successfulUsers", Int).not_null(),
        p("totalRuns", Int).not_null(),
        p("totalUsers", Int).not_null(),
        p("workflowCategory", Enum("microsoft.graph.identityGovernance.lifecycleWorkflowCategory")).not_null(),
        p("workflowDisplayName", Str).not_null(),
        p("workflowId", Str).not_null(),
        p("workflowVersion", Int).not_null(),
    ]),
    ty!(TOP_TASKS_SUMMARY, base = None, abstract = false, [
        p("failedTasks", Int).not_null(),
        p("failedUsers", Int).not_null(),
        p("successfulTasks", Int).not_null(),
        p("successfulUsers", Int).not_null(),
        p("taskDefinitionDisplayName", Str).not_null(),
        p("taskDefinitionId", Str).not_null(),
        p("totalTasks", Int).not_null(),
        p("totalUsers", Int).not_null(),
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
        first_value: 0,
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
        first_value: 1,
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
        first_value: 0,
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
        first_value: 0,
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
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.valueType",
        members: &["enum", "string", "int", "bool", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.membershipChangeType",
        members: &["add", "remove", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 1,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.customTaskExtensionOperationStatus",
        members: &["completed", "failed", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.customTaskExtensionReplyMode",
        members: &["none", "callback", "response", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.activationTaskScopeType",
        members: &["allTasks", "failedTasks", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.activationUserScopeType",
        members: &["allUsers", "failedUsers", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.matchMode",
        members: &["any", "all", "unknownFutureValue"],
        versions: Versions::ALL,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
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
        first_value: 0,
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
        first_value: 1,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.workflowTriggerOperatorEventTiming",
        members: &["before", "after", "on", "unknownFutureValue"],
        versions: Versions::BETA_ONLY,
        beta_only_members: &[],
        flags: false,
        first_value: 0,
    },
    EnumDef {
        name: "microsoft.graph.identityGovernance.agentBuilderPlatforms",
        members: &["microsoftCopilotStudio", "foundry", "unknownFutureValue"],
        versions: Versions::BETA_ONLY,
        beta_only_members: &[],
        flags: true,
        first_value: 1,
    },
];
