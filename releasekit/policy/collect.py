"""Find policy files and the policy functions in them.

Where policies come from, in order:

1. the built-in policies shipped with releasekit (``releasekit/_builtin_policies``
   in a wheel, the repository's top-level ``policies/`` in a checkout);
2. the project's ``policies.paths`` (default ``policies/`` beside ``package.json``);
3. extra folders or files given with ``lpm check -p PATH`` / ``run_policies(paths=...)``.

Policy files are imported under unique module names (like pytest's
``importmode=importlib``), so two projects' ``policy_readme.py`` never clash.
While a run lasts, each policy file's folder is on ``sys.path`` so a policy may
import a sibling helper module by its plain name; afterwards the folders leave
``sys.path`` and every module loaded from them leaves ``sys.modules``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from releasekit.policy.fixtures import fixture_marker
from releasekit.policy.hookmarkers import hookimpl
from releasekit.policy.item import InvalidMarkError, Policy
from releasekit.policy.result import CollectionError

if TYPE_CHECKING:
    from releasekit.policy.session import Session

CONFTEST = "policyconf.py"
DEFAULT_FILES = ("policy_*.py",)
DEFAULT_FUNCTIONS = ("policy_*",)
BUILTIN_PREFIX = "builtin"


def builtin_policies_dir() -> Path | None:
    """Where releasekit's own policies are: inside the wheel, else in the checkout."""
    from releasekit.resources import shipped_dir

    return shipped_dir("policies", "_builtin_policies")


@dataclass(frozen=True)
class PolicyRoot:
    """A folder (or single file) to collect from, with the name patterns that apply to it."""

    path: Path
    python_files: tuple[str, ...] = DEFAULT_FILES
    python_functions: tuple[str, ...] = DEFAULT_FUNCTIONS
    builtin: bool = False

    @property
    def is_file(self) -> bool:
        return self.path.is_file()

    @property
    def folder(self) -> Path:
        return self.path.parent if self.is_file else self.path

    def contains(self, path: Path) -> bool:
        return path == self.path or self.folder in path.parents or path.parent == self.folder

    def wants_file(self, path: Path) -> bool:
        if self.is_file:
            return path == self.path  # a file named explicitly is collected whatever its name
        return any(fnmatch.fnmatchcase(path.name, pattern) for pattern in self.python_files)

    def wants_function(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.python_functions)


def walk(root: PolicyRoot) -> Iterator[Path]:
    """Every file under ``root`` (sorted, hidden folders and ``__pycache__`` skipped)."""
    if root.is_file:
        yield root.path
        return
    stack = [root.path]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.is_dir():
                subfolders.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


def conftests(root: PolicyRoot) -> list[Path]:
    """The ``policyconf.py`` files that belong to ``root``, shallowest first."""
    if root.is_file:
        candidate = root.folder / CONFTEST
        return [candidate] if candidate.is_file() else []
    found = [p for p in walk(root) if p.name == CONFTEST]
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


class ImportContext:
    """Puts policy folders on ``sys.path`` for one run, then removes them and their modules."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self._added_paths: list[str] = []
        self._modules_before: set[str] = set()

    def __enter__(self) -> ImportContext:
        self._modules_before = set(sys.modules)
        return self

    def add_folder(self, folder: Path) -> None:
        if folder in self.folders:
            return
        self.folders.append(folder)
        entry = str(folder)
        if entry not in sys.path:
            sys.path.insert(0, entry)
            self._added_paths.append(entry)

    def __exit__(self, *exc: object) -> None:
        for entry in self._added_paths:
            while entry in sys.path:
                sys.path.remove(entry)
        for name in set(sys.modules) - self._modules_before:
            module = sys.modules.get(name)
            filename = getattr(module, "__file__", None)
            if filename and any(folder in Path(filename).resolve().parents for folder in self.folders):
                del sys.modules[name]
        self._added_paths.clear()


def module_name_for(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"\W", "_", path.stem)
    return f"releasekit_policies_{digest}_{stem}"


def import_file(path: Path, context: ImportContext) -> ModuleType:
    """Import ``path`` as a fresh module with a unique name."""
    context.add_folder(path.parent)
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        code = _compiled(path, spec.loader)
        if code is None:
            spec.loader.exec_module(module)
        else:
            exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _compiled(path: Path, loader: Any) -> Any:
    """The file's code object, compiled once per batch run (None: let the loader do it)."""
    from releasekit.runcache import memo

    get_code = getattr(loader, "get_code", None)
    if get_code is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return memo(("policy_code", str(path), st.st_mtime_ns, st.st_size), lambda: get_code(loader.name))


def collection_error(
    exc: BaseException, path: Path, display: str, *, phase: str = "collect"
) -> CollectionError:
    """A one-line error with file and line for an exception raised while loading ``path``."""
    line = None
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).resolve() == path.resolve():
        line = exc.lineno
        message = f"SyntaxError: {exc.msg}"
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if Path(frame.f_code.co_filename).resolve() == path.resolve():
                line = lineno
        first = str(exc).splitlines()[0] if str(exc) else ""
        message = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return CollectionError(display, line, message, details, phase)


def policies_in_module(module: ModuleType, root: PolicyRoot, path: Path, display: str) -> list[Policy]:
    """The module's own functions whose names match the root's ``python_functions``."""
    found = []
    for name, obj in list(vars(module).items()):
        if not inspect.isfunction(obj) or not root.wants_function(name):
            continue
        if fixture_marker(obj) is not None or getattr(obj, "__module__", None) != module.__name__:
            continue  # fixtures, and functions imported from elsewhere (collected there)
        try:
            found.append(Policy.from_function(obj, path=path, id=f"{display}::{name}", builtin=root.builtin))
        except InvalidMarkError as exc:
            raise InvalidMarkError(f"{name}: {exc}") from None
    return found


class PythonCollector:
    """The built-in plugin that collects ``policy_*`` functions from ``policy_*.py`` files."""

    @hookimpl(trylast=True)
    def releasekit_collect_file(self, file_path: Path, session: Session) -> Sequence[Policy] | None:
        root = session.root_of(file_path)
        if (
            root is None
            or file_path.suffix != ".py"
            or file_path.name == CONFTEST
            or not root.wants_file(file_path)
        ):
            return None
        module = import_file(file_path, session.imports)
        display = session.display_path(file_path)
        session.fixtures.parse(module, display)
        try:
            return policies_in_module(module, root, file_path, display)
        except InvalidMarkError as exc:
            raise _MarkerError(str(exc), _line_of_function(module, str(exc).split(":")[0])) from None


class _MarkerError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _line_of_function(module: ModuleType, name: str) -> int | None:
    obj: Any = getattr(module, name, None)
    code = getattr(inspect.unwrap(obj), "__code__", None) if obj is not None else None
    return code.co_firstlineno if code is not None else None


def marker_error_line(exc: BaseException) -> int | None:
    return exc.line if isinstance(exc, _MarkerError) else None
