"""The release kit for nox: ``check``, ``quality``, ``stage``, ``stage_list`` and ``approve`` sessions.

In a project's ``noxfile.py``, either take the defaults with one import::

    import releasekit.nox.defaults  # noqa: F401

or register them with options::

    from releasekit.nox import KitOptions, register_sessions

    register_sessions(KitOptions(package_dir=".", min_score=70, tag="next"))

Every session runs ``lpm`` (the same releasekit) in the session's environment;
``nox -s stage -- --tag next --dry-run`` passes the arguments after ``--``
through to ``lpm stage publish``.
"""

from __future__ import annotations

from releasekit.nox._options import SESSION_KINDS, KitOptions
from releasekit.nox.registry import register_sessions

__all__ = ["SESSION_KINDS", "KitOptions", "register_sessions"]
