"""What a run of ``lpm`` printed, for the fixtures in tests/conftest.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Run:
    code: int
    out: str
    err: str
    args: tuple[str, ...] = ()

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def text(self) -> str:
        """Everything printed (stdout then stderr), to search or to show in an assertion."""
        return self.out + self.err
