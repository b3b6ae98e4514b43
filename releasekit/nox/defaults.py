"""Importing this module registers the release sessions with default options.

``import releasekit.nox.defaults`` in a ``noxfile.py`` is the one-line setup.
"""

from __future__ import annotations

from releasekit.nox._options import KitOptions
from releasekit.nox.registry import register_sessions

SESSIONS = register_sessions(KitOptions())
