"""The bodies of the release sessions. Each is a plain function of (session, options, package dir).

They only build an ``lpm`` command line and run it (see :mod:`releasekit.nox._invoke`);
every rule lives in the library the CLI calls, so a session and a hand-typed
``lpm`` command can never disagree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.nox._invoke import run_lpm, with_defaults
from releasekit.nox._options import KitOptions

if TYPE_CHECKING:
    from nox import Session

# A default flag: (spellings that replace it when given after --, the arguments it adds).
Default = tuple[tuple[str, ...], tuple[str, ...]]

_CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TF_BUILD", "JENKINS_URL")


def _flag(spellings: tuple[str, ...], *args: str) -> Default:
    return spellings, args


def _registry_default(options: KitOptions) -> Default:
    return _flag(
        ("--npm-registry",), *(("--npm-registry", options.npm_registry) if options.npm_registry else ())
    )


def _min_score_default(options: KitOptions) -> Default:
    value = options.min_score
    return _flag(("--min-score",), *(("--min-score", str(value)) if value is not None else ()))


def _policy_paths(options: KitOptions) -> Default:
    paths: list[str] = []
    for path in options.policy_paths:
        paths += ["--policies", str(path)]
    # Never dropped: --policies is repeatable, so posargs add folders to the kit's.
    return (), tuple(paths)


def _tag_default(options: KitOptions) -> Default:
    return _flag(("--tag",), *(("--tag", options.tag) if options.tag else ()))


def check(session: Session, options: KitOptions, package_dir: str) -> None:
    """Run the policies on the package (lpm check); nothing is uploaded."""
    posargs = options.args_for("check", session.posargs)
    defaults = [_policy_paths(options), _min_score_default(options)]
    # lpm check takes --tag and --npm-registry only with --remote (the read-only registry rules).
    if options.remote or "--remote" in posargs:
        defaults += [_flag(("--remote",), "--remote"), _tag_default(options), _registry_default(options)]
    run_lpm(session, options, ["check", *with_defaults(defaults, posargs)], cwd=package_dir)


def quality(session: Session, options: KitOptions, package_dir: str) -> None:
    """Show the quality score breakdown (lpm quality), gated by min_score."""
    posargs = options.args_for("quality", session.posargs)
    args = with_defaults([_policy_paths(options), _min_score_default(options)], posargs)
    run_lpm(session, options, ["quality", *args], cwd=package_dir)


def _provenance_default(options: KitOptions) -> Default:
    spellings = ("--provenance", "--no-provenance", "--provenance-file")
    if options.provenance is None:
        return spellings, ()
    return spellings, ("--provenance",) if options.provenance else ("--no-provenance",)


def stage(session: Session, options: KitOptions, package_dir: str) -> None:
    """Stage the package (lpm stage publish); args after -- win, e.g. -- --dry-run."""
    yes = options.yes if options.yes is not None else not session.interactive
    defaults = [
        _tag_default(options),
        _flag(("--access",), *(("--access", options.access) if options.access else ())),
        _provenance_default(options),
        _min_score_default(options),
        _registry_default(options),
        _flag(("-y", "--yes"), *(("--yes",) if yes else ())),
    ]
    args = ["stage", "publish", *with_defaults(defaults, options.args_for("stage", session.posargs))]
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not (options.step_summary and summary_path):
        run_lpm(session, options, args, cwd=package_dir)
        return
    # On GitHub Actions read the JSON envelope, so the job summary can carry the approve command.
    if "--json" not in args:
        args.append("--json")
    # Exit 1 (a refusal) still gets its summary; usage and internal errors fail at once.
    out = run_lpm(session, options, args, cwd=package_dir, capture_stdout=True, success_codes=(0, 1)) or ""
    print(out, end="" if out.endswith("\n") else "\n")
    doc = write_step_summary(Path(summary_path), out, package_dir)
    if doc is None or doc.get("success") is not True:
        error = doc.get("error") if doc else None
        _fail(f"lpm stage publish refused: {error}" if error else "lpm stage publish failed")


def _fail(message: str) -> None:
    """Fail the session as a failed command does (not "aborted", which nox keeps for session.error)."""
    from nox.command import CommandFailed
    from nox.logger import logger

    logger.error(message)
    raise CommandFailed(message)


def _first(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if isinstance(mapping, dict) and mapping.get(key):
            return mapping[key]
    return None


def write_step_summary(summary: Path, stage_json: str, package_dir: str) -> dict[str, Any] | None:
    """Append what happened to the GitHub job summary: the approve command, or why it was refused.

    Answers the parsed ``lpm --json`` document (``None`` if it was not JSON).
    """
    try:
        doc = json.loads(stage_json)
    except json.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("data"), list):  # stage publish --recursive: one row per package
        _write_workspace_summary(summary, doc, package_dir)
        return doc
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    spec = _first(doc, "spec") or _first(data, "spec")
    name = _first(doc, "package", "name", "packageName") or _first(data, "packageName", "name")
    version = _first(doc, "version") or _first(data, "version")
    label = spec or (f"{name}@{version}" if name and version else package_dir)
    stage_id = _first(doc, "stageId") or _first(data, "stageId", "id")
    lines = [f"### releasekit: `{label}`", ""]
    if doc.get("success") is not True:
        lines.append(f"Not staged: {doc.get('error') or 'lpm stage publish failed'}")
    elif stage_id:
        approve = _first(data, "approveCommand") or f"lpm stage approve {stage_id}"
        lines += [
            f"Staged as `{stage_id}`; nothing is public yet. Review it, then approve it from a maintainer's machine:",
            "",
            "```sh",
            f"lpm stage diff {stage_id}",
            f"lpm stage verify {stage_id}{_verify_ref()}",
            approve,
            "```",
        ]
    else:
        dry = _first(doc, "dryRun") or _first(data, "dryRun")
        lines.append("Dry run: nothing was staged." if dry else "Nothing was staged.")
    with summary.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n\n")
    return doc


def _verify_ref() -> str:
    """``--ref TAG`` when the job runs for a tag: the approver verifies the staged tarball against it."""
    if os.environ.get("GITHUB_REF_TYPE") == "tag" and os.environ.get("GITHUB_REF_NAME"):
        return f" --ref {os.environ['GITHUB_REF_NAME']}"
    return ""


def _write_workspace_summary(summary: Path, doc: dict[str, Any], package_dir: str) -> None:
    lines = [f"### releasekit: workspace `{package_dir}`", ""]
    if doc.get("success") is not True and doc.get("error"):
        lines += [f"Not staged: {doc['error']}", ""]
    lines += ["| package | version | result | score | stage id |", "| --- | --- | --- | --- | --- |"]
    for row in doc["data"]:
        if isinstance(row, dict):
            cells = [row.get(k) for k in ("package", "version", "result", "score", "stageId")]
            lines.append(
                "| "
                + " | ".join("" if c is None else f"`{c}`" if k == 4 else str(c) for k, c in enumerate(cells))
                + " |"
            )
    ids = [str(r["stageId"]) for r in doc["data"] if isinstance(r, dict) and r.get("stageId")]
    if ids:
        lines += [
            "",
            "Nothing is public yet. Review, then approve them from a maintainer's machine:",
            "",
            "```sh",
            f"lpm stage approve {' '.join(ids)}",
            "```",
        ]
    with summary.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n\n")


def _workspace_packages(posargs: list[str], cwd: str) -> list[str]:
    """``--recursive`` and ``--filter X`` taken out of ``posargs`` and turned into ``--package NAME`` for each
    package they select, so ``nox -s approve -- --recursive`` approves what ``stage -- --recursive`` staged."""
    if "--recursive" not in posargs and "-r" not in posargs:
        return posargs
    filters: list[str] = []
    rest: list[str] = []
    items = iter(posargs)
    for arg in items:
        if arg in ("--recursive", "-r"):
            continue
        if arg == "--filter":
            filters.append(next(items, ""))
        elif arg.startswith("--filter="):
            filters.append(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    from releasekit.stage.recursive import select_packages

    selection = select_packages(Path(cwd), filters)
    names = [n for n in selection.order if not selection.graph.members[n].private]
    return ["--all", *(a for n in names for a in ("--package", n)), *rest]


def _package_name(package_dir: str) -> str | None:
    try:
        manifest = json.loads((Path(package_dir) / "package.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    name = manifest.get("name") if isinstance(manifest, dict) else None
    return name if isinstance(name, str) and name else None


def stage_list(
    session: Session, options: KitOptions, package_dir: str | None, posargs: list[str] | None = None
) -> None:
    """List staged versions: of this package, or (monorepo) of everything the token sees."""
    posargs = options.args_for("stage_list", session.posargs if posargs is None else posargs)
    name = _package_name(package_dir) if package_dir is not None else None
    positional = [a for a in posargs if not a.startswith("-")]
    args = [
        "stage",
        "list",
        *([name] if name and not positional else []),
        *with_defaults([_registry_default(options)], posargs),
    ]
    run_lpm(session, options, args, cwd=package_dir or ".")


def on_ci() -> bool:
    return any(os.environ.get(var, "").lower() not in ("", "0", "false") for var in _CI_VARIABLES)


def approve(session: Session, options: KitOptions, package_dir: str | None) -> None:
    """Approve a staged version, interactively: a human with 2FA, never a CI job."""
    if on_ci():
        session.error("approve is for a maintainer at a terminal and never runs on CI (CI is set)")
    if not session.interactive:
        session.error("approve needs an interactive terminal: run it yourself, without --non-interactive")
    posargs = _workspace_packages(options.args_for("approve", session.posargs), package_dir or ".")
    if "--all" not in posargs and not [a for a in posargs if not a.startswith("-")]:
        stage_list(session, options, package_dir, posargs=[])
        stage_id = input("Stage id to approve: ").strip()
        if not stage_id:
            session.error("no stage id given")
        posargs.insert(0, stage_id)
    args = ["stage", "approve", *with_defaults([_registry_default(options)], posargs)]
    run_lpm(session, options, args, cwd=package_dir or ".")
