"""Start-up: ``lpm --help`` against ``npm --version``, in the same run.

Also checks, with ``python -X importtime``, that ``lpm --help`` imports none
of the heavy libraries (httpx, sigstore, detect_secrets) that only some
commands need.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from bench.results import save, time_command

HEAVY = ("httpx", "sigstore", "detect_secrets")


def heavy_imports(argv: list[str]) -> list[str]:
    """Top-level names of heavy modules imported while running ``argv`` under ``-X importtime``."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, check=True
    )
    found = set()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        module = line.rsplit("|", 1)[1].strip()
        top = module.split(".")[0]
        if top in HEAVY:
            found.add(top)
    return sorted(found)


def main() -> dict[str, object]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    npm = shutil.which("npm")
    ours = time_command([*lpm_argv, "--help"], repeat=7)
    data: dict[str, object] = {
        "lpm_help_s": round(ours["seconds"], 4),
        "lpm_peak_mib": round(ours["peak_mib"], 1),
    }
    if npm is not None:
        peer = time_command([npm, "--version"], repeat=7)
        data["npm_version_s"] = round(peer["seconds"], 4)
        data["ratio_lpm_over_npm"] = round(ours["seconds"] / peer["seconds"], 3)
    heavy = {
        "lpm --help": heavy_imports(["-m", "releasekit", "--help"]),
        "lpm check --help": heavy_imports(["-m", "releasekit", "check", "--help"]),
    }
    data["heavy_imports"] = heavy
    path = save("startup", data)
    ratio = data.get("ratio_lpm_over_npm", "n/a (npm not found)")
    print(
        f"startup: lpm --help {ours['seconds']:.3f}s, npm --version {data.get('npm_version_s', 'n/a')}s, "
        f"ratio {ratio}; heavy imports {heavy} -> {path}"
    )
    if any(heavy.values()):
        print(f"WARNING: heavy modules imported at start-up: {heavy}", file=sys.stderr)
    return data


if __name__ == "__main__":
    main()
