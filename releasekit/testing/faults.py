"""A registry that answers garbage, for the faults a real server will not produce on demand.

:class:`FaultRegistry` is a small threaded HTTP server on 127.0.0.1. Each
request is answered by the current :attr:`FaultRegistry.handler`, a function
of the :class:`Seen` request returning an :class:`Answer`; :func:`garbage`
names the usual kinds of broken answer (an HTML error page, truncated JSON,
JSON of the wrong shape, a 500, a body cut off mid-transfer). Every request is
recorded in :attr:`FaultRegistry.seen`, so a test can also check that nothing
was sent at all.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # announce the full length, send half, hang up


Handler = Callable[[Seen], Answer]

GARBAGE_KINDS = ("html", "truncated-json", "wrong-shape", "http-500", "cut-body")


def garbage(kind: str) -> Answer:
    """One kind of broken registry answer (see :data:`GARBAGE_KINDS`)."""
    if kind == "html":
        return Answer(200, b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    if kind == "truncated-json":
        return Answer(200, b'{"items": [{"id": "123e4567-e89b-12d3-a456-4266141740')
    if kind == "wrong-shape":
        return Answer(200, json.dumps({"items": "none", "total": "many", "versions": 7}).encode())
    if kind == "http-500":
        return Answer(500, b"Internal Server Error", "text/plain")
    if kind == "cut-body":
        return Answer(
            200, json.dumps({"items": [], "total": 0, "page": 0, "perPage": 100}).encode() * 20, cut=True
        )
    raise ValueError(f"unknown garbage kind {kind!r}")


def json_answer(document: object, status: int = 200) -> Answer:
    return Answer(status, json.dumps(document).encode())


class FaultRegistry:
    """``with FaultRegistry(handler) as registry: ... registry.url ...``"""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler: Handler = handler or (lambda seen: garbage("html"))
        self.seen: list[Seen] = []
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> FaultRegistry:
        registry = self

        class _Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                registry.seen.append(seen)
                answer = registry.handler(seen)
                self.send_response(answer.status)
                self.send_header("content-type", answer.content_type)
                self.send_header("content-length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.cut:
                    self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(answer.body[: len(answer.body) // 2] if answer.cut else answer.body)
                if answer.cut:
                    self.wfile.flush()
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fault-registry",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
