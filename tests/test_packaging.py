"""The built distributions: what the wheel and sdist carry, and an installed wheel working on its own.

The wheel is built once per session from this checkout (sdist first, then the wheel from the
sdist, as ``python -m build`` does) and installed into a fresh venv that holds its own copy of
releasekit. Its dependencies come from the test session's own environment, named explicitly in a
``.pth`` file, never from the interpreter that environment was made from: on a fresh machine the
base Python has none of them. Every command then runs from a folder outside the checkout, so
anything the installed copy finds (built-in policies, templates, schemas) came from the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "example-package"
BUILD_TIMEOUT = 240
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
DIST_INFO = f"releasekit-{VERSION}.dist-info"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("build") is None or importlib.util.find_spec("hatchling") is None,
    reason="needs the 'build' and 'hatchling' packages (pip install -e '.[test]')",
)


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path

    def wheel_names(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return archive.namelist()

    def sdist_names(self) -> list[str]:
        with tarfile.open(self.sdist) as archive:
            # Drop the "releasekit-<version>/" prefix so names read like checkout paths.
            return [str(PurePosixPath(*PurePosixPath(n).parts[1:])) for n in archive.getnames() if "/" in n]


@dataclass(frozen=True)
class Installed:
    root: Path
    python: Path
    lpm: Path
    site_packages: Path

    def run(self, *args: str | Path, cwd: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["NO_COLOR"] = "1"
        env["COLUMNS"] = "120"
        result = subprocess.run(
            [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def lpm_json(self, *args: str | Path, cwd: Path, expect: int = 0) -> dict[str, Any]:
        result = self.run(self.lpm, "--json", *args, cwd=cwd)
        assert result.returncode == expect, (
            f"lpm {args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
        document: dict[str, Any] = json.loads(result.stdout)
        return document


def _repo_files(folder: str) -> set[str]:
    """Files under a checkout folder, as posix paths relative to it, without bytecode."""
    root = REPO / folder
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    }


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: hatchling is already installed, so the build works offline and in seconds.
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dists(wheel, sdist)


@pytest.fixture(scope="session")
def installed(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("venv") / "env"
    # An isolated venv (no --system-site-packages: the base interpreter is not what the repo installs).
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(root)],
        check=True,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    python = root / "bin" / "python"
    # The session's pip installs the wheel into the venv, which then holds releasekit alone...
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--no-index",
            str(dists.wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    # ...and only then sees the session's dependencies. Paths listed in a .pth file are added after
    # the venv's own site-packages, and .pth files inside them are not run, so the session's editable
    # releasekit stays invisible while httpx, rich-click, sigstore and the rest resolve.
    session_paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    venv_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
            cwd=root,
        ).stdout.strip()
    )
    (venv_site / "releasekit-test-session-deps.pth").write_text("".join(f"{p}\n" for p in session_paths))
    return Installed(root, python, root / "bin" / "lpm", venv_site.resolve())


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working folder that is not inside the checkout."""
    assert not tmp_path.resolve().is_relative_to(REPO), f"tmp_path {tmp_path} is inside the checkout"
    return tmp_path


@pytest.fixture
def example(outside: Path, unique_name: Callable[[str], str]) -> Path:
    """docs/example-package copied outside the checkout, under a name no other test uses."""
    project = outside / "example"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules"))
    manifest = json.loads((project / "package.json").read_text())
    manifest["name"] = unique_name("releasekit-wheel-example")
    (project / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return project


# -- what the distributions carry ---------------------------------------------------------------


def test_wheel_ships_builtin_policies_and_templates_byte_for_byte(dists: Dists) -> None:
    names = set(dists.wheel_names())
    policies = {
        n.removeprefix("releasekit/_builtin_policies/")
        for n in names
        if n.startswith("releasekit/_builtin_policies/")
    }
    templates = {
        n.removeprefix("releasekit/_templates/") for n in names if n.startswith("releasekit/_templates/")
    }
    assert policies == _repo_files("policies")
    assert {"policy_secrets.py", "policy_quality.py", "policy_versions.py"} <= policies
    if (REPO / "policies" / "policyconf.py").exists():
        assert "policyconf.py" in policies
    assert templates == _repo_files("templates")
    with zipfile.ZipFile(dists.wheel) as archive:
        for rel in sorted(policies):
            assert (
                archive.read(f"releasekit/_builtin_policies/{rel}") == (REPO / "policies" / rel).read_bytes()
            ), rel
        for rel in sorted(templates):
            assert archive.read(f"releasekit/_templates/{rel}") == (REPO / "templates" / rel).read_bytes(), (
                rel
            )


def test_wheel_ships_every_module_and_data_file_of_the_package(dists: Dists) -> None:
    names = set(dists.wheel_names())
    expected = {f"releasekit/{rel}" for rel in _repo_files("releasekit")}
    assert expected - names == set(), "files of the releasekit package missing from the wheel"
    # The data files code reads at run time, named so a rename cannot silently empty the set above.
    for data in (
        "releasekit/quality/spdx.json",
        "releasekit/config/schemas/releasekit.schema.json",
        "releasekit/testing/verdaccio_guard.cjs",
    ):
        assert data in names
    assert any(n.startswith("releasekit/registry/schemas/") and n.endswith(".json") for n in names)


def test_wheel_carries_no_tests_caches_or_node_modules(dists: Dists) -> None:
    names = dists.wheel_names()
    top_level = {n.split("/", 1)[0] for n in names}
    assert top_level == {"releasekit", DIST_INFO}
    offending = [
        n
        for n in names
        if {"tests", "node_modules", "__pycache__", ".cache", "bench"} & set(n.split("/"))
        or n.endswith((".pyc", ".pyo"))
    ]
    assert offending == []


def test_wheel_metadata_declares_the_lpm_script(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as archive:
        entry_points = archive.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert "lpm = releasekit.cli:main" in entry_points


def test_sdist_is_complete_and_never_carries_node_modules_or_caches(dists: Dists) -> None:
    names = dists.sdist_names()
    offending = [
        n
        for n in names
        if {"node_modules", "__pycache__", ".cache", ".git", ".nox", "site"} & set(n.split("/"))
        or n.endswith((".pyc", ".pyo"))
    ]
    assert offending == []
    present = set(names)
    for needed in (
        "pyproject.toml",
        "README.md",
        "noxfile.py",
        "mkdocs.yml",
        "tests/conftest.py",
        "tests/registry/package.json",
        "docs/example-package/package.json",
    ):
        assert needed in present, needed
    assert {f"policies/{rel}" for rel in _repo_files("policies")} <= present
    assert {f"templates/{rel}" for rel in _repo_files("templates")} <= present


def test_sdist_version_matches_pyproject(dists: Dists) -> None:
    assert dists.sdist.name == f"releasekit-{VERSION}.tar.gz"
    assert dists.wheel.name == f"releasekit-{VERSION}-py3-none-any.whl"


# -- the installed wheel, used from outside the checkout ----------------------------------------


def test_installed_copy_shadows_the_checkout(installed: Installed, outside: Path) -> None:
    probe = installed.run(
        installed.python,
        "-c",
        "import json, releasekit, releasekit.policy.collect as c, releasekit.scaffold as i;"
        "print(json.dumps([releasekit.__file__, str(c.builtin_policies_dir()), str(i.templates_dir())]))",
        cwd=outside,
        check=True,
    )
    package_file, policies_dir, templates_dir = (Path(p).resolve() for p in json.loads(probe.stdout))
    assert package_file == installed.site_packages / "releasekit" / "__init__.py"
    assert policies_dir == installed.site_packages / "releasekit" / "_builtin_policies"
    assert templates_dir == installed.site_packages / "releasekit" / "_templates"


def test_installed_venv_imports_only_from_itself_and_the_test_session(
    installed: Installed, outside: Path
) -> None:
    # The base interpreter's site-packages must not leak in: on a fresh machine it has none of the deps.
    probe = installed.run(
        installed.python,
        "-c",
        "import json, sys; print(json.dumps([p for p in sys.path if p.endswith('-packages')]))",
        cwd=outside,
        check=True,
    )
    allowed = {installed.site_packages, *(Path(p).resolve() for p in sysconfig.get_paths().values())}
    leaked = [p for p in json.loads(probe.stdout) if Path(p).resolve() not in allowed]
    assert leaked == []


def test_lpm_version_and_module_help(installed: Installed, outside: Path) -> None:
    shown = installed.run(installed.lpm, "--version", cwd=outside, check=True)
    assert shown.stdout.strip().endswith(VERSION)
    helped = installed.run(installed.python, "-m", "releasekit", "--help", cwd=outside, check=True)
    for command in ("check", "quality", "stage", "init"):
        assert command in helped.stdout


def test_check_runs_the_builtin_policies_from_the_wheel(installed: Installed, example: Path) -> None:
    report = installed.lpm_json("check", cwd=example)
    assert report["success"] is True and report["gate_passed"] is True
    ids = [r["id"] for r in report["results"]]
    assert ids and all(i.startswith("builtin/") for i in ids), ids
    files = {i.split("::", 1)[0] for i in ids}
    assert files == {f"builtin/{rel}" for rel in _repo_files("policies") if rel.startswith("policy_")}
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    assert outcomes["builtin/policy_secrets.py::policy_no_secrets"] == "passed"
    assert outcomes["builtin/policy_versions.py::policy_version_is_semver"] == "passed"
    assert report["score"]["value"] > 0


def test_check_from_the_wheel_finds_a_secret_without_printing_it(installed: Installed, example: Path) -> None:
    secret = "AKIA" + "Q3T7RZ2LM5XWP4HN"  # an AWS access key id shape; split so this file holds none
    (example / "lib" / "config.js").write_text(f'export const awsKey = "{secret}";\n')
    result = installed.run(installed.lpm, "--json", "check", cwd=example)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    outcomes = {r["id"]: r["outcome"] for r in report["results"]}
    assert outcomes["builtin/policy_secrets.py::policy_no_secrets"] == "failed"
    assert secret not in result.stdout + result.stderr


@pytest.mark.registry
def test_check_remote_runs_the_version_rules_against_the_live_registry(
    installed: Installed, example: Path, verdaccio: Any, registry_user: Any
) -> None:
    verdaccio.publish(example, registry_user.token)  # 1.0.0 exists now; checking it again must be refused
    args = ("check", "--remote", "--npm-registry", verdaccio.url, "-k", "policy_version")
    refused = installed.lpm_json(*args, cwd=example, expect=1)
    outcomes = {r["id"]: r["outcome"] for r in refused["results"]}
    assert outcomes["builtin/policy_versions.py::policy_version_not_published"] == "failed"

    manifest = json.loads((example / "package.json").read_text())
    manifest["version"] = "1.0.1"
    (example / "package.json").write_text(json.dumps(manifest))
    accepted = installed.lpm_json(*args, cwd=example)
    outcomes = {r["id"]: r["outcome"] for r in accepted["results"]}
    assert outcomes["builtin/policy_versions.py::policy_version_not_published"] == "passed"


def test_quality_json_from_the_wheel(installed: Installed, example: Path) -> None:
    report = installed.lpm_json("quality", cwd=example)
    assert report["success"] is True
    assert 0 < report["score"] <= 100
    checks = report["checks"]
    assert checks and all(c["id"].startswith("builtin/policy_quality.py::") for c in checks)
    assert report["score"] == round(100 * report["earned"] / report["applicable"])


@pytest.mark.registry
def test_stage_publish_dry_run_from_the_wheel_stages_nothing(
    installed: Installed, example: Path, verdaccio: Any, registry_user: Any
) -> None:
    name = json.loads((example / "package.json").read_text())["name"]
    report = installed.lpm_json("stage", "publish", "--dry-run", "--npm-registry", verdaccio.url, cwd=example)
    data = report["data"]
    assert report["success"] is True
    assert data["dryRun"] is True and data["staged"] is False and data["name"] == name
    assert {f["path"] for f in data["package"]["files"]} == {
        "package.json",
        "README.md",
        "LICENSE",
        "lib/index.js",
        "lib/index.d.ts",
    }
    policy_ids = [r["id"] for r in data["policies"]["results"]]
    assert "builtin/policy_secrets.py::policy_no_secrets" in policy_ids
    listing = httpx.get(
        f"{verdaccio.url.rstrip('/')}/-/stage",
        params={"package": name},
        headers={"authorization": f"Bearer {registry_user.token}"},
        timeout=30,
    )
    assert listing.status_code == 200 and listing.json()["total"] == 0


def test_init_dry_run_finds_the_templates_in_the_wheel(installed: Installed, outside: Path) -> None:
    project = outside / "fresh"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "fresh", "version": "0.0.1"}))
    report = installed.lpm_json("init", "--dry-run", cwd=project)
    assert report["success"] is True and report["dryRun"] is True
    assert {f["path"] for f in report["files"]} == _repo_files("templates")
    assert all(f["action"] == "create" for f in report["files"])
    assert sorted(p.name for p in project.iterdir()) == ["package.json"]  # nothing written
