"""The ASCII shortcut of the collation key gives what the general computation gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.package.collation import _general_key, collation_key


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=24), st.booleans(), st.booleans())
@settings(max_examples=3000, deadline=None)
def test_ascii_keys_equal_the_general_computation(text: str, numeric: bool, accents: bool) -> None:
    assert collation_key(text, numeric=numeric, accents=accents) == _general_key(text, numeric, accents)


def test_the_order_npm_gives_ascii_names() -> None:
    names = ["b.js", "B.js", "a-b.js", "a_b.js", "a.js", "A.js", "10.js", "9.js", "_x.js", "~x"]
    assert sorted(names, key=collation_key) == [
        "_x.js",
        "~x",
        "10.js",
        "9.js",
        "a_b.js",
        "a-b.js",
        "a.js",
        "A.js",
        "b.js",
        "B.js",
    ]
