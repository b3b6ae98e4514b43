"""Scaffold releasekit into a JS project from the shipped ``templates/`` (``lpm init``).

Writes a ``noxfile.py`` using the nox kit, a commented ``releasekit.yaml``
(completed from the config schema), an example policy with a fixture in
``policyconf.py``, and a GitHub Actions workflow that stages with OIDC and
provenance. Existing files are never overwritten without ``force``: if any
would be, nothing is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from releasekit.atomicfile import write_atomic
from releasekit.errors import StorageError, UsageError

CONFIG_TEMPLATE = "releasekit.yaml"


def templates_dir() -> Path:
    """The templates: ``releasekit/_templates`` in a wheel, top-level ``templates/`` in a checkout."""
    from releasekit.resources import shipped_dir

    found = shipped_dir("templates", "_templates")
    if found is None:
        raise StorageError(
            "releasekit's templates are missing (neither releasekit/_templates nor templates/)"
        )
    return found


def _template_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


# -- releasekit.yaml: the template, completed from the schema ----------------------


def render_config(template_text: str, schema: Mapping[str, Any]) -> str:
    """The template's ``releasekit.yaml``, round-tripped by ruamel.yaml with its comments.

    Keys the schema gained after the template was written are added with their
    default and the schema's description as a comment, so every key is explained.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    document = yaml.load(template_text) or CommentedMap()
    for section, spec in schema.get("properties", {}).items():
        props = spec.get("properties", {})
        if section not in document:
            document[section] = CommentedMap()
            document.yaml_set_comment_before_after_key(
                section, before="\n" + spec.get("description", section)
            )
        node = document[section]
        if not isinstance(node, CommentedMap):
            continue
        unset = []
        for key, prop in props.items():
            if key in node or _mentioned(template_text, section, key):
                continue
            description = prop.get("description", key)
            if "default" in prop:
                _append_key(node, key, prop["default"], description)
            else:
                unset.append(f"{key} ({description.rstrip('.')})")
        if unset:
            document.yaml_add_eol_comment("unset by default: " + "; ".join(unset), section)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _append_key(node: Any, key: str, value: Any, description: str) -> None:
    """Add ``key`` last in ``node`` with ``description`` as a comment line above it.

    ruamel keeps the comment lines that follow a section (blank line, the next
    section's comment) on its last key; they move to the new last key, so they
    stay above the next section.
    """
    last = next(reversed(node), None) if len(node) else None
    trailing = None
    if last is not None and last in node.ca.items and node.ca.items[last][2] is not None:
        trailing, node.ca.items[last][2] = node.ca.items[last][2], None
    node[key] = value
    node.yaml_set_comment_before_after_key(key, before=description, indent=2)
    if trailing is not None:
        slot = node.ca.items.setdefault(key, [None, None, None, None])
        slot[2] = trailing


def _mentioned(text: str, section: str, key: str) -> bool:
    """A key the template documents in a comment only (no default, e.g. ``stage.tag``).

    Counts comment lines ``#   key: ...`` inside the section, or in the comment
    block right above the section's line.
    """
    current, above = None, False
    for line in text.splitlines():
        stripped = line.strip()
        if line and not line.startswith((" ", "#")):
            current = line.split(":", 1)[0].strip()
            if current == section and above:
                return True
            above = False
            continue
        if not stripped:
            above = False
            continue
        if stripped.startswith("#") and stripped.lstrip("# ").startswith(f"{key}:"):
            if line.startswith("#"):
                above = True
            elif current == section:
                return True
    return False


# -- the plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the project, POSIX
    content: bytes
    action: str  # create | overwrite | unchanged | conflict


def plan(project: Path, *, force: bool) -> list[PlannedFile]:
    from releasekit.config import load_schema
    from releasekit.package.workspace import workspace_at
    from releasekit.scaffold_workspace import adapt

    root = templates_dir()
    in_workspace_root = project.is_dir() and workspace_at(project) is not None
    planned = []
    for source in _template_files(root):
        rel = source.relative_to(root).as_posix()
        content = source.read_bytes()
        if rel == CONFIG_TEMPLATE:
            content = render_config(content.decode("utf-8"), load_schema()).encode("utf-8")
        if in_workspace_root:
            content = adapt(rel, content)
        target = project / rel
        if target.is_symlink() or target.exists():
            if target.is_file() and not target.is_symlink() and target.read_bytes() == content:
                action = "unchanged"
            elif target.is_dir():
                raise UsageError(f"{target}: is a directory, where lpm init writes a file")
            else:
                action = "overwrite" if force else "conflict"
        else:
            action = "create"
        planned.append(PlannedFile(rel, content, action))
    return planned


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()  # --force replaces the link itself, never the file it points to
    write_atomic(target, content, what="the template")


@dataclass(frozen=True)
class ScaffoldResult:
    project: Path
    files: list[PlannedFile]
    dry_run: bool
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": str(self.project.resolve()),
            "dryRun": self.dry_run,
            "files": [{"path": f.path, "action": f.action, "bytes": len(f.content)} for f in self.files],
            "warnings": self.warnings,
        }


def scaffold(project: Path, *, force: bool = False, dry_run: bool = False) -> ScaffoldResult:
    """Write the templates into ``project``; all or nothing on conflicts."""
    if not project.is_dir():
        raise UsageError(f"{project}: not a directory (create the project first, e.g. with npm init)")
    warnings = []
    if not (project / "package.json").is_file():
        warnings.append(
            f"{project}: no package.json here; the sessions need an npm project (run `npm init` first)"
        )
    planned = plan(project, force=force)
    conflicts = [f.path for f in planned if f.action == "conflict"]
    if conflicts:
        raise StorageError(
            f"{project}: would overwrite {', '.join(conflicts)}; nothing written",
            hint="pass --force to overwrite them, or --dry-run to see the plan",
        )
    if not dry_run:
        for file in planned:
            if file.action in ("create", "overwrite"):
                try:
                    _write_atomically(project / file.path, file.content)
                except OSError as exc:
                    raise StorageError(f"{project / file.path}: cannot write: {exc.strerror or exc}") from exc
    return ScaffoldResult(project, planned, dry_run, warnings)
