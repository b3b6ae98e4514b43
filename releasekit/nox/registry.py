"""Turn :class:`KitOptions` into registered nox sessions, as ``nox.session`` would for a decorated function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import nox

from releasekit.nox import sessions as bodies
from releasekit.nox._options import KitOptions

# Which sessions run per package (parametrized in a monorepo) and which once.
_PER_PACKAGE = ("check", "quality", "stage")
# Bare ``nox`` runs these; staging and approving happen only when named.
_DEFAULT_ON = ("check", "quality")


def _docstring(kind: str) -> str:
    doc = getattr(bodies, kind).__doc__ or kind
    return doc.strip().splitlines()[0]


def _make(kind: str, options: KitOptions) -> Callable[..., None]:
    body = getattr(bodies, kind)
    if kind in _PER_PACKAGE and options.packages:

        def per_package(session: nox.Session, pkg: str) -> None:
            body(session, options, pkg)

        func: Callable[..., None] = nox.parametrize("pkg", list(options.packages))(per_package)
    elif kind in _PER_PACKAGE:

        def one_package(session: nox.Session) -> None:
            body(session, options, options.package_dir)

        func = one_package
    else:

        def once(session: nox.Session) -> None:
            body(session, options, None if options.packages else options.package_dir)

        func = once
    func.__doc__ = _docstring(kind)
    func.__name__ = func.__qualname__ = options.name_of(kind)
    return func


def _probe_uv_quietly() -> None:
    """Look for uv once, with nox's logger muted: nox says "uv binary not found." on every run otherwise.

    nox caches the answer (``find_uv`` is memoised), so its own later look-ups stay silent; the probe
    costs one failed ``exec`` when uv is absent.
    """
    from nox import virtualenv
    from nox.logger import logger

    find_uv = getattr(virtualenv, "find_uv", None)
    if find_uv is None:
        return
    disabled, logger.disabled = logger.disabled, True
    try:
        find_uv()
    finally:
        logger.disabled = disabled


def register_sessions(options: KitOptions | None = None, **changes: Any) -> dict[str, Callable[..., None]]:
    """Register the release sessions with nox; answer them by name.

    Call it from a ``noxfile.py``, with options or keyword changes::

        register_sessions(package_dir="packages/web", min_score=70, tag="next")
    """
    options = (options or KitOptions()).with_(**changes) if changes else (options or KitOptions())
    _probe_uv_quietly()
    registered: dict[str, Callable[..., None]] = {}
    for kind in options.sessions:
        func = _make(kind, options)
        decorator = nox.session(
            name=options.name_of(kind),
            python=options.python,
            venv_backend=options.venv_backend,
            venv_params=list(options.venv_params),
            reuse_venv=options.reuse_venv,
            tags=list(options.tags),
            default=kind in _DEFAULT_ON,
        )
        registered[options.name_of(kind)] = decorator(func)
    return registered


__all__ = ["register_sessions"]
