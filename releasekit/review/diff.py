"""What a staged version changes against the published one it would replace."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from releasekit.policy.findings import Finding
from releasekit.review.archive import Archive
from releasekit.review.signals import api_uses, is_binary, minified_or_obfuscated

LIFECYCLE_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")
DEPENDENCY_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
ENTRY_FIELDS = ("exports", "main", "files", "engines", "os", "cpu")


@dataclass(frozen=True)
class FileChange:
    path: str
    status: str  # added | removed | changed
    old_size: int | None
    new_size: int | None

    @property
    def delta(self) -> int:
        return (self.new_size or 0) - (self.old_size or 0)


@dataclass(frozen=True)
class SecurityChange:
    kind: str  # lifecycle-script | dependency | bin | entry-point | publish-config | repository
    field: str
    old: Any
    new: Any
    message: str


@dataclass(frozen=True)
class ContentSignal:
    kind: str  # minified | obfuscated | risky-api | binary
    file: str
    detail: str
    line: int | None = None


@dataclass
class StageDiff:
    name: str
    version: str
    against: str | None
    files: list[FileChange] = field(default_factory=list)
    security: list[SecurityChange] = field(default_factory=list)
    signals: list[ContentSignal] = field(default_factory=list)
    hostile: list[Finding] = field(default_factory=list)
    new_files: list[tuple[str, int]] = field(default_factory=list)

    @property
    def first_version(self) -> bool:
        return self.against is None

    @property
    def total_delta(self) -> int:
        return sum(change.delta for change in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "against": self.against,
            "firstVersion": self.first_version,
            "security": [asdict(c) for c in self.security],
            "files": {
                "added": [asdict(c) | {"delta": c.delta} for c in self.files if c.status == "added"],
                "removed": [asdict(c) | {"delta": c.delta} for c in self.files if c.status == "removed"],
                "changed": [asdict(c) | {"delta": c.delta} for c in self.files if c.status == "changed"],
                "totalDelta": self.total_delta,
            },
            "signals": [asdict(s) for s in self.signals],
            "hostile": [f.to_dict() for f in self.hostile],
            "fileList": [{"path": p, "size": s} for p, s in self.new_files],
        }


def manifest_of(archive: Archive | None) -> dict[str, Any]:
    if archive is None or "package.json" not in archive.entries:
        return {}
    try:
        data = json.loads(archive.entries["package.json"].data)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _bins(manifest: dict[str, Any]) -> dict[str, str]:
    bin_field = manifest.get("bin")
    if isinstance(bin_field, str):
        return {str(manifest.get("name", "")).split("/")[-1]: bin_field}
    return {str(k): str(v) for k, v in bin_field.items()} if isinstance(bin_field, dict) else {}


def _repository_url(manifest: dict[str, Any]) -> str | None:
    repo = manifest.get("repository")
    if isinstance(repo, dict):
        return str(repo.get("url")) if repo.get("url") else None
    return str(repo) if repo else None


def manifest_changes(old: dict[str, Any], new: dict[str, Any]) -> list[SecurityChange]:
    changes: list[SecurityChange] = []
    old_scripts, new_scripts = old.get("scripts") or {}, new.get("scripts") or {}
    for script in LIFECYCLE_SCRIPTS:
        before, after = old_scripts.get(script), new_scripts.get(script)
        if after is not None and before != after:
            verb = "new" if before is None else "changed"
            changes.append(
                SecurityChange(
                    "lifecycle-script", f"scripts.{script}", before, after, f"{verb} {script} script: {after}"
                )
            )
    for dep_field in DEPENDENCY_FIELDS:
        before_deps, after_deps = old.get(dep_field) or {}, new.get(dep_field) or {}
        for dep, spec in sorted(after_deps.items()):
            if dep not in before_deps:
                changes.append(
                    SecurityChange(
                        "dependency", f"{dep_field}.{dep}", None, spec, f"new {dep_field[:-3]}y {dep}@{spec}"
                    )
                )
            elif before_deps[dep] != spec:
                changes.append(
                    SecurityChange(
                        "dependency",
                        f"{dep_field}.{dep}",
                        before_deps[dep],
                        spec,
                        f"{dep} range {before_deps[dep]} -> {spec}",
                    )
                )
    old_bins = _bins(old)
    for name, target in sorted(_bins(new).items()):
        if old_bins.get(name) != target:
            changes.append(
                SecurityChange(
                    "bin", f"bin.{name}", old_bins.get(name), target, f"new bin {name} -> {target}"
                )
            )
    for entry in ENTRY_FIELDS:
        if old.get(entry) != new.get(entry):
            changes.append(
                SecurityChange("entry-point", entry, old.get(entry), new.get(entry), f"{entry} changed")
            )
    if old.get("publishConfig") != new.get("publishConfig"):
        changes.append(
            SecurityChange(
                "publish-config",
                "publishConfig",
                old.get("publishConfig"),
                new.get("publishConfig"),
                "publishConfig changed",
            )
        )
    old_repo, new_repo = _repository_url(old), _repository_url(new)
    if old_repo != new_repo and old:
        changes.append(
            SecurityChange(
                "repository", "repository", old_repo, new_repo, f"repository URL {old_repo} -> {new_repo}"
            )
        )
    return changes


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def content_signals(old: Archive | None, new: Archive) -> list[ContentSignal]:
    signals: list[ContentSignal] = []
    old_entries = old.entries if old is not None else {}
    for path, entry in sorted(new.entries.items()):
        before = old_entries.get(path)
        if before is not None and before.data == entry.data:
            continue
        if is_binary(path, entry.data):
            if before is None or not is_binary(path, before.data):
                signals.append(ContentSignal("binary", path, f"new binary file ({len(entry.data)} bytes)"))
            continue
        text = _text(entry.data)
        shape = minified_or_obfuscated(text)
        if shape and (before is None or minified_or_obfuscated(_text(before.data)) is None):
            signals.append(ContentSignal(shape, path, f"new {shape} file"))
        known = {use.api for use in api_uses(path, _text(before.data))} if before is not None else set()
        for use in api_uses(path, text):
            if use.api not in known:
                signals.append(ContentSignal("risky-api", path, f"{use.api}: {use.text}", use.line))
    return signals


def diff_archives(new: Archive, old: Archive | None, *, against: str | None) -> StageDiff:
    new_manifest = manifest_of(new)
    result = StageDiff(
        name=str(new_manifest.get("name", "")),
        version=str(new_manifest.get("version", "")),
        against=against if old is not None else None,
        new_files=[(p, len(e.data)) for p, e in sorted(new.entries.items())],
    )
    result.hostile = list(new.findings) + (list(old.findings) if old is not None else [])
    old_entries = old.entries if old is not None else {}
    if old is not None:
        for path in sorted(set(old_entries) | set(new.entries)):
            before, after = old_entries.get(path), new.entries.get(path)
            if before is None and after is not None:
                result.files.append(FileChange(path, "added", None, len(after.data)))
            elif after is None and before is not None:
                result.files.append(FileChange(path, "removed", len(before.data), None))
            elif before is not None and after is not None and before.data != after.data:
                result.files.append(FileChange(path, "changed", len(before.data), len(after.data)))
        result.security = manifest_changes(manifest_of(old), new_manifest)
    result.signals = content_signals(old, new)
    return result


def _withhold(text: str, hidden: Mapping[int, str]) -> list[str]:
    lines = text.splitlines(keepends=True)
    for number, why in hidden.items():
        if 0 < number <= len(lines):
            lines[number - 1] = f"[line withheld: {why}]\n"
    return lines


def unified_patch(
    old: Archive,
    new: Archive,
    path: str,
    context: int = 3,
    *,
    hide_old: Mapping[int, str] | None = None,
    hide_new: Mapping[int, str] | None = None,
) -> str:
    """A unified diff of one text file; binary files are named, not diffed.

    Lines in ``hide_old``/``hide_new`` (line number -> reason) are replaced before
    diffing: a patch must never print a found secret.
    """
    before, after = old.entries.get(path), new.entries.get(path)
    old_data, new_data = (before.data if before else b""), (after.data if after else b"")
    if is_binary(path, old_data) or is_binary(path, new_data):
        return f"Binary file {path} differs\n"
    lines = difflib.unified_diff(
        _withhold(_text(old_data), hide_old or {}),
        _withhold(_text(new_data), hide_new or {}),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=context,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
