"""How the CLI talks: rich text on a TTY, one JSON document with ``--json``.

This is the output boundary: text goes through
:func:`releasekit.terminal.layout_safe` (redacted, control characters shown),
rich renderables through :func:`releasekit.terminal.console` (redacted before
layout, at any width) and JSON through :func:`releasekit.redaction.redact_data`
before it is serialised. In JSON mode nothing but the JSON document reaches stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rich_click as click

from releasekit.redaction import redact, redact_data
from releasekit.terminal import console as safe_console
from releasekit.terminal import layout_safe, markup

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

_state = {"json": False}


def set_json_mode(enabled: bool) -> None:
    """Turn JSON mode on (a ``--json`` anywhere wins); :func:`reset_json_mode` starts each run."""
    if enabled:
        _state["json"] = True


def reset_json_mode(enabled: bool = False) -> None:
    _state["json"] = enabled


def json_mode() -> bool:
    return _state["json"]


def _json_callback(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    set_json_mode(value)
    return value


json_option = click.option(
    "--json",
    "json_output",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_json_callback,
    help="Print one JSON document on stdout instead of text.",
)


def console(stderr: bool = False) -> Console:
    return safe_console(stderr=stderr)


def echo(message: str = "", *, err: bool = False) -> None:
    """Print a line of text; in JSON mode text goes to stderr so stdout stays JSON."""
    click.echo(layout_safe(message), err=err or json_mode())


def print_rich(renderable: RenderableType, *, err: bool = False) -> None:
    """Print a rich renderable (table, panel...) or a markup string; every text in it is redacted before layout.

    Only a top-level string is read as markup (build it with
    :func:`releasekit.terminal.escape` around data); strings inside tables and
    titles are shown as they are.
    """
    if isinstance(renderable, str):
        renderable = markup(renderable)
    console(stderr=err or json_mode()).print(renderable)


def human_size(size: int) -> str:
    """A byte count the way ``npm pack`` prints it: ``512B``, ``1.2kB``, ``3.4MB`` (powers of 1000)."""
    value = float(size)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{size}B" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1000
    return f"{value:.1f}GB"


def emit_json(document: Any) -> None:
    text = json.dumps(redact_data(_jsonable(document)), indent=2, sort_keys=False)
    sys.stdout.write(redact(text) + "\n")
    sys.stdout.flush()


def _jsonable(document: Any) -> Any:
    """``document`` with what json cannot encode turned into strings (``default=str``), so it is redacted too."""
    return json.loads(json.dumps(document, default=str))


@dataclass
class Reply:
    """What a command answers; :func:`releasekit.cli.main` prints one of the two and exits with the code.

    ``document`` is the JSON envelope (``--json``); ``text`` prints the same answer for a person.
    Progress a command reports while it works (the policy summary, the review) is printed as it
    happens, to stderr in JSON mode; only the final answer waits for ``main``.
    """

    document: dict[str, Any]
    text: Callable[[], None] | None = None
    exit_code: int = 0


def envelope(success: bool, **fields: Any) -> dict[str, Any]:
    """The JSON envelope of every command: ``success``, ``target``, then whatever applies."""
    doc: dict[str, Any] = {"success": success, "target": "npm"}
    doc.update({k: v for k, v in fields.items() if v is not None})
    return doc


def error_envelope(
    message: str, error_code: str, *, hint: str | None = None, **fields: Any
) -> dict[str, Any]:
    """The one shape of a failure in JSON: ``success: false``, ``error``, ``error_code``, ``hint``, then ``fields``."""
    return envelope(False, **fields, error=message, error_code=error_code, hint=hint)
