"""msgraph-sdk (the official v1.0 Python SDK) against lcw's /v1.0: the whole flow through the
v1.0 fluent API, on the same tenant data the beta SDK sees.

Each test owns a fresh tenant (see conftest.py).
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import time
import uuid
from typing import Any, Awaitable, Callable

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate.activate_post_request_body import (
    ActivatePostRequestBody,
)
from msgraph.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate_with_scope.activate_with_scope_post_request_body import (
    ActivateWithScopePostRequestBody,
)
from msgraph.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_create_new_version.create_new_version_post_request_body import (
    CreateNewVersionPostRequestBody,
)
from msgraph.generated.models.azure_ad_pop_token_authentication import AzureAdPopTokenAuthentication
from msgraph.generated.models.custom_extension_client_configuration import (
    CustomExtensionClientConfiguration,
)
from msgraph.generated.models.email_settings import EmailSettings
from msgraph.generated.models.identity_governance.activate_run_scope import ActivateRunScope
from msgraph.generated.models.identity_governance.activation_task_scope_type import (
    ActivationTaskScopeType,
)
from msgraph.generated.models.identity_governance.activation_user_scope_type import (
    ActivationUserScopeType,
)
from msgraph.generated.models.identity_governance.custom_task_extension import CustomTaskExtension
from msgraph.generated.models.identity_governance.custom_task_extension_callback_configuration import (
    CustomTaskExtensionCallbackConfiguration,
)
from msgraph.generated.models.identity_governance.lifecycle_management_settings import (
    LifecycleManagementSettings,
)
from msgraph.generated.models.identity_governance.lifecycle_workflow_category import (
    LifecycleWorkflowCategory,
)
from msgraph.generated.models.identity_governance.lifecycle_workflow_processing_status import (
    LifecycleWorkflowProcessingStatus as Status,
)
from msgraph.generated.models.identity_governance.rule_based_subject_set import RuleBasedSubjectSet
from msgraph.generated.models.identity_governance.run import Run
from msgraph.generated.models.identity_governance.task import Task
from msgraph.generated.models.identity_governance.time_based_attribute_trigger import (
    TimeBasedAttributeTrigger,
)
from msgraph.generated.models.identity_governance.trigger_and_scope_based_conditions import (
    TriggerAndScopeBasedConditions,
)
from msgraph.generated.models.identity_governance.workflow import Workflow
from msgraph.generated.models.identity_governance.workflow_execution_type import (
    WorkflowExecutionType as ExecType,
)
from msgraph.generated.models.identity_governance.workflow_trigger_time_based_attribute import (
    WorkflowTriggerTimeBasedAttribute,
)
from msgraph.generated.models.logic_app_trigger_endpoint_configuration import (
    LogicAppTriggerEndpointConfiguration,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User

ENABLE_USER_ACCOUNT = "6fc52c9d-398b-4305-9763-15f42c1676fc"
GENERATE_TAP = "1b555e50-7f65-41d5-b514-5894a026d10d"  # mails the manager: fails without one
FINAL = {Status.Completed, Status.CompletedWithErrors, Status.Failed, Status.Canceled}
UTC = datetime.timezone.utc


def aio(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


async def expect_error(awaitable: Awaitable[Any], status: int, code: str) -> ODataError:
    with pytest.raises(ODataError) as info:
        await awaitable
    err = info.value
    assert err.response_status_code == status, (err.response_status_code, err.error and err.error.message)
    assert err.error is not None and err.error.code == code, err.error
    return err


def prefer_unknown() -> RequestConfiguration:
    cfg = RequestConfiguration()
    cfg.headers.add("Prefer", "include-unknown-enum-members")
    return cfg


def window() -> dict[str, datetime.datetime]:
    now = datetime.datetime.now(UTC)
    return {
        "start_date_time": now - datetime.timedelta(hours=1),
        "end_date_time": now + datetime.timedelta(hours=1),
    }


async def wait_runs(wf, count: int) -> list[Run]:
    deadline = time.monotonic() + 10.0
    while True:
        runs = (await wf.runs.get(prefer_unknown())).value or []
        if len(runs) >= count and all(r.processing_status in FINAL for r in runs):
            assert len(runs) == count
            return runs
        assert time.monotonic() < deadline, [(r.id, r.processing_status) for r in runs]
        await asyncio.sleep(0.05)


def task(name: str, definition: str) -> Task:
    return Task(
        display_name=name,
        description=f"{name} (v1.0)",
        task_definition_id=definition,
        is_enabled=True,
        continue_on_error=False,
        arguments=[],
    )


def joiner_workflow(name: str) -> Workflow:
    return Workflow(
        category=LifecycleWorkflowCategory.Joiner,
        display_name=name,
        description=f"{name} description",
        is_enabled=True,
        is_scheduling_enabled=False,
        execution_conditions=TriggerAndScopeBasedConditions(
            scope=RuleBasedSubjectSet(rule="(department eq 'Sales')"),
            trigger=TimeBasedAttributeTrigger(
                time_based_attribute=WorkflowTriggerTimeBasedAttribute.EmployeeHireDate,
                offset_in_days=0,
            ),
        ),
        tasks=[
            task("Enable user account", ENABLE_USER_ACCOUNT),
            task("Generate TAP and send email", GENERATE_TAP),
        ],
    )


async def joiner(client, nick: str) -> User:
    u = await client.users.post(
        User(
            account_enabled=False,
            display_name=f"{nick.title()} Example",
            mail_nickname=nick,
            user_principal_name=f"{nick}@contoso.example",
            department="Sales",
            employee_hire_date=datetime.datetime.now(UTC).replace(microsecond=0),
            password_profile=PasswordProfile(
                force_change_password_next_sign_in=True, password="xWwvJ]6NMw+bWH-d"
            ),
        )
    )
    assert u is not None and u.id
    return u


@aio
async def test_v1_workflow_tasks_versions_and_the_beta_view(lw_v1, lw, lcw):
    created = await lw_v1.workflows.post(joiner_workflow("Onboard on v1.0"))
    assert created is not None and created.id
    assert created.additional_data["@odata.context"].startswith(f"{lcw.v1_base_url}/$metadata#")
    assert created.category == LifecycleWorkflowCategory.Joiner
    assert created.version == 1
    wf = lw_v1.workflows.by_workflow_id(created.id)

    # The same workflow through the beta SDK, and a change made there seen on v1.0.
    on_beta = await lw.workflows.by_workflow_id(created.id).get()
    assert on_beta.display_name == "Onboard on v1.0"
    from msgraph_beta.generated.models.identity_governance.workflow import Workflow as BetaWorkflow

    await lw.workflows.by_workflow_id(created.id).patch(BetaWorkflow(description="changed on beta"))
    assert (await wf.get()).description == "changed on beta"
    await wf.patch(Workflow(display_name="Renamed on v1.0"))
    assert (await lw.workflows.by_workflow_id(created.id).get()).display_name == "Renamed on v1.0"

    tasks = (await wf.tasks.get()).value
    assert [t.task_definition_id for t in tasks] == [ENABLE_USER_ACCOUNT, GENERATE_TAP]
    assert await wf.tasks.count.get() == 2
    first = await wf.tasks.by_task_id(tasks[0].id).get()
    assert first.display_name == "Enable user account"

    # Adding a task makes version 2, as createNewVersion does.
    await wf.tasks.post(task("Enable again", ENABLE_USER_ACCOUNT))
    assert (await wf.get()).version == 2
    v3 = await wf.microsoft_graph_identity_governance_create_new_version.post(
        CreateNewVersionPostRequestBody(workflow=joiner_workflow("Third version"))
    )
    assert v3.id == created.id and v3.version == 3
    versions = (await wf.versions.get()).value
    assert sorted(v.version_number for v in versions) == [1, 2, 3]
    first_version = wf.versions.by_workflow_version_version_number(1)
    assert (await first_version.get()).version_number == 1
    assert [t.display_name for t in (await first_version.tasks.get()).value] == [
        "Enable user account",
        "Generate TAP and send email",
    ]
    assert await wf.versions.count.get() == 3
    listed = await lw_v1.workflows.get()
    assert [w.id for w in listed.value] == [created.id]
    assert listed.odata_next_link is None


@aio
async def test_v1_activate_runs_results_reports_and_the_deleted_items_ref(client_v1, lw_v1, lcw):
    carol = await joiner(client_v1, "carol")
    created = await lw_v1.workflows.post(joiner_workflow("Onboard sales"))
    wf = lw_v1.workflows.by_workflow_id(created.id)
    await wf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=carol.id)])
    )
    (orig,) = await wait_runs(wf, 1)
    assert orig.processing_status == Status.CompletedWithErrors
    assert orig.workflow_execution_type == ExecType.OnDemand
    assert (orig.total_users_count, orig.failed_users_count, orig.total_tasks_count, orig.failed_tasks_count) == (1, 1, 2, 1)
    assert (await client_v1.users.by_user_id(carol.id).get()).account_enabled is True

    run = wf.runs.by_run_id(orig.id)
    uprs = (await run.user_processing_results.get()).value
    assert [u.subject.id for u in uprs] == [carol.id]
    upr = uprs[0]
    tprs = (
        await run.user_processing_results.by_user_processing_result_id(upr.id).task_processing_results.get()
    ).value
    by_def = {t.task.task_definition_id: t for t in tprs}
    assert by_def[ENABLE_USER_ACCOUNT].processing_status == Status.Completed
    assert by_def[GENERATE_TAP].processing_status == Status.Failed
    assert by_def[GENERATE_TAP].failure_reason
    assert len((await run.task_processing_results.get()).value) == 2
    assert (await wf.user_processing_results.by_user_processing_result_id(upr.id).get()).id == upr.id

    reports = (await wf.task_reports.get()).value
    assert sorted((r.task.task_definition_id, r.failed_users_count) for r in reports) == sorted(
        [(ENABLE_USER_ACCOUNT, 0), (GENERATE_TAP, 1)]
    )
    trs = await wf.task_reports.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(**window()).get()
    assert (trs.total_tasks, trs.successful_tasks, trs.failed_tasks) == (2, 1, 1)
    us = await wf.user_processing_results.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(**window()).get()
    assert (us.total_users, us.failed_users, us.failed_tasks) == (1, 1, 1)
    rs = await wf.runs.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(**window()).get()
    assert (rs.total_runs, rs.failed_runs) == (1, 1)
    # subjectProcessingResults: the newest v1.0 SDK models them, so v1.0 serves them.
    spr = (await wf.subject_processing_results.get()).value
    assert [s.id for s in spr] == [upr.id]

    # Reprocess the failed task; the rerun is linked from the user's result.
    await wf.microsoft_graph_identity_governance_activate_with_scope.post(
        ActivateWithScopePostRequestBody(
            scope=ActivateRunScope(
                run=Run(id=orig.id),
                user_scope=ActivationUserScopeType.FailedUsers,
                task_scope=ActivationTaskScopeType.FailedTasks,
            )
        )
    )
    runs = await wait_runs(wf, 2)
    (rerun,) = [r for r in runs if r.id != orig.id]
    assert rerun.workflow_execution_type == ExecType.ActivatedWithScope  # asked with Prefer
    plain = await wf.runs.by_run_id(rerun.id).get()
    assert plain.workflow_execution_type == ExecType.UnknownFutureValue
    assert [r.id for r in (await run.reprocessed_runs.get()).value] == [rerun.id]

    # Delete: history stays under deletedItems; the seed route's v1.0 twin removes the
    # executionScope link (no SDK builder for that path: with_url).
    await wf.delete()
    dwf = lw_v1.deleted_items.workflows.by_workflow_id(created.id)
    assert [w.id for w in (await lw_v1.deleted_items.workflows.get()).value] == [created.id]
    url = (
        f"{lcw.v1_base_url}/identityGovernance/lifecycleWorkflows/deletedItems/workflows/"
        f"{created.id}/executionScope/{upr.id}/reprocessedRuns"
    )
    reader = dwf.user_processing_results.by_user_processing_result_id(upr.id).reprocessed_runs
    assert [r.id for r in (await reader.with_url(url).get()).value] == [rerun.id]
    assert await dwf.with_url(f"{url}/{rerun.id}/$ref").delete() is None
    assert (await reader.with_url(url).get()).value == []
    await expect_error(dwf.with_url(f"{url}/{rerun.id}/$ref").delete(), 404, "ResourceNotFound")
    assert (await dwf.runs.by_run_id(rerun.id).get()).id == rerun.id


@aio
async def test_v1_deleted_items_restore_and_purge(lw_v1):
    keep = await lw_v1.workflows.post(joiner_workflow("Restored"))
    gone = await lw_v1.workflows.post(joiner_workflow("Purged"))
    for w in (keep, gone):
        await lw_v1.workflows.by_workflow_id(w.id).delete()
    assert await lw_v1.deleted_items.workflows.count.get() == 2
    restored = await lw_v1.deleted_items.workflows.by_workflow_id(
        keep.id
    ).microsoft_graph_identity_governance_restore.post()
    assert restored.id == keep.id and restored.deleted_date_time is None
    assert (await lw_v1.workflows.by_workflow_id(keep.id).get()).display_name == "Restored"
    await lw_v1.deleted_items.workflows.by_workflow_id(gone.id).delete()
    await expect_error(
        lw_v1.deleted_items.workflows.by_workflow_id(gone.id).get(), 404, "ResourceNotFound"
    )
    assert (await lw_v1.deleted_items.workflows.get()).value == []


@aio
async def test_v1_settings_and_custom_task_extensions(lw_v1, lw):
    await lw_v1.settings.patch(
        LifecycleManagementSettings(
            workflow_schedule_interval_in_hours=6,
            email_settings=EmailSettings(sender_domain="contoso.com", use_company_branding=False),
        )
    )
    got = await lw_v1.settings.get()
    assert got.workflow_schedule_interval_in_hours == 6
    assert got.email_settings.sender_domain == "contoso.com"
    assert (await lw.settings.get()).workflow_schedule_interval_in_hours == 6
    await expect_error(
        lw_v1.settings.patch(LifecycleManagementSettings(workflow_schedule_interval_in_hours=0)),
        400,
        "BadRequest",
    )

    created = await lw_v1.custom_task_extensions.post(
        CustomTaskExtension(
            display_name="Notify HR",
            description="v1.0 extension",
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
    )
    assert created.id and created.display_name == "Notify HR"
    assert isinstance(created.endpoint_configuration, LogicAppTriggerEndpointConfiguration)
    assert isinstance(created.authentication_configuration, AzureAdPopTokenAuthentication)
    assert created.callback_configuration.timeout_duration == datetime.timedelta(minutes=5)
    ext = lw_v1.custom_task_extensions.by_custom_task_extension_id(created.id)
    await ext.patch(CustomTaskExtension(description="patched on v1.0"))
    assert (await ext.get()).description == "patched on v1.0"
    beta_view = await lw.custom_task_extensions.by_custom_task_extension_id(created.id).get()
    assert beta_view.description == "patched on v1.0"
    assert await lw_v1.custom_task_extensions.count.get() == 1
    await ext.delete()
    await expect_error(ext.get(), 404, "ResourceNotFound")
