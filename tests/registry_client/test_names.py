"""Names, URLs and stage ids spelled as npm spells them."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from releasekit.errors import UsageError
from releasekit.registry.names import (
    escape_name,
    nerf_dart,
    normalize_registry_url,
    registry_host,
    same_origin,
    validate_name,
    validate_stage_id,
)

segment = st.from_regex(r"[a-z0-9][a-z0-9._~-]{0,20}", fullmatch=True)


@given(scope=segment, bare=segment)
def test_scoped_names_escape_only_the_slash(scope: str, bare: str) -> None:
    name = f"@{scope}/{bare}"
    escaped = escape_name(name)
    assert escaped == f"@{scope}%2f{bare}"
    assert "/" not in escaped and unquote(escaped) == validate_name(name)


def test_examples() -> None:
    assert escape_name("@rk/demo") == "@rk%2fdemo"
    assert escape_name("left-pad") == "left-pad"
    assert escape_name("JSONStream") == "JSONStream"  # legacy capitals can still be looked up...
    with pytest.raises(UsageError):
        validate_name("JSONStream")  # ...but not published


@pytest.mark.parametrize(
    "bad", ["", "@rk/", "@/x", "a/b", "../x", ".hidden", "has space", "@rk/a/b", "x%2fy"]
)
def test_bad_names_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError, match="invalid package name"):
        escape_name(bad)


def test_registry_urls() -> None:
    assert normalize_registry_url("https://registry.npmjs.org") == "https://registry.npmjs.org/"
    assert normalize_registry_url(" http://127.0.0.1:4873/ ") == "http://127.0.0.1:4873/"
    assert nerf_dart("https://npm.example.test:8443/api/npm") == "//npm.example.test:8443/api/npm/"
    assert registry_host("http://127.0.0.1:4873/") == "127.0.0.1"
    assert same_origin("https://r.example.test/a", "https://r.example.test:443/b")
    assert not same_origin("https://r.example.test/", "http://r.example.test/")
    for bad in (
        "",
        "ftp://x/",
        "registry.npmjs.org",
        "https://user:pw@r.example.test/",
        "https://r.example.test/?q=1",
    ):
        with pytest.raises(UsageError):
            normalize_registry_url(bad)


def test_credentials_in_a_registry_url_are_not_echoed() -> None:
    with pytest.raises(UsageError) as caught:
        normalize_registry_url("https://user:hunter2pass@r.example.test/")
    assert "hunter2pass" not in str(caught.value)


@given(st.uuids())
def test_stage_ids_are_uuids_in_any_case(value: object) -> None:
    text = str(value)
    assert validate_stage_id(text.upper()) == text
