"""Random text, secrets, widths and layouts: no run of a secret's characters survives any output path.

The secret is drawn from an alphabet the surrounding text never uses, so any
four of its characters side by side in the output are a leak. A short run by
default; ``nox -s fuzz`` sets ``RELEASEKIT_FUZZ_EXAMPLES`` for a long one.
"""

from __future__ import annotations

import io
import json
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit import terminal
from releasekit.redaction import forget_all, redact_data, register_secret, shorten

EXAMPLES = int(os.environ.get("RELEASEKIT_FUZZ_EXAMPLES") or 40)
SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ#%&+="
TEXT_CHARS = "abcdefghijklmnopqrstuvwxyz      \n\t\x1b\x07[]/\u202e"
RUN = re.compile(f"[{re.escape(SECRET_CHARS)}]{{4,}}")

secrets = st.text(SECRET_CHARS, min_size=4, max_size=60)
fillers = st.text(TEXT_CHARS, max_size=120)


def leaked(output: str) -> list[str]:
    return RUN.findall(output)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    secret=secrets,
    before=fillers,
    after=fillers,
    width=st.integers(8, 220),
    overflow=st.sampled_from(["fold", "ellipsis", "crop"]),
    no_wrap=st.booleans(),
    style_at=st.integers(0, 80),
)
def test_rich_layouts(
    secret: str, before: str, after: str, width: int, overflow: str, no_wrap: bool, style_at: int
) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    forget_all()
    register_secret(secret)
    plain = before + secret + after
    text = Text(plain)
    text.stylize("bold", min(style_at, len(plain)), len(plain))  # a style boundary anywhere, even inside
    table = Table(title=plain)
    table.add_column("a", overflow=overflow, no_wrap=no_wrap)  # type: ignore[arg-type]
    table.add_column("b")
    table.add_row(text, plain)
    out = io.StringIO()
    console = terminal.console(width=width)
    console.file = out  # type: ignore[misc]
    for renderable in (table, Panel(text), plain, f"[bold]{terminal.escape(plain)}[/]"):
        console.print(renderable)
    assert not leaked(out.getvalue()), out.getvalue()
    assert (
        "\x1b" not in out.getvalue() and "\u202e" not in out.getvalue()
    )  # not a terminal: no escapes at all


@settings(max_examples=EXAMPLES, deadline=None)
@given(secret=secrets, before=fillers, after=fillers, limit=st.integers(1, 250))
def test_text_json_and_cuts(secret: str, before: str, after: str, limit: int) -> None:
    forget_all()
    register_secret(secret)
    plain = before + secret + after
    assert not leaked(terminal.layout_safe(plain))
    assert not leaked(shorten(plain, limit))
    assert not leaked(json.dumps(redact_data({"k": plain, plain: [plain]})))
