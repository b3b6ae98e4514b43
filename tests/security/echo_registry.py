"""A hostile registry double that echoes every credential it is sent, in every field.

A real registry never quotes a token back, so this is one of the faults only a
double produces on demand (see releasekit.testing.faults). Its stage entries
carry the request's ``Authorization`` and ``npm-otp`` values in every string
field, and its errors end with them after ``padding`` characters, so that a
message cut short anywhere would show part of one.
"""

from __future__ import annotations

import json

from releasekit.testing.faults import Answer, FaultRegistry, Seen

STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"
FIELDS = ("packageName", "version", "tag", "access", "actor", "actorType", "createdAt")  # shasum: 40 hex or refused


def echoed(seen: Seen) -> str:
    """The credentials of a request, as a careless server would quote them."""
    auth = seen.headers.get("authorization", "")
    token = auth.split(" ", 1)[1] if " " in auth else auth
    return " ".join(v for v in (token, seen.headers.get("npm-otp", "")) if v)


def entry(seen: Seen) -> dict[str, str]:
    secret = echoed(seen)
    return {"id": STAGE_ID, "shasum": "0" * 40, **{name: f"{name}-{secret}" for name in FIELDS}}


class EchoRegistry(FaultRegistry):
    """``EchoRegistry(padding=N)``: list/view answer entries quoting the credentials; the rest fail quoting them."""

    def __init__(self, padding: int = 0) -> None:
        super().__init__(self._answer)
        self.padding = padding

    def _answer(self, seen: Seen) -> Answer:
        path = seen.path.split("?", 1)[0]
        if seen.method == "GET" and path == "/-/stage":
            return Answer(200, json.dumps({"items": [entry(seen)], "page": 0, "perPage": 100, "total": 1}).encode())
        if seen.method == "GET" and path == f"/-/stage/{STAGE_ID}":
            return Answer(200, json.dumps(entry(seen)).encode())
        message = "refused: " + "x" * self.padding + " " + echoed(seen)
        return Answer(403, json.dumps({"error": message, "message": message}).encode())
