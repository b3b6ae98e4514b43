"""The approval flow as a library call (``releasekit.stage.approve``), on the real Verdaccio.

The CLI tests (test_review_e2e.py) cover the text and JSON; these pin the
contract other commands build on: the callbacks' order, extra checks, and that
nothing is sent to the registry unless every step agreed.
"""

from __future__ import annotations

import pytest

from releasekit.errors import ApprovalRefused, Declined
from releasekit.options import StageOptions
from releasekit.stage.approve import ApprovalResult, CheckOutcome, approve_staged, stage_approve
from releasekit.stage.client import open_client, registry_for
from releasekit.stage.publish import stage_publish
from tests.stage.conftest import published_versions
from tests.stage.test_review_e2e import approve_requests


def _stage(published, verdaccio) -> str:  # type: ignore[no-untyped-def]
    result = stage_publish(published.dir, StageOptions(registry=verdaccio.url))
    assert result.stage_id is not None
    return result.stage_id


def test_a_failing_extra_check_refuses_after_the_review_before_the_prompt(published, verdaccio) -> None:
    stage_id = _stage(published, verdaccio)
    calls: list[str] = []

    class Unsigned(ApprovalRefused):
        error_code = "unsigned"

    def provenance_check(client, staged) -> CheckOutcome:  # type: ignore[no-untyped-def]
        calls.append(f"check {staged.entry.version} on {client.registry_url}")
        return CheckOutcome(("no provenance attached",), {"attached": False}, refusal=Unsigned)

    def confirm(result: ApprovalResult) -> bool:
        calls.append("confirm")
        return True

    with (
        open_client(registry_for(published.dir, verdaccio.url), published.dir) as client,
        pytest.raises(Unsigned) as refused,
    ):
        approve_staged(
            client,
            stage_id,
            project_dir=published.dir,
            checks={"provenance": provenance_check, "never": lambda client, staged: calls.append("never")},
            confirm=confirm,
            on_review=lambda r: calls.append(f"review blocked={r.blocked}"),
        )
    # the review first, then the checks in order; the first refusal stops it; confirm never asked
    assert calls == ["review blocked=False", f"check 1.1.0 on {verdaccio.url}"]
    assert "no provenance attached" in refused.value.message and "nothing was sent" in refused.value.message
    doc = refused.value.envelope_fields()
    assert doc["stageId"] == stage_id and doc["data"]["provenance"] == {"attached": False}
    assert doc["data"]["provenanceSkipped"] is False and doc["data"]["review"]["blocked"] is False
    assert approve_requests(verdaccio, stage_id) == []


def test_declined_then_approved(published, verdaccio) -> None:
    stage_id = _stage(published, verdaccio)
    with pytest.raises(Declined, match="declined at the prompt"):
        stage_approve(stage_id, project_dir=published.dir, registry=verdaccio.url, confirm=lambda r: False)
    assert approve_requests(verdaccio, stage_id) == []

    seen: list[tuple[bool, bool]] = []  # (reviewed, approved) when asked

    def confirm(r: ApprovalResult) -> bool:
        seen.append((r.review is not None, r.approved))
        return True

    result = stage_approve(stage_id, project_dir=published.dir, registry=verdaccio.url, confirm=confirm)
    assert seen == [(True, False)]  # asked after the review, before anything was sent
    assert result.approved and result.spec == f"{published.name}@1.1.0" and result.registry == verdaccio.url
    assert result.to_dict()["checksSkipped"] is False and "1.1.0" in published_versions(
        verdaccio, published.name
    )
