"""``lpm quality``'s pipeline as a library call: the score report, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.errors import UsageError
from releasekit.stage.score import CATEGORIES, score_path


def test_score_path_reports_every_check_in_category_order(make_project: Callable[..., Path]) -> None:
    project = make_project(
        {"name": "demo-score", "version": "1.0.0", "main": "index.js", "description": "d"},
        {"index.js": "module.exports = 1;\n", "README.md": "# demo\n"},
    )
    scored = score_path(project, min_score=100)
    report = scored.to_dict()
    assert 0 < report["score"] < 100 and report["min_score"] == 100 and report["gate_passed"] is False
    assert report["earned"] <= report["applicable"]
    order = [CATEGORIES.index(c["category"]) for c in report["checks"] if c["category"] in CATEGORIES]
    assert order == sorted(order) and len(report["checks"]) == len(scored.session.results)
    assert scored.messages == scored.session.gate_messages and scored.messages


def test_no_quality_checks_is_a_usage_error(make_project: Callable[..., Path]) -> None:
    project = make_project({"name": "demo-score", "version": "1.0.0"}, {"index.js": "x\n"})
    with pytest.raises(UsageError, match="no quality checks collected"):
        score_path(project, builtin=False)
