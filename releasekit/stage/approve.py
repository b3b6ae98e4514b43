"""``stage approve``: review what CI staged, refuse on a bad review, confirm, then approve with 2FA.

:func:`approve_staged` is the whole flow for one stage id on an open client;
:func:`stage_approve` opens the client first. Whatever talks to a person comes
in as a callback (the review summary, the confirmation, notices), so the flow
never prints and never blocks. Extra approve-time checks plug in by name as
:data:`ApprovalCheck` callables (:func:`verification_check` is releasekit.yaml's
``verify:``): any reason one returns refuses the approval before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from releasekit.errors import ApprovalRefused, ApprovalVerificationFailed, Declined
from releasekit.stage.entries import entry_spec

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.registry.auth import Consent
    from releasekit.registry.client import RegistryClient
    from releasekit.registry.otp import Notify, OtpProvider
    from releasekit.review.recheck import ApprovalReview
    from releasekit.review.staged import StagedTarball
    from releasekit.stage.source import BuildStep
    from releasekit.stage.verify import VerifyResult


@dataclass(frozen=True)
class CheckOutcome:
    """What one extra approve-time check found: ``reasons`` refuse the approval; ``data`` goes into JSON."""

    reasons: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    refusal: type[ApprovalRefused] = ApprovalRefused  # raised, with the reasons, when there are any

    @property
    def passed(self) -> bool:
        return not self.reasons


# An extra check runs on the open client once the review passed; None means "not configured here".
ApprovalCheck = Callable[["RegistryClient", "StagedTarball"], "CheckOutcome | None"]


def refusal_reasons(review: ApprovalReview | None, checks: Mapping[str, CheckOutcome | None]) -> list[str]:
    """Why an approval is refused: the review's reasons, then each extra check's (one entry or a batch's)."""
    reasons = list(review.reasons) if review is not None else []
    for outcome in checks.values():
        if outcome is not None:
            reasons.extend(outcome.reasons)
    return reasons


@dataclass
class ApprovalResult:
    """One stage id's approval: the entry, the review (``None`` with ``skip_checks``) and the registry's answer."""

    registry: str
    stage_id: str
    entry: dict[str, Any]  # the registry's own spelling, as `npm stage view --json` prints it
    review: ApprovalReview | None = None
    checks: dict[str, CheckOutcome | None] = field(
        default_factory=dict
    )  # name -> outcome (None: not configured)
    skipped: tuple[str, ...] = ()  # extra checks the caller skipped
    response: dict[str, Any] | None = None  # None until approved
    checks_skipped: bool = False

    @property
    def spec(self) -> str:
        return entry_spec(self.entry)

    @property
    def reasons(self) -> list[str]:
        return refusal_reasons(self.review, self.checks)

    @property
    def blocked(self) -> bool:
        return bool(self.reasons)

    @property
    def approved(self) -> bool:
        return self.response is not None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.response or {})
        doc["entry"] = self.entry
        doc["review"] = self.review.to_dict() if self.review is not None else None
        doc["checksSkipped"] = self.checks_skipped
        for name in (*self.checks, *(n for n in self.skipped if n not in self.checks)):
            outcome = self.checks.get(name)
            doc[name] = outcome.data if outcome is not None else None
            doc[f"{name}Skipped"] = name in self.skipped
        return doc

    def refused(self, reasons: list[str]) -> str:
        return f"approval of {self.spec} refused: {'; '.join(reasons)}; nothing was sent to the registry"


Confirm = Callable[[ApprovalResult], bool]
OnReview = Callable[[ApprovalResult], None]


def approve_staged(
    client: RegistryClient,
    stage_id: str,
    *,
    project_dir: Path,
    otp: str | None = None,
    skip_checks: bool = False,
    checks: Mapping[str, ApprovalCheck] | None = None,
    skipped: Sequence[str] = (),
    confirm: Confirm | None = None,
    on_review: OnReview | None = None,
    notice: Notify | None = None,
) -> ApprovalResult:
    """Review ``stage_id`` against ``project_dir``'s policies, run the extra ``checks``, then approve it.

    ``on_review`` sees the result once reviewed (blocked or not); the ``checks``
    (by name, in order) run only after a clean review; ``confirm`` is asked only
    if nothing refused (``None`` means yes); ``notice`` gets the warning that
    ``skip_checks`` skipped the review (and with it every extra check).
    ``skipped`` names checks the caller chose not to run (they show in JSON).
    Raises :class:`~releasekit.errors.ApprovalRefused` (or a check's own
    subclass) when something refuses, :class:`~releasekit.errors.Declined` when
    ``confirm`` says no; nothing is sent to the registry in either case.
    """
    from releasekit.registry.names import validate_stage_id

    stage_id = validate_stage_id(stage_id)
    registry = client.registry_url
    if skip_checks:
        result = ApprovalResult(
            registry,
            stage_id,
            client.stage_view(stage_id).to_dict(),
            skipped=tuple(dict.fromkeys([*skipped, *(checks or {})])),
            checks_skipped=True,
        )
        if notice is not None:
            notice(
                "WARNING: --skip-checks: the staged tarball was NOT downloaded, diffed or checked by any policy "
                "before approval."
            )
    else:
        from releasekit.review.recheck import review_staged

        review = review_staged(client, stage_id, project_dir)
        result = ApprovalResult(
            registry, stage_id, review.staged.entry.to_dict(), review=review, skipped=tuple(skipped)
        )
        if on_review is not None:
            on_review(result)
        if result.blocked:
            raise ApprovalRefused(result.refused(result.reasons), result)
        for name, check in (checks or {}).items():
            outcome = result.checks[name] = check(client, review.staged)
            if outcome is not None and not outcome.passed:
                raise outcome.refusal(result.refused(list(outcome.reasons)), result)
        if confirm is not None and not confirm(result):
            raise Declined(f"{result.spec} was not approved: declined at the prompt")
    result.response = client.stage_approve(stage_id, otp=otp)
    return result


def verification_check(
    config: Config | None,
    *,
    on_build: Callable[[BuildStep], None] | None = None,
    on_result: Callable[[VerifyResult], None] | None = None,
) -> ApprovalCheck:
    """The check releasekit.yaml's ``verify:`` asks approve to run: source comparison and provenance.

    ``on_result`` sees the verification (passed or not) before the approval goes on or is refused.
    """

    def check(client: RegistryClient, staged: StagedTarball) -> CheckOutcome | None:
        from releasekit.stage.verify import verify_for_approval

        verified = verify_for_approval(client, staged, config, on_build=on_build)
        if verified is None:
            return None
        if on_result is not None:
            on_result(verified)
        reasons = () if verified.passed else tuple(verified.reasons)
        return CheckOutcome(reasons, verified.to_dict(), refusal=ApprovalVerificationFailed)

    return check


class ApproveOptions(TypedDict, total=False):
    """:func:`approve_staged`'s keywords after ``otp``, which :func:`stage_approve` passes on as given."""

    skip_checks: bool
    checks: Mapping[str, ApprovalCheck] | None
    skipped: Sequence[str]
    confirm: Confirm | None
    on_review: OnReview | None
    notice: Notify | None


def stage_approve(
    stage_id: str,
    *,
    project_dir: Path,
    registry: str | None = None,
    consent: Consent | None = None,
    otp: str | None = None,
    otp_prompt: OtpProvider | None = None,
    web_auth_notify: Notify | None = None,
    **options: Unpack[ApproveOptions],
) -> ApprovalResult:
    """:func:`approve_staged` on a client opened with the token found for the registry.

    The inputs are checked before anything else (the stage id, ``otp``, then the
    ``registry`` flag, which ``None`` resolves from ``project_dir``).
    """
    from releasekit.stage.client import open_decision_client

    stage_id, otp, client = open_decision_client(
        stage_id,
        otp,
        project_dir=project_dir,
        registry=registry,
        consent=consent,
        otp_prompt=otp_prompt,
        web_auth_notify=web_auth_notify,
    )
    with client:
        return approve_staged(client, stage_id, project_dir=project_dir, otp=otp, **options)
