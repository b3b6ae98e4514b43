"""The built-in quality checks behind the 0-100 score (see docs/policies/quality.md).

Each check is a policy worth ``points``: passing earns them all, returning
``Points`` earns part, failing earns none, and skipping means "not applicable"
(left out of the denominator). A team adds its own check the same way.

A score is a function of the packed tarball, as a consumer receives it, plus
the project folder when one is given (``releasekit.quality.project``). Only
two checks need the folder, and only for what the tarball does not show: the
CHANGELOG and the tests. Without a folder they are not applicable.

The package-shape checks (types, ES modules, exports, entry points) report
publint's findings under publint's rule codes (``releasekit.quality.shape``):
an error costs all the check's points, a warning half, a suggestion nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import releasekit
from releasekit.policy.findings import Severity
from releasekit.quality import entrypoints, javascript, readme, scripts, shape, spdx, testfiles
from releasekit.quality.project import project_folder

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
def policy_changelog(package, project_dir):
    """CHANGELOG"""
    shipped = _root_file(package, _CHANGELOG_FILE)
    if shipped:
        return releasekit.Points(3, f"{shipped} (in the tarball)")
    folder = project_folder(package, project_dir)
    if folder is None:
        releasekit.skip("no CHANGELOG in the tarball, and no project folder to look in")
    for path in sorted(folder.iterdir()):
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
        _require(
            entrypoints.file_present(package, target),
            f"license points to {target}, which is not in the tarball",
        )
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


_SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING, "suggestion": Severity.INFO}


def _shape(package, topic, points, passed):
    """The publint findings ``topic`` scores, as findings plus the points they leave (see the module docstring)."""
    issues = [i for i in shape.lint_cached(package) if shape.topic(i) == topic]
    for issue in issues:
        yield releasekit.Finding(
            rule_id=issue.code,  # publint's code: SARIF shows it as <policy>/<code>
            message=shape.describe(issue, package.manifest),
            file=_finding_file(issue, package.manifest),
            severity=_SEVERITY[issue.level],
        )
    levels = {i.level for i in issues}
    if "error" in levels:
        first = next(i for i in issues if i.level == "error")
        yield releasekit.Points(0, f"{first.code}: {shape.describe(first, package.manifest)}")
    elif "warning" in levels:
        first = next(i for i in issues if i.level == "warning")
        yield releasekit.Points(points / 2, f"{first.code}: {shape.describe(first, package.manifest)}")
    else:
        yield releasekit.Points(points, passed)


def _finding_file(issue, manifest):
    """The packed file a finding is about: the judged file, else the target its key holds."""
    target = issue.file
    if target is None and issue.path != ("name",):
        target = manifest
        for part in issue.path:
            target = target.get(part) if isinstance(target, Mapping) else None
    if not isinstance(target, str):
        return None
    return entrypoints.normalize(target) or None


def _declared_types(package, manifest):
    for field in ("types", "typings"):
        if isinstance(manifest.get(field), str) and manifest[field].strip():
            return f"{field}: {manifest[field]}"
    if _has_types_condition(manifest.get("exports")):
        return 'exports has "types" conditions'
    declarations = [f.path for f in package.files if f.path.endswith((".d.ts", ".d.mts", ".d.cts"))]
    if declarations:
        return f"{len(declarations)} .d.ts file(s), e.g. {declarations[0]}"
    return None


@releasekit.mark.points(8)
@releasekit.mark.category(CODE)
def policy_types(package, manifest):
    """Type definitions"""
    declared = _declared_types(package, manifest)
    _require(declared, "no types/typings field and no .d.ts files in the tarball")
    yield from _shape(package, shape.TYPES, 8, declared)


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_esm(package):
    """ES modules"""
    if not javascript.js_files(package):
        releasekit.skip("no JavaScript in the tarball")
    entries = shape.entry_formats(package)
    esm = [(label, path) for label, path, fmt in entries if fmt == "ESM"]
    if not esm:  # nothing earned, but the module-format findings are still reported
        yield from (
            item
            for item in _shape(package, shape.MODULE_FORMAT, 3, "")
            if isinstance(item, releasekit.Finding)
        )
        shown = ", ".join(f"{label}: {path} ({fmt})" for label, path, fmt in entries[:3])
        yield releasekit.Points(
            0, f"no entry point is ES module code ({shown})" if entries else "no JavaScript entry point"
        )
        return
    label, path = esm[0]
    yield from _shape(package, shape.MODULE_FORMAT, 3, f"{len(esm)} ESM entry point(s), e.g. {label}: {path}")


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
    """exports map: targets in the tarball, conditions in order"""
    exports = manifest.get("exports")
    if exports is None:
        releasekit.fail("no exports map")
    targets = list(entrypoints.exports_targets(exports))
    _require(targets, "the exports map has no targets")
    yield from _shape(package, shape.EXPORTS, 3, f"all {len(targets)} exports target(s) present")


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
    maps = javascript.source_maps(package)
    if maps.missing:
        shown = ", ".join(maps.missing[:3]) + (
            f" and {len(maps.missing) - 3} more" if len(maps.missing) > 3 else ""
        )
        releasekit.fail(f"{len(maps.missing)} file(s) point to source maps not in the tarball: {shown}")
    _require(maps.mapped, "no source maps: no .map files and no sourceMappingURL comments")
    return releasekit.Points(1, f"{len(maps.mapped)} file(s) with source maps")


@releasekit.mark.points(3)
@releasekit.mark.category(CODE)
def policy_no_dynamic_code(package):
    """No eval or Function constructor in shipped JavaScript"""
    files = javascript.js_files(package)
    if not files:
        releasekit.skip("no JavaScript in the tarball")
    found = javascript.dynamic_code(package)
    if found:
        shown = ", ".join(str(f) for f in found[:5]) + (
            f" and {len(found) - 5} more" if len(found) > 5 else ""
        )
        releasekit.fail(f"{len(found)} use(s) of eval or the Function constructor: {shown}")
    return releasekit.Points(3, f"{len(files)} JavaScript file(s) checked")


# -- testing -------------------------------------------------------------------------------------------


@releasekit.mark.points(7)
@releasekit.mark.category(TESTING)
def policy_test_files(package, project_dir):
    """Test files in the repository"""
    published = testfiles.tests_among(f.path for f in package.files)
    if published:
        return releasekit.Points(7, f"e.g. {published[0]} (in the tarball)")
    folder = project_folder(package, project_dir)
    if folder is None:
        releasekit.skip(
            "no tests in the tarball, and no project folder to look in (tests are rarely published)"
        )
    found = testfiles.find_test_files(folder)
    _require(found, f"no test files in {folder} (test/, __tests__/, *.test.js, *.spec.ts...)")
    return releasekit.Points(7, f"e.g. {found[0]}")


@releasekit.mark.points(4)
@releasekit.mark.category(TESTING)
def policy_test_script(manifest):
    """A real test script"""
    script = scripts.scripts_of(manifest).get("test")
    _require(isinstance(script, str) and script.strip(), "no scripts.test")
    _require(
        not scripts.is_placeholder_test(script),
        f"scripts.test only echoes or exits, it runs no tests: {script}",
    )
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
    if isinstance(keywords, str):  # npm splits a string on commas and spaces, and so do we
        keywords = re.split(r"[,\s]+", keywords)
    words = (
        [k.strip() for k in keywords if isinstance(k, str) and k.strip()]
        if isinstance(keywords, list)
        else []
    )
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
    _require(
        isinstance(homepage, str) and homepage.startswith(("https://", "http://")), "no http(s) homepage"
    )
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
    """main, module, browser and bin targets in the tarball"""
    declared = entrypoints.declared_entry_points(package.manifest)
    if not declared:
        if "index.js" in package:
            yield releasekit.Points(4, "no main: npm's default index.js is present")
            return
        releasekit.skip("declares no main, module, browser or bin (and ships no index.js)")
    yield from _shape(package, shape.ENTRY_POINTS, 4, f"all present: {', '.join(declared)}")
