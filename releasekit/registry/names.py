"""Package names and registry URLs spelled the way the npm CLI spells them.

npm escapes only the slash of a scoped name (``@scope/name`` -> ``@scope%2fname``)
and keys per-registry settings by the URL without its scheme (the "nerf dart",
``//host[:port]/path/``). Keeping those spellings identical lets a token written
by ``npm login`` in ``.npmrc`` be found here, and lets Verdaccio and npmjs route
our requests exactly as they route npm's.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from releasekit.errors import UsageError
from releasekit.redaction import register_secret

NPMJS_REGISTRY = "https://registry.npmjs.org/"

# npm's own rule (validate-npm-package-name): lower-case, url-safe, at most 214 chars.
_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
# Looser shape for names we only look up: legacy packages may carry capitals.
_LOOKUP_NAME = re.compile(r"^(?:@[^/@\s%]+/)?[^/@\s%.][^/\s%]*$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def validate_name(name: str) -> str:
    """Answer ``name`` if npm would accept it as a package name, else :class:`UsageError`."""
    if not isinstance(name, str) or not name or len(name) > 214 or not _NAME.match(name):
        raise UsageError(f"invalid package name: {name!r}")
    return name


def escape_name(name: str) -> str:
    """``@scope/name`` -> ``@scope%2fname``; an unscoped name is percent-encoded as a path segment."""
    if not isinstance(name, str) or len(name) > 214 or not _LOOKUP_NAME.match(name):
        raise UsageError(f"invalid package name: {name!r}")
    if name.startswith("@"):
        scope, _, bare = name.partition("/")
        return f"{scope}%2f{quote(bare, safe='')}"
    return quote(name, safe="")


def scope_of(name: str) -> str | None:
    """``@scope`` of a scoped name, else ``None``."""
    return name.split("/", 1)[0] if name.startswith("@") and "/" in name else None


# scheme://userinfo@ (or a bare //userinfo@ at the start): the userinfo runs to the last "@" before the
# path, query or fragment.
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://|^\s*//)(?P<userinfo>[^/?#\s]*)@")


def strip_userinfo(text: str) -> str:
    """``text`` (a URL, or a message quoting URLs) with every ``user:password@`` removed; never raises.

    The removed credentials are registered for redaction. Works on malformed
    URLs too, since those are the ones that end up in error messages.
    """

    def strip(match: re.Match[str]) -> str:
        register_userinfo(match.group("userinfo"))
        return match.group("head")

    return _USERINFO.sub(strip, text)


def register_userinfo(userinfo: str) -> None:
    """Register the secrets of a URL's ``user:password`` for redaction (raw and percent-decoded)."""
    user, sep, password = userinfo.partition(":")
    for value in {userinfo, unquote(userinfo)}:
        register_secret(value)
    for value in (
        {password, unquote(password)} if sep else {user, unquote(user)}
    ):  # a lone user is often a token
        register_secret(value)


def normalize_registry_url(url: str) -> str:
    """An absolute http(s) URL ending in ``/`` (so relative paths join below it).

    Every refusal is a :class:`UsageError` that quotes the URL without its
    userinfo; a URL carrying credentials is refused, whatever else is wrong with it.
    """
    if not isinstance(url, str) or not url.strip():
        raise UsageError("registry URL is empty")
    url = url.strip()
    shown = strip_userinfo(url)
    has_userinfo = shown != url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "http://[::1", "http://host:abc/", a port past 65535
        raise UsageError(f"registry URL is malformed ({_url_problem(exc)}): {shown!r}") from None
    if has_userinfo or parts.username is not None or parts.password is not None:
        # Credentials in the URL would end up in logs, error messages and every request line.
        raise UsageError(
            f"registry URL must not carry credentials: {shown!r}; use NPM_TOKEN or lpm login --npm"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"registry URL must be an absolute http(s) URL: {shown!r}")
    if port == 0:
        raise UsageError(f"registry URL is malformed (port 0): {shown!r}")
    if parts.query or parts.fragment:
        raise UsageError(
            f"registry URL must not have a query or fragment: {parts.scheme}://{parts.netloc}{parts.path}"
        )
    return url if url.endswith("/") else url + "/"


def _url_problem(exc: ValueError) -> str:
    text = str(exc)
    if "IPv6" in text:
        return "unbalanced [ ] around an IPv6 address"
    if "out of range" in text:
        return "port out of range 1-65535"
    return "port is not a number"


def is_loopback(host: str | None) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1: traffic that never leaves the machine."""
    import ipaddress

    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def carries_tokens_safely(url: str) -> bool:
    """Whether a token may be sent to ``url``: https, or plain http to loopback only."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def registry_host(url: str) -> str:
    """Host name without port, as used in the OIDC audience ``npm:<host>``."""
    return str(urlsplit(normalize_registry_url(url)).hostname)


def nerf_dart(url: str) -> str:
    """``https://host:8443/path`` -> ``//host:8443/path/``, npm's per-registry config key."""
    parts = urlsplit(normalize_registry_url(url))
    return f"//{parts.netloc}{parts.path}"


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs share scheme, host and port (where a registry token may be sent)."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port or _default_port(pa.scheme)) == (
        pb.scheme,
        pb.hostname,
        pb.port or _default_port(pb.scheme),
    )


def _default_port(scheme: str) -> int | None:
    return {"http": 80, "https": 443}.get(scheme)


def validate_stage_id(stage_id: str) -> str:
    """Answer a stage id in canonical lower case, or :class:`UsageError` if it is not a UUID."""
    if not isinstance(stage_id, str) or not _UUID.match(stage_id.strip()):
        raise UsageError(
            f"stage id must be a UUID like 123e4567-e89b-12d3-a456-426614174000, got {stage_id!r}"
        )
    return stage_id.strip().lower()
