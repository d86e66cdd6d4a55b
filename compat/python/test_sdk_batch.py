"""msgraph-beta-sdk (Python) against lcw: JSON batching through msgraph-core's own batch helper.

The requests are built by the SDK's request builders (`to_*_request_information`) and sent
with `BatchRequestContent` / `BatchRequestItem` through `BatchRequestBuilder`, as an
application batches Graph calls. msgraph-core writes the dependency list as `depends_on`.
Its response parser reads each part's status and headers but not a JSON body (it expects
base64 there), so bodies are checked with single calls, as an application would.
"""

from __future__ import annotations

import uuid

from msgraph_beta.generated.models.identity_governance.workflow import Workflow
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.requests.batch_response_content import BatchResponseContent

from test_sdk import aio, new_workflow


@aio
async def test_batch_depends_on_chain(client, lw):
    batches = BatchRequestBuilder(client.request_adapter)
    name = f"Batched {uuid.uuid4()}"
    create = BatchRequestItem(lw.workflows.to_post_request_information(new_workflow(name)), id="create")
    # A workflow without a category is refused; what depends on it is not run.
    invalid = BatchRequestItem(
        lw.workflows.to_post_request_information(Workflow(display_name="No category")),
        id="invalid",
        depends_on=[create],
    )
    after_invalid = BatchRequestItem(
        lw.workflows.to_get_request_information(), id="after-invalid", depends_on=["invalid"]
    )
    settings = BatchRequestItem(lw.settings.to_get_request_information(), id="settings")
    content = BatchRequestContent()
    for item in (create, invalid, after_invalid, settings):
        content.add_request(item.id, item)
    response = await batches.post(content)
    assert isinstance(response, BatchResponseContent)
    assert response.get_response_status_codes() == {
        "create": 201,
        "invalid": 400,
        "after-invalid": 424,
        "settings": 200,
    }
    assert response.get_response_by_id("create").content_type.startswith("application/json")

    # What the batch created is there for single calls too, and nothing else.
    listed = await lw.workflows.get()
    assert [w.display_name for w in listed.value] == [name]
    workflow_id = listed.value[0].id

    # Serial: the read runs after the delete (404), the deleted item is there after that.
    item = lw.workflows.by_workflow_id(workflow_id)
    delete = BatchRequestItem(item.to_delete_request_information(), id="delete")
    read = BatchRequestItem(item.to_get_request_information(), id="read", depends_on=[delete])
    deleted = BatchRequestItem(
        lw.deleted_items.workflows.by_workflow_id(workflow_id).to_get_request_information(),
        id="deleted",
        depends_on=[read],
    )
    response = await batches.post(BatchRequestContent({r.id: r for r in (delete, read, deleted)}))
    # A failed read fails what depends on it, as Graph does.
    assert response.get_response_status_codes() == {"delete": 204, "read": 404, "deleted": 424}
    fetched = await lw.deleted_items.workflows.by_workflow_id(workflow_id).get()
    assert fetched.display_name == name
