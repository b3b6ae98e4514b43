"""The approve session at a real terminal (a pty): asks for the stage id, lpm asks for the OTP, it publishes."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.registry, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]


class Terminal:
    """A process whose stdin, stdout and stderr are one pseudo-terminal, driven like expect(1)."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"did not see {text!r}; got:\n{self.seen[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    raise AssertionError(
                        f"exited {self.process.returncode} before {text!r}:\n{self.seen[-3000:]}"
                    )
                self.seen += chunk.decode("utf-8", errors="replace")

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536).decode("utf-8", errors="replace")
                except OSError:
                    break
        code = self.process.wait(timeout=max(deadline - time.monotonic(), 1))
        os.close(self.master)
        return code


def test_approve_session_prompts_for_the_id_and_the_otp_and_publishes(
    nox_run, nox_project, verdaccio, registry_user, unique_name
) -> None:
    name = unique_name("kit-approve")
    project = nox_project(
        "from releasekit.nox import KitOptions, register_sessions\n"
        f'register_sessions(KitOptions(venv_backend="none", npm_registry="{verdaccio.url}"))\n',
        manifest={"name": name, "version": "1.0.0"},
    )
    verdaccio.publish(project, registry_user.token)
    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}, indent=2))
    env = {**os.environ, "NPM_TOKEN": registry_user.token, "COLUMNS": "200"}
    staged = nox_run(project, "-s", "stage", "--", "--json", env={"NPM_TOKEN": registry_user.token})
    assert staged.returncode == 0, staged.output
    stage_id = staged.json()["stageId"]
    secret = verdaccio.enable_2fa(registry_user.token, registry_user.password)

    term = Terminal([sys.executable, "-m", "nox", "-s", "approve"], project, env)
    term.expect(stage_id)  # the session lists what is staged first ...
    term.expect("Stage id to approve:")  # ... then asks which one
    term.send(stage_id)
    # lpm reviews the staged tarball against this project's policies, then asks a human to confirm ...
    term.expect("It becomes public and installable.")
    assert re.search(r"\d+ passed", term.seen), term.seen[-3000:]
    term.send("y")
    term.expect("One-time password")  # ... and, at a terminal, for the code the registry wants
    code = verdaccio.otp(secret)
    term.send(code)
    assert term.finish() == 0, term.seen[-3000:]
    assert "Session approve was successful" in term.seen
    assert code not in term.seen  # typed with echo off, never printed back
    assert registry_user.token not in term.seen

    packument = httpx.get(f"{verdaccio.url}{name}", timeout=30).json()
    assert "1.0.1" in packument["versions"]


def test_approve_session_with_the_otp_as_posarg_never_prints_it(
    nox_run, nox_project, verdaccio, registry_user, unique_name
) -> None:
    name = unique_name("kit-approve-otp")
    project = nox_project(
        "from releasekit.nox import KitOptions, register_sessions\n"
        f'register_sessions(KitOptions(venv_backend="none", npm_registry="{verdaccio.url}"))\n',
        manifest={"name": name, "version": "1.0.0"},
    )
    verdaccio.publish(project, registry_user.token)
    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.1"}, indent=2))
    staged = nox_run(project, "-s", "stage", "--", "--json", env={"NPM_TOKEN": registry_user.token})
    stage_id = staged.json()["stageId"]
    secret = verdaccio.enable_2fa(registry_user.token, registry_user.password)
    code = verdaccio.otp(secret)

    env = {**os.environ, "NPM_TOKEN": registry_user.token}
    term = Terminal(
        [sys.executable, "-m", "nox", "-s", "approve", "--", stage_id, "--otp", code], project, env
    )
    term.expect("It becomes public and installable.")
    term.send("y")
    assert term.finish() == 0, term.seen[-3000:]
    assert f"{stage_id} --otp ****" in term.seen  # the command nox logs, masked
    assert code not in term.seen
    assert "1.0.1" in httpx.get(f"{verdaccio.url}{name}", timeout=30).json()["versions"]
