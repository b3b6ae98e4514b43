"""The import contracts in pyproject.toml (run by ``lint-imports`` in ``nox -s lint``) cover every module.

import-linter checks only the modules a contract names, so a new top-level module would escape
"the library never imports the CLI" unless it is listed; this test makes forgetting it fail.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "releasekit"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def test_the_library_never_imports_the_cli_names_every_library_module() -> None:
    (forbidden,) = [
        c for c in _contracts() if c["type"] == "forbidden" and c["forbidden_modules"] == ["releasekit.cli"]
    ]
    top_level = {
        f"releasekit.{entry.stem}"
        for entry in PACKAGE.iterdir()
        if (entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()))
        and entry.stem not in {"__init__", "__main__", "cli", "_builtin_policies", "_templates"}
    }
    assert top_level - set(forbidden["source_modules"]) == set()  # type: ignore[arg-type]


def test_the_layers_name_existing_packages() -> None:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    for module in layers["layers"]:  # type: ignore[union-attr]
        path = REPO / Path(*str(module).split("."))
        assert path.is_dir() or path.with_suffix(".py").is_file(), module
