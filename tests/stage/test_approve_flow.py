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
from releasekit.stage.client import open_client
from releasekit.stage.publish import stage_publish
from tests.stage.conftest import published_versions
from tests.stage.test_review_e2e import approve_requests


def _stage(published, verdaccio) -> str:  # type: ignore[no-untyped-def]
    result = stage_publish(published.dir, StageOptions(registry=verdaccio.url))
    assert result.stage_id is not None
    return result.stage_id


def test_a_failing_extra_check_blocks_before_the_prompt_and_sends_nothing(published, verdaccio) -> None:
    stage_id = _stage(published, verdaccio)
    calls: list[str] = []

    def provenance_check(staged) -> CheckOutcome:  # type: ignore[no-untyped-def]
        calls.append(f"check {staged.entry.version}")
        return CheckOutcome("provenance", reasons=("no provenance attached",), data={"attached": False})

    def confirm(result: ApprovalResult) -> bool:
        calls.append("confirm")
        return True

    with open_client(verdaccio.url, published.dir) as client, pytest.raises(ApprovalRefused) as refused:
        approve_staged(
            client,
            stage_id,
            project_dir=published.dir,
            checks=[provenance_check],
            confirm=confirm,
            on_review=lambda r: calls.append(f"review blocked={r.blocked}"),
        )
    assert calls == ["check 1.1.0", "review blocked=True"]  # confirm never asked
    assert "no provenance attached" in refused.value.message and "nothing was sent" in refused.value.message
    doc = refused.value.envelope_fields()
    assert doc["stageId"] == stage_id and doc["data"]["checks"]["provenance"] == {
        "passed": False,
        "reasons": ["no provenance attached"],
        "attached": False,
    }
    assert doc["data"]["review"]["blocked"] is False  # the policies passed; the extra check blocked
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
