"""cli.main is the one place a command's answer becomes text or JSON, and an exit code."""

from __future__ import annotations

import json

import pytest
import rich_click as click

from releasekit.cli import COMMANDS, main
from releasekit.cli.output import Reply, echo, envelope, json_option


@click.command("answer")
@json_option
def answer() -> Reply:
    """A command that only answers: nothing is printed until main renders the reply."""
    return Reply(envelope(False, data={"n": 1}), lambda: echo("said in text"), exit_code=124)


def test_one_reply_is_text_or_json_with_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(COMMANDS, "answer", f"{__name__}:answer")
    assert main(["answer"]) == 124
    assert capsys.readouterr().out == "said in text\n"
    assert main(["answer", "--json"]) == 124
    out = capsys.readouterr().out
    assert json.loads(out) == {"success": False, "target": "npm", "data": {"n": 1}} and "said" not in out
