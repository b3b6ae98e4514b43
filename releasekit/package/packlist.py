"""Which files ``npm pack`` puts in the tarball (npm 11's npm-packlist rules).

The walk mirrors npm's: every directory has an ordered list of rule sets
(npm's defaults, the root ``files`` field, ``.npmignore`` or else ``.gitignore``,
then the "strict" rules for files that are always in or always out). A path is
checked against its own directory's rules after its parents' verdict. Results
are sorted the way npm sorts them, so the tarball entry order matches.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.errors import ManifestError, PackError
from releasekit.package.collation import collation_key
from releasekit.package.glob import Rule, compile_rule, parse_ignore_text
from releasekit.regularfile import read_regular_text

# npm-packlist's default exclusions, applied in every directory.
DEFAULT_RULES = (
    ".npmignore",
    ".gitignore",
    "**/.git",
    "**/.svn",
    "**/.hg",
    "**/CVS",
    "**/.git/**",
    "**/.svn/**",
    "**/.hg/**",
    "**/CVS/**",
    "/.lock-wscript",
    "/.wafpickle-*",
    "/build/config.gypi",
    "npm-debug.log",
    "**/.npmrc",
    ".*.swp",
    ".DS_Store",
    "**/.DS_Store/**",
    "._*",
    "**/._*/**",
    "*.orig",
    "/archived-packages/**",
)
STRICT_DEFAULTS = ("/.git",)
# always in (negated) or always out, at a package root
ROOT_STRICT = (
    "!/package.json",
    "!/readme{,.*[^~$]}",
    "!/copying{,.*[^~$]}",
    "!/license{,.*[^~$]}",
    "!/licence{,.*[^~$]}",
    "/.git",
    "/node_modules",
    ".npmrc",
    "/package-lock.json",
    "/yarn.lock",
    "/pnpm-lock.yaml",
    "/bun.lockb",
)

DEFAULTS = "<defaults>"
STRICT = "<strict>"
PACKAGE_JSON = "package.json"
NPMIGNORE = ".npmignore"
GITIGNORE = ".gitignore"


def _rules(lines: Iterable[str]) -> list[Rule]:
    return [compile_rule(line) for line in lines if line.strip() and not line.strip().startswith("#")]


_DEFAULT_RULES = _rules(DEFAULT_RULES)


# ---------------------------------------------------------------- manifest views
def _secure_path(ref: str) -> str:
    """npm's normalisation of a bin path: unixified, rooted, then made relative."""
    unix = ref.replace("\\", "/").replace(":", "/")
    secured = posixpath.normpath(posixpath.join("/", unix)).lstrip("/") or "."
    secured = secured.replace("\\", "/").replace(":", "/")
    return "" if secured.startswith("./") else secured


def normalized_bin(manifest: Mapping[str, Any], root: Path | None = None) -> dict[str, str]:
    """``bin`` as npm reads it: a map of command name to a package-relative path."""
    bin_field = manifest.get("bin")
    name = manifest.get("name")
    directories = manifest.get("directories")
    if (
        not bin_field
        and isinstance(directories, Mapping)
        and isinstance(directories.get("bin"), str)
        and root
    ):
        bin_dir = _secure_path(directories["bin"])
        base = root / bin_dir
        found: dict[str, str] = {}
        if base.is_dir():
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for entry in sorted(dirnames + [f for f in filenames if not f.startswith(".")]):
                    rel = posixpath.relpath(posixpath.join(Path(dirpath).as_posix(), entry), base.as_posix())
                    found[posixpath.basename(rel)] = f"{bin_dir}/{_secure_path(rel)}"
        return found
    if isinstance(bin_field, str):
        bins: dict[str, Any] = {name: bin_field} if isinstance(name, str) and name else {}
    elif isinstance(bin_field, list):
        bins = {posixpath.basename(str(k)): k for k in bin_field}
    elif isinstance(bin_field, Mapping):
        bins = dict(bin_field)
    else:
        return {}
    out: dict[str, str] = {}
    for key, target in bins.items():
        if not isinstance(target, str):
            continue
        base_name = posixpath.basename(_secure_path(str(key)))
        secured = _secure_path(target)
        if not base_name or not secured:
            continue
        out[base_name] = secured
    return out


def normalized_bundle(manifest: Mapping[str, Any]) -> list[str]:
    bundle = manifest.get("bundleDependencies")
    if bundle is None:
        bundle = manifest.get("bundledDependencies")
    if bundle is True:
        deps = manifest.get("dependencies")
        return list(deps) if isinstance(deps, Mapping) else []
    if isinstance(bundle, Mapping):
        return [str(k) for k in bundle]
    if isinstance(bundle, list):
        return [str(k) for k in bundle if isinstance(k, str)]
    return []


def _escapes(path: str) -> bool:
    norm = posixpath.normpath(path.replace("\\", "/").lstrip("/") or ".")
    return norm == ".." or norm.startswith("../")


def check_manifest_paths(manifest: Mapping[str, Any]) -> None:
    """Refuse ``files``/``main``/``bin``/``browser`` entries that point outside the package."""
    files = manifest.get("files")
    if files is not None:
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ManifestError('package.json: "files" must be an array of strings')
        for entry in files:
            if _escapes(entry.lstrip("!")):
                raise PackError(f'package.json: "files" entry {entry!r} escapes the package root')
    for key in ("main", "browser"):
        value = manifest.get(key)
        if isinstance(value, str) and _escapes(value):
            raise PackError(f'package.json: "{key}" {value!r} escapes the package root')
    bin_field = manifest.get("bin")
    targets = (
        [bin_field]
        if isinstance(bin_field, str)
        else list(bin_field.values())
        if isinstance(bin_field, Mapping)
        else list(bin_field)
        if isinstance(bin_field, list)
        else []
    )
    for target in targets:
        if isinstance(target, str) and _escapes(target):
            raise PackError(f'package.json: "bin" target {target!r} escapes the package root')


# ---------------------------------------------------------------- the walk
@dataclass
class _Dir:
    """One directory of the walk with its rule sets, in npm's precedence order."""

    path: Path
    rel: str  # relative to the walk's package root, "" at the root
    parent: _Dir | None
    names: Sequence[str]  # rule-set names, in order
    rule_sets: dict[str, list[Rule] | None] = field(default_factory=dict)
    exact: bool = False
    required: list[str] = field(default_factory=list)
    active: list[Rule] = field(default_factory=list)

    @property
    def basename(self) -> str:
        return self.path.name

    def finish(self) -> None:
        sets = self.rule_sets
        if sets.get(PACKAGE_JSON) is not None:
            sets[NPMIGNORE] = None
            sets[GITIGNORE] = None
        elif sets.get(NPMIGNORE) is not None:
            sets[GITIGNORE] = None
        self.active = [rule for name in self.names for rule in (sets.get(name) or ())]

    def allows(self, entry: str, partial: bool = False, entry_basename: str | None = None) -> bool:
        included = True
        if self.parent is not None:
            included = self.parent.allows(f"{self.basename}/{entry}", partial, entry_basename or entry)
            if not included and not self.exact:
                return False
        name = entry_basename or entry
        lowered = name.lower()
        segments: frozenset[str] | None = None
        for rule in self.active:
            if rule.negate == included:
                continue
            if rule.basename_only is not None:
                if rule.matches_name(name, lowered):
                    included = rule.negate
                continue
            # A rule that is not negated is only asked non-partial questions, about
            # paths made of this entry's segments: without its literals, none can match.
            if not rule.negate:
                required = rule.required_names
                if required is not None:
                    if segments is None:
                        segments = frozenset(entry.lower().split("/"))
                    if required.isdisjoint(segments):
                        continue
                elif rule.required_parts is not None and not rule.may_match(entry.split("/")):
                    continue
            match = rule.match("/" + entry) or rule.match(entry)
            if not match and partial:
                match = (
                    rule.match("/" + entry + "/")
                    or rule.match(entry + "/")
                    or (rule.negate and (rule.match("/" + entry, True) or rule.match(entry, True)))
                )
                if not match and entry_basename and rule.relative:
                    b = entry_basename
                    match = (
                        rule.match("/" + b + "/")
                        or rule.match(b + "/")
                        or (rule.negate and (rule.match("/" + b, True) or rule.match(b, True)))
                    )
            if match:
                included = rule.negate
        return included


@dataclass
class PackList:
    files: list[str]  # relative paths, npm's order
    bundled: list[str]  # names of bundled dependencies actually found
    root: Path


def npm_sort_key(path: str) -> tuple[Any, ...]:
    base = posixpath.basename(path)
    return (collation_key(_extname(base).lower()), collation_key(base.lower()), collation_key(path))


def _extname(base: str) -> str:
    """Node's ``path.extname`` of a base name ("." files and ".." have none)."""
    start_dot, state = -1, 0
    for i in range(len(base) - 1, -1, -1):
        if base[i] == ".":
            if start_dot == -1:
                start_dot = i
            elif state != 1:
                state = 1
        elif start_dot != -1:
            state = -1
    if (
        start_dot == -1
        or not base
        or state == 0
        or (state == 1 and start_dot == len(base) - 1 and start_dot == 1)
    ):
        return ""
    return base[start_dot:]


class _Walker:
    def __init__(self, project_root: Path, manifest: Mapping[str, Any]) -> None:
        self.project_root = project_root
        self.real_root = project_root.resolve()
        self.manifest = manifest
        self.root_has_workspaces = bool(manifest.get("workspaces"))

    # -- rule sets of a package root
    def _package_rules(self, root: Path, manifest: Mapping[str, Any], d: _Dir) -> None:
        strict = list(ROOT_STRICT)
        files = manifest.get("files")
        if files is not None:
            ignores: list[str] = []
            for entry in files:
                if entry.startswith("./"):
                    entry = entry[1:]
                if entry.endswith("/*"):
                    entry += "*"
                inverse = "!" + entry
                # npm stats the entry: a file is required, a directory takes its
                # contents, anything else is a glob pattern
                try:
                    st = os.lstat(root / entry.lstrip("!").lstrip("/"))
                except (OSError, ValueError):
                    st = None
                if st is not None and stat.S_ISREG(st.st_mode):
                    strict.insert(0, inverse)
                    d.required.append(entry[1:] if entry.startswith("/") else entry)
                elif st is not None and stat.S_ISDIR(st.st_mode):
                    ignores.extend([inverse, inverse + "/**"])
                elif st is None:
                    ignores.append(inverse)
            d.rule_sets[PACKAGE_JSON] = _rules(["*", *ignores])
        browser, main = manifest.get("browser"), manifest.get("main")
        if browser:
            strict.append(f"!/{browser if isinstance(browser, str) else '[object Object]'}")
        if main:
            strict.append(f"!/{main}")
        for target in normalized_bin(manifest, root).values():
            strict.append(f"!/{target}")
        d.rule_sets[STRICT] = _rules(strict)

    def _read_ignore(self, d: _Dir, name: str) -> None:
        try:
            text = read_regular_text(d.path / name, errors="replace")
        except IsADirectoryError:
            return
        except OSError as exc:
            raise PackError(f"{d.path / name}: cannot read: {exc.strerror}") from exc
        d.rule_sets[name] = parse_ignore_text(text)

    def walk_package(
        self,
        root: Path,
        manifest: Mapping[str, Any],
        names: Sequence[str],
        out: set[str],
        outer_rules: Sequence[Rule] = (),
    ) -> None:
        d = _Dir(root, "", None, names)
        if DEFAULTS in names:
            d.rule_sets[DEFAULTS] = [*_DEFAULT_RULES, *outer_rules]
        self._walk_dir(d, out, package=(root, manifest))

    def _walk_dir(
        self, d: _Dir, out: set[str], package: tuple[Path, Mapping[str, Any]] | None = None
    ) -> None:
        try:
            entries = sorted(os.listdir(d.path))
        except OSError as exc:
            raise PackError(f"{d.path}: cannot list directory: {exc.strerror}") from exc
        for name in d.names:
            if name in (DEFAULTS, STRICT) or name not in entries:
                continue
            if name == PACKAGE_JSON and package is not None:
                self._package_rules(package[0], package[1], d)
            else:
                self._read_ignore(d, name)
        if package is None and STRICT in d.names:
            d.rule_sets[STRICT] = _rules([*STRICT_DEFAULTS, *(f"!{f}" for f in d.required)])
        d.finish()
        for entry in entries:
            pass_file = d.allows(entry)
            pass_dir = d.allows(entry, partial=True)
            if not (pass_file or pass_dir) or "*" in entry:
                continue
            path = d.path / entry
            rel = f"{d.rel}/{entry}" if d.rel else entry
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                raise PackError(f"{rel!r}: the file name is not valid UTF-8; npm cannot publish it") from None
            try:
                st = os.lstat(path)
            except OSError as exc:
                raise PackError(f"{rel}: cannot stat: {exc.strerror}") from exc
            if stat.S_ISLNK(st.st_mode):
                self._check_link(path, rel)
                continue  # npm never follows symlinks
            if stat.S_ISREG(st.st_mode):
                if pass_file:
                    out.add(rel)
            elif stat.S_ISDIR(st.st_mode) and pass_dir:
                # npm quirk: under a root with "workspaces", sub-directories read a
                # package.json file as if it were an ignore file
                child_names = (
                    [DEFAULTS, PACKAGE_JSON, NPMIGNORE, GITIGNORE, STRICT]
                    if self.root_has_workspaces
                    else [DEFAULTS, NPMIGNORE, GITIGNORE, STRICT]
                )
                child = _Dir(path, rel, d, child_names, exact=pass_file or d.allows(entry + "/"))
                child.rule_sets[DEFAULTS] = _DEFAULT_RULES
                child.required = [
                    posixpath.relpath(f, entry) for f in d.required if posixpath.relpath(entry, f) == ".."
                ]
                self._walk_dir(child, out)

    def _check_link(self, path: Path, rel: str) -> None:
        try:
            target = path.resolve()
        except (OSError, RuntimeError) as exc:
            raise PackError(f"{rel}: cannot resolve symlink: {exc}") from exc
        if not target.is_relative_to(self.real_root):
            raise PackError(
                f"{rel}: symlink points outside the package ({os.readlink(path)}); refusing to pack it"
            )


def _read_json(path: Path) -> Mapping[str, Any] | None:
    import json

    try:
        data = json.loads(read_regular_text(path))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, Mapping) else None


def _dep_names(manifest: Mapping[str, Any], *kinds: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for kind in kinds:
        deps = manifest.get(kind)
        if isinstance(deps, Mapping):
            for name in deps:
                out.setdefault(str(name), kind)
    return out


def _resolve_dep(start: Path, name: str, stop: Path) -> Path | None:
    """Node's lookup of ``name`` from ``start``: its node_modules, then each parent's."""
    here = start
    while True:
        candidate = here / "node_modules" / name
        if os.path.lexists(candidate) and candidate.is_dir():
            return candidate
        if here == stop or here.parent == here:
            return None
        here = here.parent
        # skip a bare node_modules directory level: a/node_modules/b -> a
        if here.name == "node_modules":
            here = here.parent
            if here.name.startswith("@") and here.parent.name == "node_modules":
                here = here.parent.parent


def workspace_ignore_rules(root: Path) -> list[Rule]:
    """The ignore files npm applies to a workspace package from the folders above it.

    npm packing a workspace member reads, from the workspace root down to the
    member's parent folder, each folder's ``.npmignore`` (or else its
    ``.gitignore``) and adds their rules to the member's default rules, as if
    written at the member's root.
    """
    from releasekit.package.workspace import npm_workspace_root

    real = Path(root).resolve()
    ws_root = npm_workspace_root(real)
    if ws_root is None:
        return []
    folders = [ws_root]
    for part in real.parent.relative_to(ws_root).parts:
        folders.append(folders[-1] / part)
    rules: list[Rule] = []
    for folder in folders:
        for name in (NPMIGNORE, GITIGNORE):
            try:
                text = read_regular_text(folder / name, errors="replace")
            except FileNotFoundError:
                continue
            except OSError as exc:  # npm fails on an ignore file it cannot read, too
                raise PackError(f"{folder / name}: cannot read: {exc.strerror}") from exc
            rules.extend(parse_ignore_text(text))
            break
    return rules


def pack_list(root: Path, manifest: Mapping[str, Any]) -> PackList:
    """The files ``npm pack`` would include for the package at ``root``, in npm's order."""
    root = Path(root)
    check_manifest_paths(manifest)
    walker = _Walker(root, manifest)
    out: set[str] = set()
    outer = workspace_ignore_rules(root)
    walker.walk_package(root, manifest, [DEFAULTS, PACKAGE_JSON, NPMIGNORE, GITIGNORE, STRICT], out, outer)
    bundled = _gather_bundles(walker, root, manifest, out)
    files = sorted(out, key=npm_sort_key)
    return PackList(files, bundled, root)


def _gather_bundles(walker: _Walker, root: Path, manifest: Mapping[str, Any], out: set[str]) -> list[str]:
    wanted = normalized_bundle(manifest)
    kinds = _dep_names(
        manifest, "dependencies", "optionalDependencies", "peerDependencies", "devDependencies"
    )
    prod = _dep_names(manifest, "dependencies", "optionalDependencies")
    seen: set[Path] = set()
    found: list[str] = []
    queue: list[tuple[Path, str]] = []
    for name in wanted:
        if name not in kinds or name not in prod:
            continue  # npm bundles neither dev nor peer dependencies, nor undeclared ones
        queue.append((root, name))
    while queue:
        start, name = queue.pop(0)
        location = _resolve_dep(start, name, root)
        if location is None:
            continue
        real = location.resolve()
        if real in seen:
            continue
        seen.add(real)
        is_link = location.is_symlink()
        sibling = False
        if not real.is_relative_to(walker.real_root):
            # npm follows a link to a workspace sibling and packs the sibling's own file list
            sibling = is_link and start == root and _is_workspace_member(root, real)
            if not sibling:
                raise PackError(
                    f"bundled dependency {name!r} links outside the package ({real}); refusing to pack it"
                )
        dep_manifest = _read_json(location / "package.json") or {}
        names = [DEFAULTS, PACKAGE_JSON, NPMIGNORE, GITIGNORE, STRICT] if is_link else [PACKAGE_JSON, STRICT]
        dep_out: set[str] = set()
        dep_walker = _Walker(location, dep_manifest)
        dep_walker.real_root = real if sibling else walker.real_root
        dep_walker.walk_package(location, dep_manifest, names, dep_out)
        prefix = location.relative_to(root).as_posix()
        out.update(f"{prefix}/{f}" for f in dep_out)
        if start == root:
            found.append(name)
        for dep in _dep_names(dep_manifest, "dependencies", "optionalDependencies"):
            if sibling:
                _check_sibling_dep(real, name, dep)
            else:
                queue.append((location, dep))
    return found


def _is_workspace_member(package_root: Path, target: Path) -> bool:
    from releasekit.package.workspace import find_workspace

    workspace = find_workspace(package_root)
    return workspace is not None and workspace.member_at(target) is not None


def _check_sibling_dep(sibling: Path, name: str, dep: str) -> None:
    """A linked sibling's dependencies resolve from where it really is, outside the package.

    npm then bundles none of them, unless one sits in the sibling's own
    node_modules: then npm writes entries with ``../`` paths out of the
    package, which we refuse rather than copy.
    """
    if os.path.lexists(sibling / "node_modules" / dep):
        raise PackError(
            f"bundled workspace package {name!r} has its own node_modules/{dep}; npm would pack it with paths "
            "outside the package; refusing to pack it (hoist it to the workspace root or bundle it directly)"
        )
