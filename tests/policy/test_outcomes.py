"""How a policy passes, fails, warns, skips or errors, and what the report says."""

from __future__ import annotations

from releasekit.policy.session import run_policies
from releasekit.redaction import register_secret

POLICIES = '''
import releasekit
from releasekit import Finding

def policy_returns_none():
    pass

def policy_assert_in(package):
    """Ships a README"""
    assert "README.md" in package, "ship a README"

def policy_assert_compare(package):
    files = len(package.files)
    limit = 0
    assert files <= limit, f"too many files"

def policy_assert_multiline():
    value = 3
    assert (
        value
        == 4
    )

def policy_fail_call():
    x = 1
    releasekit.fail("refused by policy")

def policy_returns_false():
    return False

def policy_error_finding():
    return Finding("no-todo", "TODO left in code", file="index.js", line=3)

def policy_yields_findings():
    yield Finding("style", "tabs used", file="a.js", line=1, severity="warning")
    yield Finding("style", "spaces used", file="b.js", line=2, severity="warning")

def policy_info_only():
    return [Finding("note", "just so you know", severity="info")]

def policy_skip():
    releasekit.skip("not applicable here")

@releasekit.mark.severity("warning")
def policy_warning_severity():
    assert 1 == 2, "only a warning"

@releasekit.mark.severity("warning")
def policy_warning_finding():
    return Finding("x", "error-level finding in a warning policy")

def policy_crash():
    data = {}
    return data["missing"]

def policy_unsupported_return():
    return "yes"

def policy_points_without_marker():
    return releasekit.Points(1)

def policy_fail_in_helper():
    import helper
    helper.check()

def _require(condition, message):
    if not condition:
        releasekit.fail(message)

def _check(value):
    assert value, "helper assert"

def policy_shared_helper_fail():
    _require(False, "via shared helper")

def policy_shared_helper_assert():
    _check(0)

def policy_catches_everything():
    try:
        releasekit.fail("cannot be swallowed")
    except Exception:
        pass
'''


def line_of(text: str) -> int:
    """1-based line of the first line of POLICIES containing ``text``."""
    return next(n for n, line in enumerate(POLICIES.splitlines(), 1) if text in line)


def test_every_outcome(policy_project):
    project = policy_project(
        {
            "index.js": "x\n",
            "policies/policy_outcomes.py": POLICIES,
            "policies/helper.py": "def check():\n    assert 2 + 2 == 5, 'helper says no'\n",
        }
    )
    result = run_policies(project, builtin=False)
    by = {r.name: r for r in result.results}

    assert by["policy_returns_none"].outcome == "passed"

    failed = by["policy_assert_in"]
    assert failed.outcome == "failed"
    assert failed.message.splitlines()[0] == 'assert "README.md" in package: ship a README'
    assert failed.location == "policies/policy_outcomes.py:" + str(line_of('assert "README.md" in package'))
    assert failed.label == "Ships a README"

    compare = by["policy_assert_compare"]
    assert compare.message.splitlines() == [
        "assert files <= limit: too many files",
        f"  where files = {len(result.package.files)}",
        "  where limit = 0",
    ]
    assert by["policy_assert_multiline"].message.splitlines()[0] == "assert value == 4"
    assert by["policy_assert_multiline"].line == line_of("    assert (")

    assert (by["policy_fail_call"].outcome, by["policy_fail_call"].message) == ("failed", "refused by policy")
    assert by["policy_fail_call"].line == line_of('releasekit.fail("refused by policy")')
    assert (by["policy_returns_false"].outcome, by["policy_returns_false"].message) == (
        "failed",
        "policy returned False",
    )

    finding = by["policy_error_finding"]
    assert finding.outcome == "failed" and [f.rule_id for f in finding.findings] == ["no-todo"]
    assert "TODO left in code at index.js:3" in finding.message

    assert by["policy_yields_findings"].outcome == "warned"
    assert len(by["policy_yields_findings"].findings) == 2
    assert by["policy_info_only"].outcome == "passed" and len(by["policy_info_only"].findings) == 1

    assert (by["policy_skip"].outcome, by["policy_skip"].message) == ("skipped", "not applicable here")
    assert by["policy_warning_severity"].outcome == "warned"
    assert by["policy_warning_severity"].message == "assert 1 == 2: only a warning"
    assert by["policy_warning_finding"].outcome == "warned"

    crash = by["policy_crash"]
    assert crash.outcome == "error" and crash.message == "KeyError: 'missing'"
    assert "Traceback" in crash.details and 'return data["missing"]' in crash.details
    assert "runner.py" not in crash.details  # the framework's frames are trimmed
    assert crash.line == line_of('return data["missing"]')

    assert by["policy_unsupported_return"].outcome == "error"
    assert "returned a str" in by["policy_unsupported_return"].message
    assert by["policy_points_without_marker"].outcome == "error"

    helper = by["policy_fail_in_helper"]
    assert helper.outcome == "failed"
    assert helper.message == "assert 2 + 2 == 5: helper says no"
    assert helper.line == line_of("helper.check()")  # the line in the policy file that led there

    assert by["policy_catches_everything"].outcome == "failed"

    # A helper in the same file: the location is the policy's own call, not the shared helper line.
    assert by["policy_shared_helper_fail"].line == line_of('_require(False, "via shared helper")')
    assert by["policy_shared_helper_assert"].line == line_of("    _check(0)")
    assert by["policy_shared_helper_assert"].message == "assert value: helper assert\n  where value = 0"

    counts = result.counts
    assert (counts["passed"], counts["failed"], counts["warned"], counts["skipped"], counts["error"]) == (
        2,
        10,
        3,
        1,
        3,
    )
    assert not result.gate_passed and result.exit_code == 1


def test_warnings_alone_pass_the_gate(policy_project):
    project = policy_project(
        {
            "policies/policy_w.py": """
                import releasekit

                @releasekit.mark.severity("warning")
                def policy_soft():
                    releasekit.fail("soft")

                def policy_finding_warning():
                    yield releasekit.Finding("r", "m", severity=releasekit.Severity.WARNING)
            """
        }
    )
    result = run_policies(project, builtin=False)
    assert [str(r.outcome) for r in result.results] == ["warned", "warned"]
    assert result.gate_passed and result.exit_code == 0


def test_assertion_explanation_never_shows_string_contents(policy_project):
    secret = "ghp_" + "A1b2C3d4" * 4
    project = policy_project(
        {
            "config.js": f"const token = '{secret}';\n",
            "policies/policy_secret.py": """
                def policy_no_token(package):
                    text = package.text("config.js")
                    assert "ghp_" not in text, "a token is in config.js"
            """,
        }
    )
    [result] = run_policies(project, builtin=False).results
    assert result.outcome == "failed"
    assert secret not in result.message and "A1b2C3d4" not in result.message
    assert "where text = <str of length" in result.message


def test_registered_secrets_are_redacted_from_results(policy_project):
    secret = "s3cr3t-value-for-redaction"
    register_secret(secret)
    project = policy_project(
        {
            "policies/policy_leak.py": f"import releasekit\n\ndef policy_leak():\n    releasekit.fail('found {secret}')\n"
        }
    )
    result = run_policies(project, builtin=False)
    assert secret not in str(result.to_dict())
