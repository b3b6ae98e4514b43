"""detect-secrets' keyword plugin, run in linear time, finds exactly what detect-secrets finds.

Its patterns are ``(keyword)\\w*`` and a tail: on one long run of word characters with
many keywords in it (``passwordpassword…``) every keyword start backtracks through the
whole run; from every backtick, a quoted value scans to the next ``'``/``"``. The engine
tries each run and each stretch between those quotes once (see ``engine._keyword_secrets``). The lines
here are short so that detect-secrets itself stays fast; the cost is a ratio of two
sizes, never a timed assert.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.scan import ScanSettings
from releasekit.scan.engine import _keyword_secrets, scan_file
from tests.scan.test_engine import _ours, detect_secrets_scan  # noqa: F401  (a fixture)

# RELEASEKIT_SCAN_EXAMPLES=20000 for a longer differential run.
EXAMPLES = int(os.environ.get("RELEASEKIT_SCAN_EXAMPLES", "400"))
PIECES = [
    "password",
    "PassWord",
    "passwd",
    "pwd",
    "secret",
    "api_key",
    "apikey",
    "db_pass",
    "key_pass",
    "private_key",
    "priv",
    "contraseña",
    "paſsword",
    "\u212aey",
    "assign",
    ".assign",
    "_",
    "x",
    "9",
    "ñ",
    "=",
    "==",
    "!=",
    "===",
    ":",
    ":=",
    "=>",
    "(",
    "[",
    "]",
    "[12]",
    "@",
    ";",
    ",",
    " ",
    "\t",
    "\x0b",
    '"',
    "'",
    "`",
    "`;",
    "';",
    '";',
    "`a",
    "a`;",
    ",`",
    "x ;",
]
WORD_RUN = st.text(alphabet="abcpasswordkey_9", min_size=1, max_size=60)
QUOTE = st.sampled_from(["`", "`", "'", '"'])
# a quoted value, closed or not, then what the patterns look for after it
QUOTED = st.builds(
    lambda q, body, close, after: q + body + close + after,
    QUOTE,
    st.text(alphabet="ab_9,` ;=", max_size=8),
    QUOTE,
    st.sampled_from(["", ";", "==", " == ", "!=", "===", ","]),
)
LINE = st.lists(st.one_of(st.sampled_from(PIECES), WORD_RUN, QUOTED), max_size=30).map("".join)
NAMES = st.sampled_from(["a.js", "a.py", "a.go", "a.c", "a.cpp", "a.yaml", "a.ini", "a.txt", "a.tf"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(name=NAMES, line=LINE)
def test_keyword_secrets_equal_the_plugin_on_one_line(name: str, line: str) -> None:
    from detect_secrets.plugins.keyword import KeywordDetector

    plugin = KeywordDetector()
    theirs = {secret.secret_value for secret in plugin.analyze_line(filename=name, line=line, line_number=1)}
    assert _keyword_secrets(plugin, name, line) == theirs


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=NAMES, lines=st.lists(LINE, min_size=1, max_size=3))
def test_same_findings_as_detect_secrets_scan_on_keyword_rich_lines(
    detect_secrets_scan,  # noqa: F811
    name: str,
    lines: list[str],
) -> None:
    data = "\n".join(lines).encode("utf-8")
    assert _ours(name, data) == detect_secrets_scan(name, data)


def _best_of(path: str, data: bytes, runs: int) -> float:
    plan = ScanSettings.default().plan
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        scan_file(path, data, plan)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("path", ["bundle.js", "config.yaml", "main.go", "main.cpp"])
@pytest.mark.parametrize("unit", ["password", "api_keysecret_", "pwd", "password,`a,", "`a", "password:`a,`"])
def test_a_long_run_of_keywords_scans_linearly(path: str, unit: str) -> None:
    # x8 input: linear work x8, quadratic x64 (detect-secrets: seconds at 8 KB, minutes at 64 KB)
    small = (unit * (8_000 // len(unit))).encode()
    big = (unit * (64_000 // len(unit))).encode()
    _best_of(path, small, 1)  # warm up
    ratio = min(_best_of(path, big, 2) / max(_best_of(path, small, 3), 1e-4) for _ in range(3))
    assert ratio < 24, f"x8 input took x{ratio:.1f} time"


def test_the_shortcuts_premises_hold_for_the_installed_detect_secrets() -> None:
    """What ``_keyword_secrets`` was derived from: after ``(keyword)\\w*`` every tail starts
    with a non-word character, but for the semicolon pattern's ``[^\\s]{0,50}?`` and the C++
    pattern's ``(.assign)?``. A new detect-secrets whose tails differ fails here, to be
    checked again, not silently."""
    from detect_secrets.plugins import keyword

    from releasekit.scan.engine import _quoted_shapes_known

    tables = [keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP, *keyword.REGEX_BY_FILETYPE.values()]
    VALUE = "(" + keyword.SECRET + ")"  # the quoted value's body, the same in every tail
    tails = {
        regex.pattern[len(keyword.DENYLIST_REGEX) :].replace(VALUE, "<value>")
        for table in tables
        for regex in table
        if regex.pattern.startswith(keyword.DENYLIST_REGEX)
    }
    assert tails == {
        '((\\[[0-9]*\\]))?\\s*[!=]{1,2}\\s*(@)?(")' + "<value>" + "(\\5)",
        '(.assign)?\\((")' + "<value>" + "(\\3)",
        "([]\\'\"]{0,2})?:(\\s*)([\\'\"`])" + "<value>" + "(\\4)",
        "([]\\'\"]{0,2})?:\\s*([\\'\"`]?)" + "<value>" + "(\\3)",
        "([]\\'\"]{0,2})?\\s*(={1,3}|!==?)\\s*([\\'\"`])" + "<value>" + "(\\4)",
        "([]\\'\"]{0,2})?\\s*(={1,3}|!==?)\\s*([\\'\"`]?)" + "<value>" + "(\\4)",
        "([]\\'\"]{0,2})?\\s*:=\\s*([\\'\"`]?)" + "<value>" + "(\\3)",
        "([]\\'\"]{0,2})?\\s*=>?\\s*([\\'\"`])" + "<value>" + "(\\3)",
        "[^\\s]{0,50}?\\s*([\\'\"`])" + "<value>" + "(\\2);",
    }
    assert _quoted_shapes_known()
