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

from tests.lpm_runner import Run

pytestmark = pytest.mark.registry


def test_no_secret_in_any_output(published, verdaccio, lpm_process, tmp_path, monkeypatch) -> None:
    url = verdaccio.url
    token, password = published.token, published.user.password
    secrets = {token, password}
    runs: list[Run] = []
    env_with_token = {"NPM_TOKEN": token, "COLUMNS": "200"}
    monkeypatch.delenv("NPM_TOKEN")

    def lpm(*args: str, env: dict[str, str] | None = None, stdin: str = "", cwd: Path | None = None) -> Run:
        run = lpm_process(
            *args, cwd=cwd or published.dir, env=env if env is not None else env_with_token, stdin=stdin
        )
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


# A registry (or a proxy before it) that echoes the Authorization header back, in every place an answer can
# reach the console: error fields, plain-text bodies, 401/500 bodies, and JSON of the wrong shape (whose
# validation message quotes the offending value).
_ECHOES = {
    "json-error": lambda auth: (400, {"error": f"bad credentials {auth}"}),
    "json-message": lambda auth: (403, {"message": f"token {auth} lacks the publish scope"}),
    "text-401": lambda auth: (401, f"denied for {auth}"),
    "text-500": lambda auth: (500, f"upstream failed; request had {auth}"),
    "wrong-shape": lambda auth: (200, {"id": auth, "items": auth, "total": auth, "versions": auth}),
    "bare-token": lambda auth: (400, {"error": f"unknown token {auth.split(' ', 1)[-1]}"}),
}


@pytest.mark.parametrize("echo", _ECHOES)
def test_registry_echoing_the_authorization_header(
    echo, lpm, lpm_process, tmp_path, example_project, monkeypatch
) -> None:
    """Tokens from NPM_TOKEN, a stored login and a project .npmrc, echoed by the registry, never printed.

    One token has npm's shape (masked even if nobody registered it), the other
    does not (masked only because releasekit registers every token it loads).
    Each in-process run starts with nothing registered for redaction; the last
    runs are real processes.
    """
    import functools

    from releasekit.redaction import forget_all
    from releasekit.registry.transport import RetryPolicy
    from releasekit.testing.faults import Answer, FaultRegistry

    monkeypatch.setattr(
        "releasekit.registry.client.RetryPolicy", functools.partial(RetryPolicy, sleep=lambda _s: None)
    )
    shaped = "npm_" + "Zx9" * 12
    unshaped = "rk-test-secret-token-0a1b2c3d4e5f"
    otp = "246810"
    stage_id = "123e4567-e89b-12d3-a456-426614174000"

    def handler(seen):
        status, body = _ECHOES[echo](seen.headers.get("authorization", "none"))
        text = body if isinstance(body, str) else json.dumps(body)
        return Answer(status, text.encode(), "text/plain" if isinstance(body, str) else "application/json")

    project = example_project()
    monkeypatch.chdir(project)
    reports = tmp_path / "reports"
    reports.mkdir()
    runs: list[Run] = []
    commands = (
        ("stage", "list"),
        ("stage", "view", stage_id),
        ("stage", "download", stage_id, "-o", str(tmp_path)),
        ("stage", "approve", stage_id, "--otp", otp, "--skip-checks"),
        ("stage", "reject", stage_id, "--otp", otp),
        ("stage", "diff", stage_id),
        ("stage", "publish", "-y"),
        ("check", "--remote", "--junitxml", str(reports / "j.xml"), "--sarif", str(reports / "s.sarif")),
    )
    with FaultRegistry(handler) as registry:
        url = registry.url
        port = url.rsplit(":", 1)[1].strip("/")
        npmrc = project / ".npmrc"
        for token, how in ((shaped, "env"), (unshaped, "env"), (unshaped, "npmrc"), (shaped, "login")):
            monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / f"xdg-{how}"))
            monkeypatch.delenv("NPM_TOKEN", raising=False)
            npmrc.unlink(missing_ok=True)
            if how == "env":
                monkeypatch.setenv("NPM_TOKEN", token)
            elif how == "npmrc":
                npmrc.write_text(f"//127.0.0.1:{port}/:_authToken={token}\n")
                npmrc.chmod(0o600)
            else:
                forget_all()
                runs.append(lpm("login", "--npm", "--npm-registry", url, stdin=token))
            for args in commands:
                for fmt in ((), ("--json",)):
                    forget_all()
                    runs.append(lpm(*args, "--npm-registry", url, *fmt))
        # as processes: the echoed NPM_TOKEN, and a malformed .npmrc key (never matched, so the token is never
        # loaded or registered) whose token must still not show
        runs.append(
            lpm_process(
                "stage", "view", stage_id, "--npm-registry", url, cwd=project, env={"NPM_TOKEN": unshaped}
            )
        )
        npmrc.write_text(f"//127.0.0.1:{port}:_authToken={unshaped}\n")
        runs.append(
            lpm_process(
                "stage",
                "list",
                "--json",
                "--npm-registry",
                url,
                cwd=project,
                env={"XDG_CONFIG_HOME": str(tmp_path / "xdg-empty")},
            )
        )
        assert any(s.headers.get("authorization") == f"Bearer {unshaped}" for s in registry.seen)
        assert any(s.headers.get("authorization") == f"Bearer {shaped}" for s in registry.seen)

    assert all(run.code in (1, 2) for run in runs if run.args[0] != "login"), [(r.args, r.code) for r in runs]
    # the echo did reach the console, masked (so the checks below are not vacuous)
    assert sum("***" in run.out + run.err for run in runs) >= len(commands), [r.err for r in runs]
    for run in runs:
        assert "Traceback" not in run.err, run.err
        if "--json" in run.args:
            json.loads(run.out)
        for value in (shaped, unshaped, otp):
            assert value not in run.out, f"token in stdout of lpm {' '.join(run.args)}"
            assert value not in run.err, f"token in stderr of lpm {' '.join(run.args)}"
    for report in reports.iterdir():
        text = report.read_text()
        assert shaped not in text and unshaped not in text, report
