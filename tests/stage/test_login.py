"""``lpm login --npm`` checks a token with the registry before storing it (0600); ``logout`` removes it."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

import pytest

from releasekit.registry import token_store

pytestmark = pytest.mark.registry


def test_login_verifies_stores_and_stage_commands_use_it(
    verdaccio, registry_user, lpm, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, stdin=registry_user.token + "\n")
    assert run.code == 0, run.text
    assert f"as {registry_user.name}" in run.out
    assert registry_user.token not in run.text
    path = token_store.token_path()
    assert str(path) in run.out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token_store.load_token(verdaccio.url) == registry_user.token
    assert sorted(p.name for p in path.parent.iterdir()) == ["npm-tokens.json", "npm-tokens.json.lock"]

    # with no NPM_TOKEN, the stored token is what stage commands use
    run = lpm("stage", "list", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert run.json()["success"] is True

    run = lpm("logout", "--npm", "--npm-registry", verdaccio.url, "--json")
    assert run.code == 0 and run.json()["data"] == {"removed": True}
    assert token_store.load_token(verdaccio.url) is None
    run = lpm("logout", "--npm", "--npm-registry", verdaccio.url)
    assert run.code == 0 and "No token was stored" in run.out
    run = lpm("stage", "list", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1 and run.json()["error_code"] == "auth_required"


def test_login_refuses_a_token_the_registry_rejects(verdaccio, lpm, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    bogus = "not-a-real-token-0123456789abcdef"
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, "--json", stdin=bogus)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["success"] is False and doc["error_code"] == "auth_required"
    assert bogus not in run.text
    assert not token_store.token_path().exists()


@pytest.mark.parametrize("stdin", ["", "   \n", "two tokens\n", "\nsecond-line-token\n"])
def test_login_refuses_empty_or_malformed_input(verdaccio, lpm, tmp_path, monkeypatch, stdin) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, stdin=stdin)
    assert run.code == 2, run.text
    assert not token_store.token_path().exists()


def test_login_json_json_on_a_tty_asks_for_stdin(verdaccio, lpm, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, "--json", tty=True)
    assert run.code == 2 and "stdin" in run.json()["error"]


def test_login_does_not_wait_for_eof_on_an_open_pipe(verdaccio, registry_user, tmp_path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "releasekit", "login", "--npm", "--npm-registry", verdaccio.url, "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(registry_user.token.encode() + b"\n")
    proc.stdin.flush()  # ...and the pipe stays open: the token line must be enough
    try:
        code = proc.wait(timeout=60)  # the output is small: no pipe buffer can fill up
    finally:
        proc.stdin.close()
        proc.kill()
    assert code == 0
    assert json.loads(proc.stdout.read())["data"]["path"] == str(token_store.token_path())


def test_login_on_a_tty_prompts_with_hidden_input(
    verdaccio, registry_user, lpm, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return registry_user.token

    monkeypatch.setattr("getpass.getpass", getpass)
    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, tty=True)
    assert run.code == 0, run.text
    assert len(prompts) == 1 and "npm token" in prompts[0]
    assert registry_user.token not in run.text
    assert token_store.load_token(verdaccio.url) == registry_user.token


def test_the_library_login_takes_the_token_from_a_callback_and_warns_through_one(
    verdaccio, registry_user
) -> None:
    # The command layer: no console, no stdin; what a person would see arrives through `warn`.
    from releasekit.registry.login import login, logout
    from releasekit.registry.resolve import RegistryChoice

    warnings: list[str] = []
    chosen = RegistryChoice(verdaccio.url, source="publishConfig.registry", from_project=True)
    result = login(chosen, lambda: f"  {registry_user.token}\n", warn=warnings.append)
    assert (result.registry, result.username) == (verdaccio.url, registry_user.name)
    assert result.to_dict() == {"username": registry_user.name, "path": str(token_store.token_path())}
    assert token_store.load_token(verdaccio.url) == registry_user.token
    assert len(warnings) == 1 and "named only by this project's files" in warnings[0]
    assert registry_user.token not in warnings[0]
    assert logout(chosen, warn=warnings.append).to_dict() == {"removed": True}
    assert logout(chosen, warn=warnings.append).removed is False
