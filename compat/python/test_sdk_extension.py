"""msgraph-beta-sdk (Python) against lcw: a "Run a Custom Task Extension" task calls a
receiver on loopback (the server runs with `--callout-allow-host 127.0.0.1`, see
conftest.py), waits for its callback, and is resumed through the SDK's `resume` request
builder, as a Logic App's managed identity would.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.microsoft_graph_identity_governance_activate.activate_post_request_body import (
    ActivatePostRequestBody,
)
from msgraph_beta.generated.identity_governance.lifecycle_workflows.workflows.item.tasks.item.task_processing_results.item.microsoft_graph_identity_governance_resume.resume_post_request_body import (
    ResumePostRequestBody,
)
from msgraph_beta.generated.models.application import Application
from msgraph_beta.generated.models.azure_ad_token_authentication import (
    AzureAdTokenAuthentication,
)
from msgraph_beta.generated.models.custom_extension_client_configuration import (
    CustomExtensionClientConfiguration,
)
from msgraph_beta.generated.models.http_request_endpoint import HttpRequestEndpoint
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
from msgraph_beta.generated.models.identity_governance.lifecycle_workflow_processing_status import (
    LifecycleWorkflowProcessingStatus as Status,
)
from msgraph_beta.generated.models.key_value_pair import KeyValuePair
from msgraph_beta.generated.models.user import User

from test_sdk_engine import aio, expect_error, leaver_workflow, leavers, task, wait_runs

RUN_CUSTOM_TASK_EXTENSION = "4262b724-8dba-4fad-afc3-43fcbb497a0e"
DISABLE_USER_ACCOUNT = "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950"
CALLBACK_APP = "5e1f0000-0000-4000-8000-00000000ca11"


class Receiver:
    """An HTTP server on 127.0.0.1 recording every POST and answering 202."""

    def __init__(self) -> None:
        calls: list[dict[str, Any]] = []

        class Hook(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                n = int(self.headers.get("Content-Length") or 0)
                calls.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization") or "",
                        "body": json.loads(self.rfile.read(n) or b"null"),
                    }
                )
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.calls = calls
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    async def wait_for_call(self) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while not self.calls:
            assert time.monotonic() < deadline, "the extension was never called"
            await asyncio.sleep(0.05)
        return self.calls[0]


def resume_body(status: CustomTaskExtensionOperationStatus) -> ResumePostRequestBody:
    return ResumePostRequestBody(
        data=CustomTaskExtensionCallbackData(operation_status=status),
        source="sample",
        type="lifecycleEvent",
    )


@aio
async def test_resume_a_waiting_custom_task_extension(client, lw, lcw, tenant):
    hook = Receiver()
    try:
        ext = await lw.custom_task_extensions.post(
            CustomTaskExtension(
                display_name="Loopback hook",
                endpoint_configuration=HttpRequestEndpoint(
                    target_url=f"http://127.0.0.1:{hook.port}/hook"
                ),
                authentication_configuration=AzureAdTokenAuthentication(
                    resource_id="api://compat-hook"
                ),
                client_configuration=CustomExtensionClientConfiguration(
                    maximum_retries=0, timeout_in_milliseconds=2000
                ),
                callback_configuration=CustomTaskExtensionCallbackConfiguration(
                    timeout_duration=datetime.timedelta(minutes=30),
                    authorized_apps=[Application(app_id=CALLBACK_APP)],
                ),
            )
        )
        assert ext is not None and ext.id
        body = leaver_workflow("Call the hook, then disable")
        call_hook = task("Call the hook", RUN_CUSTOM_TASK_EXTENSION)
        call_hook.arguments = [KeyValuePair(name="customTaskExtensionID", value=ext.id)]
        body.tasks = [call_hook, task("Disable user account", DISABLE_USER_ACCOUNT)]
        created = await lw.workflows.post(body)
        assert created is not None and created.id
        wf = lw.workflows.by_workflow_id(created.id)
        (user,) = await leavers(client, "hookuser")
        await wf.microsoft_graph_identity_governance_activate.post(
            ActivatePostRequestBody(subjects=[User(id=user.id)])
        )

        call = await hook.wait_for_call()
        data = call["body"]["data"]
        assert call["authorization"].startswith("Bearer ")
        assert data["@odata.type"] == "microsoft.graph.identityGovernance.customTaskExtensionCalloutData"
        assert data["subject"]["id"] == user.id
        assert data["workflow"]["id"] == created.id
        task_id = data["task"]["id"]
        tpr_id = data["taskProcessingresult"]["id"]
        assert data["callbackUriPath"].endswith(
            f"/tasks/{task_id}/taskProcessingResults/{tpr_id}/microsoft.graph.identityGovernance.resume"
        )

        runs = (await wf.runs.get()).value or []
        assert [r.processing_status for r in runs] == [Status.InProgress]
        resume = (
            wf.tasks.by_task_id(task_id)
            .task_processing_results.by_task_processing_result_id(tpr_id)
            .microsoft_graph_identity_governance_resume
        )
        # The default app is not among the extension's authorizedApps.
        await expect_error(
            resume.post(resume_body(CustomTaskExtensionOperationStatus.Completed)),
            403,
            "Authorization_RequestDenied",
        )
        app = lcw.client(lcw.token(tenant, "--app-id", CALLBACK_APP))
        app_resume = (
            app.identity_governance.lifecycle_workflows.workflows.by_workflow_id(created.id)
            .tasks.by_task_id(task_id)
            .task_processing_results.by_task_processing_result_id(tpr_id)
            .microsoft_graph_identity_governance_resume
        )
        assert await app_resume.post(resume_body(CustomTaskExtensionOperationStatus.Completed)) is None

        (run,) = await wait_runs(wf, 1)
        assert run.processing_status == Status.Completed
        results = (
            await wf.runs.by_run_id(run.id).task_processing_results.get()
        ).value or []
        assert [r.processing_status for r in results] == [Status.Completed] * 2
        disabled = await client.users.by_user_id(user.id).get()
        assert disabled is not None and disabled.account_enabled is False
        # Resolved: resuming again is a conflict.
        await expect_error(
            app_resume.post(resume_body(CustomTaskExtensionOperationStatus.Failed)),
            409,
            "Conflict",
        )
        assert len(hook.calls) == 1
    finally:
        hook.server.shutdown()
