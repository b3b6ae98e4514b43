"""One exception tree for the whole library, and the exit codes it maps to.

Every error carries the process exit code the CLI maps it to and the
``error_code`` string used in JSON envelopes, both as class attributes: an
instance never changes them, so the class says what a failure means. Messages
are one line and never contain a token, an OTP or a found secret (see
:mod:`releasekit.redaction`).

::

    ReleasekitError                      exit 3  internal
    ├── UsageError                       exit 2  usage
    │   ├── ConfigError                          releasekit.yaml unreadable or invalid
    │   ├── ManifestError                        package.json missing or unusable
    │   └── Declined                             the person at the prompt said no
    ├── RefusedError                     exit 1  gate_failed
    │   ├── PackError                            the package cannot be packed as asked
    │   ├── GateFailed                           policy gates failed
    │   │   ├── StageGateFailed                  ... on `stage publish` (carries the StageResult)
    │   │   │   └── StageInputInvalid    exit 2  usage: a bad input file, not a verdict
    │   │   ├── ApprovalRefused                  ... on the approve-time review (carries the result)
    │   │   │   └── ApprovalVerificationFailed   verification_failed: approve's verify: check
    │   │   └── BulkRefused                      ... on a batch's review: nothing sent for any entry
    │   ├── BulkStopped                  batch_stopped: a batch stopped part way (the cause in JSON)
    │   ├── FixtureError                 fixture a fixture gave no value (the policy is an error)
    │   │   ├── FixtureLookupError
    │   │   └── FixtureCycleError
    │   ├── ProvenanceError              provenance
    │   ├── VerificationFailed           verification_failed: the source or provenance differs
    │   └── BuildFailed                  build_failed: a build step run to verify failed
    ├── StorageError                     exit 1  io
    └── RegistryError                    exit 1  registry
        ├── AuthRequired                         auth_required
        ├── Forbidden                            forbidden
        ├── NotFound                             not_found
        ├── Conflict                             conflict
        ├── OtpRequired                          otp_required
        └── NetworkError                         network
            └── RegistryTimeout                  timeout

The CLI turns each error into one ``Error:`` line (or a JSON envelope with
:meth:`ReleasekitError.envelope_fields`) and its class's exit code.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from releasekit.stage.approve import ApprovalResult
    from releasekit.stage.bulk import BulkResult
    from releasekit.stage.publish import StageResult

__all__ = [
    "ApprovalRefused",
    "ApprovalVerificationFailed",
    "AuthRequired",
    "BuildFailed",
    "BulkRefused",
    "BulkStopped",
    "ConfigError",
    "Conflict",
    "Declined",
    "ExitCode",
    "FixtureCycleError",
    "FixtureError",
    "FixtureLookupError",
    "Forbidden",
    "GateFailed",
    "ManifestError",
    "NetworkError",
    "NotFound",
    "OtpRequired",
    "PackError",
    "ProvenanceError",
    "RefusedError",
    "RegistryError",
    "RegistryTimeout",
    "ReleasekitError",
    "StageGateFailed",
    "StageInputInvalid",
    "StorageError",
    "UsageError",
    "VerificationFailed",
]


class ExitCode(IntEnum):
    """Every exit code ``lpm`` and the nox kit use."""

    OK = 0
    REFUSED = 1  # a policy, gate or registry refusal
    USAGE = 2
    INTERNAL = 3
    NO_POLICIES = 4  # `lpm check` collected nothing
    TIMED_OUT = 124  # `stage publish --wait` gave up, like timeout(1)
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


class ReleasekitError(Exception):
    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL
    error_code: ClassVar[str] = "internal"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def envelope_fields(self) -> dict[str, Any]:
        """Fields the JSON error envelope carries besides the message (``registry``, ``data``...)."""
        return {}


class UsageError(ReleasekitError):
    """Bad flags, arguments or input files: exit 2."""

    exit_code = ExitCode.USAGE
    error_code = "usage"


class ConfigError(UsageError):
    """``releasekit.yaml`` (or another config file) is unreadable or invalid."""


class ManifestError(UsageError):
    """``package.json`` is missing, malformed or unusable."""


class Declined(UsageError):
    """The person at the prompt said no: like an abort, a usage outcome (exit 2)."""


class RefusedError(ReleasekitError):
    """A deliberate refusal: exit 1."""

    exit_code = ExitCode.REFUSED
    error_code = "gate_failed"


class PackError(RefusedError):
    """The package cannot be packed as asked (private, escaping symlink, too large...)."""


class GateFailed(RefusedError):
    """One or more policy gates failed."""


class StageGateFailed(GateFailed):
    """Policies refused the package on ``stage publish``; :attr:`result` holds the report."""

    def __init__(self, message: str, result: StageResult) -> None:
        super().__init__(message)
        self.result = result

    def envelope_fields(self) -> dict[str, Any]:
        return {"registry": self.result.target.registry, "data": self.result.to_dict()}


class StageInputInvalid(StageGateFailed):
    """A bad input file (a broken baseline...) kept the policies from judging the package: exit 2."""

    exit_code = ExitCode.USAGE
    error_code = "usage"


class ApprovalRefused(GateFailed):
    """The approve-time review blocked the approval; nothing was sent. :attr:`result` holds the review."""

    def __init__(self, message: str, result: ApprovalResult) -> None:
        super().__init__(message)
        self.result = result

    def envelope_fields(self) -> dict[str, Any]:
        return {
            "registry": self.result.registry,
            "stageId": self.result.stage_id,
            "data": self.result.to_dict(),
        }


class ApprovalVerificationFailed(ApprovalRefused):
    """The verification releasekit.yaml asks approve to run (``verify:``) refused the staged version."""

    error_code = "verification_failed"


class BulkRefused(GateFailed):
    """A review blocked at least one entry of a batch approval: nothing was sent for any of them."""

    def __init__(self, message: str, result: BulkResult) -> None:
        super().__init__(message)
        self.result = result

    def envelope_fields(self) -> dict[str, Any]:
        return {"data": [item.to_dict() for item in self.result.items]}


class BulkStopped(RefusedError):
    """A batch stopped part way at a registry error (:attr:`cause`); :attr:`result` says what was decided."""

    error_code = "batch_stopped"

    def __init__(self, message: str, result: BulkResult, cause: ReleasekitError) -> None:
        super().__init__(message, hint=cause.hint)
        self.result = result
        self.cause = cause

    def envelope_fields(self) -> dict[str, Any]:
        return {"cause": self.cause.error_code, "data": [item.to_dict() for item in self.result.items]}


class FixtureError(RefusedError):
    """A fixture could not provide a value; the requesting policy is an error."""

    error_code = "fixture"

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class FixtureLookupError(FixtureError):
    """A policy or fixture requests a fixture nobody defines."""


class FixtureCycleError(FixtureError):
    """Fixtures request each other in a loop."""


class StorageError(ReleasekitError):
    """Reading or writing a local file failed (disk full, permissions, existing file)."""

    exit_code = ExitCode.REFUSED
    error_code = "io"


class RegistryError(ReleasekitError):
    """The registry refused the request or answered something unusable."""

    exit_code = ExitCode.REFUSED
    error_code = "registry"

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class AuthRequired(RegistryError):
    error_code = "auth_required"


class Forbidden(RegistryError):
    error_code = "forbidden"


class NotFound(RegistryError):
    error_code = "not_found"


class Conflict(RegistryError):
    error_code = "conflict"


class OtpRequired(RegistryError):
    error_code = "otp_required"


class NetworkError(RegistryError):
    """The registry could not be reached, or the connection failed mid-request."""

    error_code = "network"


class RegistryTimeout(NetworkError):
    """The registry accepted nothing or answered nothing in time: a per-read timeout or the overall deadline."""

    error_code = "timeout"


class ProvenanceError(RefusedError):
    """Provenance could not be generated or a supplied bundle is invalid."""

    error_code = "provenance"


class VerificationFailed(RefusedError):
    """``lpm stage verify``: the staged tarball is not what the source packs to, or its provenance is wrong."""

    error_code = "verification_failed"


class BuildFailed(RefusedError):
    """A build step run to verify a staged version exited non-zero."""

    error_code = "build_failed"
