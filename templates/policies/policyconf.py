"""Fixtures and hooks shared by the policies in this folder (like pytest's conftest.py).

A fixture is requested by naming it as a policy argument; it is computed at
most once per run.
"""

from __future__ import annotations

import releasekit


@releasekit.fixture
def changelog(package):
    """The packed CHANGELOG.md text, or None when the package ships none."""
    for name in ("CHANGELOG.md", "CHANGELOG", "HISTORY.md"):
        text = package.text(name)
        if text is not None:
            return text
    return None
