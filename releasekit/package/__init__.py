"""The npm package model: select files, rewrite the manifest, build the tarball."""

from releasekit.package.model import PackedFile, PackedPackage

__all__ = ["PackedFile", "PackedPackage"]
