"""Bad input files: FIFOs and sockets where the packer reads a file, and a YAML alias bomb.

Each case runs in its own process with a timeout (a FIFO that is opened blocks
forever) and, for the alias bomb, a 1 GiB address-space limit (unbounded, it
took 9.7 GB).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# Runs each command in one interpreter and prints [code, stdout, stderr] per command.
RUNNER = """
import contextlib, io, json, sys
from releasekit.cli import main
out = []
for args in json.loads(sys.argv[1]):
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        code = main(args)
    out.append([code, o.getvalue(), e.getvalue()])
print(json.dumps(out))
"""

COMMANDS = [
    ["pack", ".", "--dry-run"],
    ["stage", "publish", "--dry-run", "--npm-registry", "http://127.0.0.1:9/"],
    ["check", "."],
    ["quality", "."],
]


def run_lpm(cwd: Path, commands: list[list[str]], *, memory: int | None = None) -> list[tuple[int, str, str]]:
    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(commands)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        preexec_fn=limit,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [tuple(r) for r in json.loads(proc.stdout)]


def project(root: Path) -> Path:
    root.mkdir()
    (root / "package.json").write_text(json.dumps({"name": "rk-special", "version": "1.0.0"}) + "\n")
    (root / "index.js").write_text("module.exports = 1;\n")
    return root


def make_special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()


def one_line_error(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err
    assert sum(line.startswith("Error:") for line in (out + err).splitlines()) <= 1, out + err


@pytest.mark.parametrize("kind", ["fifo", "socket"])
@pytest.mark.parametrize(
    "name",
    [
        ".npmignore",
        ".gitignore",
        ".npmrc",
        "package.json",
        "releasekit.yaml",
        ".secrets.baseline",
        "lib/.npmignore",
    ],
)
def test_special_file_is_never_opened(tmp_path: Path, name: str, kind: str) -> None:
    root = project(tmp_path / "p")
    (root / "lib").mkdir()
    (root / "lib" / "a.js").write_text("1\n")
    target = root / name
    if name == "package.json":
        target.unlink()
    make_special(target, kind)
    results = run_lpm(root, COMMANDS)  # a FIFO that is opened never returns: the timeout fails the test
    for code, out, err in results:
        one_line_error(code, out, err)
    if name in (".npmignore", ".gitignore", "lib/.npmignore"):  # the ignore rules cannot be known: no pack
        assert all(code != 0 and "not a regular file" in out + err for code, out, err in results), results
    if name == "package.json":
        assert all(code == 2 for code, _, _ in results), results


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\npolicies:\n  paths: *l{levels}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (billion_laughs(), "once aliases are expanded"),
        ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
        ("policies: &p\n  paths: [*p]\n", ""),
        ("# " + "x" * (2 << 20) + "\n", "larger than"),
    ],
    ids=["alias-bomb", "deep-nesting", "self-alias", "huge-file"],
)
def test_hostile_releasekit_yaml_is_one_line_exit_2(tmp_path: Path, text: str, message: str) -> None:
    root = project(tmp_path / "p")
    (root / "releasekit.yaml").write_text(text)
    for code, out, err in run_lpm(root, [["check", "."], ["check", ".", "--json"]], memory=1 << 30):
        assert code == 2, (out, err)
        one_line_error(code, out, err)
        assert message in out + err


def test_aliases_within_the_bound_still_work(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "policies").mkdir()
    (root / "releasekit.yaml").write_text("policies:\n  paths: &p [policies]\nquality: {min_score: 0}\n")
    [(code, out, err)] = run_lpm(root, [["check", ".", "--list"]])
    assert code in (0, 4), out + err
