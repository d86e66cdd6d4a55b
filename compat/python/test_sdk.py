"""msgraph-beta-sdk (Python) against lcw: every served operation through the SDK's fluent API.

Each test owns a fresh tenant (see conftest.py), so counts and lists are exact.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import uuid
from typing import Any, Awaitable, Callable, Optional

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.identity_governance.lifecycle_workflows.custom_task_extensions.custom_task_extensions_request_builder import (
    CustomTaskExtensionsRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.deleted_items.workflows.workflows_request_builder import (
    WorkflowsRequestBuilder as DeletedWorkflowsRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.task_definitions.task_definitions_request_builder import (
    TaskDefinitionsRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflow_templates.workflow_templates_request_builder import (
    WorkflowTemplatesRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_create_new_version.create_new_version_post_request_body import (
    CreateNewVersionPostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.workflow_item_request_builder import (
    WorkflowItemRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.runs.item.user_processing_results.item.task_processing_results.item.microsoft_graph_identity_governance_resume.resume_post_request_body import (
    ResumePostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.workflows_request_builder import (
    WorkflowsRequestBuilder,
)
from msgraph_beta.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph_beta.generated.groups.item.group_item_request_builder import GroupItemRequestBuilder
from msgraph_beta.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph_beta.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_beta.generated.models.azure_ad_pop_token_authentication import (
    AzureAdPopTokenAuthentication,
)
from msgraph_beta.generated.models.custom_extension_client_configuration import (
    CustomExtensionClientConfiguration,
)
from msgraph_beta.generated.models.email_settings import EmailSettings
from msgraph_beta.generated.models.group import Group
from msgraph_beta.generated.models.identity_governance.custom_task_extension import (
    CustomTaskExtension,
)
from msgraph_beta.generated.models.identity_governance.custom_task_extension_callback_configuration import (
    CustomTaskExtensionCallbackConfiguration,
)
from msgraph_beta.generated.models.identity_governance.custom_task_extension_callback_data import (
    CustomTaskExtensionCallbackData,
)
from msgraph_beta.generated.models.identity_governance.custom_task_extension_operation_status import (
    CustomTaskExtensionOperationStatus,
)
from msgraph_beta.generated.models.identity_governance.lifecycle_management_settings import (
    LifecycleManagementSettings,
)
from msgraph_beta.generated.models.identity_governance.lifecycle_workflow_category import (
    LifecycleWorkflowCategory,
)
from msgraph_beta.generated.models.identity_governance.rule_based_subject_set import (
    RuleBasedSubjectSet,
)
from msgraph_beta.generated.models.identity_governance.task import Task
from msgraph_beta.generated.models.identity_governance.time_based_attribute_trigger import (
    TimeBasedAttributeTrigger,
)
from msgraph_beta.generated.models.identity_governance.trigger_and_scope_based_conditions import (
    TriggerAndScopeBasedConditions,
)
from msgraph_beta.generated.models.identity_governance.workflow import Workflow
from msgraph_beta.generated.models.identity_governance.workflow_trigger_time_based_attribute import (
    WorkflowTriggerTimeBasedAttribute,
)
from msgraph_beta.generated.models.key_value_pair import KeyValuePair
from msgraph_beta.generated.models.logic_app_trigger_endpoint_configuration import (
    LogicAppTriggerEndpointConfiguration,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.password_profile import PasswordProfile
from msgraph_beta.generated.models.reference_create import ReferenceCreate
from msgraph_beta.generated.models.reference_update import ReferenceUpdate
from msgraph_beta.generated.models.user import User
from msgraph_core import PageIterator

# Built-in task definitions (crates/model/data/task_definitions.json).
DISABLE_USER_ACCOUNT = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950"
ENABLE_USER_ACCOUNT = "6fc52c9d-398b-4305-9763-15f42c1676fc"
DELETE_USER_ACCOUNT = "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff"
REMOVE_USER_FROM_ALL_GROUPS = "b3a31406-2a15-4c9a-b25b-a658fa5f07fc"
ADD_USER_TO_GROUPS = "22085229-5809-45e8-97fd-270d28d66910"
SEND_WELCOME_EMAIL = "70b29d51-b59a-4773-9280-8841dfd3f2ea"
# Built-in templates (crates/model/data/workflow_templates.json).
TEMPLATE_OFFBOARD = "e821c59e-d28c-44d7-902f-5fed05e926f1"  # leaver, 3 tasks

# Directory objects answer Graph's directory error code, as graph.microsoft.com does.
DIRECTORY_NOT_FOUND = "Request_ResourceNotFound"


def aio(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """Run an async test body on its own event loop (the client is per test too)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


async def expect_error(awaitable: Awaitable[Any], status: int, code: str) -> ODataError:
    with pytest.raises(ODataError) as info:
        await awaitable
    err = info.value
    assert err.response_status_code == status, err
    assert err.error is not None, err
    assert err.error.code == code, (err.error.code, err.error.message)
    assert err.error.message, err
    return err


def leaver_task(name: str = "Disable user account", definition: str = DISABLE_USER_ACCOUNT) -> Task:
    return Task(
        display_name=name,
        description=f"{name} (compat)",
        task_definition_id=definition,
        is_enabled=True,
        continue_on_error=False,
        arguments=[],
    )


def new_workflow(
    name: str,
    *,
    category: LifecycleWorkflowCategory = LifecycleWorkflowCategory.Leaver,
    tasks: Optional[list[Task]] = None,
    rule: str = "(department eq 'Marketing')",
    offset_in_days: int = 7,
    attribute: WorkflowTriggerTimeBasedAttribute = WorkflowTriggerTimeBasedAttribute.EmployeeLeaveDateTime,
) -> Workflow:
    return Workflow(
        category=category,
        display_name=name,
        description=f"{name} description",
        is_enabled=True,
        is_scheduling_enabled=False,
        execution_conditions=TriggerAndScopeBasedConditions(
            scope=RuleBasedSubjectSet(rule=rule),
            trigger=TimeBasedAttributeTrigger(
                time_based_attribute=attribute,
                offset_in_days=offset_in_days,
            ),
        ),
        tasks=tasks if tasks is not None else [leaver_task()],
    )


def two_task_workflow(name: str) -> Workflow:
    return new_workflow(
        name,
        tasks=[
            leaver_task("Remove user from all groups", REMOVE_USER_FROM_ALL_GROUPS),
            Task(
                display_name="Add user to groups",
                task_definition_id=ADD_USER_TO_GROUPS,
                is_enabled=True,
                continue_on_error=True,
                arguments=[KeyValuePair(name="groupID", value=str(uuid.uuid4()))],
            ),
        ],
    )


# ---------------------------------------------------------------- catalog


@aio
async def test_task_definitions_list_get_count(lw):
    page = await lw.task_definitions.get()
    assert page is not None and len(page.value) == 25
    ids = [d.id for d in page.value]
    assert DISABLE_USER_ACCOUNT in ids

    one = await lw.task_definitions.by_task_definition_id(DISABLE_USER_ACCOUNT).get()
    assert one.id == DISABLE_USER_ACCOUNT
    assert one.display_name == "Disable user account"
    assert one.version == 1

    assert await lw.task_definitions.count.get() == 25

    await expect_error(
        lw.task_definitions.by_task_definition_id(str(uuid.uuid4())).get(), 404, "ResourceNotFound"
    )


@aio
async def test_task_definitions_query_options(lw):
    qp = TaskDefinitionsRequestBuilder.TaskDefinitionsRequestBuilderGetQueryParameters
    everything = (await lw.task_definitions.get()).value
    expected = sorted(
        (d for d in everything if "Disable" in d.display_name or "Enable" in d.display_name),
        key=lambda d: d.display_name,
        reverse=True,
    )
    cfg = RequestConfiguration(
        query_parameters=qp(
            filter="startswith(displayName,'Disable') or startswith(displayName,'Enable')",
            select=["id", "displayName"],
            orderby=["displayName desc"],
            count=True,
            top=1,
        )
    )
    page = await lw.task_definitions.get(cfg)
    assert page.odata_count == len(expected) >= 2
    assert [d.id for d in page.value] == [expected[0].id]
    assert page.value[0].display_name == expected[0].display_name
    # $select: properties not selected are absent.
    assert page.value[0].description is None
    assert page.value[0].parameters is None
    assert page.odata_next_link and page.odata_next_link.startswith("http://127.0.0.1:")

    # Plain $filter on an equality.
    eq = await lw.task_definitions.get(
        RequestConfiguration(query_parameters=qp(filter=f"id eq '{ENABLE_USER_ACCOUNT}'"))
    )
    assert [d.id for d in eq.value] == [ENABLE_USER_ACCOUNT]


@aio
async def test_workflow_templates_list_get_tasks(lw):
    page = await lw.workflow_templates.get()
    assert len(page.value) == 10
    by_id = {t.id: t for t in page.value}
    offboard = by_id[TEMPLATE_OFFBOARD]
    assert offboard.category == LifecycleWorkflowCategory.Leaver
    assert offboard.display_name == "Offboard an employee"
    assert isinstance(offboard.execution_conditions, TriggerAndScopeBasedConditions)

    one = await lw.workflow_templates.by_workflow_template_id(TEMPLATE_OFFBOARD).get()
    assert one.id == TEMPLATE_OFFBOARD and one.display_name == "Offboard an employee"

    tasks = await lw.workflow_templates.by_workflow_template_id(TEMPLATE_OFFBOARD).tasks.get()
    assert len(tasks.value) == 3
    assert all(t.task_definition_id for t in tasks.value)
    task_one = (
        await lw.workflow_templates.by_workflow_template_id(TEMPLATE_OFFBOARD)
        .tasks.by_task_id(tasks.value[0].id)
        .get()
    )
    assert task_one.id == tasks.value[0].id
    assert task_one.display_name == tasks.value[0].display_name
    assert await lw.workflow_templates.count.get() == 10
    assert (
        await lw.workflow_templates.by_workflow_template_id(TEMPLATE_OFFBOARD).tasks.count.get() == 3
    )

    qp = WorkflowTemplatesRequestBuilder.WorkflowTemplatesRequestBuilderGetQueryParameters
    leavers = await lw.workflow_templates.get(
        RequestConfiguration(query_parameters=qp(filter="category eq 'leaver'", count=True))
    )
    assert leavers.odata_count == 4
    assert {t.category for t in leavers.value} == {LifecycleWorkflowCategory.Leaver}


# ---------------------------------------------------------------- workflows


@aio
async def test_workflow_create_get_select_expand(lw):
    created = await lw.workflows.post(two_task_workflow("Offboard marketing"))
    assert created is not None and created.id
    uuid.UUID(created.id)
    assert created.display_name == "Offboard marketing"
    assert created.description == "Offboard marketing description"
    assert created.category == LifecycleWorkflowCategory.Leaver
    assert created.version == 1
    assert created.is_enabled is True and created.is_scheduling_enabled is False
    assert isinstance(created.created_date_time, datetime.datetime)
    conditions = created.execution_conditions
    assert isinstance(conditions, TriggerAndScopeBasedConditions)
    assert isinstance(conditions.scope, RuleBasedSubjectSet)
    assert conditions.scope.rule == "(department eq 'Marketing')"
    assert isinstance(conditions.trigger, TimeBasedAttributeTrigger)
    assert conditions.trigger.time_based_attribute == WorkflowTriggerTimeBasedAttribute.EmployeeLeaveDateTime
    assert conditions.trigger.offset_in_days == 7

    wf = lw.workflows.by_workflow_id(created.id)
    got = await wf.get()
    assert got.id == created.id and got.version == 1
    assert got.display_name == "Offboard marketing"

    qp = WorkflowItemRequestBuilder.WorkflowItemRequestBuilderGetQueryParameters
    sel = await wf.get(
        RequestConfiguration(
            query_parameters=qp(select=["id", "displayName", "category"], expand=["tasks"])
        )
    )
    assert sel.id == created.id
    assert sel.display_name == "Offboard marketing"
    assert sel.category == LifecycleWorkflowCategory.Leaver
    assert sel.description is None and sel.version is None
    assert [t.display_name for t in sel.tasks] == ["Remove user from all groups", "Add user to groups"]
    assert [t.execution_sequence for t in sel.tasks] == [1, 2]
    add = sel.tasks[1]
    assert add.task_definition_id == ADD_USER_TO_GROUPS
    assert add.continue_on_error is True
    assert [(a.name) for a in add.arguments] == ["groupID"]


@aio
async def test_workflow_list_filter_orderby_top_count(lw):
    for name, cat in [
        ("Alpha leaver", LifecycleWorkflowCategory.Leaver),
        ("Bravo leaver", LifecycleWorkflowCategory.Leaver),
        ("Charlie leaver", LifecycleWorkflowCategory.Leaver),
    ]:
        await lw.workflows.post(new_workflow(name, category=cat))
    await lw.workflows.post(
        new_workflow(
            "Delta joiner",
            category=LifecycleWorkflowCategory.Joiner,
            tasks=[leaver_task("Enable user account", ENABLE_USER_ACCOUNT)],
            attribute=WorkflowTriggerTimeBasedAttribute.EmployeeHireDate,
            offset_in_days=-1,
        )
    )

    everything = await lw.workflows.get()
    assert len(everything.value) == 4
    assert await lw.workflows.count.get() == 4

    qp = WorkflowsRequestBuilder.WorkflowsRequestBuilderGetQueryParameters
    page = await lw.workflows.get(
        RequestConfiguration(
            query_parameters=qp(
                count=True,
                filter="category eq 'leaver'",
                orderby=["displayName desc"],
                top=2,
            )
        )
    )
    assert page.odata_count == 3
    assert [w.display_name for w in page.value] == ["Charlie leaver", "Bravo leaver"]
    assert page.odata_next_link

    joiners = await lw.workflows.get(
        RequestConfiguration(
            query_parameters=qp(filter="category eq 'joiner'", select=["id", "displayName"])
        )
    )
    assert [w.display_name for w in joiners.value] == ["Delta joiner"]
    assert joiners.value[0].category is None

    by_name = await lw.workflows.get(
        RequestConfiguration(
            query_parameters=qp(filter="startswith(displayName,'B') or displayName eq 'Alpha leaver'",
                                orderby=["displayName"])
        )
    )
    assert [w.display_name for w in by_name.value] == ["Alpha leaver", "Bravo leaver"]


@aio
async def test_workflow_paging_with_page_iterator(client, lw):
    names = [f"Paged workflow {i}" for i in range(5)]
    for n in names:
        await lw.workflows.post(new_workflow(n))
    qp = WorkflowsRequestBuilder.WorkflowsRequestBuilderGetQueryParameters
    first = await lw.workflows.get(
        RequestConfiguration(query_parameters=qp(top=2, orderby=["displayName"]))
    )
    assert len(first.value) == 2 and first.odata_next_link
    assert first.odata_next_link.startswith("http://127.0.0.1:")

    seen: list[str] = []

    def collect(item: Workflow) -> bool:
        seen.append(item.display_name)
        return True

    iterator = PageIterator(first, client.request_adapter)
    await iterator.iterate(collect)
    assert seen == names  # 3 pages: 2 + 2 + 1, in $orderby order, no duplicates


@aio
async def test_workflow_patch(lw):
    created = await lw.workflows.post(new_workflow("Before patch"))
    wf = lw.workflows.by_workflow_id(created.id)
    result = await wf.patch(Workflow(display_name="After patch", description="patched"))
    if result is not None:  # 204 (None) or 200 + entity are both fine
        assert result.display_name == "After patch"
    got = await wf.get()
    assert got.display_name == "After patch"
    assert got.description == "patched"
    assert got.version == 1  # basic properties do not make a new version
    assert got.last_modified_date_time >= created.last_modified_date_time

    await expect_error(
        wf.patch(Workflow(display_name="")), 400, "BadRequest"
    )
    await expect_error(
        lw.workflows.by_workflow_id(str(uuid.uuid4())).patch(Workflow(display_name="x")),
        404,
        "ResourceNotFound",
    )


@aio
async def test_workflow_tasks_crud(lw):
    created = await lw.workflows.post(two_task_workflow("Tasks workflow"))
    wf = lw.workflows.by_workflow_id(created.id)

    tasks = await wf.tasks.get()
    assert [t.display_name for t in tasks.value] == ["Remove user from all groups", "Add user to groups"]
    first = tasks.value[0]
    assert first.id and first.task_definition_id == REMOVE_USER_FROM_ALL_GROUPS
    assert await wf.tasks.count.get() == 2

    one = await wf.tasks.by_task_id(first.id).get()
    assert one.id == first.id and one.execution_sequence == 1

    patched = await wf.tasks.by_task_id(first.id).patch(
        Task(display_name="Remove from every group", description="renamed")
    )
    if patched is not None:
        assert patched.display_name == "Remove from every group"
    again = await wf.tasks.by_task_id(first.id).get()
    assert again.display_name == "Remove from every group"
    assert again.description == "renamed"

    added = await wf.tasks.post(leaver_task("Delete user", DELETE_USER_ACCOUNT))
    assert added is not None and added.id
    assert added.display_name == "Delete user"
    assert added.task_definition_id == DELETE_USER_ACCOUNT
    assert await wf.tasks.count.get() == 3

    await wf.tasks.by_task_id(added.id).delete()
    assert await wf.tasks.count.get() == 2
    await expect_error(wf.tasks.by_task_id(added.id).get(), 404, "ResourceNotFound")

    # A task definition that is not in the catalog is a validation error.
    await expect_error(wf.tasks.post(leaver_task("Bogus", str(uuid.uuid4()))), 400, "BadRequest")


@aio
async def test_create_new_version_from_fetched_workflow(lw):
    created = await lw.workflows.post(new_workflow("Versioned", offset_in_days=3))
    wf = lw.workflows.by_workflow_id(created.id)

    qp = WorkflowItemRequestBuilder.WorkflowItemRequestBuilderGetQueryParameters
    fetched = await wf.get(RequestConfiguration(query_parameters=qp(expand=["tasks"])))
    assert fetched.additional_data.get("@odata.context"), "the SDK keeps @odata.context"
    # Change the definition the way an app would: edit the fetched object and send it back.
    fetched.description = "second version"
    fetched.execution_conditions.trigger.offset_in_days = 14
    fetched.tasks.append(leaver_task("Delete user", DELETE_USER_ACCOUNT))

    body = CreateNewVersionPostRequestBody(workflow=fetched)
    v2 = await wf.microsoft_graph_identity_governance_create_new_version.post(body)
    assert v2 is not None
    assert v2.id == created.id
    assert v2.version == 2
    assert v2.description == "second version"
    assert v2.execution_conditions.trigger.offset_in_days == 14

    current = await wf.get(RequestConfiguration(query_parameters=qp(expand=["tasks"])))
    assert current.version == 2
    assert [t.task_definition_id for t in current.tasks] == [DISABLE_USER_ACCOUNT, DELETE_USER_ACCOUNT]

    versions = await wf.versions.get()
    assert sorted(v.version_number for v in versions.value) == [1, 2]
    assert await wf.versions.count.get() == 2
    v1 = await wf.versions.by_workflow_version_version_number(1).get()
    assert v1.version_number == 1
    assert v1.description == "Versioned description"
    assert v1.execution_conditions.trigger.offset_in_days == 3
    v1_tasks = await wf.versions.by_workflow_version_version_number(1).tasks.get()
    assert [t.task_definition_id for t in v1_tasks.value] == [DISABLE_USER_ACCOUNT]
    v2_tasks = await wf.versions.by_workflow_version_version_number(2).tasks.get()
    assert [t.task_definition_id for t in v2_tasks.value] == [DISABLE_USER_ACCOUNT, DELETE_USER_ACCOUNT]
    assert await wf.versions.by_workflow_version_version_number(2).tasks.count.get() == 2
    v2_task = (
        await wf.versions.by_workflow_version_version_number(2)
        .tasks.by_task_id(v2_tasks.value[1].id)
        .get()
    )
    assert v2_task.display_name == "Delete user"

    await expect_error(
        wf.versions.by_workflow_version_version_number(3).get(), 404, "ResourceNotFound"
    )

    # Versions are read-only snapshots: task writes under a version are validation errors.
    v1b = wf.versions.by_workflow_version_version_number(1)
    await expect_error(v1b.tasks.post(leaver_task("Nope", DELETE_USER_ACCOUNT)), 400, "BadRequest")
    await expect_error(
        v1b.tasks.by_task_id(v1_tasks.value[0].id).patch(Task(display_name="Nope")), 400, "BadRequest"
    )
    await expect_error(v1b.tasks.by_task_id(v1_tasks.value[0].id).delete(), 400, "BadRequest")

    # Administrative-unit scoping: none, on the workflow and on each version.
    for owner in (wf, v1b):
        targets = await owner.administration_scope_targets.get()
        assert targets.value == []
        assert await owner.administration_scope_targets.count.get() == 0
        await expect_error(
            owner.administration_scope_targets.by_directory_object_id(str(uuid.uuid4())).get(),
            404,
            "ResourceNotFound",
        )


@aio
async def test_delete_list_get_restore(lw):
    keep = await lw.workflows.post(new_workflow("Kept"))
    gone = await lw.workflows.post(new_workflow("Deleted then restored"))
    other = await lw.workflows.post(new_workflow("Deleted and left"))

    await lw.workflows.by_workflow_id(gone.id).delete()
    await lw.workflows.by_workflow_id(other.id).delete()
    await expect_error(lw.workflows.by_workflow_id(gone.id).get(), 404, "ResourceNotFound")
    assert [w.id for w in (await lw.workflows.get()).value] == [keep.id]
    assert await lw.workflows.count.get() == 1

    deleted = await lw.deleted_items.workflows.get()
    assert sorted(w.id for w in deleted.value) == sorted([gone.id, other.id])
    assert all(isinstance(w.deleted_date_time, datetime.datetime) for w in deleted.value)
    assert await lw.deleted_items.workflows.count.get() == 2
    qp = DeletedWorkflowsRequestBuilder.WorkflowsRequestBuilderGetQueryParameters
    filtered = await lw.deleted_items.workflows.get(
        RequestConfiguration(
            query_parameters=qp(filter="displayName eq 'Deleted and left'", count=True)
        )
    )
    assert filtered.odata_count == 1 and [w.id for w in filtered.value] == [other.id]

    dwf = lw.deleted_items.workflows.by_workflow_id(gone.id)
    one = await dwf.get()
    assert one.id == gone.id and one.display_name == "Deleted then restored"
    await expect_error(
        lw.deleted_items.workflows.by_workflow_id(keep.id).get(), 404, "ResourceNotFound"
    )

    # The workflow's sub-resources are served under deletedItems too; writes are refused.
    d_tasks = await dwf.tasks.get()
    assert [t.task_definition_id for t in d_tasks.value] == [DISABLE_USER_ACCOUNT]
    assert await dwf.tasks.count.get() == 1
    assert (await dwf.tasks.by_task_id(d_tasks.value[0].id).get()).id == d_tasks.value[0].id
    assert [v.version_number for v in (await dwf.versions.get()).value] == [1]
    assert (await dwf.versions.by_workflow_version_version_number(1).get()).version_number == 1
    assert (await dwf.created_by.get()).id
    await expect_error(
        dwf.microsoft_graph_identity_governance_create_new_version.post(
            CreateNewVersionPostRequestBody(workflow=new_workflow("v2 of a deleted workflow"))
        ),
        400,
        "BadRequest",
    )

    restored = await dwf.microsoft_graph_identity_governance_restore.post()
    assert restored is not None and restored.id == gone.id
    assert restored.deleted_date_time is None
    live = await lw.workflows.by_workflow_id(gone.id).get()
    assert live.display_name == "Deleted then restored"
    assert await lw.workflows.count.get() == 2
    assert [w.id for w in (await lw.deleted_items.workflows.get()).value] == [other.id]

    # Restoring a live workflow is a validation error.
    await expect_error(
        lw.workflows.by_workflow_id(keep.id).microsoft_graph_identity_governance_restore.post(),
        400,
        "BadRequest",
    )


@aio
async def test_deleted_items_purge(lw):
    live = await lw.workflows.post(new_workflow("Live"))
    purged = await lw.workflows.post(new_workflow("Deleted then purged"))
    await lw.workflows.by_workflow_id(purged.id).delete()

    await lw.deleted_items.workflows.by_workflow_id(purged.id).delete()
    await expect_error(
        lw.deleted_items.workflows.by_workflow_id(purged.id).get(), 404, "ResourceNotFound"
    )
    assert (await lw.deleted_items.workflows.get()).value == []
    assert await lw.deleted_items.workflows.count.get() == 0

    # A live workflow is not in deletedItems: purging it there is a 404 and leaves it alone.
    await expect_error(
        lw.deleted_items.workflows.by_workflow_id(live.id).delete(), 404, "ResourceNotFound"
    )
    assert (await lw.workflows.by_workflow_id(live.id).get()).id == live.id


@aio
async def test_created_by_and_last_modified_by(lcw, tenant):
    creator = str(uuid.uuid4())
    editor = str(uuid.uuid4())
    lw_creator = lcw.client(lcw.token(tenant, "--object-id", creator)).identity_governance.lifecycle_workflows
    lw_editor = lcw.client(lcw.token(tenant, "--object-id", editor)).identity_governance.lifecycle_workflows

    created = await lw_creator.workflows.post(new_workflow("Audited"))
    await lw_editor.workflows.by_workflow_id(created.id).patch(Workflow(description="edited"))

    wf = lw_creator.workflows.by_workflow_id(created.id)
    by = await wf.created_by.get()
    assert by.id == creator
    last = await wf.last_modified_by.get()
    assert last.id == editor

    v1 = wf.versions.by_workflow_version_version_number(1)
    assert (await v1.created_by.get()).id == creator
    assert (await v1.last_modified_by.get()).id == editor


@aio
async def test_create_validation_error(lw):
    bad = new_workflow("No tasks", tasks=[])
    await expect_error(lw.workflows.post(bad), 400, "BadRequest")
    wrong_category = new_workflow(
        "Welcome email in a leaver workflow",
        tasks=[leaver_task("Send welcome email", SEND_WELCOME_EMAIL)],
    )
    await expect_error(lw.workflows.post(wrong_category), 400, "BadRequest")
    assert await lw.workflows.count.get() == 0


@aio
async def test_not_found_error(lw):
    err = await expect_error(
        lw.workflows.by_workflow_id(str(uuid.uuid4())).get(), 404, "ResourceNotFound"
    )
    assert "404" in str(err) or err.response_status_code == 404


@aio
async def test_resume_on_unknown_keys_and_the_containers(lw):
    # Runs and resume are served now (see test_sdk_engine.py and test_sdk_extension.py): a
    # resume on keys that don't exist is a 404. The containers read as themselves.
    created = await lw.workflows.post(new_workflow("Runs"))
    resume = (
        lw.workflows.by_workflow_id(created.id)
        .runs.by_run_id(str(uuid.uuid4()))
        .user_processing_results.by_user_processing_result_id(str(uuid.uuid4()))
        .task_processing_results.by_task_processing_result_id(str(uuid.uuid4()))
        .microsoft_graph_identity_governance_resume
    )
    await expect_error(
        resume.post(
            ResumePostRequestBody(
                data=CustomTaskExtensionCallbackData(
                    operation_status=CustomTaskExtensionOperationStatus.Completed
                ),
                source="sample",
                type="lifecycleEvent",
            )
        ),
        404,
        "ResourceNotFound",
    )
    assert await lw.insights.get() is not None
    assert await lw.get() is not None
    assert await lw.deleted_items.get() is not None
    await expect_error(lw.delete(), 400, "BadRequest")


@aio
async def test_mover_category_enum_rule(lw):
    created = await lw.workflows.post(
        new_workflow(
            "Mover workflow",
            category=LifecycleWorkflowCategory.Mover,
            tasks=[
                Task(
                    display_name="Add user to groups",
                    task_definition_id=ADD_USER_TO_GROUPS,
                    is_enabled=True,
                    arguments=[KeyValuePair(name="groupID", value=str(uuid.uuid4()))],
                )
            ],
            attribute=WorkflowTriggerTimeBasedAttribute.CreatedDateTime,
            offset_in_days=0,
        )
    )
    assert created.category == LifecycleWorkflowCategory.UnknownFutureValue
    wf = lw.workflows.by_workflow_id(created.id)

    plain = await wf.get()
    assert plain.category == LifecycleWorkflowCategory.UnknownFutureValue

    cfg = RequestConfiguration()
    cfg.headers.add("Prefer", "include-unknown-enum-members")
    opted_in = await wf.get(cfg)
    assert opted_in.category == LifecycleWorkflowCategory.Mover

    cfg_list = RequestConfiguration()
    cfg_list.headers.add("Prefer", "include-unknown-enum-members")
    listed = await lw.workflows.get(cfg_list)
    assert [w.category for w in listed.value] == [LifecycleWorkflowCategory.Mover]
    listed_plain = await lw.workflows.get()
    assert [w.category for w in listed_plain.value] == [LifecycleWorkflowCategory.UnknownFutureValue]


# ---------------------------------------------------------------- settings


@aio
async def test_settings_get_patch(lw):
    before = await lw.settings.get()
    assert before is not None
    assert isinstance(before.workflow_schedule_interval_in_hours, int)

    result = await lw.settings.patch(
        LifecycleManagementSettings(
            workflow_schedule_interval_in_hours=4,
            email_settings=EmailSettings(sender_domain="contoso.com", use_company_branding=True),
        )
    )
    if result is not None:
        assert result.workflow_schedule_interval_in_hours == 4
    after = await lw.settings.get()
    assert after.workflow_schedule_interval_in_hours == 4
    assert after.email_settings.sender_domain == "contoso.com"
    assert after.email_settings.use_company_branding is True

    await expect_error(
        lw.settings.patch(LifecycleManagementSettings(workflow_schedule_interval_in_hours=0)),
        400,
        "BadRequest",
    )


# ---------------------------------------------------------------- custom task extensions


def new_extension(name: str) -> CustomTaskExtension:
    return CustomTaskExtension(
        display_name=name,
        description=f"{name} description",
        endpoint_configuration=LogicAppTriggerEndpointConfiguration(
            subscription_id=str(uuid.uuid4()),
            resource_group_name="rg-lcw",
            logic_app_workflow_name="lcw-logic-app",
        ),
        authentication_configuration=AzureAdPopTokenAuthentication(),
        client_configuration=CustomExtensionClientConfiguration(
            maximum_retries=1, timeout_in_milliseconds=1000
        ),
        callback_configuration=CustomTaskExtensionCallbackConfiguration(
            timeout_duration=datetime.timedelta(minutes=5)
        ),
    )


@aio
async def test_custom_task_extensions_crud(lw):
    created = await lw.custom_task_extensions.post(new_extension("Notify HR"))
    assert created is not None and created.id
    assert created.display_name == "Notify HR"
    assert isinstance(created.endpoint_configuration, LogicAppTriggerEndpointConfiguration)
    assert created.endpoint_configuration.logic_app_workflow_name == "lcw-logic-app"
    assert isinstance(created.authentication_configuration, AzureAdPopTokenAuthentication)
    assert isinstance(created.callback_configuration, CustomTaskExtensionCallbackConfiguration)
    assert created.callback_configuration.timeout_duration == datetime.timedelta(minutes=5)
    assert created.client_configuration.maximum_retries == 1

    other = await lw.custom_task_extensions.post(new_extension("Notify IT"))
    ext = lw.custom_task_extensions.by_custom_task_extension_id(created.id)
    got = await ext.get()
    assert got.id == created.id and got.display_name == "Notify HR"
    assert got.callback_configuration.timeout_duration == datetime.timedelta(minutes=5)

    listed = await lw.custom_task_extensions.get()
    assert sorted(e.display_name for e in listed.value) == ["Notify HR", "Notify IT"]
    assert await lw.custom_task_extensions.count.get() == 2
    qp = CustomTaskExtensionsRequestBuilder.CustomTaskExtensionsRequestBuilderGetQueryParameters
    filtered = await lw.custom_task_extensions.get(
        RequestConfiguration(query_parameters=qp(filter="displayName eq 'Notify IT'", count=True))
    )
    assert filtered.odata_count == 1 and [e.id for e in filtered.value] == [other.id]

    patched = await ext.patch(
        CustomTaskExtension(
            description="patched",
            callback_configuration=CustomTaskExtensionCallbackConfiguration(
                timeout_duration=datetime.timedelta(hours=1, minutes=30)  # "1:30:00"
            ),
        )
    )
    if patched is not None:
        assert patched.description == "patched"
    again = await ext.get()
    assert again.description == "patched"
    assert again.display_name == "Notify HR"
    assert again.callback_configuration.timeout_duration == datetime.timedelta(hours=1, minutes=30)

    # "1 day, 0:05:00" (str() of a timedelta past a day) parses, and is out of range (5 min-3 h).
    err = await expect_error(
        ext.patch(
            CustomTaskExtension(
                callback_configuration=CustomTaskExtensionCallbackConfiguration(
                    timeout_duration=datetime.timedelta(days=1, minutes=5)
                )
            )
        ),
        400,
        "BadRequest",
    )
    assert "between" in err.error.message, err.error.message

    # A workflow task can call the extension.
    wf = await lw.workflows.post(
        new_workflow(
            "Calls extension",
            tasks=[
                Task(
                    display_name="Run custom task extension",
                    task_definition_id="4262b724-8dba-4fad-afc3-43fcbb497a0e",
                    is_enabled=True,
                    arguments=[KeyValuePair(name="customTaskExtensionID", value=other.id)],
                )
            ],
        )
    )
    assert wf.id

    await ext.delete()
    await expect_error(ext.get(), 404, "ResourceNotFound")
    assert await lw.custom_task_extensions.count.get() == 1


@aio
async def test_custom_task_extension_created_by(lcw, tenant):
    actor = str(uuid.uuid4())
    lw = lcw.client(lcw.token(tenant, "--object-id", actor)).identity_governance.lifecycle_workflows
    created = await lw.custom_task_extensions.post(new_extension("Audited extension"))
    ext = lw.custom_task_extensions.by_custom_task_extension_id(created.id)
    assert (await ext.created_by.get()).id == actor
    assert (await ext.last_modified_by.get()).id == actor


# ---------------------------------------------------------------- directory


def new_user(nick: str, **extra: Any) -> User:
    return User(
        account_enabled=True,
        display_name=f"{nick.title()} Example",
        mail_nickname=nick,
        user_principal_name=f"{nick}@contoso.example",
        password_profile=PasswordProfile(
            force_change_password_next_sign_in=True, password="xWwvJ]6NMw+bWH-d"
        ),
        **extra,
    )


@aio
async def test_users_crud_and_manager(client, lcw):
    alice = await client.users.post(new_user("alice", department="Marketing"))
    assert alice is not None and alice.id
    assert alice.display_name == "Alice Example"
    bob = await client.users.post(new_user("bob"))

    got = await client.users.by_user_id(alice.id).get()
    assert got.user_principal_name == "alice@contoso.example"
    assert got.department == "Marketing"

    listed = await client.users.get()
    assert sorted(u.display_name for u in listed.value) == ["Alice Example", "Bob Example"]
    assert await client.users.count.get() == 2
    qp = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters
    filtered = await client.users.get(
        RequestConfiguration(query_parameters=qp(filter="department eq 'Marketing'"))
    )
    assert [u.id for u in filtered.value] == [alice.id]

    await client.users.by_user_id(alice.id).patch(User(job_title="Designer"))
    assert (await client.users.by_user_id(alice.id).get()).job_title == "Designer"

    await client.users.by_user_id(alice.id).manager.ref.put(
        ReferenceUpdate(odata_id=f"{lcw.base_url}/users/{bob.id}")
    )
    manager = await client.users.by_user_id(alice.id).manager.get()
    assert manager.id == bob.id
    assert manager.display_name == "Bob Example"
    uq = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters
    expanded = await client.users.by_user_id(alice.id).get(
        RequestConfiguration(query_parameters=uq(select=["id", "displayName"], expand=["manager"]))
    )
    assert expanded.manager is not None and expanded.manager.id == bob.id
    reports = await client.users.by_user_id(bob.id).direct_reports.get()
    assert [r.id for r in reports.value] == [alice.id]

    await client.users.by_user_id(alice.id).manager.ref.delete()
    await expect_error(
        client.users.by_user_id(alice.id).manager.get(), 404, DIRECTORY_NOT_FOUND
    )
    assert (await client.users.by_user_id(bob.id).direct_reports.get()).value == []

    await client.users.by_user_id(bob.id).delete()
    await expect_error(client.users.by_user_id(bob.id).get(), 404, DIRECTORY_NOT_FOUND)
    assert await client.users.count.get() == 1


@aio
async def test_groups_crud_and_members(client, lcw):
    carol = await client.users.post(new_user("carol"))
    dave = await client.users.post(new_user("dave"))

    group = await client.groups.post(
        Group(
            display_name="Marketing",
            mail_enabled=False,
            mail_nickname="marketing",
            security_enabled=True,
        )
    )
    assert group is not None and group.id
    g = client.groups.by_group_id(group.id)
    assert (await g.get()).display_name == "Marketing"

    other = await client.groups.post(
        Group(display_name="Sales", mail_enabled=False, mail_nickname="sales", security_enabled=True)
    )
    assert sorted(x.display_name for x in (await client.groups.get()).value) == ["Marketing", "Sales"]
    assert await client.groups.count.get() == 2
    qp = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters
    filtered = await client.groups.get(
        RequestConfiguration(query_parameters=qp(filter="displayName eq 'Sales'"))
    )
    assert [x.id for x in filtered.value] == [other.id]

    await g.patch(Group(description="Marketing team"))
    assert (await g.get()).description == "Marketing team"

    for u in (carol, dave):
        await g.members.ref.post(ReferenceCreate(odata_id=f"{lcw.base_url}/directoryObjects/{u.id}"))
    members = await g.members.get()
    assert sorted(m.id for m in members.value) == sorted([carol.id, dave.id])
    assert await g.members.count.get() == 2

    member_of = await client.users.by_user_id(carol.id).member_of.get()
    assert [x.id for x in member_of.value] == [group.id]
    gq = GroupItemRequestBuilder.GroupItemRequestBuilderGetQueryParameters
    with_members = await g.get(RequestConfiguration(query_parameters=gq(expand=["members"])))
    assert sorted(m.id for m in with_members.members) == sorted([carol.id, dave.id])

    await g.members.by_directory_object_id(carol.id).ref.delete()
    members = await g.members.get()
    assert [m.id for m in members.value] == [dave.id]
    assert (await client.users.by_user_id(carol.id).member_of.get()).value == []

    await client.groups.by_group_id(other.id).delete()
    await expect_error(client.groups.by_group_id(other.id).get(), 404, DIRECTORY_NOT_FOUND)
    assert await client.groups.count.get() == 1
