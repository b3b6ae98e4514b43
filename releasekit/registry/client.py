"""A small client for the npm registry's read and staging endpoints.

Every method answers plain data (dicts, bytes, :class:`StagedVersion`) or
raises one of the :mod:`releasekit.errors` registry classes with a one-line
message that never contains the token or an OTP. HTTP statuses map as:
401 -> AuthRequired (or the OTP flow), 403 -> Forbidden, 404 -> NotFound,
409 -> Conflict, anything else -> RegistryError. A request that gets no
answer in time (the per-read timeout, or the overall deadline that also ends a
server trickling bytes) is :class:`~releasekit.errors.RegistryTimeout`; one
that cannot connect at all is :class:`~releasekit.errors.NetworkError`.

Tarballs are streamed: :meth:`RegistryClient.stage_tarball_to` hands the body
to a sink chunk by chunk, and no body is accepted past a size limit (the
``content-length`` the registry announced, else :data:`MAX_TARBALL_BYTES`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from releasekit.errors import (
    AuthRequired,
    Conflict,
    Forbidden,
    NetworkError,
    NotFound,
    RegistryError,
    RegistryTimeout,
    UsageError,
)
from releasekit.redaction import guard_logger, redact, register_secret, shorten
from releasekit.registry.names import (
    carries_tokens_safely,
    escape_name,
    normalize_registry_url,
    same_origin,
    validate_stage_id,
)
from releasekit.registry.otp import OTP_HEADER, Notify, OtpFlow, OtpProvider
from releasekit.registry.transport import (
    DEADLINE_PASSED,
    DEFAULT_DEADLINE,
    STAGE_HEADERS,
    RetryPolicy,
    build_http_client,
    deadline_passed,
    remaining,
    request_deadline,
    send,
)
from releasekit.registry.validation import parse_answer

if TYPE_CHECKING:
    import httpx

log = guard_logger("releasekit.registry")

MAX_PER_PAGE = 100
_RECONCILE_ATTEMPTS = 3
# No tarball body is accepted past this (1 GiB, the most the tar reader will ever expand).
MAX_TARBALL_BYTES = 1 << 30
_MAX_ERROR_BODY = 64 * 1024

Sink = Callable[[bytes], object]


@dataclass(frozen=True)
class StagedVersion:
    """One staged package version, as ``GET /-/stage/<id>`` describes it."""

    id: str
    package_name: str
    version: str
    tag: str | None = None
    created_at: str | None = None
    actor: str | None = None
    actor_type: str | None = None
    access: str | None = None
    shasum: str | None = None

    _WIRE = {
        "id": "id",
        "package_name": "packageName",
        "version": "version",
        "tag": "tag",
        "created_at": "createdAt",
        "actor": "actor",
        "actor_type": "actorType",
        "access": "access",
        "shasum": "shasum",
    }

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> StagedVersion:
        return cls(**{attr: item.get(wire) for attr, wire in cls._WIRE.items()})  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The wire spelling (``packageName``, ``createdAt``...), as ``npm stage view --json`` prints."""
        return {self._WIRE[f.name]: getattr(self, f.name) for f in fields(self)}

    @property
    def spec(self) -> str:
        return f"{self.package_name}@{self.version}"


def error_detail(response: httpx.Response) -> str:
    """The registry's own explanation: ``message`` (npmjs) or ``error`` (Verdaccio), else short text."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "error", "reason"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return _one_line(value)
        return ""
    text = response.text.strip() if response.content else ""
    if not text or text.lstrip().startswith("<"):  # an HTML error page says nothing useful in one line
        return ""
    return _one_line(text)


def _one_line(text: str, limit: int = 200) -> str:
    return shorten(" ".join(text.split()), limit)


_STATUS_ERRORS: dict[int, type[RegistryError]] = {
    401: AuthRequired,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


class RegistryClient:
    """Registry endpoints used by ``lpm stage``; one instance per registry and token.

    ``transport`` replaces httpx's network transport (tests pass a
    ``MockTransport``). ``otp_provider`` is called for a one-time password
    when an approve/reject is challenged; leave it ``None`` when there is no
    terminal, and the challenge becomes :class:`~releasekit.errors.OtpRequired`.
    """

    def __init__(
        self,
        registry_url: str,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        deadline: float | None = None,
        otp_provider: OtpProvider | None = None,
        web_auth_notify: Notify | None = None,
        web_auth_timeout: float = 300.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.registry_url = normalize_registry_url(registry_url)
        register_secret(token)
        if token and not _sendable(token):
            # httpx would fail deep inside (and quote the header); say it here, without the token.
            raise UsageError(
                "the npm token has characters an HTTP header cannot carry (spaces, control or non-ASCII "
                "characters); check NPM_TOKEN, the stored login or .npmrc"
            )
        if token and not carries_tokens_safely(self.registry_url):
            raise UsageError(
                f"refusing to send an npm token to {self.registry_url} over plain http "
                "(only loopback registries may use http); use its https:// URL"
            )
        self._token = token or None
        self._transport = transport
        self._timeout = timeout
        if deadline is None:  # npm's fetch-timeout from the environment or the user's .npmrc
            from releasekit.registry.npmrc import fetch_timeout

            deadline = fetch_timeout()
        self._deadline = DEFAULT_DEADLINE if deadline is None else deadline
        self._retry = retry or RetryPolicy()
        self._otp = OtpFlow(otp_provider, web_auth_notify, web_auth_timeout, sleep=self._retry.sleep)
        self._http: httpx.Client | None = None

    # -- lifecycle -------------------------------------------------------------
    def __repr__(self) -> str:
        return f"RegistryClient({self.registry_url!r}, token={'<set>' if self._token else None})"

    @property
    def last_otp(self) -> str | None:
        """The one-time password (or web-auth token) that last got a write through, for the next write."""
        return self._otp.last_code

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = build_http_client(timeout=self._timeout, transport=self._transport)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------
    def packument(self, name: str) -> dict[str, Any] | None:
        """Full metadata of ``name``, or ``None`` if the registry does not know it."""
        what = f"metadata of {name}"
        response = self._get(escape_name(name), what=what)
        if response.status_code == 404:
            return None
        self._check(response, what)
        return dict(parse_answer(response, "packument", what=what))

    def whoami(self) -> str:
        """User name the token belongs to (``GET /-/whoami``)."""
        if self._token is None:
            raise AuthRequired("no token to check: set NPM_TOKEN or run lpm login --npm")
        response = self._get("-/whoami", what="whoami")
        self._check(response, "whoami")
        return str(parse_answer(response, "whoami", what="whoami")["username"])

    def tarball(self, url: str, *, limit: int = MAX_TARBALL_BYTES) -> bytes:
        """Bytes of a published tarball (at most ``limit``); the token is sent only to the registry's origin."""
        import httpx

        try:
            absolute = str(httpx.URL(self.registry_url).join(url))
        except (httpx.InvalidURL, TypeError, ValueError):
            raise RegistryError(f"the registry gave an unusable tarball URL: {_shown(url)!r}") from None
        if not absolute.startswith(("http://", "https://")):
            raise UsageError(f"tarball URL must be http(s): {_shown(url)!r}")
        chunks: list[bytes] = []
        self._download(absolute, what=f"tarball {_shown(absolute)}", sink=chunks.append, limit=limit)
        return b"".join(chunks)

    # -- staging ---------------------------------------------------------------
    def stage_list(self, package: str | None = None, per_page: int = MAX_PER_PAGE) -> list[StagedVersion]:
        """Every staged version visible to the token (optionally of one package), all pages."""
        if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
            raise UsageError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page!r}")
        if package is not None:
            escape_name(package)  # validates
        what = "stage list"
        seen: dict[str, StagedVersion] = {}
        page = 0
        while True:
            params: dict[str, str | int] = {"page": page, "perPage": per_page}
            if package is not None:
                params["package"] = package
            response = self._get("-/stage", what=what, params=params, stage=True)
            self._check(response, what)
            body = parse_answer(response, "stage-list", what=what)
            items = body["items"]
            for item in items:
                staged = StagedVersion.from_wire(item)
                seen.setdefault(staged.id, staged)
            # A server may cap perPage below what we asked; trust what it says it used.
            served_per_page = body.get("perPage") or per_page
            if len(seen) >= body["total"] or len(items) < served_per_page or not items:
                return list(seen.values())
            page += 1
            if page > 100_000:  # a registry whose total never comes true must not loop forever
                raise RegistryError("registry answered an endless stage list (total never reached)")

    def stage_view(self, stage_id: str) -> StagedVersion:
        stage_id = validate_stage_id(stage_id)
        what = f"stage view {stage_id}"
        response = self._get(f"-/stage/{stage_id}", what=what, stage=True)
        self._check(response, what)
        return StagedVersion.from_wire(parse_answer(response, "stage-item", what=what))

    def stage_tarball(self, stage_id: str, *, limit: int = MAX_TARBALL_BYTES) -> bytes:
        """The staged tarball in memory, refused past ``limit`` bytes (for review; to save one, stream it)."""
        chunks: list[bytes] = []
        self.stage_tarball_to(stage_id, chunks.append, limit=limit)
        return b"".join(chunks)

    def stage_tarball_to(self, stage_id: str, sink: Sink, *, limit: int = MAX_TARBALL_BYTES) -> int:
        """Stream the staged tarball into ``sink`` chunk by chunk; answers the byte count."""
        stage_id = validate_stage_id(stage_id)
        return self._download(
            f"-/stage/{stage_id}/tarball",
            what=f"stage download {stage_id}",
            sink=sink,
            limit=limit,
            stage=True,
        )

    def stage_attestations(self, stage_id: str) -> list[dict[str, Any]] | None:
        """Sigstore bundles the registry keeps with a staged version, or ``None`` if it has none.

        The answer has the shape of npm's published ``/-/npm/v1/attestations/<spec>``:
        ``{"attestations": [{"predicateType", "bundle"}]}``.
        """
        stage_id = validate_stage_id(stage_id)
        what = f"stage attestations {stage_id}"
        response = self._get(f"-/stage/{stage_id}/attestations", what=what, stage=True)
        if response.status_code in (404, 405, 501):  # none kept, or a registry without the endpoint
            return None
        self._check(response, what)
        return list(parse_answer(response, "attestations", what=what)["attestations"])

    def stage_approve(self, stage_id: str, otp: str | None = None) -> dict[str, Any]:
        """Publish a staged version for real; may ask for an OTP (see :mod:`releasekit.registry.otp`)."""
        stage_id = validate_stage_id(stage_id)
        return self._settled_write(
            "POST", f"-/stage/{stage_id}/approve", stage_id, f"stage approve {stage_id}", otp
        )

    def stage_reject(self, stage_id: str, otp: str | None = None) -> dict[str, Any]:
        """Delete a staged version and its tarball. Permanent."""
        stage_id = validate_stage_id(stage_id)
        return self._settled_write("DELETE", f"-/stage/{stage_id}", stage_id, f"stage reject {stage_id}", otp)

    def _settled_write(
        self, method: str, path: str, stage_id: str, what: str, otp: str | None
    ) -> dict[str, Any]:
        """Approve or reject, never guessing at an unknown outcome.

        The entry is viewed first (a missing id fails before any OTP is spent).
        Both writes remove the staged record, so after a failed connection
        "still staged" proves the first attempt did nothing and one more is
        safe, while "gone" means it happened (for approve: confirmed in the
        packument).
        """
        import httpx

        staged = self.stage_view(stage_id)
        try:
            response = self._write(method, path, what=what, otp=otp)
        except httpx.TransportError as exc:
            cause = _describe(exc)
            if _never_sent(exc):
                raise self._unreachable(f"{what} was not sent", exc) from None
            settled = self._settle(staged, method, what, cause)
            if settled is not None:
                return settled
            log.debug(
                "%s: first attempt failed (%s) and %s is still staged; sending again", what, cause, stage_id
            )
            try:
                response = self._write(method, path, what=what, otp=otp)
            except httpx.TransportError as again:
                raise NetworkError(
                    f"{what} failed twice ({_describe(again)}); {staged.spec} is still staged"
                ) from None
        self._check(response, what)
        return _json_or_empty(response)

    def _settle(self, staged: StagedVersion, method: str, what: str, cause: str) -> dict[str, Any] | None:
        """``None`` if ``staged`` is still staged, else the answer the write would have had."""
        unknown = f"{what} has an unknown outcome ({cause})"
        try:
            try:
                self.stage_view(staged.id)
                return None
            except NotFound:
                pass
            if method == "DELETE":
                return {
                    "reconciled": True,
                    "message": f"the connection failed ({cause}) but {staged.spec} is no longer staged",
                }
            packument = self.packument(staged.package_name) or {}
        except RegistryError as check:
            raise NetworkError(
                f"{unknown} and checking failed too ({check}); check with lpm stage list"
            ) from None
        if staged.version in (packument.get("versions") or {}):
            return {
                "reconciled": True,
                "message": f"the connection failed ({cause}) but {staged.spec} is published",
            }
        raise NetworkError(f"{unknown}: {staged.spec} is neither staged nor published any more")

    def stage_publish(
        self, name: str, packument_body: Mapping[str, Any], otp: str | None = None
    ) -> dict[str, Any]:
        """Upload ``packument_body`` (npm's publish body) to staging; answers ``{"stageId": ...}``.

        Never retried blindly. If the outcome is unknown (timeout, connection
        dropped after sending), the stage list is consulted: a match answers
        ``{"stageId", "reconciled": True, "message"}``; no match raises
        :class:`NetworkError` saying nothing was staged.
        """
        import httpx

        version, shasum = _single_version(name, packument_body)
        spec = f"{name}@{version}"
        what = f"stage publish {spec}"
        content = json.dumps(packument_body, separators=(",", ":")).encode()
        try:
            response = self._write(
                "POST", f"-/stage/package/{escape_name(name)}", what=what, otp=otp, content=content
            )
        except httpx.TransportError as exc:
            if _never_sent(exc):
                raise self._unreachable(what, exc, "; nothing was staged") from None
            return self._reconcile(name, version, shasum, cause=_describe(exc))
        if response.status_code == 409:
            raise Conflict(
                f"{what}: {spec} is already published or staged"
                + (f" (registry: {d})" if (d := error_detail(response)) else ""),
                status=409,
            )
        self._check(response, what)
        return dict(parse_answer(response, "stage-created", what=what))

    def exchange_oidc_token(self, name: str, id_token: str) -> dict[str, Any]:
        """Trade a CI id token for a short-lived publish token for ``name`` (trusted publishing)."""
        register_secret(id_token)
        what = f"OIDC token exchange for {name}"
        if not carries_tokens_safely(self.registry_url):
            raise UsageError(f"{what}: refusing to send an id token to {self.registry_url} over plain http")
        try:
            response = send(
                self.http,
                self.http.build_request(
                    "POST",
                    self._absolute(f"-/npm/v1/oidc/token/exchange/package/{escape_name(name)}"),
                    headers={"authorization": f"Bearer {id_token}"},
                ),
                self._retry,
                deadline=self._deadline,
            )
        except _transport_errors() as exc:
            raise _network_error(exc, f"{what}: {_describe(exc)}") from None
        self._check(response, what)
        return dict(parse_answer(response, "oidc-exchange", what=what, secret_field="token"))

    # -- plumbing --------------------------------------------------------------
    def _absolute(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.registry_url + path_or_url.lstrip("/")

    def _headers(self, url: str, *, stage: bool, accept: str | None = None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if stage:
            headers.update(STAGE_HEADERS)
        if accept:
            headers["accept"] = accept
        if self._token and same_origin(url, self.registry_url):
            headers["authorization"] = f"Bearer {self._token}"
        return headers

    def _get(
        self,
        path_or_url: str,
        *,
        what: str,
        params: Mapping[str, str | int] | None = None,
        stage: bool = False,
        accept: str | None = None,
    ) -> httpx.Response:
        url = self._absolute(path_or_url)
        request = self.http.build_request(
            "GET", url, params=params, headers=self._headers(url, stage=stage, accept=accept)
        )
        try:
            response = send(self.http, request, self._retry, deadline=self._deadline)
        except _transport_errors() as exc:
            raise self._unreachable(what, exc) from None
        log.debug("GET %s -> %s", request.url.path, response.status_code)
        return response

    def _unreachable(self, what: str, exc: Exception, tail: str = "") -> NetworkError:
        """The error for a request that failed in transport: timed out, or could not reach the registry."""
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return RegistryTimeout(
                f"{what}: {self.registry_url} did not answer in time ({_timeout_cause(exc, self)}){tail}"
            )
        return NetworkError(f"{what}: could not reach {self.registry_url} ({_describe(exc)}){tail}")

    def _download(self, path_or_url: str, *, what: str, sink: Sink, limit: int, stage: bool = False) -> int:
        """GET a body into ``sink`` in chunks, refusing more than ``limit`` bytes or the announced length."""
        import httpx

        url = self._absolute(path_or_url)
        headers = self._headers(url, stage=stage, accept="application/octet-stream")
        request = self.http.build_request("GET", url, headers=headers)
        with request_deadline(self._deadline):
            try:
                response = send(self.http, request, self._retry, deadline=self._deadline, stream=True)
                try:
                    if not 200 <= response.status_code < 300:
                        self._check(_bounded_error(response, request), what)
                    return _stream_body(response, what, sink, limit)
                finally:
                    response.close()
            except _transport_errors() as exc:
                if isinstance(exc, httpx.RemoteProtocolError):  # the body ended before content-length
                    raise NetworkError(
                        f"{what}: the registry closed the connection before the whole body came ({_describe(exc)})"
                    ) from None
                if isinstance(exc, httpx.TimeoutException) and deadline_passed():
                    exc = type(exc)(DEADLINE_PASSED)
                raise self._unreachable(what, exc) from None

    def _write(
        self, method: str, path: str, *, what: str, otp: str | None, content: bytes | None = None
    ) -> httpx.Response:
        """A stage write through the OTP flow, sent once; transport errors propagate for the caller to judge."""
        url = self._absolute(path)

        def attempt(code: str | None) -> httpx.Response:
            headers = self._headers(url, stage=True)
            if content is not None:
                headers["content-type"] = "application/json"
            if code:
                headers[OTP_HEADER] = code
            request = self.http.build_request(method, url, content=content, headers=headers)
            response = send(
                self.http, request, self._retry, deadline=self._deadline
            )  # never retried: not GET
            log.debug("%s %s -> %s", method, request.url.path, response.status_code)
            return response

        def poll(done_url: str) -> httpx.Response:
            return self._get(done_url, what=f"web authentication for {what}")

        return self._otp.run(attempt, poll, otp=otp, what=what)

    def _check(self, response: httpx.Response, what: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = error_detail(response)
        reason = response.reason_phrase or ""
        message = f"{what}: registry answered {status}{' ' + reason if reason else ''}"
        if detail:
            message += f": {detail}"
        hint = None
        if status == 401:
            hint = "set NPM_TOKEN or run lpm login --npm" if self._token is None else "the token was refused"
            if self._token is None:
                message += " (no token was sent)"
        raise _STATUS_ERRORS.get(status, RegistryError)(redact(message), status=status, hint=hint)

    def _reconcile(self, name: str, version: str, shasum: str | None, *, cause: str) -> dict[str, Any]:
        """After an uncertain upload: ask the stage list whether ``name@version`` landed."""
        spec = f"{name}@{version}"
        for attempt in range(1, _RECONCILE_ATTEMPTS + 1):
            try:
                staged = [
                    s
                    for s in self.stage_list(package=name)
                    if s.package_name == name and s.version == version
                ]
            except RegistryError as exc:
                raise NetworkError(
                    f"stage publish {spec}: the upload failed ({cause}) and listing staged versions failed too "
                    f"({exc}); run `lpm stage list {name}` before trying again"
                ) from None
            if staged:
                found = staged[0]
                if shasum and found.shasum and found.shasum.lower() != shasum.lower():
                    raise Conflict(
                        f"stage publish {spec}: the upload failed ({cause}) and {spec} is staged with a different "
                        f"tarball (stage id {found.id})",
                        status=409,
                    )
                return {
                    "stageId": found.id,
                    "reconciled": True,
                    "message": f"the connection failed ({cause}) but the registry lists {spec} as staged",
                }
            if attempt < _RECONCILE_ATTEMPTS:
                # The server may still be writing the upload it received.
                self._retry.sleep(self._retry.delay(attempt))
        raise NetworkError(
            f"stage publish {spec}: the upload failed ({cause}) and the registry does not list {spec} as staged; "
            "nothing was staged, it is safe to try again"
        )


def _single_version(name: str, body: Mapping[str, Any]) -> tuple[str, str | None]:
    """Check the body is a one-version publish of ``name``; answer (version, sha1 of the attachment)."""
    escape_name(name)
    if not isinstance(body, Mapping):
        raise UsageError("stage body must be a JSON object")
    versions = body.get("versions")
    attachments = body.get("_attachments")
    if body.get("name") != name or not isinstance(versions, Mapping) or len(versions) != 1:
        raise UsageError(f"stage body must describe exactly one version of {name}")
    if not isinstance(attachments, Mapping) or not attachments:
        raise UsageError("stage body has no tarball attachment")
    (version,) = versions
    shasum = None
    for attachment in attachments.values():
        if isinstance(attachment, Mapping) and str(attachment.get("content_type", "")).endswith(
            "octet-stream"
        ):
            try:
                shasum = hashlib.sha1(
                    base64.b64decode(str(attachment.get("data", "")), validate=True)
                ).hexdigest()
            except ValueError:
                raise UsageError("stage body's tarball attachment is not valid base64") from None
    return str(version), shasum


def _sendable(token: str) -> bool:
    """Whether ``token`` can go in an ``Authorization`` header: visible ASCII only."""
    return all("!" <= ch <= "~" for ch in token)


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    if not response.content.strip():
        return {}
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return dict(body) if isinstance(body, dict) else {}


def _transport_errors() -> type[Exception]:
    import httpx

    return httpx.TransportError


def _never_sent(exc: Exception) -> bool:
    """Whether a transport error proves the request never reached the server."""
    import httpx

    return isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.UnsupportedProtocol
    )


def _describe(exc: Exception) -> str:
    text = _shown(str(exc).strip())  # httpx quotes URLs, redirect targets included
    return redact(f"{type(exc).__name__}: {_one_line(text, 120)}" if text else type(exc).__name__)


def _shown(url: str) -> str:
    """``url`` without userinfo, for messages."""
    from releasekit.registry.names import strip_userinfo

    return strip_userinfo(url)


def _timeout_cause(exc: Exception, client: RegistryClient) -> str:
    import httpx

    if DEADLINE_PASSED in str(exc):
        return f"the {client._deadline:g}s deadline for the whole request passed"
    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection was accepted"
    return f"no data for {client._timeout:g}s"


def _bounded_error(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """A copy of an error ``response`` holding at most the first 64 KiB of its body, for the message."""
    import httpx

    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= _MAX_ERROR_BODY:
            break
    return httpx.Response(
        response.status_code, headers=response.headers, content=bytes(body[:_MAX_ERROR_BODY]), request=request
    )


def _stream_body(response: httpx.Response, what: str, sink: Sink, limit: int) -> int:
    """Feed the body to ``sink``; refuse it past ``limit`` or the announced length, and at the deadline."""
    announced = _content_length(response)
    if announced is not None and announced > limit:
        raise RegistryError(
            f"{what}: the registry announces {announced} bytes, more than the {limit}-byte limit; "
            "nothing was kept"
        )
    cap = limit if announced is None else announced
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > cap:
            raise RegistryError(
                f"{what}: the registry sent more than "
                + (
                    f"the {announced} bytes it announced"
                    if announced is not None
                    else f"the {limit}-byte limit"
                )
                + "; nothing was kept"
            )
        left = remaining()
        if left is not None and left <= 0:  # a transport without deadline streams (a test double)
            import httpx

            raise httpx.ReadTimeout(DEADLINE_PASSED)
        sink(chunk)
    if announced is not None and total != announced:
        raise NetworkError(f"{what}: the registry sent {total} of the {announced} bytes it announced")
    return total


def _content_length(response: httpx.Response) -> int | None:
    """The body length the registry announced, when the bytes we count are the bytes it counted."""
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _network_error(exc: Exception, message: str) -> NetworkError:
    import httpx

    return RegistryTimeout(message) if isinstance(exc, httpx.TimeoutException) else NetworkError(message)
