"""No token or OTP in any exception message, hint, repr or log line, even when a server echoes them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from releasekit.errors import ReleasekitError
from releasekit.registry.auth import resolve_credentials, resolve_publish_credentials
from releasekit.registry.client import RegistryClient
from releasekit.registry.publish_body import build_publish_body
from releasekit.registry.transport import RetryPolicy
from releasekit.testing.verdaccio import Verdaccio
from tests.registry_client.conftest import FAKE_REGISTRY, Stageable

TOKEN = "npm_SuperSecretToken1234567890abcdefABCD"
OTP = "424242"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.oidc-id-token-secret"
STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"
SECRETS = (TOKEN, OTP, ID_TOKEN, "web-auth-token-9999")


def echo_everything(request: httpx.Request) -> httpx.Response:
    """A hostile registry that quotes every header back in its errors."""
    echoed = " ".join(f"{k}={v}" for k, v in request.headers.items())
    if (
        request.method == "GET"
        and request.url.path.startswith("/-/stage/")
        and "/tarball" not in request.url.path
    ):
        return httpx.Response(200, json={"id": STAGE_ID, "packageName": "@rk/demo", "version": "1.0.0"})
    if request.url.path == "/-/stage":
        return httpx.Response(
            200, json={"items": [{"id": echoed, "packageName": "x", "version": "1"}], "total": 1}
        )
    if request.url.path.endswith("/approve"):
        return httpx.Response(
            401, headers={"www-authenticate": "otp"}, json={"error": f"one-time pass wrong: {echoed}"}
        )
    if "oidc" in request.url.path:
        return httpx.Response(201, json={"token": "short", "echo": echoed})
    return httpx.Response(403, json={"message": f"refused {echoed}"})


def assert_clean(exc: BaseException) -> None:
    shown = " ".join([str(exc), repr(exc), str(getattr(exc, "hint", "") or ""), *map(str, exc.args)])
    for secret in SECRETS:
        assert secret not in shown, f"{secret!r} leaked in {shown!r}"


def failing_calls(client: RegistryClient) -> list[Callable[[], Any]]:
    body = build_publish_body({"name": "@rk/demo", "version": "1.0.0"}, b"tgz", registry_url=FAKE_REGISTRY)
    return [
        lambda: client.stage_list(),
        lambda: client.stage_approve(STAGE_ID, otp=OTP),
        lambda: client.stage_reject(STAGE_ID, otp=OTP),
        lambda: client.stage_publish("@rk/demo", body, otp=OTP),
        lambda: client.whoami(),
        lambda: client.tarball("/@rk/demo/-/demo-1.0.0.tgz"),
        lambda: client.exchange_oidc_token("@rk/demo", ID_TOKEN),
    ]


def test_echoed_secrets_never_reach_messages_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = RegistryClient(
        FAKE_REGISTRY,
        TOKEN,
        transport=httpx.MockTransport(echo_everything),
        retry=RetryPolicy(sleep=lambda s: None),
        otp_provider=lambda m: OTP,
    )
    assert TOKEN not in repr(client)
    raised = 0
    for call in failing_calls(client):
        with pytest.raises(ReleasekitError) as caught:
            call()
        assert_clean(caught.value)
        raised += 1
    assert raised == 7
    for record in caplog.records:
        for secret in SECRETS:
            assert secret not in record.getMessage()


def test_web_auth_token_is_redacted_too() -> None:
    answers = iter(
        [
            httpx.Response(200, json={"id": STAGE_ID, "packageName": "@rk/demo", "version": "1.0.0"}),
            httpx.Response(
                401,
                headers={"www-authenticate": "otp"},
                json={"authUrl": "https://auth.example.test/a", "doneUrl": "https://registry.example.test/d"},
            ),
            httpx.Response(200, json={"token": "web-auth-token-9999"}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            return next(answers)
        except StopIteration:
            return httpx.Response(
                401,
                headers={"www-authenticate": "otp"},
                json={"error": f"one-time pass {request.headers.get('npm-otp')} refused"},
            )

    client = RegistryClient(
        FAKE_REGISTRY,
        TOKEN,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=lambda s: None),
        web_auth_notify=lambda url: None,
    )
    with pytest.raises(ReleasekitError) as caught:
        client.stage_approve(STAGE_ID)
    assert_clean(caught.value)


def test_auth_resolution_errors_and_warnings_are_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("NPM_ID_TOKEN", ID_TOKEN)
    warnings: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"message": f"bad id token {request.headers['authorization']}"})

    (tmp_path / ".npmrc").write_text(f"//registry.example.test/:_authToken={TOKEN}\n")
    (tmp_path / ".npmrc").chmod(0o644)
    with pytest.raises(ReleasekitError) as caught:
        resolve_publish_credentials(
            FAKE_REGISTRY,
            "@rk/demo",
            project_dir=tmp_path,
            transport=httpx.MockTransport(refuse),
            warn=warnings.append,
        )
    assert_clean(caught.value)
    assert warnings and all(secret not in w for w in warnings for secret in SECRETS)
    monkeypatch.setenv("NPM_TOKEN", TOKEN)
    assert TOKEN not in repr(resolve_credentials(FAKE_REGISTRY))


@pytest.mark.registry
def test_real_registry_refusals_are_clean(stageable: Stageable, verdaccio: Verdaccio) -> None:
    client = stageable.client()
    stage_id = client.stage_publish(stageable.name, stageable.body("1.5.0"))["stageId"]
    verdaccio.enable_2fa(stageable.token, stageable.user.password)
    secrets = (stageable.token, OTP)
    for call in (
        lambda: client.stage_approve(stage_id, otp=OTP),
        lambda: client.stage_reject(stage_id, otp=OTP),
        lambda: RegistryClient(verdaccio.url, stageable.token[:-12] + "tamperedsig0").whoami(),
    ):
        with pytest.raises(ReleasekitError) as caught:
            call()
        shown = str(caught.value) + repr(caught.value) + str(caught.value.hint)
        assert not any(secret in shown for secret in secrets)
