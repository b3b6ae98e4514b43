"""HTTP plumbing for registry requests: one configured httpx client, a retry rule and a deadline.

Every request runs under an overall deadline (:func:`request_deadline`), not
only httpx's per-read timeout: :mod:`releasekit.registry.deadline` clamps each
socket operation to it, and retries never wait past it.

Only idempotent reads are retried. A POST or DELETE that may have reached the
server is never sent twice here: whether a stage upload landed is decided by
asking the registry (see ``RegistryClient.stage_publish``), not by guessing.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
STAGE_HEADERS = {"npm-command": "stage", "npm-auth-type": "web"}
# npm's fetch-timeout: a whole request (all retries included) ends after five minutes.
DEFAULT_DEADLINE = 300.0

_deadline: ContextVar[float | None] = ContextVar("releasekit_request_deadline", default=None)


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now (or an earlier one already in force)."""
    at = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(at if current is None else min(at, current))
    try:
        yield
    finally:
        _deadline.reset(token)


DEADLINE_PASSED = "the overall deadline of the request passed"


def deadline_passed() -> bool:
    """Whether the current request's deadline is (all but) over: a timeout now is the deadline's doing."""
    left = remaining()
    return left is not None and left <= 0.05


def remaining() -> float | None:
    """Seconds left before the current request's deadline; ``None`` outside :func:`request_deadline`."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"releasekit/{version('releasekit')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "releasekit/0+unknown"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry an idempotent request.

    ``sleep`` is injectable so tests can check the waits without waiting.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based), honouring ``retry-after``."""
        hinted = retry_after(response) if response is not None else None
        wanted = hinted if hinted is not None else self.backoff * (2 ** (attempt - 1))
        return max(0.0, min(wanted, self.max_delay))


def retry_after(response: httpx.Response) -> float | None:
    """The ``retry-after`` header in seconds (delta-seconds or an HTTP date), if usable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def build_http_client(
    *, timeout: float, transport: httpx.BaseTransport | None = None, headers: dict[str, str] | None = None
) -> httpx.Client:
    import httpx

    from releasekit.registry import deadline

    client = httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"user-agent": user_agent(), "accept": "application/json", **(headers or {})},
        transport=transport,
        follow_redirects=False,  # see send(): only reads follow redirects
        trust_env=True,
    )
    # The default transport and the proxy transports httpx mounts from the environment.
    for mounted in [client._transport, *client._mounts.values()]:
        deadline.install(mounted)
    return client


def send(
    client: httpx.Client,
    request: httpx.Request,
    policy: RetryPolicy,
    *,
    deadline: float = DEFAULT_DEADLINE,
    stream: bool = False,
) -> httpx.Response:
    """Send ``request``; retry GET/HEAD on connection errors, 408/429 and 5xx with backoff.

    Any other method is sent exactly once and its errors propagate untouched,
    so the caller can tell "never sent" from "outcome unknown". Everything,
    waits included, ends by ``deadline`` seconds from now (or a caller's earlier
    :func:`request_deadline`). With ``stream`` the body is left unread: read it
    inside the caller's own :func:`request_deadline`.
    """
    import httpx

    retryable = request.method.upper() in IDEMPOTENT_METHODS
    attempt = 0
    with request_deadline(deadline):
        while True:
            attempt += 1
            last = attempt >= policy.attempts or not retryable
            try:
                # Reads may follow redirects (a tarball on a CDN): httpx drops Authorization when the origin
                # changes. Writes never do: a 307 would replay the body somewhere we did not choose.
                response = client.send(request, follow_redirects=retryable, stream=stream)
            except httpx.TransportError as exc:
                if isinstance(exc, httpx.TimeoutException) and deadline_passed():
                    raise type(exc)(DEADLINE_PASSED) from exc
                if last or not _can_wait(policy.delay(attempt)):
                    raise
                policy.sleep(policy.delay(attempt))
                continue
            if (
                last
                or response.status_code not in RETRY_STATUSES
                or not _can_wait(policy.delay(attempt, response))
            ):
                return response
            response.close()
            policy.sleep(policy.delay(attempt, response))


def _can_wait(delay: float) -> bool:
    """Whether a retry after ``delay`` seconds still starts before the deadline."""
    left = remaining()
    return left is None or delay < left
