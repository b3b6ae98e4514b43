"""A batch of writes reuses one web-auth token while the registry accepts it (Verdaccio has no web auth:
an HTTP double plays the registry)."""

from __future__ import annotations

from pathlib import Path

import httpx

from releasekit.registry.transport import RetryPolicy
from releasekit.stage.bulk import Action, BatchOtp, bulk_decide

from .conftest import Recorder
from .test_faults import client, item, web_challenge

OTHER_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f61"


def test_one_web_login_serves_the_whole_batch(no_wait: RetryPolicy, tmp_path: Path) -> None:
    notified: list[str] = []
    first, second = item(), item(version="1.2.0", stage_id=OTHER_ID)
    recorder = Recorder(
        httpx.Response(200, json=first),  # select: view A
        httpx.Response(200, json=second),  # select: view B
        httpx.Response(200, json=first),  # reject A: the entry is looked up first
        web_challenge(),
        httpx.Response(200, json={"token": "web-otp-token-123"}),
        httpx.Response(204),
        httpx.Response(200, json=second),  # reject B: sent with the same token, no new login
        httpx.Response(204),
    )
    registry = client(recorder, no_wait, web_auth_notify=notified.append)
    entries = [registry.stage_view(first["id"]), registry.stage_view(OTHER_ID)]
    result = bulk_decide(registry, Action.REJECT, entries, project_dir=tmp_path, otp=BatchOtp())
    assert [i.done for i in result.items] == [True, True]
    assert notified == ["https://www.example.test/auth/cli/42"]  # one login for both
    deletes = [r for r in recorder.requests if r.method == "DELETE"]
    assert [r.headers.get("npm-otp") for r in deletes] == [None, "web-otp-token-123", "web-otp-token-123"]
