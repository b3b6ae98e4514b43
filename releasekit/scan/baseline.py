"""detect-secrets baseline files (``.secrets.baseline``): read, matched, written.

The file format is detect-secrets' own, so ``detect-secrets audit`` and its pre-commit
hook can share the file. File names are relative to the package root, as in the tarball.

An entry suppresses a finding with the same file, type and secret hash. The line number
is recorded but never compared, so edits elsewhere in a file do not churn the baseline.
An entry audited as a real secret (``"is_secret": true``) suppresses nothing: a known
leak is still a leak.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.atomicfile import write_atomic
from releasekit.errors import ConfigError
from releasekit.regularfile import read_regular_text
from releasekit.scan.scanner import SecretFinding
from releasekit.scan.settings import ScanSettings

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage

Key = tuple[str, str, str]  # (file, type, hashed_secret)


@dataclass(frozen=True)
class Baseline:
    path: Path
    data: Mapping[str, Any]

    @property
    def entries(self) -> dict[Key, Mapping[str, Any]]:
        out: dict[Key, Mapping[str, Any]] = {}
        for filename, items in self.data.get("results", {}).items():
            for item in items:
                out[(filename, str(item["type"]), str(item["hashed_secret"]))] = item
        return out

    def suppresses(self, finding: SecretFinding) -> bool:
        entry = self.entries.get(key_of(finding))
        return entry is not None and entry.get("is_secret") is not True

    def split(self, findings: Iterable[SecretFinding]) -> tuple[list[SecretFinding], list[SecretFinding]]:
        """(new findings, findings the baseline accepts)."""
        entries = self.entries
        new: list[SecretFinding] = []
        known: list[SecretFinding] = []
        for finding in findings:
            entry = entries.get(key_of(finding))
            (known if entry is not None and entry.get("is_secret") is not True else new).append(finding)
        return new, known


def key_of(finding: SecretFinding) -> Key:
    return (finding.file, finding.type, finding.hashed_secret)


def load_baseline(path: Path) -> Baseline | None:
    """The baseline at ``path``, ``None`` if there is none; ConfigError if it is broken."""
    try:
        text = read_regular_text(path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read secrets baseline: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: secrets baseline is not valid JSON: {exc.msg}") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        raise ConfigError(f'{path}: not a detect-secrets baseline (no "results" mapping)')
    for filename, items in results.items():
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("type"), str) and isinstance(i.get("hashed_secret"), str)
            for i in items
        ):
            raise ConfigError(
                f"{path}: results[{filename!r}]: expected a list of entries with type and hashed_secret"
            )
    return Baseline(path, data)


def baseline_path(project_dir: Path | str, settings: ScanSettings) -> Path:
    return Path(project_dir) / settings.baseline


def render_baseline(
    findings: Iterable[SecretFinding], settings: ScanSettings, previous: Baseline | None = None
) -> dict[str, Any]:
    """A baseline document for ``findings``, keeping audit labels from ``previous``."""
    from detect_secrets.__version__ import VERSION
    from detect_secrets.settings import Settings

    from releasekit.scan.engine import load

    old = previous.entries if previous is not None else {}
    results: dict[str, list[dict[str, Any]]] = {}
    for finding in sorted(findings, key=lambda f: (f.file, f.line or 0, f.hashed_secret, f.type)):
        entry: dict[str, Any] = {
            "type": finding.type,
            "filename": finding.file,
            "hashed_secret": finding.hashed_secret,
            "is_verified": bool(old.get(key_of(finding), {}).get("is_verified", False)),
        }
        if finding.line:
            entry["line_number"] = finding.line
        label = old.get(key_of(finding), {}).get("is_secret")
        if label is not None:
            entry["is_secret"] = label
        results.setdefault(finding.file, []).append(entry)

    plugins = load(settings.plan).plugins
    plugins_used = sorted(
        ({"name": type(p).__name__, **p.json()} for p in plugins), key=lambda p: str(p["name"]).lower()
    )
    filters_used = sorted(
        ({"path": path} for path in Settings().filters if path not in Settings.DEFAULT_FILTERS),
        key=lambda f: f["path"].lower(),
    )
    return {
        "version": VERSION,
        "plugins_used": plugins_used,
        "filters_used": filters_used,
        "results": results,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_baseline(path: Path, document: Mapping[str, Any]) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    data = (json.dumps(document, indent=2) + "\n").encode("utf-8")
    write_atomic(path, data, what="secrets baseline", make_parents=True)


def update_baseline(project_dir: Path | str, package: PackedPackage, config: Any) -> Path:
    """Scan ``package`` and record every finding in the project's baseline; its path.

    Findings that vanished are dropped; audit labels of the ones kept are preserved.
    """
    from releasekit.scan import scan_package

    settings = ScanSettings.from_config(config)
    path = baseline_path(project_dir, settings)
    previous = load_baseline(path)
    findings = scan_package(package, settings)
    write_baseline(path, render_baseline(findings, settings, previous))
    return path
