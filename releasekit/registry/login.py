"""Log in to and out of an npm registry: check a token with the registry, then keep it.

The library half of ``lpm login --npm`` / ``lpm logout --npm``. The caller supplies the token
(from a prompt or stdin) and receives warnings through a callback; nothing here talks to a
person. The token is checked with ``GET /-/whoami`` and only then stored, mode 0600, by
:mod:`releasekit.registry.token_store`. It is registered for redaction before anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from releasekit.errors import UsageError
from releasekit.redaction import register_secret
from releasekit.registry.resolve import RegistryChoice

Warn = Callable[[str], None]


@dataclass(frozen=True)
class LoginResult:
    registry: str
    username: str
    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "path": str(self.path)}


@dataclass(frozen=True)
class LogoutResult:
    registry: str
    removed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"removed": self.removed}


def checked_token(value: str) -> str:
    """The one token in ``value`` (surrounding white space dropped), registered for redaction."""
    token = value.strip()
    if not token:
        raise UsageError("no token given: pipe it on stdin or type it at the prompt")
    register_secret(token)
    if any(ch.isspace() for ch in token):
        raise UsageError("the token contains whitespace; give exactly one token")
    return token


def login(registry: RegistryChoice, read_token: Callable[[], str], *, warn: Warn) -> LoginResult:
    """Ask for a token, check whom it belongs to, then store it for ``registry``."""
    from releasekit.registry import token_store
    from releasekit.registry.client import RegistryClient

    if registry.from_project:  # the token is about to go to a host this project, not the user, chose
        warn(
            f"logging in to {urlsplit(registry.url).netloc}, a registry named only by this project's files "
            f"({registry.source}); pass --npm-registry to choose it yourself"
        )
    token = checked_token(read_token())
    client = RegistryClient(registry.url, token=token)
    try:
        username = client.whoami()
    finally:
        client.close()
    path = token_store.save_token(registry.url, token, warn=warn)
    return LoginResult(registry.url, username, path)


def logout(registry: RegistryChoice, *, warn: Warn) -> LogoutResult:
    """Forget the token stored for ``registry``."""
    from releasekit.registry import token_store

    return LogoutResult(registry.url, bool(token_store.delete_token(registry.url, warn=warn)))
