"""How a release session runs ``lpm``: the same releasekit, in a fresh process.

Why a subprocess of ``python -m releasekit`` rather than calling
``releasekit.cli.main()`` in nox's own process:

* It is the same code. Under ``venv_backend="none"`` the interpreter is
  ``sys.executable``, the one that imported this very module, so it imports
  the same ``releasekit`` package. Under a real backend the session installs
  releasekit from the checkout (or the exact version) this kit came from, and
  runs it with the environment's ``python``. Nothing is a copy of the CLI.
* One run cannot leak into the next. ``lpm`` keeps per-process state: JSON
  mode, the secrets registered for redaction, imported ``policy_*.py`` and
  ``policyconf.py`` modules. A monorepo runs ``stage(pkg=...)`` for several
  packages in one nox process, and two packages may both have
  ``policies/policy_example.py``.
* nox treats it like any command: the real exit code (1 refused, 2 usage,
  4 no policies...) fails the session, output streams, Ctrl-C interrupts it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import releasekit
from releasekit.nox._options import KitOptions

if TYPE_CHECKING:
    from nox import Session

# Environments (by location) this nox run already installed releasekit into.
_installed: set[str] = set()


def source_checkout() -> Path | None:
    """The source tree this releasekit was imported from, if it is one (not a wheel)."""
    root = Path(releasekit.__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    try:
        text = pyproject.read_text("utf-8")
    except OSError:
        return None
    return root if 'name = "releasekit"' in text else None


def install_spec(options: KitOptions) -> list[str]:
    if options.install is not None:
        return list(options.install)
    checkout = source_checkout()
    return [str(checkout)] if checkout else [f"releasekit=={releasekit.__version__}"]


def uses_outer_python(session: Session) -> bool:
    return str(session.venv_backend) == "none"


def ensure_releasekit(session: Session, options: KitOptions) -> None:
    """Install releasekit into a real session environment, once per session run."""
    if uses_outer_python(session):
        return
    location = str(getattr(session.virtualenv, "location", "") or session.bin)
    if location in _installed:
        return
    session.install(*options.install_args, *install_spec(options))
    _installed.add(location)


def lpm_command(session: Session) -> list[str]:
    python = sys.executable if uses_outer_python(session) else "python"
    return [python, "-m", "releasekit"]


def run_lpm(
    session: Session,
    options: KitOptions,
    args: Sequence[str],
    *,
    cwd: str | os.PathLike[str] = ".",
    capture_stdout: bool = False,
    success_codes: Sequence[int] = (0,),
) -> str | None:
    """Run ``lpm *args`` in ``cwd``; a non-zero exit fails the session with lpm's code.

    With ``capture_stdout`` the command's stdout is returned instead of shown
    (its stderr still streams), for callers that read ``--json`` output.
    """
    if not Path(cwd).is_dir():
        session.error(
            f"package directory {cwd} does not exist (package_dir/packages are relative to the noxfile)"
        )
    ensure_releasekit(session, options)
    env = dict(options.env)
    command = [*lpm_command(session), *args]
    shown = masked(command)
    log = shown == command
    if not log:  # nox would print the command line, one-time password included
        session.log(f"{' '.join(shown)}")
    with session.chdir(cwd):
        if capture_stdout:
            out = session.run(
                *command,
                env=env,
                external=True,
                silent=True,
                stderr=None,
                log=log,
                success_codes=list(success_codes),
            )
            return str(out or "")
        session.run(*command, env=env, external=True, log=log)
    return None


_SECRET_OPTIONS = ("--otp",)


def masked(args: Sequence[str]) -> list[str]:
    """``args`` with the values of secret options (``--otp CODE``, ``--otp=CODE``) masked."""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            out.append("****")
            hide_next = False
        elif arg in _SECRET_OPTIONS:
            out.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{o}=" for o in _SECRET_OPTIONS)):
            out.append(arg.split("=", 1)[0] + "=****")
        else:
            out.append(arg)
    return out


def option_given(args: Iterable[str], spellings: Iterable[str]) -> bool:
    """Whether ``args`` (session.posargs) already carry one of ``spellings``, in any form."""
    wanted = tuple(spellings)
    for arg in args:
        if arg == "--":
            return False
        for spelling in wanted:
            if arg == spelling or (spelling.startswith("--") and arg.startswith(spelling + "=")):
                return True
    return False


def with_defaults(
    defaults: Sequence[tuple[Sequence[str], Sequence[str]]], posargs: Sequence[str]
) -> list[str]:
    """Default flags followed by posargs; a default is dropped when posargs name the same option.

    ``defaults`` pairs the spellings that conflict with a default (``--provenance``
    conflicts with ``--no-provenance`` and ``--provenance-file``) with the args
    to add.
    """
    out: list[str] = []
    for spellings, args in defaults:
        if args and not option_given(posargs, spellings):
            out.extend(args)
    return [*out, *posargs]
