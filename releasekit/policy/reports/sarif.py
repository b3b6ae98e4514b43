"""SARIF 2.1.0, the format code scanning (GitHub, GitLab...) reads.

Rule ids are stable slugs: ``<policy name>`` for a policy's own failure or error,
``<policy name>/<finding rule id as a slug>`` for each kind of finding (``AWS
Access Key`` becomes ``aws-access-key``, an id that is already a slug such as publint's
``FILE_DOES_NOT_EXIST`` stays as it is; the original stays in the rule's properties), so code scanning can tell results apart across runs. Locations are relative to the project
(``PROJECTROOT``). Secret findings carry their hash as a partial fingerprint,
never their text.
"""

from __future__ import annotations

import json
import re
from typing import Any

import releasekit
from releasekit.policy.findings import Finding, Severity
from releasekit.policy.result import Outcome, PolicyResult, SessionResult
from releasekit.redaction import redact

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_slug(text: str) -> str:
    """``AWS Access Key`` -> ``aws-access-key``: lower case, runs of other characters become one ``-``.

    An id that is already a slug stays as it is, so publint's codes (``EXPORTS_TYPES_SHOULD_BE_FIRST``)
    reach code scanning verbatim and map onto publint's own documentation.
    """
    if re.fullmatch(r"[A-Za-z0-9_.-]+", text):
        return text
    return re.sub(r"[^a-z0-9_.]+", "-", text.lower()).strip("-") or "finding"


def _level(result: PolicyResult, finding: Finding | None) -> str:
    if finding is not None:
        level = _LEVELS[finding.severity]
        # A warning-severity policy never reports errors.
        return "warning" if level == "error" and result.outcome == Outcome.WARNED else level
    return "warning" if result.outcome == Outcome.WARNED else "error"


def _location(file: str | None, line: int | None) -> dict[str, Any] | None:
    if not file or file.startswith(("builtin/", "plugin:")) or file.startswith("/"):
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": file, "uriBaseId": "PROJECTROOT"}}
    if line and line > 0:
        physical["region"] = {"startLine": int(line)}
    return {"physicalLocation": physical}


class _Rules:
    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}

    def get(self, rule_id: str, result: PolicyResult, finding: Finding | None) -> int:
        if rule_id not in self.index:
            description = result.label or result.name
            if finding is not None:
                description = f"{description}: {finding.rule_id}"
            rule: dict[str, Any] = {
                "id": rule_id,
                "name": rule_id.replace("/", "_"),
                "shortDescription": {"text": redact(description)},
                "defaultConfiguration": {"level": "warning" if result.severity == "warning" else "error"},
                "properties": {
                    "policy": result.id,
                    **({"category": result.category} if result.category else {}),
                    **({"findingRule": finding.rule_id} if finding is not None else {}),
                },
            }
            self.index[rule_id] = len(self.rules)
            self.rules.append(rule)
        return self.index[rule_id]


def _message(text: str) -> dict[str, str]:
    return {"text": redact(text) or "(no message)"}


def render(result: SessionResult) -> str:
    rules = _Rules()
    results: list[dict[str, Any]] = []
    for policy_result in result.results:
        outcome = policy_result.outcome
        if outcome not in (Outcome.FAILED, Outcome.WARNED, Outcome.ERROR):
            continue
        logical = [{"fullyQualifiedName": policy_result.id, "kind": "function"}]
        if policy_result.findings and outcome != Outcome.ERROR:
            for finding in policy_result.findings:
                rule_id = f"{policy_result.name}/{rule_slug(finding.rule_id)}"
                entry: dict[str, Any] = {
                    "ruleId": rule_id,
                    "ruleIndex": rules.get(rule_id, policy_result, finding),
                    "level": _level(policy_result, finding),
                    "message": _message(
                        finding.message + (f" ({finding.excerpt})" if finding.excerpt else "")
                    ),
                }
                location = _location(finding.file, finding.line)
                entry["locations"] = [{**(location or {}), "logicalLocations": logical}]
                if finding.secret_hash:
                    entry["partialFingerprints"] = {"secretHash/v1": finding.secret_hash}
                results.append(entry)
            continue
        rule_id = policy_result.name
        entry = {
            "ruleId": rule_id,
            "ruleIndex": rules.get(rule_id, policy_result, None),
            "level": _level(policy_result, None),
            "message": _message(("error: " if outcome == Outcome.ERROR else "") + policy_result.message),
        }
        location = _location(policy_result.file, policy_result.line)
        entry["locations"] = [{**(location or {}), "logicalLocations": logical}]
        results.append(entry)
    notifications = [
        {
            "level": "error",
            "message": _message(f"{error.location}: {error.message}"),
            **({"locations": [loc]} if (loc := _location(error.path, error.line)) else {}),
        }
        for error in result.collection_errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "releasekit",
                "version": releasekit.__version__,
                "informationUri": "https://pypi.org/project/releasekit/",
                "rules": rules.rules,
            }
        },
        "originalUriBaseIds": {"PROJECTROOT": {"uri": result.project_dir.as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": not result.collection_errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    if result.score is not None:
        run["properties"] = {"qualityScore": result.score.value, "minScore": result.min_score}
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"
