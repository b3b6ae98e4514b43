"""Tarball integrity: a staged tarball against its stage entry's sha1, a published one against its packument."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from releasekit.errors import RegistryError


def check_shasum(data: bytes, expected: str | None) -> str:
    """The sha1 of ``data``; a :class:`RegistryError` if the registry gave a different one."""
    return matching_shasum(hashlib.sha1(data).hexdigest(), expected)


def matching_shasum(actual: str, expected: str | None) -> str:
    """``actual`` (a sha1 computed while streaming), or a :class:`RegistryError` if ``expected`` differs."""
    if expected and actual != expected.strip().lower():
        raise RegistryError(
            f"the downloaded tarball's sha1 {actual} does not match the staged entry's shasum {expected}; "
            "nothing was written"
        )
    return actual


def check_dist_integrity(blob: bytes, dist: Mapping[str, Any], spec: str) -> None:
    """The strongest of ``dist.integrity`` (sha512/384/256) or else ``dist.shasum`` must match ``blob``."""
    integrity = str(dist.get("integrity") or "")
    for token in integrity.split():
        algo, _, digest = token.partition("-")
        if algo in ("sha512", "sha384", "sha256"):
            actual = base64.b64encode(hashlib.new(algo, blob).digest()).decode()
            if actual != digest:
                raise RegistryError(f"published tarball of {spec} fails its {algo} integrity check")
            return
    shasum = dist.get("shasum")
    if shasum and hashlib.sha1(blob).hexdigest() != shasum:
        raise RegistryError(f"published tarball of {spec} fails its sha1 check")
