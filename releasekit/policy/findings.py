"""What a policy reports: findings, and partial quality points."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # fails the gate
    WARNING = "warning"  # reported, does not fail the gate
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One problem at one place. Never put a secret's text in ``message`` or ``excerpt``.

    ``rule_id`` is stable (SARIF uses it with the policy name to tell results apart).
    ``secret_hash`` is the detect-secrets style sha1 of a found secret.
    """

    rule_id: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR  # "warning" works too: converted on creation
    secret_hash: str | None = None
    excerpt: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Points:
    """Returned by a quality check to award part of its points, with a detail line."""

    earned: float
    detail: str = ""
