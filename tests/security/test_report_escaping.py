"""A secret that JSON or XML escapes (quotes, backslashes, non-ASCII) is still masked in every report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from releasekit.redaction import register_secret
from tests.lpm_runner import Run

SECRET = 'pa"ss\\wörd<&>-Zq81'


def test_escaped_secret_in_every_report(tmp_path: Path, lpm: Callable[..., Run]) -> None:
    project = tmp_path / "project"
    (project / "policies").mkdir(parents=True)
    (project / "package.json").write_text(json.dumps({"name": "rk-escape-demo", "version": "1.0.0"}))
    (project / "index.js").write_text("module.exports = 1;\n")
    (project / "policies" / "policy_quote.py").write_text(
        "import releasekit\n\n"
        "def policy_quotes_a_secret():\n"
        f"    releasekit.fail('the value is ' + {SECRET!r})\n"
    )
    register_secret(SECRET)  # as a token read from any source would be
    reports = {"junitxml": tmp_path / "r.xml", "sarif": tmp_path / "r.sarif", "json": tmp_path / "r.json"}
    run = lpm(
        "check",
        str(project),
        "-k",
        "quotes",
        "--json",
        *(f"--report={name}={path}" for name, path in reports.items()),
    )
    assert run.code == 1, run.text
    forms = {
        SECRET,
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        SECRET.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"),
    }
    for where, text in {
        "stdout": run.text,
        **{name: path.read_text() for name, path in reports.items()},
    }.items():
        assert "the value is ***" in text, (where, text[:2000])
        leaked = [form for form in forms if form in text]
        assert not leaked, (where, leaked)
