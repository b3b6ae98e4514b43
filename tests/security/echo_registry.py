"""A hostile registry double that echoes every credential it is sent, in every field.

A real registry never quotes a token back, so this is one of the faults only a
double produces on demand (see releasekit.testing.faults). Its stage entries
carry the request's ``Authorization`` and ``npm-otp`` values in every string
field, and its errors end with them after ``padding`` characters, so that a
message cut short anywhere would show part of one.
"""

from __future__ import annotations

import hashlib
import json

from releasekit.testing.faults import Answer, FaultRegistry, Seen

STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"
FIELDS = (
    "packageName",
    "version",
    "tag",
    "access",
    "actor",
    "actorType",
    "createdAt",
)  # shasum: 40 hex or refused


def echoed(seen: Seen) -> str:
    """The credentials of a request, as a careless server would quote them."""
    auth = seen.headers.get("authorization", "")
    token = auth.split(" ", 1)[1] if " " in auth else auth
    return " ".join(v for v in (token, seen.headers.get("npm-otp", "")) if v)


def entry(seen: Seen) -> dict[str, str]:
    secret = echoed(seen)
    return {"id": STAGE_ID, "shasum": "0" * 40, **{name: f"{name}-{secret}" for name in FIELDS}}


class EchoRegistry(FaultRegistry):
    """``EchoRegistry(padding=N)``: list/view answer entries quoting the credentials; the rest fail quoting them.

    With ``staged=(name, version, tarball)`` the entry is that real staged
    tarball (its name, version and sha1; the other fields still echo), so a
    review downloads and checks it before the approval is refused.
    """

    def __init__(
        self,
        padding: int = 0,
        staged: tuple[str, str, bytes] | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(self._answer)
        self.padding = padding
        self.staged = staged
        self.fields = fields or {}  # entry fields to answer instead of the echo

    def _entry(self, seen: Seen) -> dict[str, str]:
        answer = entry(seen)
        if self.staged is not None:
            name, version, tarball = self.staged
            answer.update(packageName=name, version=version, shasum=hashlib.sha1(tarball).hexdigest())
        answer.update(self.fields)
        return answer

    def _answer(self, seen: Seen) -> Answer:
        path = seen.path.split("?", 1)[0]
        if seen.method == "GET" and path == "/-/stage":
            return Answer(
                200,
                json.dumps({"items": [self._entry(seen)], "page": 0, "perPage": 100, "total": 1}).encode(),
            )
        if seen.method == "GET" and path == f"/-/stage/{STAGE_ID}":
            return Answer(200, json.dumps(self._entry(seen)).encode())
        if seen.method == "GET" and path == f"/-/stage/{STAGE_ID}/tarball" and self.staged is not None:
            return Answer(200, self.staged[2], "application/octet-stream")
        if seen.method == "GET" and path == "/-/whoami":
            return Answer(200, json.dumps({"username": "user-" + echoed(seen)}).encode())
        message = "refused: " + "x" * self.padding + " " + echoed(seen)
        # a packument that does not exist yet (so a publish gets as far as the upload), else a refusal
        status = 404 if seen.method == "GET" and not path.startswith("/-/") else 403
        return Answer(status, json.dumps({"error": message, "message": message}).encode())
