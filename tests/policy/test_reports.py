"""Report files: JUnit XML, SARIF 2.1.0 and JSON, written atomically and without secrets."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from releasekit.errors import StorageError, UsageError
from releasekit.policy.reports import write_report
from releasekit.policy.session import run_policies
from releasekit.redaction import register_secret

SECRET = "rk-test-secret-0123456789abcdef"

POLICIES = f"""
import releasekit
from releasekit import Finding

def policy_ok():
    pass

def policy_assert():
    assert 1 + 1 == 3, "math is broken"

def policy_findings():
    yield Finding("aws-key", "AWS key in file", file="lib/a.js", line=4, secret_hash="0" * 40, excerpt="AKIA****")
    yield Finding("aws-key", "AWS key in file", file="lib/b.js", line=9, secret_hash="1" * 40)
    yield Finding("private-key", "private key", file="lib/c.pem", line=1, severity="warning")
    yield Finding("Basic Auth Credentials", "credentials in a URL", file="lib/d.js", line=2)

@releasekit.mark.severity("warning")
def policy_soft():
    releasekit.fail("soft problem")

def policy_skip():
    releasekit.skip("not here")

def policy_crash():
    raise ValueError("leaks {SECRET}")
"""

# The parts of SARIF 2.1.0 code scanning relies on (a strict subset of the OASIS schema).
SARIF_SHAPE = {
    "type": "object",
    "required": ["version", "runs", "$schema"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                            "properties": {
                                                "id": {"type": "string", "minLength": 1},
                                                "shortDescription": {
                                                    "type": "object",
                                                    "required": ["text"],
                                                },
                                                "defaultConfiguration": {
                                                    "properties": {
                                                        "level": {
                                                            "enum": ["none", "note", "warning", "error"]
                                                        }
                                                    }
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "level"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1}
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture
def reported(policy_project, tmp_path):
    register_secret(SECRET)
    project = policy_project({"policies/policy_mixed.py": POLICIES, "policies/policy_broken.py": "def (\n"})
    paths = {
        "junitxml": tmp_path / "junit.xml",
        "sarif": tmp_path / "out.sarif",
        "json": tmp_path / "out.json",
    }
    result = run_policies(project, builtin=False, reports=paths)
    return result, paths


def test_junit_xml_parses_back(reported):
    result, paths = reported
    root = ET.parse(paths["junitxml"]).getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "7",
        "2",
        "2",
        "1",
    )
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert (
        cases["policy_ok"].find("failure") is None
        and cases["policy_ok"].get("classname") == "policies.policy_mixed"
    )
    failure = cases["policy_assert"].find("failure")
    assert failure is not None and failure.get("message") == "assert 1 + 1 == 3: math is broken"
    assert cases["policy_assert"].get("file") == "policies/policy_mixed.py"
    assert (
        int(cases["policy_assert"].get("line"))
        == POLICIES.splitlines().index('    assert 1 + 1 == 3, "math is broken"') + 1
    )
    assert "lib/a.js:4 [aws-key]" in cases["policy_findings"].find("failure").text
    assert cases["policy_skip"].find("skipped").get("message") == "not here"
    assert "WARNING" in cases["policy_soft"].find("system-out").text
    assert cases["policy_crash"].find("error") is not None
    assert cases["policies/policy_broken.py:1"].find("error").get("type") == "collect error"
    assert SECRET not in paths["junitxml"].read_text()


def test_sarif_shape_rule_ids_and_locations(reported):
    result, paths = reported
    document = json.loads(paths["sarif"].read_text())
    jsonschema.validate(document, SARIF_SHAPE)
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    rule_ids = [r["id"] for r in rules]
    assert len(rule_ids) == len(set(rule_ids))
    results = run["results"]
    assert sorted({r["ruleId"] for r in results}) == sorted(
        [
            "policy_assert",
            "policy_findings/aws-key",
            "policy_findings/basic-auth-credentials",
            "policy_findings/private-key",
            "policy_soft",
            "policy_crash",
        ]
    )
    assert all(" " not in rule_id for rule_id in rule_ids)  # slugs, as code scanning expects
    slugged = next(r for r in rules if r["id"] == "policy_findings/basic-auth-credentials")
    assert slugged["properties"]["findingRule"] == "Basic Auth Credentials"
    for entry in results:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
    aws = [r for r in results if r["ruleId"] == "policy_findings/aws-key"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in aws] == [
        "lib/a.js",
        "lib/b.js",
    ]
    assert [r["partialFingerprints"]["secretHash/v1"] for r in aws] == ["0" * 40, "1" * 40]
    assert aws[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["policy_findings/private-key"] == "warning" and levels["policy_soft"] == "warning"
    assert levels["policy_assert"] == "error"
    notifications = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notifications) == 1 and "policy_broken.py" in notifications[0]["message"]["text"]
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"].startswith("file://")
    assert SECRET not in paths["sarif"].read_text()


def test_sarif_rule_ids_are_stable_across_runs(reported, policy_project, tmp_path):
    result, paths = reported
    again = tmp_path / "again.sarif"
    run_policies(result.project_dir, builtin=False, reports={"sarif": again})
    first = [r["id"] for r in json.loads(paths["sarif"].read_text())["runs"][0]["tool"]["driver"]["rules"]]
    second = [r["id"] for r in json.loads(again.read_text())["runs"][0]["tool"]["driver"]["rules"]]
    assert first == second


def test_json_report_matches_result_and_has_no_secret(reported):
    result, paths = reported
    text = paths["json"].read_text()
    assert SECRET not in text and "***" in text
    document = json.loads(text)
    assert document["counts"] == result.counts
    assert document["exit_code"] == 1 and document["gate_passed"] is False
    crash = next(r for r in document["results"] if r["name"] == "policy_crash")
    assert crash["outcome"] == "error" and "traceback" in crash


def test_report_files_are_written_atomically(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old")
    write_report(target, "new content")
    assert target.read_text() == "new content"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]  # no temp file left behind
    occupied = tmp_path / "occupied"
    (occupied / "child").mkdir(parents=True)  # a non-empty folder where the file should go
    with pytest.raises(StorageError, match="cannot write"):
        write_report(occupied, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["occupied", "report.txt"]
    assert [p.name for p in occupied.iterdir()] == ["child"]


def test_bad_report_destination_is_a_usage_error_before_running(policy_project, tmp_path):
    project = policy_project(
        {"policies/policy_w.py": "def policy_w(project_dir):\n    (project_dir / 'ran').write_text('x')\n"}
    )
    with pytest.raises(UsageError, match="does not exist"):
        run_policies(project, builtin=False, reports={"sarif": tmp_path / "missing" / "x.sarif"})
    with pytest.raises(UsageError, match="it is a folder"):
        run_policies(project, builtin=False, reports={"sarif": tmp_path})
    assert not (project / "ran").exists()
