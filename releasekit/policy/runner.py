"""Run one policy: inject fixtures, call it, and turn what happened into a result.

How a policy ends, and the outcome it gets:

- returns ``None`` (or ``True``): passed;
- ``assert`` fails, ``releasekit.fail(msg)``, or returns ``False``: failed;
- returns or yields ``Finding``s: failed if any has severity ``error``,
  warned if the worst is ``warning``, else passed (findings kept);
- ``releasekit.skip(reason)``: skipped;
- any other exception, or a fixture that cannot be provided: error.

A policy marked ``severity("warning")`` and every quality check (``points``)
turn "failed" into "warned": they never fail the gate on their own.
"""

from __future__ import annotations

import inspect
import time
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from releasekit.errors import FixtureError, ReleasekitError
from releasekit.policy import assertion
from releasekit.policy.findings import Finding, Points, Severity
from releasekit.policy.fixtures import FixtureManager
from releasekit.policy.hookmarkers import hookimpl
from releasekit.policy.item import Policy
from releasekit.policy.outcomes import Failed, Skipped
from releasekit.policy.result import Outcome, PolicyResult

if TYPE_CHECKING:
    from releasekit.policy.session import Session


class UnsupportedReturn(Exception):
    pass


def new_result(policy: Policy) -> PolicyResult:
    return PolicyResult(
        id=policy.id,
        name=policy.name,
        outcome=Outcome.PASSED,
        file=policy.id.split("::")[0],
        line=policy.lineno,
        label=policy.label,
        severity=policy.severity,
        category=policy.category,
        marks=[m.name for m in policy.marks],
        points=policy.points,
        builtin=policy.builtin,
    )


def run_policy(policy: Policy, fixtures: FixtureManager) -> PolicyResult:
    result = new_result(policy)
    start = time.perf_counter()
    try:
        kwargs = fixtures.resolve_arguments(policy.argnames, f"policy {policy.id!r}")
        _interpret(policy.function(**kwargs), result, policy)
    except Skipped as exc:
        result.outcome, result.message = Outcome.SKIPPED, exc.message
    except Failed as exc:
        result.outcome, result.message = Outcome.FAILED, exc.message
        result.line = _line_in(policy, exc.__traceback__) or result.line
    except AssertionError as exc:
        explained = assertion.explain(exc)
        result.outcome, result.message = Outcome.FAILED, explained.text()
        frames = list(traceback.walk_tb(exc.__traceback__))
        asserted_here = (
            bool(frames) and frames[-1][0].f_code is _own_code(policy) and explained.expression is not None
        )
        result.line = (
            explained.line if asserted_here else _line_in(policy, exc.__traceback__)
        ) or result.line
    except FixtureError as exc:
        result.outcome, result.message, result.details = Outcome.ERROR, exc.message, exc.details
    except UnsupportedReturn as exc:
        result.outcome, result.message = Outcome.ERROR, str(exc)
    except ReleasekitError as exc:  # e.g. the package fixture could not pack: one clear line
        result.outcome, result.message = Outcome.ERROR, f"{type(exc).__name__}: {exc.message}"
        result.line = _line_in(policy, exc.__traceback__) or result.line
    except (Exception, SystemExit) as exc:  # sys.exit() in a policy must not end the run with its code
        result.outcome, result.message = Outcome.ERROR, f"{type(exc).__name__}: {exc}"
        result.details = "".join(traceback.format_exception(type(exc), exc, _user_frames(exc.__traceback__)))
        result.line = _line_in(policy, exc.__traceback__) or result.line
    result.duration = time.perf_counter() - start
    if result.outcome == Outcome.FAILED and (policy.severity == Severity.WARNING or policy.is_quality):
        result.outcome = Outcome.WARNED
    return result


def _interpret(value: Any, result: PolicyResult, policy: Policy) -> None:
    """Fold a policy's return value (or what it yielded) into ``result``."""
    if value is None or value is True:
        return
    if value is False:
        result.outcome, result.message = Outcome.FAILED, "policy returned False"
        return
    items: Iterable[Any] = [value] if isinstance(value, Finding | Points) else _iterable(value)
    for item in items:
        if isinstance(item, Finding):
            result.findings.append(item)
        elif isinstance(item, Points):
            if not policy.is_quality:
                raise UnsupportedReturn("policy returned Points but has no @releasekit.mark.points(N) marker")
            result.earned, result.detail = item.earned, item.detail
        else:
            raise UnsupportedReturn(
                f"policy returned or yielded a {type(item).__name__}; expected None, Finding or Points"
            )
    severities = {str(f.severity) for f in result.findings}
    if Severity.ERROR in severities:
        result.outcome = Outcome.FAILED
    elif Severity.WARNING in severities:
        result.outcome = Outcome.WARNED
    if result.findings and not result.message:
        result.message = _summarize(result.findings)
    if result.earned is not None and policy.points is not None and result.earned < policy.points:
        if result.outcome == Outcome.PASSED:
            result.outcome = Outcome.WARNED
        result.message = (
            result.message or result.detail or f"earned {result.earned:g} of {policy.points:g} points"
        )


def _iterable(value: Any) -> Iterable[Any]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise UnsupportedReturn(
            f"policy returned a {type(value).__name__}; expected None, Finding(s) or Points"
        )
    return value  # type: ignore[no-any-return]


def _summarize(findings: list[Finding]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        key = str(finding.severity)
        counts[key] = counts.get(key, 0) + 1
    parts = ", ".join(f"{n} {sev}" for sev, n in counts.items())
    first = findings[0]
    where = (
        f" at {first.file}:{first.line}"
        if first.file and first.line
        else (f" in {first.file}" if first.file else "")
    )
    return f"{len(findings)} finding(s) ({parts}); first: [{first.rule_id}] {first.message}{where}"


def _line_in(policy: Policy, tb: TracebackType | None) -> int | None:
    """Where the policy failed: its own function's line, else the last line run in its file.

    The policy's own frame wins over a helper in the same file, so checks that
    share a ``_require()`` helper each point at their own call.
    """
    target = str(policy.path)
    own_code = _own_code(policy)
    own = last = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code is own_code:
            own = lineno
        if frame.f_code.co_filename == target:
            last = lineno
    return own or last


def _own_code(policy: Policy) -> Any:
    return getattr(inspect.unwrap(policy.function), "__code__", None)


def _user_frames(tb: TracebackType | None) -> TracebackType | None:
    """Drop the framework's own frames from the top of a traceback."""
    here = {__file__, assertion.__file__}
    while tb is not None and tb.tb_frame.f_code.co_filename in here:
        tb = tb.tb_next
    return tb


@hookimpl(trylast=True)
def releasekit_runtest_protocol(policy: Policy, session: Session) -> PolicyResult:
    """The built-in protocol: run in-process with the session's fixtures."""
    return run_policy(policy, session.fixtures)
