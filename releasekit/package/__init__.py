"""The npm package model: select files, rewrite the manifest, build the tarball.

``pack_project(project_dir, config=None)`` packs a project as ``npm pack`` does
(see :mod:`releasekit.package.pack`); ``publish_settings(manifest)`` gives the
publishConfig ``registry``/``tag``/``access`` that feed the stage options.
"""

from __future__ import annotations

from typing import Any

from releasekit.package.model import PackedFile, PackedPackage

__all__ = ["PackedFile", "PackedPackage", "pack_project", "publish_settings"]


def __getattr__(name: str) -> Any:
    # imported on use, so ``import releasekit.package`` stays cheap
    if name == "pack_project":
        from releasekit.package.pack import pack_project

        return pack_project
    if name == "publish_settings":
        from releasekit.package.manifest import publish_settings

        return publish_settings
    raise AttributeError(name)
