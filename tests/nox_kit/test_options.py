"""KitOptions validation and how posargs combine with the kit's default flags."""

from __future__ import annotations

import pytest

from releasekit.nox import KitOptions
from releasekit.nox._invoke import install_spec, option_given, source_checkout, with_defaults


def test_posargs_come_last_and_drop_the_default_they_name() -> None:
    defaults = [(("--tag",), ("--tag", "beta")), (("-y", "--yes"), ("--yes",))]
    assert with_defaults(defaults, ["--tag", "next", "--dry-run"]) == ["--yes", "--tag", "next", "--dry-run"]
    assert with_defaults(defaults, ["--tag=next"]) == ["--yes", "--tag=next"]
    assert with_defaults(defaults, ["-y"]) == ["--tag", "beta", "-y"]
    assert with_defaults(defaults, []) == ["--tag", "beta", "--yes"]


def test_a_conflicting_spelling_drops_the_provenance_default() -> None:
    spellings = ("--provenance", "--no-provenance", "--provenance-file")
    defaults = [(spellings, ("--provenance",))]
    assert with_defaults(defaults, ["--provenance-file", "b.json"]) == ["--provenance-file", "b.json"]
    assert with_defaults(defaults, ["--no-provenance"]) == ["--no-provenance"]
    # A prefix of another option is not that option.
    assert not option_given(["--tagline"], ("--tag",))
    # Nothing after a literal -- counts as an option.
    assert not option_given(["--", "--tag"], ("--tag",))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sessions": ("check", "deploy")}, "unknown release session 'deploy'"),
        ({"names": {"publish": "x"}}, "unknown release session 'publish'"),
        ({"min_score": 101}, "min_score must be 0-100"),
        ({"access": "private"}, "access must be"),
        ({"packages": "packages/a"}, "sequences of paths"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KitOptions(**changes)


def test_a_checkout_installs_itself_and_explicit_specs_win() -> None:
    checkout = source_checkout()
    assert checkout is not None and (checkout / "releasekit" / "nox" / "__init__.py").is_file()
    assert install_spec(KitOptions()) == [str(checkout)]
    assert install_spec(KitOptions(install=["releasekit==9.9"])) == ["releasekit==9.9"]


def test_one_time_passwords_are_masked_in_the_logged_command() -> None:
    from releasekit.nox._invoke import masked

    assert masked(["lpm", "stage", "approve", "id", "--otp", "123456"]) == [
        "lpm",
        "stage",
        "approve",
        "id",
        "--otp",
        "****",
    ]
    assert masked(["--otp=654321", "--tag", "next"]) == ["--otp=****", "--tag", "next"]
    assert masked(["--tag", "next"]) == ["--tag", "next"]
