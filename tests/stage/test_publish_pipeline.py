"""The publish pipeline as a library and through the CLI: rewrite, secret scan, score gate, confirm, upload."""

from __future__ import annotations

import io
import json
import tarfile

import httpx
import pytest

from releasekit.errors import Declined, StageGateFailed
from releasekit.options import StageOptions
from releasekit.stage.publish import stage_publish

from .conftest import staged_items, write_example

pytestmark = pytest.mark.registry

# Shaped like an AWS key pair; made up for this test.
PLANTED_KEY = "AKIAZ7Q3M5T2W9X4K6LP"
PLANTED_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYZ7Q3M5T2W9"


def _manifest_in(tarball: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        handle = tar.extractfile("package/package.json")
        assert handle is not None
        return json.loads(handle.read())


def test_library_call_reports_then_confirms_then_uploads(published, verdaccio) -> None:
    events: list[str] = []

    def report(result) -> None:
        events.append(f"report gate={result.session.gate_passed}")

    def no(plan) -> bool:
        events.append(f"confirm {plan.target.spec}")
        return False

    options = StageOptions(registry=verdaccio.url)
    with pytest.raises(Declined, match="declined"):
        stage_publish(published.dir, options, confirm=no, report=report)
    assert events == ["report gate=True", f"confirm {published.name}@1.1.0"]
    assert staged_items(verdaccio, published.token, published.name) == []

    result = stage_publish(published.dir, options, confirm=lambda plan: True)
    assert result.staged and result.auth == "token" and result.auth_source == "NPM_TOKEN"
    (item,) = staged_items(verdaccio, published.token, published.name)
    assert item["id"] == result.stage_id and item["shasum"] == result.package.shasum
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["approveCommand"] == f"lpm stage approve {result.stage_id} --npm-registry {verdaccio.url}"


def test_planted_secret_blocks_the_stage_and_is_never_printed(published, verdaccio, lpm) -> None:
    (published.dir / "lib" / "config.js").write_text(
        f'export const key = "{PLANTED_KEY}";\nexport const secret = "{PLANTED_SECRET}";\n'
    )
    text = lpm("stage", "publish", "-y", "--npm-registry", verdaccio.url)
    assert text.code == 1, text.text
    assert "policy_no_secrets" in text.text and "nothing was staged" in text.err
    as_json = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert as_json.code == 1 and as_json.json()["error_code"] == "gate_failed"
    for run in (text, as_json):
        assert PLANTED_KEY not in run.text and PLANTED_SECRET not in run.text
    assert staged_items(verdaccio, published.token, published.name) == []

    allowed = lpm("stage", "publish", "-y", "--allow-secrets", "--json", "--npm-registry", verdaccio.url)
    assert allowed.code == 0, allowed.text
    assert PLANTED_KEY not in allowed.text
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [
        allowed.json()["stageId"]
    ]


def test_min_score_gates_the_stage(published, verdaccio, lpm) -> None:
    (published.dir / "README.md").unlink()  # costs quality points, so the score is below 100
    probe = lpm("stage", "publish", "--dry-run", "--json", "--npm-registry", verdaccio.url)
    score = probe.json()["data"]["policies"]["score"]["value"]
    assert score < 100

    run = lpm(
        "stage", "publish", "-y", "--min-score", str(score + 1), "--json", "--npm-registry", verdaccio.url
    )
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["error_code"] == "gate_failed"
    assert f"below the minimum {score + 1}" in doc["error"]
    assert staged_items(verdaccio, published.token, published.name) == []
    run = lpm("stage", "publish", "-y", "--min-score", str(score), "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    assert len(staged_items(verdaccio, published.token, published.name)) == 1


def test_workspace_specs_are_rewritten_in_what_is_staged(
    verdaccio, registry_user, lpm, tmp_path, unique_name, monkeypatch
) -> None:
    root = tmp_path / "mono"
    root.mkdir()
    (root / "package.json").write_text(
        json.dumps({"name": "mono", "private": True, "workspaces": ["packages/*"]})
    )
    lib_name, app_name = unique_name("rk-ws-lib"), unique_name("rk-ws-app")
    write_example(root / "packages" / "lib", lib_name, "2.3.4")
    app = write_example(root / "packages" / "app", app_name, "1.0.0", dependencies={lib_name: "^2.0.0"})
    verdaccio.publish(app, registry_user.token)  # the first version, published by npm with a plain range
    write_example(app, app_name, "1.1.0", dependencies={lib_name: "workspace:^"})

    monkeypatch.setenv("NPM_TOKEN", registry_user.token)
    monkeypatch.chdir(app)
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    stage_id = run.json()["stageId"]
    target = tmp_path / "app.tgz"
    assert lpm("stage", "download", stage_id, "-o", str(target), "--npm-registry", verdaccio.url).code == 0
    assert _manifest_in(target.read_bytes())["dependencies"] == {lib_name: "^2.3.4"}
    assert json.loads((app / "package.json").read_text())["dependencies"] == {lib_name: "workspace:^"}


def test_library_gate_failure_carries_the_report_and_never_asks(published, verdaccio) -> None:
    (published.dir / "lib" / "config.js").write_text(f'export const key = "{PLANTED_KEY}";\n')
    asked: list[object] = []
    with pytest.raises(StageGateFailed) as info:
        stage_publish(
            published.dir,
            StageOptions(registry=verdaccio.url),
            confirm=lambda plan: asked.append(plan) or True,
        )
    assert asked == []
    result = info.value.result
    assert result.session.gate_passed is False and not result.staged
    assert PLANTED_KEY not in json.dumps(result.to_dict())
    assert staged_items(verdaccio, published.token, published.name) == []


class LoseTheStageAnswer(httpx.BaseTransport):
    """Sends everything to the real registry, but the stage POST's answer is lost (a read timeout)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.stage_posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.startswith("/-/stage/package/"):
            self.stage_posts += 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_lost_answer_is_reconciled_from_the_stage_list_not_retried(published, verdaccio) -> None:
    transport = LoseTheStageAnswer()
    result = stage_publish(published.dir, StageOptions(registry=verdaccio.url), transport=transport)
    assert transport.stage_posts == 1  # never sent twice
    (item,) = staged_items(verdaccio, published.token, published.name)
    assert result.stage_id == item["id"]
    assert result.response is not None and result.response["reconciled"] is True
    assert "ReadTimeout" in result.response["message"]
