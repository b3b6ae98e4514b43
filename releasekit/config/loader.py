from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from releasekit.errors import ConfigError

CONFIG_FILENAME = "releasekit.yaml"


@cache
def load_schema() -> dict[str, Any]:
    text = resources.files("releasekit.config").joinpath("schemas/releasekit.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def _defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in schema.get("properties", {}).items():
        if sub.get("type") == "object" and "properties" in sub:
            out[key] = _defaults(sub)
        elif "default" in sub:
            out[key] = sub["default"]
    return out


@dataclass(frozen=True)
class Config:
    """The merged configuration: schema defaults overlaid with the file's values."""

    data: Mapping[str, Any]
    path: Path | None = None
    project_dir: Path = field(default_factory=Path.cwd)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, Mapping) else {}


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _to_plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    return node


def _line_of(document: Any, path: list[str | int]) -> int | None:
    """1-based line of the node at ``path`` in a ruamel round-trip document."""
    node, line = document, None
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            if lc is not None:
                line = (lc.key(part) if isinstance(part, str) else lc.item(part))[0] + 1
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if line is None and getattr(document, "lc", None) is not None:
        line = document.lc.line + 1
    return line


def _unknown_keys(error: Any) -> list[str]:
    """Keys an ``additionalProperties: false`` error is about (empty for any other error)."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, Mapping):
        return []
    known = set(error.schema.get("properties", {}))
    patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
    return [k for k in error.instance if k not in known and not any(p.search(k) for p in patterns)]


def load_config(project_dir: Path | str, path: Path | str | None = None) -> Config:
    """Load ``releasekit.yaml`` from ``project_dir`` (or ``path``); defaults if absent."""
    import jsonschema
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    project_dir = Path(project_dir).resolve()
    schema = load_schema()
    defaults = _defaults(schema)
    config_path = Path(path) if path is not None else project_dir / CONFIG_FILENAME
    if not config_path.is_file():
        if config_path.exists():  # a directory (or a device) by that name is a mistake, not "no config"
            raise ConfigError(f"{config_path}: not a regular file")
        if path is not None:
            raise ConfigError(f"{config_path}: config file not found")
        return Config(defaults, None, project_dir)
    try:
        text = config_path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read config: {exc.strerror or exc}") from None
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{config_path}{where}: invalid YAML: {problem}") from exc
    if document is None:
        document = {}
    plain = _to_plain(document)
    if not isinstance(plain, dict):
        raise ConfigError(f"{config_path}:1: the top level must be a mapping, not {type(plain).__name__}")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(plain), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        key_path: list[str | int] = list(first.absolute_path)
        message = first.message
        unknown = _unknown_keys(first)
        if unknown:
            # Point at the offending key itself, not at the mapping that holds it.
            key_path.append(unknown[0])
            message = f"unknown key {unknown[0]!r}" + (
                f" (allowed: {', '.join(sorted(first.schema['properties']))})" if first.schema.get("properties") else ""
            )
        line = _line_of(document, key_path)
        key = ".".join(str(p) for p in key_path) or "(top level)"
        raise ConfigError(f"{config_path}:{line or 1}: {key}: {message}")
    return Config(_merge(defaults, plain), config_path, project_dir)
