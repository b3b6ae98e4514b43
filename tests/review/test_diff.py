"""The diff report on tarballs built in memory: files, security-relevant manifest changes, signals."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any

from releasekit.review.archive import read_archive
from releasekit.review.diff import diff_archives, unified_patch


def tgz(manifest: dict[str, Any], files: dict[str, bytes | str]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in {"package.json": json.dumps(manifest), **files}.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo("package/" + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


BASE = {
    "name": "demo",
    "version": "1.0.0",
    "main": "index.js",
    "dependencies": {"a": "^1.0.0"},
    "repository": "git+https://x.invalid/demo.git",
}


def test_files_added_removed_changed_with_size_deltas() -> None:
    old = read_archive(tgz(BASE, {"index.js": "module.exports = 1;\n", "old.js": "x"}))
    new = read_archive(
        tgz({**BASE, "version": "1.0.1"}, {"index.js": "module.exports = 12;\n", "new.js": "yy"})
    )
    diff = diff_archives(new, old, against="1.0.0")
    by_status = {c.status: c for c in diff.files if c.path != "package.json"}
    assert (by_status["added"].path, by_status["added"].delta) == ("new.js", 2)
    assert (by_status["removed"].path, by_status["removed"].delta) == ("old.js", -1)
    assert (by_status["changed"].path, by_status["changed"].delta) == ("index.js", 1)
    assert diff.total_delta == sum(c.delta for c in diff.files)
    assert diff.security == []  # only the version moved


def test_security_section_lists_scripts_dependencies_bins_entry_points_and_repository() -> None:
    old = read_archive(tgz(BASE, {"index.js": "1"}))
    changed = {
        **BASE,
        "version": "1.0.1",
        "scripts": {"postinstall": "node x.js", "test": "node --test"},
        "dependencies": {"a": "^2.0.0", "evil": "1.0.0"},
        "bin": {"demo": "cli.js"},
        "exports": "./other.js",
        "publishConfig": {"registry": "https://evil.invalid/"},
        "repository": "git+https://evil.invalid/demo.git",
    }
    diff = diff_archives(read_archive(tgz(changed, {"index.js": "1", "cli.js": "2"})), old, against="1.0.0")
    kinds = {(c.kind, c.field) for c in diff.security}
    assert ("lifecycle-script", "scripts.postinstall") in kinds
    assert ("dependency", "dependencies.evil") in kinds
    assert ("dependency", "dependencies.a") in kinds
    assert ("bin", "bin.demo") in kinds
    assert ("entry-point", "exports") in kinds
    assert ("publish-config", "publishConfig") in kinds
    assert ("repository", "repository") in kinds
    assert not any(c.field == "scripts.test" for c in diff.security)


def test_content_signals_only_for_what_is_new() -> None:
    minified = "var a=1;" * 200
    old = read_archive(
        tgz(BASE, {"index.js": "const cp = require('child_process');\n", "lib.min.js": minified})
    )
    new_files = {
        "index.js": "const cp = require('child_process');\ncp.execSync('ls');\n",  # child_process already there
        "lib.min.js": minified + "//",  # was minified before: not new
        "net.js": "const https = require('https');\nhttps.request('https://x.invalid');\neval(code);\n",
        "bundle.js": minified,
        "addon.node": b"\x7fELF\0\0\0",
    }
    diff = diff_archives(read_archive(tgz({**BASE, "version": "1.0.1"}, new_files)), old, against="1.0.0")
    signals = {(s.kind, s.file, s.line) for s in diff.signals}
    assert ("risky-api", "net.js", 2) in signals
    assert ("risky-api", "net.js", 3) in signals
    assert ("minified", "bundle.js", None) in signals
    assert ("binary", "addon.node", None) in signals
    assert not any(s.file == "index.js" for s in diff.signals)
    assert not any(s.file == "lib.min.js" for s in diff.signals)


def test_first_version_has_no_baseline_but_lists_files() -> None:
    diff = diff_archives(read_archive(tgz(BASE, {"index.js": "1"})), None, against=None)
    assert diff.first_version
    assert diff.files == [] and diff.security == []
    assert [p for p, _ in diff.new_files] == ["index.js", "package.json"]
    assert diff.to_dict()["firstVersion"] is True


def test_unified_patch_of_a_changed_file() -> None:
    old = read_archive(tgz(BASE, {"index.js": "a\nb\n"}))
    new = read_archive(tgz(BASE, {"index.js": "a\nc\n"}))
    patch = unified_patch(old, new, "index.js")
    assert "-b\n" in patch and "+c\n" in patch and patch.startswith("--- a/index.js")
