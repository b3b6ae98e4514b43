"""Helpers for the ``lpm stage`` tests: a well-formed example project, a published first
version on the real Verdaccio, and two ways to run ``lpm`` (in-process and as a process)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from releasekit.testing.verdaccio import Verdaccio
from tests.lpm_runner import Run

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-package"


@dataclass
class Published:
    """A package with 1.0.0 published and the project bumped to ``next_version``."""

    dir: Path
    name: str
    token: str
    user: Any
    next_version: str
    registry: str
    outputs: list[Run] = field(default_factory=list)

    def set_version(self, version: str) -> None:
        manifest = json.loads((self.dir / "package.json").read_text())
        manifest["version"] = version
        (self.dir / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        self.next_version = version


def write_example(root: Path, name: str, version: str = "1.0.0", **extra: Any) -> Path:
    """docs/example-package (README, LICENSE, types, tests...) renamed: a project the policies pass."""
    shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
    manifest = json.loads((root / "package.json").read_text())
    manifest.update(name=name, version=version, **extra)
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return root


@pytest.fixture
def example_project(tmp_path: Path, unique_name: Callable[[str], str]) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(name: str | None = None, version: str = "1.0.0", **extra: Any) -> Path:
        return write_example(
            tmp_path / f"example{next(counter)}", name or unique_name("rk-stage"), version, **extra
        )

    return make


@pytest.fixture
def published(
    verdaccio: Verdaccio,
    registry_user: Any,
    example_project: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    npm_cli: str,  # the first version is published with the real npm CLI
) -> Published:
    """1.0.0 published with npm by a fresh user; the project now says 1.1.0; NPM_TOKEN set; cwd there."""
    project = example_project()
    name = json.loads((project / "package.json").read_text())["name"]
    verdaccio.publish(project, registry_user.token)
    result = Published(project, name, registry_user.token, registry_user, "1.0.0", verdaccio.url)
    result.set_version("1.1.0")
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    monkeypatch.chdir(project)
    return result


def staged_items(verdaccio: Verdaccio, token: str, package: str | None = None) -> list[dict[str, Any]]:
    """What the registry itself says is staged (read straight from Verdaccio, not through lpm)."""
    params: dict[str, Any] = {"page": 0, "perPage": 100}
    if package:
        params["package"] = package
    response = httpx.get(
        verdaccio.url + "-/stage", params=params, headers={"authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    return list(response.json()["items"])


def published_versions(verdaccio: Verdaccio, name: str) -> dict[str, Any]:
    response = httpx.get(verdaccio.url + name.replace("/", "%2f"), timeout=30)
    if response.status_code == 404:
        return {}
    response.raise_for_status()
    return dict(response.json().get("versions", {}))


@pytest.fixture
def closed_registry() -> Iterator[str]:
    """A URL where nothing listens: any request to it would fail with a network error."""
    from releasekit.testing.verdaccio import free_port

    yield f"http://127.0.0.1:{free_port()}/"
