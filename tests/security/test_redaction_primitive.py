"""releasekit.redaction and releasekit.terminal: the one redaction point, tested on its own."""

from __future__ import annotations

import io
import json
import logging

import pytest

from releasekit import redaction, terminal
from releasekit.redaction import MASK, redact, redact_data, register_secret, shorten

SECRET = 'pa"ss\\wörd-Zq81'  # characters JSON escapes: redact before serialising


@pytest.fixture(autouse=True)
def _secret() -> None:
    register_secret(SECRET)


def test_json_is_redacted_before_it_is_serialised() -> None:
    doc = {"message": f"got {SECRET}", SECRET: [SECRET, 1, None]}
    text = json.dumps(redact_data(doc))
    assert json.dumps(SECRET)[1:-1] not in text and SECRET not in text
    assert json.loads(text) == {"message": f"got {MASK}", MASK: [MASK, 1, None]}


@pytest.mark.parametrize("limit", range(1, 40))
def test_shorten_never_shows_part_of_a_secret(limit: int) -> None:
    text = "error: " + SECRET + " and more"
    short = shorten(text, limit)
    assert len(short) <= max(limit, 3)
    assert not any(SECRET[i : i + 4] in short for i in range(len(SECRET) - 3))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://alice:hunter22@registry.example/", "https://***@registry.example/"),
        ("ftp://tok3n@host/x", "ftp://***@host/x"),
        ("see git+ssh://git@host/r.git", "see git+ssh://***@host/r.git"),
        ("mail alice@example.com", "mail alice@example.com"),
        ("//host/:_authToken=abc123xyz", "//host/:_authToken=***"),
        ("Authorization: Bearer abcdefgh12345", "Authorization: Bearer ***"),
        ("ghp_" + "a1" * 18, MASK),
        ("npm_" + "Z" * 36, MASK),
    ],
)
def test_shapes_masked_without_registration(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_overlapping_secrets_are_masked_as_one() -> None:
    register_secret("abcdef-123")
    register_secret("def-123-xyz")
    assert redact("x abcdef-123-xyz y") == f"x {MASK} y"


def test_log_records_are_redacted() -> None:
    stream = io.StringIO()
    logger = redaction.guard_logger("releasekit.test-redaction")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("sent %s to %s", SECRET, "https://u:p4ssword@h/")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"sent {MASK} to https://***@h/\n"


def test_rich_text_is_redacted_before_it_is_folded() -> None:
    from rich.table import Table
    from rich.text import Text

    for width in range(20, 90):
        out = io.StringIO()
        console = terminal.console(width=width)
        console.file = out  # type: ignore[misc]
        table = Table()
        table.add_column("a", overflow="fold")
        table.add_column("b", overflow="ellipsis", no_wrap=True)
        table.add_row(Text(f"token {SECRET} end", style="bold"), f"{'x' * 10}{SECRET}")
        console.print(table)
        console.print(f"[bold]{terminal.escape(SECRET)}[/]")
        assert not any(SECRET[i : i + 4] in out.getvalue() for i in range(len(SECRET) - 3)), out.getvalue()


def test_visible_and_escape() -> None:
    assert terminal.visible("a\x1b[31m\nb\t\u202ec") == "a\\x1b[31m\\nb\\t\\u202ec"
    assert terminal.layout_safe("line\n\x07bell\r") == "line\n\\x07bell\\r"
    assert terminal.escape("lib[/x]") == "lib\\[/x]"
    assert terminal.markup("[/x] unbalanced").plain == "[/x] unbalanced"


def test_thousands_of_found_secrets_and_long_ones() -> None:
    # A scan of a large bundle registers many values at once; some are long.
    found = [f"entropy-{i:05d}-{i * 7919 % 10007:05d}" for i in range(3000)] + ["k" * 5000, "k" * 4999 + "z"]
    for value in found:
        register_secret(value)
    text = " | ".join(found[::97] + found[-2:])
    assert redact(text) == " | ".join([MASK] * len(found[::97] + found[-2:]))
    assert redact("entropy-00001-07919x entropy-0000") == f"{MASK}x entropy-0000"
