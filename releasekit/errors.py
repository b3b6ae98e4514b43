"""One exception hierarchy for the whole library, as httpx has.

Every error carries the process exit code the CLI maps it to and the
``error_code`` string used in JSON envelopes. Messages are one line and never
contain a token, an OTP or a found secret (see :mod:`releasekit.redaction`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    REFUSED = 1  # a policy, gate or registry refusal
    USAGE = 2
    INTERNAL = 3
    NO_POLICIES = 4  # `lpm check` collected nothing
    TIMED_OUT = 124  # `stage publish --wait` gave up, like timeout(1)


class ReleasekitError(Exception):
    exit_code: ExitCode = ExitCode.INTERNAL
    error_code: str = "internal"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ReleasekitError):
    """Bad flags, arguments or input files: exit 2."""

    exit_code = ExitCode.USAGE
    error_code = "usage"


class ConfigError(UsageError):
    """``releasekit.yaml`` (or another config file) is unreadable or invalid."""


class ManifestError(UsageError):
    """``package.json`` is missing, malformed or unusable."""


class RefusedError(ReleasekitError):
    """A deliberate refusal: exit 1."""

    exit_code = ExitCode.REFUSED
    error_code = "gate_failed"


class PackError(RefusedError):
    """The package cannot be packed as asked (private, escaping symlink, too large...)."""


class GateFailed(RefusedError):
    """One or more policy gates failed."""


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
