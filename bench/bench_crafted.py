"""Crafted long lines against detect-secrets' keyword plugin: linear against quadratic.

One line of a short unit repeated (``password``, ...): detect-secrets' keyword patterns
backtrack through the whole run of word characters from every keyword in it. The peer
is detect-secrets' own ``KeywordDetector.analyze_line`` on the same line, in the same
process; ours is the engine's keyword pass (``_keyword_secrets``), the findings compared,
and the whole-file scan (every plugin, releasekit's detectors) at the large size. The
peer runs only at the small sizes (it takes minutes at 64 KB).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench.results import save
from releasekit.scan import ScanSettings
from releasekit.scan.engine import _keyword_secrets, scan_file

UNITS = ("password", "api_keysecret_", "password,`a,")
PEER_SIZES = (4_000, 8_000)
OUR_SIZES = (4_000, 8_000, 64_000)
PATH = "bundle.js"


def _best(call: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    from detect_secrets.plugins.keyword import KeywordDetector

    plugin = KeywordDetector()
    plan = ScanSettings.default().plan
    results: dict[str, dict[str, float]] = {}
    for unit in UNITS:
        row: dict[str, float] = {}
        for size in OUR_SIZES:
            line = unit * (size // len(unit))
            row[f"ours_{size}"] = _best(lambda line=line: _keyword_secrets(plugin, PATH, line), 3)
            if size in PEER_SIZES:
                theirs = {
                    s.secret_value for s in plugin.analyze_line(filename=PATH, line=line, line_number=1)
                }
                if _keyword_secrets(plugin, PATH, line) != theirs:
                    raise SystemExit(f"findings differ on {unit!r} x {size}")
                row[f"peer_{size}"] = _best(
                    lambda line=line: plugin.analyze_line(filename=PATH, line=line, line_number=1), 1
                )
        big = (unit * (64_000 // len(unit))).encode()
        row["scan_file_64000"] = _best(lambda big=big: scan_file(PATH, big, plan), 2)
        results[unit] = row
        print(
            f"{unit!r}: peer 4 KB {row['peer_4000']:.3f} s, 8 KB {row['peer_8000']:.3f} s"
            f" (x{row['peer_8000'] / row['peer_4000']:.1f}); ours 8 KB {row['ours_8000']:.4f} s"
            f" (ratio {row['ours_8000'] / row['peer_8000']:.4f}), 64 KB {row['ours_64000']:.4f} s"
            f" (x{row['ours_64000'] / row['ours_8000']:.1f} for x8 input); whole scan 64 KB {row['scan_file_64000']:.3f} s"
        )
    print(f"saved {save('crafted', results)}")


if __name__ == "__main__":
    main()
