"""The publish body we send is the one npm sends: checked field by field, then accepted by Verdaccio."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import httpx
import pytest

from releasekit.errors import ManifestError
from releasekit.package.model import PackedFile, PackedPackage
from releasekit.stage.packument import clean_version, publish_body


def _package(name: str = "demo", version: str = "1.2.3", **manifest: object) -> PackedPackage:
    data = b'{"name": "x"}'
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/package.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return PackedPackage(
        {"name": name, "version": version, "description": "d", **manifest},
        (PackedFile("package.json", len(data), 0o644, data),),
        buf.getvalue(),
    )


def test_body_carries_one_version_tag_and_the_tarball() -> None:
    package = _package()
    body = publish_body(package, tag="next", access=None, registry="http://127.0.0.1:4873/")
    assert body["_id"] == body["name"] == "demo"
    assert body["dist-tags"] == {"next": "1.2.3"}
    assert body["access"] is None
    version = body["versions"]["1.2.3"]
    assert version["_id"] == "demo@1.2.3"
    assert version["dist"]["shasum"] == hashlib.sha1(package.tarball).hexdigest()
    expected_integrity = "sha512-" + base64.b64encode(hashlib.sha512(package.tarball).digest()).decode()
    assert version["dist"]["integrity"] == expected_integrity
    assert version["dist"]["tarball"] == "http://127.0.0.1:4873/demo/-/demo-1.2.3.tgz"
    attachment = body["_attachments"]["demo-1.2.3.tgz"]
    assert base64.b64decode(attachment["data"]) == package.tarball
    assert attachment["length"] == len(package.tarball)
    assert set(body["_attachments"]) == {"demo-1.2.3.tgz"}


def test_scoped_names_keep_the_scope_in_keys_and_urls() -> None:
    body = publish_body(
        _package("@acme/widget"), tag="latest", access="restricted", registry="https://r.example/npm"
    )
    assert "@acme/widget-1.2.3.tgz" in body["_attachments"]
    assert body["access"] == "restricted"
    # npm writes http:// into dist.tarball even for an https registry.
    assert (
        body["versions"]["1.2.3"]["dist"]["tarball"]
        == "http://r.example/npm/@acme/widget/-/@acme/widget-1.2.3.tgz"
    )


def test_provenance_attachment_is_added_under_npms_name() -> None:
    bundle = {"content_type": "application/vnd.dev.sigstore.bundle.v0.3+json", "data": "{}", "length": 2}
    body = publish_body(
        _package(),
        tag="latest",
        access="public",
        registry="https://r.example/",
        provenance=("demo-1.2.3.sigstore", bundle),
    )
    assert body["_attachments"]["demo-1.2.3.sigstore"] == bundle


def test_version_is_cleaned_and_bad_versions_refused() -> None:
    assert clean_version(" v1.0.0-beta.1 ") == "1.0.0-beta.1"
    assert clean_version("=2.0.0") == "2.0.0"
    body = publish_body(_package(version="v1.2.3"), tag="latest", access=None, registry="https://r.example/")
    assert list(body["versions"]) == ["1.2.3"]
    with pytest.raises(ManifestError, match="invalid semver"):
        clean_version("1.2")


def test_client_only_keys_are_dropped_and_the_manifest_is_not_mutated() -> None:
    package = _package(_resolved="file:../x", _integrity="sha1-xyz")
    body = publish_body(package, tag="latest", access=None, registry="https://r.example/")
    assert "_resolved" not in body["versions"]["1.2.3"]
    assert package.manifest["_resolved"] == "file:../x"
    assert "dist" not in package.manifest


def test_tarball_url_joins_below_a_path() -> None:
    body = publish_body(_package("n", "1.0.0"), tag="latest", access=None, registry="http://h:1/a/b")
    assert body["versions"]["1.0.0"]["dist"]["tarball"] == "http://h:1/a/b/n/-/n-1.0.0.tgz"


@pytest.mark.registry
def test_verdaccio_accepts_the_body_as_a_plain_publish(verdaccio, registry_user, unique_name) -> None:
    """The same body is a normal PUT publish: the registry must take it and serve the same bytes back."""
    name = unique_name("rk-body")
    package = _package(name, "0.1.0")
    body = publish_body(package, tag="latest", access=None, registry=verdaccio.url)
    headers = {"authorization": f"Bearer {registry_user.token}"}
    put = httpx.put(verdaccio.url + name, json=body, headers=headers, timeout=30)
    assert put.status_code in (200, 201), put.text
    doc = httpx.get(verdaccio.url + name, timeout=30).json()
    assert doc["dist-tags"]["latest"] == "0.1.0"
    dist = doc["versions"]["0.1.0"]["dist"]
    assert dist["shasum"] == package.shasum
    fetched = httpx.get(dist["tarball"], timeout=30).content
    assert fetched == package.tarball
