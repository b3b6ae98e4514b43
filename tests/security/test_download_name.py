"""``lpm stage download``'s default file name, made from what the registry says, stays in the current folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.stage.download import default_filename, resolve_destination

STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("../../../etc/cron.d/evil", "1.0.0"),
        ("@scope/../../x", "1.0.0"),
        ("@../..", "../../.."),
        ("/abs/path", "1.0.0"),
        ("demo", "1.0.0/../../../../tmp/x"),
        ("..", ".."),
        (".hidden", "1.0.0"),
        ("a\\..\\..\\b", "1.0.0"),
        ("demo\x00nul", "1.0.0\nnewline\x1b[2J"),
        ("", ""),
    ],
)
def test_a_hostile_name_gives_one_plain_file_in_the_current_folder(
    tmp_path: Path, name: str, version: str
) -> None:
    filename = default_filename(name, version, STAGE_ID)
    dest = resolve_destination(None, filename, tmp_path)
    assert dest.parent == tmp_path and dest.resolve().parent == tmp_path.resolve()
    assert "/" not in filename and "\\" not in filename and not filename.startswith(".")
    assert filename.isprintable() and filename.endswith(f"-{STAGE_ID}.tgz")


def test_ordinary_names_keep_npms_spelling() -> None:
    assert default_filename("@rk/demo", "1.2.0-beta.1", STAGE_ID) == f"rk-demo-1.2.0-beta.1-{STAGE_ID}.tgz"
    assert default_filename("demo", "1.0.0+build.5", STAGE_ID) == f"demo-1.0.0+build.5-{STAGE_ID}.tgz"
