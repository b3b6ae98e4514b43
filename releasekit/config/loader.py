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
from releasekit.regularfile import read_regular_text

CONFIG_FILENAME = "releasekit.yaml"
# Bounds on hostile config files. Aliases are allowed (anchors are ordinary YAML),
# but each is expanded where it is used: without a bound, nine nested aliases of
# nine items each (a "billion laughs") expand to 10**9 nodes.
MAX_CONFIG_BYTES = 1 << 20
MAX_EXPANDED_NODES = 100_000
MAX_FLOW_DEPTH = 64  # the YAML parser recurses (slowly) per level: refuse deep [[[...]]] before parsing


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


def _flow_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in ``text`` (brackets inside strings count too: an upper bound)."""
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


class _TooLarge(Exception):
    pass


class _Cyclic(Exception):
    pass


def _to_plain(document: Any) -> Any:
    """Plain dicts and lists, aliases expanded; :class:`_TooLarge` past the node bound, :class:`_Cyclic` on a loop."""
    budget = [MAX_EXPANDED_NODES]
    open_nodes: set[int] = set()

    def plain(node: Any) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooLarge
        if not isinstance(node, Mapping | list):
            return node
        if id(node) in open_nodes:  # an alias to one of its own ancestors
            raise _Cyclic
        open_nodes.add(id(node))
        try:
            if isinstance(node, Mapping):
                return {str(k): plain(v) for k, v in node.items()}
            return [plain(v) for v in node]
        finally:
            open_nodes.discard(id(node))

    return plain(document)


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
    # only a file to read needs the parser and the validator (a recursive stage loads dozens of defaults)
    import jsonschema
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        if config_path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{config_path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config file")
        text = read_regular_text(config_path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read config: {exc.strerror or exc}") from None
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise ConfigError(
            f"{config_path}: invalid YAML: nested too deeply (more than {MAX_FLOW_DEPTH} levels)"
        )
    try:
        document = YAML(typ="rt").load(text)
    except RecursionError:
        raise ConfigError(f"{config_path}: invalid YAML: nested too deeply") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{config_path}{where}: invalid YAML: {problem}") from exc
    if document is None:
        document = {}
    try:
        plain = _to_plain(document)
    except _TooLarge:
        raise ConfigError(
            f"{config_path}: more than {MAX_EXPANDED_NODES:,} values once aliases are expanded (an alias bomb?)"
        ) from None
    except _Cyclic:
        raise ConfigError(f"{config_path}: an alias refers to a node that contains it") from None
    except RecursionError:
        raise ConfigError(f"{config_path}: invalid YAML: nested too deeply") from None
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
                f" (allowed: {', '.join(sorted(first.schema['properties']))})"
                if first.schema.get("properties")
                else ""
            )
        line = _line_of(document, key_path)
        key = ".".join(str(p) for p in key_path) or "(top level)"
        raise ConfigError(f"{config_path}:{line or 1}: {key}: {message}")
    return Config(_merge(defaults, plain), config_path, project_dir)
