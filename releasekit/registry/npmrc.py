"""Read npm's ``.npmrc`` files: registries, ``provenance=`` and auth tokens.

Only what releasekit needs, parsed the way npm parses it: ``key=value`` lines,
``;``/``#`` comments, quoted values, ``${VAR}`` (and ``${VAR?}``, empty when
unset) expanded from the environment in keys and values. Files are read
project first (``<project>/.npmrc``), then the user's (``$NPM_CONFIG_USERCONFIG``
or ``~/.npmrc``); the first file that sets a key wins, as in npm.

A token is taken only from a file no one else can read ("locked": mode 0600);
a readable one is skipped with a warning, since its token is already exposed.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from releasekit.redaction import register_secret
from releasekit.registry.names import NPMJS_REGISTRY, nerf_dart
from releasekit.regularfile import read_regular_text

_ENV_REF = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}

Warn = Callable[[str], None]


class _Unset(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


@dataclass
class NpmrcFile:
    """One parsed ``.npmrc``: its values and the keys whose ``${VAR}`` was not set."""

    path: Path
    values: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)  # key -> missing variable
    from_env: set[str] = field(default_factory=set)  # keys whose value came (partly) from ${VAR}
    mode: int = 0o600

    @property
    def private(self) -> bool:
        return not (self.mode & 0o077)


def expand(text: str, env: Mapping[str, str]) -> str:
    """Replace ``${VAR}`` from ``env``; ``${VAR?}`` becomes empty when unset; unset ``${VAR}`` raises."""

    def sub(match: re.Match[str]) -> str:
        slashes, name, optional = match.group(1), match.group(2), match.group(3)
        if len(slashes) % 2:  # an odd run of backslashes escapes the reference: keep it literally
            return match.group(0)[(len(slashes) + 1) // 2 :]
        value = env.get(name)
        if value is None:
            if not optional:
                raise _Unset(name)
            value = ""
        return slashes[: len(slashes) // 2] + value

    return _ENV_REF.sub(sub, text)


def parse(text: str, *, env: Mapping[str, str] | None = None, path: Path | None = None) -> NpmrcFile:
    """Parse ``.npmrc`` text; keys with an unset ``${VAR}`` go to ``unresolved``."""
    env = os.environ if env is None else env
    result = NpmrcFile(path or Path(".npmrc"))
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in ";#" or (line.startswith("[") and line.endswith("]")):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue  # npm treats a bare key as "true"; no key releasekit reads makes sense bare
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            if value[0] == '"':
                try:
                    value = str(json.loads(value))
                except ValueError:
                    value = value[1:-1]
            else:
                value = value[1:-1]
        try:
            key = expand(key, env)
        except _Unset as exc:
            result.unresolved[key] = exc.name
            continue
        try:
            result.values[key] = expand(value, env)
            if result.values[key] != value:
                result.from_env.add(key)
        except _Unset as exc:
            result.unresolved[key] = exc.name
            result.values.pop(key, None)
    return result


# Keys whose values are credentials (npm's per-registry auth settings, bare or ``//host/:``-prefixed).
_CREDENTIAL_KEYS = ("_authToken", "_auth", "_password", "password")


def read(path: Path, *, env: Mapping[str, str] | None = None) -> NpmrcFile | None:
    """Parse the file at ``path``; ``None`` if it does not exist or cannot be read.

    Every credential in it (tokens, passwords, URL userinfo) is registered for
    redaction, whichever registry it belongs to.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = read_regular_text(path, errors="replace")
    except OSError:
        return None
    parsed = parse(text, env=env, path=path)
    parsed.mode = mode
    register_credentials(parsed)
    return parsed


def register_credentials(npmrc: NpmrcFile) -> None:
    """Register the file's tokens, passwords (raw and base64-decoded) and URL userinfo as secrets."""
    import base64
    import binascii

    from releasekit.registry.names import strip_userinfo

    for key, value in npmrc.values.items():
        strip_userinfo(value)
        if key.rsplit(":", 1)[-1] in _CREDENTIAL_KEYS:
            register_secret(value)
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                continue
            register_secret(decoded)
            register_secret(decoded.partition(":")[2])  # _auth is base64("user:password")


def user_npmrc_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    for name in ("NPM_CONFIG_USERCONFIG", "npm_config_userconfig"):
        if env.get(name):
            return Path(env[name]).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".npmrc"


def npmrc_paths(project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None) -> list[Path]:
    """Where ``.npmrc`` files are looked for, most specific first."""
    paths = []
    if project_dir is not None:
        paths.append(Path(project_dir) / ".npmrc")
    user = user_npmrc_path(env)
    if user not in paths:
        paths.append(user)
    return paths


def load(project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None) -> list[NpmrcFile]:
    """The ``.npmrc`` files that exist, project first."""
    return [f for p in npmrc_paths(project_dir, env=env) if (f := read(p, env=env)) is not None]


def _env_config(key: str, env: Mapping[str, str]) -> str | None:
    # npm reads npm_config_<key> (any case, "-" as "_") before any file.
    wanted = "npm_config_" + key.replace("-", "_").lower()
    for name, value in env.items():
        if name.lower() == wanted:
            return value
    return None


@dataclass(frozen=True)
class Setting:
    """A value and where it was set: ``origin`` is the file's path, or ``None`` for the environment."""

    value: str
    origin: Path | None

    def in_project(self, project_dir: Path | str | None) -> bool:
        """Whether the project's own ``.npmrc`` set it (not the user, not the environment)."""
        return project_dir is not None and self.origin == Path(project_dir) / ".npmrc"


def setting(
    key: str, project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> Setting | None:
    """``key`` from the environment (``npm_config_<key>``) or the first file setting it, with its origin."""
    env = os.environ if env is None else env
    from_env = _env_config(key, env)
    if from_env is not None:
        return Setting(from_env, None)
    for npmrc in load(project_dir, env=env):
        if key in npmrc.values:
            return Setting(npmrc.values[key], npmrc.path)
    return None


def get(
    key: str, project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """The value of ``key`` from the environment (``npm_config_<key>``) or the first file setting it."""
    found = setting(key, project_dir, env=env)
    return None if found is None else found.value


def registry_setting(
    scope: str | None = None, project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> Setting | None:
    """``@scope:registry`` if set for ``scope``, else ``registry``, else ``None`` (caller defaults to npmjs)."""
    if scope:
        scope = scope if scope.startswith("@") else "@" + scope
        scoped = setting(f"{scope}:registry", project_dir, env=env)
        if scoped is not None and scoped.value:
            return scoped
    found = setting("registry", project_dir, env=env)
    return found if found is not None and found.value else None


def registry_for(
    scope: str | None = None, project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> str | None:
    """The value of :func:`registry_setting`."""
    found = registry_setting(scope, project_dir, env=env)
    return None if found is None else found.value


def default_registry(
    scope: str | None = None, project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> str:
    return registry_for(scope, project_dir, env=env) or NPMJS_REGISTRY


def provenance(project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None) -> bool | None:
    """``provenance=`` as a bool, or ``None`` when not set (or not a boolean)."""
    value = get("provenance", project_dir, env=env)
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def fetch_timeout(
    project_dir: Path | str | None = None, *, env: Mapping[str, str] | None = None
) -> float | None:
    """npm's ``fetch-timeout`` (milliseconds) in seconds: the deadline of a whole request.

    ``None`` when unset or not a number; ``0`` means no deadline, as in npm.
    """
    value = get("fetch-timeout", project_dir, env=env)
    try:
        millis = float(value) if value is not None else None
    except ValueError:
        return None
    if millis is None or millis < 0 or millis != millis:
        return None
    return float("inf") if millis == 0 else millis / 1000


def token_keys(registry_url: str) -> list[str]:
    """``//host/a/b/:_authToken``, ``//host/a/:_authToken``, ``//host/:_authToken``, as npm walks them."""
    dart = nerf_dart(registry_url)
    host, _, path = dart[2:].partition("/")
    segments = [s for s in path.split("/") if s]
    keys = []
    for end in range(len(segments), -1, -1):
        prefix = "/".join(segments[:end])
        keys.append(f"//{host}/{prefix + '/' if prefix else ''}:_authToken")
    return keys


@dataclass(frozen=True)
class FoundToken:
    token: str = field(repr=False)
    path: Path
    from_env: bool = False  # written as ${VAR}: the file names a registry, the environment supplies the token


def auth_token(
    registry_url: str,
    project_dir: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    warn: Warn | None = None,
    notes: list[str] | None = None,
) -> FoundToken | None:
    """The first usable ``_authToken`` for ``registry_url``, project file first.

    Files readable by others and keys whose ``${VAR}`` is unset are skipped with
    a warning; ``notes`` collects one line per file for the "sources tried" message.
    """
    keys = token_keys(registry_url)
    for npmrc in load(project_dir, env=env):
        missing = [npmrc.unresolved[k] for k in keys if k in npmrc.unresolved]
        token = next((npmrc.values[k] for k in keys if npmrc.values.get(k)), None)
        if token is None:
            if missing:
                message = f"{npmrc.path}: the token for {keys[0].rsplit(':', 1)[0]} uses ${{{missing[0]}}}, which is not set"
                if warn is not None:
                    warn(message)
                if notes is not None:
                    notes.append(message)
            elif notes is not None:
                notes.append(f"{npmrc.path}: no token for {keys[0].rsplit(':', 1)[0]}")
            continue
        register_secret(token)
        if not npmrc.private:
            message = (
                f"{npmrc.path} is readable by others (mode {npmrc.mode:04o}): its token is refused; "
                f"lock it with chmod 600 {npmrc.path}"
            )
            if warn is not None:
                warn(message)
            if notes is not None:
                notes.append(f"{npmrc.path}: refused, mode {npmrc.mode:04o} (0600 only)")
            continue
        key = next(k for k in keys if npmrc.values.get(k))
        return FoundToken(token, npmrc.path, key in npmrc.from_env)
    return None
