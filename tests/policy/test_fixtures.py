"""Fixtures: built-ins, policyconf fixtures, caching, teardown, errors."""

from __future__ import annotations

import json

import pytest

import releasekit
from releasekit.config import load_config
from releasekit.options import StageOptions
from releasekit.package.model import PackedFile, PackedPackage
from releasekit.policy.fixtures import FixtureManager, fixture
from releasekit.policy.session import run_policies


def outcomes(result):
    return {r.name: (str(r.outcome), r.message) for r in result.results}


def test_builtin_fixtures(policy_project):
    project = policy_project(
        {
            "README.md": "# demo\n",
            "policies/policy_builtins.py": """
                from pathlib import Path

                def policy_project_dir(project_dir):
                    assert isinstance(project_dir, Path) and (project_dir / "package.json").is_file()

                def policy_config(config):
                    assert config.get("quality.min_score") == 7

                def policy_options(options):
                    assert options.tag == "next" and options.min_score == 55

                def policy_package(package):
                    assert "README.md" in package
                    assert package.spec == "demo@1.0.0"

                def policy_manifest(manifest, package):
                    assert manifest is package.manifest and manifest["name"] == "demo"
            """,
            "releasekit.yaml": "quality:\n  min_score: 7\n",
        }
    )
    result = run_policies(project, builtin=False, options=StageOptions(tag="next", min_score=55))
    assert {name: outcome for name, (outcome, _) in outcomes(result).items()} == {
        "policy_project_dir": "passed",
        "policy_config": "passed",
        "policy_options": "passed",
        "policy_package": "passed",
        "policy_manifest": "passed",
    }, outcomes(result)
    assert isinstance(result.package, PackedPackage) and result.package.name == "demo"


def test_handed_in_package_is_used_and_nothing_is_packed(policy_project):
    project = policy_project(
        {
            "policies/policy_pkg.py": "def policy_pkg(package, manifest):\n    assert manifest['name'] == 'handed-in'\n"
        }
    )
    (project / "package.json").write_text("{ not json")  # packing this would fail
    given = PackedPackage(
        {"name": "handed-in", "version": "2.0.0"}, (PackedFile("a.js", 1, 0o644, b"x"),), b""
    )
    result = run_policies(project, builtin=False, package=given, config=load_config(project))
    assert outcomes(result) == {"policy_pkg": ("passed", "")}
    assert result.package is given


def test_package_is_packed_lazily(policy_project):
    project = policy_project(
        {
            "policies/policy_lazy.py": "def policy_no_package(project_dir):\n    pass\n",
        }
    )
    (project / "package.json").write_text("{ broken")
    result = run_policies(project, builtin=False)
    assert outcomes(result) == {"policy_no_package": ("passed", "")}
    assert result.package is None
    (project / "policies" / "policy_needs.py").write_text("def policy_needs(package):\n    pass\n")
    result = run_policies(project, builtin=False)
    outcome, message = outcomes(result)["policy_needs"]
    assert outcome == "error" and "ManifestError" in message and "invalid JSON" in message


CONF_WITH_FIXTURES = """
import json
from pathlib import Path
import releasekit

LOG = Path(__file__).parent.parent / "fixture-log.txt"

def log(line):
    with LOG.open("a") as handle:
        handle.write(line + "\\n")

@releasekit.fixture
def counted():
    log("counted computed")
    return 41

@releasekit.fixture
def answer(counted):
    return counted + 1

@releasekit.fixture(name="renamed")
def _some_function_name():
    return "by-name"

@releasekit.fixture
def resource():
    log("setup")
    yield {"open": True}
    log("teardown")
"""


def test_policyconf_fixtures_cached_once_and_torn_down_after_the_run(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": CONF_WITH_FIXTURES,
            "policies/policy_one.py": """
                from policyconf import log

                def policy_a(counted, answer, resource):
                    log("policy_a")
                    assert (counted, answer, resource["open"]) == (41, 42, True)
            """,
            "policies/sub/policy_two.py": """
                from policyconf import log

                def policy_b(answer, renamed, resource):
                    log("policy_b")
                    assert answer == 42 and renamed == "by-name"
            """,
        }
    )
    result = run_policies(project, builtin=False)
    assert [str(r.outcome) for r in result.results] == ["passed", "passed"], outcomes(result)
    log = (project / "fixture-log.txt").read_text().splitlines()
    assert log == ["counted computed", "setup", "policy_a", "policy_b", "teardown"]


def test_fixture_overrides_builtin_and_fixtures_visible_across_folders(policy_project, tmp_path):
    extra = tmp_path / "shared-policies"
    extra.mkdir()
    (extra / "policyconf.py").write_text(
        "import releasekit\n\n@releasekit.fixture\ndef options():\n    return 'overridden'\n\n"
        "@releasekit.fixture\ndef shared():\n    return 'from the extra folder'\n"
    )
    project = policy_project(
        {
            "policies/policy_uses.py": "def policy_uses(options, shared):\n    assert options == 'overridden' and shared.startswith('from')\n"
        }
    )
    result = run_policies(project, builtin=False, paths=[extra])
    assert outcomes(result) == {"policy_uses": ("passed", "")}


def test_unknown_fixture_names_the_policy_and_lists_available(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": "import releasekit\n\n@releasekit.fixture\ndef mine():\n    return 1\n",
            "policies/policy_unknown.py": "def policy_typo(pakage):\n    pass\n",
        }
    )
    result = run_policies(project, builtin=False)
    [policy] = result.results
    assert policy.outcome == "error"
    assert (
        "policy 'policies/policy_unknown.py::policy_typo' requests unknown fixture 'pakage'" in policy.message
    )
    available = policy.message.split("available fixtures: ")[1].split(", ")
    assert {"mine", "package", "manifest", "project_dir", "config", "options"} <= set(available)
    assert not result.gate_passed and result.exit_code == 1


def test_fixture_cycle_is_detected(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": """
                import releasekit

                @releasekit.fixture
                def first(second):
                    return 1

                @releasekit.fixture
                def second(third):
                    return 2

                @releasekit.fixture
                def third(first):
                    return 3
            """,
            "policies/policy_cycle.py": "def policy_cycle(first):\n    pass\n",
        }
    )
    [policy] = run_policies(project, builtin=False).results
    assert policy.outcome == "error"
    assert policy.message == "fixture cycle: first -> second -> third -> first"


def test_failing_fixture_errors_each_requester_but_runs_once(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": """
                import releasekit
                CALLS = []

                @releasekit.fixture
                def broken():
                    CALLS.append(1)
                    raise ValueError(f"broken fixture call {len(CALLS)}")

                @releasekit.fixture
                def not_applicable():
                    releasekit.skip("no registry here")
            """,
            "policies/policy_users.py": """
                def policy_a(broken):
                    pass

                def policy_b(broken):
                    pass

                def policy_c(not_applicable):
                    pass

                def policy_d():
                    pass
            """,
        }
    )
    result = run_policies(project, builtin=False)
    got = outcomes(result)
    assert got["policy_a"][0] == got["policy_b"][0] == "error"
    assert "ValueError: broken fixture call 1" in got["policy_a"][1]
    assert "ValueError: broken fixture call 1" in got["policy_b"][1]  # cached: not called again
    assert got["policy_c"] == ("skipped", "no registry here")
    assert got["policy_d"] == ("passed", "")
    assert "Traceback" in result.results[0].details


def test_teardown_error_is_reported_and_fails_the_gate(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": """
                import releasekit

                @releasekit.fixture
                def leaky():
                    yield 1
                    raise OSError("could not clean up")
            """,
            "policies/policy_x.py": "def policy_x(leaky):\n    pass\n",
        }
    )
    result = run_policies(project, builtin=False)
    assert result.results[0].outcome == "passed"
    [error] = result.collection_errors
    assert error.phase == "teardown" and "could not clean up" in error.message
    assert result.exit_code == 1


def test_fixture_manager_unit_rules():
    manager = FixtureManager()

    @fixture
    def base():
        return 1

    @fixture(name="other")
    def renamed(base):
        return base + 1

    def not_a_fixture():
        return 0

    assert manager.parse({"base": base, "renamed": renamed, "plain": not_a_fixture}, "test") == [
        "base",
        "other",
    ]
    assert manager.resolve_arguments(["other", "base"], "policy 'x'") == {"other": 2, "base": 1}
    with pytest.raises(TypeError, match="keyword-only"):
        releasekit.fixture("name")  # type: ignore[call-overload]
    json.dumps(manager.names)
