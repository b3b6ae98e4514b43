"""The kit under a real nox virtualenv: releasekit is installed into the session and run from there.

To keep it fast nothing is downloaded: the venv gets the test environment's
packages through ``PYTHONPATH`` (a folder of links to its site-packages, minus
releasekit itself), and releasekit is installed from this checkout with
``--no-deps --no-build-isolation`` (hatchling comes from the same links). So the
session imports its own installed copy of the same source; the test checks that
it is not the outer one. (``--system-site-packages`` would not do: an editable
outer install hooks the import system and wins over the venv's copy, and from a
nested venv it would expose the base interpreter's packages, not the test env's.)
"""

from __future__ import annotations

import os
import subprocess
import sysconfig
from pathlib import Path

import pytest

VENV_KIT = """\
from releasekit.nox import KitOptions, register_sessions

register_sessions(KitOptions(
    venv_backend="venv",
    install_args=["--no-deps", "--no-build-isolation", "--quiet"],
    sessions=("stage",),
))
"""


def dependencies_without_releasekit(target: Path) -> Path:
    target.mkdir()
    for site in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(site).iterdir():
            name = entry.name.lower()
            if "releasekit" in name or name.endswith(".pth") or (target / entry.name).exists():
                continue
            (target / entry.name).symlink_to(entry)
    return target


@pytest.mark.timeout(600)
def test_stage_dry_run_in_a_real_venv(nox_run, nox_project, tmp_path: Path) -> None:
    project = nox_project(VENV_KIT)
    deps = str(dependencies_without_releasekit(tmp_path / "deps"))
    result = nox_run(
        project, "-s", "stage", "--", "--dry-run", "--json", timeout=540, env={"PYTHONPATH": deps}
    )
    assert result.returncode == 0, result.output
    venv = project / ".nox" / "stage"
    site = list(venv.glob("lib/python*/site-packages"))
    assert site and (site[0] / "releasekit" / "nox" / "__init__.py").is_file(), (
        "releasekit not installed in the venv"
    )
    # The wheel carries the templates and built-in policies the checkout keeps at top level.
    assert (site[0] / "releasekit" / "_templates" / "noxfile.py").is_file()
    # nox ran the venv's python (resolved on the session PATH), not the outer interpreter.
    assert "nox > python -m releasekit stage publish" in result.stderr
    assert result.json()["data"]["spec"] == "releasekit-example@1.0.0"
    installed_from = result.stderr.split("pip install --no-deps --no-build-isolation --quiet ")[1].split()[0]
    assert Path(installed_from) == Path(__file__).resolve().parents[2]  # this checkout, not PyPI
    # What `python -m releasekit` imports in that environment is the venv's copy.
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import releasekit; print(releasekit.__file__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": deps},
        check=True,
        cwd=project,
    )  # as in the session: run from the package dir
    assert Path(imported.stdout.strip()).resolve().is_relative_to(site[0].resolve()), imported.stdout
