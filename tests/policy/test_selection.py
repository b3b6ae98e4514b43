"""-k expressions, policies.disable and --list."""

from __future__ import annotations

import pytest

from releasekit.errors import UsageError
from releasekit.policy.mark.expression import Expression, ExpressionError
from releasekit.policy.session import run_policies


def select(text: str, words: set[str]) -> bool:
    return Expression.compile(text).evaluate(lambda word: word in words)


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("a", {"a"}, True),
        ("a", {"b"}, False),
        ("not a", {"a"}, False),
        ("a and b", {"a"}, False),
        ("a or b", {"b"}, True),
        ("a or b and c", {"a"}, True),  # and binds tighter
        ("(a or b) and c", {"a"}, False),
        ("not (a or b)", set(), True),
        ("not not a", {"a"}, True),
        ("a and not b or c", {"c", "b"}, True),
        ("", set(), True),
        ("  ", set(), True),
        ("policy_x.py::name", {"policy_x.py::name"}, True),
        ("andy or orange", {"orange"}, True),  # keywords only as whole words
    ],
)
def test_expression_semantics(text, words, expected):
    assert select(text, words) is expected


@pytest.mark.parametrize(
    ("text", "column", "problem"),
    [
        ("a and", 6, "expected a name, 'not' or '('; got end of input"),
        ("(a or b", 8, "expected ')'; got end of input"),
        ("a b", 3, "expected 'and', 'or' or end of input; got 'b'"),
        ("a $ b", 3, "unexpected character '$'"),
        ("or a", 1, "expected a name, 'not' or '('; got 'or'"),
        (")", 1, "got ')'"),
    ],
)
def test_expression_errors(text, column, problem):
    with pytest.raises(ExpressionError) as info:
        Expression.compile(text)
    assert info.value.column == column
    assert problem in str(info.value)
    assert isinstance(info.value, UsageError)


SELECTABLE = {
    "policies/policy_docs.py": """
        import releasekit

        @releasekit.mark.category("documentation")
        def policy_readme():
            pass

        @releasekit.mark.slow
        def policy_changelog():
            pass
    """,
    "policies/policy_security.py": """
        import releasekit

        @releasekit.mark.category("code quality")
        def policy_secrets():
            pass

        def policy_license_file():
            pass
    """,
}


def names(result):
    return [r.name for r in result.results]


def test_keyword_over_names_markers_files_and_categories(policy_project):
    project = policy_project(SELECTABLE)
    assert names(run_policies(project, builtin=False, keyword="readme")) == ["policy_readme"]
    assert names(run_policies(project, builtin=False, keyword="slow")) == ["policy_changelog"]
    assert names(run_policies(project, builtin=False, keyword="not slow and docs")) == ["policy_readme"]
    assert names(run_policies(project, builtin=False, keyword="documentation or code_quality")) == [
        "policy_readme",
        "policy_secrets",
    ]
    assert names(run_policies(project, builtin=False, keyword="SECURITY and not (secrets)")) == [
        "policy_license_file"
    ]
    result = run_policies(project, builtin=False, keyword="nothing_matches")
    assert result.exit_code == 4 and len(result.deselected) == 4
    with pytest.raises(UsageError, match="bad -k expression"):
        run_policies(project, builtin=False, keyword="readme and")


def test_disable_by_name_and_id(policy_project):
    project = policy_project(
        {
            **SELECTABLE,
            "releasekit.yaml": """
                policies:
                  disable: [policy_readme, "policies/policy_security.py::policy_secrets"]
            """,
        }
    )
    result = run_policies(project, builtin=False)
    assert names(result) == ["policy_changelog", "policy_license_file"]
    assert result.deselected == [
        "policies/policy_docs.py::policy_readme",
        "policies/policy_security.py::policy_secrets",
    ]


def test_collect_only_runs_nothing(policy_project):
    project = policy_project(
        {
            "policies/policy_sideeffect.py": """
                from pathlib import Path

                def policy_writes(project_dir):
                    (project_dir / "ran.txt").write_text("ran")
            """
        }
    )
    result = run_policies(project, builtin=False, collect_only=True)
    assert result.results == [] and not (project / "ran.txt").exists()
    assert [c["id"] for c in result.collected] == ["policies/policy_sideeffect.py::policy_writes"]
    assert result.exit_code == 0
