"""``lpm login --npm`` / ``lpm logout --npm``: keep an npm token for ``lpm stage``.

The token is read from stdin (for scripts) or a hidden prompt, checked with
``GET /-/whoami`` and only then stored, mode 0600, by
:mod:`releasekit.registry.token_store`. It is never echoed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import rich_click as click

from releasekit.cli import stage as stage_cli
from releasekit.cli.output import Reply, echo, envelope, json_mode, json_option
from releasekit.cli.stage import npm_registry_options
from releasekit.errors import UsageError
from releasekit.redaction import register_secret
from releasekit.stage.client import registry_for

NPM_ONLY = "lpm login/logout only manage npm tokens for now: pass --npm"


def _read_token() -> str:
    if stage_cli.stdin_is_tty():
        if json_mode():
            raise UsageError("with --json, pipe the token on stdin: `printf %s \"$TOKEN\" | lpm login --npm --json`")
        value = click.prompt("npm token", hide_input=True, err=True, default="", show_default=False)
    else:
        # The first line is the token: a pipe left open after it must not keep us waiting for EOF.
        value = sys.stdin.readline(64 * 1024)
    token = str(value).strip()
    if not token:
        raise UsageError("no token given: pipe it on stdin or type it at the prompt")
    if any(ch.isspace() for ch in token):
        raise UsageError("the token contains whitespace; give exactly one token")
    register_secret(token)
    return token


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _warn(message: str) -> None:
    echo(f"Warning: {message}", err=True)


def _username(answer: Any) -> str:
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict):
        return str(answer.get("username") or "")
    return str(getattr(answer, "username", "") or "")


@click.command("login")
@json_option
@click.option("--npm", "npm", is_flag=True, help="Log in to an npm registry (the only kind supported).")
@npm_registry_options
def login(npm: bool, npm_registry: str | None) -> Reply:
    """Store an npm token for `lpm stage` after checking it with the registry."""
    if not npm:
        raise UsageError(NPM_ONLY)
    from releasekit.registry import token_store
    from releasekit.registry.client import RegistryClient

    choice = registry_for(Path.cwd(), npm_registry)
    registry = choice.url
    if choice.from_project:  # the token is about to go to a host this project, not the user, chose
        _warn(f"logging in to {_host(registry)}, a registry named only by this project's files "
              f"({choice.source}); pass --npm-registry to choose it yourself")
    token = _read_token()
    client = RegistryClient(registry, token=token)
    try:
        username = _username(client.whoami())
    finally:
        client.close()
    path = token_store.save_token(registry, token, warn=_warn)
    said = f"Logged in to {registry} as {username or '(unknown user)'}; token stored in {path}"
    return Reply(envelope(True, registry=registry, data={"username": username, "path": str(path)}), lambda: echo(said))


@click.command("logout")
@json_option
@click.option("--npm", "npm", is_flag=True, help="Forget the stored npm token.")
@npm_registry_options
def logout(npm: bool, npm_registry: str | None) -> Reply:
    """Remove the npm token stored by `lpm login --npm`."""
    if not npm:
        raise UsageError(NPM_ONLY)
    from releasekit.registry import token_store

    registry = registry_for(Path.cwd(), npm_registry).url
    removed = bool(token_store.delete_token(registry, warn=_warn))
    said = f"Logged out of {registry}: stored token removed." if removed else f"No token was stored for {registry}."
    return Reply(envelope(True, registry=registry, data={"removed": removed}), lambda: echo(said))
