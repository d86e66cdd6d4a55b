"""msgraph-beta-sdk (Python) against lcw: running workflows and reading what they did.

Activation (activate, activateWithScope, activateAndWait, previewWorkflow), run history
(runs, user/subject/task processing results, task reports, reprocessedRuns, executionScope),
the summary and insights functions (sent by the Python SDK WITHOUT the comma between the
parameters), cancelProcessing, clearQuarantine, previewTaskFailures, the evolvable-enum rule
for `workflowExecutionType`, and the reprocessedRuns `$ref` removal under deletedItems, which
has no builder in the SDK (`with_url`).

Each test owns a fresh tenant (see conftest.py), so counts are exact. Runs are processed by
the server's own workers; tests poll (bounded, <= 10 s) until a run is final.
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
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate.activate_post_request_body import (
    ActivatePostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate_and_wait.activate_and_wait_post_request_body import (
    ActivateAndWaitPostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate_with_scope.activate_with_scope_post_request_body import (
    ActivateWithScopePostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_cancel_processing.cancel_processing_post_request_body import (
    CancelProcessingPostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_preview_workflow.preview_workflow_post_request_body import (
    PreviewWorkflowPostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.runs.runs_request_builder import (
    RunsRequestBuilder,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.user_processing_results.user_processing_results_request_builder import (
    UserProcessingResultsRequestBuilder,
)
from msgraph_beta.generated.models.directory_object import DirectoryObject
from msgraph_beta.generated.models.group import Group
from msgraph_beta.generated.models.identity_governance.activate_group_scope import (
    ActivateGroupScope,
)
from msgraph_beta.generated.models.identity_governance.activate_processing_result_scope import (
    ActivateProcessingResultScope,
)
from msgraph_beta.generated.models.identity_governance.activate_run_scope import ActivateRunScope
from msgraph_beta.generated.models.identity_governance.activate_user_scope import ActivateUserScope
from msgraph_beta.generated.models.identity_governance.activation_task_scope_type import (
    ActivationTaskScopeType,
)
from msgraph_beta.generated.models.identity_governance.activation_user_scope_type import (
    ActivationUserScopeType,
)
from msgraph_beta.generated.models.identity_governance.cancel_runs_scope import CancelRunsScope
from msgraph_beta.generated.models.identity_governance.directory_object_workflow_subject import (
    DirectoryObjectWorkflowSubject,
)
from msgraph_beta.generated.models.identity_governance.lifecycle_workflow_category import (
    LifecycleWorkflowCategory,
)
from msgraph_beta.generated.models.identity_governance.lifecycle_workflow_processing_status import (
    LifecycleWorkflowProcessingStatus as Status,
)
from msgraph_beta.generated.models.identity_governance.quarantine_type import QuarantineType
from msgraph_beta.generated.models.identity_governance.rule_based_subject_set import (
    RuleBasedSubjectSet,
)
from msgraph_beta.generated.models.identity_governance.run import Run
from msgraph_beta.generated.models.identity_governance.subject_type import SubjectType
from msgraph_beta.generated.models.identity_governance.task import Task
from msgraph_beta.generated.models.identity_governance.user_processing_result import (
    UserProcessingResult,
)
from msgraph_beta.generated.models.identity_governance.time_based_attribute_trigger import (
    TimeBasedAttributeTrigger,
)
from msgraph_beta.generated.models.identity_governance.trigger_and_scope_based_conditions import (
    TriggerAndScopeBasedConditions,
)
from msgraph_beta.generated.models.identity_governance.workflow import Workflow
from msgraph_beta.generated.models.identity_governance.workflow_execution_type import (
    WorkflowExecutionType as ExecType,
)
from msgraph_beta.generated.models.identity_governance.workflow_trigger_time_based_attribute import (
    WorkflowTriggerTimeBasedAttribute,
)
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.password_profile import PasswordProfile
from msgraph_beta.generated.models.reference_create import ReferenceCreate
from msgraph_beta.generated.models.user import User

# Built-in task definitions (crates/model/data/task_definitions.json).
DISABLE_USER_ACCOUNT = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950"
REVOKE_REFRESH_TOKENS = "509589a4-0466-4471-829e-49c5e502bdee"
ENABLE_USER_ACCOUNT = "6fc52c9d-398b-4305-9763-15f42c1676fc"
GENERATE_TAP = "1b555e50-7f65-41d5-b514-5894a026d10d"  # mails the manager: fails without one

FINAL = {Status.Completed, Status.CompletedWithErrors, Status.Failed, Status.Canceled}
POLL_TIMEOUT_S = 10.0
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
    assert err.error is not None, err
    assert err.error.code == code, (err.error.code, err.error.message)
    assert err.error.message, err
    return err


def prefer_unknown() -> RequestConfiguration:
    cfg = RequestConfiguration()
    cfg.headers.add("Prefer", "include-unknown-enum-members")
    return cfg


async def wait_runs(wf, count: int, *, prefer: bool = False) -> list[Run]:
    """Poll `wf.runs.get()` (<= 10 s) until there are `count` runs, all final."""
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while True:
        page = await wf.runs.get(prefer_unknown() if prefer else None)
        runs = page.value or []
        if len(runs) >= count and all(r.processing_status in FINAL for r in runs):
            assert len(runs) == count, [(r.id, r.processing_status) for r in runs]
            return runs
        if time.monotonic() > deadline:
            raise AssertionError(
                f"runs not final after {POLL_TIMEOUT_S}s: "
                f"{[(r.id, r.processing_status, r.workflow_execution_type) for r in runs]}"
            )
        await asyncio.sleep(0.05)


def new_user(nick: str, **extra: Any) -> User:
    return User(
        account_enabled=extra.pop("account_enabled", True),
        display_name=f"{nick.title()} Example",
        mail_nickname=nick,
        user_principal_name=f"{nick}@contoso.example",
        password_profile=PasswordProfile(
            force_change_password_next_sign_in=True, password="xWwvJ]6NMw+bWH-d"
        ),
        **extra,
    )


def task(name: str, definition: str, *, continue_on_error: bool = False) -> Task:
    return Task(
        display_name=name,
        description=f"{name} (compat)",
        task_definition_id=definition,
        is_enabled=True,
        continue_on_error=continue_on_error,
        arguments=[],
    )


def leaver_workflow(name: str = "Offboard marketing") -> Workflow:
    return Workflow(
        category=LifecycleWorkflowCategory.Leaver,
        display_name=name,
        description=f"{name} description",
        is_enabled=True,
        is_scheduling_enabled=False,
        execution_conditions=TriggerAndScopeBasedConditions(
            scope=RuleBasedSubjectSet(rule="(department eq 'Marketing')"),
            trigger=TimeBasedAttributeTrigger(
                time_based_attribute=WorkflowTriggerTimeBasedAttribute.EmployeeLeaveDateTime,
                offset_in_days=7,
            ),
        ),
        tasks=[
            task("Disable user account", DISABLE_USER_ACCOUNT),
            task("Revoke all refresh tokens for user", REVOKE_REFRESH_TOKENS),
        ],
    )


def joiner_workflow(name: str = "Onboard sales") -> Workflow:
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


async def leavers(client, *nicks: str) -> list[User]:
    """Marketing users whose leave date makes them due for the leaver workflow today."""
    leave = datetime.datetime.now(UTC) - datetime.timedelta(days=7)
    out = []
    for n in nicks:
        u = await client.users.post(
            new_user(n, department="Marketing", employee_leave_date_time=leave)
        )
        assert u is not None and u.id
        out.append(u)
    return out


async def joiners(client, *nicks: str) -> list[User]:
    """Disabled Sales users hired today (the joiner workflow enables them)."""
    hired = datetime.datetime.now(UTC).replace(microsecond=0)
    out = []
    for n in nicks:
        u = await client.users.post(
            new_user(n, department="Sales", employee_hire_date=hired, account_enabled=False)
        )
        assert u is not None and u.id
        out.append(u)
    return out


def window(hours: float = 1.0) -> dict[str, datetime.datetime]:
    now = datetime.datetime.now(UTC)
    return {
        "start_date_time": now - datetime.timedelta(hours=hours),
        "end_date_time": now + datetime.timedelta(hours=hours),
    }


def past_window() -> dict[str, datetime.datetime]:
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    return {
        "start_date_time": now - datetime.timedelta(days=30),
        "end_date_time": now - datetime.timedelta(days=29),
    }


# ---------------------------------------------------------------- activate and run history


@aio
async def test_activate_runs_results_reports_summaries(client, lw, lcw):
    alice, bob = await leavers(client, "alice", "bob")
    group = await client.groups.post(
        Group(display_name="Marketing", mail_enabled=False, mail_nickname="marketing", security_enabled=True)
    )
    for u in (alice, bob):
        await client.groups.by_group_id(group.id).members.ref.post(
            ReferenceCreate(odata_id=f"{lcw.base_url}/directoryObjects/{u.id}")
        )
    created = await lw.workflows.post(leaver_workflow())
    wf = lw.workflows.by_workflow_id(created.id)
    tasks = {t.display_name: t for t in (await wf.tasks.get()).value}

    assert (await wf.runs.get()).value == []
    # Before any run both users are in the execution scope as placeholders (queued).
    before = await wf.execution_scope.get()
    assert sorted(x.subject.id for x in before.value) == sorted([alice.id, bob.id])
    assert {x.processing_status for x in before.value} == {Status.Queued}

    result = await wf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=alice.id), User(id=bob.id)])
    )
    assert result is None  # 204
    (run,) = await wait_runs(wf, 1)
    assert run.processing_status == Status.Completed
    assert run.workflow_execution_type == ExecType.OnDemand
    assert (run.total_users_count, run.successful_users_count, run.failed_users_count) == (2, 2, 0)
    assert (run.total_tasks_count, run.failed_tasks_count, run.total_unprocessed_tasks_count) == (4, 0, 0)
    assert isinstance(run.started_date_time, datetime.datetime)
    assert run.completed_date_time >= run.started_date_time
    assert await wf.runs.count.get() == 1

    # The tasks did what they say.
    for u in (alice, bob):
        assert (await client.users.by_user_id(u.id).get()).account_enabled is False

    r = wf.runs.by_run_id(run.id)
    got = await r.get()
    assert got.id == run.id and got.processing_status == Status.Completed
    assert got.total_users_count == 2

    uprs = (await r.user_processing_results.get()).value
    assert sorted(u.subject.id for u in uprs) == sorted([alice.id, bob.id])
    for u in uprs:
        assert u.processing_status == Status.Completed
        assert u.workflow_execution_type == ExecType.OnDemand
        assert u.workflow_version == 1
        assert (u.total_tasks_count, u.failed_tasks_count, u.total_unprocessed_tasks_count) == (2, 0, 0)
    upr_alice = next(u for u in uprs if u.subject.id == alice.id)
    assert await r.user_processing_results.count.get() == 2

    tprs = (
        await r.user_processing_results.by_user_processing_result_id(upr_alice.id)
        .task_processing_results.get()
    ).value
    assert sorted(t.task.task_definition_id for t in tprs) == sorted(
        [DISABLE_USER_ACCOUNT, REVOKE_REFRESH_TOKENS]
    )
    assert {t.processing_status for t in tprs} == {Status.Completed}
    assert {t.subject.id for t in tprs} == {alice.id}
    assert {t.task.id for t in tprs} == {t.id for t in tasks.values()}
    assert all(t.failure_reason is None for t in tprs)

    # Workflow-wide user processing results, with $filter.
    qp = UserProcessingResultsRequestBuilder.UserProcessingResultsRequestBuilderGetQueryParameters
    done = await wf.user_processing_results.get(
        RequestConfiguration(query_parameters=qp(filter="processingStatus eq 'completed'", count=True))
    )
    assert done.odata_count == 2
    assert sorted(u.id for u in done.value) == sorted(u.id for u in uprs)
    failed = await wf.user_processing_results.get(
        RequestConfiguration(query_parameters=qp(filter="processingStatus eq 'failed'"))
    )
    assert failed.value == []

    reports = (await wf.task_reports.get()).value
    assert sorted(rep.task_definition.id for rep in reports) == sorted(
        [DISABLE_USER_ACCOUNT, REVOKE_REFRESH_TOKENS]
    )
    for rep in reports:
        assert rep.run_id == run.id
        assert rep.processing_status == Status.Completed
        assert (rep.total_users_count, rep.successful_users_count, rep.failed_users_count) == (2, 2, 0)
        assert rep.unprocessed_users_count == 0
        assert rep.task.id in {t.id for t in tasks.values()}

    subjects = (await wf.subject_processing_results.get()).value
    assert len(subjects) == 2
    for s in subjects:
        assert isinstance(s.subject, DirectoryObjectWorkflowSubject)
        assert s.subject_type == [SubjectType.User]  # a flags enum in the SDK: parsed as a list
        assert s.processing_status == Status.Completed
    assert sorted(s.subject.directory_object.id for s in subjects) == sorted([alice.id, bob.id])

    # Summaries: the SDK sends `summary(startDateTime=...endDateTime=...)` without the comma.
    rs = await wf.runs.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (rs.total_runs, rs.successful_runs, rs.failed_runs) == (1, 1, 0)
    assert (rs.total_users, rs.total_tasks, rs.failed_tasks) == (2, 4, 0)
    us = await wf.user_processing_results.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (us.total_users, us.successful_users, us.failed_users) == (2, 2, 0)
    assert (us.total_tasks, us.failed_tasks) == (4, 0)
    run_us = await r.user_processing_results.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (run_us.total_users, run_us.successful_users) == (2, 2)
    empty = await wf.runs.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **past_window()
    ).get()
    assert (empty.total_runs, empty.total_users, empty.total_tasks) == (0, 0, 0)

    # executionScope now answers each in-scope user's latest result.
    scope = await wf.execution_scope.get()
    assert sorted(x.id for x in scope.value) == sorted(u.id for u in uprs)
    one = await wf.execution_scope.by_user_processing_result_id(upr_alice.id).get()
    assert one.id == upr_alice.id and one.subject.id == alice.id
    assert one.processing_status == Status.Completed

    # activateWithScope with a group: a run of type activatedWithScope, an evolvable member
    # that is only sent with `Prefer: include-unknown-enum-members`.
    await wf.microsoft_graph_identity_governance_activate_with_scope.post(
        ActivateWithScopePostRequestBody(scope=ActivateGroupScope(group=Group(id=group.id)))
    )
    runs = await wait_runs(wf, 2)
    (grun,) = [x for x in runs if x.id != run.id]
    assert grun.workflow_execution_type == ExecType.UnknownFutureValue
    assert grun.total_users_count == 2 and grun.processing_status == Status.Completed
    assert isinstance(grun.activated_on_scope, ActivateGroupScope)
    assert grun.activated_on_scope.group.id == group.id
    opted = await wf.runs.by_run_id(grun.id).get(prefer_unknown())
    assert opted.workflow_execution_type == ExecType.ActivatedWithScope
    listed = {x.id: x.workflow_execution_type for x in (await wf.runs.get(prefer_unknown())).value}
    assert listed == {run.id: ExecType.OnDemand, grun.id: ExecType.ActivatedWithScope}


@aio
async def test_failure_reprocess_with_run_scope_and_deleted_reprocessed_ref(client, lw, lcw):
    carol, dave = await joiners(client, "carol", "dave")
    created = await lw.workflows.post(joiner_workflow())
    wf = lw.workflows.by_workflow_id(created.id)
    # previewTaskFailures names tasks lcw cannot run: it runs all of these (the TAP task
    # fails below because the joiners have no manager).
    failures = await wf.microsoft_graph_identity_governance_preview_task_failures.post()
    assert failures.value == []

    await wf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=carol.id), User(id=dave.id)])
    )
    (orig,) = await wait_runs(wf, 1)
    assert orig.processing_status == Status.CompletedWithErrors
    assert (orig.total_users_count, orig.successful_users_count, orig.failed_users_count) == (2, 0, 2)
    assert (orig.total_tasks_count, orig.failed_tasks_count) == (4, 2)
    assert (await client.users.by_user_id(carol.id).get()).account_enabled is True

    o = wf.runs.by_run_id(orig.id)
    uprs = (await o.user_processing_results.get()).value
    assert {u.processing_status for u in uprs} == {Status.CompletedWithErrors}
    assert {u.failed_tasks_count for u in uprs} == {1}
    upr_carol = next(u for u in uprs if u.subject.id == carol.id)
    tprs = {
        t.task.task_definition_id: t
        for t in (
            await o.user_processing_results.by_user_processing_result_id(upr_carol.id)
            .task_processing_results.get()
        ).value
    }
    assert tprs[ENABLE_USER_ACCOUNT].processing_status == Status.Completed
    assert tprs[GENERATE_TAP].processing_status == Status.Failed
    assert tprs[GENERATE_TAP].failure_reason

    us = await wf.user_processing_results.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (us.total_users, us.successful_users, us.failed_users, us.failed_tasks) == (2, 0, 2, 2)
    rs = await wf.runs.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (rs.total_runs, rs.successful_runs, rs.failed_runs, rs.failed_tasks) == (1, 0, 1, 2)

    # Rerun the failed tasks of the failed users of that run.
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
    (rerun,) = [x for x in runs if x.id != orig.id]
    assert rerun.workflow_execution_type == ExecType.UnknownFutureValue  # no Prefer
    assert (rerun.total_users_count, rerun.total_tasks_count) == (2, 2)  # only the failed task
    assert rerun.processing_status == Status.CompletedWithErrors
    assert isinstance(rerun.activated_on_scope, ActivateRunScope)
    assert rerun.activated_on_scope.run.id == orig.id
    assert rerun.activated_on_scope.user_scope == ActivationUserScopeType.FailedUsers
    assert rerun.activated_on_scope.task_scope == ActivationTaskScopeType.FailedTasks
    opted = await wf.runs.by_run_id(rerun.id).get(prefer_unknown())
    assert opted.workflow_execution_type == ExecType.ActivatedWithScope
    assert (await o.get(prefer_unknown())).workflow_execution_type == ExecType.OnDemand
    rerun_uprs = (await wf.runs.by_run_id(rerun.id).user_processing_results.get()).value
    assert {u.workflow_execution_type for u in rerun_uprs} == {ExecType.UnknownFutureValue}
    rerun_uprs = (
        await wf.runs.by_run_id(rerun.id).user_processing_results.get(prefer_unknown())
    ).value
    assert {u.workflow_execution_type for u in rerun_uprs} == {ExecType.ActivatedWithScope}
    assert {u.total_tasks_count for u in rerun_uprs} == {1}

    # The rerun is linked from the original run and from each user result it reprocessed.
    linked = await o.reprocessed_runs.get()
    assert [x.id for x in linked.value] == [rerun.id]
    assert await o.reprocessed_runs.count.get() == 1
    assert (await o.reprocessed_runs.by_run_id1(rerun.id).get()).id == rerun.id
    by_upr = await o.user_processing_results.by_user_processing_result_id(
        upr_carol.id
    ).reprocessed_runs.get()
    assert [x.id for x in by_upr.value] == [rerun.id]
    assert (await wf.runs.by_run_id(rerun.id).reprocessed_runs.get()).value == []

    # executionScope keeps the latest scheduled/on-demand result per user.
    scope = await wf.execution_scope.get()
    assert sorted(x.id for x in scope.value) == sorted(u.id for u in uprs)
    item = await wf.execution_scope.by_user_processing_result_id(upr_carol.id).get()
    assert item.id == upr_carol.id and item.processing_status == Status.CompletedWithErrors

    # Delete the workflow; its history stays readable under deletedItems, and the
    # executionScope reprocessedRuns link can be removed there (no SDK builder: with_url).
    await wf.delete()
    dwf = lw.deleted_items.workflows.by_workflow_id(created.id)
    abs_url = (
        f"{lcw.base_url}/identityGovernance/lifecycleWorkflows/deletedItems/workflows/"
        f"{created.id}/executionScope/{upr_carol.id}/reprocessedRuns"
    )
    reader = dwf.user_processing_results.by_user_processing_result_id(upr_carol.id).reprocessed_runs
    page = await reader.with_url(abs_url).get()
    assert [x.id for x in page.value] == [rerun.id]

    assert await dwf.with_url(f"{abs_url}/{rerun.id}/$ref").delete() is None
    assert (await reader.with_url(abs_url).get()).value == []
    still = await dwf.runs.by_run_id(rerun.id).get()
    assert still.id == rerun.id and still.total_users_count == 2
    # Only that link went: the run-level link and dave's link remain.
    assert [x.id for x in (await dwf.runs.by_run_id(orig.id).reprocessed_runs.get()).value] == [rerun.id]
    upr_dave = next(u for u in uprs if u.subject.id == dave.id)
    dave_links = await dwf.user_processing_results.by_user_processing_result_id(
        upr_dave.id
    ).reprocessed_runs.get()
    assert [x.id for x in dave_links.value] == [rerun.id]

    await expect_error(dwf.with_url(f"{abs_url}/{rerun.id}/$ref").delete(), 404, "ResourceNotFound")


@aio
async def test_preview_cancel_clear_quarantine_activate_and_wait(client, lw):
    (erin,) = await leavers(client, "erin")
    created = await lw.workflows.post(leaver_workflow("Offboard erin"))
    wf = lw.workflows.by_workflow_id(created.id)

    # previewWorkflow: a run of type preview that changes nothing in the directory.
    assert (
        await wf.microsoft_graph_identity_governance_preview_workflow.post(
            PreviewWorkflowPostRequestBody(subjects=[DirectoryObject(id=erin.id)])
        )
        is None
    )
    (preview,) = await wait_runs(wf, 1, prefer=True)
    assert preview.workflow_execution_type == ExecType.Preview
    assert (await wf.runs.by_run_id(preview.id).get()).workflow_execution_type == ExecType.UnknownFutureValue
    assert preview.processing_status == Status.Completed and preview.total_users_count == 1
    assert (await client.users.by_user_id(erin.id).get()).account_enabled is True
    (pupr,) = (await wf.runs.by_run_id(preview.id).user_processing_results.get()).value
    ptprs = (
        await wf.runs.by_run_id(preview.id)
        .user_processing_results.by_user_processing_result_id(pupr.id)
        .task_processing_results.get()
    ).value
    assert len(ptprs) == 2
    assert all(t.processing_info and t.processing_info.startswith("Preview") for t in ptprs), [
        t.processing_info for t in ptprs
    ]

    # cancelProcessing: a completed run cannot be canceled; an unknown run is a 404.
    err = await expect_error(
        wf.microsoft_graph_identity_governance_cancel_processing.post(
            CancelProcessingPostRequestBody(scope=CancelRunsScope(runs=[Run(id=preview.id)]))
        ),
        400,
        "BadRequest",
    )
    assert "completed" in err.error.message, err.error.message
    await expect_error(
        wf.microsoft_graph_identity_governance_cancel_processing.post(
            CancelProcessingPostRequestBody(scope=CancelRunsScope(runs=[Run(id=str(uuid.uuid4()))]))
        ),
        404,
        "ResourceNotFound",
    )
    assert (await wf.runs.by_run_id(preview.id).get()).processing_status == Status.Completed

    # clearQuarantine answers the workflow.
    cleared = await wf.microsoft_graph_identity_governance_clear_quarantine.post()
    assert cleared is not None and cleared.id == created.id
    assert cleared.display_name == "Offboard erin"
    assert cleared.quarantine_details.quarantine_type == QuarantineType.NotQuarantined
    assert [t.task_definition_id for t in cleared.tasks] == [DISABLE_USER_ACCOUNT, REVOKE_REFRESH_TOKENS]

    # activateAndWait answers when the user has been processed.
    awaited = await wf.microsoft_graph_identity_governance_activate_and_wait.post(
        ActivateAndWaitPostRequestBody(
            subject=DirectoryObjectWorkflowSubject(directory_object=DirectoryObject(id=erin.id))
        )
    )
    assert awaited.processing_status == Status.Completed
    assert awaited.status_reasons == []
    assert isinstance(awaited.subject, DirectoryObjectWorkflowSubject)
    assert awaited.subject.directory_object.id == erin.id
    assert (await client.users.by_user_id(erin.id).get()).account_enabled is False
    runs = await wait_runs(wf, 2, prefer=True)
    assert sorted(r.workflow_execution_type.value for r in runs) == ["onDemand", "preview"]

    # Activation errors.
    await expect_error(
        wf.microsoft_graph_identity_governance_activate.post(
            ActivatePostRequestBody(subjects=[User(id=str(uuid.uuid4()))])
        ),
        400,
        "BadRequest",
    )
    await wf.patch(Workflow(is_enabled=False))
    await expect_error(
        wf.microsoft_graph_identity_governance_activate.post(
            ActivatePostRequestBody(subjects=[User(id=erin.id)])
        ),
        400,
        "BadRequest",
    )
    await expect_error(
        wf.microsoft_graph_identity_governance_activate_with_scope.post(
            ActivateWithScopePostRequestBody(
                scope=ActivateRunScope(run=Run(id=str(uuid.uuid4())), user_scope=ActivationUserScopeType.AllUsers)
            )
        ),
        400,
        "BadRequest",
    )
    assert await wf.runs.count.get() == 2


@aio
async def test_activate_with_user_and_processing_result_scopes(client, lw, lcw):
    carol, dave = await joiners(client, "carol", "dave")
    created = await lw.workflows.post(joiner_workflow())
    wf = lw.workflows.by_workflow_id(created.id)
    await wf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=carol.id), User(id=dave.id)])
    )
    (orig,) = await wait_runs(wf, 1)
    uprs = (await wf.runs.by_run_id(orig.id).user_processing_results.get()).value
    upr_carol = next(u for u in uprs if u.subject.id == carol.id)

    # Rerun every task for one user result; then run for one user outright.
    await wf.microsoft_graph_identity_governance_activate_with_scope.post(
        ActivateWithScopePostRequestBody(
            scope=ActivateProcessingResultScope(
                processing_results=[UserProcessingResult(id=upr_carol.id)],
                task_scope=ActivationTaskScopeType.AllTasks,
            )
        )
    )
    runs = await wait_runs(wf, 2)
    (by_result,) = [r for r in runs if r.id != orig.id]
    await wf.microsoft_graph_identity_governance_activate_with_scope.post(
        ActivateWithScopePostRequestBody(scope=ActivateUserScope(users=[User(id=dave.id)]))
    )
    runs = await wait_runs(wf, 3)
    (by_user,) = [r for r in runs if r.id not in (orig.id, by_result.id)]

    assert isinstance(by_result.activated_on_scope, ActivateProcessingResultScope)
    assert [p.id for p in by_result.activated_on_scope.processing_results] == [upr_carol.id]
    assert by_result.activated_on_scope.task_scope == ActivationTaskScopeType.AllTasks
    assert (by_result.total_users_count, by_result.total_tasks_count) == (1, 2)
    assert isinstance(by_user.activated_on_scope, ActivateUserScope)
    assert [u.id for u in by_user.activated_on_scope.users] == [dave.id]
    assert (by_user.total_users_count, by_user.total_tasks_count) == (1, 2)
    (by_user_upr,) = (await wf.runs.by_run_id(by_user.id).user_processing_results.get()).value
    assert by_user_upr.subject.id == dave.id

    # Only the reprocessing run is linked from what it reprocessed.
    o = wf.runs.by_run_id(orig.id)
    assert [r.id for r in (await o.reprocessed_runs.get()).value] == [by_result.id]
    assert [
        r.id
        for r in (
            await wf.user_processing_results.by_user_processing_result_id(upr_carol.id).reprocessed_runs.get()
        ).value
    ] == [by_result.id]

    # $filter on the execution type (the literal works with or without the Prefer header).
    qp = RunsRequestBuilder.RunsRequestBuilderGetQueryParameters
    scoped = await wf.runs.get(
        RequestConfiguration(query_parameters=qp(filter="workflowExecutionType eq 'activatedWithScope'"))
    )
    assert sorted(r.id for r in scoped.value) == sorted([by_result.id, by_user.id])
    on_demand = await wf.runs.get(
        RequestConfiguration(query_parameters=qp(filter="workflowExecutionType eq 'onDemand'", count=True))
    )
    assert on_demand.odata_count == 1 and [r.id for r in on_demand.value] == [orig.id]

    s = await wf.runs.microsoft_graph_identity_governance_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (s.total_runs, s.total_tasks, s.failed_tasks) == (3, 8, 4)

    # The run-level link can be removed under deletedItems too (again via with_url).
    await wf.delete()
    dwf = lw.deleted_items.workflows.by_workflow_id(created.id)
    await expect_error(
        dwf.microsoft_graph_identity_governance_activate.post(
            ActivatePostRequestBody(subjects=[User(id=carol.id)])
        ),
        400,
        "BadRequest",
    )
    base = f"{lcw.base_url}/identityGovernance/lifecycleWorkflows/deletedItems/workflows/{created.id}"
    await dwf.with_url(f"{base}/runs/{orig.id}/reprocessedRuns/{by_result.id}/$ref").delete()
    assert (await dwf.runs.by_run_id(orig.id).reprocessed_runs.get()).value == []
    assert (await dwf.runs.by_run_id(by_result.id).get()).id == by_result.id
    assert await dwf.runs.count.get() == 3


# ---------------------------------------------------------------- insights


@aio
async def test_insights_functions(client, lw):
    frank, gina = await leavers(client, "frank", "gina")
    (hank,) = await joiners(client, "hank")
    leaver = await lw.workflows.post(leaver_workflow("Leaver flow"))
    joiner = await lw.workflows.post(joiner_workflow("Joiner flow"))
    lwf = lw.workflows.by_workflow_id(leaver.id)
    jwf = lw.workflows.by_workflow_id(joiner.id)
    await lwf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=frank.id), User(id=gina.id)])
    )
    await jwf.microsoft_graph_identity_governance_activate.post(
        ActivatePostRequestBody(subjects=[User(id=hank.id)])
    )
    (lrun,) = await wait_runs(lwf, 1)
    (jrun,) = await wait_runs(jwf, 1)
    assert lrun.processing_status == Status.Completed
    assert jrun.processing_status == Status.CompletedWithErrors

    ins = lw.insights
    s = await ins.microsoft_graph_identity_governance_workflows_processed_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (s.total_runs, s.successful_runs, s.failed_runs) == (2, 1, 1)
    assert (s.total_users, s.successful_users, s.failed_users) == (3, 2, 1)
    assert (s.total_tasks, s.successful_tasks, s.failed_tasks) == (6, 5, 1)

    c = await ins.microsoft_graph_identity_governance_workflows_processed_by_category_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert (c.total_leaver_runs, c.successful_leaver_runs, c.failed_leaver_runs) == (1, 1, 0)
    assert (c.total_joiner_runs, c.successful_joiner_runs, c.failed_joiner_runs) == (1, 0, 1)
    assert (c.total_mover_runs, c.successful_mover_runs, c.failed_mover_runs) == (0, 0, 0)

    top_wf = await ins.microsoft_graph_identity_governance_top_workflows_processed_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    rows = [
        (w.workflow_id, w.workflow_display_name, w.workflow_category, w.total_runs,
         w.successful_runs, w.failed_runs, w.total_users, w.successful_users, w.failed_users)
        for w in top_wf.value
    ]
    assert rows == [
        (joiner.id, "Joiner flow", LifecycleWorkflowCategory.Joiner, 1, 0, 1, 1, 0, 1),
        (leaver.id, "Leaver flow", LifecycleWorkflowCategory.Leaver, 1, 1, 0, 2, 2, 0),
    ]
    assert {w.workflow_version for w in top_wf.value} == {1}

    top_tasks = await ins.microsoft_graph_identity_governance_top_tasks_processed_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    by_def = {
        t.task_definition_id: (t.task_definition_display_name, t.total_tasks, t.successful_tasks,
                               t.failed_tasks, t.total_users, t.successful_users, t.failed_users)
        for t in top_tasks.value
    }
    assert by_def == {
        DISABLE_USER_ACCOUNT: ("Disable user account", 2, 2, 0, 2, 2, 0),
        REVOKE_REFRESH_TOKENS: ("Revoke all refresh tokens for user", 2, 2, 0, 2, 2, 0),
        ENABLE_USER_ACCOUNT: ("Enable user account", 1, 1, 0, 1, 1, 0),
        GENERATE_TAP: ("Generate TAP and send email", 1, 0, 1, 1, 0, 1),
    }
    assert [t.total_tasks for t in top_tasks.value] == [2, 2, 1, 1]  # most processed first

    # A window with nothing in it.
    e = await ins.microsoft_graph_identity_governance_workflows_processed_summary_with_start_date_time_with_end_date_time(
        **past_window()
    ).get()
    assert (e.total_runs, e.total_users, e.total_tasks) == (0, 0, 0)
    assert (
        await ins.microsoft_graph_identity_governance_top_workflows_processed_summary_with_start_date_time_with_end_date_time(
            **past_window()
        ).get()
    ).value == []
    assert (
        await ins.microsoft_graph_identity_governance_top_tasks_processed_summary_with_start_date_time_with_end_date_time(
            **past_window()
        ).get()
    ).value == []

    # Deleted workflows still count.
    await lwf.delete()
    again = await ins.microsoft_graph_identity_governance_workflows_processed_summary_with_start_date_time_with_end_date_time(
        **window()
    ).get()
    assert again.total_runs == 2
