"""Every ``lpm`` command, in every output format, prints no planted credential and no found secret.

The project ships a secret the scan finds (an AWS access key id, which no
redaction shape matches: only the scan's registration masks it) and repeats it
where other policies quote text: an install script, the keywords. The registry
double echoes every credential it is sent in every field (see echo_registry).
Every byte printed and every report written is searched for any 8 characters
of any of them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.package.pack import pack_project
from tests.lpm_runner import Run
from tests.security.echo_registry import STAGE_ID, EchoRegistry
from tests.security.leaks import leaks

TOKEN = "Hf82kPq0Wz-tok-51cf"
LOGIN_TOKEN = "Yt61xNc4-lgn-9d2e"
NPMRC_TOKEN = "Rm37vBq9-rc-4a7f"
OTP = "739154"
PASSWORD = "S3cret-Pw-7714"
FOUND = "AKIAZ5R3QWERTY7UIOPL"  # AWS access key id: a credential-format finding
CREDENTIALS = (TOKEN, LOGIN_TOKEN, NPMRC_TOKEN, OTP, PASSWORD)


def hostile_project(root: Path) -> Path:
    root.mkdir()
    manifest = {
        "name": "rk-sweep-demo",
        "version": "1.0.1",
        "description": "a package that ships a secret",
        "keywords": [FOUND, "demo"],
        "scripts": {"postinstall": f"node setup.js --key {FOUND}"},
        "license": "MIT",
    }
    (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (root / "index.js").write_text(f'const aws = "{FOUND}";\nmodule.exports = aws;\n')
    (root / "setup.js").write_text("// eval(process.argv[3])\n")
    (root / "README.md").write_text("# demo\n\nInstall with npm. Usage: require it.\n" + "x" * 120 + "\n")
    return root


@pytest.fixture
def sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lpm: Callable[..., Run]) -> Callable[..., Run]:
    runs: list[Run] = []

    def run(*args: str, stdin: str | None = None, code: int | None = None) -> Run:
        result = lpm(*args, stdin=stdin)
        runs.append(result)
        if code is not None:
            assert result.code == code, result.text
        assert result.code != 3, result.text  # never an internal error
        return result

    run.runs = runs  # type: ignore[attr-defined]
    return run


def test_every_command_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sweep: Callable[..., Run]
) -> None:
    project = hostile_project(tmp_path / "project")
    package = pack_project(project)  # the staged 1.0.1; the project moves on to 1.0.2, which gets uploaded
    manifest = json.loads((project / "package.json").read_text())
    (project / "package.json").write_text(json.dumps({**manifest, "version": "1.0.2"}))
    (project / "releasekit.yaml").write_text("versions:\n  require_existing_package: false\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("NPM_TOKEN", TOKEN)
    monkeypatch.setenv("COLUMNS", "250")

    with EchoRegistry(staged=("rk-sweep-demo", "1.0.1", package.tarball)) as registry:
        url = registry.url
        with_password = url.replace("http://", f"http://alice:{PASSWORD}@")
        # local commands
        for fmt in ((), ("--json",), ("-v",)):
            sweep("check", ".", *fmt, code=1)
        sweep(
            "check",
            ".",
            "--junitxml",
            str(reports / "junit.xml"),
            "--sarif",
            str(reports / "out.sarif"),
            "--report",
            f"json={reports / 'report.json'}",
            code=1,
        )
        sweep("check", ".", "--allow-secrets", "--json", code=0)
        for fmt in ((), ("--json",)):
            sweep("quality", ".", *fmt)
            sweep("pack", ".", "--dry-run", *fmt, code=0)
            sweep("init", ".", "--dry-run", *fmt)
            sweep("stage", "publish", "--dry-run", "--allow-secrets", "--npm-registry", url, *fmt, code=0)
            # talking to the echoing registry
            sweep(
                "stage", "publish", "--allow-secrets", "--yes", "--no-provenance", "--npm-registry", url, *fmt
            )
            sweep("stage", "publish", "--npm-registry", url, *fmt, code=1)  # the secret gate refuses
            sweep("stage", "list", "--npm-registry", url, *fmt, code=0)
            sweep("stage", "view", STAGE_ID, "--npm-registry", url, *fmt, code=0)
            sweep("stage", "diff", STAGE_ID, "--patch", "--npm-registry", url, *fmt)
            sweep(
                "stage",
                "download",
                STAGE_ID,
                "-o",
                str(tmp_path / f"dl{len(fmt)}.tgz"),
                "--npm-registry",
                url,
                *fmt,
                code=0,
            )
            sweep("stage", "approve", STAGE_ID, "--otp", OTP, "--yes", "--npm-registry", url, *fmt)
            sweep("stage", "reject", STAGE_ID, "--otp", OTP, "--npm-registry", url, *fmt)
            sweep("stage", "list", "--npm-registry", with_password, *fmt)
            sweep("stage", "verify", STAGE_ID, "--npm-registry", url, *fmt)
            sweep("stage", "approve", "--all", "--otp", OTP, "--yes", "--npm-registry", url, *fmt)
        # a workspace holding the project: recursive staging, with its summary file
        workspace = tmp_path / "workspace"
        (workspace / "packages").mkdir(parents=True)
        (workspace / "package.json").write_text(json.dumps({"private": True, "workspaces": ["packages/*"]}))
        shutil.copytree(project, workspace / "packages" / "demo")
        monkeypatch.chdir(workspace)
        for fmt in ((), ("--json",)):
            for mode in (("--dry-run",), ("--yes", "--no-provenance")):
                summary = reports / f"summary{len(fmt)}{len(mode)}.json"
                sweep(
                    "stage",
                    "publish",
                    "-r",
                    *mode,
                    "--allow-secrets",
                    "--npm-registry",
                    url,
                    "--summary-file",
                    str(summary),
                    *fmt,
                )
        monkeypatch.chdir(project)
        # the other token sources: the token store, then the project's .npmrc
        monkeypatch.delenv("NPM_TOKEN")
        for fmt in ((), ("--json",)):
            sweep("login", "--npm", "--npm-registry", url, *fmt, stdin=LOGIN_TOKEN + "\n", code=0)
            sweep("stage", "list", "--npm-registry", url, *fmt, code=0)
            sweep("stage", "reject", STAGE_ID, "--otp", OTP, "--npm-registry", url, *fmt)
            sweep("logout", "--npm", "--npm-registry", url, *fmt, code=0)
        npmrc = project / ".npmrc"
        npmrc.write_text(f"//127.0.0.1:{url.rsplit(':', 1)[1].strip('/')}/:_authToken={NPMRC_TOKEN}\n")
        npmrc.chmod(0o600)
        for fmt in ((), ("--json",)):
            sweep("stage", "list", "--npm-registry", url, *fmt, code=0)
            sweep("stage", "view", STAGE_ID, "--npm-registry", url, *fmt, code=0)
            sweep(
                "stage",
                "approve",
                STAGE_ID,
                "--otp",
                OTP,
                "--yes",
                "--skip-checks",
                "--npm-registry",
                url,
                *fmt,
            )
            sweep("check", ".", *fmt, code=1)  # the .npmrc it packs is a finding of its own
        # the double saw every credential: they were there to leak
        sent = " ".join(str(seen.headers) for seen in registry.seen)
        assert all(credential in sent for credential in (TOKEN, LOGIN_TOKEN, NPMRC_TOKEN, OTP))

    runs: list[Run] = sweep.runs  # type: ignore[attr-defined]
    written = {path.name: path.read_text() for path in reports.iterdir()}
    assert {"junit.xml", "out.sarif", "report.json"} <= set(written)
    everything = {f"lpm {' '.join(r.args)}": r.text for r in runs} | written
    leaked = {
        where: found for where, text in everything.items() if (found := leaks(text, [*CREDENTIALS, FOUND]))
    }
    assert not leaked, leaked
    # the secret was found and reported (by hash) and the quoting policies ran
    check_json = next(r for r in runs if r.args[:3] == ("check", ".", "--json"))
    assert "AWS Access Key" in check_json.out
    assert "runs at install" in check_json.out
