"""Files that hold secrets by what they are are findings: .netrc, .pgpass, .envrc, .p12/.pfx,
a Docker config with ``auths``, and a token spelled out in a file name."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.options import StageOptions
from releasekit.policy.session import run_policies
from releasekit.scan import ScanSettings, SecretFinding, scan_files
from tests.scan.tokens import tokens

TOKENS = tokens()
PASSWORD = "q8Zr2Lk5Wm0Pn4Tx"
DOCKER_AUTH = base64.b64encode(f"ci-bot:{PASSWORD}".encode()).decode()


def _scan(path: str, data: bytes) -> list[SecretFinding]:
    return scan_files([(path, data)], ScanSettings.default().plan, jobs=1)


# path -> (content, finding type, line or None for the whole file, the secret kept for redaction)
CASES: dict[str, tuple[bytes, str, int | None, str]] = {
    ".netrc": (
        f"machine registry.example.com\n  login ci\n  password {PASSWORD}\n".encode(),
        "Credentials File",
        3,
        PASSWORD,
    ),
    "conf/_netrc": (f"machine h login ci password {PASSWORD}\n".encode(), "Credentials File", 1, PASSWORD),
    ".pgpass": (
        f"# local db\ndb.internal:5432:app:app:{PASSWORD}\n".encode(),
        "Credentials File",
        2,
        PASSWORD,
    ),
    ".envrc": (b"export DATABASE_URL=postgres://localhost/app\n", "Environment File", None, ""),
    "certs/client.p12": (b"0\x82\x01\x00binary", "Private Key File", None, ""),
    "certs/server.pfx": (b"0\x82\x01\x00binary", "Private Key File", None, ""),
    ".docker/config.json": (
        json.dumps({"auths": {"registry.example.com": {"auth": DOCKER_AUTH}}}, indent=2).encode(),
        "Credentials File",
        4,
        DOCKER_AUTH,
    ),
}


@pytest.mark.parametrize("path", CASES)
def test_a_secret_file_is_a_finding(path: str) -> None:
    data, rule, line, secret = CASES[path]
    found = [f for f in _scan(path, data) if f.type == rule]
    assert [(f.line, f.secret) for f in found] == [(line, secret)]
    assert not secret or all(secret not in repr(f) for f in found)


def test_a_docker_config_without_stored_credentials_is_not_a_finding() -> None:
    data = json.dumps({"auths": {"registry.example.com": {}}, "credsStore": "desktop"}).encode()
    assert not [f for f in _scan(".docker/config.json", data) if f.type == "Credentials File"]
    assert not [
        f
        for f in _scan("lib/config.json", json.dumps({"auths": {"h": {"auth": DOCKER_AUTH}}}).encode())
        if f.type == "Credentials File"
    ]


def test_a_netrc_without_a_password_is_still_a_whole_file_finding() -> None:
    [found] = [f for f in _scan(".netrc", b"machine h login ci\n") if f.type == "Credentials File"]
    assert found.line is None


@pytest.mark.parametrize("name", ["npm", "github", "stripe"])
def test_a_token_in_a_file_name_is_a_finding(name: str) -> None:
    token, _ = TOKENS[name]
    [found] = [f for f in _scan(f"fixtures/{token}.txt", b"hello\n") if f.type == "Secret In File Name"]
    assert found.secret == token and found.note is None and found.line is None


def test_a_placeholder_in_a_file_name_warns_with_its_reason() -> None:
    [found] = [
        f for f in _scan("fixtures/np" + "m_" + "x" * 36 + ".txt", b"") if f.type == "Secret In File Name"
    ]
    assert found.note and "repeated" in found.note


def test_secret_files_fail_the_gate_when_packed(make_project: Callable[..., Path]) -> None:
    files: dict[str, str | bytes] = {
        "lib/index.js": "module.exports = 1;\n",
        **{p: c for p, (c, *_) in CASES.items()},
    }
    manifest = {"name": "demo-secret-files", "version": "1.0.0", "main": "lib/index.js"}
    project = make_project(manifest, files)
    result = run_policies(project, keyword="no_secrets", options=StageOptions())
    [policy] = [r for r in result.results if r.name == "policy_no_secrets"]
    reported = {(f.file, f.rule_id) for f in policy.findings}
    assert not result.gate_passed
    # npm packs every one of them (none is on its always-ignored list)
    assert {
        (".netrc", "Credentials File"),
        (".pgpass", "Credentials File"),
        (".envrc", "Environment File"),
    } <= reported
    assert {("certs/client.p12", "Private Key File"), (".docker/config.json", "Credentials File")} <= reported
    assert all(PASSWORD not in f.message and DOCKER_AUTH not in f.message for f in policy.findings)
