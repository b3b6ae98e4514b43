"""``lpm init`` in a workspace root: the same templates, set up for the whole workspace.

A workspace root is mostly a private package: ``lpm check`` there has nothing
to publish. So the scaffolded ``noxfile.py`` registers the sessions that work
on every package at once (``stage`` and ``approve`` with ``--recursive``), and
the workflow checks every package with ``stage -- --dry-run`` before staging.
The root's ``releasekit.yaml`` and ``policies/`` serve every package that has
none of its own.
"""

from __future__ import annotations

from releasekit.errors import ReleasekitError

NOXFILE = "noxfile.py"
WORKFLOW = ".github/workflows/stage.yml"

_NOX_DOC = '''"""Release sessions for this workspace, from releasekit's nox kit.

Every session works on all the workspace's packages at once (lpm stage publish --recursive);
pass pnpm-style filters after --, e.g. nox -s stage -- --filter '@acme/*' --filter 'app...'.

    nox -l                              # list them
    nox -s stage -- --dry-run           # pack and check every package (the policies), all local
    nox -s stage                        # stage every new version, dependencies first (CI does this)
    nox -s stage_list                   # staged versions waiting for approval
    nox -s approve                      # approve what was staged, one 2FA batch (never on CI)

Arguments after ``--`` go to ``lpm`` and win over the options below.
"""
'''

_KIT_WORKSPACE = """        # A workspace: stage and approve every package, dependencies first. The root's
        # releasekit.yaml and policies/ serve each package that has none of its own.
        sessions=("stage", "stage_list", "approve"),
        extra_args={"stage": ("--recursive",), "approve": ("--recursive",)},
"""


def _replace(text: str, old: str, new: str, where: str) -> str:
    if old not in text:  # the templates changed under this module: a bug, caught by its test
        raise ReleasekitError(
            f"{where}: the template no longer has {old.strip()[:40]!r} to adapt for a workspace"
        )
    return text.replace(old, new, 1)


def adapt(rel: str, content: bytes) -> bytes:
    """The template file ``rel`` as a workspace root gets it."""
    if rel == NOXFILE:
        text = content.decode("utf-8")
        end = text.index('"""', 3) + 3
        text = _NOX_DOC.rstrip("\n") + text[end:]
        text = _replace(
            text, 'nox.options.sessions = ["check"]', 'nox.options.sessions = ["stage_list"]', rel
        )
        text = _replace(text, "    KitOptions(\n", "    KitOptions(\n" + _KIT_WORKSPACE, rel)
        return text.encode("utf-8")
    if rel == WORKFLOW:
        text = content.decode("utf-8")
        text = _replace(
            text,
            "      - name: Check policies\n        run: nox -s check\n",
            "      - name: Check every package\n        run: nox -s stage -- --dry-run\n",
            rel,
        )
        text = _replace(
            text,
            "      - name: Stage with provenance\n",
            "      - name: Stage the workspace with provenance\n",
            rel,
        )
        return text.encode("utf-8")
    return content
