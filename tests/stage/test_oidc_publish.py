"""``stage publish`` with OIDC trusted publishing: exchanged token used for the upload, ``auth: "oidc"``.

Verdaccio has no OIDC exchange endpoint, so the exchange (and GitHub's id token
endpoint) are an HTTP double here; the fallback to token auth when the
exchange fails is checked against the real Verdaccio.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from releasekit.options import StageOptions
from releasekit.stage.publish import stage_publish

from .conftest import staged_items

REGISTRY = "https://registry.example.test/"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvZGVtbyJ9.c2lnbmF0dXJlLW9mLXRoZS1pZC10b2tlbg"
SHORT_LIVED = "npm_" + "S" * 36


class Double:
    """GitHub's id token endpoint, the npm exchange, and the stage POST."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.stage_id = str(uuid.uuid4())

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.url.host == "actions.example.test":
            assert request.headers["authorization"] == "Bearer gh-request-token-123"
            assert request.url.params["audience"] == "npm:registry.example.test"
            return httpx.Response(200, json={"value": ID_TOKEN})
        if path.startswith("/-/npm/v1/oidc/token/exchange/package/"):
            assert request.headers["authorization"] == f"Bearer {ID_TOKEN}"
            return httpx.Response(
                201,
                json={
                    "token_type": "Bearer",
                    "token": SHORT_LIVED,
                    "created": "2026-01-01T00:00:00Z",
                    "expires": "2026-01-01T00:15:00Z",
                },
            )
        if path.startswith("/-/stage/package/"):
            return httpx.Response(201, json={"stageId": self.stage_id})
        return httpx.Response(404, json={"error": "not here"})


def _project(example_project):
    project = example_project("@acme/oidc-demo", access="public")
    # Only the upload is under test: the registry-reading policies would ask a registry that does not exist.
    (project / "releasekit.yaml").write_text("policies:\n  builtin: false\n")
    return project


@pytest.mark.parametrize("source", ["NPM_ID_TOKEN", "GitHub Actions"])
def test_oidc_token_is_exchanged_and_used_for_the_upload(example_project, monkeypatch, source) -> None:
    project = _project(example_project)
    if source == "NPM_ID_TOKEN":
        monkeypatch.setenv("NPM_ID_TOKEN", ID_TOKEN)
    else:
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://actions.example.test/token?api-version=2")
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token-123")
    monkeypatch.setenv("NPM_TOKEN", "npm_" + "L" * 36)  # present, but OIDC comes first
    double = Double()
    result = stage_publish(
        project, StageOptions(registry=REGISTRY, access="public"), transport=httpx.MockTransport(double)
    )
    assert result.auth == "oidc" and source in result.auth_source
    assert result.stage_id == double.stage_id
    (upload,) = [r for r in double.requests if r.url.path.startswith("/-/stage/package/")]
    assert upload.url.raw_path == b"/-/stage/package/@acme%2foidc-demo"  # escaped as npm does
    assert upload.headers["authorization"] == f"Bearer {SHORT_LIVED}"
    assert upload.headers["npm-command"] == "stage"
    body = json.loads(upload.content)
    assert body["access"] == "public" and list(body["versions"]) == ["1.0.0"]
    exchange = [r for r in double.requests if "oidc/token/exchange" in r.url.path]
    assert [r.url.raw_path for r in exchange] == [b"/-/npm/v1/oidc/token/exchange/package/@acme%2foidc-demo"]
    assert ID_TOKEN not in json.dumps(result.to_dict()) and SHORT_LIVED not in json.dumps(result.to_dict())


@pytest.mark.registry
def test_failed_exchange_falls_back_to_the_token_and_says_why(published, verdaccio, lpm, monkeypatch) -> None:
    monkeypatch.setenv("NPM_ID_TOKEN", ID_TOKEN)
    run = lpm("stage", "publish", "-y", "--json", "--npm-registry", verdaccio.url)
    assert run.code == 0, run.text
    doc = run.json()
    assert doc["auth"] == "token"
    assert "OIDC trusted publishing failed" in run.err
    assert ID_TOKEN not in run.text and published.token not in run.text
    assert [i["id"] for i in staged_items(verdaccio, published.token, published.name)] == [doc["stageId"]]
