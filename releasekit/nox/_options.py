"""What a project can change about the release sessions, in one frozen dataclass.

Kept apart from the session bodies (as nox keeps ``_options.py`` apart from
``sessions.py``) so a ``noxfile.py`` can build options without registering
anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

#: The sessions the kit knows, in the order ``nox -l`` lists them.
SESSION_KINDS: tuple[str, ...] = ("check", "quality", "stage", "stage_list", "approve")


@dataclass(frozen=True)
class KitOptions:
    """Options of the release sessions. ``None`` means "let lpm resolve it" (flags, config, package.json).

    package_dir
        The npm project the sessions work on, relative to the ``noxfile.py``.
    packages
        Monorepo: several package directories. ``check``, ``quality`` and
        ``stage`` are then parametrized over them as ``pkg``
        (``nox -s "stage(pkg='packages/a')"``), each with its own result.
    policy_paths
        Extra folders or ``policy_*.py`` files handed to ``lpm check``
        (the project's ``releasekit.yaml`` ``policies.paths`` still apply).
    remote
        ``check`` also runs the registry rules (``lpm check --remote``:
        version and tag against the live packument, read-only), with the
        kit's ``tag`` and ``npm_registry``. Off, ``check`` stays on the machine.
    min_score, tag, access, provenance, npm_registry
        Defaults for the matching ``lpm`` flags. ``session.posargs`` win:
        ``nox -s stage -- --tag next`` replaces the default tag.
    yes
        Pass ``--yes`` to ``lpm stage publish``. ``None``: only when the
        session is not interactive (CI), where lpm would otherwise refuse.
    names
        Rename sessions: ``{"stage": "release"}``. Kinds left out of
        ``sessions`` are not registered at all.
    venv_backend, python, venv_params, reuse_venv
        Passed to ``nox.session``. ``venv_backend="none"`` reuses the
        releasekit that runs the ``noxfile.py``; any other backend installs
        releasekit into the session's environment first.
    install, install_args
        What ``session.install`` gets for a real environment. ``None`` picks
        the source checkout this releasekit was imported from, else
        ``releasekit==<this version>``. ``install_args`` go first (``--no-deps``).
    extra_args
        More ``lpm`` arguments per session kind, before the posargs:
        ``{"check": ["-k", "not slow"]}``.
    env
        Extra environment for every ``lpm`` run (``NPM_TOKEN`` and the rest of
        the outer environment pass through already).
    step_summary
        On GitHub Actions (``GITHUB_STEP_SUMMARY`` set), ``stage`` appends the
        stage id and the exact approve command to the job summary.
    tags
        nox tags put on every session (``nox -t release``).
    """

    package_dir: str = "."
    packages: Sequence[str] = ()
    policy_paths: Sequence[str] = ()
    remote: bool = False
    min_score: int | None = None
    tag: str | None = None
    access: str | None = None
    provenance: bool | None = None
    npm_registry: str | None = None
    yes: bool | None = None
    sessions: Sequence[str] = SESSION_KINDS
    names: Mapping[str, str] = field(default_factory=dict)
    venv_backend: str | None = None
    python: str | Sequence[str] | bool | None = None
    venv_params: Sequence[str] = ()
    reuse_venv: bool | None = None
    install: Sequence[str] | None = None
    install_args: Sequence[str] = ()
    extra_args: Mapping[str, Sequence[str]] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    step_summary: bool = True
    tags: Sequence[str] = ("release",)

    def __post_init__(self) -> None:
        unknown = [
            kind for kind in [*self.sessions, *self.names, *self.extra_args] if kind not in SESSION_KINDS
        ]
        if unknown:
            raise ValueError(f"unknown release session {unknown[0]!r}; known: {', '.join(SESSION_KINDS)}")
        if self.min_score is not None and not 0 <= self.min_score <= 100:
            raise ValueError(f"min_score must be 0-100, not {self.min_score}")
        if self.access not in (None, "public", "restricted"):
            raise ValueError(f"access must be 'public' or 'restricted', not {self.access!r}")
        if isinstance(self.packages, str) or isinstance(self.policy_paths, str):
            raise ValueError("packages and policy_paths are sequences of paths, not one string")

    def name_of(self, kind: str) -> str:
        return self.names.get(kind, kind)

    def args_for(self, kind: str, posargs: Sequence[str]) -> list[str]:
        """The session's own extra arguments, then what was typed after ``--``."""
        extra = self.extra_args.get(kind, ())
        if isinstance(extra, str):
            raise ValueError(f"extra_args[{kind!r}] is a sequence of arguments, not one string")
        return [*extra, *posargs]

    def with_(self, **changes: Any) -> KitOptions:
        return replace(self, **changes)
