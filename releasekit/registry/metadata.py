"""A read-only view of one package's registry metadata, behind the ``registry`` fixture.

The packument is fetched lazily, on the first question a policy asks, and at
most once per run; a failure is remembered too, so ten version rules against a
broken registry make one request and report the same one-line error. The stage
list (which needs credentials) is fetched the same way, separately.

Where: the registry the package would be staged to (``--npm-registry``, then
``publishConfig.registry``, ``releasekit.yaml`` ``stage.registry``, ``.npmrc``,
then npmjs). Credentials, for the stage list only: ``NPM_TOKEN``, the token
stored by ``lpm login --npm``, then a locked ``.npmrc``'s ``_authToken``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from releasekit.errors import AuthRequired, RegistryError

if TYPE_CHECKING:
    from releasekit.config import Config
    from releasekit.options import StageOptions
    from releasekit.package.model import PackedPackage
    from releasekit.registry.auth import Credentials
    from releasekit.registry.client import RegistryClient, StagedVersion
    from releasekit.stage.target import RegistryChoice

DEFAULT_TIMEOUT = 30.0
_UNSET: Any = object()


def find_credentials(
    registry_url: str, project_dir: Path | None = None, registry_from_project: str | None = None
) -> Credentials | None:
    """Token credentials for ``registry_url`` (no OIDC: reading needs no publish identity), or ``None``.

    Policies run before anyone is asked anything, so a registry only the
    project's files name never gets ``NPM_TOKEN`` here (it reads anonymously).
    """
    from releasekit.registry.auth import resolve_token_credentials

    try:
        return resolve_token_credentials(
            registry_url, project_dir=project_dir, warn=None, registry_from_project=registry_from_project
        )
    except AuthRequired:
        return None


class PackageMetadata:
    """What the registry knows about one package. Every property may raise :class:`RegistryError`.

    ``client`` is built on first use when not given (tests hand in one with a
    mock transport). ``credentials`` are looked up when the stage list is
    first needed; pass ``None`` explicitly to run without any.
    """

    def __init__(
        self,
        name: str,
        registry_url: str,
        *,
        project_dir: Path | None = None,
        client: RegistryClient | None = None,
        credentials: Credentials | None = _UNSET,
        timeout: float = DEFAULT_TIMEOUT,
        registry_from_project: str | None = None,
    ) -> None:
        from releasekit.registry.names import normalize_registry_url

        self.name = name
        self.registry_url = normalize_registry_url(registry_url)
        self.project_dir = project_dir
        self.timeout = timeout
        self.registry_from_project = registry_from_project
        self._client = client
        self._credentials = credentials
        self._packument: Any = _UNSET
        self._staged: Any = _UNSET
        self.requests = 0  # how many packument fetches were made (at most one)

    def __repr__(self) -> str:
        return f"PackageMetadata({self.name!r}, {self.registry_url!r})"

    # -- transport -------------------------------------------------------------
    @property
    def credentials(self) -> Credentials | None:
        if self._credentials is _UNSET:
            self._credentials = find_credentials(
                self.registry_url, self.project_dir, self.registry_from_project
            )
        return self._credentials  # type: ignore[no-any-return]

    def _get_client(self) -> RegistryClient:
        if self._client is None:
            from releasekit.registry.client import RegistryClient

            creds = self.credentials
            self._client = RegistryClient(
                self.registry_url, creds.token if creds else None, timeout=self.timeout
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP connections (the fixture does this after the last policy)."""
        if self._client is not None:
            self._client.close()

    def _remember(self, attribute: str, fetch: Any) -> Any:
        value = getattr(self, attribute)
        if value is _UNSET:
            try:
                value = fetch()
            except RegistryError as exc:
                value = exc
            setattr(self, attribute, value)
        if isinstance(value, RegistryError):
            raise value
        return value

    # -- the packument -----------------------------------------------------------
    @property
    def packument(self) -> Mapping[str, Any] | None:
        """The full packument, or ``None`` when the registry does not know the package (404)."""

        def fetch() -> Mapping[str, Any] | None:
            self.requests += 1
            found = self._get_client().packument(self.name)
            if found is None:
                return None
            if not isinstance(found.get("versions", {}), Mapping):
                raise RegistryError(
                    f"metadata of {self.name} from {self.registry_url}: 'versions' is not an object"
                )
            return MappingProxyType(found)

        return self._remember("_packument", fetch)  # type: ignore[no-any-return]

    @property
    def exists(self) -> bool:
        return self.packument is not None

    @property
    def versions(self) -> Mapping[str, Mapping[str, Any]]:
        """Published versions, ``{}`` for a package that does not exist."""
        packument = self.packument
        return MappingProxyType(dict(packument.get("versions") or {})) if packument else MappingProxyType({})

    @property
    def dist_tags(self) -> Mapping[str, str]:
        packument = self.packument
        tags = packument.get("dist-tags") if packument else None
        return (
            MappingProxyType({str(k): str(v) for k, v in tags.items()}) if isinstance(tags, Mapping) else {}
        )

    @property
    def times(self) -> Mapping[str, str]:
        packument = self.packument
        times = packument.get("time") if packument else None
        return MappingProxyType(dict(times)) if isinstance(times, Mapping) else MappingProxyType({})

    def was_unpublished(self, version: str) -> bool:
        """The registry remembers ``version`` (in ``time``) but no longer serves it: npm never reuses it."""
        return (
            version not in self.versions and version in self.times and version not in ("created", "modified")
        )

    def highest_stable(self) -> str | None:
        """The highest published version that is neither a prerelease nor deprecated (npm's comparison)."""
        import semver

        best: semver.Version | None = None
        for text, data in self.versions.items():
            try:
                parsed = semver.Version.parse(text)
            except (ValueError, TypeError):
                continue
            if parsed.prerelease or (isinstance(data, Mapping) and data.get("deprecated")):
                continue
            if best is None or parsed > best:
                best = parsed
        return str(best) if best is not None else None

    # -- staging -------------------------------------------------------------------
    def staged(self) -> list[StagedVersion]:
        """Staged versions of this package visible to the credentials (needs :attr:`credentials`)."""

        def fetch() -> list[StagedVersion]:
            items = self._get_client().stage_list(package=self.name)
            return [s for s in items if s.package_name == self.name]

        return list(self._remember("_staged", fetch))


def registry_url_for(package: PackedPackage, options: StageOptions, config: Config | None) -> str:
    """The registry the package would be staged to (same precedence as ``lpm stage publish``)."""
    return registry_choice_for(package, options, config).url


def registry_choice_for(
    package: PackedPackage, options: StageOptions, config: Config | None
) -> RegistryChoice:
    """:func:`registry_url_for` with where the registry was named."""
    from releasekit.registry.resolve import choose_registry

    publish_config = package.manifest.get("publishConfig")
    return choose_registry(
        options.registry,
        publish_config=publish_config if isinstance(publish_config, Mapping) else None,
        config=config,
        project_dir=package.source_dir,
        name=package.name,
    )


def metadata_for(package: PackedPackage, options: StageOptions, config: Config | None) -> PackageMetadata:
    """The ``registry`` fixture's value: nothing is fetched until a policy asks."""
    timeout = config.get("versions.timeout", DEFAULT_TIMEOUT) if config is not None else DEFAULT_TIMEOUT
    choice = registry_choice_for(package, options, config)
    return PackageMetadata(
        package.name,
        choice.url,
        project_dir=package.source_dir,
        timeout=float(timeout),
        registry_from_project=choice.source if choice.from_project else None,
    )
