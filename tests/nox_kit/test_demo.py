"""The README's "see it work" demo runs the whole flow against its own local registry."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from releasekit.testing.verdaccio import RegistryNotInstalled, find_binaries


@pytest.mark.registry
@pytest.mark.npm
def test_demo_stages_approves_and_installs(npm_cli: str) -> None:
    try:
        find_binaries()
    except RegistryNotInstalled as exc:
        pytest.skip(str(exc))
    result = subprocess.run(
        [sys.executable, "-m", "releasekit.nox.demo"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    steps = re.findall(r"^==> (\d)\. ", out, re.M)
    assert steps == ["1", "2", "3", "4", "5", "6"]
    stage_id = re.search(r"Stage id: ([0-9a-f-]{36})", out).group(1)
    # Before approval only 1.0.0 is public; the stage list shows the staged 1.0.1.
    assert re.search(r'\[\s*"1\.0\.0"\s*\]', out)
    assert "1 staged version" in out
    # It is reviewed against the published version, by `lpm stage diff` and again by approve itself.
    assert out.count("releasekit-example@1.0.1 against releasekit-example@1.0.0") >= 2
    # Approving without a code is refused, with a code it publishes.
    assert f"stage approve {stage_id} needs a one-time password" in out
    assert "--otp '****'" in out and re.search(r"--otp \d{6}", out) is None
    assert f"Approved releasekit-example@1.0.1 (stage {stage_id})" in out
    assert '"latest": "1.0.1"' in out
    assert "installed releasekit-example@1.0.1" in out and "Hello, releasekit!" in out
