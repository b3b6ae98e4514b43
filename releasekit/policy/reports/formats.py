"""The built-in plugin offering the ``json``, ``junitxml`` and ``sarif`` file formats."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from releasekit.policy.hookmarkers import hookimpl
from releasekit.policy.reports import ReportFormat
from releasekit.redaction import redact_data

if TYPE_CHECKING:
    from releasekit.policy.result import SessionResult


def render_json(result: SessionResult) -> str:
    # Redacted as data, before serialising: JSON escaping would hide a secret from the text-level pass.
    document = json.loads(json.dumps(result.to_dict(), default=str))
    return json.dumps(redact_data(document), indent=2) + "\n"


def render_junitxml(result: SessionResult) -> str:
    from releasekit.policy.reports.junitxml import render

    return render(result)


def render_sarif(result: SessionResult) -> str:
    from releasekit.policy.reports.sarif import render

    return render(result)


@hookimpl
def releasekit_report_formats() -> list[ReportFormat]:
    return [
        ReportFormat("json", render_json, "the run as one JSON document (as lpm check --json prints)"),
        ReportFormat("junitxml", render_junitxml, "JUnit XML for CI test report viewers"),
        ReportFormat("sarif", render_sarif, "SARIF 2.1.0 for code scanning"),
    ]
