"""Broken registry answers: one clear ``RegistryError`` line per rule, never a traceback, one fetch.

Verdaccio answers well, so these faults come from a tiny local HTTP server
(through the real ``registry`` fixture and client) and from httpx's
MockTransport (for the metadata view alone).
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from releasekit.errors import NetworkError, RegistryError, RegistryTimeout
from releasekit.registry.client import RegistryClient
from releasekit.registry.metadata import PackageMetadata
from releasekit.registry.transport import RetryPolicy

from .conftest import REMOTE_RULES, run_rules


class FaultyRegistry:
    """Answers every request with one fault: ``500``, ``slow``, ``malformed``, ``404`` or ``not-an-object``."""

    def __init__(self, fault: str) -> None:
        self.fault = fault
        self.paths: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                owner.paths.append(self.path)
                if owner.fault == "slow":
                    time.sleep(2)
                    body, status = b"{}", 200
                elif owner.fault == "500":
                    body, status = b'{"error": "internal server error"}', 500
                elif owner.fault == "404":
                    body, status = b'{"error": "not found"}', 404
                elif owner.fault == "not-an-object":
                    body, status = b'{"name": "x", "versions": ["1.0.0"]}', 200
                else:
                    body, status = b'{"name": "x", "versions": {', 200
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> FaultyRegistry:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def faulty() -> Iterator[Callable[[str], FaultyRegistry]]:
    servers: list[FaultyRegistry] = []

    def start(fault: str) -> FaultyRegistry:
        server = FaultyRegistry(fault).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.mark.parametrize(
    ("fault", "error", "fragment"),
    [
        ("500", "RegistryError", "registry answered 500"),
        ("malformed", "RegistryError", "metadata of faults-demo"),
        ("not-an-object", "RegistryError", "metadata of faults-demo"),
        ("slow", "RegistryTimeout", "did not answer in time"),
    ],
)
def test_a_broken_registry_is_one_clear_error_per_remote_rule(
    faulty: Callable, package_dir: Callable, fault: str, error: str, fragment: str
) -> None:
    server = faulty(fault)
    project = package_dir("faults-demo", "1.0.0")
    (project / "releasekit.yaml").write_text("versions:\n  timeout: 0.5\n")
    run = run_rules(project, registry=server.url)
    for rule in ("policy_package_exists", "policy_version_not_published", "policy_latest_not_lowered"):
        result = run.by_name[rule]
        assert str(result.outcome) == "error", (rule, result.message)
        assert result.message.startswith(f"{error}: "), result.message
        assert fragment in result.message
        assert "\n" not in result.message and "Traceback" not in result.message
        assert result.details == ""  # no traceback kept either
    # The local rules still ran and passed.
    assert str(run.by_name["policy_version_is_semver"].outcome) == "passed"
    assert not run.session.gate_passed and run.session.exit_code == 1
    # One fetch for all the rules (the client's own retries of a GET are its business, bounded).
    packument_requests = [p for p in server.paths if p == "/faults-demo"]
    assert 1 <= len(packument_requests) <= RetryPolicy().attempts


def test_404_is_the_package_missing_rule_not_an_error(faulty: Callable, package_dir: Callable) -> None:
    server = faulty("404")
    run = run_rules(package_dir("faults-demo", "1.0.0"), registry=server.url)
    assert str(run.by_name["policy_package_exists"].outcome) == "failed"
    assert "does not exist" in run.by_name["policy_package_exists"].message
    assert {n for n, r in run.by_name.items() if str(r.outcome) == "error"} == set()
    assert server.paths.count("/faults-demo") == 1


def test_an_unreachable_registry(package_dir: Callable, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    project = package_dir("faults-demo", "1.0.0")
    (project / "releasekit.yaml").write_text("versions:\n  timeout: 0.5\n")
    run = run_rules(project, registry=f"http://127.0.0.1:{port}/")
    messages = {run.by_name[r].message for r in REMOTE_RULES if str(run.by_name[r].outcome) == "error"}
    assert len(messages) == 1  # the same remembered error, not one attempt per rule
    assert messages.pop().startswith("NetworkError: metadata of faults-demo: could not reach")


# -- the metadata view alone, with httpx's MockTransport ----------------------------------------------


def _metadata(
    handler: Callable[[httpx.Request], httpx.Response], *, token: str | None = None
) -> PackageMetadata:
    client = RegistryClient(
        "https://registry.example.test/",
        token,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=lambda _: None),
    )
    return PackageMetadata("demo", "https://registry.example.test/", client=client, credentials=None)


def test_metadata_is_fetched_lazily_and_once() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(
            200, json={"name": "demo", "versions": {"1.0.0": {}}, "dist-tags": {"latest": "1.0.0"}}
        )

    metadata = _metadata(handler)
    assert seen == []  # nothing until asked
    assert (
        metadata.exists and list(metadata.versions) == ["1.0.0"] and metadata.dist_tags == {"latest": "1.0.0"}
    )
    assert metadata.highest_stable() == "1.0.0"
    assert seen == ["/demo"] and metadata.requests == 1


def test_a_failure_is_remembered_not_retried_per_question() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"error": "boom"})

    metadata = _metadata(handler)
    with pytest.raises(RegistryError) as first:
        _ = metadata.versions
    with pytest.raises(RegistryError) as second:
        _ = metadata.exists
    assert first.value is second.value and first.value.status == 500
    assert metadata.requests == 1 and len(calls) == RetryPolicy().attempts


def test_a_timeout_is_a_network_error_named_as_a_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(RegistryTimeout, match="did not answer in time") as caught:
        _ = _metadata(handler).exists
    assert isinstance(caught.value, NetworkError) and caught.value.error_code == "timeout"


def test_an_unpublished_version_can_never_be_reused() -> None:
    # npmjs keeps an unpublished version in "time" (Verdaccio forgets it, so this is a double).
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "name": "demo",
                "versions": {"1.0.1": {}},
                "dist-tags": {"latest": "1.0.1"},
                "time": {
                    "created": "2024-01-01T00:00:00Z",
                    "modified": "2024-02-01T00:00:00Z",
                    "1.0.0": "2024-01-01T00:00:00Z",
                    "1.0.1": "2024-02-01T00:00:00Z",
                },
            },
        )

    metadata = _metadata(handler)
    assert metadata.was_unpublished("1.0.0")
    assert not metadata.was_unpublished("1.0.1") and not metadata.was_unpublished("2.0.0")
    assert not metadata.was_unpublished("created")


def test_unpublished_version_through_the_rule(monkeypatch: pytest.MonkeyPatch, package_dir: Callable) -> None:
    import releasekit.registry.metadata as metadata_module

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "name": "faults-demo",
                "versions": {"1.0.1": {}},
                "dist-tags": {"latest": "1.0.1"},
                "time": {"1.0.0": "2024-01-01T00:00:00Z", "1.0.1": "2024-02-01T00:00:00Z"},
            },
        )

    real = metadata_module.metadata_for

    def with_double(package, options, config):  # the real fixture path, with a transport double
        view = real(package, options, config)
        view._client = RegistryClient(view.registry_url, transport=httpx.MockTransport(handler))
        return view

    monkeypatch.setattr(metadata_module, "metadata_for", with_double)
    run = run_rules(package_dir("faults-demo", "1.0.0"), registry="https://registry.example.test/", tag="old")
    assert run.by_name["policy_version_not_published"].message == (
        "version-not-published: faults-demo@1.0.0 was published on https://registry.example.test/ and later "
        "unpublished (2024-01-01T00:00:00Z); npm never allows a version number to be reused"
    )
