"""The ``lpm`` command line: the group, its lazily loaded commands, and the one place a
command's answer or error becomes output and an exit code (:func:`run`)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import rich_click as click
from click.exceptions import Abort, Exit, NoSuchCommand

from releasekit.cli import COMMANDS
from releasekit.cli.output import (
    Reply,
    echo,
    emit_json,
    error_envelope,
    json_mode,
    json_option,
    reset_json_mode,
)
from releasekit.errors import ExitCode, ReleasekitError
from releasekit.redaction import guard_logging, redact
from releasekit.terminal import layout_safe


class LazyGroup(click.RichGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # click suggests from self.commands, which stays empty here: suggest from the lazy table ("lpm chek")
        try:
            return super().resolve_command(ctx, args)
        except NoSuchCommand as exc:
            raise NoSuchCommand(exc.command_name, possibilities=COMMANDS, ctx=ctx) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="releasekit", prog_name="lpm")
@json_option
@click.option(
    "--registry",
    "lpm_registry",
    default=None,
    metavar="URL",
    hidden=True,  # no command talks to an lpm registry yet; kept only to point at --npm-registry
    help="Not used: the npm registry is --npm-registry, on each command that talks to one.",
)
@click.pass_context
def lpm(ctx: click.Context, lpm_registry: str | None) -> None:
    """releasekit: safe, scriptable npm staged publishing.

    Exit codes: 0 success; 1 a policy, gate or registry refusal; 2 a usage
    error; 3 an internal error; 4 no policies collected (`lpm check`);
    124 `stage publish --wait` timed out; 130 interrupted.
    """
    ctx.ensure_object(dict)  # run() passes the early work in it
    ctx.obj["lpm_registry"] = lpm_registry


def _report_error(
    message: str, error_code: str, hint: str | None = None, fields: dict[str, Any] | None = None
) -> None:
    """The one place an error becomes text (one ``Error:`` line) or a JSON envelope."""
    if json_mode():
        emit_json(error_envelope(message, error_code, hint=hint, **(fields or {})))
    else:
        echo(f"Error: {message}", err=True)
        if hint:
            echo(f"Hint: {hint}", err=True)


def _render(reply: Reply) -> int:
    """The one place a command's answer becomes text or its JSON document, and its exit code."""
    if json_mode():
        emit_json(reply.document)
    elif reply.text is not None:
        reply.text()
    return int(reply.exit_code)


def run(args: list[str], early: dict[str, Any]) -> int:
    """Run the command line ``args`` and return its exit code. ``early``: work started
    before the commands were imported, by name (:func:`releasekit.cli.main`)."""
    head = args[: args.index("--")] if "--" in args else args
    reset_json_mode("--json" in head)
    guard_logging()  # a library's warning on stderr is output too
    try:
        result = lpm.main(args=args, prog_name="lpm", standalone_mode=False, obj=dict(early))
        # A command answers a Reply; click hands back ctx.exit(N)'s code as an int (standalone_mode=False).
        code = _render(result) if isinstance(result, Reply) else int(result) if isinstance(result, int) else 0
    except Exit as exc:
        code = exc.exit_code
    except Abort:
        _report_error("aborted", "usage")
        code = ExitCode.USAGE
    except click.ClickException as exc:
        message = exc.format_message().replace("\n", " ")
        _report_error(message, "usage")
        code = ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    except ReleasekitError as exc:
        _report_error(redact(exc.message).replace("\n", " "), exc.error_code, exc.hint, exc.envelope_fields())
        code = exc.exit_code
    except KeyboardInterrupt:
        _report_error("interrupted", "usage")
        code = ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: one line, traceback only when asked
        if os.environ.get("LPM_DEBUG"):
            import traceback

            sys.stderr.write(layout_safe(traceback.format_exc()))  # redacted like every other output
        _report_error(f"internal error: {type(exc).__name__}: {redact(str(exc))}", "internal")
        code = ExitCode.INTERNAL
    return int(code)
