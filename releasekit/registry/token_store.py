"""The npm token ``lpm login --npm`` stores, one per registry.

Kept in ``$XDG_CONFIG_HOME/releasekit/npm-tokens.json`` (else
``~/.config/releasekit/``), keyed by npm's per-registry key
(``//host[:port]/path/``). The file is replaced atomically and created with
mode 0600 from the first byte, so no other user can ever read a partial or
complete token file. A file that has become readable by others is ignored.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from releasekit.atomicfile import write_atomic
from releasekit.errors import StorageError
from releasekit.redaction import register_secret
from releasekit.registry.names import nerf_dart
from releasekit.regularfile import read_regular_text

FILENAME = "npm-tokens.json"


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".config"
    return root / "releasekit"


def token_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / FILENAME


def is_private(path: Path) -> bool:
    """Whether only the owner may read or write ``path`` (mode 0600 or stricter)."""
    return not (path.stat().st_mode & 0o077)


def _read(path: Path, warn: Callable[[str], None] | None) -> dict[str, Any]:
    try:
        if not is_private(path):
            if warn is not None:
                mode = stat.S_IMODE(path.stat().st_mode)
                warn(f"{path} is readable by others (mode {mode:04o}): its tokens are ignored; run chmod 600 {path}")
            return {}
        data = json.loads(read_regular_text(path))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StorageError(f"{path}: unreadable token file ({type(exc).__name__}); remove it and log in again") from None
    registries = data.get("registries") if isinstance(data, dict) else None
    return dict(registries) if isinstance(registries, dict) else {}


def load_token(
    registry_url: str, *, env: Mapping[str, str] | None = None, warn: Callable[[str], None] | None = None
) -> str | None:
    """The stored token for ``registry_url``, or ``None``."""
    entry = _read(token_path(env), warn).get(nerf_dart(registry_url))
    token = entry.get("token") if isinstance(entry, dict) else None
    if isinstance(token, str) and token:
        register_secret(token)
        return token
    return None


def save_token(registry_url: str, token: str, *, env: Mapping[str, str] | None = None) -> Path:
    """Store ``token`` for ``registry_url``; answers the file's path."""
    if not token or not token.strip() or any(c.isspace() for c in token):
        raise StorageError("refusing to store an empty or malformed token")
    register_secret(token)
    path = token_path(env)
    registries = _read(path, None) if path.exists() else {}
    registries[nerf_dart(registry_url)] = {"token": token}
    _write(path, {"version": 1, "registries": registries})
    return path


def delete_token(registry_url: str, *, env: Mapping[str, str] | None = None) -> bool:
    """Forget the token for ``registry_url``; answers whether one was stored."""
    path = token_path(env)
    if not path.exists():
        return False
    registries = _read(path, None)
    if registries.pop(nerf_dart(registry_url), None) is None:
        return False
    if registries:
        _write(path, {"version": 1, "registries": registries})
    else:
        path.unlink()
    return True


def _write(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` as JSON, atomically, mode 0600 (its folder 0700 if created)."""
    data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
    write_atomic(path, data, mode=0o600, what="the token file", make_parents=True)


