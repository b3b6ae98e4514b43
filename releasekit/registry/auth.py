"""Which credentials ``lpm stage`` uses, tried in npm's order.

For a publish (upload to staging):

1. OIDC trusted publishing: an id token from ``NPM_ID_TOKEN`` or GitHub
   Actions (``ACTIONS_ID_TOKEN_REQUEST_URL`` / ``_TOKEN``, audience
   ``npm:<registry host>``), exchanged at the registry for a short-lived token;
2. ``NPM_TOKEN``;
3. the token stored by ``lpm login --npm``;
4. ``//host/:_authToken`` in the project's ``.npmrc``, then the user's.

Listing, viewing, downloading, approving and rejecting use 2-4 only: a CI
identity may upload, but approval needs a person. When nothing is found,
:class:`~releasekit.errors.AuthRequired` lists what was tried.

Where each credential may go, as npm scopes them:

- a token from ``.npmrc`` or the token store goes only to the registry it is
  keyed to (the nerf-dart ``//host/path/`` match);
- ``NPM_TOKEN`` and the OIDC identity are not keyed to anything: they go to
  the registry chosen on the command line or by the user's npm config (or
  npmjs). A registry named only by the project's files gets them only if
  ``consent`` (a callback from the CLI: a prompt, or ``--yes`` with a warning)
  says yes;
- no token goes over plain http, except to loopback.

A project ``.npmrc`` token written as ``${VAR}`` counts as an environment
token when the project's files also chose the registry: it needs the same
consent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from releasekit.errors import AuthRequired, RegistryError
from releasekit.redaction import redact, register_secret
from releasekit.registry import npmrc, token_store
from releasekit.registry.names import carries_tokens_safely, nerf_dart, normalize_registry_url, registry_host
from releasekit.terminal import layout_safe

if TYPE_CHECKING:
    import httpx

Warn = Callable[[str], None]
# Asked, with a one-line question naming the host, before NPM_TOKEN or an OIDC identity goes to a
# registry named only by the project's files.
Consent = Callable[[str], bool]
Kind = Literal["oidc", "token"]


@dataclass(frozen=True)
class Credentials:
    """A token and where it came from. ``repr`` and ``str`` never show the token."""

    token: str = field(repr=False)
    kind: Kind
    source: str

    def __post_init__(self) -> None:
        register_secret(self.token)

    def __str__(self) -> str:
        return f"{self.kind} token from {self.source}"


def warn_stderr(message: str) -> None:
    sys.stderr.write(layout_safe(f"lpm: warning: {message}") + "\n")


def resolve_credentials(
    registry_url: str,
    *,
    package_name: str | None = None,
    project_dir: Path | str | None = None,
    allow_oidc: bool = False,
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    warn: Warn | None = warn_stderr,
    registry_from_project: str | None = None,
    consent: Consent | None = None,
) -> Credentials:
    """The first credentials found, in the order above; OIDC only with ``allow_oidc`` and a package name.

    ``registry_from_project`` names the project file that alone chose this
    registry (``None``: the command line or the user chose it); then
    ``consent`` is asked once before ``NPM_TOKEN`` or OIDC is used, and no
    ``consent`` means no.
    """
    env = os.environ if env is None else env
    registry_url = normalize_registry_url(registry_url)
    tried: list[str] = []
    if not carries_tokens_safely(registry_url):
        register_secret(env.get("NPM_TOKEN"))
        raise AuthRequired(
            f"no npm token is sent to {registry_url} over plain http (only loopback registries may use http)",
            hint="use the registry's https:// URL",
        )
    unkeyed = _UnkeyedConsent(registry_url, registry_from_project, consent)

    if allow_oidc:
        if package_name is None:
            tried.append("OIDC trusted publishing (no package name)")
        elif not _has_id_token(env):
            tried.append(
                "OIDC trusted publishing (no id token: NPM_ID_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL unset)"
            )
        elif not unkeyed.allowed("your CI's OIDC identity"):
            tried.append(f"OIDC trusted publishing ({unkeyed.refusal})")
        else:
            found, note = _oidc(registry_url, package_name, env=env, transport=transport, warn=warn)
            if found is not None:
                return found
            tried.append(f"OIDC trusted publishing ({note})")

    token = env.get("NPM_TOKEN", "").strip()
    if token:
        register_secret(token)
        if unkeyed.allowed("NPM_TOKEN"):
            return Credentials(token, "token", "NPM_TOKEN")
        tried.append(f"NPM_TOKEN ({unkeyed.refusal})")
    else:
        tried.append("NPM_TOKEN (not set)")

    stored = token_store.load_token(registry_url, env=env, warn=warn)
    if stored:
        return Credentials(stored, "token", f"lpm login --npm ({token_store.token_path(env)})")
    tried.append(f"lpm login --npm (nothing stored for {nerf_dart(registry_url)})")

    notes: list[str] = []
    from_file = npmrc.auth_token(registry_url, project_dir, env=env, warn=warn, notes=notes)
    if from_file is not None:
        # A project .npmrc that names the registry *and* keys ${NPM_TOKEN} to it would smuggle an
        # environment token past the consent above: the same question applies.
        in_project = project_dir is not None and from_file.path == Path(project_dir) / ".npmrc"
        if not (in_project and from_file.from_env):
            return Credentials(from_file.token, "token", str(from_file.path))
        if unkeyed.allowed(f"the environment token {from_file.path} puts in its _authToken"):
            return Credentials(from_file.token, "token", str(from_file.path))
        notes.append(f"{from_file.path}: its ${{...}} token {unkeyed.refusal}")
    paths = ", ".join(str(p) for p in npmrc.npmrc_paths(project_dir, env=env))
    tried.append(".npmrc (" + ("; ".join(notes) if notes else f"none found at {paths}") + ")")

    raise AuthRequired(
        redact(f"no npm credentials for {registry_url}: tried " + ", ".join(tried)),
        hint="set NPM_TOKEN, run lpm login --npm, or add //host/:_authToken to a 0600 .npmrc",
    )


class _UnkeyedConsent:
    """Whether credentials keyed to no registry (NPM_TOKEN, OIDC) may go to this one; asked at most once."""

    def __init__(self, registry_url: str, from_project: str | None, consent: Consent | None) -> None:
        self.host = urlsplit(registry_url).netloc
        self.from_project = from_project
        self.consent = consent
        self.answer: bool | None = None

    @property
    def refusal(self) -> str:
        return (
            f"not sent to {self.host}, which only {self.from_project} names: confirm at the prompt, "
            "pass --yes, or name the registry with --npm-registry"
        )

    def allowed(self, what: str) -> bool:
        if self.from_project is None:
            return True
        if self.answer is None:
            question = (
                f"{what} would be sent to {self.host}, a registry named only by this project's files "
                f"({self.from_project})"
            )
            self.answer = bool(self.consent(question)) if self.consent is not None else False
        return self.answer


def _has_id_token(env: Mapping[str, str]) -> bool:
    return bool(env.get("NPM_ID_TOKEN", "").strip()) or bool(
        env.get("ACTIONS_ID_TOKEN_REQUEST_URL") and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    )


def resolve_publish_credentials(registry_url: str, package_name: str, **kwargs: object) -> Credentials:
    return resolve_credentials(registry_url, package_name=package_name, allow_oidc=True, **kwargs)  # type: ignore[arg-type]


def resolve_token_credentials(registry_url: str, **kwargs: object) -> Credentials:
    return resolve_credentials(registry_url, allow_oidc=False, **kwargs)  # type: ignore[arg-type]


# -- OIDC trusted publishing ---------------------------------------------------------------------


def oidc_audience(registry_url: str) -> str:
    return f"npm:{registry_host(registry_url)}"


def id_token(
    registry_url: str, *, env: Mapping[str, str], transport: httpx.BaseTransport | None = None
) -> tuple[str, str] | None:
    """``(id token, where from)`` for the registry's audience, or ``None`` when the CI offers none."""
    direct = env.get("NPM_ID_TOKEN", "").strip()
    if direct:
        register_secret(direct)
        return direct, "NPM_ID_TOKEN"
    url, bearer = env.get("ACTIONS_ID_TOKEN_REQUEST_URL", ""), env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "")
    if not (url and bearer):
        return None
    register_secret(bearer)
    import httpx

    from releasekit.registry.transport import RetryPolicy, build_http_client, send
    from releasekit.registry.validation import parse_answer

    what = "GitHub Actions id token"
    try:
        request_url = httpx.URL(url).copy_merge_params({"audience": oidc_audience(registry_url)})
    except (httpx.InvalidURL, TypeError, ValueError):
        raise RegistryError("ACTIONS_ID_TOKEN_REQUEST_URL is not a valid URL") from None
    with build_http_client(timeout=30.0, transport=transport) as client:
        request = client.build_request("GET", request_url, headers={"authorization": f"Bearer {bearer}"})
        try:
            response = send(client, request, RetryPolicy(attempts=3))
        except httpx.TransportError as exc:
            raise RegistryError(f"{what}: request failed ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise RegistryError(f"{what}: GitHub answered {response.status_code}", status=response.status_code)
    value = str(parse_answer(response, "github-id-token", what=what, secret_field="value")["value"])
    return value, "GitHub Actions"


def _oidc(
    registry_url: str,
    package_name: str,
    *,
    env: Mapping[str, str],
    transport: httpx.BaseTransport | None,
    warn: Warn | None,
) -> tuple[Credentials | None, str]:
    """Exchange a CI id token for a publish token; ``(None, why not)`` when that is not possible."""
    from releasekit.registry.client import RegistryClient

    try:
        found = id_token(registry_url, env=env, transport=transport)
    except RegistryError as exc:
        if warn is not None:
            warn(f"OIDC trusted publishing skipped: {exc}")
        return None, str(exc)
    if found is None:
        return None, "no id token: NPM_ID_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL unset"
    token, origin = found
    try:
        with RegistryClient(registry_url, transport=transport) as client:
            answer = client.exchange_oidc_token(package_name, token)
    except RegistryError as exc:
        # npm falls back to other auth silently; say why, since a misconfigured trusted publisher is
        # otherwise very hard to diagnose.
        if warn is not None:
            warn(f"OIDC trusted publishing failed, trying token auth: {exc}")
        return None, f"exchange failed: {exc}"
    return Credentials(str(answer["token"]), "oidc", f"OIDC trusted publishing ({origin})"), "ok"
