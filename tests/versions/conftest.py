"""Packages published into the real Verdaccio, and a run of the version rules against it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from releasekit.config import load_config
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.package.pack import pack_project
from releasekit.policy.result import PolicyResult, SessionResult
from releasekit.policy.session import run_policies
from releasekit.testing.verdaccio import Verdaccio

RULES = (
    "policy_package_exists",
    "policy_version_is_semver",
    "policy_version_not_published",
    "policy_version_not_staged",
    "policy_prerelease_needs_tag",
    "policy_latest_not_lowered",
    "policy_tag_not_semver_range",
)
REMOTE_RULES = (
    "policy_package_exists",
    "policy_version_not_published",
    "policy_version_not_staged",
    "policy_latest_not_lowered",
)


@dataclass
class VersionRun:
    session: SessionResult

    @property
    def by_name(self) -> dict[str, PolicyResult]:
        return {r.name: r for r in self.session.results}

    def outcome(self, rule: str) -> str:
        return str(self.by_name[rule].outcome)

    def message(self, rule: str) -> str:
        return self.by_name[rule].message

    @property
    def refused(self) -> dict[str, str]:
        return {n: r.message for n, r in self.by_name.items() if str(r.outcome) in ("failed", "error")}


def run_rules(project: Path, *, package: PackedPackage | None = None, **options: Any) -> VersionRun:
    """The version rules (and nothing else) on ``project``, packed by the real packer."""
    packed = package if package is not None else pack_project(project)
    session = run_policies(
        project,
        package=packed,
        options=StageOptions(**options),
        config=load_config(project),
        keyword="versions",
    )
    assert sorted(r.name for r in session.results) == sorted(RULES)
    return VersionRun(session)


@pytest.fixture
def package_dir(make_project: Callable[..., Path]) -> Callable[..., Path]:
    """``package_dir(name, version, **manifest)``: a minimal publishable project."""

    def make(name: str, version: str, **manifest: Any) -> Path:
        data = {"name": name, "version": version, "description": "version rules test package", **manifest}
        return make_project(data, files={"index.js": "module.exports = 1;\n"})

    return make


@pytest.fixture
def publish(
    verdaccio: Verdaccio, registry_user: Any, package_dir: Callable[..., Path]
) -> Callable[..., None]:
    """``publish(name, "1.0.0", "2.0.0-beta.1", tag="next")``: publish versions with the real npm CLI."""

    def run(name: str, *versions: str, tag: str | None = None) -> None:
        for version in versions:
            extra = ["--tag", tag] if tag else []
            verdaccio.publish(package_dir(name, version), registry_user.token, *extra)

    return run


@pytest.fixture
def stage(verdaccio: Verdaccio, registry_user: Any, package_dir: Callable[..., Path]) -> Callable[..., str]:
    """``stage(name, version)``: stage a version with the real npm CLI; answers the stage id."""

    def run(name: str, version: str, *extra: str) -> str:
        result = verdaccio.npm(
            "stage", "publish", "--json", *extra, token=registry_user.token, cwd=package_dir(name, version)
        )
        start = result.stdout.index("{")
        doc = json.loads(result.stdout[start:])
        stage_id = doc.get("stageId") or next(
            v["stageId"] for v in doc.values() if isinstance(v, dict) and "stageId" in v
        )
        return str(stage_id)

    return run
