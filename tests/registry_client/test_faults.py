"""Faults a real registry will not produce on demand, against HTTP doubles (httpx.MockTransport)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import httpx
import pytest

from releasekit.errors import Conflict, Forbidden, NetworkError, NotFound, OtpRequired, RegistryError
from releasekit.registry.client import RegistryClient
from releasekit.registry.publish_body import build_publish_body
from releasekit.registry.transport import RetryPolicy
from tests.registry_client.conftest import FAKE_REGISTRY, Recorder

STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"
TARBALL = b"\x1f\x8b fake tarball bytes"
SHASUM = hashlib.sha1(TARBALL).hexdigest()


def item(version: str = "1.1.0", stage_id: str = STAGE_ID, shasum: str = SHASUM) -> dict[str, Any]:
    return {
        "id": stage_id,
        "packageName": "@rk/demo",
        "version": version,
        "tag": "latest",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "actor": "me",
        "actorType": "user",
        "access": "public",
        "shasum": shasum,
    }


def page(*items: dict[str, Any], total: int | None = None, per_page: int = 100) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "items": list(items),
            "page": 0,
            "perPage": per_page,
            "total": len(items) if total is None else total,
        },
    )


def body() -> dict[str, Any]:
    return build_publish_body({"name": "@rk/demo", "version": "1.1.0"}, TARBALL, registry_url=FAKE_REGISTRY)


def client(recorder: Recorder, no_wait: RetryPolicy, **kwargs: Any) -> RegistryClient:
    return RegistryClient(
        FAKE_REGISTRY, "s3cr3t-token-value", transport=recorder.transport, retry=no_wait, **kwargs
    )


# -- retries ---------------------------------------------------------------------------------------


def test_list_is_retried_after_a_500(no_wait: RetryPolicy, sleeps: list[float]) -> None:
    recorder = Recorder(httpx.Response(500, json={"error": "boom"}), page(item()))
    assert [s.id for s in client(recorder, no_wait).stage_list()] == [STAGE_ID]
    assert recorder.methods() == ["GET /-/stage", "GET /-/stage"]
    assert sleeps == [0.5]


def test_retry_after_is_honoured_and_capped(sleeps: list[float]) -> None:
    recorder = Recorder(
        httpx.Response(429, headers={"retry-after": "3"}),
        httpx.Response(503, headers={"retry-after": "600"}),
        page(),
    )
    policy = RetryPolicy(sleep=sleeps.append, max_delay=30.0)
    assert client(recorder, policy).stage_list() == []
    assert sleeps == [3.0, 30.0]


def test_connection_errors_on_reads_are_retried_then_reported(
    no_wait: RetryPolicy, sleeps: list[float]
) -> None:
    refused = httpx.ConnectError("connection refused")
    recorder = Recorder(refused, refused, refused, refused)
    with pytest.raises(NetworkError) as caught:
        client(recorder, no_wait).stage_list()
    assert len(recorder.requests) == no_wait.attempts
    assert sleeps == [0.5, 1.0, 2.0]
    assert "could not reach https://registry.example.test/" in str(caught.value)
    assert caught.value.error_code == "network"


def test_persistent_5xx_becomes_a_registry_error(no_wait: RetryPolicy) -> None:
    recorder = Recorder(*[httpx.Response(502, text="<html><body>Bad gateway</body></html>")] * 4)
    with pytest.raises(RegistryError) as caught:
        client(recorder, no_wait).stage_view(STAGE_ID)
    assert str(caught.value) == f"stage view {STAGE_ID}: registry answered 502 Bad Gateway"
    assert type(caught.value) is RegistryError and caught.value.status == 502


def test_a_write_is_never_retried_on_5xx(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(503, json={"error": "try later"}))
    with pytest.raises(RegistryError, match="503 Service Unavailable: try later"):
        client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert [(r.method, r.url.raw_path) for r in recorder.requests] == [
        ("POST", b"/-/stage/package/@rk%2fdemo")
    ]


# -- the stage POST's uncertain outcomes -----------------------------------------------------------


def test_timeout_on_stage_post_is_reconciled_through_the_list_not_retried(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.ReadTimeout("timed out"), page(item()))
    answer = client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert answer["stageId"] == STAGE_ID and answer["reconciled"] is True
    assert "lists @rk/demo@1.1.0 as staged" in answer["message"]
    assert [r.method for r in recorder.requests] == ["POST", "GET"]
    assert recorder.requests[1].url.params["package"] == "@rk/demo"


def test_timeout_then_nothing_listed_says_nothing_was_staged(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.ReadTimeout("timed out"), page(), page(item(version="0.9.0")), page())
    with pytest.raises(NetworkError) as caught:
        client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert "does not list @rk/demo@1.1.0 as staged" in str(caught.value)
    assert "safe to try again" in str(caught.value)
    assert [r.method for r in recorder.requests].count("POST") == 1


def test_dropped_connection_with_a_different_tarball_staged_is_a_conflict(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.RemoteProtocolError("server disconnected"), page(item(shasum="0" * 40)))
    with pytest.raises(Conflict, match="different tarball"):
        client(recorder, no_wait).stage_publish("@rk/demo", body())


def test_stage_post_that_never_connected_is_not_reconciled(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"))
    with pytest.raises(NetworkError, match="nothing was staged"):
        client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert len(recorder.requests) == 1


def test_failed_reconciliation_says_the_outcome_is_unknown(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.ReadTimeout("timed out"), *[httpx.Response(500)] * 4)
    with pytest.raises(NetworkError, match=r"lpm stage list @rk/demo"):
        client(recorder, no_wait).stage_publish("@rk/demo", body())


def test_approve_after_a_dropped_connection_checks_before_sending_again(no_wait: RetryPolicy) -> None:
    view = httpx.Response(200, json=item())
    recorder = Recorder(
        view, httpx.ReadError("connection reset"), view, httpx.Response(201, json={"message": "approved"})
    )
    assert client(recorder, no_wait).stage_approve(STAGE_ID) == {"message": "approved"}
    assert [r.method for r in recorder.requests] == ["GET", "POST", "GET", "POST"]

    gone = Recorder(
        view,
        httpx.ReadError("connection reset"),
        httpx.Response(404, json={"error": "no such"}),
        httpx.Response(200, json={"name": "@rk/demo", "versions": {"1.1.0": {}}}),
    )
    answer = client(gone, no_wait).stage_approve(STAGE_ID)
    assert answer["reconciled"] is True and "is published" in answer["message"]
    assert [r.method for r in gone.requests].count("POST") == 1


# -- malformed answers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(200, content=b'{"items": [{"id": "6f1c2a4e-8b0d'), "malformed JSON"),
        (httpx.Response(200, content=b""), "an empty body"),
        (httpx.Response(200, json={"items": "nope", "total": 1}), "unexpected stage list (items"),
        (
            httpx.Response(
                200, json={"items": [{"id": "x", "packageName": "a", "version": "1"}], "total": 1}
            ),
            "unexpected stage list (items/0/id",
        ),
        (httpx.Response(200, content=b"<html>proxy login</html>"), "malformed JSON"),
    ],
)
def test_malformed_answers_are_one_line_registry_errors(
    answer: httpx.Response, expected: str, no_wait: RetryPolicy
) -> None:
    with pytest.raises(RegistryError) as caught:
        client(Recorder(answer), no_wait).stage_list()
    message = str(caught.value)
    assert message.startswith("registry answered") and expected in message
    assert "\n" not in message and "Traceback" not in message
    assert caught.value.error_code == "registry"


def test_truncated_view_and_stage_answers(no_wait: RetryPolicy) -> None:
    with pytest.raises(RegistryError, match="malformed JSON for stage view"):
        client(Recorder(httpx.Response(200, content=b'{"id": "6f1c')), no_wait).stage_view(STAGE_ID)
    with pytest.raises(RegistryError, match="unexpected stage publish @rk/demo@1.1.0"):
        client(Recorder(httpx.Response(201, json={"ok": True})), no_wait).stage_publish("@rk/demo", body())


# -- status mapping --------------------------------------------------------------------------------


def test_403_shows_the_npmjs_message(no_wait: RetryPolicy) -> None:
    recorder = Recorder(
        httpx.Response(403, json={"message": 'You do not have permission to publish "@rk/demo".'})
    )
    with pytest.raises(Forbidden) as caught:
        client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert str(caught.value) == (
        'stage publish @rk/demo@1.1.0: registry answered 403 Forbidden: You do not have permission to publish "@rk/demo".'
    )
    assert caught.value.error_code == "forbidden" and caught.value.exit_code == 1


def test_404_shows_the_verdaccio_error(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(404, json={"error": "no such staged package version"}))
    with pytest.raises(NotFound, match="404 Not Found: no such staged package version"):
        client(recorder, no_wait).stage_tarball(STAGE_ID)


# -- web authentication ----------------------------------------------------------------------------


def web_challenge(done: str = "https://registry.example.test/-/v1/done?authId=42") -> httpx.Response:
    return httpx.Response(
        401,
        headers={"www-authenticate": "OTP", "npm-notice": "Open the link to authenticate"},
        json={"authUrl": "https://www.example.test/auth/cli/42", "doneUrl": done},
    )


def test_web_auth_polls_until_done_then_resends_with_the_token(
    no_wait: RetryPolicy, sleeps: list[float]
) -> None:
    notified: list[str] = []
    recorder = Recorder(
        httpx.Response(200, json=item()),
        web_challenge(),
        httpx.Response(202, headers={"retry-after": "2"}, json={}),
        httpx.Response(202, json={}),
        httpx.Response(200, json={"token": "web-otp-token-123"}),
        httpx.Response(201, json={"message": "approved"}),
    )
    answer = client(recorder, no_wait, web_auth_notify=notified.append).stage_approve(STAGE_ID)
    assert answer == {"message": "approved"}
    assert notified == ["https://www.example.test/auth/cli/42"]
    assert sleeps == [2.0, 1.0]
    first, final = recorder.requests[1], recorder.requests[-1]
    assert "npm-otp" not in first.headers
    assert final.method == "POST" and final.headers["npm-otp"] == "web-otp-token-123"
    polls = [r for r in recorder.requests if r.url.path == "/-/v1/done"]
    assert len(polls) == 3 and all(r.headers["authorization"] == "Bearer s3cr3t-token-value" for r in polls)


def test_web_auth_done_url_elsewhere_gets_no_token(no_wait: RetryPolicy) -> None:
    recorder = Recorder(
        httpx.Response(200, json=item()),
        web_challenge(done="https://elsewhere.example.test/done/42"),
        httpx.Response(200, json={"token": "web-otp-token-123"}),
        httpx.Response(204),
    )
    client(recorder, no_wait, web_auth_notify=lambda url: None).stage_reject(STAGE_ID)
    assert "authorization" not in recorder.requests[2].headers


def test_web_auth_gives_up_at_its_timeout(no_wait: RetryPolicy) -> None:
    recorder = Recorder(
        httpx.Response(200, json=item()),
        web_challenge(),
        *[httpx.Response(202, headers={"retry-after": "5"}, json={})] * 5,
    )
    c = client(recorder, no_wait, web_auth_notify=lambda url: None, web_auth_timeout=12)
    with pytest.raises(OtpRequired, match="did not complete within 12s"):
        c.stage_approve(STAGE_ID)
    assert [r.method for r in recorder.requests].count("POST") == 1


def test_web_auth_without_a_terminal_names_the_url_and_otp_flag(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(200, json=item()), web_challenge())
    with pytest.raises(OtpRequired) as caught:
        client(recorder, no_wait).stage_approve(STAGE_ID)
    assert "https://www.example.test/auth/cli/42" in str(caught.value) and "--otp" in str(caught.value)


def test_otp_challenge_without_header_is_recognised_from_the_body(no_wait: RetryPolicy) -> None:
    prompts: list[str] = []
    recorder = Recorder(
        httpx.Response(200, json=item()),
        httpx.Response(401, json={"error": "You must provide a one-time pass. Upgrade your client."}),
        httpx.Response(201, json={}),
    )
    c = client(recorder, no_wait, otp_provider=lambda m: prompts.append(m) or "123456")
    c.stage_approve(STAGE_ID)
    assert recorder.requests[-1].headers["npm-otp"] == "123456" and len(prompts) == 1


def test_plain_401_is_auth_required_not_an_otp_prompt(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(401, json={"error": "bad token"}))
    with pytest.raises(RegistryError) as caught:
        client(recorder, no_wait, otp_provider=lambda m: pytest.fail("no prompt expected")).stage_list()
    assert caught.value.error_code == "auth_required" and "bad token" in str(caught.value)


# -- where the token goes --------------------------------------------------------------------------


def test_tarball_sends_the_token_only_to_the_registry_origin(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(200, content=TARBALL), httpx.Response(200, content=TARBALL))
    c = client(recorder, no_wait)
    assert c.tarball("https://registry.example.test/@rk/demo/-/demo-1.1.0.tgz") == TARBALL
    assert c.tarball("https://cdn.example.test/demo-1.1.0.tgz") == TARBALL
    assert recorder.requests[0].headers["authorization"] == "Bearer s3cr3t-token-value"
    assert "authorization" not in recorder.requests[1].headers


def test_redirected_tarball_drops_the_token_at_the_new_host(no_wait: RetryPolicy) -> None:
    recorder = Recorder(
        httpx.Response(302, headers={"location": "https://cdn.example.test/blob/42.tgz"}),
        httpx.Response(200, content=TARBALL),
    )
    assert client(recorder, no_wait).tarball("@rk/demo/-/demo-1.1.0.tgz") == TARBALL
    first, second = recorder.requests
    assert (
        first.url == "https://registry.example.test/@rk/demo/-/demo-1.1.0.tgz"
        and "authorization" in first.headers
    )
    assert second.url.host == "cdn.example.test" and "authorization" not in second.headers


def test_writes_do_not_follow_redirects(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(307, headers={"location": "https://elsewhere.example.test/x"}))
    with pytest.raises(RegistryError, match="307"):
        client(recorder, no_wait).stage_publish("@rk/demo", body())
    assert len(recorder.requests) == 1


def test_the_body_sent_is_npms_publish_body(no_wait: RetryPolicy) -> None:
    recorder = Recorder(httpx.Response(201, json={"stageId": STAGE_ID}))
    client(recorder, no_wait).stage_publish("@rk/demo", body())
    sent = json.loads(recorder.requests[0].content)
    assert recorder.requests[0].url.raw_path == b"/-/stage/package/@rk%2fdemo"
    assert sent["dist-tags"] == {"latest": "1.1.0"} and sent["_id"] == "@rk/demo"
    attachment = sent["_attachments"]["@rk/demo-1.1.0.tgz"]
    assert base64.b64decode(attachment["data"]) == TARBALL and attachment["length"] == len(TARBALL)
    dist = sent["versions"]["1.1.0"]["dist"]
    assert dist["shasum"] == SHASUM
    assert dist["tarball"] == "http://registry.example.test/@rk/demo/-/@rk/demo-1.1.0.tgz"
    assert dist["integrity"] == "sha512-" + base64.b64encode(hashlib.sha512(TARBALL).digest()).decode()


def test_no_terminal_means_no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from releasekit.cli.stage import _tty_otp_prompt

    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))
    assert (
        _tty_otp_prompt() is None
    )  # a pipe is never prompted: the caller gets OtpRequired instead of a hang
