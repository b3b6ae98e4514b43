"""Fetch a staged tarball and the published one it would replace, both checked, both in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from releasekit.errors import PackError, RegistryError, UsageError
from releasekit.package.model import PackedPackage
from releasekit.policy.findings import Finding, Severity
from releasekit.review.archive import REFUSED_RULE, Archive, read_archive
from releasekit.review.diff import StageDiff, diff_archives, manifest_of
from releasekit.review.integrity import check_dist_integrity, check_shasum

if TYPE_CHECKING:
    from releasekit.registry.client import StagedVersion


class StagedClient(Protocol):
    """What reviewing needs of a registry client (:class:`~releasekit.registry.client.RegistryClient`)."""

    def stage_view(self, stage_id: str) -> StagedVersion: ...
    def stage_tarball(self, stage_id: str) -> bytes: ...
    def packument(self, name: str) -> dict[str, Any] | None: ...
    def tarball(self, url: str) -> bytes: ...


@dataclass
class StagedTarball:
    entry: StagedVersion
    tarball: bytes
    archive: Archive

    def as_package(self) -> PackedPackage:
        """The staged tarball as the ``package`` fixture hands it to policies."""
        return PackedPackage(manifest_of(self.archive), self.archive.packed_files(), self.tarball, None)


def fetch_staged(client: StagedClient, stage_id: str) -> StagedTarball:
    entry = client.stage_view(stage_id)
    blob = client.stage_tarball(stage_id)
    check_shasum(blob, entry.shasum)
    spec = f"{entry.package_name or '?'}@{entry.version or '?'}"
    return StagedTarball(
        entry, blob, _read_tarball(blob, f"the staged tarball of {spec}", refusal_is_finding=True)
    )


def _read_tarball(blob: bytes, what: str, *, refusal_is_finding: bool = False) -> Archive:
    """Read a tarball the registry sent; garbage (an HTML page, say) is an error, not an empty package.

    A tar npm would read differently from us is, for the staged side, a hostile
    finding with nothing else to review: it shows in the diff and blocks approval.
    """
    try:
        archive = read_archive(blob)
    except PackError as exc:
        if exc.message.startswith("not an npm tarball"):
            raise RegistryError(f"{what} is not a tarball: {exc.message}") from None
        if refusal_is_finding:
            message = f"{what} cannot be reviewed as npm would install it: {exc.message}"
            return Archive({}, [Finding(REFUSED_RULE, message, severity=Severity.ERROR)])
        raise RegistryError(f"{what} is unreadable: {exc.message}") from None
    if (
        not archive.entries and not archive.findings
    ):  # hostile archives are reported by the diff, not refused here
        raise RegistryError(f"{what} is not a tarball: the registry sent {len(blob)} bytes holding no files")
    return archive


def baseline_version(packument: dict[str, Any] | None, tag: str | None, against: str | None) -> str | None:
    """What the staged version is compared with: ``--against``, else its tag's version, else ``latest``."""
    if packument is None:
        if against:
            raise UsageError(f"--against {against}: the package is not published yet")
        return None
    versions = packument.get("versions") or {}
    dist_tags = packument.get("dist-tags") or {}
    if against:
        resolved = dist_tags.get(against, against)
        if resolved not in versions:
            raise UsageError(f"--against {against}: no such published version or tag")
        return str(resolved)
    for candidate in (dist_tags.get(tag or "latest"), dist_tags.get("latest")):
        if candidate in versions:
            return str(candidate)
    return None


def fetch_published(client: StagedClient, name: str, version: str, packument: dict[str, Any]) -> Archive:
    dist = (packument.get("versions") or {}).get(version, {}).get("dist") or {}
    url = dist.get("tarball")
    if not url:
        raise RegistryError(f"{name}@{version} has no tarball URL in its packument")
    blob = client.tarball(str(url))
    check_dist_integrity(blob, dist, f"{name}@{version}")
    return _read_tarball(blob, f"the published tarball of {name}@{version}")


def diff_staged(
    client: StagedClient, staged: StagedTarball, against: str | None = None
) -> tuple[StageDiff, Archive | None]:
    name = str(staged.entry.package_name or manifest_of(staged.archive).get("name", ""))
    packument = client.packument(name)
    old_version = baseline_version(packument, staged.entry.tag, against)
    old = fetch_published(client, name, old_version, packument) if old_version and packument else None
    register_found_secrets(staged.archive)  # before the diff quotes any line of it
    return diff_archives(staged.archive, old, against=old_version), old


def register_found_secrets(archive: Archive) -> None:
    """Scan every file of ``archive`` so that what the scan finds is redacted from every output.

    The diff quotes lines (risky API uses, patches) and cuts them short: the
    secrets on them must be known before, not when a policy scans later.
    """
    from releasekit.scan import ScanSettings, scan_files

    settings = ScanSettings.default()
    scan_files(((path, entry.data) for path, entry in archive.entries.items()), settings.plan, settings.jobs)


def secret_lines(archive: Archive, paths: list[str]) -> dict[str, dict[int, str]]:
    """Per file, the lines the secret scan flags (line -> reason), so patches can withhold them."""
    from releasekit.scan import ScanSettings, scan_files

    settings = ScanSettings.default()
    files = [(p, archive.entries[p].data) for p in paths if p in archive.entries]
    hidden: dict[str, dict[int, str]] = {}
    for found in scan_files(files, settings.plan, settings.jobs):
        if found.line:
            hidden.setdefault(found.file, {})[found.line] = (
                f"possible secret ({found.type}, sha1 {found.hashed_secret})"
            )
    return hidden
