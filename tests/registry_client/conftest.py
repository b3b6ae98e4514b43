"""Fixtures for the registry client tests: a published package ready to stage, and HTTP doubles."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from releasekit.package.pack import pack_project
from releasekit.registry.client import RegistryClient
from releasekit.registry.publish_body import build_publish_body
from releasekit.registry.transport import RetryPolicy
from releasekit.testing.verdaccio import Verdaccio


@dataclass
class Stageable:
    """A package whose 1.0.0 is published on Verdaccio; ``body(version)`` builds a stage body."""

    name: str
    project: Path
    token: str
    registry: str
    user: Any
    tarballs: dict[str, bytes] = field(default_factory=dict)

    def body(self, version: str, **extra: Any) -> dict[str, Any]:
        manifest = json.loads((self.project / "package.json").read_text())
        manifest["version"] = version
        (self.project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        package = pack_project(self.project)
        self.tarballs[version] = package.tarball
        return build_publish_body(package.manifest, package.tarball, registry_url=self.registry, **extra)

    def client(self, **kwargs: Any) -> RegistryClient:
        return RegistryClient(self.registry, self.token, **kwargs)


@pytest.fixture
def stageable(
    verdaccio: Verdaccio,
    registry_user: Any,
    unique_name: Callable[[str], str],
    make_project: Callable[..., Path],
) -> Iterator[Stageable]:
    """A scoped package (``@rk/...``) with 1.0.0 published by a fresh user without 2FA."""
    name = f"@rk/{unique_name('staged')}"
    project = make_project(
        {"name": name, "version": "1.0.0", "description": "stage test", "main": "index.js"},
        files={"index.js": "module.exports = 42\n", "README.md": "# demo\n"},
    )
    verdaccio.publish(project, registry_user.token, "--access", "public")
    stage = Stageable(name, project, registry_user.token, verdaccio.url, registry_user)
    yield stage


class Recorder:
    """An ``httpx.MockTransport`` handler answering from a script and recording every request."""

    def __init__(
        self, *answers: Callable[[httpx.Request], httpx.Response] | httpx.Response | Exception
    ) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def methods(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def no_wait(sleeps: list[float]) -> RetryPolicy:
    """A retry policy that records its waits instead of sleeping."""
    return RetryPolicy(sleep=sleeps.append)


FAKE_REGISTRY = "https://registry.example.test/"
