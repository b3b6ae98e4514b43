"""``lpm stage`` end to end on the real Verdaccio: stage, list, view, download, approve, install."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from pathlib import Path

import pytest

from .conftest import published_versions, staged_items

pytestmark = pytest.mark.registry

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "240")  # rich tables must not truncate ids in captured output


def stage_json(lpm, registry: str, *extra: str) -> dict:
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", registry, *extra)
    assert run.code == 0, run.text
    return run.json()


@pytest.mark.npm
def test_stage_list_view_download_approve_with_otp_then_npm_install(
    published, verdaccio, lpm, tmp_path
) -> None:
    # stage (text mode): the id and the exact next command
    run = lpm("stage", "publish", "-y", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    stage_id = UUID.search(run.out).group(0)
    assert f"Stage id: {stage_id}" in run.out
    assert f"lpm stage approve {stage_id} --npm-registry {verdaccio.url}" in run.out
    assert "auth: token from NPM_TOKEN" in run.out

    # the registry itself has it, with the tarball we packed
    (item,) = staged_items(verdaccio, published.token, published.name)
    assert (item["id"], item["version"], item["tag"]) == (stage_id, "1.1.0", "latest")
    assert item["actor"] == published.user.name
    assert "1.1.0" not in published_versions(verdaccio, published.name)

    # list: table and JSON, filtered and not
    run = lpm("stage", "list", published.name, "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert stage_id in run.out and published.name in run.out and "1.1.0" in run.out
    run = lpm("--json", "stage", "list", "--npm-registry", verdaccio.url)
    doc = run.json()
    assert doc["success"] is True and doc["target"] == "npm" and doc["registry"] == verdaccio.url
    assert [e for e in doc["data"] if e["id"] == stage_id] == [item]

    # view
    run = lpm("stage", "view", stage_id, "--npm-registry", verdaccio.url, "--json")
    doc = run.json()
    assert doc["stageId"] == stage_id and doc["data"] == item
    run = lpm("stage", "view", stage_id.upper(), "--npm-registry", verdaccio.url)
    assert run.code == 0 and f"{published.name}@1.1.0" in run.out and item["shasum"] in run.out

    # download: sha1 checked, file list and path printed, never overwritten
    target = tmp_path / "staged.tgz"
    run = lpm("stage", "download", stage_id, "-o", str(target), "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert hashlib.sha1(target.read_bytes()).hexdigest() == item["shasum"]
    assert "package.json" in run.out and "lib/index.js" in run.out and str(target) in run.out
    assert f"sha1 {item['shasum']} (matches the stage entry)" in run.out
    run = lpm("stage", "download", stage_id, "-o", str(target), "--npm-registry", verdaccio.url, "--json")
    assert run.code == 1 and run.json()["error_code"] == "io"
    assert hashlib.sha1(target.read_bytes()).hexdigest() == item["shasum"]
    run = lpm("stage", "download", stage_id, "--npm-registry", verdaccio.url)  # default name in cwd
    assert run.code == 0, run.text
    default = Path.cwd() / f"{published.name}-1.1.0-{stage_id}.tgz"
    assert default.read_bytes() == target.read_bytes()
    default.unlink()

    # approve with a correct OTP
    secret = verdaccio.enable_2fa(published.token, published.user.password)
    run = lpm("stage", "approve", stage_id, "--otp", verdaccio.otp(secret), "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert f"Approved {published.name}@1.1.0" in run.out
    assert staged_items(verdaccio, published.token, published.name) == []
    assert "1.1.0" in published_versions(verdaccio, published.name)

    # npm installs the approved version from the registry
    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text(
        json.dumps({"name": "consumer", "version": "0.0.0", "private": True})
    )
    verdaccio.npm("install", f"{published.name}@1.1.0", cwd=consumer)
    installed = json.loads((consumer / "node_modules" / published.name / "package.json").read_text())
    assert installed["version"] == "1.1.0"
    assert (consumer / "node_modules" / published.name / "lib" / "index.js").is_file()


def test_approve_refuses_missing_and_wrong_otp(published, verdaccio, lpm) -> None:
    stage_id = stage_json(lpm, verdaccio.url)["stageId"]
    verdaccio.enable_2fa(published.token, published.user.password)

    run = lpm("stage", "approve", stage_id, "--npm-registry", verdaccio.url)  # no TTY, no --otp
    assert run.code == 1, run.text
    error_lines = [line for line in run.err.splitlines() if line.startswith(("Error:", "Hint:"))]
    assert len(error_lines) == 1 and "--otp" in error_lines[0]  # one clear line, after the review summary
    run = lpm("stage", "approve", stage_id, "--skip-checks", "--npm-registry", verdaccio.url)
    assert run.code == 1 and run.err.strip().splitlines()[-1].startswith("Error:")
    run = lpm("stage", "approve", stage_id, "--npm-registry", verdaccio.url, "--json")
    assert run.json()["error_code"] == "otp_required"

    run = lpm("stage", "approve", stage_id, "--otp", "000000", "--npm-registry", verdaccio.url, "--json")
    assert run.code == 1
    doc = run.json()
    assert doc["success"] is False and doc["error_code"] == "otp_required"
    assert "000000" not in run.text

    # nothing happened on the registry
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [stage_id]
    assert "1.1.0" not in published_versions(verdaccio, published.name)


def test_reject_removes_the_staged_version(published, verdaccio, lpm) -> None:
    stage_id = stage_json(lpm, verdaccio.url)["stageId"]
    run = lpm("stage", "reject", stage_id, "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert "permanent" in run.err.lower()
    assert f"Rejected {published.name}@1.1.0" in run.out
    assert staged_items(verdaccio, published.token, published.name) == []
    assert "1.1.0" not in published_versions(verdaccio, published.name)
    run = lpm("stage", "view", stage_id, "--npm-registry", verdaccio.url, "--json")
    assert run.code == 1 and run.json()["error_code"] == "not_found"
    # the same version can be staged again once rejected
    assert stage_json(lpm, verdaccio.url)["stageId"] != stage_id


def test_second_stage_of_the_same_version_is_a_clear_conflict(published, verdaccio, lpm) -> None:
    first = stage_json(lpm, verdaccio.url)["stageId"]
    # The version policy sees it in the stage list first: refused before any upload, naming the stage.
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["success"] is False and doc["error_code"] == "gate_failed"
    failed = [r for r in doc["data"]["policies"]["results"] if r["outcome"] == "failed"]
    assert [r["name"] for r in failed] == ["policy_version_not_staged"]
    assert f"{published.name}@1.1.0 is already staged" in json.dumps(failed) and first in json.dumps(failed)
    run = lpm("stage", "publish", "-y", "--npm-registry", verdaccio.url)
    assert run.code == 1 and "already staged" in run.text and "nothing was staged" in run.err

    # With that policy disabled, the registry's own 409 comes back as a conflict, not a traceback.
    (published.dir / "releasekit.yaml").write_text("policies:\n  disable: [policy_version_not_staged]\n")
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["error_code"] == "conflict"
    assert f"{published.name}@1.1.0" in doc["error"] and "already staged" in doc["error"]
    run = lpm("stage", "publish", "-y", "--npm-registry", verdaccio.url)
    assert run.code == 1 and run.err.startswith("Error:") and "already" in run.err
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [first]


def test_staging_an_already_published_version_is_refused(published, verdaccio, lpm) -> None:
    published.set_version("1.0.0")
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["success"] is False
    # the version policy refuses it from the packument, before any upload
    assert doc["error_code"] == "gate_failed"
    assert "policy_version_not_published" in doc["error"]
    assert f"{published.name}@1.0.0 is already published" in json.dumps(doc["data"]["policies"])
    run = lpm("stage", "publish", "-y", "--npm-registry", verdaccio.url)
    assert run.code == 1 and "already published" in run.out and "nothing was staged" in run.err
    assert staged_items(verdaccio, published.token, published.name) == []


def test_without_a_tty_publish_refuses_and_asks_for_yes(published, verdaccio, lpm) -> None:
    run = lpm("stage", "publish", "--npm-registry", verdaccio.url)
    assert run.code == 2, run.text
    assert "-y" in run.err and "not staging" in run.err
    run = lpm("stage", "publish", "--npm-registry", verdaccio.url, "--json")
    assert run.code == 2 and run.json()["error_code"] == "usage"
    assert staged_items(verdaccio, published.token, published.name) == []


def test_tty_prompt_no_declines_and_yes_stages(published, verdaccio, lpm) -> None:
    run = lpm("stage", "publish", "--npm-registry", verdaccio.url, tty=True, stdin="n\n")
    assert run.code == 2, run.text
    assert "declined" in run.err
    assert f"Stage {published.name}@1.1.0 to npm?" in run.err
    assert staged_items(verdaccio, published.token, published.name) == []
    run = lpm("stage", "publish", "--npm-registry", verdaccio.url, tty=True, stdin="y\n")
    assert run.code == 0, run.text
    assert len(staged_items(verdaccio, published.token, published.name)) == 1


def test_dry_run_stays_local_and_says_so(published, verdaccio, lpm, monkeypatch) -> None:
    monkeypatch.delenv("NPM_TOKEN")
    before = len(verdaccio.log_lines())
    run = lpm("stage", "publish", "--dry-run", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert "nothing was staged" in run.out and "no remote version or tag checks" in run.out.lower()
    listed = run.out.split("Files that would be published:")[1].split("Would stage")[0]
    assert [line.split()[-1] for line in listed.strip().splitlines()] == [
        "lib/index.d.ts",
        "lib/index.js",
        "LICENSE",
        "package.json",
        "README.md",
    ]
    run = lpm("stage", "publish", "--dry-run", "--json", "--npm-registry", verdaccio.url)
    doc = run.json()
    assert doc["success"] is True and "stageId" not in doc and "auth" not in doc
    assert doc["data"]["dryRun"] is True and doc["data"]["package"]["version"] == "1.1.0"
    requests = [line for line in verdaccio.log_lines()[before:] if published.name in json.dumps(line)]
    assert requests == []


def test_json_publish_envelope_and_approve_without_2fa(published, verdaccio, lpm) -> None:
    doc = stage_json(lpm, verdaccio.url, "--tag", "next")
    assert doc["success"] is True and doc["target"] == "npm" and doc["registry"] == verdaccio.url
    assert UUID.fullmatch(doc["stageId"]) and doc["auth"] == "token"
    assert doc["data"]["package"]["tag"] == "next"
    assert doc["data"]["approveCommand"].startswith(f"lpm stage approve {doc['stageId']}")
    (item,) = staged_items(verdaccio, published.token, published.name)
    assert item["tag"] == "next" and item["shasum"] == doc["data"]["package"]["shasum"]
    run = lpm("stage", "approve", doc["stageId"], "--npm-registry", verdaccio.url, "--json")
    assert run.code == 0, run.text
    assert run.json()["stageId"] == doc["stageId"]
    assert "1.1.0" in published_versions(verdaccio, published.name)


def test_view_of_a_random_id_and_empty_list(verdaccio, registry_user, lpm, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    run = lpm("stage", "list", "no-such-package-here", "--npm-registry", verdaccio.url)
    assert run.code == 0 and "No staged versions of no-such-package-here." in run.out
    run = lpm("stage", "download", str(uuid.uuid4()), "--npm-registry", verdaccio.url)
    assert run.code == 1 and "404" in run.err
    assert list(tmp_path.iterdir()) == []


def test_approve_on_a_tty_prompts_for_the_code_and_retries_once(
    published, verdaccio, lpm, monkeypatch
) -> None:
    stage_id = stage_json(lpm, verdaccio.url)["stageId"]
    secret = verdaccio.enable_2fa(published.token, published.user.password)
    asked: list[str] = []

    def answer(code: str):
        def getpass(prompt: str = "") -> str:
            asked.append(prompt)
            return code

        return getpass

    # a wrong code at the prompt: asked once, refused, nothing approved
    monkeypatch.setattr("getpass.getpass", answer("000000"))
    run = lpm("stage", "approve", stage_id, "-y", "--npm-registry", verdaccio.url, tty=True)
    assert run.code == 1, run.text
    assert len(asked) == 1 and "One-time password" in asked[0]
    assert "000000" not in run.text
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [stage_id]

    # the right code at the prompt: approved
    monkeypatch.setattr("getpass.getpass", answer(verdaccio.otp(secret)))
    run = lpm("stage", "approve", stage_id, "-y", "--npm-registry", verdaccio.url, tty=True)
    assert run.code == 0, run.text
    assert len(asked) == 2
    assert "one-time password" in run.err.lower()  # the registry's notice was shown before the prompt
    assert "1.1.0" in published_versions(verdaccio, published.name)


def test_list_pages_through_more_than_one_page(published, verdaccio, lpm) -> None:
    import httpx

    from releasekit.package.pack import pack_project
    from releasekit.stage.packument import publish_body

    count = 103  # the client asks 100 a page: two pages
    headers = {"authorization": f"Bearer {published.token}"}
    with httpx.Client(timeout=60) as http:
        for n in range(count):
            published.set_version(f"2.0.{n}")
            body = publish_body(pack_project(published.dir), tag=f"t{n}", access=None, registry=verdaccio.url)
            http.post(
                f"{verdaccio.url}-/stage/package/{published.name}", json=body, headers=headers
            ).raise_for_status()
    run = lpm("stage", "list", published.name, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    versions = sorted(e["version"] for e in run.json()["data"])
    assert versions == sorted(f"2.0.{n}" for n in range(count))
    run = lpm("stage", "list", published.name, "--npm-registry", verdaccio.url)
    assert run.out.rstrip().endswith(f"{count} staged versions.")


def test_json_on_a_tty_does_not_prompt(published, verdaccio, lpm) -> None:
    """--json is for scripts: no prompt on a terminal (stdin has no answer to give), the stage goes ahead."""
    run = lpm("stage", "publish", "--json", "--npm-registry", verdaccio.url, tty=True, stdin="")
    assert run.code == 0, run.text
    assert "to npm?" not in run.text
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [
        run.json()["stageId"]
    ]
