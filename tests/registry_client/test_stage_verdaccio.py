"""The staging client against the real Verdaccio 9 (stage + tfa flags)."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from releasekit.errors import AuthRequired, Conflict, NotFound, OtpRequired, UsageError
from releasekit.registry.client import RegistryClient, StagedVersion
from releasekit.testing.verdaccio import Verdaccio
from tests.registry_client.conftest import Stageable

pytestmark = pytest.mark.registry

WIRE_FIELDS = {"id", "packageName", "version", "tag", "createdAt", "actor", "actorType", "access", "shasum"}


class CountingTransport(httpx.HTTPTransport):
    """The real network transport, remembering what was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)


def test_stage_list_view_download_then_approve_with_otp_and_install(
    stageable: Stageable, verdaccio: Verdaccio, tmp_path: Path
) -> None:
    client = stageable.client()
    answer = client.stage_publish(stageable.name, stageable.body("1.1.0", tag="next"))
    stage_id = answer["stageId"]
    assert str(uuid.UUID(stage_id)) == stage_id
    tarball = stageable.tarballs["1.1.0"]

    listed = client.stage_list(package=stageable.name)
    assert [s.id for s in listed] == [stage_id]
    entry = client.stage_view(stage_id)
    assert entry == listed[0]
    assert (entry.package_name, entry.version, entry.tag) == (stageable.name, "1.1.0", "next")
    assert entry.actor == stageable.user.name
    assert entry.shasum == hashlib.sha1(tarball).hexdigest()
    assert set(entry.to_dict()) == WIRE_FIELDS
    assert client.stage_tarball(stage_id) == tarball

    # Staged is not published: installs cannot see it yet.
    packument = client.packument(stageable.name)
    assert packument is not None and "1.1.0" not in packument["versions"]

    secret = verdaccio.enable_2fa(stageable.token, stageable.user.password)
    approved = client.stage_approve(stage_id, otp=verdaccio.otp(secret))
    assert "approved" in approved.get("message", "")
    with pytest.raises(NotFound):
        client.stage_view(stage_id)
    packument = client.packument(stageable.name)
    assert packument is not None
    assert packument["dist-tags"]["next"] == "1.1.0"
    assert packument["versions"]["1.1.0"]["dist"]["shasum"] == entry.shasum

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text(
        json.dumps({"name": "consumer", "version": "0.0.0", "private": True})
    )
    verdaccio.npm("install", f"{stageable.name}@1.1.0", cwd=consumer)
    installed = json.loads((consumer / "node_modules" / stageable.name / "package.json").read_text())
    assert installed["version"] == "1.1.0"


def test_approve_without_or_with_a_wrong_otp_is_refused_and_leaves_it_staged(
    stageable: Stageable, verdaccio: Verdaccio
) -> None:
    client = stageable.client()
    stage_id = client.stage_publish(stageable.name, stageable.body("1.2.0"))["stageId"]
    verdaccio.enable_2fa(stageable.token, stageable.user.password)

    with pytest.raises(OtpRequired) as missing:
        client.stage_approve(stage_id)
    assert "--otp" in str(missing.value)
    assert missing.value.exit_code == 1 and missing.value.error_code == "otp_required"

    with pytest.raises(OtpRequired) as wrong:
        client.stage_reject(stage_id, otp="000000")
    assert "refused" in str(wrong.value)

    assert client.stage_view(stage_id).version == "1.2.0"


def test_otp_prompt_is_asked_once_per_attempt_and_its_code_is_sent(
    stageable: Stageable, verdaccio: Verdaccio
) -> None:
    prompts: list[str] = []
    codes = iter(["000000"])

    def provider(message: str) -> str:
        prompts.append(message)
        return next(codes)

    client = stageable.client(otp_provider=provider)
    stage_id = client.stage_publish(stageable.name, stageable.body("1.3.0"))["stageId"]
    secret = verdaccio.enable_2fa(stageable.token, stageable.user.password)

    # A wrong code from the prompt: retried once, then a clean refusal (no loop).
    with pytest.raises(OtpRequired, match="refused"):
        client.stage_approve(stage_id)
    assert len(prompts) == 1 and "one-time password" in prompts[0]

    codes = iter([verdaccio.otp(secret)])
    client.stage_approve(stage_id)
    assert len(prompts) == 2
    packument = client.packument(stageable.name)
    assert packument is not None and "1.3.0" in packument["versions"]


def test_reject_removes_the_staged_version(stageable: Stageable) -> None:
    client = stageable.client()
    stage_id = client.stage_publish(stageable.name, stageable.body("2.0.0"))["stageId"]
    assert client.stage_reject(stage_id) == {}
    with pytest.raises(NotFound):
        client.stage_view(stage_id)
    with pytest.raises(NotFound):
        client.stage_tarball(stage_id)
    assert client.stage_list(package=stageable.name) == []
    # The version is free again: staging it anew works and gets a new id.
    again = client.stage_publish(stageable.name, stageable.body("2.0.0"))["stageId"]
    assert again != stage_id


def test_second_stage_of_the_same_version_is_a_clear_conflict(stageable: Stageable) -> None:
    client = stageable.client()
    body = stageable.body("1.4.0")
    client.stage_publish(stageable.name, body)
    with pytest.raises(Conflict) as caught:
        client.stage_publish(stageable.name, body)
    message = str(caught.value)
    assert f"{stageable.name}@1.4.0" in message and "already staged" in message
    assert "\n" not in message and caught.value.status == 409
    assert len(client.stage_list(package=stageable.name)) == 1


def test_staging_a_published_version_is_refused(stageable: Stageable) -> None:
    client = stageable.client()
    with pytest.raises(Conflict, match=r"1\.0\.0 is already published or staged"):
        client.stage_publish(stageable.name, stageable.body("1.0.0"))
    assert client.stage_list(package=stageable.name) == []


def test_unknown_stage_id_is_not_found_everywhere(stageable: Stageable) -> None:
    client = stageable.client()
    unknown = str(uuid.uuid4())
    for call in (client.stage_view, client.stage_tarball, client.stage_approve, client.stage_reject):
        with pytest.raises(NotFound) as caught:
            call(unknown)
        assert "no such staged package version" in str(caught.value)
        assert caught.value.error_code == "not_found"


def test_list_pages_through_everything(stageable: Stageable) -> None:
    counting = CountingTransport()
    client = stageable.client(transport=counting)
    ids = [
        client.stage_publish(stageable.name, stageable.body(v))["stageId"]
        for v in ("3.0.0", "3.0.1", "3.0.2")
    ]
    counting.sent.clear()

    listed = client.stage_list(package=stageable.name, per_page=1)
    assert sorted(s.id for s in listed) == sorted(ids)
    assert sorted(s.version for s in listed) == ["3.0.0", "3.0.1", "3.0.2"]
    pages = [dict(r.url.params) for r in counting.sent]
    assert [p["page"] for p in pages] == ["0", "1", "2"]
    assert all(p["perPage"] == "1" and p["package"] == stageable.name for p in pages)


def test_stage_requests_carry_npm_headers(stageable: Stageable) -> None:
    counting = CountingTransport()
    client = stageable.client(transport=counting)
    stage_id = client.stage_publish(stageable.name, stageable.body("4.0.0"))["stageId"]
    client.stage_view(stage_id)
    client.packument(stageable.name)
    stage_requests = [r for r in counting.sent if r.url.path.startswith("/-/stage")]
    assert len(stage_requests) == 2
    for request in stage_requests:
        assert request.headers["npm-command"] == "stage"
        assert request.headers["npm-auth-type"] == "web"
        assert request.headers["user-agent"].startswith("releasekit/")
    # Plain reads are not stage requests.
    assert "npm-command" not in counting.sent[-1].headers
    assert (
        counting.sent[0]
        .url.raw_path.decode()
        .endswith("/-/stage/package/@rk%2f" + stageable.name.split("/")[1])
    )


def test_invalid_stage_ids_are_refused_before_any_request() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request expected, got {request.method} {request.url}")

    client = RegistryClient("http://127.0.0.1:9/", "tok-never-used", transport=httpx.MockTransport(explode))
    for bad in ("", "123", "not-a-uuid", "../../-/whoami", "0a9e7d3c-0000-0000-0000-00000000000g"):
        for call in (client.stage_view, client.stage_tarball, client.stage_approve, client.stage_reject):
            with pytest.raises(UsageError, match="UUID"):
                call(bad)


def test_auth_is_required_and_a_bad_token_is_refused(stageable: Stageable, verdaccio: Verdaccio) -> None:
    assert stageable.client().whoami() == stageable.user.name
    with pytest.raises(AuthRequired) as anonymous:
        RegistryClient(verdaccio.url).stage_list()
    assert "no token was sent" in str(anonymous.value) and anonymous.value.hint
    with pytest.raises(AuthRequired):
        RegistryClient(verdaccio.url, "not-a-real-token-at-all").whoami()


def test_packument_of_an_unknown_package_is_none(verdaccio: Verdaccio, unique_name: Any) -> None:
    client = RegistryClient(verdaccio.url)
    assert client.packument(f"@rk/{unique_name('absent')}") is None
    assert client.packument(unique_name("absent")) is None


@pytest.mark.npm
def test_npm_cli_sees_what_we_staged_and_we_handle_what_npm_staged(
    stageable: Stageable, verdaccio: Verdaccio, npm_cli: str
) -> None:
    client = stageable.client()
    ours = client.stage_publish(stageable.name, stageable.body("5.0.0"))["stageId"]
    listed = json.loads(
        verdaccio.npm("stage", "list", stageable.name, "--json", token=stageable.token).stdout
    )
    assert listed == [client.stage_view(ours).to_dict()]
    viewed = json.loads(verdaccio.npm("stage", "view", ours, "--json", token=stageable.token).stdout)
    assert viewed == client.stage_view(ours).to_dict()

    stageable.body("5.0.1")  # writes the version into package.json
    verdaccio.npm("stage", "publish", token=stageable.token, cwd=stageable.project)
    theirs = [s for s in client.stage_list(package=stageable.name) if s.version == "5.0.1"]
    assert len(theirs) == 1 and isinstance(theirs[0], StagedVersion)
    data = client.stage_tarball(theirs[0].id)
    assert hashlib.sha1(data).hexdigest() == theirs[0].shasum
    client.stage_approve(theirs[0].id)
    packument = client.packument(stageable.name)
    assert packument is not None and "5.0.1" in packument["versions"]


def test_repeated_downloads_keep_the_registry_up(stageable: Stageable, verdaccio: Verdaccio) -> None:
    # Regression: Verdaccio's staged-tarball route could throw ERR_HTTP_HEADERS_SENT and exit
    # (see releasekit/testing/verdaccio_guard.cjs); downloads from fresh connections hit it often.
    stage_id = stageable.client().stage_publish(stageable.name, stageable.body("6.0.0"))["stageId"]
    expected = stageable.tarballs["6.0.0"]
    for _ in range(40):
        with stageable.client() as client:
            assert client.stage_tarball(stage_id) == expected
    assert verdaccio.process is not None and verdaccio.process.poll() is None
