"""azure-identity against lcw's Entra endpoints: an app signs in with ClientSecretCredential
and calls Lifecycle Workflows through GraphServiceClient, as against Entra and Graph.

MSAL talks to authorities over HTTPS only, so this needs `lcw serve --tls`: it runs when
LCW_TEST_TLS=1 and is skipped otherwise. The server prints the default app's credentials,
the authority host and the CA file as `export` lines, which this reads.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import tempfile
import threading
import uuid

import pytest

if os.environ.get("LCW_TEST_TLS") != "1":
    pytest.skip("needs lcw serve --tls; set LCW_TEST_TLS=1", allow_module_level=True)

from azure.identity import ClientSecretCredential  # noqa: E402
from kiota_authentication_azure.azure_identity_authentication_provider import (  # noqa: E402
    AzureIdentityAuthenticationProvider,
)
from msgraph_beta import GraphRequestAdapter, GraphServiceClient  # noqa: E402

from conftest import lcw_bin  # noqa: E402

BANNER = re.compile(r"^lcw is serving Microsoft Graph Lifecycle Workflows at (https://[^\s]+/beta)\s*$")
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class TlsServer:
    def __init__(self, binary: str, database: str, graph_base: str, env: dict[str, str]) -> None:
        self.binary = binary
        self.database = database
        self.graph_base = graph_base
        self.env = env
        self.authority = env["AZURE_AUTHORITY_HOST"]
        self.ca_file = env.get("REQUESTS_CA_BUNDLE") or env.get("SSL_CERT_FILE")

    def add_app(self, tenant: str, *permissions: str) -> dict[str, str]:
        args = [self.binary, "app", "add", "--database", self.database, "--tenant", tenant,
                "--name", "azure-identity test", "--json"]
        for p in permissions:
            args += ["--permission", p]
        out = subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
        return json.loads(out.stdout)

    def credential(self, tenant: str, client_id: str, secret: str) -> ClientSecretCredential:
        return ClientSecretCredential(
            tenant,
            client_id,
            secret,
            authority=self.authority,
            disable_instance_discovery=True,
            connection_verify=self.ca_file,
        )

    def client(self, credential: ClientSecretCredential, scopes: list[str]) -> GraphServiceClient:
        host = self.graph_base.split("://", 1)[1].split("/", 1)[0].split(":")[0]
        auth = AzureIdentityAuthenticationProvider(credential, scopes=scopes, allowed_hosts=[host])
        adapter = GraphRequestAdapter(auth)
        adapter.base_url = self.graph_base
        return GraphServiceClient(request_adapter=adapter)


@pytest.fixture(scope="module")
def server():
    binary = lcw_bin()
    tmp = tempfile.TemporaryDirectory(prefix="lcw-identity-")
    database = os.environ.get("LCW_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/lcw.db"
    proc = subprocess.Popen(
        [binary, "serve", "--listen", "127.0.0.1:0", "--database", database, "--tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    try:
        first = proc.stdout.readline()
        m = BANNER.match(first)
        assert m, f"unexpected first line from lcw serve --tls: {first!r}"
        env: dict[str, str] = {}
        # The export lines follow the banner, up to the ready-made token.
        for line in proc.stdout:
            if line.startswith("export "):
                for pair in line.split()[1:]:
                    name, _, value = pair.partition("=")
                    env[name] = value
            if line.startswith("token"):
                break
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        assert "AZURE_CLIENT_SECRET" in env, "lcw serve printed no default app credentials"
        yield TlsServer(binary, database, m.group(1), env)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        tmp.cleanup()


def test_default_app_signs_in_and_reads_workflows(server: TlsServer) -> None:
    env = server.env
    credential = server.credential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"])
    token = credential.get_token(GRAPH_SCOPE)
    assert token.token.count(".") == 2
    client = server.client(credential, [GRAPH_SCOPE])

    async def call():
        return await client.identity_governance.lifecycle_workflows.workflows.get()

    result = asyncio.run(call())
    assert result is not None


@pytest.mark.parametrize("scope_kind", ["graph", "app-id", "own-origin"])
def test_runtime_app_gets_tokens_for_each_scope_form(server: TlsServer, scope_kind: str) -> None:
    tenant = str(uuid.uuid4())
    app = server.add_app(tenant, "LifecycleWorkflows.ReadWrite.All")
    assert set(app) == {"tenantId", "clientId", "clientSecret"}
    credential = server.credential(app["tenantId"], app["clientId"], app["clientSecret"])
    scope = {
        "graph": GRAPH_SCOPE,
        "app-id": "00000003-0000-0000-c000-000000000000/.default",
        "own-origin": server.authority.rstrip("/") + "/.default",
    }[scope_kind]
    client = server.client(credential, [scope])

    async def list_workflows():
        return await client.identity_governance.lifecycle_workflows.workflows.get()

    # A fresh tenant: no workflows yet.
    listed = asyncio.run(list_workflows())
    assert listed.value == []


def test_wrong_secret_is_refused(server: TlsServer) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    tenant = str(uuid.uuid4())
    app = server.add_app(tenant, "LifecycleWorkflows.Read.All")
    credential = server.credential(app["tenantId"], app["clientId"], "not-the-secret")
    with pytest.raises(ClientAuthenticationError) as raised:
        credential.get_token(GRAPH_SCOPE)
    assert "AADSTS7000215" in str(raised.value)
