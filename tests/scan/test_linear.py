"""No file costs more than linear time: a ratio of scan times at two sizes, never a timed assert.

The inputs are the ones that made detect-secrets' JWT pattern rescan a run of JWT
characters from every ``eyJ`` in it (a 30 KB file took seconds). Quadrupling the size
multiplies linear work by 4 and quadratic work by 16; the bound sits between them.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from releasekit.scan import ScanSettings
from releasekit.scan.engine import _JWT_PATTERN, jwt_findall, scan_file
from releasekit.scan.tokens import scan_tokens

PLAN = ScanSettings.default().plan
UNITS = ["eyJ", "eyJ-", "eyJ_="]


def _best_of(data: bytes, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        scan_file("dist/bundle.js", data, PLAN)
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(small: bytes, big: bytes, runs: int = 5) -> float:
    """Time ratio big/small; the least of three tries, so that a burst of other work on a
    shared machine cannot fail it (a quadratic scan is over the bound every time)."""
    _best_of(small, 1)  # warm up
    return min(_best_of(big, runs) / max(_best_of(small, runs), 1e-4) for _ in range(3))


@pytest.mark.parametrize("unit", UNITS)
def test_scan_time_grows_linearly_with_jwt_like_input(unit: str) -> None:
    # large enough that the machine's other work is noise next to the scan itself
    small = (unit * (64_000 // len(unit))).encode()
    big = (unit * (256_000 // len(unit))).encode()
    ratio = _ratio(small, big, runs=3)
    assert ratio < 8, f"x4 input took x{ratio:.1f} time"


def test_a_file_of_jwt_like_strings_scans_linearly() -> None:
    rng = random.Random(5)
    alphabet = "abcXYZ019-_="

    def build(size: int) -> bytes:
        parts = []
        while sum(map(len, parts)) < size:
            parts.append(
                "eyJ"
                + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                + rng.choice(["", ".", " ", "eyJ"])
            )
        return "".join(parts).encode()

    ratio = _ratio(build(40_000), build(160_000), runs=2)
    assert ratio < 8, f"x4 input took x{ratio:.1f} time"


def test_token_detectors_are_linear_on_one_long_line() -> None:
    def cost(size: int) -> float:
        text = ("npm_" + "a" * 30 + "\\n" + "AIza-" + "xoxb-1234567-") * (size // 50)
        start = time.perf_counter()
        scan_tokens(text)
        return time.perf_counter() - start

    cost(10_000)
    assert min(cost(400_000) for _ in range(3)) / max(min(cost(100_000) for _ in range(3)), 1e-4) < 8


@given(
    st.lists(st.sampled_from(["eyJ", ".", "a", "-", "=", "+", "/", " ", "e", "J", "_", "\\"]), max_size=40)
)
def test_linear_jwt_search_equals_detect_secrets_pattern(parts: list[str]) -> None:
    line = "".join(parts)
    assert jwt_findall(line) == re.findall(_JWT_PATTERN, line)
