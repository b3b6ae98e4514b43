"""npm's version and dist-tag rules, checked before anything is staged.

Each refusal starts with the rule's id (``package-exists``, ``version-semver``,
``version-not-published``, ``version-not-staged``, ``prerelease-tag``,
``latest-tag``, ``tag-not-range``) and names the versions involved. Rules that
ask the registry use the ``registry`` fixture (fetched once, on first use) and
skip under ``--dry-run``, saying so. See docs/policies/versions.md.
"""

from __future__ import annotations

import releasekit
from releasekit.errors import AuthRequired, Forbidden
from releasekit.versions.rules import explicit_tag, is_semver_range, parse_version


def _offline(options, rule):
    if options.dry_run:
        releasekit.skip(f"{rule}: dry run, the registry was not asked")


@releasekit.mark.registry
@releasekit.mark.category("versions")
def policy_package_exists(registry, options, config):
    """The package already exists on the registry"""
    _offline(options, "package-exists")
    if registry.exists:
        return
    if not config.get("versions.require_existing_package", True):
        releasekit.skip(
            f"package-exists: {registry.name} is new on {registry.registry_url}; "
            "allowed by versions.require_existing_package: false"
        )
    releasekit.fail(
        f"package-exists: {registry.name} does not exist on {registry.registry_url}; lpm stages new versions of "
        "existing packages only (publish a first version with npm publish, or set "
        "versions.require_existing_package: false in releasekit.yaml)"
    )


@releasekit.mark.category("versions")
def policy_version_is_semver(manifest):
    """The version is valid semver"""
    version = manifest.get("version")
    if parse_version(version) is None:
        releasekit.fail(
            f"version-semver: {version!r} is not a valid semver version (MAJOR.MINOR.PATCH[-prerelease][+build])"
        )


@releasekit.mark.registry
@releasekit.mark.category("versions")
def policy_version_not_published(registry, manifest, options):
    """The version is not already published"""
    _offline(options, "version-not-published")
    version = str(manifest.get("version", ""))
    spec = f"{registry.name}@{version}"
    if version in registry.versions:
        latest = registry.dist_tags.get("latest")
        releasekit.fail(
            f"version-not-published: {spec} is already published on {registry.registry_url}"
            + (f" (latest is {latest})" if latest else "")
            + "; bump the version"
        )
    if registry.was_unpublished(version):
        releasekit.fail(
            f"version-not-published: {spec} was published on {registry.registry_url} and later unpublished "
            f"({registry.times[version]}); npm never allows a version number to be reused"
        )


@releasekit.mark.registry
@releasekit.mark.category("versions")
def policy_version_not_staged(registry, manifest, options):
    """The version is not already staged"""
    _offline(options, "version-not-staged")
    credentials = registry.credentials
    if credentials is None:
        releasekit.skip(
            f"version-not-staged: no npm credentials for {registry.registry_url} "
            "(NPM_TOKEN, .npmrc or lpm login), the stage list was not checked"
        )
    try:
        staged = registry.staged()
    except (AuthRequired, Forbidden) as exc:
        releasekit.skip(
            f"version-not-staged: the token from {credentials.source} cannot read the stage list of "
            f"{registry.registry_url} ({exc.status}), not checked"
        )
    version = str(manifest.get("version", ""))
    for item in staged:
        if item.version == version:
            releasekit.fail(
                f"version-not-staged: {item.spec} is already staged on {registry.registry_url} "
                f"(stage {item.id}, tag {item.tag or 'latest'}); approve or reject it first (lpm stage list)"
            )


@releasekit.mark.category("versions")
def policy_prerelease_needs_tag(manifest, options, config):
    """A prerelease version has an explicit tag"""
    version = parse_version(manifest.get("version"))
    if version is None:
        releasekit.skip("prerelease-tag: the version is not valid semver (see version-semver)")
    if version.prerelease and explicit_tag(manifest, options, config) is None:
        releasekit.fail(
            f"prerelease-tag: {version} is a prerelease; give it an explicit tag (--tag next, publishConfig.tag "
            "or stage.tag in releasekit.yaml) so that it does not become 'latest'"
        )


@releasekit.mark.registry
@releasekit.mark.category("versions")
def policy_latest_not_lowered(registry, manifest, options, config):
    """The implicit 'latest' tag never moves to a lower version"""
    version = parse_version(manifest.get("version"))
    if version is None:
        releasekit.skip("latest-tag: the version is not valid semver (see version-semver)")
    chosen = explicit_tag(manifest, options, config)
    if chosen is not None:
        return  # an explicit tag is the way out, whatever the registry holds
    if version.prerelease:
        releasekit.skip("latest-tag: a prerelease without a tag is refused by prerelease-tag")
    _offline(options, "latest-tag")
    highest = registry.highest_stable()
    if highest is not None and parse_version(highest) > version:
        releasekit.fail(
            f"latest-tag: {registry.registry_url} already has {registry.name}@{highest}, higher than {version}; "
            f"staging without a tag would move 'latest' back to {version}. Pass an explicit tag "
            "(--tag legacy, publishConfig.tag or stage.tag in releasekit.yaml)"
        )


@releasekit.mark.category("versions")
def policy_tag_not_semver_range(manifest, options, config):
    """The dist-tag is not a semver range"""
    chosen = explicit_tag(manifest, options, config)
    if chosen is not None and is_semver_range(chosen.tag):
        name = manifest.get("name", "<package>")
        releasekit.fail(
            f"tag-not-range: the tag {chosen.tag!r} (from {chosen.source}) is a valid semver range; npm refuses "
            f"such tags, since `npm install {name}@{chosen.tag}` would read it as a range"
        )
