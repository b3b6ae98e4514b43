"""Hyperscan finds the same candidate lines as the per-core regexes, or stands aside."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.scan import ScanSettings, accelerated, scan_files, tokens
from releasekit.scan.engine import load
from releasekit.scan.prefilter import Core, candidate_lines
from releasekit.testing.npm_fixtures import FixtureUnavailable, fetch_package

pytestmark = pytest.mark.skipif(not accelerated.available(), reason="Hyperscan is not installed here")

PLAN = ScanSettings.default().plan
CORES = load(PLAN).cores


@pytest.fixture(scope="module", autouse=True)
def _prepared() -> None:
    assert accelerated.prepare(CORES)


def _both(text: str) -> tuple[list[object], list[object]]:
    """(regex path, Hyperscan path): a copy of the cores list was never prepared."""
    unprepared: Sequence[tuple[Core, ...] | None] = list(CORES)
    return candidate_lines(text, unprepared), candidate_lines(text, CORES)


# Pieces of every core (literals, quoted runs of each length class, keyword prefixes),
# separators, and the characters that must send a text to the regex path.
_PIECES = [
    "AKIA",
    "ASIA",
    "A3TX",
    "ABCDEFGHIJKLMNOP",
    "0123456789abcdef",
    "AccountKey=",
    "://",
    "cloudant",
    "cl_api_key",
    "softlayer",
    "sl-pass",
    ".abcdef.",
    "abcdefghijklmnopqrstuvwxyz0",
    "ghp_",
    "glpat-",
    "GR1348941",
    "token",
    " = ",
    "=>",
    "::",
    "key",
    "KEY",
    "api_",
    "database_",
    "private",
    "secret",
    "Secret_Access_Key",
    ".1.2.",
    ".255.0.",
    "eyJ",
    "pass",
    "pwd",
    "contrase",
    "-us1",
    "/:_authToken=",
    "T3BlbkFJ",
    "PRIVATE KEY",
    "PuTTY-User-Key-File-2",
    "pypi-AgE",
    "SG.",
    "xoxb-",
    "hooks.slack.com",
    "sq0csp-",
    "k_live_",
    ":" + "a" * 35,
    "AC" + "a1" * 16,
    "SK" + "b2" * 16,
    "AKC" + "x" * 10,
    "AP1" + "y" * 8,
    "'",
    '"',
    "a" * 7,
    "f0" * 4,
    "Zq9+/=_-\\" * 3,
    "x" * 40,
    "\n",
    " ",
    "é",
    "Ж",
    "漢",
    "\u0663",  # an Arabic-Indic digit: Python's \d matches it, Hyperscan's does not
    "\u0130",  # İ, ı, ſ, K: fold() maps them onto ASCII letters
    "\u0131",
    "\u017f",
    "\u212a",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_hyperscan_finds_the_lines_the_regexes_find(pieces: list[str]) -> None:
    text = "".join(pieces)
    regex_path, hyperscan_path = _both(text)
    assert hyperscan_path == regex_path


@pytest.mark.parametrize("odd", ["\u0663", "\u0130", "\u0131", "\u017f", "\u212a"])
def test_texts_hyperscan_cannot_match_exactly_take_the_regex_path(odd: str) -> None:
    text = f"const key = 'x';\nauth{odd}key = 1\n"
    assert accelerated.core_hits(text, CORES) is None
    assert accelerated.core_hits(text.replace(odd, "k"), CORES) is not None


def test_non_ascii_text_offsets_are_character_offsets() -> None:
    text = "Жé漢 password\n" * 3 + "x = 'AKIAABCDEFGHIJKLMNOP'\n"
    hits = accelerated.core_hits(text, CORES)
    assert hits is not None
    assert {text[offset] for offset, _ in hits} <= set(text) - set("Жé漢")
    regex_path, hyperscan_path = _both(text)
    assert hyperscan_path == regex_path


def test_an_unprepared_plan_takes_the_regex_path() -> None:
    assert accelerated.core_hits("password = 'x'", list(CORES)) is None


@pytest.mark.parametrize(("name", "version"), [("typescript", "5.6.3"), ("lodash", "4.17.21")])
def test_real_packages_same_lines_and_same_findings(name: str, version: str) -> None:
    try:
        project = fetch_package(name, version)
    except FixtureUnavailable as exc:
        pytest.skip(str(exc))
    files = [
        (p.relative_to(project).as_posix(), p.read_bytes()) for p in sorted(project.rglob("*")) if p.is_file()
    ]
    for path, data in files:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        regex_path, hyperscan_path = _both(text)
        assert hyperscan_path == regex_path, path
    # the whole scan, in one process: with the database, and with Hyperscan switched off
    fast = scan_files(files, PLAN, jobs=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RELEASEKIT_HYPERSCAN", "0")
        patch.setattr(accelerated, "_builds", {})
        slow = scan_files(files, PLAN, jobs=1)
    assert [(f.file, f.line, f.type, f.hashed_secret) for f in fast] == [
        (f.file, f.line, f.type, f.hashed_secret) for f in slow
    ]


_TOKEN_PIECES = [
    "npm_",
    "ghp_",
    "gho_",
    "github_pat_",
    "sk_live_",
    "rk_live_",
    "xoxb-",
    "xoxe.xoxp-",
    "xapp-1-",
    "SG.",
    "AIza",
    "AKIA",
    "ASIA",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----",
    "A1b2C3d4E5",
    "0123456789",
    "abcdef0123456789abcdef0123456789",
    "_",
    "-",
    ".",
    "\\n",
    "\\u0041",
    "\n",
    "é",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_TOKEN_PIECES), max_size=40))
def test_the_token_format_filter_never_hides_a_token(pieces: list[str]) -> None:
    assert accelerated.prepare_formats(tokens.PATTERNS)
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accelerated, "formats_present", lambda text, patterns: None)
        every_format = tokens.scan_tokens(text)
    assert tokens.scan_tokens(text) == every_format


def test_the_token_format_filter_names_the_formats_that_match() -> None:
    assert accelerated.prepare_formats(tokens.PATTERNS)
    text = "const a = 'npm_" + "A1b2" * 9 + "';\nAKIAABCDEFGHIJKLMNOP\n"
    present = accelerated.formats_present(text, tokens.PATTERNS)
    assert present is not None
    assert {tokens.FORMATS[i].type for i in present} == {tokens.NPM, tokens.AWS_KEY_ID}
