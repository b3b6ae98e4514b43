"""releasekit's own sessions: tests, lint, typecheck, bench, docs.

The release kit's sessions (check, quality, stage, ...) are added at the bottom
from ``releasekit.nox`` and run on the bundled example package, so the kit is
tested by its own use.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests"]

PYTHON = "3.11"


def _install(session: nox.Session, extras: str = "test") -> None:
    session.install("-e", f".[{extras}]")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite against the real Verdaccio test registry (installed first)."""
    _install(session)
    session.run("bash", "tests/registry/install", external=True)
    args = session.posargs or ["-q", "-p", "no:cacheprovider"]
    code = session.run("python", "-m", "pytest", *args, success_codes=[0, 5])
    if code is not None and int(code) == 5:  # pytest: nothing collected
        session.error("pytest collected no tests: the suite is broken or the selection is empty")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the library, policies, tests, bench and noxfile."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "releasekit", "policies", "tests", "bench", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy over the library."""
    _install(session)
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks against peers measured in the same run (see bench/README.md)."""
    _install(session)
    session.run("bash", "tests/registry/install", external=True)
    session.run("python", "-m", "bench", *session.posargs, env={"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")})
