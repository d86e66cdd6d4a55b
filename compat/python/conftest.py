"""Fixtures for the Graph SDK compatibility suites (msgraph-beta-sdk on /beta, msgraph-sdk on /v1.0).

One `lcw serve` process per session on a fresh database (SQLite in a temp dir, or
$LCW_TEST_DATABASE_URL); every test gets its own tenant through `lcw token`, and a client
built exactly as an application would build it, pointed at lcw.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter as V1GraphRequestAdapter
from msgraph import GraphServiceClient as V1GraphServiceClient
from msgraph_beta import GraphRequestAdapter, GraphServiceClient

REPO_ROOT = Path(__file__).resolve().parents[2]
BANNER = re.compile(
    r"^lcw is serving Microsoft Graph Lifecycle Workflows at (http://127\.0\.0\.1:\d+/beta)\s*$"
)


def lcw_bin() -> str:
    path = Path(os.environ.get("LCW_BIN", "target/debug/lcw"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.is_file():
        pytest.exit(
            f"lcw binary not found at {path}; run `cargo build -p lcw` or set LCW_BIN",
            returncode=2,
        )
    return str(path)


class StaticTokenProvider(AccessTokenProvider):
    """Returns a fixed token, only for 127.0.0.1 (the AllowedHostsValidator)."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._validator = AllowedHostsValidator(["127.0.0.1"])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] = {}
    ) -> str:
        if not self._validator.is_url_host_valid(uri):
            return ""
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._validator


class Lcw:
    def __init__(self, binary: str, database: str, base_url: str) -> None:
        self.binary = binary
        self.database = database
        self.base_url = base_url

    def token(self, tenant: str, *extra: str) -> str:
        out = subprocess.run(
            [self.binary, "token", "--database", self.database, "--tenant", tenant, *extra],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return out.stdout.strip()

    def client(self, token: str) -> GraphServiceClient:
        auth_provider = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token))
        request_adapter = GraphRequestAdapter(auth_provider)
        request_adapter.base_url = self.base_url
        return GraphServiceClient(request_adapter=request_adapter)

    @property
    def v1_base_url(self) -> str:
        return self.base_url.removesuffix("/beta") + "/v1.0"

    def client_v1(self, token: str) -> V1GraphServiceClient:
        """The official v1.0 SDK, built as an application builds it, pointed at lcw's /v1.0."""
        auth_provider = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token))
        request_adapter = V1GraphRequestAdapter(auth_provider)
        request_adapter.base_url = self.v1_base_url
        return V1GraphServiceClient(request_adapter=request_adapter)


@pytest.fixture(scope="session")
def lcw() -> Lcw:
    binary = lcw_bin()
    tmp = tempfile.TemporaryDirectory(prefix="lcw-compat-")
    database = os.environ.get("LCW_TEST_DATABASE_URL") or f"sqlite://{tmp.name}/lcw.db"
    proc = subprocess.Popen(
        # Custom task extension tests call a receiver on loopback (test_sdk_extension.py).
        [binary, "serve", "--listen", "127.0.0.1:0", "--database", database,
         "--callout-allow-host", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr_lines: list[str] = []

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_lines.append(line)

    threading.Thread(target=drain_stderr, daemon=True).start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        m = BANNER.match(first)
        if not m:
            proc.kill()
            proc.wait(timeout=10)
            raise RuntimeError(
                f"unexpected first line from lcw serve: {first!r}\nstderr:\n{''.join(stderr_lines)}"
            )
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        yield Lcw(binary, database, m.group(1))
    finally:
        proc.kill()
        proc.wait(timeout=10)
        tmp.cleanup()


@pytest.fixture
def tenant() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def token(lcw: Lcw, tenant: str) -> str:
    return lcw.token(tenant)


@pytest.fixture
def client(lcw: Lcw, token: str) -> GraphServiceClient:
    return lcw.client(token)


@pytest.fixture
def lw(client: GraphServiceClient):
    return client.identity_governance.lifecycle_workflows


@pytest.fixture
def client_v1(lcw: Lcw, token: str) -> V1GraphServiceClient:
    return lcw.client_v1(token)


@pytest.fixture
def lw_v1(client_v1: V1GraphServiceClient):
    return client_v1.identity_governance.lifecycle_workflows
