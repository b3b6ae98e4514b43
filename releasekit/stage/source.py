"""The source a staged version is verified against: a working tree, or a git ref in a temporary worktree.

A ref is checked out with ``git worktree add --detach`` into a temporary folder
that is removed afterwards, so the maintainer's checkout is never touched.
Build steps (``verify.build`` in releasekit.yaml, else the ``prepack`` and
``prepare`` scripts npm runs when it packs) run there only when the caller
allows it: they are the project's own code. They run without the publish
credentials in their environment, and the files they write are remembered so
that the report can say which differences a non-deterministic build explains.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from releasekit.errors import BuildFailed, ConfigError, RefusedError, UsageError

LIFECYCLE_BUILD_SCRIPTS = ("prepack", "prepare")  # what `npm pack` runs before it packs, in order
_CREDENTIAL_WORDS = ("TOKEN", "SECRET", "PASSWORD", "OTP", "_AUTH", "CREDENTIAL")
_SKIP_DIRS = {".git", "node_modules"}


@dataclass(frozen=True)
class SourceTree:
    """Where the source is packed from and what it is."""

    project_dir: Path  # the package folder to pack (inside the worktree for a ref)
    given: Path  # the folder the user named
    ref: str | None
    commit: str | None  # None outside git
    dirty: bool  # a working tree with uncommitted changes

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.given), "ref": self.ref, "commit": self.commit, "dirty": self.dirty}


@dataclass(frozen=True)
class BuildStep:
    label: str  # "verify.build" or "scripts.prepack"
    command: str


@dataclass
class BuildReport:
    """What was built, what was not, and which package files the build wrote."""

    ran: list[BuildStep] = field(default_factory=list)
    skipped: list[BuildStep] = field(default_factory=list)  # found but not allowed to run
    outputs: frozenset[str] = frozenset()  # package-relative paths written by the build

    def to_dict(self) -> dict[str, Any]:
        return {
            "ran": [{"step": s.label, "command": s.command} for s in self.ran],
            "skipped": [{"step": s.label, "command": s.command} for s in self.skipped],
            "outputs": sorted(self.outputs),
        }


def _git(cwd: Path, *args: str) -> str:
    try:
        # no hook runs: a hooks folder in the repository (husky's) would be project code run without --build
        proc = subprocess.run(
            ["git", "-c", f"core.hooksPath={os.devnull}", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            env=_git_env(),
        )
    except FileNotFoundError:
        raise UsageError("git is not installed; it is needed to verify against a ref") from None
    if proc.returncode != 0:
        raise _GitFailed(
            proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed"
        )
    return proc.stdout.strip()


class _GitFailed(Exception):
    pass


def _git_env() -> dict[str, str]:
    # a hook or a pager must not run, nor a prompt wait for a password
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", LC_ALL="C")
    return env


def _toplevel(path: Path) -> Path | None:
    try:
        return Path(_git(path, "rev-parse", "--show-toplevel")).resolve()
    except _GitFailed:
        return None


def resolve(source: Path | str, ref: str | None) -> tuple[SourceTree, Path | None]:
    """What ``source`` (at ``ref``) is, without checking anything out; and its repository's top folder."""
    given = Path(source)
    if not given.is_dir():
        raise UsageError(f"--source {given}: {'not a directory' if given.exists() else 'no such directory'}")
    given = given.resolve()
    top = _toplevel(given)
    if ref is None:
        commit, dirty = None, False
        if top is not None:
            try:
                commit = _git(given, "rev-parse", "--verify", "HEAD")
                dirty = bool(_git(given, "status", "--porcelain", "--", "."))
            except _GitFailed:
                commit = None  # a repository without commits
        return SourceTree(given, given, None, commit, dirty), top
    if top is None:
        raise UsageError(f"--ref {ref}: {given} is not inside a git repository")
    if ref.startswith("-"):
        raise UsageError(f"--ref {ref}: not a ref")
    try:
        commit = _git(top, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
    except _GitFailed:
        raise UsageError(f"--ref {ref}: no such commit, branch or tag in {top}") from None
    return SourceTree(given, given, ref, commit, False), top


@contextmanager
def checkout(source: Path | str, ref: str | None) -> Iterator[SourceTree]:
    """The source to pack: ``source`` itself, or ``ref`` of its repository in a temporary worktree."""
    tree, top = resolve(source, ref)
    if ref is None or top is None or tree.commit is None:
        yield tree
        return
    scratch = Path(tempfile.mkdtemp(prefix="lpm-verify-"))
    worktree = scratch / "source"
    try:
        try:
            _git(top, "worktree", "add", "--detach", "--quiet", str(worktree), tree.commit)
        except _GitFailed as exc:
            raise RefusedError(f"--ref {ref}: cannot check it out into a temporary worktree: {exc}") from None
        yield replace(tree, project_dir=worktree / tree.given.relative_to(top))
    finally:
        with suppress(_GitFailed):
            _git(top, "worktree", "remove", "--force", str(worktree))
        shutil.rmtree(scratch, ignore_errors=True)
        with suppress(_GitFailed):  # forgets a worktree whose folder is gone
            _git(top, "worktree", "prune")


def build_steps(manifest: Mapping[str, Any], configured: Any) -> list[BuildStep]:
    """``verify.build`` (a command or a list) if set, else the package's prepack/prepare scripts."""
    if isinstance(configured, str) and configured.strip():
        return [BuildStep("verify.build", configured)]
    if isinstance(configured, list):
        if not all(isinstance(c, str) and c.strip() for c in configured):
            raise ConfigError("releasekit.yaml: verify.build must be a command or a list of commands")
        return [BuildStep("verify.build", c) for c in configured]
    if configured not in (None, True, False):
        raise ConfigError(
            "releasekit.yaml: verify.build must be true, false, a command or a list of commands"
        )
    scripts = manifest.get("scripts")
    if not isinstance(scripts, Mapping):
        return []
    return [
        BuildStep(f"scripts.{name}", str(scripts[name]))
        for name in LIFECYCLE_BUILD_SCRIPTS
        if isinstance(scripts.get(name), str) and scripts[name].strip()
    ]


def build_env(project_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for project code: no publish credentials, the package's bins on PATH."""
    env = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if not any(word in k.upper() for word in _CREDENTIAL_WORDS)
        and not k.lower().startswith("npm_config_//")
    }
    bins = [str(d / "node_modules" / ".bin") for d in (project_dir, *project_dir.parents)]
    env["PATH"] = os.pathsep.join([*bins, env.get("PATH", os.defpath)])
    return env


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    found: dict[str, tuple[int, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            found[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return found


def run_build(
    project_dir: Path,
    steps: list[BuildStep],
    *,
    on_step: Callable[[BuildStep], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> frozenset[str]:
    """Run ``steps`` in ``project_dir``; answer the package paths they wrote or changed."""
    before = _snapshot(project_dir)
    for step in steps:
        if on_step is not None:
            on_step(step)
        proc = subprocess.run(
            ["sh", "-c", step.command],
            cwd=project_dir,
            env=build_env(project_dir, env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        if proc.returncode != 0:
            tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
            raise BuildFailed(
                f"build step {step.label} ({step.command}) exited {proc.returncode}: {tail[0][:200]}"
            )
    after = _snapshot(project_dir)
    return frozenset(path for path, stamp in after.items() if before.get(path) != stamp)
