"""The ``lpm login --npm`` token store: parallel logins lose nothing, bad permissions are reported."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from releasekit.registry import token_store
from releasekit.registry.names import nerf_dart
from releasekit.testing.verdaccio import Verdaccio
from tests.lpm_runner import Run

WRITERS = 8
TOKENS_EACH = 12

# One writer process: log in to TOKENS_EACH registries of its own, one after the other.
WRITER = """
import sys
from releasekit.registry import token_store
writer = int(sys.argv[1])
for n in range(int(sys.argv[2])):
    token_store.save_token(f"https://r{writer}-{n}.example.test/", f"token-{writer}-{n}-0123456789")
"""


def test_parallel_logins_keep_every_token(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(w), str(TOKENS_EACH)], env=env, stderr=subprocess.PIPE
        )
        for w in range(WRITERS)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()

    path = token_store.token_path(env)
    stored = json.loads(path.read_text())["registries"]
    expected = {
        nerf_dart(f"https://r{w}-{n}.example.test/"): {"token": f"token-{w}-{n}-0123456789"}
        for w in range(WRITERS)
        for n in range(TOKENS_EACH)
    }
    assert stored == expected  # 96 tokens, none lost to a concurrent read-modify-write
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.fixture
def exposed_store(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A token file holding tokens for two registries that has become readable by others (0644)."""
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    token_store.save_token("https://a.example.test/", "token-for-a-0123456789", env=env)
    token_store.save_token("https://b.example.test/", "token-for-b-0123456789", env=env)
    path = token_store.token_path(env)
    os.chmod(path, 0o644)
    return env, path


def test_reading_an_exposed_token_file_is_reported_not_trusted(
    exposed_store: tuple[dict[str, str], Path],
) -> None:
    env, path = exposed_store
    warnings: list[str] = []
    assert token_store.load_token("https://a.example.test/", env=env, warn=warnings.append) is None
    assert warnings == [
        f"{path} is readable by others (mode 0644): its tokens are ignored; run chmod 600 {path}"
    ]


def test_a_login_over_an_exposed_file_keeps_the_other_tokens(
    exposed_store: tuple[dict[str, str], Path],
) -> None:
    env, path = exposed_store
    warnings: list[str] = []
    token_store.save_token("https://c.example.test/", "token-for-c-0123456789", env=env, warn=warnings.append)
    assert (
        len(warnings) == 1 and "readable by others (mode 0644)" in warnings[0] and "revoking" in warnings[0]
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for host in "abc":
        assert (
            token_store.load_token(f"https://{host}.example.test/", env=env) == f"token-for-{host}-0123456789"
        )


def test_a_logout_over_an_exposed_file_keeps_the_other_tokens(
    exposed_store: tuple[dict[str, str], Path],
) -> None:
    env, path = exposed_store
    warnings: list[str] = []
    assert token_store.delete_token("https://a.example.test/", env=env, warn=warnings.append) is True
    assert len(warnings) == 1
    assert token_store.load_token("https://a.example.test/", env=env) is None
    assert token_store.load_token("https://b.example.test/", env=env) == "token-for-b-0123456789"


def test_a_file_that_is_not_a_token_file_is_never_overwritten(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    path = token_store.token_path(env)
    path.parent.mkdir(parents=True)
    path.write_text('["something", "else"]')
    os.chmod(path, 0o600)
    from releasekit.errors import StorageError

    with pytest.raises(StorageError, match="not a token file"):
        token_store.save_token("https://a.example.test/", "token-for-a-0123456789", env=env)
    assert path.read_text() == '["something", "else"]'


@pytest.mark.registry
def test_lpm_login_reports_an_exposed_token_file(
    verdaccio: Verdaccio, registry_user: Any, lpm: Callable[..., Run]
) -> None:
    token_store.save_token("https://other.example.test/", "token-for-other-0123456789")
    path = token_store.token_path()
    os.chmod(path, 0o640)

    run = lpm("login", "--npm", "--npm-registry", verdaccio.url, stdin=registry_user.token + "\n")
    assert run.code == 0, run.text
    assert f"Warning: {path} is readable by others (mode 0640)" in run.err
    assert registry_user.token not in run.text
    assert token_store.load_token("https://other.example.test/") == "token-for-other-0123456789"
    assert token_store.load_token(verdaccio.url) == registry_user.token
