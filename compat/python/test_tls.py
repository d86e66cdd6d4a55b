"""`lcw serve --tls` with the client the SDK is built on: httpx asking for HTTP/2, trusting
only the CA file the server printed."""

from __future__ import annotations

import re
import ssl
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest

from conftest import Lcw, lcw_bin

HTTPS_BANNER = re.compile(
    r"^lcw is serving Microsoft Graph Lifecycle Workflows at (https://127\.0\.0\.1:\d+/beta)\s*$"
)
CA_FILE = re.compile(r"CA file (\S+)\s*$")


@pytest.fixture(scope="module")
def tls_lcw() -> Iterator[tuple[Lcw, str]]:
    """A server of its own on HTTPS, and its CA file."""
    binary = lcw_bin()
    tmp = tempfile.TemporaryDirectory(prefix="lcw-compat-tls-")
    database = f"sqlite://{tmp.name}/lcw.db"
    proc = subprocess.Popen(
        [binary, "serve", "--tls", "--listen", "127.0.0.1:0", "--database", database],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        # The configuration summary comes between the URL and the CA line.
        second = ""
        for _ in range(12):
            second = proc.stdout.readline()
            if CA_FILE.search(second):
                break
        url, ca = HTTPS_BANNER.match(first), CA_FILE.search(second)
        if not (url and ca):
            raise RuntimeError(f"unexpected banner from lcw serve --tls: {first!r} {second!r}")
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        yield Lcw(binary, database, url.group(1)), ca.group(1)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        tmp.cleanup()


def test_httpx_http2_trusting_the_printed_ca(tls_lcw: tuple[Lcw, str]) -> None:
    lcw, ca_file = tls_lcw
    token = lcw.token(str(uuid.uuid4()))
    context = ssl.create_default_context(cafile=ca_file)
    with httpx.Client(http2=True, verify=context) as client:
        r = client.get(
            f"{lcw.base_url}/identityGovernance/lifecycleWorkflows/workflows",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    assert r.http_version == "HTTP/2"
    assert r.json()["@odata.context"].startswith(f"{lcw.base_url}/$metadata")
