"""Discovery: files, functions, patterns, paths, built-ins, and import errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import releasekit
from releasekit.errors import ConfigError, UsageError
from releasekit.policy.collect import builtin_policies_dir
from releasekit.policy.session import run_policies

TWO_POLICIES = """
def policy_one():
    pass

def policy_two():
    pass

def helper_not_a_policy():
    raise AssertionError("never collected")
"""


def ids(result):
    return [r.id for r in result.results]


def test_default_patterns_find_policy_files_and_functions(policy_project):
    project = policy_project(
        {
            "policies/policy_basic.py": TWO_POLICIES,
            "policies/nested/policy_deep.py": "def policy_deep():\n    pass\n",
            "policies/helpers.py": "def policy_in_helper():\n    raise AssertionError('not a policy file')\n",
            "policies/.hidden/policy_hidden.py": "def policy_hidden():\n    pass\n",
        }
    )
    result = run_policies(project, builtin=False)
    # A folder's own files first (sorted), then its subfolders.
    assert ids(result) == [
        "policies/policy_basic.py::policy_one",
        "policies/policy_basic.py::policy_two",
        "policies/nested/policy_deep.py::policy_deep",
    ]
    assert result.exit_code == 0 and result.gate_passed
    assert result.counts["passed"] == 3


def test_configured_name_patterns_and_paths(policy_project):
    project = policy_project(
        {
            "releasekit.yaml": """
                policies:
                  paths: [checks]
                  python_files: ["check_*.py"]
                  python_functions: ["check_*", "verify_*"]
            """,
            "checks/check_things.py": "def check_a():\n    pass\n\ndef verify_b():\n    pass\n\ndef policy_c():\n    pass\n",
            "checks/policy_ignored.py": "def check_x():\n    pass\n",
            "policies/policy_default_dir.py": "def policy_x():\n    pass\n",
        }
    )
    result = run_policies(project, builtin=False)
    assert ids(result) == ["checks/check_things.py::check_a", "checks/check_things.py::verify_b"]


def test_missing_configured_policy_path_is_a_config_error(policy_project):
    project = policy_project({"releasekit.yaml": "policies:\n  paths: [nope]\n"})
    with pytest.raises(ConfigError, match="nope"):
        run_policies(project, builtin=False)


def test_extra_paths_folder_and_single_file(policy_project, tmp_path):
    project = policy_project({"policies/policy_a.py": "def policy_a():\n    pass\n"})
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "policy_b.py").write_text("def policy_b():\n    pass\n")
    single = tmp_path / "odd_name.py"
    single.write_text("def policy_single():\n    pass\n")
    result = run_policies(project, builtin=False, paths=[extra, single])
    names = [r.name for r in result.results]
    assert names == ["policy_a", "policy_b", "policy_single"]
    with pytest.raises(UsageError, match="does not exist"):
        run_policies(project, builtin=False, paths=[tmp_path / "missing"])


def test_builtin_policies_dir_is_found_and_collected(policy_project):
    package_dir = Path(releasekit.__file__).resolve().parent
    wheel_dir, checkout_dir = package_dir / "_builtin_policies", package_dir.parent / "policies"
    expected = wheel_dir if wheel_dir.is_dir() else checkout_dir
    assert builtin_policies_dir() == expected
    files = sorted(p.name for p in expected.glob("policy_*.py"))
    project = policy_project({"policies/policy_mine.py": "def policy_mine():\n    pass\n"})
    listed = run_policies(project, collect_only=True)
    builtin_files = {item["file"] for item in listed.collected if item["builtin"]}
    assert builtin_files == {f"builtin/{name}" for name in files} - {e.path for e in listed.collection_errors}
    assert "policies/policy_mine.py::policy_mine" in [i["id"] for i in listed.collected]
    without = run_policies(project, builtin=False, collect_only=True)
    assert [i["id"] for i in without.collected] == ["policies/policy_mine.py::policy_mine"]


def test_builtin_can_be_turned_off_in_config(policy_project):
    project = policy_project({"releasekit.yaml": "policies:\n  builtin: false\n"})
    result = run_policies(project)
    assert result.collected == [] and result.exit_code == 4


def test_import_errors_are_collection_errors_with_file_and_line(policy_project):
    project = policy_project(
        {
            "policies/policy_good.py": "def policy_good():\n    pass\n",
            "policies/policy_syntax.py": "def policy_x():\n    pass\n\ndef broken(:\n    pass\n",
            "policies/policy_import.py": "import os\nimport no_such_module_releasekit_test\n",
            "policies/policy_raises.py": "x = 1\n\nraise RuntimeError('boom at import')\n",
        }
    )
    result = run_policies(project, builtin=False)
    errors = {e.path: e for e in result.collection_errors}
    assert set(errors) == {
        "policies/policy_syntax.py",
        "policies/policy_import.py",
        "policies/policy_raises.py",
    }
    assert errors["policies/policy_syntax.py"].line == 4
    assert errors["policies/policy_syntax.py"].message.startswith("SyntaxError")
    assert errors["policies/policy_import.py"].line == 2
    assert "ModuleNotFoundError" in errors["policies/policy_import.py"].message
    assert errors["policies/policy_raises.py"].line == 3
    assert errors["policies/policy_raises.py"].message == "RuntimeError: boom at import"
    assert ids(result) == ["policies/policy_good.py::policy_good"]
    assert result.results[0].outcome == "passed"
    assert not result.gate_passed and result.exit_code == 1
    assert any("3 collection error(s)" in m for m in result.gate_messages)


def test_invalid_marker_value_is_a_collection_error(policy_project):
    project = policy_project(
        {
            "policies/policy_marks.py": """
                import releasekit

                @releasekit.mark.severity("fatal")
                def policy_bad():
                    pass
            """
        }
    )
    result = run_policies(project, builtin=False)
    [error] = result.collection_errors
    assert error.path == "policies/policy_marks.py" and error.line == 4
    assert "severity must be one of error, warning" in error.message


def test_same_file_names_in_two_projects_and_sibling_helpers_do_not_clash(policy_project):
    def project_with(value: str):
        return policy_project(
            {
                "policies/helpers.py": f"VALUE = {value!r}\n",
                "policies/policy_same.py": f"""
                    import helpers

                    def policy_value():
                        assert helpers.VALUE == {value!r}, helpers.VALUE
                """,
            }
        )

    first, second = project_with("first"), project_with("second")
    path_before, modules_before = list(sys.path), set(sys.modules)
    for project in (first, second, first):
        result = run_policies(project, builtin=False)
        assert [r.outcome for r in result.results] == ["passed"], result.results[0].message
    assert sys.path == path_before
    assert "helpers" not in sys.modules
    leaked = {m for m in set(sys.modules) - modules_before if m.startswith("releasekit_policies_")}
    assert leaked == set()


def test_functions_imported_from_another_policy_file_are_collected_once(policy_project):
    project = policy_project(
        {
            "policies/policy_base.py": "def policy_base():\n    pass\n",
            "policies/policy_reuse.py": "from policy_base import policy_base\n\ndef policy_own():\n    pass\n",
        }
    )
    assert ids(run_policies(project, builtin=False)) == [
        "policies/policy_base.py::policy_base",
        "policies/policy_reuse.py::policy_own",
    ]


def test_nothing_collected_exit_code_4(policy_project):
    project = policy_project({"policies/readme.txt": "no policies"})
    result = run_policies(project, builtin=False)
    assert result.exit_code == 4 and result.results == [] and result.collection_errors == []


def test_exits_and_module_level_skip(policy_project):
    project = policy_project(
        {
            "policies/policy_exit_at_import.py": "import sys\n\nsys.exit(0)\n",
            "policies/policy_skipped_file.py": "import releasekit\n\nreleasekit.skip('not on this platform')\n\ndef policy_never():\n    pass\n",
            "policies/policy_exit_in_policy.py": "import sys\n\ndef policy_exits():\n    sys.exit(0)\n",
        }
    )
    result = run_policies(project, builtin=False)
    [error] = result.collection_errors
    assert (error.path, error.line, error.message) == (
        "policies/policy_exit_at_import.py",
        3,
        "SystemExit: 0",
    )
    [policy] = result.results
    assert policy.name == "policy_exits" and policy.outcome == "error" and policy.message == "SystemExit: 0"
    assert result.exit_code == 1


def test_wheel_layout_is_preferred(tmp_path, monkeypatch):
    package_dir = tmp_path / "site-packages" / "releasekit"
    (package_dir / "_builtin_policies").mkdir(parents=True)
    (package_dir.parent / "policies").mkdir()
    monkeypatch.setattr(releasekit, "__file__", str(package_dir / "__init__.py"))
    assert builtin_policies_dir() == package_dir / "_builtin_policies"
    (package_dir / "_builtin_policies").rmdir()
    assert builtin_policies_dir() == package_dir.parent / "policies"
    (package_dir.parent / "policies").rmdir()
    assert builtin_policies_dir() is None
