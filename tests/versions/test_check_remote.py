"""`lpm check` is local unless --remote; with --remote the registry rules ask the real registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.cli import main
from releasekit.testing.verdaccio import Verdaccio


def run_check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["check", "--json", "-k", "versions", *args])
    return code, json.loads(capsys.readouterr().out)


def outcomes(doc: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {r["name"]: r["outcome"] for r in doc["results"]}


def test_check_is_local_by_default(
    package_dir: Callable[..., Path],
    verdaccio: Verdaccio,
    capsys: pytest.CaptureFixture[str],
    unique_name: Callable[[str], str],
) -> None:
    project = package_dir(unique_name("check-local"), "1.0.0")
    requests_before = len(verdaccio.log_lines())
    code, doc = run_check(capsys, str(project))
    assert code == 0, doc
    assert outcomes(doc)["policy_package_exists"] == "skipped"
    assert len(verdaccio.log_lines()) == requests_before  # nothing asked of any registry


def test_check_remote_asks_the_registry(
    package_dir: Callable[..., Path],
    publish: Callable[..., None],
    verdaccio: Verdaccio,
    capsys: pytest.CaptureFixture[str],
    unique_name: Callable[[str], str],
) -> None:
    missing = package_dir(unique_name("check-missing"), "1.0.0")
    code, doc = run_check(capsys, str(missing), "--remote", "--npm-registry", verdaccio.url)
    assert code == 1
    assert outcomes(doc)["policy_package_exists"] == "failed"

    name = unique_name("check-present")
    publish(name, "1.0.0")
    code, doc = run_check(
        capsys, str(package_dir(name, "1.0.0")), "--remote", "--npm-registry", verdaccio.url
    )
    assert code == 1
    assert outcomes(doc)["policy_version_not_published"] == "failed"
    code, doc = run_check(
        capsys, str(package_dir(name, "1.1.0")), "--remote", "--npm-registry", verdaccio.url
    )
    assert code == 0, doc


def test_tag_and_registry_need_remote(
    package_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(package_dir("x-local", "1.0.0")), "--tag", "next"])
    assert code == 2
    assert "--remote" in capsys.readouterr().err
