"""Network bounds a real registry will not break on demand: a trickling server, a silent one, a cut body.

The doubles are raw sockets on loopback, so the client's real httpx transport
(and the deadline streams under it) are what is tested.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from releasekit.errors import NetworkError, RegistryError, RegistryTimeout
from releasekit.registry.client import RegistryClient
from releasekit.registry.transport import RetryPolicy
from releasekit.stage.download import download_staged_tarball
from tests.lpm_runner import Run

STAGE_ID = "6f1c2a4e-8b0d-4c3e-9a5f-1b2c3d4e5f60"
Handler = Callable[[socket.socket], None]


class SocketDouble:
    """A loopback server running ``handler`` on every connection until the test ends."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        # OSError: the client hung up, which is the point of most of these tests.
        with conn, contextlib.suppress(OSError):
            self.handler(conn)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], SocketDouble]]:
    doubles: list[SocketDouble] = []

    def start(handler: Handler) -> SocketDouble:
        doubles.append(SocketDouble(handler))
        return doubles[-1]

    yield start
    for double in doubles:
        double.close()


def read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def trickle(payload: bytes, stop: threading.Event, every: float = 0.2) -> Handler:
    """Answer one byte of ``payload`` every ``every`` seconds: never idle long enough for a read timeout."""

    def handler(conn: socket.socket) -> None:
        read_request(conn)
        for byte in payload:
            if stop.is_set():
                return
            conn.sendall(bytes([byte]))
            time.sleep(every)

    return handler


def ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body) + body


def staged_entry_then(tarball: Handler, shasum: str | None = None) -> Handler:
    """Answer the stage view with an entry, and the tarball request with ``tarball``, which ends the connection."""
    entry = json.dumps({"id": STAGE_ID, "packageName": "demo", "version": "1.0.0", "shasum": shasum}).encode()

    def handler(conn: socket.socket) -> None:
        while request := read_request(conn):
            if b"/tarball " in request:
                tarball(conn)
                return
            conn.sendall(ok(entry))

    return handler


def silent(conn: socket.socket) -> None:
    read_request(conn)
    time.sleep(30)  # accepts, reads, never answers


def client(url: str, **kwargs: object) -> RegistryClient:
    return RegistryClient(url, "s3cr3t-token-value", retry=RetryPolicy(attempts=1), **kwargs)  # type: ignore[arg-type]


@pytest.mark.timeout(60)
def test_a_server_trickling_headers_ends_at_the_deadline(serve: Callable[[Handler], SocketDouble]) -> None:
    stop = threading.Event()
    endless = b"HTTP/1.1 200 OK\r\n" + b"x-padding: " + b"a" * 100_000
    double = serve(trickle(endless, stop))
    try:
        with pytest.raises(RegistryTimeout) as caught, client(double.url, timeout=5.0, deadline=1.5) as c:
            c.stage_list()
    finally:
        stop.set()
    assert caught.value.error_code == "timeout"
    assert "deadline for the whole request passed" in str(caught.value)
    assert "could not reach" not in str(caught.value)


@pytest.mark.timeout(60)
def test_a_server_trickling_a_tarball_body_ends_at_the_deadline(
    serve: Callable[[Handler], SocketDouble], tmp_path: Path
) -> None:
    stop = threading.Event()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 100000\r\n\r\n"

    def tarball(conn: socket.socket) -> None:
        conn.sendall(head)
        for _ in range(100_000):
            if stop.is_set():
                return
            conn.sendall(b"\x1f")
            time.sleep(0.2)

    handler = staged_entry_then(tarball, shasum="0" * 40)
    double = serve(handler)
    try:
        with pytest.raises(RegistryTimeout) as caught, client(double.url, timeout=5.0, deadline=1.5) as c:
            download_staged_tarball(c, STAGE_ID, cwd=tmp_path)
    finally:
        stop.set()
    assert "deadline" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # no partial file, no temporary file


@pytest.mark.timeout(60)
def test_a_server_that_never_answers_is_a_timeout_not_unreachable(
    serve: Callable[[Handler], SocketDouble],
) -> None:
    double = serve(silent)
    with pytest.raises(RegistryTimeout) as caught, client(double.url, timeout=0.5) as c:
        c.stage_view(STAGE_ID)
    message = str(caught.value)
    assert caught.value.error_code == "timeout" and caught.value.exit_code == 1
    assert message.startswith(
        f"stage view {STAGE_ID}: {double.url} did not answer in time (no data for 0.5s)"
    )


@pytest.mark.timeout(60)
def test_a_write_to_a_silent_server_is_a_timeout_with_an_unknown_outcome(
    serve: Callable[[Handler], SocketDouble],
) -> None:
    entry = json.dumps({"id": STAGE_ID, "packageName": "demo", "version": "1.0.0"}).encode()

    def handler(conn: socket.socket) -> None:
        while request := read_request(conn):
            if request.startswith(b"GET"):
                conn.sendall(ok(entry))
            else:
                time.sleep(30)

    double = serve(handler)
    with pytest.raises(NetworkError) as caught, client(double.url, timeout=0.5) as c:
        c.stage_reject(STAGE_ID)
    # The DELETE may have landed: the entry is still staged, so a second try was made, and it timed out too.
    assert "failed twice" in str(caught.value) and "still staged" in str(caught.value)


@pytest.mark.timeout(60)
def test_a_body_cut_short_of_its_content_length_leaves_nothing(
    serve: Callable[[Handler], SocketDouble], tmp_path: Path
) -> None:
    def cut_short(conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n" + b"\x1f\x8b" * 100
        )  # 200 of 5000 bytes

    handler = staged_entry_then(cut_short)
    double = serve(handler)
    with pytest.raises(NetworkError) as caught, client(double.url) as c:
        download_staged_tarball(c, STAGE_ID, cwd=tmp_path)
    assert "closed the connection before the whole body came" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(60)
def test_an_announced_length_past_the_limit_is_refused_before_reading(
    serve: Callable[[Handler], SocketDouble],
) -> None:
    def handler(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2147483648\r\n\r\n")
        time.sleep(30)  # a 2 GiB body that never comes: we must not wait for it

    double = serve(handler)
    with pytest.raises(RegistryError) as caught, client(double.url) as c:
        c.stage_tarball(STAGE_ID, limit=1 << 20)
    assert "announces 2147483648 bytes, more than the 1048576-byte limit" in str(caught.value)


@pytest.mark.timeout(60)
def test_an_unannounced_body_past_the_limit_is_refused_while_streaming(
    serve: Callable[[Handler], SocketDouble],
) -> None:
    sent: list[int] = []

    def handler(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        chunk = b"\0" * 65536
        for _ in range(1024):  # 64 MiB if nobody stops reading
            conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent.append(len(chunk))

    double = serve(handler)
    with pytest.raises(RegistryError) as caught, client(double.url) as c:
        c.stage_tarball(STAGE_ID, limit=1 << 20)
    assert "more than the 1048576-byte limit" in str(caught.value)
    assert sum(sent) < 64 << 20  # the server was cut off, not drained


def test_fetch_timeout_from_npm_config_sets_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_fetch_timeout", "1500")
    assert RegistryClient("http://127.0.0.1:9/")._deadline == 1.5
    monkeypatch.setenv("npm_config_fetch_timeout", "0")  # npm: no deadline
    assert RegistryClient("http://127.0.0.1:9/")._deadline == float("inf")


def test_sha1_of_a_streamed_download_is_checked(
    serve: Callable[[Handler], SocketDouble], tmp_path: Path
) -> None:
    def tarball(conn: socket.socket) -> None:
        conn.sendall(ok(b"\x1f\x8b not what was staged"))

    handler = staged_entry_then(tarball, shasum=hashlib.sha1(b"the staged bytes").hexdigest())
    double = serve(handler)
    with pytest.raises(RegistryError) as caught, client(double.url) as c:
        download_staged_tarball(c, STAGE_ID, cwd=tmp_path)
    assert "does not match the staged entry's shasum" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.timeout(60)
def test_lpm_reports_a_silent_registry_as_timed_out(
    serve: Callable[[Handler], SocketDouble], lpm: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    double = serve(silent)
    monkeypatch.setenv("NPM_TOKEN", "s3cr3t-token-value")
    monkeypatch.setenv("npm_config_fetch_timeout", "1000")  # npm's own setting, in milliseconds
    run = lpm("stage", "list", "--json", "--npm-registry", double.url)
    assert run.code == 1, run.text
    doc = run.json()
    assert doc["error_code"] == "timeout"
    assert "did not answer in time (the 1s deadline for the whole request passed)" in doc["error"]
    run = lpm("stage", "list", "--npm-registry", double.url)
    assert run.code == 1 and run.err.startswith("Error: stage list: "), run.text
    assert "could not reach" not in run.text
