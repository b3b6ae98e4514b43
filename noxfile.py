"""releasekit's own sessions: tests, lint, typecheck, bench, docs, demo.

The release kit's sessions (check, quality, stage, stage_list, approve) are
added at the bottom from ``releasekit.nox`` and run on the bundled example
package, so the kit is tested by its own use::

    nox -s check                     # the example package's policies and score
    nox -s stage -- --dry-run        # what staging it would upload
    nox -s demo                      # the whole flow on a local registry
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

# The kit comes from this checkout, so plain `pip install nox && nox` works on a fresh machine.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from releasekit.nox import KitOptions, register_sessions  # noqa: E402

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
def fuzz(session: nox.Session) -> None:
    """Long random runs (tar reader vs node-tar, redaction of every layout): ``nox -s fuzz -- 20000`` examples per test."""
    _install(session)
    examples = session.posargs[0] if session.posargs else "5000"
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/tar_oracle/test_fuzz.py",
        "tests/security/test_redaction_fuzz.py",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        "--timeout=0",
        env={"RELEASEKIT_FUZZ_EXAMPLES": examples},
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and format) over the library, policies, tests, bench and noxfile; the import contracts."""
    session.install("ruff>=0.6", "import-linter>=2.1")
    paths = ("releasekit", "policies", "tests", "bench", "templates", "docs/scripts", "noxfile.py")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    session.run("lint-imports")  # the layers of pyproject.toml's [tool.importlinter]


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
    session.run(
        "python",
        "-m",
        "bench",
        *session.posargs,
        env={"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")},
    )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Check the generated reference pages are current, then build the site with mkdocs --strict.

    ``nox -s docs -- --write`` regenerates docs/reference/{config,cli,hooks}.md first.
    """
    _install(session, extras="docs")
    write = "--write" in session.posargs
    session.run("python", "docs/scripts/gen_reference.py", *([] if write else ["--check"]))
    session.run("mkdocs", "build", "--strict", "--site-dir", str(Path(session.create_tmp()) / "site"))


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """See it work: local registry, stage the example package, list, approve with 2FA, npm install."""
    session.install("-e", ".")
    session.run("bash", "tests/registry/install", external=True)
    session.run("python", "-m", "releasekit.nox.demo", *session.posargs)


# The release kit on the bundled example package. It is never published to npmjs.com
# (`nox -s demo` publishes it on the local registry): `nox -s stage` shows the refusal,
# `nox -s stage -- --dry-run` what would be staged.
register_sessions(
    KitOptions(
        package_dir="docs/example-package",
        python=PYTHON,
        install=["-e", "."],
        reuse_venv=True,
        min_score=90,
    )
)
