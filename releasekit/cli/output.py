"""How the CLI talks: rich text on a TTY, one JSON document with ``--json``.

Everything printed goes through :func:`releasekit.redaction.redact`. In JSON
mode nothing but the JSON document reaches stdout.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import rich_click as click

from releasekit.redaction import redact

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


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def echo(message: str = "", *, err: bool = False) -> None:
    """Print a line of text; in JSON mode text goes to stderr so stdout stays JSON."""
    click.echo(redact(message), err=err or json_mode())


def print_rich(renderable: Any, *, err: bool = False) -> None:
    """Print a rich renderable (table, panel...). Strings are redacted first."""
    if isinstance(renderable, str):
        renderable = redact(renderable)
    console(stderr=err or json_mode()).print(renderable)


def emit_json(document: Any) -> None:
    text = json.dumps(document, indent=2, sort_keys=False, default=str)
    sys.stdout.write(redact(text) + "\n")
    sys.stdout.flush()


def envelope(success: bool, **fields: Any) -> dict[str, Any]:
    """The stage envelope: ``success``, ``target``, then whatever applies."""
    doc: dict[str, Any] = {"success": success, "target": "npm"}
    doc.update({k: v for k, v in fields.items() if v is not None})
    return doc
