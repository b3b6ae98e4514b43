"""``lpm stage approve|reject`` in bulk: the selection, the one-time passwords, and the batch on Verdaccio."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.errors import UsageError
from releasekit.stage.bulk import BatchOtp, check_selection

from .conftest import published_versions, staged_items
from .workspace_layouts import make_workspace

ID_A = "0b1e6a56-5d0b-4f1e-9d64-3c2f6d1d8a01"
ID_B = "0b1e6a56-5d0b-4f1e-9d64-3c2f6d1d8a02"


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("1", 3, [0]),
        ("1,3", 3, [0, 2]),
        ("2-3", 3, [1, 2]),
        (" 3 , 1-2 ", 3, [2, 0, 1]),
        ("all", 2, [0, 1]),
        ("1,1", 2, [0]),
    ],
)
def test_picker_choices(text: str, count: int, expected: list[int]) -> None:
    from releasekit.cli.stage_bulk import parse_choice

    assert parse_choice(text, count) == expected


@pytest.mark.parametrize("text", ["0", "4", "2-1", "x", "1;2", ""])
def test_bad_picker_choices_are_usage_errors(text: str) -> None:
    from releasekit.cli.stage_bulk import parse_choice

    with pytest.raises(UsageError):
        parse_choice(text, 3)


def test_selection_rules() -> None:
    assert check_selection([ID_A, ID_A.upper(), ID_B], all_entries=False, can_pick=False) == [ID_A, ID_B]
    with pytest.raises(UsageError, match="not both"):
        check_selection([ID_A], all_entries=True, can_pick=False)
    with pytest.raises(UsageError, match="--package goes with --all"):
        check_selection([], all_entries=False, package=["x*"], can_pick=True)
    with pytest.raises(UsageError, match="Missing argument"):
        check_selection([], all_entries=False, can_pick=False)
    assert check_selection([], all_entries=False, can_pick=True) == []


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_totp_command_is_asked_again_only_in_the_next_window(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    script = tmp_path / "code.py"
    script.write_text(
        "import pathlib\np = pathlib.Path(__file__).with_name('n')\nn = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\nprint(f'{n:06d}')\n"
    )
    clock = FakeClock(1000 * 30 + 10)  # 10 s into a window
    notices: list[str] = []
    otp = BatchOtp(
        command=f"{sys.executable} {script}", notice=notices.append, sleep=clock.sleep, clock=clock
    )
    assert otp.provider is otp
    assert otp.first() == "000001" and otp.first() == "000001"  # reused while it works
    # refused (a registry that takes each code once): wait for the next window, say so, ask again
    assert otp("The one-time password was refused.") == "000002"
    assert clock.slept == [pytest.approx(20.5)]
    assert "waiting 20s for the next code from --otp-command" in notices[0]
    assert counter.read_text() == "2"


def test_a_fixed_code_gives_no_provider_and_a_prompt_is_told_why_it_is_asked_again() -> None:
    assert BatchOtp("123456").provider is None
    answers = iter(["111111", "222222"])
    notices: list[str] = []
    otp = BatchOtp(prompt=lambda message: next(answers), notice=notices.append)
    assert otp("needs a code") == "111111" and notices == []
    assert otp("refused") == "222222"
    assert notices == ["The registry does not accept a one-time password twice: enter the next code."]
    with pytest.raises(UsageError, match="--otp-command is empty"):
        BatchOtp(command="  ")


@pytest.mark.registry
def test_bulk_approve_and_reject_on_verdaccio(
    tmp_path: Path, unique_name: Callable[[str], str], monkeypatch, lpm, verdaccio, registry_user
) -> None:
    ws = make_workspace(tmp_path / "ws", unique_name("rkbulk"), "npm")
    monkeypatch.chdir(ws.root)
    token = registry_user.token
    monkeypatch.setenv("NPM_TOKEN", token)
    monkeypatch.setenv("COLUMNS", "240")
    run = lpm(
        "--json",
        "stage",
        "publish",
        "-r",
        "-y",
        "--npm-registry",
        verdaccio.url,
        "--filter",
        f"{ws.name('app')}...",
    )
    assert run.code == 0, run.text
    ids = {p["package"]: p["stageId"] for p in run.json()["data"]}
    core, util, app = (ws.name(s) for s in ("core", "util", "app"))

    def still_staged() -> set[str]:
        return {i["id"] for i in staged_items(verdaccio, token) if i["packageName"].startswith(ws.prefix)}

    # the picker on a terminal, then one confirmation for the batch: declined, nothing sent
    run = lpm("stage", "approve", "--npm-registry", verdaccio.url, tty=True, stdin="1,3\nn\n")
    assert run.code == 2, run.text
    assert f"{core}@1.1.0" in run.err and "Which ones?" in run.err
    assert "Approve these 2 versions?" in run.err
    assert still_staged() == set(ids.values())

    # a review that blocks one entry (its package's own policy) refuses the whole batch
    (ws.dir("util") / "policies").mkdir()
    (ws.dir("util") / "policies" / "policy_block.py").write_text(
        "def policy_util_is_frozen():\n    assert False, 'util is frozen this week'\n"
    )
    run = lpm("stage", "approve", "--all", "--package", f"{ws.prefix}-*", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    assert "approval refused" in run.err and "nothing was sent" in run.err and "BLOCKED" in run.err
    assert still_staged() == set(ids.values())
    (ws.dir("util") / "policies" / "policy_block.py").unlink()

    # reject in bulk form (--all --package), JSON: one envelope with a list
    run = lpm(
        "--json",
        "stage",
        "reject",
        "--all",
        "--package",
        "*-app",
        "--package",
        "no-such-*",
        "--npm-registry",
        verdaccio.url,
    )
    assert run.code == 0, run.text
    doc = run.json()
    assert doc["success"] is True and [(i["package"], i["done"]) for i in doc["data"]] == [(app, True)]
    assert still_staged() == {ids[core], ids[util]}

    # 2FA with one fixed code: Verdaccio takes it once; the first approval stands, the rest is named
    secret = verdaccio.enable_2fa(token, registry_user.password)
    code = verdaccio.otp(secret)
    run = lpm("stage", "approve", ids[core], ids[util], "--otp", code, "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    assert f"Approved {core}@1.1.0" in run.out
    error = [line for line in run.err.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and f"approve stopped at {util}@1.1.0" in error[0] and ids[util] in error[0]
    assert code not in run.text
    assert "1.1.0" in published_versions(verdaccio, core) and published_versions(verdaccio, util) == {}
    assert still_staged() == {ids[util]}
