"""lpm and the machine's npm CLI (11.19) see each other's staged versions the same way."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from .conftest import published_versions, staged_items

pytestmark = [pytest.mark.registry, pytest.mark.npm]

FIELDS = ("id", "packageName", "version", "tag", "createdAt", "actor", "actorType", "access", "shasum")


def test_what_lpm_staged_npm_lists_and_views_with_the_same_fields(
    published, verdaccio, lpm, npm_cli, tmp_path
) -> None:
    run = lpm("stage", "publish", "-y", "--json", "--tag", "beta", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    staged = run.json()
    stage_id = staged["stageId"]
    ours = lpm("stage", "view", stage_id, "--json", "--npm-registry", verdaccio.url).json()["data"]
    assert set(FIELDS) <= set(ours)

    listed = json.loads(
        verdaccio.npm("stage", "list", published.name, "--json", token=published.token).stdout
    )
    (theirs,) = [item for item in listed if item["id"] == stage_id]
    viewed = json.loads(verdaccio.npm("stage", "view", stage_id, "--json", token=published.token).stdout)
    for field in FIELDS:
        assert theirs[field] == ours[field] == viewed[field], field
    assert (ours["packageName"], ours["version"], ours["tag"]) == (published.name, "1.1.0", "beta")
    assert ours["shasum"] == staged["data"]["package"]["shasum"]

    # npm downloads the very bytes lpm packed and uploaded
    out = tmp_path / "npm-download"
    out.mkdir()
    verdaccio.npm("stage", "download", stage_id, token=published.token, cwd=out)
    (tarball,) = out.glob("*.tgz")
    assert hashlib.sha1(tarball.read_bytes()).hexdigest() == staged["data"]["package"]["shasum"]

    # and the text list of npm names it too
    text = verdaccio.npm("stage", "list", token=published.token).stdout
    assert stage_id in text and published.name in text


def test_what_npm_staged_lpm_lists_downloads_and_approves(
    published, verdaccio, lpm, npm_cli, tmp_path, monkeypatch
) -> None:
    result = verdaccio.npm("stage", "publish", token=published.token, cwd=published.dir)
    stage_id = re.search(r"staged with id ([0-9a-f-]{36})", result.stdout).group(1)
    (item,) = staged_items(verdaccio, published.token, published.name)
    assert item["id"] == stage_id

    run = lpm("stage", "list", published.name, "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert run.json()["data"] == [item]
    for columns in ("80", "200"):  # narrow: one block per entry; wide: a table. Ids stay whole in both.
        monkeypatch.setenv("COLUMNS", columns)
        run = lpm("stage", "list", "--npm-registry", verdaccio.url)
        assert stage_id in run.out and item["shasum"] in run.out

    target = tmp_path / "from-npm.tgz"
    run = lpm("stage", "download", stage_id, "-o", str(target), "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    doc = run.json()
    assert hashlib.sha1(target.read_bytes()).hexdigest() == item["shasum"] == doc["data"]["shasum"]
    assert doc["data"]["verified"] is True
    assert {f["path"] for f in doc["data"]["files"]} >= {"package.json", "lib/index.js", "README.md"}

    secret = verdaccio.enable_2fa(published.token, published.user.password)
    run = lpm("stage", "approve", stage_id, "--otp", verdaccio.otp(secret), "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert "1.1.0" in published_versions(verdaccio, published.name)
    shown = json.loads(
        verdaccio.npm("view", published.name, "versions", "--json", token=published.token).stdout
    )
    assert "1.1.0" in shown
