"""Rule types and their default severity: credential formats fail the gate, heuristics warn."""

from __future__ import annotations

# detect-secrets' heuristic rules. Its entropy plugins alone report 42 findings on
# typescript@5.6.3, all in localized messages: a gate on them would block typescript.
HEURISTIC_TYPES = frozenset(
    {
        "Base64 High Entropy String",
        "Hex High Entropy String",
        "Secret Keyword",
        "Public IP (ipv4)",
    }
)

SEVERITIES = ("error", "warning", "off")


def default_severity(rule_type: str) -> str:
    """``warning`` for heuristic rules, ``error`` for every credential format and file rule."""
    return "warning" if rule_type in HEURISTIC_TYPES else "error"
