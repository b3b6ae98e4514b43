"""The console summary, in pytest's spirit.

One line per problem (``FAILED``/``WARNED``/``ERROR``) with its location and
message, the findings under it, the quality score when quality checks ran, the
gate's verdict, and a closing counts line with the duration. The text is rich
markup; the CLI prints it (through redaction): the library never prints.
"""

from __future__ import annotations

from releasekit.policy.result import Outcome, PolicyResult, SessionResult
from releasekit.terminal import escape  # markup-escaped, control characters shown

_STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.WARNED: "yellow",
    Outcome.SKIPPED: "cyan",
    Outcome.ERROR: "bold red",
}
_LABEL = {
    Outcome.PASSED: "PASSED",
    Outcome.FAILED: "FAILED",
    Outcome.WARNED: "WARNED",
    Outcome.SKIPPED: "SKIPPED",
    Outcome.ERROR: "ERROR",
}


def _result_lines(result: PolicyResult, verbose: bool) -> list[str]:
    outcome = result.outcome
    message_lines = result.message.splitlines() or [""]
    head = f"[{_STYLE[outcome]}]{_LABEL[outcome]:7}[/] {escape(result.location)} {escape(result.name)}"
    if message_lines[0]:
        head += f" - {escape(message_lines[0])}"
    lines = [head]
    lines.extend(f"        {escape(extra)}" for extra in message_lines[1:])
    for finding in result.findings:
        where = f"{finding.file}:{finding.line}" if finding.file and finding.line else (finding.file or "-")
        lines.append(f"        {escape(where)} \\[{escape(finding.rule_id)}] {escape(finding.message)}")
    if verbose and result.details:
        lines.extend(f"        [dim]{escape(line)}[/]" for line in result.details.rstrip().splitlines())
    return lines


def summary_lines(result: SessionResult, *, verbose: bool = False) -> list[str]:
    lines: list[str] = []
    shown = {Outcome.FAILED, Outcome.ERROR, Outcome.WARNED}
    if verbose:
        shown |= {Outcome.PASSED, Outcome.SKIPPED}
    for error in result.collection_errors:
        lines.append(
            f"[bold red]ERROR  [/] {escape(error.location)} - {escape(error.phase)}: {escape(error.message)}"
        )
        if verbose and error.details:
            lines.extend(f"        [dim]{escape(line)}[/]" for line in error.details.rstrip().splitlines())
    order = [Outcome.ERROR, Outcome.FAILED, Outcome.WARNED, Outcome.SKIPPED, Outcome.PASSED]
    for outcome in order:
        if outcome in shown:
            for policy_result in result.by_outcome(outcome):
                lines.extend(_result_lines(policy_result, verbose))
    if result.score is not None:
        score = result.score
        gate = f" (minimum {result.min_score})" if result.min_score else ""
        lines.append(
            f"[bold]Quality score: {score.value}/100[/]{gate} - {score.earned:g} of {score.applicable:g} points"
        )
        missing = score.biggest_missing()
        if missing:
            lines.append(
                "  biggest missing: " + "; ".join(f"{escape(c.label)} (-{c.missing:g})" for c in missing)
            )
    if not result.gate_passed:
        for message in result.gate_messages:
            lines.append(f"[bold red]Gate failed:[/] {escape(message)}")
    lines.append(counts_line(result))
    return lines


def counts_line(result: SessionResult) -> str:
    counts = result.counts
    parts = []
    for key, style in (
        ("failed", "red"),
        ("passed", "green"),
        ("warned", "yellow"),
        ("skipped", "cyan"),
        ("error", "red"),
    ):
        n = counts[key]
        if n or key in ("passed", "failed"):
            label = "errors" if key == "error" and n != 1 else key
            parts.append(f"[{style}]{n} {label}[/]" if n else f"{n} {label}")
    if result.collection_errors:
        parts.append(f"[red]{len(result.collection_errors)} collection errors[/]")
    if result.deselected:
        parts.append(f"{len(result.deselected)} deselected")
    color = "green" if result.gate_passed and result.exit_code == 0 else "red"
    return f"[{color}]===[/] {', '.join(parts)} in {result.duration:.2f}s [{color}]===[/]"


def list_lines(result: SessionResult) -> list[str]:
    """``--list``: one line per collected policy, then collection errors and a count."""
    lines = []
    for item in result.collected:
        tags = [f"severity={item['severity']}"] if item["severity"] != "error" else []
        if item["category"]:
            tags.append(f"category={item['category']}")
        if item["points"] is not None:
            tags.append(f"points={item['points']:g}")
        suffix = f" [dim]({escape(', '.join(tags))})[/]" if tags else ""
        lines.append(f"{escape(item['id'])}{suffix} - {escape(item['label'])}")
    for error in result.collection_errors:
        lines.append(f"[bold red]ERROR[/] {escape(error.location)} - {escape(error.message)}")
    n = len(result.collected)
    extra = f", {len(result.deselected)} deselected" if result.deselected else ""
    lines.append(f"{n} polic{'y' if n == 1 else 'ies'} collected{extra}")
    return lines
