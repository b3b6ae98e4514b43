"""JUnit XML, the format CI systems show as test results.

Each policy is a ``testcase`` (``classname`` from its file, ``file``/``line``
attributes); ``warned`` policies pass with their message in ``system-out``;
collection errors are ``error`` test cases of the class ``collection``.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from releasekit.policy.result import Outcome, PolicyResult, SessionResult
from releasekit.redaction import redact

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub("\N{REPLACEMENT CHARACTER}", redact(text))


def _classname(file: str) -> str:
    return file.removesuffix(".py").replace("/", ".") or "releasekit"


def _body(result: PolicyResult) -> str:
    lines = [f"{result.location}: {result.message}"]
    for finding in result.findings:
        where = f"{finding.file}:{finding.line}" if finding.file and finding.line else (finding.file or "")
        lines.append(f"  {where} [{finding.rule_id}] {finding.severity}: {finding.message}".rstrip())
    if result.details:
        lines.append(result.details)
    return _clean("\n".join(lines))


def _testcase(suite: ET.Element, result: PolicyResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_classname(result.file),
        name=result.name,
        file=result.file,
        time=f"{result.duration:.6f}",
    )
    if result.line:
        case.set("line", str(result.line))
    outcome = result.outcome
    first_line = _clean(result.message.splitlines()[0] if result.message else str(outcome))
    if outcome == Outcome.FAILED:
        ET.SubElement(case, "failure", message=first_line, type="policy failed").text = _body(result)
    elif outcome == Outcome.ERROR:
        ET.SubElement(case, "error", message=first_line, type="policy error").text = _body(result)
    elif outcome == Outcome.SKIPPED:
        ET.SubElement(case, "skipped", message=first_line)
    elif outcome == Outcome.WARNED:
        ET.SubElement(case, "system-out").text = "WARNING " + _body(result)
    properties = [("outcome", str(outcome))]
    if result.points is not None:
        earned = (
            result.earned
            if result.earned is not None
            else (result.points if outcome == Outcome.PASSED else 0)
        )
        properties.append(("points", f"{earned:g}/{result.points:g}"))
    props = ET.Element("properties")
    for name, value in properties:
        ET.SubElement(props, "property", name=name, value=value)
    case.insert(0, props)


def render(result: SessionResult) -> str:
    counts = result.counts
    tests = len(result.results) + len(result.collection_errors)
    attrs = {
        "name": "releasekit",
        "tests": str(tests),
        "failures": str(counts["failed"]),
        "errors": str(counts["error"] + len(result.collection_errors)),
        "skipped": str(counts["skipped"]),
        "time": f"{result.duration:.3f}",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(
        root,
        "testsuite",
        {**attrs, "timestamp": datetime.now(UTC).isoformat(), "hostname": socket.gethostname()},
    )
    props = ET.SubElement(suite, "properties")
    if result.score is not None:
        ET.SubElement(props, "property", name="quality_score", value=str(result.score.value))
    ET.SubElement(props, "property", name="min_score", value=str(result.min_score))
    ET.SubElement(props, "property", name="gate_passed", value=str(result.gate_passed).lower())
    for error in result.collection_errors:
        case = ET.SubElement(suite, "testcase", classname="collection", name=error.location, time="0")
        ET.SubElement(
            case, "error", message=_clean(error.message), type=f"{error.phase} error"
        ).text = _clean(error.details or error.message)
    for policy_result in result.results:
        _testcase(suite, policy_result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
