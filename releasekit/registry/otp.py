"""One-time passwords for writes that a 2FA account must confirm.

Two shapes of challenge exist, both as ``401``:

* classic: ``www-authenticate: otp`` (or, from older servers, a body saying a
  "one-time pass" is needed). The caller supplies the code, from ``--otp`` or a
  prompt, and the request is sent once more with ``npm-otp: <code>``.
* web auth: the body carries ``{authUrl, doneUrl}``. The user opens ``authUrl``;
  we poll ``doneUrl`` (``202`` + ``retry-after`` = not yet) until it answers
  ``200 {token}``, then resend with ``npm-otp: <token>``.

A challenged request was refused, so resending it is safe even for POST: the
server did nothing the first time.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from releasekit.errors import OtpRequired, RegistryError
from releasekit.redaction import register_secret

if TYPE_CHECKING:
    import httpx

OtpProvider = Callable[[str], "str | None"]
"""Asked for a code with a one-line prompt; answers the code, or ``None`` to give up."""

Notify = Callable[[str], None]
"""Shown the URL the user must open to finish web authentication."""

OTP_HEADER = "npm-otp"
_ONE_TIME = re.compile(r"one-time pass", re.IGNORECASE)
DEFAULT_PROMPT = "This operation requires a one-time password from your authenticator app."


def is_otp_challenge(response: httpx.Response) -> bool:
    """Whether a response asks for a one-time password (either shape)."""
    if response.status_code != 401:
        return False
    auth = response.headers.get("www-authenticate", "")
    if "otp" in (part.strip().lower() for part in auth.split(",")):
        return True
    return bool(_ONE_TIME.search(response.text)) or web_auth_urls(response) is not None


def web_auth_urls(response: httpx.Response) -> tuple[str, str] | None:
    """``(authUrl, doneUrl)`` from a web-auth challenge body, else ``None``."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or "authUrl" not in body or "doneUrl" not in body:
        return None
    from releasekit.registry.validation import validate

    validate(body, "web-auth", what="web authentication challenge")
    return str(body["authUrl"]), str(body["doneUrl"])


@dataclass
class OtpFlow:
    """Drive one request through the OTP / web-auth challenge, resending it at most once."""

    otp_provider: OtpProvider | None = None
    web_auth_notify: Notify | None = None
    web_auth_timeout: float = 300.0
    poll_interval: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    last_code: str | None = field(default=None, repr=False)

    @property
    def interactive(self) -> bool:
        return self.otp_provider is not None or self.web_auth_notify is not None

    def run(
        self,
        send: Callable[[str | None], httpx.Response],
        poll: Callable[[str], httpx.Response],
        *,
        otp: str | None,
        what: str,
    ) -> httpx.Response:
        """``send(otp)`` and, if challenged, get a code (prompt or web auth) and ``send`` once more.

        ``poll(url)`` performs ``GET url`` for web auth. Answers the final
        response, which may still be an error for the caller to map.
        """
        if otp:
            register_secret(otp)
        response = send(otp)
        if not is_otp_challenge(response):
            return response
        urls = web_auth_urls(response)
        notice = response.headers.get("npm-notice") or DEFAULT_PROMPT
        code: str | None
        if urls is not None and self.web_auth_notify is not None:
            code = self._web_auth(*urls, poll=poll, what=what)
        elif self.otp_provider is not None:
            prefix = "The one-time password was refused. " if otp else ""
            code = self.otp_provider(prefix + notice)
            if not code:
                raise OtpRequired(f"{what} needs a one-time password and none was entered", status=401)
        elif urls is not None:
            raise OtpRequired(
                f"{what} needs web authentication: open {urls[0]} in a terminal session, or pass --otp CODE",
                status=401,
            )
        elif otp:
            raise OtpRequired(
                f"{what}: the registry refused the one-time password given with --otp", status=401
            )
        else:
            raise OtpRequired(f"{what} needs a one-time password: pass --otp CODE", status=401)
        assert code
        register_secret(code)
        response = send(code)
        if is_otp_challenge(response):
            raise OtpRequired(f"{what}: the registry refused the one-time password", status=401)
        self.last_code = code  # a batch (bulk approve) tries it again for the next write
        return response

    def _web_auth(
        self, auth_url: str, done_url: str, *, poll: Callable[[str], httpx.Response], what: str
    ) -> str:
        from releasekit.registry.transport import retry_after
        from releasekit.registry.validation import parse_answer

        assert self.web_auth_notify is not None
        from releasekit.registry.names import strip_userinfo

        self.web_auth_notify(
            strip_userinfo(auth_url)
        )  # the registry chose this URL: show no credentials in it
        deadline = self.clock() + self.web_auth_timeout
        waited = 0.0  # counted as well as the clock, so an injected sleep keeps the timeout meaningful
        while True:
            response = poll(done_url)
            if response.status_code == 200:
                body: dict[str, Any] = parse_answer(
                    response, "web-auth-done", what="web authentication", secret_field="token"
                )
                return str(body["token"])
            if response.status_code != 202:
                raise RegistryError(
                    f"web authentication for {what} failed: registry answered HTTP {response.status_code}",
                    status=response.status_code,
                )
            wait = retry_after(response)
            wait = self.poll_interval if wait is None else min(wait, 30.0)
            if self.clock() + wait > deadline or waited + wait > self.web_auth_timeout:
                raise OtpRequired(
                    f"web authentication for {what} did not complete within {self.web_auth_timeout:.0f}s",
                    status=401,
                )
            self.sleep(wait)
            waited += wait
