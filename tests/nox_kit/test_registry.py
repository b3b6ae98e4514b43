"""The stage and stage_list sessions against the real Verdaccio test registry."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.registry

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def staged(verdaccio, token: str, name: str) -> list[dict]:
    response = httpx.get(
        f"{verdaccio.url}-/stage",
        params={"package": name, "page": 0, "perPage": 100},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()
    return list(response.json()["items"])


def test_stage_session_stages_lists_and_summarises(
    nox_run, nox_project, verdaccio, registry_user, unique_name, tmp_path: Path
) -> None:
    name = unique_name("kit-stage")
    project = nox_project(
        f"from releasekit.nox import KitOptions, register_sessions\n"
        f'register_sessions(KitOptions(venv_backend="none", npm_registry="{verdaccio.url}"))\n',
        manifest={"name": name, "version": "1.0.0"},
    )
    verdaccio.publish(project, registry_user.token)  # the first version, published the ordinary way
    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}, indent=2))
    env = {"NPM_TOKEN": registry_user.token}
    summary = tmp_path / "step-summary.md"

    result = nox_run(project, "-s", "stage", env={**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.output
    assert registry_user.token not in result.output
    stage_id = result.json()["stageId"]
    assert re.fullmatch(UUID, stage_id)

    items = staged(verdaccio, registry_user.token, name)
    assert [(i["id"], i["version"]) for i in items] == [(stage_id, "1.0.1")]
    text = summary.read_text()
    assert f"{name}@1.0.1" in text and f"lpm stage approve {stage_id}" in text
    assert f"lpm stage diff {stage_id}" in text

    listed = nox_run(project, "-s", "stage_list", env=env)
    assert listed.returncode == 0, listed.output
    assert "1 staged version" in listed.stdout
    as_json = nox_run(project, "-s", "stage_list", "--", "--json", env=env)
    assert [(i["id"], i["version"]) for i in as_json.json()["data"]] == [(stage_id, "1.0.1")]

    # The same version again: the registry refuses (409) and the session fails with lpm's exit 1.
    again = nox_run(project, "-s", "stage", env={**env, "GITHUB_STEP_SUMMARY": str(summary)})
    assert again.returncode != 0
    assert "Session stage failed" in again.stderr
    assert len(staged(verdaccio, registry_user.token, name)) == 1
    # The job summary says why, under its own heading, after the first run's.
    refused = summary.read_text().split(f"### releasekit: `{name}@1.0.1`")
    assert len(refused) == 3 and refused[2].strip().startswith("Not staged:")
    assert registry_user.token not in summary.read_text()


def test_stage_session_without_auth_fails_and_stages_nothing(
    nox_run, nox_project, verdaccio, registry_user, unique_name
) -> None:
    name = unique_name("kit-noauth")
    project = nox_project(
        f"from releasekit.nox import KitOptions, register_sessions\n"
        f'register_sessions(KitOptions(venv_backend="none", npm_registry="{verdaccio.url}"))\n',
        manifest={"name": name, "version": "1.0.0"},
    )
    verdaccio.publish(project, registry_user.token)
    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}, indent=2))
    result = nox_run(project, "-s", "stage")
    assert result.returncode != 0
    assert "NPM_TOKEN" in result.stdout  # lpm names the auth sources it tried
    assert staged(verdaccio, registry_user.token, name) == []
