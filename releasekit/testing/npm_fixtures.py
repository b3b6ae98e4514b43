"""Real npm packages and the real ``npm pack``, for parity tests and benchmarks.

``fetch_package(name, version)`` downloads a published tarball from the npm
registry once, checks its integrity, and keeps it unpacked under ``.cache/npm``
(git-ignored). ``FixtureUnavailable`` says why it could not (offline...), so
callers can skip with that reason. ``npm_pack_json`` runs the machine's npm
with an isolated cache and user config, never running package scripts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from releasekit.registry.names import NPMJS_REGISTRY

REGISTRY = NPMJS_REGISTRY.rstrip("/")
CACHE_DIR = Path(os.environ.get("RELEASEKIT_CACHE", Path(__file__).resolve().parents[2] / ".cache"))

# The corpus shared by tests/package and bench/bench_pack.py.
CORPUS = (
    ("lodash", "4.17.21"),
    ("typescript", "5.6.3"),
    ("semver", "7.6.3"),
    ("express", "4.21.1"),
    ("@babel/core", "7.26.0"),
    ("chalk", "5.3.0"),
)


class FixtureUnavailable(Exception):
    """The package or tool could not be had; the message is the reason to skip."""


def _cache_path(name: str, version: str) -> Path:
    return CACHE_DIR / "npm" / f"{name.replace('/', '+')}-{version}"


def fetch_tarball(name: str, version: str, *, timeout: float = 60.0) -> Path:
    """The published ``.tgz`` of ``name@version``, downloaded once and checked against its integrity."""
    target = CACHE_DIR / "npm-tarballs" / f"{name.replace('/', '+')}-{version}.tgz"
    if target.is_file():
        return target
    import httpx

    try:
        meta = httpx.get(
            f"{REGISTRY}/{quote(name, safe='@')}/{version}", timeout=timeout, follow_redirects=True
        )
        meta.raise_for_status()
        dist = meta.json()["dist"]
        tgz = httpx.get(dist["tarball"], timeout=timeout, follow_redirects=True)
        tgz.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        raise FixtureUnavailable(f"cannot fetch {name}@{version} from {REGISTRY} (offline?): {exc}") from exc
    data = tgz.content
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != integrity.removeprefix("sha512-"):
            raise FixtureUnavailable(f"{name}@{version}: downloaded tarball fails its integrity check")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


def fetch_package(name: str, version: str, *, timeout: float = 60.0) -> Path:
    """The unpacked contents (the tarball's ``package/`` folder) of ``name@version``."""
    target = _cache_path(name, version)
    if (target / "package.json").is_file():
        return target
    data = fetch_tarball(name, version, timeout=timeout).read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        # read as npm installs it, through the one tar reader; written with modes independent of the umask
        from releasekit.errors import PackError
        from releasekit.review.archive import read_archive

        try:
            archive = read_archive(data)
        except PackError as exc:
            raise FixtureUnavailable(f"{name}@{version}: {exc.message}") from None
        if archive.findings or "package.json" not in archive.entries:
            raise FixtureUnavailable(f"{name}@{version}: unexpected tarball layout")
        tops = [staging / "package"]
        for rel, file in archive.entries.items():
            dest = tops[0] / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(file.data)
            dest.chmod(0o755 if file.mode & 0o111 else 0o644)
        try:
            os.replace(tops[0], target)
        except OSError:
            if not (target / "package.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def npm_env(workdir: Path) -> dict[str, str]:
    """Environment for running npm in isolation: own cache and empty user config, no scripts."""
    workdir.mkdir(parents=True, exist_ok=True)
    userconfig = workdir / "npmrc"
    userconfig.touch()
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_")}
    env.update(
        {
            "npm_config_cache": str(workdir / "npm-cache"),
            "npm_config_userconfig": str(userconfig),
            "npm_config_update_notifier": "false",
            "npm_config_fund": "false",
            "npm_config_audit": "false",
            "npm_config_loglevel": "error",
            "npm_config_ignore_scripts": "true",
        }
    )
    return env


def npm_binary() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise FixtureUnavailable("the npm CLI is not on PATH")
    return npm


def npm_pack_json(
    project: Path, workdir: Path, *, dry_run: bool = True, inside: bool = False
) -> dict[str, Any]:
    """``npm pack --json`` of ``project`` (``--dry-run`` unless told otherwise; tarball into ``workdir``).

    ``inside`` runs npm in ``project`` itself, as a maintainer would: a
    workspace member is then packed as one, with its workspace root found.
    """
    argv = [npm_binary(), "pack", *([] if inside else [str(project)]), "--json", "--ignore-scripts"]
    argv += ["--pack-destination", str(workdir)]
    if dry_run:
        argv.append("--dry-run")
    env = npm_env(workdir)
    cwd = project if inside else workdir
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"npm pack failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    result = json.loads(proc.stdout)
    return result[0]  # type: ignore[no-any-return]
