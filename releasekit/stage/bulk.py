"""Approve or reject several staged versions as one decision.

:func:`bulk_decide` takes stage ids (or every staged entry, or those whose
package matches a glob, or what a picker chose), reviews each one for an
approval (download, diff, re-check against the package's own policies), hands
the combined summary to the caller, asks once, then sends each decision.

One-time passwords for the batch (:class:`BatchOtp`): the first code is tried
for every entry, so a registry that accepts a code more than once in its
window needs only one. A registry that refuses a replay (Verdaccio does)
challenges again; then the next code comes from the TOTP source
(``otp_command``, after waiting for the next 30 s window), or the prompt, and
the wait or the question is announced. A web-auth token is reused the same way.
"""

from __future__ import annotations

import fnmatch
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import BulkRefused, BulkStopped, Declined, OtpRequired, ReleasekitError, UsageError
from releasekit.redaction import register_secret
from releasekit.stage.approve import refusal_reasons

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.registry.client import RegistryClient, StagedVersion
    from releasekit.review.recheck import ApprovalReview
    from releasekit.stage.approve import ApprovalCheck, CheckOutcome

TOTP_PERIOD = 30.0


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


@dataclass
class BulkItem:
    """One staged entry of the batch: its review (approve only) and, once sent, the registry's answer."""

    entry: StagedVersion
    project_dir: Path
    review: ApprovalReview | None = None
    checks: dict[str, CheckOutcome | None] = field(
        default_factory=dict
    )  # name -> outcome (None: not configured)
    response: dict[str, Any] | None = None
    error: ReleasekitError | None = field(default=None, repr=False)

    @property
    def spec(self) -> str:
        return f"{self.entry.package_name}@{self.entry.version}"

    @property
    def reasons(self) -> list[str]:
        return refusal_reasons(self.review, self.checks)

    @property
    def done(self) -> bool:
        return self.response is not None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "stageId": self.entry.id,
            "package": self.entry.package_name,
            "version": self.entry.version,
            "tag": self.entry.tag,
            "done": self.done,
            "entry": self.entry.to_dict(),
        }
        if self.review is not None:
            doc["review"] = self.review.to_dict()
        for name, outcome in self.checks.items():  # as a one-entry approve names them
            doc[name] = outcome.data if outcome is not None else None
        if self.response is not None:
            doc["response"] = dict(self.response)
        if self.error is not None:
            doc["error"] = self.error.message
            doc["errorCode"] = self.error.error_code
        return doc


@dataclass
class BulkResult:
    action: Action
    registry: str
    items: list[BulkItem]
    skip_checks: bool = False

    @property
    def blocked(self) -> list[BulkItem]:
        return [i for i in self.items if i.reasons]

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(self.action),
            "checksSkipped": self.skip_checks,
            "done": sum(i.done for i in self.items),
            "items": [i.to_dict() for i in self.items],
        }


Notice = Callable[[str], None]
Pick = Callable[[Sequence["StagedVersion"]], Sequence["StagedVersion"]]
ConfirmBatch = Callable[[BulkResult], bool]
OnItem = Callable[[BulkItem], None]
ChecksFor = Callable[[Path], "Mapping[str, ApprovalCheck]"]


class BatchOtp:
    """Where each approval's one-time password comes from (see the module docstring).

    Plugged into the client as its ``otp_provider``: the client asks it when
    the registry challenges, which is exactly when a code was refused.
    """

    def __init__(
        self,
        code: str | None = None,
        *,
        command: str | None = None,
        prompt: Callable[[str], str | None] | None = None,
        notice: Notice | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.code = code
        self.command = shlex.split(command) if command else None
        if command is not None and not self.command:
            raise UsageError("--otp-command is empty")
        self.prompt = prompt
        self.notice = notice
        self.sleep = sleep
        self.clock = clock
        self._window: int | None = None  # the TOTP window the last command code came from
        self.asked = 0

    def __call__(self, message: str) -> str | None:
        self.asked += 1
        code: str | None
        if self.command is not None:
            code = self._from_command()
        elif self.prompt is not None:
            if self.code is not None and self.notice is not None:
                self.notice("The registry does not accept a one-time password twice: enter the next code.")
            code = self.prompt(message)
        else:
            return None
        if code:
            register_secret(code)
            self.code = code
        return code

    def _from_command(self) -> str:
        assert self.command is not None
        now = self.clock()
        window = int(now // TOTP_PERIOD)
        if self._window is not None and window <= self._window:
            wait = (self._window + 1) * TOTP_PERIOD - now + 0.5
            if self.notice is not None:
                self.notice(
                    f"The registry does not accept a one-time password twice: waiting {wait:.0f}s for the next "
                    "code from --otp-command."
                )
            self.sleep(wait)
            window = int(self.clock() // TOTP_PERIOD)
        self._window = window
        try:
            proc = subprocess.run(self.command, capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"--otp-command could not run: {exc}") from None
        code = proc.stdout.strip()
        if proc.returncode != 0 or not code:
            raise UsageError(f"--otp-command exited {proc.returncode} without printing a code")
        return code

    @property
    def provider(self) -> BatchOtp | None:
        """What the client should ask on a challenge; ``None`` with only a fixed code, so a refusal says so."""
        return self if self.command is not None or self.prompt is not None else None

    def first(self) -> str | None:
        """The code to send first for the next entry: the last that worked (or was given)."""
        if self.code is None and self.command is not None:
            self.code = self._from_command()
            register_secret(self.code)
        return self.code


def check_selection(
    stage_ids: Sequence[str], *, all_entries: bool, package: Sequence[str] = (), can_pick: bool
) -> list[str]:
    """The validated stage ids (each once); refuses a selection that makes no sense before any request."""
    from releasekit.registry.names import validate_stage_id

    if stage_ids and (all_entries or package):
        raise UsageError("give stage ids or --all [--package GLOB], not both")
    if package and not all_entries:
        raise UsageError("--package goes with --all")
    if not stage_ids and not all_entries and not can_pick:
        raise UsageError(
            "Missing argument 'STAGE_ID...': give one or more stage ids, or --all (on a terminal, no id opens a picker)"
        )
    return list(dict.fromkeys(validate_stage_id(i) for i in stage_ids))


def select_entries(
    client: RegistryClient,
    *,
    stage_ids: Sequence[str] = (),
    all_entries: bool = False,
    package: Sequence[str] = (),
    pick: Pick | None = None,
) -> list[StagedVersion]:
    """The staged entries the batch covers, each once, in the order asked (or the registry's)."""
    ids = check_selection(stage_ids, all_entries=all_entries, package=package, can_pick=pick is not None)
    if ids:
        return [client.stage_view(i) for i in ids]
    entries = client.stage_list(None)
    if package:
        entries = [e for e in entries if any(fnmatch.fnmatchcase(e.package_name, glob) for glob in package)]
    if not entries:
        what = f" of packages matching {' or '.join(map(repr, package))}" if package else ""
        raise UsageError(f"there are no staged versions{what} on {client.registry_url}")
    if all_entries:
        # in staging order: a recursive stage put dependencies first, and they go public first
        return sorted(entries, key=lambda e: e.created_at or "")
    assert pick is not None
    chosen = list(pick(entries))
    if not chosen:
        raise Declined("nothing was chosen")
    return chosen


def _project_for(entry: StagedVersion, start: Path) -> Path:
    """Review against the workspace member of that name when there is one, else ``start``."""
    from releasekit.package.workspace import find_workspace

    workspace = find_workspace(start) if (start / "package.json").is_file() else None
    member = workspace.members.get(entry.package_name) if workspace is not None else None
    return member.path if member is not None else start


def config_for(project_dir: Path) -> Config | None:
    """The package's releasekit.yaml, else its workspace root's, else none (as a recursive stage reads them)."""
    from releasekit.config import CONFIG_FILENAME, load_config
    from releasekit.package.workspace import find_workspace

    if (project_dir / CONFIG_FILENAME).is_file():
        return load_config(project_dir)
    workspace = find_workspace(project_dir)
    if workspace is not None and (workspace.root / CONFIG_FILENAME).is_file():
        return load_config(workspace.root)
    return None


def bulk_decide(
    client: RegistryClient,
    action: Action,
    entries: Sequence[StagedVersion],
    *,
    project_dir: Path,
    otp: BatchOtp,
    skip_checks: bool = False,
    checks_for: ChecksFor | None = None,
    on_review: OnItem | None = None,
    confirm: ConfirmBatch | None = None,
    on_done: OnItem | None = None,
) -> BulkResult:
    """Review (approvals), confirm once, then approve or reject each entry in order.

    Each approval's review is the one ``lpm stage approve ID`` runs
    (:func:`releasekit.stage.approve.approve_staged`): download, diff, the
    package's policies; ``on_review`` sees it; then, after a clean review, the
    extra approve-time checks ``checks_for(package folder)`` names (releasekit.yaml's
    ``verify:`` is one, :func:`releasekit.stage.approve.verification_check`).

    ``client`` must have been opened with ``otp`` as its ``otp_provider``.
    Raises :class:`BulkRefused` if a review blocks any entry (nothing is sent),
    :class:`Declined` if ``confirm`` says no, :class:`BulkStopped` when a
    decision fails part way (those before it stand).
    """
    from releasekit.review.recheck import review_staged
    from releasekit.runcache import batch

    result = BulkResult(action, client.registry_url, [], skip_checks)
    with batch():
        for entry in entries:
            item = BulkItem(entry, _project_for(entry, project_dir))
            if action is Action.APPROVE and not skip_checks:
                item.review = review_staged(client, entry.id, item.project_dir)
                if on_review is not None:
                    on_review(item)
                if checks_for is not None and not item.review.blocked:
                    for name, check in checks_for(item.project_dir).items():
                        item.checks[name] = check(client, item.review.staged)
            result.items.append(item)
    if result.blocked:
        names = "; ".join(f"{i.spec}: {', '.join(i.reasons)}" for i in result.blocked)
        raise BulkRefused(f"approval refused ({names}); nothing was sent to the registry", result)
    if confirm is not None and not confirm(result):
        raise Declined(f"nothing was {action}d: declined at the prompt")
    for item in result.items:
        send = client.stage_approve if action is Action.APPROVE else client.stage_reject
        try:
            item.response = send(item.entry.id, otp=otp.first() or _last_otp(client))
        except ReleasekitError as exc:
            item.error = exc
            left = [i.entry.id for i in result.items if not i.done]
            why = exc.message
            if isinstance(exc, OtpRequired):
                why += "; the entries before it stand"
            raise BulkStopped(
                f"{action} stopped at {item.spec}: {why}; not {action}d: {' '.join(left)}", result, exc
            ) from None
        otp.code = otp.code or _last_otp(client)  # a web-auth token, reused while the registry takes it
        if on_done is not None:
            on_done(item)
    return result


def _last_otp(client: RegistryClient) -> str | None:
    return getattr(client, "last_otp", None)
