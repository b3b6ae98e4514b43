"""``scripts`` facts: placeholder test scripts (npm's default and the like) and the scripts run at install time."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from releasekit.package.model import PackedPackage

# What `npm init -y` writes: a test script that only fails.
NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1'
# Run on every consumer's machine by `npm install`.
INSTALL_LIFECYCLE = ("preinstall", "install", "postinstall")


def scripts_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    value = manifest.get("scripts")
    return value if isinstance(value, Mapping) else {}


# Commands that print or set an exit status and test nothing.
_NO_OP_COMMANDS = {"echo", "exit", "true", "false", ":", "printf"}
_SEPARATORS = {"&&", "||", ";", "|", "&", ";;"}


def is_placeholder_test(script: str) -> bool:
    """A test script that runs no tests: every command echoes or exits (npm's default, lodash's note).

    ``echo "Error: no test specified" && exit 1`` and ``echo "See CI for tests"``
    are placeholders; ``node --test && echo done`` is a test.
    """
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: not something we can judge, so not a placeholder
        return False
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    words = [command[0] for command in commands if command]
    return bool(words) and all(word in _NO_OP_COMMANDS for word in words)


def install_scripts(package: PackedPackage) -> list[str]:
    """Install-time scripts, including the ``node-gyp rebuild`` npm adds for a ``binding.gyp``."""
    scripts = scripts_of(package.manifest)
    found = [f"{name}: {scripts[name]}" for name in INSTALL_LIFECYCLE if isinstance(scripts.get(name), str)]
    if "binding.gyp" in package and not any(
        isinstance(scripts.get(n), str) for n in ("install", "preinstall")
    ):
        found.append("install: node-gyp rebuild (implicit, binding.gyp)")
    return found
