"""The engine reproduces detect-secrets' per-file results, and the shortcuts stay sound."""

from __future__ import annotations

import os
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from releasekit.scan import ScanSettings
from releasekit.scan.engine import load, plugin_classes, scan_file
from releasekit.scan.prefilter import _FOLDS, KNOWN_FINGERPRINTS, cores_for, fold

# RELEASEKIT_SCAN_EXAMPLES=6000 for a longer differential run (about 40 s).
EXAMPLES = int(os.environ.get("RELEASEKIT_SCAN_EXAMPLES", "400"))
PLAN = replace(ScanSettings.default().plan, extra_patterns=False, filenames=False)
B64 = string.ascii_letters + string.digits + "+/"


def _ours(path: str, data: bytes) -> set[tuple[int | None, str]]:
    return {(h.line, h.type) for h in scan_file(path, data, PLAN)}


@pytest.fixture
def detect_secrets_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """detect-secrets' own scan_file, in process, with every plugin and its default filters."""
    from detect_secrets.core.scan import scan_file as ds_scan_file
    from detect_secrets.settings import transient_settings

    monkeypatch.chdir(tmp_path)

    def scan(path: str, data: bytes) -> set[tuple[int | None, str]]:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        seen: dict[tuple[str, str], int] = {}
        for secret in ds_scan_file(path):
            seen.setdefault((secret.secret_hash, secret.type), secret.line_number)
        target.unlink()
        return {(line, rule) for (_, rule), line in seen.items()}

    with transient_settings({"plugins_used": [{"name": name} for name in plugin_classes()]}):
        yield scan


FRAGMENTS = [
    "password",
    "PASSWORD",
    "secret",
    "api_key",
    "apikey",
    "db_pass",
    "private_key",
    "token",
    "key",
    "pwd",
    "contraseña",
    "paſsword",
    "\u212aey",
    "İ",
    "ı",
    "aws",
    "cloudant",
    "softlayer",
    "sl_key",
    "ibm_cos_secret_key",
    " = ",
    "=",
    ": ",
    ":",
    ":=",
    "==",
    "=>",
    " ",
    "\t",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    ",",
    ".",
    "@",
    "://",
    '"',
    "'",
    "`",
    "$",
    "${",
    "#",
    "//",
    "/*",
    "*/",
    "--",
    "<!--",
    "-->",
    " pragma: allowlist secret",
    "# pragma: allowlist nextline secret",
    "pragma: whitelist secret",
    "AKIA",
    "ASIA",
    "ghp_",
    "glpat-",
    "xoxb-123456789012-",
    "sk_live_",
    "SG.",
    "eyJ",
    "AccountKey=",
    "npm_",
    "//registry.npmjs.org/:_authToken=",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-us1",
    "sq0csp-",
    "T3BlbkFJ",
    "1.2.3.4",
    "8.8.8.8",
    "10.0.0.1",
    "123456789:",
    "AC",
    "SK",
    "AKC",
    "AP1",
    "id",
    "_id",
    "[global]",
    "[db]",
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "\x0b",
    "\u2028",
]
QUOTES = st.sampled_from(['"', "'", "`"])
TOKENS = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.builds(
        lambda q, body: q + body + q, QUOTES, st.text(alphabet=B64 + "-_=\\", min_size=18, max_size=48)
    ),
    st.builds(
        lambda key, op, q, body: f"{key}{op}{q}{body}{q}",
        st.sampled_from(
            [
                "password",
                "api_key",
                "my_secret",
                "db_pass",
                "aws_token",
                "ibm_cloud_iam_key",
                "cloudant_pwd",
                "sl_token",
            ]
        ),
        st.sampled_from(["=", " = ", ": ", ":=", " == ", "(", " => "]),
        QUOTES,
        st.text(alphabet=B64 + "-_$", min_size=3, max_size=70),
    ),
    st.text(alphabet=B64, min_size=18, max_size=48),
    st.text(alphabet="0123456789abcdef", min_size=6, max_size=70),
    st.text(alphabet=string.ascii_lowercase + string.digits + "_-", min_size=40, max_size=70),
)
NAMES = st.sampled_from(
    [
        "a.js",
        "a.py",
        "a.go",
        "a.c",
        "a.cpp",
        "a.yaml",
        "a.ini",
        "a.cfg",
        "a.env",
        ".env",
        "a.txt",
        "a.json",
        "a.md",
        "a.tf",
        "a.java",
    ]
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=NAMES, parts=st.lists(TOKENS, min_size=1, max_size=40))
def test_same_results_as_detect_secrets_on_generated_files(
    detect_secrets_scan, name: str, parts: list[str]
) -> None:
    data = "".join(parts).encode("utf-8")
    ours = _ours(name, data)
    event("with findings" if ours else "without findings")
    assert ours == detect_secrets_scan(name, data)


def test_examples_through_every_code_path(detect_secrets_scan) -> None:
    key = "A" + "KIA" + "QWERTYUIOPASDFGH"
    blob = "kR8vZ2xLq0pW9mN3bT7yH1cF5dG4sJ6a"
    cases = {
        "inline.js": f'const a = "{key}"; // pragma: allowlist secret\nconst b = "{key}2";\n',
        "nextline.js": f"// pragma: allowlist nextline secret\nconst a = '{blob}Zq';\nconst b = '{blob}Zq';\n",
        "crlf.js": f"one\r\ntwo\rthree\nconst a = '{blob}Qx';\r\n",
        "dedupe.js": f"x('{blob}Aa')\ny('{blob}Aa')\n",
        "indirect.js": f"secret = get_secret('{blob}Bb')\n",
        "app.ini": f"[main]\npassword = {blob}\n",
        "plain.env": "DB_PASSWORD=correcthorsebattery\n",
        "package-lock.json": f'"{blob}Cc"\n',
        "swagger/spec.js": f'"{blob}Dd"\n',
        "style.css": f'"{blob}Ee"\n',
        "binary.js": b"\xff\xfe".decode("latin-1") + f'"{blob}Ff"\n',
    }
    for path, text in cases.items():
        data = text.encode("latin-1") if path == "binary.js" else text.encode("utf-8")
        assert _ours(path, data) == detect_secrets_scan(path, data), path
    assert _ours("inline.js", cases["inline.js"].encode()) == {(2, "AWS Access Key")}
    assert _ours("dedupe.js", cases["dedupe.js"].encode()) == {(1, "Base64 High Entropy String")}
    assert _ours("plain.env", cases["plain.env"].encode()) == {(1, "Secret Keyword")}
    assert _ours("crlf.js", cases["crlf.js"].encode()) == {(4, "Base64 High Entropy String")}


def test_source_maps_are_scanned_although_detect_secrets_skips_them(detect_secrets_scan) -> None:
    data = b'{"sourcesContent": ["const k = \\"' + ("A" + "KIA" + "QWERTYUIOPASDFGH").encode() + b'\\";"]}'
    assert detect_secrets_scan("index.js.map", data) == set()
    assert (1, "AWS Access Key") in _ours("index.js.map", data)


def test_every_default_plugin_has_prefilter_cores() -> None:
    # A detect-secrets upgrade that changes a plugin's patterns disables its cores
    # (correct but slow); this test says which ones need re-deriving.
    loaded = load(PLAN)
    missing = [
        type(p).__name__ for p, cores in zip(loaded.plugins, loaded.cores, strict=True) if cores is None
    ]
    assert missing == []
    assert set(KNOWN_FINGERPRINTS) | {"Base64HighEntropyString", "HexHighEntropyString"} == set(
        plugin_classes()
    )


def test_unknown_plugin_patterns_fall_back_to_every_line() -> None:
    from detect_secrets.plugins.base import RegexBasedDetector

    class AWSKeyDetector(RegexBasedDetector):  # same name, other patterns
        secret_type = "AWS Access Key"
        denylist = (re.compile("different"),)

    assert cores_for(AWSKeyDetector()) is None


def test_fold_covers_every_character_ignorecase_equates_with_an_ascii_letter() -> None:
    letters = re.compile("[a-z]", re.IGNORECASE)
    non_ascii = {
        chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000 and letters.match(chr(c))
    }
    assert non_ascii == set(_FOLDS)
    text = "PaſſWORD \u212aEY İd ı Ñ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "password key id i ñ"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=B64 + "-_=\\", min_size=1, max_size=80))
def test_fast_entropy_is_bit_identical_to_detect_secrets(data: str) -> None:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    from releasekit.scan.engine import _entropy

    for plugin in (Base64HighEntropyString(), HexHighEntropyString()):
        assert _entropy(plugin, data) == plugin.calculate_shannon_entropy(data)


def test_long_minified_line_matches_detect_secrets(detect_secrets_scan) -> None:
    import random

    rng = random.Random(5)
    pieces = [
        "function(a){return a.key==b}",
        "var c=`tpl ${d}`;",
        "e.password=f;",
        'g["api_key"]=h;',
        "i!==j&&k();",
        "if(l=='m')n();",
        "o={secret:p,pwd:q};",
        "r.db_pass(s);",
        "t=u.contraseña;",
        "v='w'+\"x\";",
        "id_=y;",
    ]
    parts = []
    for _ in range(20000):
        parts.append(rng.choice(pieces))
        if rng.random() < 0.01:
            parts.append(
                f'var z{rng.randint(0, 99)}="{"".join(rng.choice(B64) for _ in range(rng.randint(20, 44)))}";'
            )
        if rng.random() < 0.003:
            parts.append(f'password="{"".join(rng.choice(B64) for _ in range(12))}";')
    data = ("".join(parts) + "\n").encode()
    assert len(data) > 250_000
    ours = _ours("bundle.min.js", data)
    assert ours == detect_secrets_scan("bundle.min.js", data)
    assert {rule for _, rule in ours} >= {"Secret Keyword", "Base64 High Entropy String"}


def _allowlisted_by_splitting(path: str, text: str) -> frozenset[int]:
    """The allowlist lines computed the plain way: every line split out and looked at."""
    from detect_secrets.filters.allowlist import is_line_allowlisted

    from releasekit.scan.engine import _Context

    lines = text.split("\n")
    covered = set()
    for index, line in enumerate(lines):
        if "pragma" in line:
            for line_no in (index + 1, index + 2):
                if line_no <= len(lines):
                    previous = lines[line_no - 2] if line_no > 1 else ""
                    if is_line_allowlisted(path, lines[line_no - 1], _Context(previous)):
                        covered.add(line_no)
    return frozenset(covered)


_PRAGMA_PIECES = [
    "# pragma: allowlist secret",
    "// pragma: allowlist secret",
    "/* pragma: allowlist nextline secret */",
    "# pragma: allowlist nextline secret",
    "pragma",
    "secret = 'x'",
    "\n",
    "\n\n",
    " ",
    "x",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PRAGMA_PIECES), max_size=14), st.sampled_from(["a.py", "a.js", "a.yaml"]))
def test_allowlisted_lines_by_substring_search_equal_splitting(pieces: list[str], path: str) -> None:
    from releasekit.scan.engine import _allowlisted_lines

    text = "".join(pieces)
    assert _allowlisted_lines(path, text) == _allowlisted_by_splitting(path, text)


_INI_PIECES = [
    "[section]",
    "[a]b]",
    "[",
    "]",
    "key = value",
    "key: value",
    "# note",
    "; note",
    "  ",
    "\t",
    "\n",
    "x",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_INI_PIECES), max_size=12))
def test_the_section_header_shortcut_agrees_with_detect_secrets_config_transformer(pieces: list[str]) -> None:
    """Where the shortcut says configparser fails, detect-secrets' transformer fails."""
    import io

    from detect_secrets.transformers.config import ConfigFileTransformer
    from detect_secrets.transformers.exceptions import ParsingError

    from releasekit.scan.engine import _opens_with_section

    text = "".join(pieces)
    stream = io.StringIO(text)
    stream.name = "file.js"  # type: ignore[misc]
    try:
        ConfigFileTransformer().parse_file(stream)  # type: ignore[arg-type]
        parsed = True
    except ParsingError:
        parsed = False
    if not _opens_with_section(text):
        assert not parsed
