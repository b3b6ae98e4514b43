"""Package-shape lint of a packed package, rule for rule as publint judges a tarball.

publint is the reference linter for how a package's ``package.json`` fits its
files. ``lint(package)`` answers the same questions about the packed file list
(never the project folder: what is not packed does not exist) and reports them
under publint's own rule codes (:data:`CLAIMED`), so a finding here is a finding
there; ``tests/quality/test_publint_oracle.py`` runs publint itself to hold
that true. It resolves every ``main``, ``module``, ``types``, ``bin``,
``browser``, ``exports`` and ``imports`` target against the packed files,
reads each target's module format from its text (:mod:`.moduleformat`), and
checks condition order and the types each condition resolves to.

Paths mimic publint's tarball file system on purpose: the package sits under
``/pkg``; joining drops ``./`` and doubled slashes but keeps ``..``; a folder
"exists" when a file lies under it. Object keys are walked in JavaScript's
order (integer-like keys first), because condition order is the point.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from releasekit.package.model import PackedPackage
from releasekit.quality import moduleformat
from releasekit.quality.moduleformat import PathFormat

Level = Literal["error", "warning", "suggestion"]

# publint codes this module reports exactly as publint does on a tarball.
CLAIMED = frozenset(
    {
        "FILE_DOES_NOT_EXIST",
        "FILE_INVALID_FORMAT",
        "FILE_INVALID_EXPLICIT_FORMAT",
        "FILE_INVALID_JSX_EXTENSION",
        "MODULE_SHOULD_BE_ESM",
        "HAS_MODULE_BUT_NO_EXPORTS",
        "HAS_ESM_MAIN_BUT_NO_EXPORTS",
        "IMPLICIT_INDEX_JS_INVALID_FORMAT",
        "CJS_WITH_ESMODULE_DEFAULT_EXPORT",
        "FIELD_INVALID_VALUE_TYPE",
        "BIN_FILE_NOT_EXECUTABLE",
        "DEPRECATED_FIELD_JSNEXT",
        "USE_EXPORTS_BROWSER",
        "USE_EXPORTS_OR_IMPORTS_BROWSER",
        "EXPORTS_MISSING_ROOT_ENTRYPOINT",
        "EXPORTS_TYPES_SHOULD_BE_FIRST",
        "EXPORTS_TYPES_INVALID_FORMAT",
        "TYPES_NOT_EXPORTED",
        "EXPORTS_DEFAULT_SHOULD_BE_LAST",
        "EXPORTS_MODULE_SHOULD_PRECEDE_REQUIRE",
        "EXPORTS_MODULE_SHOULD_BE_ESM",
        "EXPORTS_VALUE_INVALID",
        "EXPORTS_GLOB_NO_MATCHED_FILES",
        "EXPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING",
        "EXPORTS_FALLBACK_ARRAY_USE",
        "EXPORTS_VALUE_CONFLICTS_WITH_BROWSER",
        "IMPORTS_KEY_INVALID",
        "IMPORTS_VALUE_INVALID",
        "IMPORTS_MODULE_SHOULD_BE_ESM",
        "IMPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING",
        "IMPORTS_FALLBACK_ARRAY_USE",
        "IMPORTS_DEFAULT_SHOULD_BE_LAST",
        "IMPORTS_MODULE_SHOULD_PRECEDE_REQUIRE",
        "NESTED_PACKAGE_JSON_FIELD_IGNORED",
    }
)
# publint codes left out, and why (docs/policies/quality.md lists them too).
NOT_CLAIMED = {
    "FILE_NOT_PUBLISHED": "needs the project folder and npm's file list; a tarball has only published files",
    "USE_FILES": "advice about the project's files field, not the package's shape",
    "USE_LICENSE": "the license check scores this",
    "USE_TYPE": "advice for every package without a type field",
    "USE_ENGINES_NODE": "the engines.node check scores this",
    "USE_SIDE_EFFECTS": "the sideEffects check scores this",
    "LOCAL_DEPENDENCY": "about dependencies, not the package's shape",
    "INVALID_REPOSITORY_VALUE": "the repository check scores this",
}

ROOT = "/pkg"
_JSX_SUFFIXES = (".mjsx", ".cjsx", ".mtsx", ".ctsx")
_BROWSERISH = ("worker", "workerd", "edge-light")
_COMMON_CONDITIONS = {
    "default",
    "import",
    "require",
    "development",
    "production",
    "types",
    "node",
    "browser",
    "worker",
    "deno",
}
_EXTENSIONS = (".js", "/index.js")
_JOIN_SLASHES = re.compile(r"/(?:\.?/)+")
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_DTS = re.compile(r"\.d\.[mc]?ts$")


@dataclass(frozen=True)
class ShapeIssue:
    """One publint-coded problem; ``path`` is the ``package.json`` key path it is about."""

    code: str
    path: tuple[str, ...]
    level: Level
    file: str | None = None  # the file judged, when the key path alone does not say

    @property
    def where(self) -> str:
        return key_path_text(self.path)


def key_path_text(path: Sequence[str]) -> str:
    """``pkg.exports["."].types``, publint's way of naming a key path."""
    out = "pkg"
    for part in path:
        if part.isdigit():
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", part):
            out += f".{part}"
        else:
            out += f'["{part}"]'
    return out


def js_keys(value: Any) -> list[str]:
    """``Object.keys``: integer-like keys ascending first, then the rest in insertion order."""
    if isinstance(value, list):
        return [str(i) for i in range(len(value))]
    if not isinstance(value, Mapping):
        return []
    keys = [str(k) for k in value]
    indexes = sorted((k for k in keys if _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1), key=int)
    return indexes + [k for k in keys if k not in set(indexes)]


def _child(value: Any, key: str) -> Any:
    if isinstance(value, list):
        return value[int(key)] if key.isdigit() and int(key) < len(value) else None
    return value.get(key) if isinstance(value, Mapping) else None


def _truthy(value: Any) -> bool:
    """JavaScript truthiness: empty objects and arrays are true."""
    if isinstance(value, (dict, list)):
        return True
    return bool(value)


def _typeof(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else "undefined"


def _has_key_nested(value: Any, key: str) -> bool:
    return any(k == key or _has_key_nested(_child(value, k), key) for k in js_keys(value))


def _has_value_nested(value: Any, predicate: Any) -> bool:
    for k in js_keys(value):
        child = _child(value, k)
        if (isinstance(child, str) and predicate(child)) or _has_value_nested(child, predicate):
            return True
    return False


def _is_raw_ts(path: str) -> bool:
    return (path.endswith(".ts") and not path.endswith(".d.ts")) or path.endswith(".tsx")


def _replace_last(text: str, search: str, replace: str) -> str:
    at = text.rfind(search)
    return text if at == -1 else text[:at] + replace + text[at + len(search) :]


def _ext(path: str) -> str:
    return re.sub(r"^.*\.", ".", path, count=1)


def _code_extension(fmt: str) -> str:
    return ".mjs" if fmt == "ESM" else ".cjs" if fmt == "CJS" else ".js"


_UNREADABLE: Any = object()


def _parse_json(text: str | None) -> Any:
    """``JSON.parse``, or ``_UNREADABLE`` (it refuses NaN and Infinity, which Python would take)."""
    if text is None:
        return _UNREADABLE
    try:
        return json.loads(text, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _refuse(name: str) -> Any:
    raise ValueError(name)


@dataclass
class _Files:
    """The packed files as publint's tarball file system sees them."""

    names: dict[str, bytes]

    @classmethod
    def of(cls, package: PackedPackage) -> _Files:
        return cls({f"{ROOT}/{f.path}": f.data for f in package.files})

    @staticmethod
    def join(*parts: str) -> str:
        return _JOIN_SLASHES.sub("/", "/".join(parts))

    @staticmethod
    def dirname(path: str) -> str:
        return re.sub(r"/[^/]*$", "", path)

    @staticmethod
    def relative(path: str) -> str:
        return path.replace(ROOT, "", 1)[1:]

    @cached_property
    def _folders(self) -> dict[str, dict[str, None]]:
        """Every folder prefix (``/pkg/lib/``) with its entries in listing order."""
        folders: dict[str, dict[str, None]] = {}
        for name in self.names:
            at = name.find("/")
            while at != -1:
                nxt = name.find("/", at + 1)
                folders.setdefault(name[: at + 1], {}).setdefault(
                    name[at + 1 : nxt if nxt != -1 else None], None
                )
                at = nxt
        return folders

    def is_dir(self, path: str) -> bool:
        return (path if path.endswith("/") else path + "/") in self._folders

    def exists(self, path: str) -> bool:
        return path in self.names or self.is_dir(path)

    def read(self, path: str) -> str | None:
        data = self.names.get(path)
        return None if data is None else moduleformat.decode(data)

    def listdir(self, path: str) -> list[str]:
        return [item for item in self._folders.get(path if path.endswith("/") else path + "/", {}) if item]

    def path_format(self, path: str) -> PathFormat:
        """How Node interprets ``path``: by extension, else the nearest package.json's ``type``."""
        if path.endswith(".native.js"):
            path = path[: -len(".native.js")]
        if path.endswith(".mjs"):
            return "ESM"
        if path.endswith(".cjs"):
            return "CJS"
        return "ESM" if self._nearest_type(path) == "module" else "CJS"

    def dts_format(self, path: str) -> PathFormat:
        if path.endswith(".d.mts"):
            return "ESM"
        if path.endswith(".d.cts"):
            return "CJS"
        return "ESM" if self._nearest_type(path) == "module" else "CJS"

    def _nearest_type(self, path: str) -> str | None:
        folder = self.dirname(path)
        while True:
            manifest = self.join(folder, "package.json")
            if self.exists(manifest):
                parsed = _parse_json(self.read(manifest))
                if parsed is not _UNREADABLE:  # publint stops at the first package.json that parses
                    return parsed.get("type") if isinstance(parsed, dict) else None
            parent = self.dirname(folder)
            if parent == folder:
                return None
            folder = parent

    def glob(self, pattern: str, key: str | None = None, exports: Any = None) -> list[str]:
        """Files matching an ``exports`` pattern (one or more ``*``, each standing for the same text)."""
        regex = re.compile("^" + "(.+)".join(re.escape(p) for p in pattern.split("*")) + "$")
        top = re.match(r"(.+)[/\\]", pattern.split("*")[0])
        excluded = []
        if key is not None and isinstance(exports, Mapping):
            excluded = [
                re.compile("^" + "(.+)".join(re.escape(p) for p in str(k).split("*")) + "$")
                for k in js_keys(exports)
                if exports.get(k, ...) is None
            ]
        found: list[str] = []
        if top is None or not self.is_dir(top.group(1)):
            return found
        stack = [top.group(1)]
        while stack:  # depth-first in listing order, as publint scans
            folder = stack.pop()
            children = []
            for item in self.listdir(folder):
                path = self.join(folder, item)
                if self.is_dir(path):
                    children.append(path)
                    continue
                matched = regex.match(path)
                if matched is None or len(set(matched.groups())) > 1:
                    continue
                if (
                    key is not None
                    and excluded
                    and any(e.match(key.replace("*", matched.group(1), 1)) for e in excluded)
                ):
                    continue
                found.append(path)
            stack.extend(reversed(children))
        return found


@dataclass
class _Linter:
    manifest: Mapping[str, Any]
    files: _Files
    issues: list[ShapeIssue] = field(default_factory=list)
    exports: Any = None

    def add(self, code: str, path: Sequence[str], level: Level, file: str | None = None) -> None:
        self.issues.append(ShapeIssue(code, tuple(path), level, file))

    def published(self, name: str) -> tuple[Any, list[str]]:
        config = self.manifest.get("publishConfig")
        if isinstance(config, Mapping) and _truthy(config.get(name)):
            return config[name], ["publishConfig", name]
        return self.manifest.get(name), [name]

    def read(
        self, path: str, key_path: Sequence[str] | None = None, extensions: Sequence[str] = ()
    ) -> str | None:
        """A file's text, trying ``extensions``; ``FILE_DOES_NOT_EXIST`` at ``key_path`` if absent."""
        text = self.files.read(path)
        if text is not None:
            return text
        for extension in extensions:
            if extension.startswith("/") and path.endswith("/"):
                extension = extension[1:]
            text = self.files.read(path + extension)
            if text is not None:
                return text
        if key_path is not None:
            self.add("FILE_DOES_NOT_EXIST", key_path, "error")
        return None

    def of_type(self, value: Any, types: Sequence[str], key_path: Sequence[str]) -> bool:
        if _typeof(value) in types:
            return True
        self.add("FIELD_INVALID_VALUE_TYPE", key_path, "error")
        return False

    def invalid_jsx(self, path: str, key_path: Sequence[str], shown: str | None = None) -> bool:
        if path.endswith(_JSX_SUFFIXES):
            self.add("FILE_INVALID_JSX_EXTENSION", key_path, "error", shown)
            return True
        return False

    def format_mismatch(self, path: str, text: str, key_path: Sequence[str], shown: str | None) -> None:
        actual = moduleformat.code_format(text)
        expected = self.files.path_format(path)
        if actual not in (expected, "unknown", "mixed"):
            code = (
                "FILE_INVALID_EXPLICIT_FORMAT" if path.endswith((".mjs", ".cjs")) else "FILE_INVALID_FORMAT"
            )
            self.add(code, key_path, "warning", shown)

    # -- the whole package ------------------------------------------------------------------------------

    def run(self) -> list[ShapeIssue]:
        main, main_path = self.published("main")
        module, module_path = self.published("module")
        browser, browser_path = self.published("browser")
        exports, exports_path = self.published("exports")
        imports, imports_path = self.published("imports")
        self.exports = exports
        if main is None and module is None and exports is None:
            self.implicit_index()
        if main is not None:
            self.main(main, main_path, module, exports)
        if module is not None:
            self.module(module, module_path, exports)
        if (main is not None or module is not None) and exports is not None:
            keys = js_keys(exports) if isinstance(exports, (Mapping, list)) else []
            if keys and keys[0].startswith(".") and "." not in keys:
                self.add("EXPORTS_MISSING_ROOT_ENTRYPOINT", exports_path, "warning")
        self.known_fields(module)
        if _truthy(browser):
            self.browser(browser, browser_path, _truthy(exports))
        if _truthy(exports):
            self.crawl(exports, exports_path, is_imports=False, state=None)
            self.types_exported(exports, exports_path)
        else:
            self.every_file()
        bin_value, bin_path = self.published("bin")
        if _truthy(bin_value):
            self.bin(bin_value, bin_path)
        if _truthy(imports) and self.of_type(imports, ["object"], imports_path):
            self.crawl(imports, imports_path, is_imports=True, state=None)
        self.nested_manifests(ROOT)
        return self.issues

    def nested_manifests(self, folder: str) -> None:
        """Node reads ``exports``/``imports`` only at the package root; a nested ``package.json`` with them misleads."""
        for item in self.files.listdir(folder):
            if item == "node_modules":
                continue
            path = self.files.join(folder, item)
            if self.files.is_dir(path):
                self.nested_manifests(path)
                continue
            if item != "package.json" or folder == ROOT:
                continue
            nested = _parse_json(self.files.read(path))
            if not isinstance(nested, dict):
                continue
            for name in ("exports", "imports"):
                if nested.get(name) is not None:
                    self.add(
                        "NESTED_PACKAGE_JSON_FIELD_IGNORED",
                        ["name"],
                        "warning",
                        "./" + self.files.relative(path),
                    )

    def implicit_index(self) -> None:
        path = self.files.join(ROOT, "index.js")
        if not self.files.exists(path):
            return
        text = self.read(path, [])
        if text is None:
            return
        actual, expected = moduleformat.code_format(text), self.files.path_format(path)
        if actual not in (expected, "unknown", "mixed"):
            self.add("IMPLICIT_INDEX_JS_INVALID_FORMAT", ["name"], "warning")
        if expected == "CJS" and moduleformat.has_esmodule_and_exports_default(text):
            self.add("CJS_WITH_ESMODULE_DEFAULT_EXPORT", ["name"], "warning", "/index.js")

    def main(self, main: Any, key_path: list[str], module: Any, exports: Any) -> None:
        if not self.of_type(main, ["string"], key_path):
            return
        path = self.files.join(ROOT, main)
        text = self.read(path, key_path, _EXTENSIONS)
        if text is None or self.invalid_jsx(main, key_path) or not moduleformat.is_lintable_path(main):
            return
        self.format_mismatch(path, text, key_path, None)
        if moduleformat.code_format(text) == "ESM" and exports is None:
            self.add("HAS_ESM_MAIN_BUT_NO_EXPORTS", key_path, "suggestion")
        if (
            module is None
            and exports is None
            and self.files.path_format(path) == "CJS"
            and moduleformat.has_esmodule_and_exports_default(text)
        ):
            self.add("CJS_WITH_ESMODULE_DEFAULT_EXPORT", key_path, "warning", "/" + self.files.relative(path))

    def module(self, module: Any, key_path: list[str], exports: Any) -> None:
        if not self.of_type(module, ["string"], key_path):
            return
        text = self.read(self.files.join(ROOT, module), key_path, _EXTENSIONS)
        if text is None or self.invalid_jsx(module, key_path) or not moduleformat.is_lintable_path(module):
            return
        if moduleformat.code_format(text) == "CJS":
            self.add("MODULE_SHOULD_BE_ESM", key_path, "error")
        if not _truthy(exports):
            self.add("HAS_MODULE_BUT_NO_EXPORTS", key_path, "suggestion")

    def known_fields(self, module: Any) -> None:
        names = ["types", "typings", "jsnext:main", "jsnext", "unpkg", "jsdelivr"]
        if _truthy(self.published("typesVersions")[0]):
            names = names[2:]  # typesVersions remaps types: publint leaves them alone
        for name in names:
            value, key_path = self.published(name)
            if value is None or not self.of_type(value, ["string"], key_path):
                continue
            found = self.read(self.files.join(ROOT, value), key_path, _EXTENSIONS) is not None
            if found and name in ("jsnext:main", "jsnext"):
                self.add("DEPRECATED_FIELD_JSNEXT", key_path, "suggestion" if _truthy(module) else "warning")

    def browser(self, browser: Any, key_path: list[str], has_exports: bool) -> None:
        if isinstance(browser, str):
            path = self.files.join(ROOT, browser)
            text = self.read(path, key_path, _EXTENSIONS)
            if (
                text is not None
                and not moduleformat.is_flow(text)
                and not has_exports
                and self.files.path_format(path) == "CJS"
                and moduleformat.has_esmodule_and_exports_default(text)
            ):
                self.add(
                    "CJS_WITH_ESMODULE_DEFAULT_EXPORT", key_path, "warning", "/" + self.files.relative(path)
                )
        else:
            for key in js_keys(browser):
                target = _child(browser, key)
                if isinstance(target, str) and target.startswith("."):
                    self.read(self.files.join(ROOT, target), [*key_path, key], _EXTENSIONS)
        if has_exports:
            code = "USE_EXPORTS_BROWSER" if isinstance(browser, str) else "USE_EXPORTS_OR_IMPORTS_BROWSER"
            self.add(code, key_path, "suggestion")

    def every_file(self) -> None:
        """Without ``exports`` every file can be imported: judge each one's format."""
        for path in self.files.glob(self.files.join(ROOT, "./*")):
            shown = "/" + self.files.relative(path)
            if self.invalid_jsx(path, ["name"], shown) or not moduleformat.is_lintable_path(path):
                continue
            text = self.read(path, [])
            if text is None or moduleformat.is_flow(text):
                continue
            actual, expected = moduleformat.code_format(text), self.files.path_format(path)
            if actual in (expected, "unknown", "mixed"):
                continue
            if actual == "ESM" and ("browser" in path or "bundler" in path):
                continue  # named for bundlers, which accept ESM anywhere
            if self.files.exists(_replace_last(path, _ext(path), _code_extension(actual))):
                continue  # the correctly named twin exists: this one is deliberate
            code = (
                "FILE_INVALID_EXPLICIT_FORMAT" if path.endswith((".mjs", ".cjs")) else "FILE_INVALID_FORMAT"
            )
            self.add(code, ["name"], "warning", shown)

    def bin(self, value: Any, key_path: list[str]) -> None:
        if isinstance(value, str):
            path = self.files.join(ROOT, value)
            text = self.read(path, key_path, _EXTENSIONS)
            if text is None or not moduleformat.is_lintable_path(value):
                return
            if not re.match(r"#!\s*/usr/bin/env", text):
                self.add("BIN_FILE_NOT_EXECUTABLE", key_path, "error")
            self.format_mismatch(path, text, key_path, None)
        elif isinstance(value, (Mapping, list)):
            for key in js_keys(value):
                child = _child(value, key)
                if self.of_type(child, ["string"], [*key_path, key]):
                    self.bin(child, [*key_path, key])

    # -- exports and imports ----------------------------------------------------------------------------

    def crawl(
        self, value: Any, key_path: list[str], *, is_imports: bool, state: tuple[bool, bool] | None
    ) -> None:
        """``state``: (after a ``node`` condition, reachable by ``import``), ``None`` at the top."""
        prefix = "IMPORTS" if is_imports else "EXPORTS"
        if isinstance(value, str):
            self.target(value, key_path, is_imports=is_imports, state=state)
        elif isinstance(value, list):
            self.add(f"{prefix}_FALLBACK_ARRAY_USE", key_path, "warning")
            for index, item in enumerate(value):
                self.crawl(item, [*key_path, str(index)], is_imports=is_imports, state=state)
        elif isinstance(value, Mapping):
            keys = js_keys(value)
            if not is_imports and "types" in keys and keys[0] != "types":
                self.types_first(value, keys, key_path)
            if "module" in keys and "require" in keys and keys.index("module") > keys.index("require"):
                self.add(f"{prefix}_MODULE_SHOULD_PRECEDE_REQUIRE", [*key_path, "module"], "error")
            if "default" in keys and keys[-1] != "default":
                self.add(f"{prefix}_DEFAULT_SHOULD_BE_LAST", [*key_path, "default"], "error")
            at_imports_root = is_imports and key_path[-1] == "imports"
            split_by_format = "require" in keys or "import" in keys
            after_node = state[0] if state else False
            for key in keys:
                reachable = state[1] if state else True
                if split_by_format:
                    reachable = reachable and (key == "import" or ("import" not in keys and key == "default"))
                if at_imports_root and not key.startswith("#"):
                    self.add("IMPORTS_KEY_INVALID", [*key_path, key], "error")
                self.crawl(
                    _child(value, key), [*key_path, key], is_imports=is_imports, state=(after_node, reachable)
                )
                if key == "node":
                    after_node = True

    def types_first(self, value: Mapping[str, Any], keys: list[str], key_path: list[str]) -> None:
        """``types`` must come first, unless an earlier condition nests its own ``types``."""
        preceding = []
        for key in keys[: keys.index("types")]:
            child = _child(value, key)
            if key.startswith("types") or (isinstance(child, str) and _is_raw_ts(child)):
                continue
            if isinstance(child, (Mapping, list)) and _has_value_nested(child, _is_raw_ts):
                continue
            preceding.append(key)
        nested_types = any(
            isinstance(_child(value, k), (Mapping, list)) and _has_key_nested(_child(value, k), "types")
            for k in preceding
        )
        if preceding and not nested_types:
            self.add("EXPORTS_TYPES_SHOULD_BE_FIRST", [*key_path, "types"], "error")

    def target(
        self, value: str, key_path: list[str], *, is_imports: bool, state: tuple[bool, bool] | None
    ) -> None:
        prefix = "IMPORTS" if is_imports else "EXPORTS"
        if is_imports and not value.startswith("."):
            return  # a dependency or a built-in module
        if value.endswith("/"):
            pattern_path = [p + "*" if p.endswith("/") else p for p in key_path]
            level: Level = "suggestion" if _truthy(self._value_at(pattern_path)) else "error"
            self.add(f"{prefix}_GLOB_NO_DEPRECATED_SUBPATH_MAPPING", key_path, level)
            value += "*"
        if not value.startswith("./"):
            self.add(f"{prefix}_VALUE_INVALID", key_path, "error")
        is_glob = "*" in value
        relative = value[:1] == "." or (value[:1] != "/" and ":" not in value)
        path = self.files.join(ROOT, value) if relative else value
        key = key_path[1] if len(key_path) > 1 else None
        targets = self.files.glob(path, key, self.exports) if is_glob else [path]
        if is_glob and not targets:
            if not is_imports:
                self.add("EXPORTS_GLOB_NO_MATCHED_FILES", key_path, "warning")
            return
        browser, _ = self.published("browser")
        conflicts = not is_imports and isinstance(browser, Mapping) and value in browser
        if conflicts and any(c in key_path for c in _BROWSERISH):
            self.add("EXPORTS_VALUE_CONFLICTS_WITH_BROWSER", key_path, "warning")
        report_at = None if is_imports else key_path
        for file in targets:
            shown = "./" + self.files.relative(file) if is_glob else None
            if self.invalid_jsx(file, key_path, shown):
                continue
            if not moduleformat.is_lintable_path(file):
                absolute = file.startswith((ROOT + "/", "/")) or (
                    len(file) > 1 and file[1] == ":" and file[0].isalpha()
                )
                if absolute and not self._custom_condition(key_path):
                    self.read(file, report_at)
                continue
            text = self.read(file, report_at)
            if text is None or moduleformat.is_flow(text):
                continue
            if "module" in key_path:
                if moduleformat.code_format(text) == "CJS":
                    self.add(f"{prefix}_MODULE_SHOULD_BE_ESM", key_path, "error")
                continue
            expected = self.files.path_format(file)
            if (
                (state is None or state[1])
                and expected == "CJS"
                and moduleformat.has_esmodule_and_exports_default(text)
            ):
                self.add(
                    "CJS_WITH_ESMODULE_DEFAULT_EXPORT", key_path, "warning", "/" + self.files.relative(file)
                )
            if (state is not None and state[0]) or "browser" in key_path:
                continue  # only bundlers read these, and they take any format
            actual = moduleformat.code_format(text)
            if actual in (expected, "unknown", "mixed"):
                continue
            if actual == "ESM" and ("browser" in file or "bundler" in file):
                continue
            if is_glob and self.files.exists(_replace_last(file, _ext(file), _code_extension(actual))):
                continue
            code = (
                "FILE_INVALID_EXPLICIT_FORMAT" if file.endswith((".mjs", ".cjs")) else "FILE_INVALID_FORMAT"
            )
            self.add(code, key_path, "warning", shown or value)

    def _value_at(self, key_path: Sequence[str]) -> Any:
        value: Any = self.manifest
        for part in key_path:
            value = _child(value, part)
        return value

    @staticmethod
    def _custom_condition(key_path: Sequence[str]) -> bool:
        start = next((i for i, p in enumerate(key_path) if p in ("exports", "imports")), None)
        if start is None:
            return False
        if len(key_path) > start + 1 and key_path[start + 1][:1] == ".":
            start += 1
        return any(c not in _COMMON_CONDITIONS for c in key_path[start + 1 :])

    # -- types for each condition -----------------------------------------------------------------------

    def types_exported(self, exports: Any, exports_path: list[str]) -> None:
        if isinstance(exports, str):
            self.types_for(None, exports, exports_path)
        elif isinstance(exports, (Mapping, list)):
            keys = js_keys(exports)
            if not keys:
                return
            if not keys[0].startswith("."):
                self.types_for(None, exports, exports_path)
            elif isinstance(exports, Mapping) and "." in exports:
                self.types_for(".", exports["."], [*exports_path, "."])

    def types_for(self, root_key: str | None, root: Any, exports_path: list[str]) -> None:
        types_file = self._types_file()
        if types_file is None:
            return
        seen: set[str] = set()
        for env in (None, "node", "browser", "worker"):
            imported = resolve_exports(root, ["import", env], exports_path)
            required = resolve_exports(root, ["require", env], exports_path)
            dual = imported is not None and required is not None and imported[0] != required[0]
            for fmt in ("import", "require"):
                found = resolve_exports(root, ["types", fmt, env], exports_path)
                if found is None:
                    continue
                value, key_path = found
                seen_key = ".".join(key_path) + (fmt if dual else "")
                if seen_key in seen:
                    continue
                seen.add(seen_key)
                resolved = self.files.join(ROOT, value)
                if not self.files.exists(resolved):
                    continue  # FILE_DOES_NOT_EXIST says it already
                if _DTS.search(value):
                    actual = self.files.dts_format(resolved)
                    expected: PathFormat | None = None
                    js = imported if fmt == "import" else required
                    if not dual and js is not None and self.files.exists(self.files.join(ROOT, js[0])):
                        expected = self.files.path_format(self.files.join(ROOT, js[0]))
                    if expected is None:
                        expected = "ESM" if fmt == "import" else "CJS"
                    if actual != expected:
                        self.add("EXPORTS_TYPES_INVALID_FORMAT", key_path, "warning")
                elif not self.files.exists(
                    self.files.join(ROOT, re.sub(r"\.([mc]?)jsx?$", r".d.\1ts", value, count=1))
                ):
                    self.add("TYPES_NOT_EXPORTED", key_path, "warning")

    def _types_file(self) -> str | None:
        for name in ("types", "typings"):
            value = self.published(name)[0]
            if _truthy(value):
                return str(value)
        text = self.files.read(self.files.join(ROOT, "./index.d.ts"))
        return "./index.d.ts" if text else None


def resolve_exports(
    value: Any, conditions: Sequence[str | None], key_path: Sequence[str]
) -> tuple[str, list[str]] | None:
    """publint's simplified resolution of one ``exports`` entry: first matching condition, arrays by their head."""
    wanted = [c for c in conditions if c]
    if isinstance(value, str):
        return value, list(key_path)
    if isinstance(value, list):
        return resolve_exports(value[0] if value else None, conditions, [*key_path, "0"])
    for key in js_keys(value):
        if key in wanted or key == "default":
            result = resolve_exports(_child(value, key), conditions, [*key_path, key])
            if result is not None or key == "default":
                return result
    return None


def lint(package: PackedPackage) -> list[ShapeIssue]:
    """Every claimed publint finding for the packed ``package``."""
    return _Linter(package.manifest, _Files.of(package)).run()


def issues_at(issues: Sequence[ShapeIssue], codes: frozenset[str] | set[str]) -> Iterator[ShapeIssue]:
    return (i for i in issues if i.code in codes)


# -- what the quality checks make of the issues -----------------------------------------------------------

TYPES, MODULE_FORMAT, EXPORTS, ENTRY_POINTS = "types", "module format", "exports", "entry points"
_TYPES_CODES = {"EXPORTS_TYPES_SHOULD_BE_FIRST", "EXPORTS_TYPES_INVALID_FORMAT", "TYPES_NOT_EXPORTED"}
_FORMAT_CODES = {
    "MODULE_SHOULD_BE_ESM",
    "EXPORTS_MODULE_SHOULD_BE_ESM",
    "IMPORTS_MODULE_SHOULD_BE_ESM",
    "FILE_INVALID_FORMAT",
    "FILE_INVALID_EXPLICIT_FORMAT",
    "IMPLICIT_INDEX_JS_INVALID_FORMAT",
    "CJS_WITH_ESMODULE_DEFAULT_EXPORT",
    "HAS_MODULE_BUT_NO_EXPORTS",
    "HAS_ESM_MAIN_BUT_NO_EXPORTS",
}

MESSAGES = {
    "FILE_DOES_NOT_EXIST": "points to a file that is not in the tarball",
    "FILE_INVALID_FORMAT": "its code is written in one module format, but Node loads it as the other",
    "FILE_INVALID_EXPLICIT_FORMAT": "its extension says one module format, its code is written in the other",
    "FILE_INVALID_JSX_EXTENSION": "uses a .mjsx/.cjsx-style extension; JSX has no module-format extensions",
    "MODULE_SHOULD_BE_ESM": "the module field is for ES modules but its file is CommonJS",
    "HAS_MODULE_BUT_NO_EXPORTS": "module is read by bundlers only; Node needs an exports map to find the ESM",
    "HAS_ESM_MAIN_BUT_NO_EXPORTS": "main is ESM; an exports map is the better way to publish it",
    "IMPLICIT_INDEX_JS_INVALID_FORMAT": "the implicit entry index.js is written in another module format than Node expects",
    "CJS_WITH_ESMODULE_DEFAULT_EXPORT": "CommonJS with __esModule and exports.default: `import x from` gets the whole object",
    "FIELD_INVALID_VALUE_TYPE": "has the wrong JSON type",
    "BIN_FILE_NOT_EXECUTABLE": "the bin file has no #!/usr/bin/env shebang",
    "DEPRECATED_FIELD_JSNEXT": "jsnext is deprecated; use module or exports",
    "USE_EXPORTS_BROWSER": "browser together with exports: a browser condition in exports is clearer",
    "USE_EXPORTS_OR_IMPORTS_BROWSER": "browser remapping together with exports: use browser conditions instead",
    "EXPORTS_MISSING_ROOT_ENTRYPOINT": 'exports has no "." entry, so main/module can no longer be imported',
    "EXPORTS_TYPES_SHOULD_BE_FIRST": "the types condition must come first; TypeScript takes the first match",
    "EXPORTS_TYPES_INVALID_FORMAT": "these types are read in the other module format than the code they describe",
    "TYPES_NOT_EXPORTED": "this condition resolves to JavaScript with no types beside it",
    "EXPORTS_DEFAULT_SHOULD_BE_LAST": "the default condition must come last; later conditions are never reached",
    "EXPORTS_MODULE_SHOULD_PRECEDE_REQUIRE": "the module condition must come before require",
    "EXPORTS_MODULE_SHOULD_BE_ESM": "the module condition points at CommonJS",
    "EXPORTS_VALUE_INVALID": "exports targets must start with ./",
    "EXPORTS_GLOB_NO_MATCHED_FILES": "the pattern matches no file in the tarball",
    "EXPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING": "folder mappings (trailing /) were removed from Node; use ./*",
    "EXPORTS_FALLBACK_ARRAY_USE": "fallback arrays are not supported consistently; use one target",
    "EXPORTS_VALUE_CONFLICTS_WITH_BROWSER": "the browser field remaps this target under a browser-like condition",
    "IMPORTS_KEY_INVALID": "imports keys must start with #",
    "IMPORTS_VALUE_INVALID": "relative imports targets must start with ./",
    "IMPORTS_MODULE_SHOULD_BE_ESM": "the module condition points at CommonJS",
    "IMPORTS_GLOB_NO_DEPRECATED_SUBPATH_MAPPING": "folder mappings (trailing /) were removed from Node; use #x/*",
    "IMPORTS_FALLBACK_ARRAY_USE": "fallback arrays are not supported consistently; use one target",
    "IMPORTS_DEFAULT_SHOULD_BE_LAST": "the default condition must come last; later conditions are never reached",
    "IMPORTS_MODULE_SHOULD_PRECEDE_REQUIRE": "the module condition must come before require",
    "NESTED_PACKAGE_JSON_FIELD_IGNORED": "has exports or imports, which Node ignores outside the package root",
}


def describe(issue: ShapeIssue, manifest: Mapping[str, Any]) -> str:
    """``pkg.exports["."].types (./x.d.ts): <what is wrong>``, or ``/lib/x.js: ...`` for a file only."""
    if issue.path == ("name",):  # publint's way of saying "the package as a whole"
        return f"{issue.file or 'package.json'}: {MESSAGES[issue.code]}"
    value: Any = manifest
    for part in issue.path:
        value = _child(value, part)
    shown = f" ({value})" if isinstance(value, str) else ""
    about = f" {issue.file}" if issue.file else ""
    return f"{issue.where}{shown}{about}: {MESSAGES[issue.code]}"


def topic(issue: ShapeIssue) -> str:
    """The quality check that scores ``issue``."""
    if issue.code in _TYPES_CODES or (
        {"types", "typings"} & set(issue.path) and issue.code != "FILE_INVALID_FORMAT"
    ):
        return TYPES
    if issue.code in _FORMAT_CODES:
        return MODULE_FORMAT
    if {"exports", "imports"} & set(issue.path[:2]) or issue.code.startswith(
        ("EXPORTS_", "IMPORTS_", "NESTED_")
    ):
        return EXPORTS
    return ENTRY_POINTS


_cache: list[tuple[PackedPackage, list[ShapeIssue]]] = []


def lint_cached(package: PackedPackage) -> list[ShapeIssue]:
    """:func:`lint`, once per package object: four checks read the same answer."""
    for seen, issues in _cache:
        if seen is package:
            return issues
    issues = lint(package)
    _cache[:] = [(package, issues)]
    return issues


def entry_formats(package: PackedPackage) -> list[tuple[str, str, str]]:
    """(key path, file, module syntax) of each JavaScript entry point a consumer can load."""
    files = _Files.of(package)
    linter = _Linter(package.manifest, files)
    found: dict[str, tuple[str, str, str]] = {}

    def visit(key_path: Sequence[str], target: Any, extensions: Sequence[str]) -> None:
        if not isinstance(target, str) or "*" in target:
            return
        path = files.join(ROOT, target)
        for candidate in (
            path,
            *(path.rstrip("/") + e if e.startswith("/") else path + e for e in extensions),
        ):
            text = files.read(candidate)
            if text is not None and moduleformat.is_lintable_path(candidate):
                where = key_path_text(key_path) if key_path else "index.js"
                found.setdefault(
                    candidate, (where, files.relative(candidate), moduleformat.code_format(text))
                )
                return

    def leaves(value: Any, key_path: list[str]) -> None:
        if isinstance(value, str):
            visit(key_path, value, ())
        for key in js_keys(value):
            leaves(_child(value, key), [*key_path, key])

    exports, exports_path = linter.published("exports")
    leaves(exports, exports_path)
    for name in ("module", "main"):
        value, key_path = linter.published(name)
        visit(key_path, value, _EXTENSIONS)
    if not found and exports is None and linter.published("main")[0] is None:
        visit([], "index.js", ())  # Node's default entry point
    return list(found.values())
