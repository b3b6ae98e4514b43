"""Hooks and plugins: policyconf.py, entry points, policies.plugins and plugins=..."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import releasekit
from releasekit.errors import ConfigError, UsageError
from releasekit.policy.session import run_policies

# A policyconf.py plugin that adds a fixture, a report format, an option, and uses every hook.
FULL_CONF = """
import releasekit
from releasekit.policy.item import Policy
from releasekit.policy.reports import ReportFormat

EVENTS = []


@releasekit.fixture
def team():
    return "release-team"


def render_markdown(result):
    lines = ["# Policies", ""]
    for r in result.results:
        lines.append(f"- {r.id}: {r.outcome}")
    lines.append(f"score: {result.score.value if result.score else 'n/a'}")
    return "\\n".join(lines) + "\\n"


@releasekit.hookimpl
def releasekit_report_formats():
    return [ReportFormat("markdown", render_markdown, "a Markdown list")]


@releasekit.hookimpl
def releasekit_addoption(parser):
    parser.addoption("owner", default="nobody", help="who owns the release")
    parser.addoption("max-files", default=100, type=int)


@releasekit.hookimpl
def releasekit_configure(session):
    EVENTS.append(("configure", session.plugin_options["owner"]))


@releasekit.hookimpl
def releasekit_collect_file(file_path, session):
    if file_path.suffix != ".rule":
        return None
    required = file_path.read_text().strip()

    def check(package):
        assert required in package, f"{required} is required"

    check.__name__ = "rule_" + file_path.stem
    return [Policy.from_function(check, path=file_path, id=f"{session.display_path(file_path)}::{check.__name__}")]


@releasekit.hookimpl
def releasekit_add_policies(session):
    @releasekit.mark.category("added")
    def policy_from_plugin(team):
        assert team == "release-team"

    return [policy_from_plugin]


@releasekit.hookimpl
def releasekit_collection_modifyitems(session, items):
    items.sort(key=lambda item: item.name)


@releasekit.hookimpl
def releasekit_report_result(result, session):
    if result.name == "policy_known_flaky" and result.outcome == "failed":
        result.outcome = "warned"
        result.message = "downgraded by policyconf: " + result.message


@releasekit.hookimpl
def releasekit_sessionfinish(session, result):
    EVENTS.append(("finish", result.counts["passed"]))
    (session.project_dir / "events.json").write_text(__import__("json").dumps(EVENTS))
"""


def test_policyconf_plugin_fixture_report_format_and_hooks(policy_project, tmp_path):
    project = policy_project(
        {
            "README.md": "# x\n",
            "policies/policyconf.py": FULL_CONF,
            "policies/readme.rule": "README.md\n",
            "policies/license.rule": "LICENSE\n",
            "policies/policy_team.py": """
                def policy_uses_plugin_fixture(team, plugin_options):
                    assert team == "release-team"
                    assert plugin_options["owner"] == "alice"
                    assert plugin_options["max-files"] == 7

                def policy_known_flaky():
                    assert 1 == 0, "flaky"
            """,
        }
    )
    report = tmp_path / "report.md"
    result = run_policies(
        project,
        builtin=False,
        plugin_options={"owner": "alice", "max-files": "7"},
        reports={"markdown": report},
    )
    by = {r.name: r for r in result.results}
    assert list(by) == sorted(by)  # modifyitems sorted them
    assert by["policy_uses_plugin_fixture"].outcome == "passed", by["policy_uses_plugin_fixture"].message
    assert by["policy_from_plugin"].outcome == "passed"
    assert by["policy_from_plugin"].id == "plugin:policies/policyconf.py::policy_from_plugin"
    assert by["rule_readme"].outcome == "passed"
    assert by["rule_license"].outcome == "failed" and "LICENSE is required" in by["rule_license"].message
    assert by["rule_license"].id == "policies/license.rule::rule_license"
    assert by["policy_known_flaky"].outcome == "warned"
    assert by["policy_known_flaky"].message.startswith("downgraded by policyconf: assert 1 == 0: flaky")
    text = report.read_text()
    assert text.startswith("# Policies\n")
    assert "- policies/license.rule::rule_license: failed" in text
    assert result.reports_written == {"markdown": str(report)}
    events = json.loads((project / "events.json").read_text())
    assert events == [["configure", "alice"], ["finish", 3]]


def test_plugin_option_errors(policy_project):
    project = policy_project(
        {"policies/policyconf.py": FULL_CONF, "policies/policy_a.py": "def policy_a():\n    pass\n"}
    )
    with pytest.raises(UsageError, match="unknown plugin option 'colour'; known options: max-files, owner"):
        run_policies(project, builtin=False, plugin_options={"colour": "red"})
    with pytest.raises(UsageError, match="plugin option 'max-files': invalid value 'many'"):
        run_policies(project, builtin=False, plugin_options={"max-files": "many"})
    with pytest.raises(
        UsageError, match="unknown report format 'pdf'; available: json, junitxml, markdown, sarif"
    ):
        run_policies(project, builtin=False, reports={"pdf": project / "r.pdf"})


def test_plugin_options_from_config(policy_project):
    project = policy_project(
        {
            "releasekit.yaml": "policies:\n  options:\n    owner: from-config\n",
            "policies/policyconf.py": FULL_CONF,
            "policies/policy_a.py": "def policy_a(plugin_options):\n    assert plugin_options['owner'] == 'from-config'\n",
        }
    )
    result = run_policies(project, builtin=False, keyword="policy_a")
    assert [str(r.outcome) for r in result.results] == ["passed"]


def test_runtest_protocol_can_replace_running(policy_project):
    project = policy_project(
        {
            "policies/policyconf.py": """
                import releasekit
                from releasekit.policy.result import PolicyResult

                @releasekit.hookimpl
                def releasekit_runtest_protocol(policy, session):
                    if policy.name == "policy_never_run":
                        return PolicyResult(policy.id, policy.name, "skipped", message="skipped by protocol")
                    return None
            """,
            "policies/policy_p.py": """
                def policy_never_run():
                    raise RuntimeError("should not run")

                def policy_runs_normally():
                    pass
            """,
        }
    )
    result = run_policies(project, builtin=False)
    assert [(r.name, str(r.outcome), r.message) for r in result.results] == [
        ("policy_never_run", "skipped", "skipped by protocol"),
        ("policy_runs_normally", "passed", ""),
    ]


def test_broken_policyconf_and_unknown_hook_are_errors_not_crashes(policy_project, tmp_path):
    project = policy_project(
        {
            "policies/policyconf.py": "import releasekit\n\nvalue = 1 +\n",
            "policies/policy_a.py": "def policy_a():\n    pass\n",
        }
    )
    result = run_policies(project, builtin=False)
    [error] = result.collection_errors
    assert (error.path, error.line, error.phase) == ("policies/policyconf.py", 3, "plugin")
    assert error.message.startswith("SyntaxError")
    assert result.exit_code == 1 and [r.name for r in result.results] == ["policy_a"]

    other = policy_project(
        {
            "policies/policyconf.py": "import releasekit\n\n@releasekit.hookimpl\ndef releasekit_no_such_hook():\n    pass\n",
            "policies/policy_a.py": "def policy_a():\n    pass\n",
        }
    )
    result = run_policies(other, builtin=False)
    [error] = result.collection_errors
    assert error.path == "policies/policyconf.py" and "releasekit_no_such_hook" in error.message


def test_plugins_from_config_and_argument(policy_project, tmp_path, monkeypatch):
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "rk_config_plugin_x1.py").write_text(
        "import releasekit\n\n@releasekit.fixture\ndef from_config():\n    return 'config plugin'\n"
    )
    monkeypatch.syspath_prepend(str(modules))
    monkeypatch.delitem(sys.modules, "rk_config_plugin_x1", raising=False)

    class ObjectPlugin:
        @releasekit.hookimpl
        def releasekit_report_result(self, result, session):
            result.detail = "seen by object plugin"

    project = policy_project(
        {
            "releasekit.yaml": "policies:\n  plugins: [rk_config_plugin_x1]\n",
            "policies/policy_a.py": "def policy_a(from_config):\n    assert from_config == 'config plugin'\n",
        }
    )
    result = run_policies(project, builtin=False, plugins=[ObjectPlugin()])
    [policy] = result.results
    assert policy.outcome == "passed" and policy.detail == "seen by object plugin"

    bad = policy_project({"releasekit.yaml": "policies:\n  plugins: [no_such_plugin_module_rk]\n"})
    with pytest.raises(
        ConfigError, match="policies.plugins: cannot import plugin 'no_such_plugin_module_rk'"
    ):
        run_policies(bad, builtin=False)


def _install_entry_point_plugin(site: Path, module: str) -> None:
    """A real installed distribution: a module plus its .dist-info with a `releasekit` entry point."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(
        textwrap.dedent(
            """
            import releasekit

            @releasekit.fixture
            def company_name():
                return "ACME"

            @releasekit.hookimpl
            def releasekit_add_policies(session):
                def policy_company_license(company_name, manifest):
                    assert manifest.get("author") == company_name, "author must be the company"
                return [policy_company_license]

            @releasekit.hookimpl
            def releasekit_report_result(result, session):
                result.marks.append("seen-by-entry-point")
            """
        )
    )
    dist_info = site / f"{module}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[releasekit]\ncompany = {module}\n")
    (dist_info / "RECORD").write_text("")


def test_entry_point_plugin_in_process(policy_project, tmp_path, monkeypatch):
    site = tmp_path / "site"
    _install_entry_point_plugin(site, "rk_company_plugin_ip")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "rk_company_plugin_ip", raising=False)
    project = policy_project(
        {"policies/policy_a.py": "def policy_a(company_name):\n    assert company_name == 'ACME'\n"},
        manifest={"name": "x", "version": "1.0.0", "author": "Someone Else"},
    )
    result = run_policies(project, builtin=False)
    by = {r.name: r for r in result.results}
    assert by["policy_a"].outcome == "passed"
    assert by["policy_company_license"].outcome == "failed"
    assert "author must be the company" in by["policy_company_license"].message
    assert by["policy_company_license"].id.startswith("plugin:company::")
    assert all("seen-by-entry-point" in r.marks for r in result.results)


def test_entry_point_plugin_through_the_lpm_command(policy_project, tmp_path):
    site = tmp_path / "site"
    _install_entry_point_plugin(site, "rk_company_plugin_sp")
    project = policy_project(
        {"policies/policy_a.py": "def policy_a(company_name):\n    assert company_name == 'ACME'\n"},
        manifest={"name": "x", "version": "1.0.0", "author": "ACME"},
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "releasekit", "check", str(project), "--no-builtin", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    document = json.loads(proc.stdout)
    assert {r["name"]: r["outcome"] for r in document["results"]} == {
        "policy_a": "passed",
        "policy_company_license": "passed",
    }


def test_broken_entry_point_is_a_collection_error(policy_project, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    dist_info = site / "rk_broken_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: rk_broken_plugin\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[releasekit]\nbroken = rk_missing_module_zz\n")
    monkeypatch.syspath_prepend(str(site))
    project = policy_project({"policies/policy_a.py": "def policy_a():\n    pass\n"})
    result = run_policies(project, builtin=False)
    [error] = result.collection_errors
    assert error.phase == "plugin" and error.path == "entry point broken = rk_missing_module_zz"
    assert "ModuleNotFoundError" in error.message
    assert result.exit_code == 1
