"""``lpm quality`` through the real CLI entry point, and checks a team adds."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from releasekit.package.pack import pack_project
from tests.lpm_runner import Run as CliResult

from .conftest import BUILTIN_POINTS, DELETE, run_quality

TEAM_POLICY = textwrap.dedent(
    '''
    import releasekit

    @releasekit.mark.points(6)
    @releasekit.mark.category("team")
    def policy_has_security_md(package):
        """SECURITY.md shipped"""
        if "SECURITY.md" not in package:
            releasekit.fail("no SECURITY.md in the tarball")

    @releasekit.mark.points(4)
    @releasekit.mark.category("team")
    def policy_half_marks(manifest):
        """Half marks"""
        return releasekit.Points(2, "two of four")

    @releasekit.mark.points(5)
    def policy_never_applies(manifest):
        """Never applies"""
        releasekit.skip("not for this package")

    def policy_not_a_quality_check(manifest):
        """An ordinary policy, left out of lpm quality"""
    '''
)


def test_text_output_is_a_table_of_every_check_and_the_score(
    quality_project: Callable, lpm: Callable
) -> None:
    project = quality_project(manifest={"homepage": DELETE})
    result: CliResult = lpm("quality", str(project))
    assert result.code == 0, result.err
    for label in (
        "README over 100 characters",
        "Homepage",
        "Few dependencies",
        "Test files in the repository",
    ):
        assert label in result.out
    assert "no http(s) homepage" in result.out
    assert "Score: 99/100 (73 of 74 points)" in result.out


def test_json_output(quality_project: Callable, lpm: Callable) -> None:
    project = quality_project(manifest={"dependencies": {"a": "1", "b": "2", "c": "3", "d": "4"}})
    result = lpm("--json", "quality", str(project))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert (doc["score"], doc["earned"], doc["applicable"]) == (round(100 * 72 / 74), 72, 74)
    assert len(doc["checks"]) == len(BUILTIN_POINTS)
    for check in doc["checks"]:
        assert set(check) >= {"id", "category", "label", "passed", "points", "max_points", "detail"}
    deps = next(c for c in doc["checks"] if c["id"].endswith("::policy_dependencies"))
    assert deps == {
        "id": "builtin/policy_quality.py::policy_dependencies",
        "category": "code quality",
        "label": "Few dependencies",
        "passed": False,
        "points": 1,
        "max_points": 3,
        "detail": "4 runtime dependencies",
        "applicable": True,
    }
    # Only quality checks run: the version rules and other policies are not in the breakdown.
    assert not any("policy_versions" in c["id"] for c in doc["checks"])


def test_min_score_gate_names_score_minimum_and_biggest_missing_points(
    quality_project: Callable, lpm: Callable
) -> None:
    project = quality_project(manifest={"types": DELETE, "exports": DELETE}, files={"lib/index.d.ts": DELETE})
    result = lpm("quality", str(project), "--min-score", "90")
    assert result.code == 1
    # types (8) and exports targets (3) are missing: 63/74 -> 85
    assert "quality score 85 is below the minimum 90" in result.err
    assert "Type definitions (builtin/policy_quality.py::policy_types): -8" in result.err
    assert result.err.index("policy_types") < result.err.index("policy_exports_targets")
    assert lpm("quality", str(project), "--min-score", "85").code == 0

    doc = json.loads(lpm("--json", "quality", str(project), "--min-score", "90").out)
    assert doc["success"] is False and doc["gate_passed"] is False and doc["min_score"] == 90
    assert "below the minimum 90" in doc["gate_messages"][0]


def test_min_score_from_config(quality_project: Callable, lpm: Callable) -> None:
    project = quality_project(manifest={"homepage": DELETE})
    (project / "releasekit.yaml").write_text("quality:\n  min_score: 100\n")
    assert lpm("quality", str(project)).code == 1
    assert lpm("quality", str(project), "--min-score", "99").code == 0  # the flag wins


@pytest.mark.parametrize("value", ["101", "-1", "abc", "50.5", ""])
def test_min_score_out_of_range_is_a_usage_error(
    quality_project: Callable, lpm: Callable, value: str
) -> None:
    result = lpm("quality", str(quality_project()), "--min-score", value)
    assert result.code == 2
    assert "--min-score" in result.err
    assert result.out == ""


def test_bad_paths_are_usage_errors(tmp_path: Path, lpm: Callable) -> None:
    assert lpm("quality", str(tmp_path / "nope")).code == 2
    assert lpm("quality", str(tmp_path)).code == 2  # no package.json
    (tmp_path / "notes.txt").write_text("x")
    result = lpm("quality", str(tmp_path / "notes.txt"))
    assert result.code == 2 and "not a project folder or a .tgz" in result.err
    (tmp_path / "broken.tgz").write_bytes(b"not a tarball")
    broken = lpm("--json", "quality", str(tmp_path / "broken.tgz"))
    assert broken.code != 0 and json.loads(broken.out)["success"] is False


def test_a_tarball_is_scored_without_the_repository_checks(
    quality_project: Callable, lpm: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = pack_project(quality_project())
    tarball = tmp_path / packed.filename
    tarball.write_bytes(packed.tarball)
    monkeypatch.chdir(tmp_path)
    result = lpm("--json", "quality", str(tarball))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    tests = next(c for c in doc["checks"] if c["id"].endswith("::policy_test_files"))
    assert tests["applicable"] is False and tests["passed"] is None
    assert "no project folder" in tests["detail"]
    assert doc["applicable"] == 74 - 7 - 3  # the tests and the unpublished CHANGELOG need the folder
    text = lpm("quality", str(tarball))
    assert "n/a" in text.out and "2 check(s) not applicable" in text.out


def test_a_tarball_scored_in_its_checkout_scores_as_the_folder(
    quality_project: Callable, lpm: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = quality_project(
        files={"test/greet.test.js": DELETE}
    )  # the folder costs points: they must match
    tarball = tmp_path / "demo.tgz"
    tarball.write_bytes(pack_project(project).tarball)
    monkeypatch.chdir(project)
    from_folder = json.loads(lpm("--json", "quality", ".").out)
    from_tarball = json.loads(lpm("--json", "quality", str(tarball)).out)
    assert from_folder["score"] == from_tarball["score"] < 100
    assert [(c["id"], c["points"], c["detail"]) for c in from_folder["checks"]] == [
        (c["id"], c["points"], c["detail"]) for c in from_tarball["checks"]
    ]


def test_team_checks_are_part_of_the_score(quality_project: Callable, lpm: Callable) -> None:
    project = quality_project(files={"policies/policy_team.py": TEAM_POLICY})
    run = run_quality(project)
    score = run.session.score
    # built-in 74, plus 6 (failed) + 4 (half) applicable; the skipped 5 are not.
    assert (score.earned, score.applicable) == (74 + 0 + 2, 74 + 6 + 4)
    assert score.value == round(100 * 76 / 84)

    doc = json.loads(lpm("--json", "quality", str(project)).out)
    team = {c["label"]: c for c in doc["checks"] if c["category"] in ("team", None)}
    assert (
        team["SECURITY.md shipped"]["points"] == 0
        and team["SECURITY.md shipped"]["detail"] == "no SECURITY.md in the tarball"
    )
    assert team["Half marks"]["points"] == 2 and team["Half marks"]["passed"] is False
    assert team["Never applies"]["applicable"] is False
    assert "An ordinary policy, left out of lpm quality" not in json.dumps(doc)
    assert doc["score"] == score.value
    # Team categories come after the built-in ones in the breakdown.
    categories = [c["category"] for c in doc["checks"]]
    assert categories.index("team") > categories.index("health")


def test_no_builtin_and_no_checks_is_a_usage_error(quality_project: Callable, lpm: Callable) -> None:
    result = lpm("quality", str(quality_project()), "--no-builtin")
    assert result.code == 2 and "no quality checks" in result.err


def test_a_broken_team_check_or_file_is_reported_and_fails(quality_project: Callable, lpm: Callable) -> None:
    broken_check = textwrap.dedent(
        '''
        import releasekit

        @releasekit.mark.points(5)
        def policy_crashes(manifest):
            """Crashes"""
            return 1 / 0
        '''
    )
    project = quality_project(files={"policies/policy_crash.py": broken_check})
    result = lpm("quality", str(project))
    assert result.code == 1
    assert "ZeroDivisionError" in result.out  # in the table, as the check's detail
    assert "raised an error" in result.err
    doc = json.loads(lpm("--json", "quality", str(project)).out)
    crash = next(c for c in doc["checks"] if c["label"] == "Crashes")
    assert crash["points"] == 0 and crash["applicable"] is True
    assert doc["applicable"] == 74 + 5

    unloadable = quality_project(files={"policies/policy_syntax.py": "def policy_x(:\n"})
    result = lpm("quality", str(unloadable))
    assert result.code == 1
    assert "policies/policy_syntax.py" in result.err and "SyntaxError" in result.err
    doc = json.loads(lpm("--json", "quality", str(unloadable)).out)
    assert doc["collection_errors"][0]["path"] == "policies/policy_syntax.py"
