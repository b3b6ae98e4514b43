"""The docs agree with the code: generated pages are current, and each is checked against its source.

The generated pages are compared with ``docs/scripts/gen_reference.py``'s output,
and then, so that a bug in the generator cannot hide a gap, checked on their own:
the config reference against the JSON Schema, the CLI reference against the real
``lpm ... --help`` output, the hooks reference against the hookspec module.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
REGEN = "run `python docs/scripts/gen_reference.py` (or `nox -s docs -- --write`)"


def generator():
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "scripts" / "gen_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "page", ["reference/config.md", "reference/cli.md", "reference/hooks.md", "policies/builtin.md"]
)
def test_generated_pages_are_current(page: str) -> None:
    pages = {path.relative_to(DOCS).as_posix(): text for path, text in generator().pages().items()}
    current = (DOCS / page).read_text("utf-8")
    assert current == pages[page], f"docs/{page} is stale: {REGEN}"


# -- configuration ---------------------------------------------------------------------


def doc_rows(page: str) -> dict[str, list[str]]:
    """First-column code name -> the row's cells, for every table row of a page."""
    rows = {}
    for line in (DOCS / page).read_text("utf-8").splitlines():
        match = re.match(r"^\| `([^`]+)`[^|]*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", match.group(2))]
    return rows


def test_config_reference_documents_every_schema_key_and_nothing_else() -> None:
    from releasekit.config import load_schema

    schema = load_schema()
    rows = doc_rows("reference/config.md")
    text = (DOCS / "reference" / "config.md").read_text("utf-8")
    expected = set()
    for section, spec in schema["properties"].items():
        assert f"## `{section}`" in text, f"section {section} missing: {REGEN}"
        assert " ".join(spec["description"].split()) in " ".join(text.split())
        for key, sub in spec.get("properties", {}).items():
            dotted = f"{section}.{key}"
            expected.add(dotted)
            assert dotted in rows, f"{dotted} is not in docs/reference/config.md: {REGEN}"
            _type, default, description = rows[dotted]
            assert default == (f"`{json.dumps(sub['default'])}`" if "default" in sub else "unset"), dotted
            words = re.sub(r"\\\|", "|", description).replace("&lt;", "<").replace("&gt;", ">")
            assert " ".join(sub["description"].split()) in words, dotted
    assert set(rows) == expected, f"keys documented but not in the schema: {set(rows) - expected}"


# -- CLI -------------------------------------------------------------------------------


@cache
def real_help(command: tuple[str, ...]) -> str:
    env = {**os.environ, "COLUMNS": "400", "TERM": "dumb", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "releasekit", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def help_panels(text: str) -> dict[str, list[str]]:
    """Rows of each rich-click panel (``Options``, ``Commands``...), by panel title."""
    panels: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        head = re.match(r"^╭─ (.+?) ─", line)
        if head:
            current = head.group(1)
            panels.setdefault(current, [])
        elif line.startswith("╰"):
            current = None
        elif current and line.startswith("│"):
            panels[current].append(line.strip("│ \t"))
    return panels


def help_options(text: str) -> set[str]:
    """Option names in the help's option panels: the leading dash-words of each row."""
    found = set()
    for title, rows in help_panels(text).items():
        if title == "Commands" or title.endswith("Commands"):
            continue
        for row in rows:
            for word in row.split():
                if not word.startswith("-"):
                    break
                found.update(word.split("/"))
    return found


def help_commands(text: str) -> set[str]:
    return {
        row.split()[0]
        for title, rows in help_panels(text).items()
        if "Commands" in title
        for row in rows
        if row
    }


def doc_commands() -> dict[tuple[str, ...], str]:
    """Documented command path -> its section of docs/reference/cli.md."""
    text = (DOCS / "reference" / "cli.md").read_text("utf-8")
    sections = re.split(r"^## `(lpm(?: [\w-]+)*)`\s*$", text, flags=re.M)
    return {
        tuple(title.split()[1:]): body for title, body in zip(sections[1::2], sections[2::2], strict=True)
    }


def test_cli_reference_documents_every_command_that_help_lists() -> None:
    documented = doc_commands()
    reachable, queue = set(), [()]
    while queue:
        path = queue.pop()
        reachable.add(path)
        queue.extend((*path, name) for name in help_commands(real_help(path)))
    assert set(documented) == reachable, f"documented vs real commands differ: {REGEN}"


def test_cli_reference_documents_every_flag_of_every_command() -> None:
    for path, body in doc_commands().items():
        documented = set()
        for line in body.splitlines():
            first = re.match(r"^\| ((?:`-[^`]+`(?:, )?)+) \|", line)
            if first:
                documented.update(re.findall(r"`(-[^`]+)`", first.group(1)))
        real = help_options(real_help(path))
        assert documented == real, (
            f"lpm {' '.join(path)}: doc {sorted(documented)} vs --help {sorted(real)}: {REGEN}"
        )
        usage = re.search(r"Usage: (lpm[^\n]*)", real_help(path)).group(1).split()
        assert " ".join(usage) in " ".join(body.split()), f"lpm {' '.join(path)}: usage line differs: {REGEN}"


def test_help_parser_reads_options_and_commands() -> None:
    """The checker itself: it must see the flags rich-click prints, or the test above proves nothing."""
    options = help_options(real_help(("init",)))
    assert {"--force", "--dry-run", "--json", "--help", "-h"} <= options
    assert {"stage", "init"} <= help_commands(real_help(()))


# -- hooks -----------------------------------------------------------------------------


def test_hooks_reference_documents_every_hookspec_with_its_docstring() -> None:
    import releasekit.policy.hookspec as hookspec

    text = (DOCS / "reference" / "hooks.md").read_text("utf-8")
    specs = {name: f for name, f in vars(hookspec).items() if callable(f) and hasattr(f, "releasekit_spec")}
    assert specs, "no hookspecs found"
    documented = set(re.findall(r"^## `(releasekit_\w+)\(", text, re.M))
    assert documented == set(specs), f"hooks differ: {REGEN}"
    flat = " ".join(text.replace("``", "`").split())
    for name, func in specs.items():
        params = ", ".join(inspect.signature(func).parameters)
        assert f"## `{name}({params})`" in text, f"{name}: signature differs: {REGEN}"
        first = inspect.cleandoc(func.__doc__ or "").split("\n\n")[0].replace("``", "`")
        assert " ".join(first.split()).replace("<", "&lt;").replace(">", "&gt;") in flat, (
            f"{name}: docstring differs"
        )


# -- built-in policies, exit codes -----------------------------------------------------


def test_builtin_policies_page_lists_every_builtin_policy() -> None:
    rows = doc_rows("policies/builtin.md")
    collected = generator().builtin_policies()
    assert collected, "no built-in policies collected"
    assert {item["name"] for item in collected} == set(rows)


def test_exit_codes_page_lists_every_exit_code_and_error_code() -> None:
    from releasekit import errors

    text = (DOCS / "reference" / "exit-codes.md").read_text("utf-8")
    for code in errors.ExitCode:
        assert re.search(rf"^\| {int(code)} \|", text, re.M), f"exit code {int(code)} undocumented"
    classes, seen = [errors.ReleasekitError], {}
    while classes:
        cls = classes.pop()
        seen[cls.error_code] = int(cls.exit_code)
        classes.extend(cls.__subclasses__())
    rows = doc_rows("reference/exit-codes.md")
    for error_code, exit_code in seen.items():
        assert error_code in rows, f"error_code {error_code} undocumented"
        assert rows[error_code][0] == str(exit_code), (
            f"{error_code}: documented exit {rows[error_code][0]}, real {exit_code}"
        )
