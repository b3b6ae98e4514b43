"""Where a package is staged: flags, then publishConfig, then releasekit.yaml, then .npmrc, then npm's defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from releasekit.config import load_config
from releasekit.errors import UsageError
from releasekit.options import StageOptions
from releasekit.package.model import PackedPackage
from releasekit.stage.target import DEFAULT_REGISTRY, resolve_target


def _package(root: Path, **manifest: object) -> PackedPackage:
    data = {"name": "demo", "version": "1.0.0", **manifest}
    (root / "package.json").write_text(json.dumps(data))
    return PackedPackage(data, (), b"", root)


def _config(root: Path, yaml: str | None):
    if yaml is not None:
        (root / "releasekit.yaml").write_text(yaml)
    return load_config(root)


def test_defaults(tmp_path: Path) -> None:
    target = resolve_target(_package(tmp_path), StageOptions(), _config(tmp_path, None))
    assert (target.tag, target.access, target.registry) == ("latest", None, DEFAULT_REGISTRY)
    assert target.spec == "demo@1.0.0"


def test_each_layer_wins_over_the_next(tmp_path: Path) -> None:
    (tmp_path / ".npmrc").write_text("registry=http://npmrc.example/\n")
    config = _config(
        tmp_path, "stage:\n  tag: from-yaml\n  access: public\n  registry: http://yaml.example/\n"
    )
    bare = _package(tmp_path)
    assert resolve_target(bare, StageOptions(), None).registry == "http://npmrc.example/"
    assert resolve_target(bare, StageOptions(), config).registry == "http://yaml.example/"
    assert resolve_target(bare, StageOptions(), config).tag == "from-yaml"

    with_pc = _package(
        tmp_path, publishConfig={"registry": "http://pc.example", "tag": "from-pc", "access": "public"}
    )
    target = resolve_target(with_pc, StageOptions(), config)
    assert (target.registry, target.tag) == ("http://pc.example/", "from-pc")

    flags = StageOptions(tag="from-flag", registry="http://flag.example:4873")
    target = resolve_target(with_pc, flags, config)
    assert (target.registry, target.tag) == ("http://flag.example:4873/", "from-flag")


def test_scoped_registry_from_npmrc(tmp_path: Path) -> None:
    (tmp_path / ".npmrc").write_text("registry=http://all.example/\n@acme:registry=http://acme.example/\n")
    scoped = _package(tmp_path, name="@acme/widget")
    assert resolve_target(scoped, StageOptions(), None).registry == "http://acme.example/"
    assert resolve_target(_package(tmp_path), StageOptions(), None).registry == "http://all.example/"


@pytest.mark.parametrize(
    ("manifest", "options", "message"),
    [
        ({"private": True}, StageOptions(), "private"),
        ({}, StageOptions(access="restricted"), "unscoped"),
        ({}, StageOptions(tag="two words"), "invalid dist-tag"),
        ({"version": "1.0"}, StageOptions(), "invalid semver"),
        ({"publishConfig": {"registry": "ftp://x.example/"}}, StageOptions(), "publishConfig.registry"),
        ({}, StageOptions(registry="not a url"), "--npm-registry"),
    ],
)
def test_refusals(tmp_path: Path, manifest, options, message) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_target(_package(tmp_path, **manifest), options, None)


def test_restricted_is_fine_for_a_scoped_package(tmp_path: Path) -> None:
    target = resolve_target(_package(tmp_path, name="@acme/widget"), StageOptions(access="restricted"), None)
    assert target.access == "restricted"
