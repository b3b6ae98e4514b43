"""The quality score and the min_score gate."""

from __future__ import annotations

import pytest

from releasekit.options import StageOptions
from releasekit.policy.result import Outcome, PolicyResult
from releasekit.policy.score import compute_score, score_gate_message
from releasekit.policy.session import run_policies

QUALITY = '''
import releasekit

@releasekit.mark.category("documentation")
@releasekit.mark.points(10)
def policy_readme(package):
    """Has a README"""
    assert "README.md" in package, "add a README.md"

@releasekit.mark.category("documentation")
@releasekit.mark.points(20)
def policy_license(package):
    """Has a LICENSE"""
    assert "LICENSE" in package, "add a LICENSE"

@releasekit.mark.category("testing")
@releasekit.mark.points(30)
def policy_tests(package):
    """Has tests"""
    return releasekit.Points(15, "tests exist but no test script")

@releasekit.mark.category("health")
@releasekit.mark.points(40)
def policy_types(manifest):
    """Ships types"""
    if manifest.get("x-no-types"):
        releasekit.skip("this package opts out of types")
    assert manifest.get("types"), "no types field"

@releasekit.mark.category("health")
@releasekit.mark.points(5)
def policy_too_generous():
    """Clamps points"""
    return releasekit.Points(50, "asked for more than its maximum")

def policy_plain():
    pass
'''


def _project(policy_project, opt_out=False, config=""):
    files = {"README.md": "# hi\n", "policies/policy_quality.py": QUALITY}
    if config:
        files["releasekit.yaml"] = config
    manifest = {"name": "q", "version": "1.0.0", **({"x-no-types": True} if opt_out else {})}
    return policy_project(files, manifest=manifest)


def test_score_breakdown_and_quality_failures_do_not_fail_the_gate(policy_project):
    result = run_policies(_project(policy_project), builtin=False)
    by = {r.name: r for r in result.results}
    # Failing quality checks are warnings: the score is their gate.
    assert by["policy_license"].outcome == "warned"
    assert (
        by["policy_tests"].outcome == "warned"
        and by["policy_tests"].detail == "tests exist but no test script"
    )
    assert by["policy_too_generous"].outcome == "passed"
    score = result.score
    assert score is not None
    # readme 10 + license 0 + tests 15 + types 0 + generous 5 (clamped) of 10+20+30+40+5
    assert (score.earned, score.applicable) == (30, 105)
    assert score.value == round(100 * 30 / 105)
    checks = {c.id.split("::")[1]: c for c in score.checks}
    assert set(checks) == {
        "policy_readme",
        "policy_license",
        "policy_tests",
        "policy_types",
        "policy_too_generous",
    }
    assert checks["policy_readme"].passed and checks["policy_readme"].label == "Has a README"
    assert (checks["policy_tests"].points, checks["policy_tests"].max_points) == (15, 30)
    assert checks["policy_license"].category == "documentation" and not checks["policy_license"].passed
    assert result.gate_passed and result.exit_code == 0


def test_skipped_checks_leave_the_denominator(policy_project):
    result = run_policies(_project(policy_project, opt_out=True), builtin=False)
    assert result.score is not None
    assert (result.score.earned, result.score.applicable) == (30, 65)
    assert "policy_types" not in {c.id.split("::")[1] for c in result.score.checks}


def test_min_score_gate_message(policy_project):
    result = run_policies(_project(policy_project), builtin=False, options=StageOptions(min_score=50))
    assert not result.gate_passed and result.exit_code == 1
    [message] = result.gate_messages
    assert message.startswith(
        f"quality score {result.score.value} is below the minimum 50; biggest missing points: "
    )
    missing = message.split("biggest missing points: ")[1].split("; ")
    assert missing[0].startswith("Ships types (") and missing[0].endswith("): -40")
    assert missing[1].startswith("Has a LICENSE (") and missing[1].endswith("): -20")
    assert missing[2].startswith("Has tests (") and missing[2].endswith("): -15")


def test_config_min_score_and_option_override(policy_project):
    project = _project(policy_project, config="quality:\n  min_score: 90\n")
    assert run_policies(project, builtin=False).exit_code == 1
    assert run_policies(project, builtin=False, options=StageOptions(min_score=10)).exit_code == 0
    assert run_policies(project, builtin=False, options=StageOptions(min_score=0)).exit_code == 0


def test_no_quality_checks_no_score(policy_project):
    project = policy_project({"policies/policy_p.py": "def policy_p():\n    pass\n"})
    result = run_policies(project, builtin=False, options=StageOptions(min_score=80))
    assert result.score is None and result.exit_code == 0


def test_erroring_quality_check_earns_nothing_and_fails_the_gate():
    crashed = PolicyResult("f.py::policy_q", "policy_q", Outcome.ERROR, points=10, earned=10)
    passed = PolicyResult("f.py::policy_p", "policy_p", Outcome.PASSED, points=10)
    score = compute_score([crashed, passed])
    assert score is not None and score.value == 50
    assert Outcome.ERROR.fails_gate


@pytest.mark.parametrize(
    ("score_value", "minimum", "fails"), [(79, 80, True), (80, 80, False), (100, 0, False)]
)
def test_gate_threshold(score_value, minimum, fails):
    result = PolicyResult("f.py::policy_q", "policy_q", Outcome.PASSED, points=100, earned=score_value)
    score = compute_score([result])
    assert score is not None and score.value == score_value
    assert (score_gate_message(score, minimum) is not None) == fails
