"""Work ``lpm`` starts before it imports its command line: ``lpm check``'s scan child."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.cli import command_named, main, start_early_work
from releasekit.scan.processes import forking_pays
from tests.scan.corpus import secrets

AWS_KEY = secrets()["aws_key_id"][0]
forks = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the early scan child forks"
)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["check"], "check"),
        (["--json", "check", "."], "check"),
        (["--registry", "check", "stage"], "stage"),  # --registry takes a value
        (["--registry=http://x", "check"], "check"),
        (["--", "check"], "check"),
        (["-h"], None),
        ([], None),
    ],
)
def test_the_command_word_is_read_past_lpm_s_own_options(args: list[str], command: str | None) -> None:
    assert command_named(args) == command


@forks
def test_lpm_check_forks_its_scan_child_before_importing_the_command_line(
    make_project: Callable[..., Path],
) -> None:
    project = make_project({"name": "demo-early", "version": "1.0.0"}, {"index.js": f"k = '{AWS_KEY}';\n"})
    code = f"""
        import json, sys
        from releasekit.scan import background

        seen = []
        start = background.BackgroundScan.__init__

        def spy(self, *args, **kwargs):
            seen.append(sorted(m for m in ("click", "rich_click", "releasekit.cli.app") if m in sys.modules))
            start(self, *args, **kwargs)

        background.BackgroundScan.__init__ = spy
        from releasekit.cli import main

        code = main(["--json", "check", "-k", "secret", {str(project)!r}])
        print(json.dumps({{"code": code, "seen": seen}}))
        """
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    answer = json.loads(run.stdout.splitlines()[-1])
    assert answer == {"code": 1, "seen": [[]]}  # one child, forked first; it found the key


@forks
@pytest.mark.parametrize(
    "args",
    [
        ["check", "--list"],  # runs nothing: the child is not used
        ["check", "--tag", "next"],  # a usage error before the config is read
        ["check", "--bad-option"],  # click refuses it
    ],
)
def test_an_early_child_not_used_is_stopped(
    make_project: Callable[..., Path], capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    project = make_project({"name": "demo-early", "version": "1.0.0"}, {"index.js": "x\n"})
    code = main([*args, str(project)])
    assert code in (0, 2)
    assert multiprocessing.active_children() == []
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "."], True),
        (["--json", "check"], True),
        (["check", "--help"], False),
        (["check", "--list"], False),
        (["check", "--update-baseline"], False),
        (["stage", "publish"], False),
        (["check", "--", "--list"], True),  # after --, a path
    ],
)
def test_only_a_check_that_scans_forks_early(args: list[str], expected: bool) -> None:
    early = start_early_work(args)
    try:
        assert bool(early) == (expected and forking_pays())
    finally:
        for work in early.values():
            work.cancel()
