"""Collection speed: 1,000 policies in 100 files, ``lpm check --list`` against ``pytest --collect-only -q``.

Both tools collect the same shape (100 files of 10 functions each, one
fixture argument per function) in the same run; the figure is the ratio of
their median wall times, so it means the same on any machine. A ratio below
1 means releasekit collects faster than pytest.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.results import save, time_command

FILES, PER_FILE = 100, 10


def _write_tree(root: Path, *, prefix: str, argument: str) -> None:
    for n in range(FILES):
        body = [f'"""Generated {prefix} file {n}."""', ""]
        for m in range(PER_FILE):
            body += [
                f"def {prefix}_{n}_{m}({argument}):",
                f'    """Check {m} of file {n}."""',
                f"    assert {argument} is not None",
                "",
                "",
            ]
        (root / f"{prefix}_{n:03}.py").write_text("\n".join(body))


def make_projects(base: Path) -> tuple[Path, Path]:
    project = base / "releasekit-project"
    (project / "policies").mkdir(parents=True)
    (project / "package.json").write_text(json.dumps({"name": "bench", "version": "1.0.0"}))
    _write_tree(project / "policies", prefix="policy", argument="package")
    tests = base / "pytest-project"
    tests.mkdir()
    # An ini file makes this folder pytest's rootdir, so the repository's own config is not used.
    (tests / "pytest.ini").write_text("[pytest]\n")
    (tests / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef package():\n    return object()\n"
    )
    _write_tree(tests, prefix="test", argument="package")
    return project, tests


def in_process_collection(project: Path) -> float:
    from releasekit.policy.session import run_policies

    start = time.perf_counter()
    result = run_policies(project, builtin=False, collect_only=True)
    elapsed = time.perf_counter() - start
    assert len(result.collected) == FILES * PER_FILE, len(result.collected)
    return elapsed


def main() -> dict[str, object]:
    lpm = shutil.which("lpm")
    lpm_argv = [lpm] if lpm else [sys.executable, "-m", "releasekit"]
    with tempfile.TemporaryDirectory(prefix="rk-bench-collect-") as tmp:
        project, tests = make_projects(Path(tmp))
        ours = time_command([*lpm_argv, "check", str(project), "--list", "--no-builtin"], repeat=5)
        peer = time_command(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(tests)],
            repeat=5,
            cwd=tests,
        )
        library = in_process_collection(project)
    data: dict[str, object] = {
        "policies": FILES * PER_FILE,
        "files": FILES,
        "lpm_check_list_s": round(ours["seconds"], 4),
        "pytest_collect_only_s": round(peer["seconds"], 4),
        "ratio_lpm_over_pytest": round(ours["seconds"] / peer["seconds"], 3),
        "lpm_peak_mib": round(ours["peak_mib"], 1),
        "pytest_peak_mib": round(peer["peak_mib"], 1),
        "library_collect_s": round(library, 4),
    }
    path = save("collect", data)
    print(
        f"collect {FILES * PER_FILE} policies in {FILES} files: lpm check --list {ours['seconds']:.3f}s, "
        f"pytest --collect-only {peer['seconds']:.3f}s, ratio {data['ratio_lpm_over_pytest']} "
        f"(library call alone {library:.3f}s) -> {path}"
    )
    return data


if __name__ == "__main__":
    main()
