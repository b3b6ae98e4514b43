"""The npm token ``lpm login --npm`` stores, one per registry.

Kept in ``$XDG_CONFIG_HOME/releasekit/npm-tokens.json`` (else
``~/.config/releasekit/``), keyed by npm's per-registry key
(``//host[:port]/path/``). The file is replaced atomically and created with
mode 0600 from the first byte, so no other user can ever read a partial or
complete token file.

Every read-modify-write (login, logout) holds an exclusive lock on a
``.lock`` file beside it, so parallel logins never lose each other's token.
A token file that has become readable by others is reported: reading ignores
its tokens (they are exposed), and a login or logout rewrites it as 0600
keeping every other registry's token, never dropping one silently.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from releasekit.atomicfile import write_atomic
from releasekit.errors import StorageError
from releasekit.redaction import register_secret
from releasekit.registry.names import nerf_dart
from releasekit.regularfile import read_regular_text

FILENAME = "npm-tokens.json"
LOCK_TIMEOUT = 30.0

Warn = Callable[[str], None]


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    root = (
        Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".config"
    )
    return root / "releasekit"


def token_path(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / FILENAME


def is_private(path: Path) -> bool:
    """Whether only the owner may read or write ``path`` (mode 0600 or stricter)."""
    return not (path.stat().st_mode & 0o077)


def _exposed(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    return f"{path} is readable by others (mode {mode:04o})"


def _read(path: Path, warn: Warn | None, *, exposed_too: bool = False) -> dict[str, Any]:
    """The ``registries`` map; a file others can read gives nothing unless ``exposed_too`` (rewriting it)."""
    try:
        if not is_private(path):
            if not exposed_too:
                if warn is not None:
                    warn(f"{_exposed(path)}: its tokens are ignored; run chmod 600 {path}")
                return {}
            if warn is not None:
                warn(
                    f"{_exposed(path)}: rewriting it as 0600 with every token it holds; "
                    "they may have been read, so consider revoking them"
                )
        data = json.loads(read_regular_text(path))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StorageError(
            f"{path}: unreadable token file ({type(exc).__name__}); remove it and log in again"
        ) from None
    registries = data.get("registries") if isinstance(data, dict) else None
    if isinstance(registries, dict):
        for entry in registries.values():
            if isinstance(entry, dict) and isinstance(entry.get("token"), str):
                register_secret(entry["token"])
        return dict(registries)
    if data not in ({}, None):
        raise StorageError(f"{path}: not a token file releasekit wrote; move it away and log in again")
    return {}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (waiting up to :data:`LOCK_TIMEOUT` seconds)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StorageError(f"{path}: cannot write the token file (its lock): {exc.strerror or exc}") from None
    try:
        give_up = time.monotonic() + LOCK_TIMEOUT
        while not _try_lock(fd):
            if time.monotonic() > give_up:
                raise StorageError(
                    f"{path}: another lpm login or logout has held the token file for "
                    f"{LOCK_TIMEOUT:.0f}s; try again"
                )
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def load_token(
    registry_url: str, *, env: Mapping[str, str] | None = None, warn: Warn | None = None
) -> str | None:
    """The stored token for ``registry_url``, or ``None``."""
    entry = _read(token_path(env), warn).get(nerf_dart(registry_url))
    token = entry.get("token") if isinstance(entry, dict) else None
    if isinstance(token, str) and token:
        register_secret(token)
        return token
    return None


def save_token(
    registry_url: str, token: str, *, env: Mapping[str, str] | None = None, warn: Warn | None = None
) -> Path:
    """Store ``token`` for ``registry_url``, keeping every other registry's; answers the file's path."""
    if not token or not token.strip() or any(c.isspace() for c in token):
        raise StorageError("refusing to store an empty or malformed token")
    register_secret(token)
    path = token_path(env)
    with _locked(path):
        registries = _read(path, warn, exposed_too=True)
        registries[nerf_dart(registry_url)] = {"token": token}
        _write(path, {"version": 1, "registries": registries})
    return path


def delete_token(
    registry_url: str, *, env: Mapping[str, str] | None = None, warn: Warn | None = None
) -> bool:
    """Forget the token for ``registry_url``; answers whether one was stored."""
    path = token_path(env)
    if not path.exists():
        return False
    with _locked(path):
        registries = _read(path, warn, exposed_too=True)
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
