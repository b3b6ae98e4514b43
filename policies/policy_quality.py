"""The built-in quality checks behind the 0-100 score (see docs/policies/quality.md).

Each check is a policy worth ``points``: passing earns them all, returning
``Points`` earns part, failing earns none, and skipping means "not applicable"
(left out of the denominator). A team adds its own check the same way.
Checks look at the packed tarball, as a consumer receives it, except the one
that looks for tests in the repository.
"""

from __future__ import annotations

from collections.abc import Mapping

import releasekit
from releasekit.quality import entrypoints, javascript, readme, scripts, spdx, testfiles

MAX_TARBALL_BYTES = 1_000_000
_LICENSE_FILE = ("license", "licence", "copying", "unlicense")
_CHANGELOG_FILE = ("changelog", "changes", "history", "releases", "news")

DOCUMENTATION, CODE, TESTING, HEALTH = "documentation", "code quality", "testing", "health"


def _require(condition, message):
    """Fail with ``message`` alone: it becomes the check's detail line."""
    if not condition:
        releasekit.fail(message)


def _root_file(package, stems):
    """A root file whose name, minus any extension, is one of ``stems`` (any case)."""
    for file in package.files:
        if "/" not in file.path and file.path.lower().startswith(stems):
            return file.path
    return None


def _readme_text(package):
    found = readme.find_readme(package)
    if found is None:
        releasekit.fail("no README in the tarball")
    return found.path, found.data.decode("utf-8", errors="replace")


def _section(package, name, heading, points):
    path, text = _readme_text(package)
    if name not in readme.sections(text):
        releasekit.fail(f"{path} has no {heading} section")
    return releasekit.Points(points, f"{path}: {heading} section found")


# -- documentation -------------------------------------------------------------------------------------


@releasekit.mark.points(8)
@releasekit.mark.category(DOCUMENTATION)
def policy_readme(package):
    """README over 100 characters"""
    path, text = _readme_text(package)
    length = len(text.strip())
    _require(length > 100, f"{path} has only {length} characters (more than 100 wanted)")
    return releasekit.Points(8, f"{path}: {length} characters")


@releasekit.mark.points(3)
@releasekit.mark.category(DOCUMENTATION)
def policy_readme_install(package):
    """README documents installation"""
    return _section(package, "install", "install", 3)


@releasekit.mark.points(3)
@releasekit.mark.category(DOCUMENTATION)
def policy_readme_usage(package):
    """README documents usage"""
    return _section(package, "usage", "usage", 3)


@releasekit.mark.points(2)
@releasekit.mark.category(DOCUMENTATION)
def policy_readme_api(package):
    """README documents the API"""
    return _section(package, "api", "API", 2)


@releasekit.mark.points(3)
@releasekit.mark.category(DOCUMENTATION)
def policy_changelog(package):
    """CHANGELOG"""
    shipped = _root_file(package, _CHANGELOG_FILE)
    if shipped:
        return releasekit.Points(3, f"{shipped} (in the tarball)")
    if package.source_dir is not None and package.source_dir.is_dir():
        for path in sorted(package.source_dir.iterdir()):
            if path.is_file() and path.name.lower().startswith(_CHANGELOG_FILE):
                return releasekit.Points(3, f"{path.name} (in the repository, not published)")
    releasekit.fail("no CHANGELOG, CHANGES or HISTORY file")


@releasekit.mark.points(3)
@releasekit.mark.category(DOCUMENTATION)
def policy_license(package, manifest):
    """LICENSE file or a valid SPDX license"""
    found = _root_file(package, _LICENSE_FILE)
    if found:
        return releasekit.Points(3, f"{found}")
    declared = manifest.get("license")
    if isinstance(declared, str) and spdx.is_valid_expression(declared):
        return releasekit.Points(3, f"license: {declared}")
    if isinstance(declared, str) and declared.startswith("SEE LICENSE IN "):
        target = declared.removeprefix("SEE LICENSE IN ").strip()
        _require(entrypoints.file_present(package, target), f"license points to {target}, which is not in the tarball")
        return releasekit.Points(3, f"license: {declared}")
    if declared is None:
        releasekit.fail("no LICENSE file and no license field")
    releasekit.fail(f"license {declared!r} is not a valid SPDX expression and there is no LICENSE file")


# -- code quality --------------------------------------------------------------------------------------


def _has_types_condition(exports):
    if isinstance(exports, Mapping):
        return "types" in exports or any(_has_types_condition(v) for v in exports.values())
    if isinstance(exports, list):
        return any(_has_types_condition(v) for v in exports)
    return False


@releasekit.mark.points(8)
@releasekit.mark.category(CODE)
def policy_types(package, manifest):
    """Type definitions"""
    for field in ("types", "typings"):
        if isinstance(manifest.get(field), str) and manifest[field].strip():
            return releasekit.Points(8, f"{field}: {manifest[field]}")
    if _has_types_condition(manifest.get("exports")):
        return releasekit.Points(8, 'exports has "types" conditions')
    declarations = [f.path for f in package.files if f.path.endswith((".d.ts", ".d.mts", ".d.cts"))]
    _require(declarations, "no types/typings field and no .d.ts files in the tarball")
    return releasekit.Points(8, f"{len(declarations)} .d.ts file(s), e.g. {declarations[0]}")


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_esm(manifest):
    """ES modules"""
    if manifest.get("type") == "module":
        return releasekit.Points(3, '"type": "module"')
    if isinstance(manifest.get("module"), str):
        return releasekit.Points(3, f"module: {manifest['module']}")
    if manifest.get("exports") is not None:
        return releasekit.Points(3, "exports map")
    releasekit.fail('no "type": "module", "module" field or "exports" map')


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_side_effects(manifest):
    """Tree-shakable (sideEffects)"""
    value = manifest.get("sideEffects")
    if value is False:
        return releasekit.Points(3, "sideEffects: false")
    if isinstance(value, list):
        return releasekit.Points(3, f"sideEffects lists {len(value)} file(s)")
    if value is None:
        releasekit.fail("no sideEffects field: bundlers must assume every module has side effects")
    releasekit.fail(f"sideEffects: {value!r} (false or a list of files lets bundlers tree-shake)")


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_exports_targets(package, manifest):
    """exports map targets exist in the tarball"""
    exports = manifest.get("exports")
    if exports is None:
        releasekit.fail("no exports map")
    targets = list(entrypoints.exports_targets(exports))
    _require(targets, "the exports map has no targets")
    missing = [t for t in targets if not entrypoints.export_target_present(package, t)]
    _require(not missing, f"{len(missing)} exports target(s) not in the tarball: {', '.join(missing[:5])}")
    return releasekit.Points(3, f"all {len(targets)} exports target(s) present")


@releasekit.mark.points(1)
@releasekit.mark.category(CODE)
def policy_engines_node(manifest):
    """engines.node"""
    engines = manifest.get("engines")
    node = engines.get("node") if isinstance(engines, Mapping) else None
    _require(isinstance(node, str) and node.strip(), "no engines.node")
    return releasekit.Points(1, f"engines.node: {node}")


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_dependencies(manifest):
    """Few dependencies"""
    names = set()
    for field in ("dependencies", "optionalDependencies"):
        value = manifest.get(field)
        if isinstance(value, Mapping):
            names.update(value)
    count = len(names)
    earned = 3 if count == 0 else 2 if count <= 3 else 1 if count <= 7 else 0
    return releasekit.Points(earned, f"{count} runtime dependenc{'y' if count == 1 else 'ies'}")


@releasekit.mark.points(1)
@releasekit.mark.category(CODE)
def policy_source_maps(package):
    """Source maps"""
    if not javascript.js_files(package):
        releasekit.skip("no JavaScript in the tarball")
    _require(javascript.has_source_maps(package), "no .map files or sourceMappingURL comments")
    return releasekit.Points(1, "source maps shipped")


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_no_dynamic_code(package):
    """No eval or new Function in shipped JavaScript"""
    files = javascript.js_files(package)
    if not files:
        releasekit.skip("no JavaScript in the tarball")
    found = javascript.dynamic_code(package)
    _require(not found, f"{len(found)} use(s) of eval/new Function: {', '.join(str(f) for f in found[:5])}")
    return releasekit.Points(3, f"{len(files)} JavaScript file(s) checked")


# -- testing -------------------------------------------------------------------------------------------


@releasekit.mark.points(7)
@releasekit.mark.category(TESTING)
def policy_test_files(package, project_dir):
    """Test files in the repository"""
    if package.source_dir is None:
        releasekit.skip("no project directory (a downloaded tarball): tests are not published")
    found = testfiles.find_test_files(project_dir)
    _require(found, f"no test files in {project_dir} (test/, __tests__/, *.test.js, *.spec.ts...)")
    return releasekit.Points(7, f"e.g. {found[0]}")


@releasekit.mark.points(4)
@releasekit.mark.category(TESTING)
def policy_test_script(manifest):
    """A real test script"""
    script = scripts.scripts_of(manifest).get("test")
    _require(isinstance(script, str) and script.strip(), "no scripts.test")
    _require(not scripts.is_placeholder_test(script), "scripts.test is npm's placeholder that only fails")
    return releasekit.Points(4, f"test: {script}")


# -- health --------------------------------------------------------------------------------------------


@releasekit.mark.points(3)
@releasekit.mark.category(HEALTH)
def policy_description(manifest):
    """Description over 10 characters"""
    description = manifest.get("description")
    text = description.strip() if isinstance(description, str) else ""
    _require(len(text) > 10, f"description has {len(text)} characters (more than 10 wanted)")
    return releasekit.Points(3, f"{len(text)} characters")


@releasekit.mark.points(1)
@releasekit.mark.category(HEALTH)
def policy_keywords(manifest):
    """Keywords"""
    keywords = manifest.get("keywords")
    words = [k for k in keywords if isinstance(k, str) and k.strip()] if isinstance(keywords, list) else []
    _require(words, "no keywords")
    return releasekit.Points(1, ", ".join(words[:5]))


@releasekit.mark.points(2)
@releasekit.mark.category(HEALTH)
def policy_repository(manifest):
    """Repository"""
    repository = manifest.get("repository")
    url = repository.get("url") if isinstance(repository, Mapping) else repository
    _require(isinstance(url, str) and url.strip(), "no repository")
    return releasekit.Points(2, url)


@releasekit.mark.points(1)
@releasekit.mark.category(HEALTH)
def policy_homepage(manifest):
    """Homepage"""
    homepage = manifest.get("homepage")
    _require(isinstance(homepage, str) and homepage.startswith(("https://", "http://")), "no http(s) homepage")
    return releasekit.Points(1, homepage)


@releasekit.mark.points(3)
@releasekit.mark.category(HEALTH)
def policy_tarball_size(package):
    """Tarball under 1 MB"""
    size = len(package.tarball)
    _require(size < MAX_TARBALL_BYTES, f"tarball is {size:,} bytes (under {MAX_TARBALL_BYTES:,} wanted)")
    return releasekit.Points(3, f"{size:,} bytes")


@releasekit.mark.points(2)
@releasekit.mark.category(HEALTH)
def policy_no_install_scripts(package):
    """No install lifecycle scripts"""
    found = scripts.install_scripts(package)
    _require(not found, f"runs at install: {'; '.join(found)}")
    return releasekit.Points(2, "no preinstall, install or postinstall")


@releasekit.mark.points(4)
@releasekit.mark.category(HEALTH)
def policy_entry_points(package):
    """main, bin and types targets in the tarball"""
    declared, missing = entrypoints.missing_entry_points(package)
    if not declared:
        if "index.js" in package:
            return releasekit.Points(4, "no main: npm's default index.js is present")
        releasekit.skip("declares no main, bin or types (and ships no index.js)")
    _require(not missing, f"missing from the tarball: {', '.join(missing)}")
    return releasekit.Points(4, f"all present: {', '.join(declared)}")
