"""Search output for any part of a planted secret, not only the whole of it."""

from __future__ import annotations

from collections.abc import Iterable

PART = 8  # a secret cut short still shows this many characters of it: too many


def leaks(text: str, secrets: Iterable[str]) -> list[str]:
    """Every run of ``PART`` characters of a secret (or the whole of a shorter one) found in ``text``."""
    found = []
    for secret in secrets:
        parts = {secret[i : i + PART] for i in range(max(len(secret) - PART, 0) + 1)}
        found += sorted(p for p in parts if p in text)
    return found
