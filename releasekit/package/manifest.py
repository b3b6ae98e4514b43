"""``package.json``: read, validate, and turn into the manifest that gets published."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from releasekit.errors import ManifestError
from releasekit.regularfile import read_regular

# Fields pnpm copies from publishConfig into the packed manifest.
PUBLISH_CONFIG_OVERRIDES = (
    "bin",
    "type",
    "imports",
    "main",
    "module",
    "typings",
    "types",
    "exports",
    "browser",
    "esnext",
    "es2015",
    "unpkg",
    "umd:main",
    "os",
    "cpu",
    "libc",
    "typesVersions",
)
# publishConfig keys that configure the publish itself (npm reads these).
PUBLISH_SETTINGS = ("registry", "tag", "access")

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


@dataclass(frozen=True)
class Manifest:
    """A parsed ``package.json`` with what is needed to write it back alike."""

    path: Path
    raw: bytes
    data: dict[str, Any]
    indent: str | int
    newline: str

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.data.get("version", ""))

    def dumps(self, data: Mapping[str, Any]) -> bytes:
        """Serialise ``data`` with this file's indentation and line endings."""
        text = json.dumps(data, indent=self.indent, ensure_ascii=False)
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        if self.raw.endswith((b"\n", b"\r")):
            text += self.newline
        return text.encode("utf-8")


def parse_json_file(path: Path, what: str = "package.json") -> tuple[bytes, Any]:
    try:
        raw = read_regular(path)
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise ManifestError(f"{path}: is a directory, not {what}") from exc
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read {what}: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: {what} is not UTF-8 text") from exc
    try:
        return raw, json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


def valid_package_name(name: str) -> str | None:
    """Why ``name`` cannot be published (npm's rules for new packages), or ``None``."""
    if not name:
        return "name is empty"
    if len(name) > 214:
        return "name is longer than 214 characters"
    if name != name.strip():
        return "name has leading or trailing spaces"
    if name.startswith((".", "_")):
        return "name cannot start with a period or an underscore"
    if name != name.lower():
        return "name cannot contain capital letters"
    if name.lower() in ("node_modules", "favicon.ico"):
        return f"{name} is a reserved name"
    if name.startswith("@"):
        scope, sep, pkg = name[1:].partition("/")
        if not sep or not scope or not pkg or "/" in pkg:
            return "a scoped name must look like @scope/name"
        parts = [scope, pkg]
    else:
        parts = [name]
    for part in parts:
        if quote(part, safe="!'()*~") != part:
            return "name can only contain URL-friendly characters"
    return None


def read_manifest(project_dir: Path | str) -> Manifest:
    """Read and validate ``<project_dir>/package.json``; a ``ManifestError`` says what is wrong."""
    path = Path(project_dir) / "package.json"
    raw, data = parse_json_file(path)
    if not isinstance(data, dict):
        raise ManifestError(f"{path}:1: package.json must be a JSON object, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ManifestError(f'{path}: "name" is missing; npm needs a name and a version to pack')
    problem = valid_package_name(name)
    if problem:
        raise ManifestError(f'{path}: invalid "name" {name!r}: {problem}')
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ManifestError(f'{path}: "version" is missing; npm needs a name and a version to pack')
    if not _SEMVER.match(version):
        raise ManifestError(f'{path}: invalid "version" {version!r}: not a semver version like 1.2.3')
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    indent: str | int = 2
    m = re.search(r"^[{\[][ \t]*\r?\n([ \t]+)\S", text)
    if m:
        ws = m.group(1)
        indent = len(ws) if set(ws) == {" "} else ws
    return Manifest(path, raw, data, indent, newline)


def apply_publish_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest with pnpm's publishConfig overrides (main, bin, exports...) applied.

    Overridden keys move out of ``publishConfig``; the settings npm itself reads
    (registry, tag, access...) stay there, as pnpm leaves them.
    """
    out = dict(data)
    publish_config = data.get("publishConfig")
    if not isinstance(publish_config, Mapping):
        return out
    remaining = dict(publish_config)
    for key in PUBLISH_CONFIG_OVERRIDES:
        if key in remaining:
            out[key] = remaining.pop(key)
    if remaining:
        out["publishConfig"] = remaining
    else:
        out.pop("publishConfig", None)
    return out


def publish_settings(manifest: Mapping[str, Any]) -> dict[str, str]:
    """publishConfig's ``registry``/``tag``/``access`` (npm feeds these into the publish)."""
    publish_config = manifest.get("publishConfig")
    if not isinstance(publish_config, Mapping):
        return {}
    return {k: str(publish_config[k]) for k in PUBLISH_SETTINGS if isinstance(publish_config.get(k), str)}
