"""The dependency graph among a workspace's packages: pnpm's ``--filter`` and topological order.

Edges come from ``dependencies``, ``optionalDependencies`` and ``peerDependencies``
naming another member (directly or through a ``workspace:alias@...`` spec):
those are what a consumer installs, so a dependency must be on the registry
before its dependents. ``devDependencies`` are left out of the order, so a
test-only cycle does not block a release.

Filter selectors, as pnpm reads them (``--filter`` is repeatable, results are
united, then ``!`` selectors are taken away):

- ``NAME`` or a glob over names (``@acme/*``); a bare name also matches a
  scoped package of that name when only one has it;
- ``./path`` or ``{path}``: the packages in that directory or below it;
- ``SEL...`` adds what SEL depends on, ``...SEL`` what depends on SEL; with
  ``^`` (``SEL^...``, ``...^SEL``) SEL itself is left out;
- ``!SEL`` removes what SEL selects.
"""

from __future__ import annotations

import fnmatch
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from releasekit.errors import UsageError
from releasekit.package.workspace import Member, Workspace

ORDER_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


class DependencyCycle(UsageError):
    """The workspace packages depend on each other in a circle: there is no order to stage them in."""


def _target(dep: str, spec: Any) -> str:
    """The member a dependency names: an alias spec (``workspace:real@^``, ``npm:real@1``) names another."""
    if isinstance(spec, str):
        for prefix in ("workspace:", "npm:"):
            if spec.startswith(prefix):
                body = spec[len(prefix) :]
                at = body.rfind("@")
                if at > 0:
                    return body[:at]
    return dep


def dependencies_of(member: Member, names: Iterable[str], fields: Sequence[str] = ORDER_FIELDS) -> set[str]:
    """The members among ``names`` that ``member`` depends on."""
    known = set(names)
    out: set[str] = set()
    for kind in fields:
        deps = member.manifest.get(kind)
        if isinstance(deps, Mapping):
            for dep, spec in deps.items():
                target = _target(str(dep), spec)
                if target in known and target != member.name:
                    out.add(target)
    return out


@dataclass(frozen=True)
class Graph:
    """Who depends on whom among a workspace's packages."""

    members: dict[str, Member]
    deps: dict[str, frozenset[str]]

    @classmethod
    def of(cls, workspace: Workspace) -> Graph:
        """The graph of the packages a recursive run considers (see :meth:`Workspace.packages`)."""
        members = {m.name: m for m in workspace.packages()}
        return cls(members, {n: frozenset(dependencies_of(m, members)) for n, m in members.items()})

    def dependents(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {n: set() for n in self.members}
        for name, deps in self.deps.items():
            for dep in deps:
                out[dep].add(name)
        return out

    def closure(self, start: Iterable[str], *, upward: bool) -> set[str]:
        """``start`` and everything it depends on (or, ``upward``, everything depending on it)."""
        edges = self.dependents() if upward else {n: set(d) for n, d in self.deps.items()}
        seen: set[str] = set()
        todo = list(start)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(edges.get(name, ()))
        return seen

    def order(self, names: Iterable[str]) -> list[str]:
        """``names`` in an order where each comes after the members it depends on; ties by name.

        Only edges between the given names count. A cycle is a usage error
        naming the packages in it.
        """
        chosen = set(names)
        pending = {n: set(self.deps[n]) & chosen for n in chosen}
        users: dict[str, set[str]] = {n: set() for n in chosen}
        for name, deps in pending.items():
            for dep in deps:
                users[dep].add(name)
        ready = [n for n, deps in pending.items() if not deps]
        heapq.heapify(ready)
        out: list[str] = []
        while ready:
            name = heapq.heappop(ready)
            out.append(name)
            for user in sorted(users[name]):
                pending[user].discard(name)
                if not pending[user]:
                    heapq.heappush(ready, user)
        if len(out) != len(chosen):
            cycle = self._cycle({n for n in chosen if n not in out})
            raise DependencyCycle(
                f"the workspace packages depend on each other in a cycle ({' -> '.join(cycle)}); "
                "there is no order in which to stage them"
            )
        return out

    def _cycle(self, left: set[str]) -> list[str]:
        """One cycle among ``left`` (every one of them is on or behind a cycle), for the message."""
        name = min(left)
        path: list[str] = []
        while name not in path:
            path.append(name)
            name = min(d for d in self.deps[name] if d in left)
        return [*path[path.index(name) :], name]


def _match_name(selector: str, members: Mapping[str, Member]) -> set[str]:
    if any(c in selector for c in "*?["):
        return {n for n in members if fnmatch.fnmatchcase(n, selector)}
    if selector in members:
        return {selector}
    if "/" not in selector:  # pnpm: a bare name finds @scope/name when only one scope has it
        scoped = {n for n in members if n.startswith("@") and n.split("/", 1)[-1] == selector}
        if len(scoped) == 1:
            return scoped
    return set()


def _match_path(selector: str, members: Mapping[str, Member], base: Path) -> set[str]:
    raw = selector[1:-1] if selector.startswith("{") and selector.endswith("}") else selector
    if any(c in raw for c in "*?["):
        pattern = (base / raw).as_posix()
        return {n for n, m in members.items() if fnmatch.fnmatchcase(m.path.as_posix(), pattern)}
    where = (base / raw).resolve()
    return {n for n, m in members.items() if m.path == where or m.path.is_relative_to(where)}


def select(graph: Graph, filters: Sequence[str], *, base: Path) -> set[str]:
    """The member names ``filters`` select (all members when there are none but exclusions).

    ``base`` is where ``./path`` selectors start (the current directory, as in pnpm).
    A selector that matches nothing is a usage error: a typo must not stage nothing quietly.
    """
    include: set[str] = set()
    exclude: set[str] = set()
    positive = False
    for raw in filters:
        text = raw.strip()
        if not text:
            raise UsageError("--filter is empty")
        negate = text.startswith("!")
        text = text[1:] if negate else text
        chosen = _select_one(graph, text, base, raw)
        if negate:
            exclude |= chosen
        else:
            positive = True
            include |= chosen
    if not positive:
        include = set(graph.members)
    return include - exclude


def _select_one(graph: Graph, text: str, base: Path, raw: str) -> set[str]:
    with_deps = text.endswith("...")
    body = text[:-3] if with_deps else text
    with_dependents = body.startswith("...")
    body = body[3:] if with_dependents else body
    skip_deps = with_deps and body.endswith("^")
    body = body[:-1] if skip_deps else body
    skip_dependents = with_dependents and body.startswith("^")
    body = body[1:] if skip_dependents else body
    if not body:
        raise UsageError(f"--filter {raw!r}: nothing to select")
    is_path = body.startswith((".", "/", "{"))
    seeds = _match_path(body, graph.members, base) if is_path else _match_name(body, graph.members)
    if not seeds:
        listed = ", ".join(sorted(graph.members)) or "none"
        raise UsageError(f"--filter {raw!r} matches no workspace package (packages: {listed})")
    chosen = set() if skip_deps or skip_dependents else set(seeds)
    if with_deps:
        chosen |= graph.closure(seeds, upward=False) - seeds
    if with_dependents:
        chosen |= graph.closure(seeds, upward=True) - seeds
    return chosen
