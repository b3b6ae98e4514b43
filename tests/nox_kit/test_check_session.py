"""`nox -s check` passes and fails as the project's policies say (registry: the real Verdaccio)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.registry

TEAM_POLICY = """\
import releasekit


@releasekit.mark.severity("error")
def policy_no_wip(package):
    assert "WIP" not in (package.text("lib/index.js") or ""), "lib/index.js is marked WIP"
"""


@pytest.fixture
def released_project(nox_project, verdaccio, registry_user, unique_name):
    """The example package, 1.0.0 published on Verdaccio, at 1.0.1 with a team policy in release-policies/."""

    def make(noxfile: str) -> Path:
        name = unique_name("kit-check")
        project = nox_project(noxfile, manifest={"name": name, "version": "1.0.0"})
        verdaccio.publish(project, registry_user.token)
        manifest = json.loads((project / "package.json").read_text())
        (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}, indent=2))
        (project / "releasekit.yaml").write_text(f"stage:\n  registry: {verdaccio.url}\n")
        (project / "release-policies").mkdir()
        (project / "release-policies" / "policy_team.py").write_text(TEAM_POLICY)
        return project

    return make


def test_check_passes_then_fails_as_the_policies_say(nox_run, released_project, verdaccio) -> None:
    project = released_project(
        "from releasekit.nox import KitOptions, register_sessions\n"
        "register_sessions(KitOptions(venv_backend='none', policy_paths=['release-policies'], remote=True,\n"
        f"                            npm_registry={verdaccio.url!r}, tag='latest'))\n"
    )
    passing = nox_run(project, "-s", "check", "--", "--json")
    assert passing.returncode == 0, passing.output
    outcomes = {r["name"]: r["outcome"] for r in passing.json()["results"]}
    assert outcomes["policy_no_wip"] == "passed"  # from the kit's policy_paths
    assert outcomes["policy_package_exists"] == "passed"  # built-in, --remote against Verdaccio
    assert f"--remote --tag latest --npm-registry {verdaccio.url}" in passing.stderr

    index = project / "lib" / "index.js"
    index.write_text(index.read_text() + "\n// WIP: not ready\n")
    failing = nox_run(project, "-s", "check")
    assert failing.returncode != 0
    assert "policy_no_wip" in failing.stdout and "lib/index.js is marked WIP" in failing.stdout
    assert "Session check failed" in failing.stderr

    # posargs reach lpm check: deselect the failing policy and the session passes again.
    deselected = nox_run(project, "-s", "check", "--", "-k", "not no_wip")
    assert deselected.returncode == 0, deselected.output


def test_check_without_the_policy_path_does_not_see_the_team_policy(nox_run, released_project) -> None:
    project = released_project(
        'from releasekit.nox import KitOptions, register_sessions\nregister_sessions(KitOptions(venv_backend="none"))\n'
    )
    index = project / "lib" / "index.js"
    index.write_text(index.read_text() + "\n// WIP\n")
    result = nox_run(project, "-s", "check", "--", "--list")
    assert result.returncode == 0, result.output
    assert "policy_package_exists" in result.stdout and "policy_no_wip" not in result.stdout


def test_min_score_option_gates_the_check(nox_run, released_project) -> None:
    project = released_project(
        "from releasekit.nox import KitOptions, register_sessions\n"
        'register_sessions(KitOptions(venv_backend="none", min_score=100))\n'
    )
    gated = nox_run(project, "-s", "check")
    assert gated.returncode != 0
    assert "score" in gated.stdout.lower()
    # The same run with the gate lowered from the command line passes.
    lowered = nox_run(project, "-s", "check", "--", "--min-score", "0")
    assert lowered.returncode == 0, lowered.output
    assert "--min-score 100" not in lowered.stderr


def test_check_stays_on_the_machine_unless_remote(nox_run, released_project, verdaccio) -> None:
    project = released_project(
        'from releasekit.nox import KitOptions, register_sessions\nregister_sessions(KitOptions(venv_backend="none"))\n'
    )
    name = json.loads((project / "package.json").read_text())["name"]
    before = len(verdaccio.log_lines())
    offline = nox_run(project, "-s", "check", "--", "--json")
    assert offline.returncode == 0, offline.output
    outcomes = {r["name"]: r for r in offline.json()["results"]}
    assert outcomes["policy_package_exists"]["outcome"] == "skipped"
    assert not [line for line in verdaccio.log_lines()[before:] if name in json.dumps(line)]
    # --remote after -- turns the registry rules on for one run (registry from releasekit.yaml).
    remote = nox_run(project, "-s", "check", "--", "--json", "--remote")
    assert remote.returncode == 0, remote.output
    assert {r["name"]: r["outcome"] for r in remote.json()["results"]}["policy_package_exists"] == "passed"
    assert [line for line in verdaccio.log_lines()[before:] if name in json.dumps(line)]
