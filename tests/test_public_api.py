"""The public API of ``import releasekit``: ``__all__``, the lazy export table and the
TYPE_CHECKING imports (what type checkers see) must name the same things, from the same modules."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import releasekit

# What `import releasekit` offers a policy author; __version__ last, as __all__ lists it.
PUBLIC = (  # noqa: SIM905 - one string keeps the pinned list readable at a glance
    "Failed Finding PackedFile PackedPackage Points ReleasekitError Severity Skipped StageOptions "
    "fail fixture hookimpl hookspec mark run_policies skip __version__"
).split()


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(Path(releasekit.__file__).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module, ast.dump(stmt)
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_all_is_pinned() -> None:
    """A change to the public API is deliberate: update PUBLIC (and the docs) with it."""
    assert releasekit.__all__ == PUBLIC


def test_lazy_exports_and_type_checking_imports_agree_with_all() -> None:
    exports = dict(releasekit._EXPORTS)
    assert sorted(exports) == sorted(n for n in PUBLIC if n != "__version__")
    assert _type_checking_imports() == exports


def test_every_export_resolves_to_its_module_attribute() -> None:
    for name, module in releasekit._EXPORTS.items():
        assert getattr(releasekit, name) is getattr(importlib.import_module(module), name), name
    assert isinstance(releasekit.__version__, str)
