"""The whole staged-publishing flow on a local registry, step by step: ``nox -s demo``.

    python -m releasekit.nox.demo [--keep]

1. start the local Verdaccio test registry (installed by ``tests/registry/install``);
2. create a user and publish 1.0.0 of the bundled example package with npm;
3. stage 1.0.1 with ``lpm stage publish`` (packed, checked, uploaded to staging);
4. list it with ``lpm stage list`` and review it with ``lpm stage diff``;
5. turn on 2FA, see ``lpm stage approve`` ask for a one-time password, approve with one;
6. install the approved version with npm and run it.

Every ``lpm`` step runs ``python -m releasekit`` with this interpreter: the
same code as the ``lpm`` command. Tokens and codes are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from releasekit.redaction import redact, register_secret

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "example-package"
INSTALL_SCRIPT = REPO / "tests" / "registry" / "install"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class DemoFailed(RuntimeError):
    pass


def say(message: str) -> None:
    print(redact(message), flush=True)


def step(number: int, title: str) -> None:
    say(f"\n==> {number}. {title}")


def show(args: Sequence[str], *, hide: Sequence[str] = ()) -> None:
    shown = ["****" if arg in hide else arg for arg in args]
    say("$ " + shlex.join(shown))


def lpm(
    args: Sequence[str], *, cwd: Path, env: dict[str, str], hide: Sequence[str] = (), ok: bool = True
) -> str:
    """Run ``lpm`` (this interpreter's releasekit), print its output as it came, answer it."""
    show(["lpm", *args], hide=hide)
    result = subprocess.run(
        [sys.executable, "-m", "releasekit", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if result.stdout.strip():
        say(result.stdout.rstrip())
    if ok and result.returncode != 0:
        raise DemoFailed(f"lpm {args[0]} {args[1] if len(args) > 1 else ''} exited {result.returncode}")
    if not ok and result.returncode == 0:
        raise DemoFailed(f"lpm {' '.join(args[:2])} was expected to refuse, and did not")
    return result.stdout


def ensure_registry_installed() -> None:
    from releasekit.testing.verdaccio import RegistryNotInstalled, find_binaries

    try:
        find_binaries()
    except RegistryNotInstalled:
        if not INSTALL_SCRIPT.is_file():
            raise
        say(f"$ bash {INSTALL_SCRIPT.relative_to(REPO)}   # one-time: pinned Node.js 24 + Verdaccio 9")
        subprocess.run(["bash", str(INSTALL_SCRIPT)], check=True, timeout=900)


def run(workdir: Path) -> None:
    from releasekit.testing.verdaccio import Verdaccio

    ensure_registry_installed()
    step(1, "Start the local test registry (Verdaccio 9 with staged publishing and 2FA)")
    registry = Verdaccio(workdir / "registry").start()
    try:
        say(f"registry: {registry.url}")
        _flow(registry, workdir)
    finally:
        registry.stop()
        say("\nregistry stopped.")


def _flow(registry: object, workdir: Path) -> None:
    from releasekit.testing.verdaccio import Verdaccio

    assert isinstance(registry, Verdaccio)
    user, password = "demo-maintainer", "demo-password-1"
    step(2, f"Create the user {user!r} and publish 1.0.0 of the example package with npm")
    token = registry.add_user(user, password)
    register_secret(token)
    package = workdir / "releasekit-example"
    shutil.copytree(EXAMPLE, package)
    show(["npm", "publish"])
    registry.publish(package, token)
    manifest = json.loads((package / "package.json").read_text("utf-8"))
    name = manifest["name"]
    say(f"published {name}@{manifest['version']}")

    env = {k: v for k, v in os.environ.items() if not k.lower().startswith("npm_config_")}
    env.update(
        {
            "NPM_TOKEN": token,
            "HOME": str(workdir / "home"),
            "XDG_CONFIG_HOME": str(workdir / "home" / ".config"),
        }
    )
    env.pop("CI", None)
    url = registry.url

    step(3, "Stage 1.0.1: pack, run the policies, upload to staging (nothing is public yet)")
    manifest["version"] = "1.0.1"
    (package / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    (package / "CHANGELOG.md").write_text(
        "# Changelog\n\n## 1.0.1\n\n- Staged with releasekit's demo.\n\n"
        + (EXAMPLE / "CHANGELOG.md").read_text("utf-8").split("\n", 1)[1].lstrip("\n"),
        "utf-8",
    )
    out = lpm(["stage", "publish", "--npm-registry", url, "--yes"], cwd=package, env=env)
    found = UUID.search(out)
    if found is None:
        raise DemoFailed("lpm stage publish printed no stage id")
    stage_id = found.group(0)
    show(["npm", "view", name, "versions", "--json"])
    say(registry.npm("view", name, "versions", "--json", token=token, cwd=workdir).stdout.strip())

    step(4, "List what is waiting for approval, and review it against the published 1.0.0")
    lpm(["stage", "list", name, "--npm-registry", url], cwd=package, env={**env, "COLUMNS": "160"})
    lpm(["stage", "diff", stage_id, "--npm-registry", url], cwd=package, env={**env, "COLUMNS": "160"})

    step(5, "Turn on 2FA, then approve: first without a one-time password, then with one")
    secret = registry.enable_2fa(token, password)
    register_secret(secret)
    say(f"2FA enabled for {user} (auth-and-writes)")
    lpm(["stage", "approve", stage_id, "--npm-registry", url], cwd=package, env=env, ok=False)
    code = registry.otp(secret)  # what an authenticator app shows right now
    register_secret(code)
    lpm(
        ["stage", "approve", stage_id, "--otp", code, "--npm-registry", url],
        cwd=package,
        env=env,
        hide=[code],
    )
    show(["npm", "view", name, "dist-tags", "--json"])
    say(registry.npm("view", name, "dist-tags", "--json", token=token, cwd=workdir).stdout.strip())

    step(6, "Install the approved version with npm and use it")
    consumer = workdir / "consumer"
    consumer.mkdir()
    (consumer / "package.json").write_text('{"name": "consumer", "version": "0.0.0", "private": true}\n')
    show(["npm", "install", f"{name}@1.0.1"])
    registry.npm("install", f"{name}@1.0.1", token=token, cwd=consumer)
    installed = json.loads((consumer / "node_modules" / name / "package.json").read_text("utf-8"))
    say(f"installed {installed['name']}@{installed['version']}")
    script = f"import({json.dumps(name)}).then(m => console.log(m.greet('releasekit')))"
    show(["node", "--input-type=module", "-e", script])
    node = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=consumer,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if node.returncode != 0:
        raise DemoFailed(f"node could not use the installed package: {node.stderr.strip()[-300:]}")
    say(node.stdout.strip())
    if installed["version"] != "1.0.1":
        raise DemoFailed(f"npm installed {installed['version']}, not the approved 1.0.1")
    say(f"\nDone: {name}@1.0.1 went from staged to approved to installed.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m releasekit.nox.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (registry storage, package)"
    )
    args = parser.parse_args(argv)
    if not EXAMPLE.is_dir():
        print(
            "the demo runs from a releasekit source checkout (docs/example-package is missing)",
            file=sys.stderr,
        )
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="releasekit-demo-"))
    try:
        run(workdir)
    except (DemoFailed, RuntimeError, subprocess.SubprocessError, OSError) as exc:
        print(redact(f"demo failed: {exc}"), file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
