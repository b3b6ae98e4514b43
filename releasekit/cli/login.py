"""``lpm login --npm`` / ``lpm logout --npm``: a thin shell over :mod:`releasekit.registry.login`.

The token is read from stdin (for scripts) or a hidden prompt and never echoed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import rich_click as click

from releasekit.cli import stage as stage_cli
from releasekit.cli.output import Reply, echo, envelope, json_mode, json_option
from releasekit.cli.stage import npm_registry_options
from releasekit.errors import UsageError
from releasekit.stage.client import registry_for

NPM_ONLY = "lpm login/logout only manage npm tokens for now: pass --npm"


def _read_token() -> str:
    if stage_cli.stdin_is_tty():
        if json_mode():
            raise UsageError(
                'with --json, pipe the token on stdin: `printf %s "$TOKEN" | lpm login --npm --json`'
            )
        return str(click.prompt("npm token", hide_input=True, err=True, default="", show_default=False))
    # The first line is the token: a pipe left open after it must not keep us waiting for EOF.
    return sys.stdin.readline(64 * 1024)


def _warn(message: str) -> None:
    echo(f"Warning: {message}", err=True)


@click.command("login")
@json_option
@click.option("--npm", "npm", is_flag=True, help="Log in to an npm registry (the only kind supported).")
@npm_registry_options
def login(npm: bool, npm_registry: str | None) -> Reply:
    """Store an npm token for `lpm stage` after checking it with the registry."""
    if not npm:
        raise UsageError(NPM_ONLY)
    from releasekit.registry.login import login as login_to

    result = login_to(registry_for(Path.cwd(), npm_registry), _read_token, warn=_warn)
    said = f"Logged in to {result.registry} as {result.username or '(unknown user)'}; token stored in {result.path}"
    return Reply(envelope(True, registry=result.registry, data=result.to_dict()), lambda: echo(said))


@click.command("logout")
@json_option
@click.option("--npm", "npm", is_flag=True, help="Forget the stored npm token.")
@npm_registry_options
def logout(npm: bool, npm_registry: str | None) -> Reply:
    """Remove the npm token stored by `lpm login --npm`."""
    if not npm:
        raise UsageError(NPM_ONLY)
    from releasekit.registry.login import logout as logout_of

    result = logout_of(registry_for(Path.cwd(), npm_registry), warn=_warn)
    registry = result.registry
    said = (
        f"Logged out of {registry}: stored token removed."
        if result.removed
        else f"No token was stored for {registry}."
    )
    return Reply(envelope(True, registry=registry, data=result.to_dict()), lambda: echo(said))
