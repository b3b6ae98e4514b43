"""The kit under a real nox virtualenv: releasekit is installed into the session and run from there.

To keep it fast the venv is created with ``--system-site-packages`` (the
dependencies come from the outer environment) and releasekit itself is
installed from this checkout with ``--no-deps --no-build-isolation``: the
session still runs its own installed copy of the same source, not the outer one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

VENV_KIT = """\
from releasekit.nox import KitOptions, register_sessions

register_sessions(KitOptions(
    venv_backend="venv",
    venv_params=["--system-site-packages"],
    install_args=["--no-deps", "--no-build-isolation", "--quiet"],
    sessions=("stage",),
))
"""


@pytest.mark.timeout(600)
def test_stage_dry_run_in_a_real_venv(nox_run, nox_project) -> None:
    project = nox_project(VENV_KIT)
    result = nox_run(project, "-s", "stage", "--", "--dry-run", "--json", timeout=540)
    assert result.returncode == 0, result.output
    venv = project / ".nox" / "stage"
    installed = list(venv.glob("lib/python*/site-packages/releasekit/nox/__init__.py"))
    assert installed, "releasekit was not installed into the session's venv"
    # The wheel carries the templates and built-in policies the checkout keeps at top level.
    assert list(venv.glob("lib/python*/site-packages/releasekit/_templates/noxfile.py"))
    # nox ran the venv's python (resolved on the session PATH), not the outer interpreter.
    assert "python -m releasekit stage publish" in result.stderr
    assert result.json()["data"]["spec"] == "releasekit-example@1.0.0"
    assert "pip install --no-deps --no-build-isolation --quiet" in result.stderr
    assert Path(result.stderr.split("pip install --no-deps --no-build-isolation --quiet ")[1].split()[0]).name
