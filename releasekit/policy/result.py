"""What a run produces: one ``PolicyResult`` per policy and the ``SessionResult``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.errors import ExitCode
from releasekit.policy.findings import Finding, Severity
from releasekit.redaction import redact

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # fails the gate
    WARNED = "warned"  # reported, does not fail the gate
    SKIPPED = "skipped"
    ERROR = "error"  # the policy (or a fixture) is broken: fails the gate

    @property
    def fails_gate(self) -> bool:
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass
class PolicyResult:
    """The result of one policy. Plugins may change it in ``releasekit_report_result``.

    ``file``/``line`` is where it went wrong (the failing ``assert``, the
    ``fail()`` call, the raising line) or else the policy's definition.
    ``points`` is the quality maximum (``None`` if not a quality check);
    ``earned`` what it scored.
    """

    id: str
    name: str
    outcome: Outcome  # a plugin may assign "passed"...: stored as the enum (see __setattr__)
    message: str = ""
    findings: list[Finding] = field(default_factory=list)
    duration: float = 0.0
    file: str = ""
    line: int | None = None
    label: str = ""
    severity: Severity = Severity.ERROR
    category: str | None = None
    marks: list[str] = field(default_factory=list)
    points: float | None = None
    earned: float | None = None
    detail: str = ""
    details: str = ""  # traceback text for errors
    builtin: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "outcome":
            value = Outcome(value)
        elif name == "severity":
            value = Severity(value)
        super().__setattr__(name, value)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "outcome": str(self.outcome),
            "message": redact(self.message),
            "file": self.file,
            "line": self.line,
            "label": redact(self.label),
            "severity": str(self.severity),
            "category": self.category,
            "marks": list(self.marks),
            "points": self.points,
            "earned": self.earned,
            "detail": redact(self.detail),
            "duration": round(self.duration, 6),
            "findings": [_redacted_finding(f) for f in self.findings],
            **({"traceback": redact(self.details)} if self.details else {}),
        }


def _redacted_finding(finding: Finding) -> dict[str, Any]:
    return {k: redact(v) if isinstance(v, str) else v for k, v in finding.to_dict().items()}


@dataclass
class CollectionError:
    """A policy file, ``policyconf.py`` or plugin that could not be loaded, or a failed teardown."""

    path: str
    line: int | None
    message: str
    details: str = ""
    phase: str = "collect"  # "collect", "plugin" or "teardown"

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "message": redact(self.message),
            "phase": self.phase,
            **({"traceback": redact(self.details)} if self.details else {}),
        }


@dataclass(frozen=True)
class ScoreCheck:
    id: str
    category: str | None
    label: str
    passed: bool
    points: float
    max_points: float
    detail: str = ""

    @property
    def missing(self) -> float:
        return self.max_points - self.points

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "label": redact(self.label),
            "passed": self.passed,
            "points": self.points,
            "max_points": self.max_points,
            "detail": redact(self.detail),
        }


@dataclass(frozen=True)
class Score:
    """The quality score: ``value`` = round(100 * earned / applicable)."""

    value: int
    earned: float
    applicable: float
    checks: tuple[ScoreCheck, ...]

    def biggest_missing(self, limit: int = 3) -> list[ScoreCheck]:
        lacking = [c for c in self.checks if c.missing > 0]
        return sorted(lacking, key=lambda c: (-c.missing, c.id))[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "earned": self.earned,
            "applicable": self.applicable,
            "breakdown": [c.to_dict() for c in self.checks],
        }


@dataclass
class SessionResult:
    """Everything one run found. ``exit_code``: 0 pass, 1 a gate failed, 4 nothing collected."""

    project_dir: Path
    results: list[PolicyResult] = field(default_factory=list)
    collection_errors: list[CollectionError] = field(default_factory=list)
    collected: list[dict[str, Any]] = field(default_factory=list)
    deselected: list[str] = field(default_factory=list)
    duration: float = 0.0
    score: Score | None = None
    min_score: int = 0
    gate_passed: bool = True
    gate_messages: list[str] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK
    collect_only: bool = False
    reports_written: dict[str, str] = field(default_factory=dict)
    package: PackedPackage | None = field(
        default=None, repr=False
    )  # the PackedPackage, if the run packed or was given one

    @property
    def counts(self) -> dict[str, int]:
        counts = {str(o): 0 for o in Outcome}
        for result in self.results:
            counts[str(result.outcome)] += 1
        counts["collection_errors"] = len(self.collection_errors)
        counts["deselected"] = len(self.deselected)
        return counts

    def by_outcome(self, outcome: Outcome) -> list[PolicyResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def registry_error(self) -> str | None:
        """Why the registry rules could not run (the first policy error the registry caused), or ``None``.

        A registry that is down or answers garbage errors every rule that reads
        it; callers print this one cause instead of leaving the reader to find
        it among the policy lines.
        """
        return self._first_error_of("RegistryError")

    @property
    def input_error(self) -> str | None:
        """The first policy error caused by bad input (a ``UsageError``: an invalid baseline or config file...)."""
        return self._first_error_of("UsageError")

    def _first_error_of(self, base: str) -> str | None:
        names = _error_names(base)
        for result in self.by_outcome(Outcome.ERROR):
            match = _RAISED.match(result.message)
            if match and match.group("kind") in names:
                return redact(match.group("message"))
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_dir": str(self.project_dir),
            "gate_passed": self.gate_passed,
            "gate_messages": [redact(m) for m in self.gate_messages],
            "exit_code": int(self.exit_code),
            "counts": self.counts,
            "duration": round(self.duration, 6),
            "score": self.score.to_dict() if self.score is not None else None,
            "min_score": self.min_score,
            "collect_only": self.collect_only,
            "collected": self.collected,
            "deselected": self.deselected,
            "results": [r.to_dict() for r in self.results],
            "collection_errors": [e.to_dict() for e in self.collection_errors],
            "reports": dict(self.reports_written),
        }


def _error_names(base: str) -> set[str]:
    """Class names of the :mod:`releasekit.errors` class ``base`` and its subclasses, as the runner records them."""
    import releasekit.errors

    names, pending = set(), [getattr(releasekit.errors, base)]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


# How the runner records an exception: "Kind: message", or through a fixture "fixture 'x' (origin) raised Kind: message".
_RAISED = re.compile(r"^(?:fixture '[^']*' \(.*?\) raised )?(?P<kind>\w+): (?P<message>.*)$", re.DOTALL)
