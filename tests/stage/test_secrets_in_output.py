"""No command prints a token, a password, a TOTP secret or a one-time password: text or JSON, stdout or stderr.

Every command runs as its own process (nothing registered for redaction in
advance), through success and failure paths, and every byte it printed is
searched for every secret the test handed it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import Run

pytestmark = pytest.mark.registry


def test_no_secret_in_any_output(published, verdaccio, lpm_process, tmp_path, monkeypatch) -> None:
    url = verdaccio.url
    token, password = published.token, published.user.password
    secrets = {token, password}
    runs: list[Run] = []
    env_with_token = {"NPM_TOKEN": token, "COLUMNS": "200"}
    monkeypatch.delenv("NPM_TOKEN")

    def lpm(*args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None) -> Run:
        run = lpm_process(*args, cwd=cwd or published.dir, env=env if env is not None else env_with_token, stdin=stdin)
        runs.append(run)
        return run

    # login / logout (token on stdin), and a rejected token
    assert lpm("login", "--npm", "--npm-registry", url, env={}, stdin=token).code == 0
    assert lpm("login", "--npm", "--npm-registry", url, "--json", env={}, stdin=token).code == 0
    bad_token = "bad-" + token[::-1]
    secrets.add(bad_token)
    assert lpm("login", "--npm", "--npm-registry", url, env={}, stdin=bad_token).code == 1
    assert lpm("stage", "list", "--npm-registry", url, env={"NPM_TOKEN": bad_token}).code == 1
    assert lpm("stage", "list", "--json", "--npm-registry", url, env={"NPM_TOKEN": bad_token}).code == 1
    assert lpm("stage", "list", "--json", "--npm-registry", url, env={}).code == 0  # the stored login
    assert lpm("logout", "--npm", "--npm-registry", url, env={}).code == 0

    # a token found through ${ENV} in the user's .npmrc
    npmrc = Path.home() / ".npmrc"
    npmrc.write_text(f"//127.0.0.1:{verdaccio.port}/:_authToken=${{LPM_TEST_TOKEN}}\n")
    npmrc.chmod(0o600)
    assert lpm("stage", "list", "--npm-registry", url, env={"LPM_TEST_TOKEN": token}).code == 0
    npmrc.chmod(0o644)  # refused with a warning that must not quote the line
    assert lpm("stage", "list", "--npm-registry", url, env={"LPM_TEST_TOKEN": token}).code == 1
    npmrc.unlink()

    # publish: dry run, stage, conflict, JSON
    assert lpm("stage", "publish", "--dry-run", "--npm-registry", url).code == 0
    assert lpm("stage", "publish", "--dry-run", "--json", "--npm-registry", url).code == 0
    assert lpm("stage", "publish", "--npm-registry", url).code == 2  # no TTY, no -y
    first = lpm("stage", "publish", "-y", "--json", "--npm-registry", url)
    assert first.code == 0, first.text
    stage_id = first.json()["stageId"]
    assert lpm("stage", "publish", "-y", "--npm-registry", url).code == 1
    assert lpm("stage", "publish", "-y", "--json", "--npm-registry", url).code == 1
    published.set_version("1.2.0")
    second = lpm("stage", "publish", "-y", "--npm-registry", url)
    assert second.code == 0, second.text
    second_id = re.search(r"Stage id: (\S+)", second.out).group(1)

    # read commands
    for fmt in ((), ("--json",)):
        assert lpm("stage", "list", *fmt, "--npm-registry", url).code == 0
        assert lpm("stage", "view", stage_id, *fmt, "--npm-registry", url).code == 0
        out = tmp_path / f"dl{len(runs)}.tgz"
        assert lpm("stage", "download", stage_id, "-o", str(out), *fmt, "--npm-registry", url).code == 0

    # reject with an --otp the registry does not need; then 2FA and approve
    ignored_otp = "424242"
    secrets.add(ignored_otp)
    assert lpm("stage", "reject", second_id, "--otp", ignored_otp, "--npm-registry", url).code == 0
    secret = verdaccio.enable_2fa(token, password)
    secrets.add(secret)
    assert lpm("stage", "approve", stage_id, "--npm-registry", url).code == 1
    wrong = "135791"
    secrets.add(wrong)
    assert lpm("stage", "approve", stage_id, "--otp", wrong, "--npm-registry", url).code == 1
    assert lpm("stage", "approve", stage_id, "--otp", wrong, "--json", "--npm-registry", url).code == 1
    code = verdaccio.otp(secret)
    secrets.add(code)
    approved = lpm("stage", "approve", stage_id, "--otp", code, "--json", "--npm-registry", url)
    assert approved.code == 0, approved.text

    # JSON runs printed exactly one JSON document on stdout
    for run in runs:
        if "--json" in run.args:
            json.loads(run.out)

    for run in runs:
        for value in secrets:
            assert value not in run.out, f"secret in stdout of lpm {' '.join(run.args)}"
            assert value not in run.err, f"secret in stderr of lpm {' '.join(run.args)}"
    assert len(runs) >= 25
