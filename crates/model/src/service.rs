//! What the type tables do not say about the service: its bound actions and functions (with
//! parameters and return types) and its entry points (the entity sets and singletons paths
//! start from). `$metadata` and the service document are generated from these and the type
//! tables (`csdl.rs`).

use crate::descriptor::Ty::{self, Complex, DateTime, Str};
use crate::types::{
    DIRECTORY_OBJECT, GROUP, IDENTITY_GOVERNANCE, INSIGHTS, RUN, SUBJECT_PROCESSING_RESULT,
    TASK_PROCESSING_RESULT, TASK_REPORT, TOP_TASKS_SUMMARY, TOP_WORKFLOWS_SUMMARY, USER,
    USER_PROCESSING_RESULT, WORKFLOW,
};
use crate::version::Versions;

/// A parameter of an action or function (after the binding parameter).
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: Ty,
    pub collection: bool,
    pub nullable: bool,
    /// `Unicode="false"`: the string is ASCII (`resume`'s `source` and `type`).
    pub unicode: bool,
}

const fn arg(name: &'static str, ty: Ty) -> Param {
    Param {
        name,
        ty,
        collection: false,
        nullable: true,
        unicode: true,
    }
}

impl Param {
    const fn many(mut self) -> Self {
        self.collection = true;
        self
    }

    const fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }

    const fn ascii(mut self) -> Self {
        self.unicode = false;
        self
    }
}

/// A bound action (`POST .../microsoft.graph.identityGovernance.activate`) or function
/// (`GET .../microsoft.graph.identityGovernance.summary(...)`).
#[derive(Debug)]
pub struct BoundOperation {
    /// Full name: namespace and name (`microsoft.graph.identityGovernance.activate`).
    pub name: &'static str,
    pub function: bool,
    /// The type it is bound to, and whether to a collection of it.
    pub binding: &'static str,
    pub binding_collection: bool,
    /// `EntitySetPath="bindingParameter"`: what it returns lives where it was called.
    pub entity_set_path: bool,
    pub params: &'static [Param],
    /// The return type, and whether a collection of it.
    pub returns: Option<(Ty, bool)>,
    pub versions: Versions,
}

const fn action(
    name: &'static str,
    binding: &'static str,
    params: &'static [Param],
) -> BoundOperation {
    BoundOperation {
        name,
        function: false,
        binding,
        binding_collection: false,
        entity_set_path: false,
        params,
        returns: None,
        versions: Versions::ALL,
    }
}

const fn function(
    name: &'static str,
    binding: &'static str,
    params: &'static [Param],
) -> BoundOperation {
    let mut op = action(name, binding, params);
    op.function = true;
    op
}

impl BoundOperation {
    const fn on_collection(mut self) -> Self {
        self.binding_collection = true;
        self
    }

    const fn returns(mut self, ty: &'static str) -> Self {
        self.returns = Some((Complex(ty), false));
        self
    }

    const fn returns_many(mut self, ty: &'static str) -> Self {
        self.returns = Some((Complex(ty), true));
        self
    }

    const fn in_place(mut self) -> Self {
        self.entity_set_path = true;
        self
    }

    /// The short name, as the last segment of its path reads without namespace.
    pub fn short_name(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }
}

const PERIOD: &[Param] = &[
    arg("startDateTime", DateTime).not_null(),
    arg("endDateTime", DateTime).not_null(),
];

/// Every action and function lcw serves, as the Graph metadata declares it.
pub static BOUND_OPERATIONS: &[BoundOperation] = &[
    action(
        "microsoft.graph.identityGovernance.activate",
        WORKFLOW,
        &[arg("subjects", Complex(USER)).many()],
    ),
    action(
        "microsoft.graph.identityGovernance.activateAndWait",
        WORKFLOW,
        &[arg(
            "subject",
            Complex("microsoft.graph.identityGovernance.workflowSubject"),
        )
        .not_null()],
    )
    .returns("microsoft.graph.identityGovernance.awaitedWorkflowProcessingResult"),
    action(
        "microsoft.graph.identityGovernance.activateWithScope",
        WORKFLOW,
        &[arg(
            "scope",
            Complex("microsoft.graph.identityGovernance.activationScope"),
        )],
    ),
    action(
        "microsoft.graph.identityGovernance.cancelProcessing",
        WORKFLOW,
        &[arg(
            "scope",
            Complex("microsoft.graph.identityGovernance.cancelScope"),
        )],
    ),
    action(
        "microsoft.graph.identityGovernance.clearQuarantine",
        WORKFLOW,
        &[],
    )
    .returns(WORKFLOW)
    .in_place(),
    action(
        "microsoft.graph.identityGovernance.createNewVersion",
        WORKFLOW,
        &[arg("workflow", Complex(WORKFLOW))],
    )
    .returns(WORKFLOW)
    .in_place(),
    action(
        "microsoft.graph.identityGovernance.previewTaskFailures",
        WORKFLOW,
        &[],
    )
    .returns_many("microsoft.graph.identityGovernance.previewFailedTask"),
    action(
        "microsoft.graph.identityGovernance.previewWorkflow",
        WORKFLOW,
        &[arg("subjects", Complex(DIRECTORY_OBJECT)).many()],
    ),
    action("microsoft.graph.identityGovernance.restore", WORKFLOW, &[])
        .returns(WORKFLOW)
        .in_place(),
    action(
        "microsoft.graph.identityGovernance.resume",
        TASK_PROCESSING_RESULT,
        &[
            arg("source", Str).ascii(),
            arg("type", Str).ascii(),
            arg(
                "data",
                Complex("microsoft.graph.identityGovernance.customTaskExtensionCallbackData"),
            )
            .not_null(),
        ],
    )
    .in_place(),
    function("microsoft.graph.identityGovernance.summary", RUN, PERIOD)
        .on_collection()
        .returns("microsoft.graph.identityGovernance.runSummary"),
    function(
        "microsoft.graph.identityGovernance.summary",
        TASK_REPORT,
        PERIOD,
    )
    .on_collection()
    .returns("microsoft.graph.identityGovernance.taskReportSummary"),
    function(
        "microsoft.graph.identityGovernance.summary",
        USER_PROCESSING_RESULT,
        PERIOD,
    )
    .on_collection()
    .returns("microsoft.graph.identityGovernance.userSummary"),
    function(
        "microsoft.graph.identityGovernance.summary",
        SUBJECT_PROCESSING_RESULT,
        PERIOD,
    )
    .on_collection()
    .returns("microsoft.graph.identityGovernance.subjectSummary"),
    function(
        "microsoft.graph.identityGovernance.topTasksProcessedSummary",
        INSIGHTS,
        PERIOD,
    )
    .returns_many(TOP_TASKS_SUMMARY),
    function(
        "microsoft.graph.identityGovernance.topWorkflowsProcessedSummary",
        INSIGHTS,
        PERIOD,
    )
    .returns_many(TOP_WORKFLOWS_SUMMARY),
    function(
        "microsoft.graph.identityGovernance.workflowsProcessedByCategory",
        INSIGHTS,
        PERIOD,
    )
    .returns("microsoft.graph.identityGovernance.workflowsInsightsByCategory"),
    function(
        "microsoft.graph.identityGovernance.workflowsProcessedSummary",
        INSIGHTS,
        PERIOD,
    )
    .returns("microsoft.graph.identityGovernance.workflowsInsightsSummary"),
];

/// An entity set or singleton: where a path starts.
#[derive(Debug)]
pub struct EntryPoint {
    pub name: &'static str,
    pub singleton: bool,
    pub ty: &'static str,
    /// Navigation paths (from this entry point) whose targets live in another entity set.
    pub bindings: &'static [(&'static str, &'static str)],
    pub versions: Versions,
}

const fn entity_set(
    name: &'static str,
    ty: &'static str,
    bindings: &'static [(&'static str, &'static str)],
) -> EntryPoint {
    EntryPoint {
        name,
        singleton: false,
        ty,
        bindings,
        versions: Versions::ALL,
    }
}

/// The entity sets and singletons lcw serves paths under (`directoryObjects` is the set the
/// others' directory navigations point into).
pub static ENTRY_POINTS: &[EntryPoint] = &[
    entity_set("directoryObjects", DIRECTORY_OBJECT, &[]),
    entity_set("groups", GROUP, &[("members", "directoryObjects")]),
    entity_set(
        "users",
        USER,
        &[
            ("directReports", "directoryObjects"),
            ("manager", "directoryObjects"),
            ("memberOf", "directoryObjects"),
        ],
    ),
    EntryPoint {
        name: "identityGovernance",
        singleton: true,
        ty: IDENTITY_GOVERNANCE,
        bindings: &[(
            "lifecycleWorkflows/workflows/administrationScopeTargets",
            "directoryObjects",
        )],
        versions: Versions::ALL,
    },
];
