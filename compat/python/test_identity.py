"""The official identity clients, unchanged, against `lcw serve --tls`: azure-identity's
credentials feed `GraphServiceClient(credentials=..., scopes=...)` of msgraph-sdk (v1.0) and
msgraph-beta-sdk, the SDKs' own constructor, with only the adapter's `base_url` pointed at lcw.

One HTTPS server for the module, on a fresh SQLite database or $LCW_TEST_DATABASE_URL; every
test registers its own app (and so its own tenant) with `lcw app add`. Client libraries trust
lcw's CA the way the banner says: `connection_verify` or `REQUESTS_CA_BUNDLE` for the
synchronous (requests-based) credentials, `SSL_CERT_FILE` for httpx (the SDKs) and aiohttp
(the asynchronous credentials).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential, EnvironmentCredential
from msgraph import GraphServiceClient as V1Client
from msgraph.generated.models.o_data_errors.o_data_error import ODataError as V1ODataError
from msgraph_beta import GraphServiceClient as BetaClient
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError as BetaODataError

from conftest import REPO_ROOT, lcw_bin

BANNER = re.compile(r"^lcw is serving Microsoft Graph Lifecycle Workflows at (https://\S+)/beta\s*$")
GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
DEFAULT_TENANT = "00000000-0000-0000-0000-000000000001"
ENABLE_USER_ACCOUNT = "6fc52c9d-398b-4305-9763-15f42c1676fc"


@dataclass
class TlsServer:
    binary: str
    database: str
    origin: str
    # Every `export NAME=VALUE` the banner printed (the default app's credentials only on a
    # fresh database).
    exports: dict[str, str]

    @property
    def ca_file(self) -> str:
        return self.exports["SSL_CERT_FILE"]

    def lcw(self, *args: str) -> dict[str, str]:
        out = subprocess.run(
            [self.binary, *args, "--database", self.database, "--json"],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return json.loads(out.stdout)

    def add_app(self, tenant: str | None = None) -> dict[str, str]:
        """A new app with Lifecycle Workflows permissions, in a new tenant unless one is named."""
        return self.lcw(
            "app", "add", "--tenant", tenant or str(uuid.uuid4()), "--name", "azure-identity",
            "--permission", "LifecycleWorkflows.ReadWrite.All",
        )

    def secret_credential(self, app: dict[str, str], secret: str | None = None):
        return ClientSecretCredential(
            app["tenantId"],
            app["clientId"],
            secret or app["clientSecret"],
            authority=self.origin,
            disable_instance_discovery=True,
            connection_verify=self.ca_file,
        )

    def v1(self, credential) -> V1Client:
        client = V1Client(credentials=credential, scopes=GRAPH_SCOPES)
        client.request_adapter.base_url = f"{self.origin}/v1.0"
        return client

    def beta(self, credential) -> BetaClient:
        client = BetaClient(credentials=credential, scopes=GRAPH_SCOPES)
        client.request_adapter.base_url = f"{self.origin}/beta"
        return client


def start_tls_server(database: str) -> tuple[subprocess.Popen, TlsServer]:
    binary = lcw_bin()
    proc = subprocess.Popen(
        [binary, "serve", "--tls", "--listen", "127.0.0.1:0", "--database", database],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    assert proc.stdout is not None
    lines = [proc.stdout.readline()]
    m = BANNER.match(lines[0])
    if not m:
        proc.kill()
        proc.wait(timeout=10)
        raise RuntimeError(f"unexpected first line from lcw serve --tls: {lines[0]!r}")
    exports: dict[str, str] = {}
    # The banner ends with the ready-made token; the export lines come before it.
    for line in proc.stdout:
        if line.startswith("token"):
            break
        if line.strip().startswith("export "):
            for pair in line.split()[1:]:
                name, _, value = pair.partition("=")
                exports[name] = value
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, TlsServer(binary, database, m.group(1), exports)


@pytest.fixture(scope="module")
def server() -> Iterator[TlsServer]:
    tmp = tempfile.TemporaryDirectory(prefix="lcw-identity-")
    database = os.environ.get("LCW_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/lcw.db"
    proc, srv = start_tls_server(database)
    try:
        yield srv
    finally:
        proc.kill()
        proc.wait(timeout=10)
        tmp.cleanup()


@pytest.fixture(autouse=True)
def trust_lcw_ca(server: TlsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the banner's `export SSL_CERT_FILE=...` does for the SDKs' httpx client, which
    reads it when the client is built."""
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)


def v1_workflow(name: str):
    from msgraph.generated.models.identity_governance import (
        lifecycle_workflow_category as category,
        rule_based_subject_set as scope,
        task as task_mod,
        time_based_attribute_trigger as trigger,
        trigger_and_scope_based_conditions as conditions,
        workflow as workflow_mod,
        workflow_trigger_time_based_attribute as attribute,
    )

    return workflow_mod.Workflow(
        category=category.LifecycleWorkflowCategory.Joiner,
        display_name=name,
        description="made through msgraph-sdk",
        is_enabled=False,
        execution_conditions=conditions.TriggerAndScopeBasedConditions(
            scope=scope.RuleBasedSubjectSet(rule="(department eq 'Sales')"),
            trigger=trigger.TimeBasedAttributeTrigger(
                time_based_attribute=attribute.WorkflowTriggerTimeBasedAttribute.EmployeeHireDate,
                offset_in_days=0,
            ),
        ),
        tasks=[task_mod.Task(display_name="Enable user account", task_definition_id=ENABLE_USER_ACCOUNT)],
    )


def beta_workflow(name: str):
    from msgraph_beta.generated.models.identity_governance import (
        lifecycle_workflow_category as category,
        rule_based_subject_set as scope,
        task as task_mod,
        time_based_attribute_trigger as trigger,
        trigger_and_scope_based_conditions as conditions,
        workflow as workflow_mod,
        workflow_trigger_time_based_attribute as attribute,
    )

    return workflow_mod.Workflow(
        category=category.LifecycleWorkflowCategory.Joiner,
        display_name=name,
        description="made through msgraph-beta-sdk",
        is_enabled=False,
        execution_conditions=conditions.TriggerAndScopeBasedConditions(
            scope=scope.RuleBasedSubjectSet(rule="(department eq 'Sales')"),
            trigger=trigger.TimeBasedAttributeTrigger(
                time_based_attribute=attribute.WorkflowTriggerTimeBasedAttribute.EmployeeHireDate,
                offset_in_days=0,
            ),
        ),
        tasks=[task_mod.Task(display_name="Enable user account", task_definition_id=ENABLE_USER_ACCOUNT)],
    )


async def beta_then_v1(beta: BetaClient, v1: V1Client, name: str) -> None:
    """Create through beta, find it in v1.0's list and read it there."""
    created = await beta.identity_governance.lifecycle_workflows.workflows.post(beta_workflow(name))
    assert created is not None and created.id
    listed = await v1.identity_governance.lifecycle_workflows.workflows.get()
    assert [w.display_name for w in listed.value if w.id == created.id] == [name]
    read = await v1.identity_governance.lifecycle_workflows.workflows.by_workflow_id(created.id).get()
    assert read.description == "made through msgraph-beta-sdk"


async def v1_then_beta(v1: V1Client, beta: BetaClient, name: str) -> None:
    """Create through v1.0, find it in beta's list and read it there."""
    created = await v1.identity_governance.lifecycle_workflows.workflows.post(v1_workflow(name))
    assert created is not None and created.id
    listed = await beta.identity_governance.lifecycle_workflows.workflows.get()
    assert [w.display_name for w in listed.value if w.id == created.id] == [name]
    read = await beta.identity_governance.lifecycle_workflows.workflows.by_workflow_id(created.id).get()
    assert read.description == "made through msgraph-sdk"


def test_client_secret_credential_feeds_both_sdks(server: TlsServer) -> None:
    app = server.add_app()
    credential = server.secret_credential(app)
    v1, beta = server.v1(credential), server.beta(credential)

    async def flow() -> None:
        # A fresh tenant lists nothing, on either version.
        assert (await v1.identity_governance.lifecycle_workflows.workflows.get()).value == []
        assert (await beta.identity_governance.lifecycle_workflows.workflows.get()).value == []
        await beta_then_v1(beta, v1, "Secret, beta to v1.0")
        await v1_then_beta(v1, beta, "Secret, v1.0 to beta")

    asyncio.run(flow())
    # The token is what Entra hands out: a JWT naming the app and its tenant.
    token = credential.get_token(*GRAPH_SCOPES).token
    claims = json.loads(_b64url(token.split(".")[1]))
    assert (claims["tid"], claims["appid"]) == (app["tenantId"], app["clientId"])
    assert "LifecycleWorkflows.ReadWrite.All" in claims["roles"]


def _b64url(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def self_signed_certificate() -> tuple[bytes, bytes]:
    """(certificate PEM, certificate + private key PEM): what an app owner makes with openssl."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lcw compat suite")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem + cert_pem


def test_certificate_credential_feeds_both_sdks(server: TlsServer, tmp_path: Path) -> None:
    app = server.add_app()
    cert_pem, cert_and_key = self_signed_certificate()
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    registered = server.lcw("app", "add-cert", app["clientId"], "--file", str(tmp_path / "cert.pem"))
    assert registered, "lcw app add-cert printed nothing"
    credential = CertificateCredential(
        app["tenantId"],
        app["clientId"],
        certificate_data=cert_and_key,
        authority=server.origin,
        disable_instance_discovery=True,
        connection_verify=server.ca_file,
    )
    v1, beta = server.v1(credential), server.beta(credential)

    async def flow() -> None:
        await v1_then_beta(v1, beta, "Certificate, v1.0 to beta")
        await beta_then_v1(beta, v1, "Certificate, beta to v1.0")

    asyncio.run(flow())


# Run in a process of its own whose environment holds only what lcw's banner prints, so the
# credential finds its configuration where it would on a developer's machine.
ENV_CLIENT = r"""
import asyncio, json, os, sys
import azure.identity.aio as aio
from msgraph import GraphServiceClient as V1Client
from msgraph_beta import GraphServiceClient as BetaClient
sys.path.insert(0, os.environ.pop("COMPAT_DIR"))
from test_identity import GRAPH_SCOPES, beta_then_v1, v1_then_beta

async def main(kind):
    async with getattr(aio, kind)() as credential:
        origin = os.environ["AZURE_AUTHORITY_HOST"]
        v1 = V1Client(credentials=credential, scopes=GRAPH_SCOPES)
        v1.request_adapter.base_url = origin + "/v1.0"
        beta = BetaClient(credentials=credential, scopes=GRAPH_SCOPES)
        beta.request_adapter.base_url = origin + "/beta"
        await beta_then_v1(beta, v1, kind + ", beta to v1.0")
        await v1_then_beta(v1, beta, kind + ", v1.0 to beta")
        listed = await beta.identity_governance.lifecycle_workflows.workflows.get()
        print(json.dumps(sorted(w.display_name for w in listed.value)))

asyncio.run(main(sys.argv[1]))
"""


def only_env(**variables: str) -> dict[str, str]:
    """The variables given, and PATH: nothing inherited that could configure a credential."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **variables}


@pytest.mark.parametrize("kind", ["EnvironmentCredential", "DefaultAzureCredential"])
def test_async_credentials_from_environment_alone(server: TlsServer, kind: str) -> None:
    app = server.add_app()
    env = only_env(
        AZURE_TENANT_ID=app["tenantId"],
        AZURE_CLIENT_ID=app["clientId"],
        AZURE_CLIENT_SECRET=app["clientSecret"],
        AZURE_AUTHORITY_HOST=server.origin,
        SSL_CERT_FILE=server.ca_file,
        COMPAT_DIR=str(Path(__file__).parent),
    )
    out = subprocess.run(
        [sys.executable, "-c", ENV_CLIENT, kind],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == sorted([f"{kind}, beta to v1.0", f"{kind}, v1.0 to beta"])


def test_wrong_secret_fails_with_the_aadsts_code(server: TlsServer) -> None:
    app = server.add_app()
    credential = server.secret_credential(app, secret="not-the-secret")
    for client in (server.v1(credential), server.beta(credential)):
        with pytest.raises(ClientAuthenticationError) as raised:
            asyncio.run(client.identity_governance.lifecycle_workflows.workflows.get())
        assert "AADSTS7000215" in str(raised.value)


def test_async_wrong_secret_fails_with_the_aadsts_code(server: TlsServer) -> None:
    app = server.add_app()
    env = only_env(
        AZURE_TENANT_ID=app["tenantId"],
        AZURE_CLIENT_ID=app["clientId"],
        AZURE_CLIENT_SECRET="not-the-secret",
        AZURE_AUTHORITY_HOST=server.origin,
        SSL_CERT_FILE=server.ca_file,
        COMPAT_DIR=str(Path(__file__).parent),
    )
    out = subprocess.run(
        [sys.executable, "-c", ENV_CLIENT, "EnvironmentCredential"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode != 0
    assert "ClientAuthenticationError" in out.stderr and "AADSTS7000215" in out.stderr, out.stderr


def test_another_tenants_app_cannot_read_this_tenants_workflow(server: TlsServer) -> None:
    a, b = server.add_app(), server.add_app()
    beta_a = server.beta(server.secret_credential(a))
    a_credential_b = server.secret_credential(b)
    v1_b, beta_b = server.v1(a_credential_b), server.beta(a_credential_b)

    async def flow() -> None:
        wf = await beta_a.identity_governance.lifecycle_workflows.workflows.post(
            beta_workflow("Only tenant A's")
        )
        # Tenant B lists its own workflows: none.
        assert (await beta_b.identity_governance.lifecycle_workflows.workflows.get()).value == []
        assert (await v1_b.identity_governance.lifecycle_workflows.workflows.get()).value == []
        # Reading A's by id: not found, as in Graph, on both versions.
        with pytest.raises(BetaODataError) as on_beta:
            await beta_b.identity_governance.lifecycle_workflows.workflows.by_workflow_id(wf.id).get()
        assert on_beta.value.response_status_code == 404
        with pytest.raises(V1ODataError) as on_v1:
            await v1_b.identity_governance.lifecycle_workflows.workflows.by_workflow_id(wf.id).get()
        assert on_v1.value.response_status_code == 404
        # A still sees it.
        read = await beta_a.identity_governance.lifecycle_workflows.workflows.by_workflow_id(wf.id).get()
        assert read.display_name == "Only tenant A's"

    asyncio.run(flow())


# Synchronous EnvironmentCredential is MSAL-based: from environment variables alone it works
# when the tenant is `adfs` (lcw's default tenant), for which MSAL skips instance discovery.
SYNC_ENV_CLIENT = r"""
import asyncio, json, os
from azure.identity import EnvironmentCredential
from msgraph import GraphServiceClient
client = GraphServiceClient(credentials=EnvironmentCredential(), scopes=["https://graph.microsoft.com/.default"])
client.request_adapter.base_url = os.environ["AZURE_AUTHORITY_HOST"] + "/v1.0"
listed = asyncio.run(client.identity_governance.lifecycle_workflows.workflows.get())
print(json.dumps([w.id for w in listed.value]))
"""


def test_adfs_alias_signs_in_without_disabling_instance_discovery(server: TlsServer) -> None:
    app = server.add_app(DEFAULT_TENANT)
    # No disable_instance_discovery: MSAL takes `adfs` as an authority it need not look up.
    credential = ClientSecretCredential(
        "adfs", app["clientId"], app["clientSecret"],
        authority=server.origin, connection_verify=server.ca_file,
    )
    token = credential.get_token(*GRAPH_SCOPES).token
    assert json.loads(_b64url(token.split(".")[1]))["tid"] == DEFAULT_TENANT
    created = asyncio.run(
        server.beta(credential).identity_governance.lifecycle_workflows.workflows.post(
            beta_workflow(f"adfs {uuid.uuid4()}")
        )
    )
    env = only_env(
        AZURE_TENANT_ID="adfs",
        AZURE_CLIENT_ID=app["clientId"],
        AZURE_CLIENT_SECRET=app["clientSecret"],
        AZURE_AUTHORITY_HOST=server.origin,
        REQUESTS_CA_BUNDLE=server.ca_file,
        SSL_CERT_FILE=server.ca_file,
        # A dead proxy for every host but lcw's: a call to login.microsoftonline.com fails.
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1",
    )
    out = subprocess.run(
        [sys.executable, "-c", SYNC_ENV_CLIENT], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert created.id in json.loads(out.stdout)


README_SNIPPET = re.compile(
    r"<!-- compat: (?P<name>[\w-]+) -->\s*```python\n(?P<code>.*?)```\s*<!-- /compat -->", re.S
)


def readme_snippets() -> dict[str, str]:
    text = (REPO_ROOT / "README.md").read_text()
    return {m["name"]: m["code"] for m in README_SNIPPET.finditer(text)}


@pytest.fixture(scope="module")
def fresh_server() -> Iterator[TlsServer]:
    """`lcw serve --tls` on a database of its own, as on a fresh machine: the banner prints the
    default app's credentials."""
    tmp = tempfile.TemporaryDirectory(prefix="lcw-readme-")
    proc, srv = start_tls_server(f"sqlite://{tmp.name}/lcw.db")
    try:
        yield srv
    finally:
        proc.kill()
        proc.wait(timeout=10)
        tmp.cleanup()


def test_readme_has_the_snippets() -> None:
    assert set(readme_snippets()) == {"python-async", "python-sync"}


@pytest.mark.parametrize("name", ["python-async", "python-sync"])
def test_readme_snippet_lists_workflows(
    fresh_server: TlsServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    exports = fresh_server.exports
    monkeypatch.setenv("SSL_CERT_FILE", fresh_server.ca_file)
    for variable in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
                     "AZURE_AUTHORITY_HOST", "LCW_GRAPH_BASE_URL", "SSL_CERT_FILE",
                     "REQUESTS_CA_BUNDLE"):
        assert variable in exports, f"the banner exports no {variable}: {exports}"
    # Something to list: a workflow the default app makes in the default tenant.
    app = {
        "tenantId": exports["AZURE_TENANT_ID"],
        "clientId": exports["AZURE_CLIENT_ID"],
        "clientSecret": exports["AZURE_CLIENT_SECRET"],
    }
    wf_name = f"README {name}"
    asyncio.run(
        fresh_server.beta(fresh_server.secret_credential(app))
        .identity_governance.lifecycle_workflows.workflows.post(beta_workflow(wf_name))
    )
    # Exactly the README's code, with exactly what the banner told the user to export.
    out = subprocess.run(
        [sys.executable, "-c", readme_snippets()[name]],
        env=only_env(**exports), capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert wf_name in out.stdout.strip()


NODE_DIR = REPO_ROOT / "compat" / "node"


@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_DIR / "node_modules" / "@azure" / "identity").is_dir(),
    reason="needs node and `npm ci` in compat/node (run.sh does it when npm is installed)",
)
def test_node_azure_identity_token_is_accepted(server: TlsServer) -> None:
    app = server.add_app()
    env = only_env(
        AZURE_TENANT_ID=app["tenantId"],
        AZURE_CLIENT_ID=app["clientId"],
        AZURE_CLIENT_SECRET=app["clientSecret"],
        AZURE_AUTHORITY_HOST=server.origin,
        LCW_GRAPH_BASE_URL=f"{server.origin}/beta",
        NODE_EXTRA_CA_CERTS=server.ca_file,
    )
    out = subprocess.run(
        ["node", str(NODE_DIR / "list-workflows.mjs")],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["status"] == 200, answer
    assert answer["body"]["value"] == []
