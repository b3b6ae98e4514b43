"""``lpm check`` through the real command line: output, reports and exit codes 0/1/2/3/4."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

PASSING = {"policies/policy_ok.py": "def policy_ok(manifest):\n    assert manifest['name'] == 'demo'\n"}
FAILING = {
    "policies/policy_bad.py": """
        def policy_fine():
            pass

        def policy_readme(package):
            assert "README.md" in package, "ship a README"
    """
}
QUALITY = {
    "policies/policy_q.py": """
        import releasekit

        @releasekit.mark.points(10)
        def policy_docs():
            "Has docs"
            return releasekit.Points(3, "3 of 10")
    """
}


def test_exit_0_and_summary(policy_project, lpm):
    project = policy_project(PASSING)
    run = lpm("check", str(project), "--no-builtin")
    assert run.code == 0, run.out + run.err
    last = run.out.strip().splitlines()[-1]
    assert last.startswith("=== 0 failed, 1 passed in ") and last.endswith("s ===")


def test_default_path_is_the_current_folder(policy_project, lpm, monkeypatch):
    project = policy_project(FAILING)
    monkeypatch.chdir(project)
    run = lpm("check", "--no-builtin")
    assert run.code == 1
    assert (
        'FAILED  policies/policy_bad.py:6 policy_readme - assert "README.md" in package: ship a README'
        in run.out
    )
    assert "1 failed, 1 passed" in run.out
    assert "Gate failed: 1 policy failed: policies/policy_bad.py::policy_readme" in run.out


def test_min_score_gate_through_the_cli(policy_project, lpm):
    project = policy_project(QUALITY)
    low = lpm("check", str(project), "--no-builtin", "--min-score", "50")
    assert low.code == 1
    assert "Quality score: 30/100 (minimum 50)" in low.out
    assert "quality score 30 is below the minimum 50; biggest missing points: Has docs" in low.out
    assert lpm("check", str(project), "--no-builtin", "--min-score", "30").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-score", "101"], "--min-score"),
        (["--min-score", "-1"], "--min-score"),
        (["-k", "readme and"], "bad -k expression"),
        (["--report", "nonsense"], "--report must look like NAME=VALUE"),
        (["--report", "pdf=out.pdf"], "unknown report format 'pdf'"),
        (["-o", "x=1"], "unknown plugin option 'x'"),
        (["-p", "/no/such/policies"], "does not exist"),
        (["--no-such-flag"], "No such option"),
    ],
)
def test_usage_errors_exit_2(policy_project, lpm, args, message):
    project = policy_project(PASSING)
    run = lpm("check", str(project), "--no-builtin", *args)
    assert run.code == 2, run.out + run.err
    assert message in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_bad_project_path_and_config_exit_2(policy_project, lpm, tmp_path):
    missing = lpm("check", str(tmp_path / "nope"))
    assert missing.code == 2 and "no such folder or tarball" in missing.err
    empty = tmp_path / "empty"
    empty.mkdir()
    no_manifest = lpm("check", str(empty))
    assert no_manifest.code == 2 and "no package.json" in no_manifest.err
    project = policy_project({**PASSING, "releasekit.yaml": "quality:\n  min_score: 300\n"})
    bad_config = lpm("check", str(project))
    assert bad_config.code == 2
    assert "releasekit.yaml:2: quality.min_score" in bad_config.err


def test_internal_error_exit_3(policy_project, lpm):
    project = policy_project(
        {
            **PASSING,
            "policies/policyconf.py": """
                import releasekit

                @releasekit.hookimpl
                def releasekit_sessionfinish(session, result):
                    raise RuntimeError("plugin bug")
            """,
        }
    )
    run = lpm("check", str(project), "--no-builtin")
    assert run.code == 3
    assert "internal error: RuntimeError: plugin bug" in run.err


def test_nothing_collected_exit_4(policy_project, lpm):
    project = policy_project({})
    assert lpm("check", str(project), "--no-builtin").code == 4
    assert lpm("check", str(project), "--no-builtin", "--list").code == 4
    deselected = policy_project(PASSING)
    assert lpm("check", str(deselected), "--no-builtin", "-k", "nothing").code == 4


def test_list_prints_and_runs_nothing(policy_project, lpm):
    project = policy_project(
        {
            "policies/policy_l.py": """
                import releasekit

                @releasekit.mark.severity("warning")
                @releasekit.mark.category("documentation")
                def policy_listed(project_dir):
                    "Writes a marker"
                    (project_dir / "ran").write_text("x")
            """
        }
    )
    run = lpm("check", str(project), "--no-builtin", "--list")
    assert run.code == 0
    assert run.out.splitlines() == [
        "policies/policy_l.py::policy_listed (severity=warning, category=documentation) - Writes a marker",
        "1 policy collected",
    ]
    assert not (project / "ran").exists()


def test_json_output_and_report_files(policy_project, lpm, tmp_path):
    project = policy_project(FAILING)
    junit, sarif = tmp_path / "j.xml", tmp_path / "s.sarif"
    run = lpm(
        "--json", "check", str(project), "--no-builtin", "--junitxml", str(junit), "--sarif", str(sarif)
    )
    assert run.code == 1
    document = json.loads(run.out)
    assert document["success"] is False and document["target"] == "npm"
    assert document["counts"]["failed"] == 1 and document["exit_code"] == 1
    assert document["reports"] == {"junitxml": str(junit), "sarif": str(sarif)}
    assert ET.parse(junit).getroot().find("testsuite").get("failures") == "1"
    assert json.loads(sarif.read_text())["runs"][0]["results"][0]["ruleId"] == "policy_readme"
    # check's own --json flag works too
    again = lpm("check", str(project), "--no-builtin", "--json")
    assert json.loads(again.out)["counts"]["passed"] == 1


def test_allow_secrets_reaches_the_options_fixture(policy_project, lpm):
    project = policy_project(
        {"policies/policy_opt.py": "def policy_opt(options):\n    assert options.allow_secrets\n"}
    )
    assert lpm("check", str(project), "--no-builtin").code == 1
    assert lpm("check", str(project), "--no-builtin", "--allow-secrets").code == 0


def test_extra_policy_paths_and_plugin_option(policy_project, lpm, tmp_path):
    extra = tmp_path / "org-policies"
    extra.mkdir()
    (extra / "policyconf.py").write_text(
        "import releasekit\n\n@releasekit.hookimpl\ndef releasekit_addoption(parser):\n    parser.addoption('org')\n"
    )
    (extra / "policy_org.py").write_text(
        "def policy_org(plugin_options):\n    assert plugin_options['org'] == 'acme'\n"
    )
    project = policy_project(PASSING)
    run = lpm("check", str(project), "--no-builtin", "-p", str(extra), "-o", "org=acme", "-v")
    assert run.code == 0, run.out
    assert "PASSED  " in run.out and "policy_org" in run.out


def test_update_baseline_records_then_checks(policy_project, lpm):
    pytest.importorskip("releasekit.scan.baseline")
    from releasekit.config import load_config

    project = policy_project(PASSING)
    run = lpm("check", str(project), "--no-builtin", "--update-baseline")
    assert run.code == 0, run.out + run.err
    assert (project / load_config(project).get("secrets.baseline")).is_file()


def test_lpm_console_script(policy_project):
    lpm_path = shutil.which("lpm")
    if lpm_path is None:
        pytest.skip("lpm is not installed as a console script")
    project = policy_project(FAILING)
    proc = subprocess.run(
        [lpm_path, "check", str(project), "--no-builtin"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert "policy_readme" in proc.stdout


def test_check_a_packed_tarball(policy_project, lpm, tmp_path, monkeypatch):
    from releasekit.package.pack import pack_project

    source = policy_project({"README.md": "# hi\n", "index.js": "module.exports = 1;\n"})
    tarball = tmp_path / "demo-1.0.0.tgz"
    tarball.write_bytes(pack_project(source).tarball)
    checks = policy_project(
        {
            "policies/policy_t.py": "def policy_t(package, project_dir):\n    assert 'README.md' in package and package.source_dir is None\n"
        }
    )
    monkeypatch.chdir(checks)
    run = lpm("check", str(tarball), "--no-builtin")
    assert run.code == 0, run.out + run.err
    assert "1 passed" in run.out
    not_tgz = tmp_path / "notes.txt"
    not_tgz.write_text("x")
    bad = lpm("check", str(not_tgz), "--no-builtin")
    assert bad.code == 2 and "not a project folder or a .tgz tarball" in bad.err


def test_console_lists_findings_with_rule_ids_and_no_markup_injection(policy_project, lpm):
    project = policy_project(
        {
            "policies/policy_f.py": """
                from releasekit import Finding

                def policy_findings():
                    yield Finding("todo", "TODO [bold]left[/bold]", file="index.js", line=2)
                    yield Finding("style", "tabs", file="lib/x.js", line=9, severity="warning")
            """
        }
    )
    run = lpm("check", str(project), "--no-builtin")
    assert run.code == 1
    assert "        index.js:2 [todo] TODO [bold]left[/bold]" in run.out.splitlines()
    assert "        lib/x.js:9 [style] tabs" in run.out.splitlines()
