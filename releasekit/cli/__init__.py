"""``lpm``: a thin shell over the library.

:func:`main` starts the work a command can begin before Python has imported the command
line (``lpm check`` forks its secret scan's child, which imports detect-secrets while
this process imports click and packs), then runs it (:mod:`releasekit.cli.app`, where
commands load lazily and answers become output and exit codes).
"""

from __future__ import annotations

import sys
from typing import Any

# name -> "module:attribute"; imported only when the command runs or help lists it.
COMMANDS: dict[str, str] = {
    "check": "releasekit.cli.check:check",
    "pack": "releasekit.cli.pack:pack",
    "quality": "releasekit.cli.quality:quality",
    "stage": "releasekit.cli.stage:stage",
    "init": "releasekit.cli.init:init",
    "login": "releasekit.cli.login:login",
    "logout": "releasekit.cli.login:logout",
}

# The options of ``lpm`` itself that take a value (the word after them is not the command).
_GROUP_OPTIONS_WITH_VALUE = frozenset({"--registry"})
# Flags with which ``lpm check`` scans nothing (help, a listing, a baseline update scans in process).
_CHECK_SCANS_NOTHING = frozenset({"-h", "--help", "--version", "--list", "--update-baseline"})


def main(argv: list[str] | None = None) -> int:
    """Run ``lpm`` and return (or exit with) its exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    early = start_early_work(args)
    try:
        from releasekit.cli.app import run

        code = run(args, early)
    finally:
        for work in early.values():  # whatever the command did not take (a usage error, --list)
            work.cancel()
    if argv is None:
        sys.exit(code)
    return code


def command_named(args: list[str]) -> str | None:
    """The command word in ``args``: the first word that is not an option of ``lpm`` itself
    (or its value). A guess made before click parses; a wrong one costs time, never a result."""
    words = iter(args)
    for word in words:
        if word == "--":
            return next(words, None)
        if word in _GROUP_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def start_early_work(args: list[str]) -> dict[str, Any]:
    """Work to start before the command line ``args`` is imported, by the name its command
    takes it under (``ctx.obj``). Each has ``cancel()``; the command that uses one owns it."""
    options = set(args[: args.index("--")] if "--" in args else args)
    if command_named(args) != "check" or options & _CHECK_SCANS_NOTHING:
        return {}
    from releasekit.scan.background import start_before_packing

    scan = start_before_packing()
    return {"secret_scan": scan} if scan is not None else {}
