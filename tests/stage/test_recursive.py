"""``lpm stage publish --recursive``: a whole workspace, locally (--dry-run) and on the real Verdaccio."""

from __future__ import annotations

import io
import json
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from .conftest import published_versions, staged_items
from .workspace_layouts import WorkspaceLayout, make_workspace

PLANTED_KEY = "AKIA" + "IOSFODNN7" + "EXAMPLQ"
ORDER = ["core", "internal", "legacy", "util", "app"]


@pytest.fixture
def workspace(tmp_path: Path, unique_name: Callable[[str], str], monkeypatch: pytest.MonkeyPatch):
    def make(kind: str = "npm") -> WorkspaceLayout:
        layout = make_workspace(tmp_path / f"ws-{kind}", unique_name("rkws"), kind)
        monkeypatch.chdir(layout.root)
        return layout

    return make


def _results(doc: dict) -> dict[str, str]:
    return {p["package"]: p["result"] for p in doc["data"]}


@pytest.mark.parametrize("kind", ["npm", "pnpm"])
def test_dry_run_orders_skips_private_and_checks_every_package(
    workspace, lpm, kind: str, tmp_path: Path
) -> None:
    ws = workspace(kind)
    summary = tmp_path / "summary.json"
    run = lpm("--json", "stage", "publish", "-r", "--dry-run", "--summary-file", str(summary))
    assert run.code == 0, run.text
    doc = run.json()
    assert doc["success"] is True and doc["dryRun"] is True
    assert [p["package"] for p in doc["data"]] == [ws.name(s) for s in ORDER]
    assert _results(doc)[ws.name("internal")] == "skipped"
    assert "private" in next(p["reason"] for p in doc["data"] if p["package"] == ws.name("internal"))
    # a dry run asks the registry nothing: the published legacy is only found when staging for real
    would = [p for p in doc["data"] if p["result"] == "would stage"]
    assert {p["package"] for p in would} == {ws.name(s) for s in ("core", "util", "app", "legacy")}
    assert all(isinstance(p["score"], int) and p["integrity"].startswith("sha512-") for p in would)
    entries = json.loads(summary.read_text())
    assert [e["package"] for e in entries] == [ws.name(s) for s in ("core", "legacy", "util", "app")]
    assert set(entries[0]) == {"package", "version", "stageId", "tag", "integrity"}
    assert entries[0]["stageId"] is None and entries[0]["tag"] == "latest"

    text = lpm("stage", "publish", "-r", "--dry-run")
    assert text.code == 0, text.text
    assert f"Skipping {ws.name('internal')}@1.1.0: private package" in text.out
    assert "Dry run: nothing was staged" in text.out
    for short in ("core", "util", "app"):
        assert f"Checked {ws.name(short)}@1.1.0: it would be staged" in text.out


def test_forked_workers_check_the_same_as_one_process(workspace, lpm) -> None:
    ws = workspace("pnpm")
    (ws.dir("legacy") / "lib" / "config.js").write_text(f'export const awsKey = "{PLANTED_KEY}";\n')
    runs = [
        lpm(
            "--json",
            "stage",
            "publish",
            "-r",
            "--dry-run",
            "--continue-on-error",
            "--workspace-concurrency",
            n,
        )
        for n in ("1", "3")
    ]
    one, forked = (
        [
            (p["package"], p["result"], p["score"], p["integrity"], p.get("errorCode"))
            for p in r.json()["data"]
        ]
        for r in runs
    )
    assert one == forked
    assert (ws.name("legacy"), "failed") == forked[2][
        :2
    ]  # redone in the parent: the real error, not a pickle
    assert runs[1].json()["data"][2]["policies"]["gate_passed"] is False


def test_filters_pick_packages_and_their_dependencies(workspace, lpm, monkeypatch) -> None:
    ws = workspace("pnpm")
    run = lpm("--json", "stage", "publish", "-r", "--dry-run", "--filter", f"{ws.name('app')}...")
    assert run.code == 0, run.text
    assert [p["package"] for p in run.json()["data"]] == [ws.name(s) for s in ("core", "util", "app")]
    run = lpm(
        "--json",
        "stage",
        "publish",
        "-r",
        "--dry-run",
        "--filter",
        "./packages/legacy",
        "--filter",
        f"...{ws.name('util')}",
    )
    assert [p["package"] for p in run.json()["data"]] == [ws.name(s) for s in ("legacy", "util", "app")]
    run = lpm("stage", "publish", "-r", "--dry-run", "--filter", "no-such-package")
    assert run.code == 2 and run.err.startswith(
        "Error: --filter 'no-such-package' matches no workspace package"
    )
    # as pnpm -r: from inside the workspace, the packages under the current directory
    monkeypatch.chdir(ws.dir("util"))
    run = lpm("--json", "stage", "publish", "-r", "--dry-run")
    assert [p["package"] for p in run.json()["data"]] == [ws.name("util")]


def test_a_failed_package_stops_its_dependents_and_by_default_the_rest(workspace, lpm) -> None:
    ws = workspace("npm")
    (ws.dir("core") / "lib" / "config.js").write_text(f'export const awsKey = "{PLANTED_KEY}";\n')
    run = lpm("--json", "stage", "publish", "-r", "--dry-run")
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["success"] is False
    results = _results(doc)
    assert results[ws.name("core")] == "failed"
    assert results[ws.name("util")] == results[ws.name("app")] == "blocked"
    assert results[ws.name("legacy")] == "not staged"  # independent, but after the failure
    failed = next(p for p in doc["data"] if p["package"] == ws.name("core"))
    assert failed["errorCode"] == "gate_failed" and failed["policies"]["gate_passed"] is False
    assert PLANTED_KEY not in run.text

    run = lpm("--json", "stage", "publish", "-r", "--dry-run", "--continue-on-error")
    assert run.code == 1
    results = _results(run.json())
    assert results[ws.name("legacy")] == "would stage"
    assert results[ws.name("util")] == results[ws.name("app")] == "blocked"

    text = lpm("stage", "publish", "-r", "--dry-run", "--continue-on-error")
    assert text.code == 1
    assert f"Not staging {ws.name('util')}@1.1.0: its dependency {ws.name('core')} failed" in text.err
    assert text.err.strip().splitlines()[-1] == (
        f"Error: 1 package failed ({ws.name('core')}@1.1.0); 2 more not staged because of it"
    )
    assert "AWS Access Key" in text.out and PLANTED_KEY not in text.text


def test_a_package_needing_a_private_one_fails_unless_it_bundles_it(workspace, lpm) -> None:
    ws = workspace("npm")
    ws.set_manifest("legacy", dependencies={ws.name("internal"): "workspace:*"})
    run = lpm("--json", "stage", "publish", "-r", "--dry-run", "--continue-on-error")
    assert run.code == 1
    legacy = next(p for p in run.json()["data"] if p["package"] == ws.name("legacy"))
    assert legacy["result"] == "failed" and f"depends on {ws.name('internal')}, a private" in legacy["reason"]
    assert _results(run.json())[ws.name("app")] == "would stage"  # the rest goes on


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "x"], "--filter goes with --recursive"),
        (["--continue-on-error"], "--continue-on-error goes with --recursive"),
        (["--summary-file", "s.json"], "--summary-file goes with --recursive"),
        (["-r", "--provenance-file", "package.json"], "--provenance-file names one bundle"),
        (["-r", "--summary-file", "missing/dir/s.json"], "does not exist"),
    ],
)
def test_workspace_flags_are_checked(workspace, lpm, args: list[str], message: str) -> None:
    workspace("npm")
    run = lpm("stage", "publish", "--dry-run", *args)
    assert run.code == 2 and message in run.err, run.text


def test_recursive_outside_a_workspace_and_a_cycle_are_one_clear_error(
    workspace, lpm, tmp_path: Path, monkeypatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "package.json").write_text('{"name": "plain", "version": "1.0.0"}')
    monkeypatch.chdir(plain)
    run = lpm("stage", "publish", "-r", "--dry-run")
    assert run.code == 2 and "--recursive needs a workspace" in run.err
    ws = workspace("npm")
    ws.set_manifest("core", dependencies={ws.name("app"): "workspace:*"})
    run = lpm("stage", "publish", "-r", "--dry-run")
    assert run.code == 2 and "cycle" in run.err and len(run.err.strip().splitlines()) == 1


# -- on the real registry --------------------------------------------------------------------------


def _staged_manifest(verdaccio, token: str, stage_id: str) -> dict:
    response = httpx.get(
        f"{verdaccio.url}-/stage/{stage_id}/tarball", headers={"authorization": f"Bearer {token}"}, timeout=30
    )
    response.raise_for_status()
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        member = tar.extractfile("package/package.json")
        assert member is not None
        return dict(json.loads(member.read()))


@pytest.mark.registry
@pytest.mark.npm
@pytest.mark.parametrize("kind", ["npm", "pnpm"])
def test_stage_a_workspace_on_verdaccio(
    workspace, lpm, verdaccio, registry_user, monkeypatch, tmp_path, kind
) -> None:
    ws = workspace(kind)
    token = registry_user.token
    verdaccio.publish(ws.dir("legacy"), token)  # its 1.0.0 is already out
    monkeypatch.setenv("NPM_TOKEN", token)
    summary = tmp_path / "summary.json"

    run = lpm("stage", "publish", "-r", "-y", "--npm-registry", verdaccio.url, "--summary-file", str(summary))
    assert run.code == 0, run.text
    assert f"Skipping {ws.name('internal')}@1.1.0: private package" in run.out
    assert f"Skipping {ws.name('legacy')}@1.0.0: {ws.name('legacy')}@1.0.0 is already published" in run.out
    entries = json.loads(summary.read_text())
    staged = [ws.name(s) for s in ("core", "util", "app")]
    assert [e["package"] for e in entries] == staged  # dependencies first
    ids = {e["package"]: e["stageId"] for e in entries}
    assert f"lpm stage approve {' '.join(ids.values())} --npm-registry {verdaccio.url}" in run.out

    # what npm sees: the three staged versions, in staging order
    listed = json.loads(verdaccio.npm("stage", "list", "--json", token=token).stdout)
    ours = sorted((i for i in listed if i["id"] in ids.values()), key=lambda i: i["createdAt"])
    assert [i["packageName"] for i in ours] == staged
    assert all(i["version"] == "1.1.0" and i["tag"] == "latest" for i in ours)
    assert {e["integrity"] for e in entries} == {e["integrity"] for e in json.loads(summary.read_text())}
    # the workspace: and catalog: specs became the versions being staged
    assert _staged_manifest(verdaccio, token, ids[ws.name("util")])["dependencies"] == {
        ws.name("core"): "^1.1.0"
    }
    assert _staged_manifest(verdaccio, token, ids[ws.name("app")])["dependencies"] == {
        ws.name("util"): "1.1.0",
        ws.name("core"): "^1.1.0",
    }
    assert staged_items(verdaccio, token, ws.name("legacy")) == []
    assert published_versions(verdaccio, ws.name("core")) == {}

    # a second run finds them all staged and stages nothing twice
    again = lpm("--json", "stage", "publish", "-r", "-y", "--npm-registry", verdaccio.url)
    assert again.code == 0, again.text
    reasons = {p["package"]: p["reason"] for p in again.json()["data"]}
    assert reasons[ws.name("core")] == f"{ws.name('core')}@1.1.0 is already staged"
    assert len([i for i in staged_items(verdaccio, token) if i["packageName"].startswith(ws.prefix)]) == 3

    if kind == "npm":
        # bulk approval with 2FA: codes from a TOTP source; Verdaccio takes each code once, so lpm
        # waits for the next window between approvals and says so
        secret = verdaccio.enable_2fa(token, registry_user.password)
        command = f"{sys.executable} -c \"from releasekit.testing.totp import totp; print(totp('{secret}'))\""
        run = lpm(
            "stage", "approve", *ids.values(), "--otp-command", command, "--npm-registry", verdaccio.url
        )
        assert run.code == 0, run.text
        assert "does not accept a one-time password twice: waiting" in run.err
        assert all(f"Approved {name}@1.1.0 (stage {ids[name]})" in run.out for name in staged)
        assert "3 versions approved." in run.out
    else:
        run = lpm(
            "--json",
            "stage",
            "approve",
            "--all",
            "--package",
            f"{ws.prefix}-*",
            "--npm-registry",
            verdaccio.url,
        )
        assert run.code == 0, run.text
        doc = run.json()
        assert [item["package"] for item in doc["data"]] == staged  # in staging order
        assert all(item["done"] and item["review"]["blocked"] is False for item in doc["data"])
    assert [i for i in staged_items(verdaccio, token) if i["packageName"].startswith(ws.prefix)] == []
    for name in staged:
        assert "1.1.0" in published_versions(verdaccio, name)

    # npm installs the approved set: app pulls util and core at the staged versions
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text(
        json.dumps({"name": "consumer", "version": "0.0.0", "private": True})
    )
    verdaccio.npm("install", f"{ws.name('app')}@1.1.0", cwd=consumer)
    for name in staged:
        installed = json.loads((consumer / "node_modules" / name / "package.json").read_text())
        assert installed["version"] == "1.1.0"


@pytest.mark.registry
def test_wait_for_every_decision(workspace, lpm, verdaccio, registry_user, monkeypatch) -> None:
    from releasekit.options import StageOptions
    from releasekit.stage.recursive import stage_recursive, wait_for_all

    ws = workspace("npm")
    token = registry_user.token
    monkeypatch.setenv("NPM_TOKEN", token)
    # nobody decides: the CLI waits, then exits 124 as timeout(1) does
    run = lpm(
        "stage",
        "publish",
        "-r",
        "-y",
        "--npm-registry",
        verdaccio.url,
        "--filter",
        ws.name("core"),
        "--wait",
        "--timeout",
        "1s",
    )
    assert run.code == 124, run.text
    assert f"{ws.name('core')}@1.1.0: timed_out" in run.out

    options = StageOptions(registry=verdaccio.url)
    result = stage_recursive(ws.root, options, filters=[ws.name("util"), ws.name("app")])
    ids = {r.name: r.stage_id for r in result.staged}
    headers = {"authorization": f"Bearer {token}"}
    for name in ids:
        httpx.post(
            f"{verdaccio.url}-/stage/{ids[name]}/approve", headers=headers, timeout=30
        ).raise_for_status()
    assert wait_for_all(result, 10) == 0
    assert {str(r.wait.decision) for r in result.staged if r.wait} == {"approved"}

    result = stage_recursive(ws.root, options, filters=[ws.name("legacy")])
    (legacy,) = result.staged
    httpx.delete(f"{verdaccio.url}-/stage/{legacy.stage_id}", headers=headers, timeout=30).raise_for_status()
    assert wait_for_all(result, 10) == 1
