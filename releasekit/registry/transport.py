"""HTTP plumbing for registry requests: one configured httpx client and a retry rule.

Only idempotent reads are retried. A POST or DELETE that may have reached the
server is never sent twice here: whether a stage upload landed is decided by
asking the registry (see ``RegistryClient.stage_publish``), not by guessing.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
STAGE_HEADERS = {"npm-command": "stage", "npm-auth-type": "web"}


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

    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"user-agent": user_agent(), "accept": "application/json", **(headers or {})},
        transport=transport,
        follow_redirects=False,  # see send(): only reads follow redirects
        trust_env=True,
    )


def send(client: httpx.Client, request: httpx.Request, policy: RetryPolicy) -> httpx.Response:
    """Send ``request``; retry GET/HEAD on connection errors, 408/429 and 5xx with backoff.

    Any other method is sent exactly once and its errors propagate untouched,
    so the caller can tell "never sent" from "outcome unknown".
    """
    import httpx

    retryable = request.method.upper() in IDEMPOTENT_METHODS
    attempt = 0
    while True:
        attempt += 1
        last = attempt >= policy.attempts or not retryable
        try:
            # Reads may follow redirects (a tarball on a CDN): httpx drops Authorization when the origin
            # changes. Writes never do: a 307 would replay the body somewhere we did not choose.
            response = client.send(request, follow_redirects=retryable)
        except httpx.TransportError:
            if last:
                raise
            policy.sleep(policy.delay(attempt))
            continue
        if last or response.status_code not in RETRY_STATUSES:
            return response
        response.close()
        policy.sleep(policy.delay(attempt, response))
