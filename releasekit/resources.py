"""Files releasekit ships beside its code: found in the wheel, else in the source checkout.

A wheel carries the top-level ``policies/`` and ``templates/`` folders as
``releasekit/_builtin_policies`` and ``releasekit/_templates`` (see
pyproject.toml's force-include); a checkout has them next to the package.
"""

from __future__ import annotations

from pathlib import Path

import releasekit


def shipped_dir(checkout_name: str, wheel_name: str) -> Path | None:
    """``releasekit/<wheel_name>`` in a wheel, else ``<checkout>/<checkout_name>``; ``None`` if neither exists."""
    package_dir = Path(releasekit.__file__).resolve().parent
    for candidate in (package_dir / wheel_name, package_dir.parent / checkout_name):
        if candidate.is_dir():
            return candidate
    return None
