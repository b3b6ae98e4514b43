"""Release sessions for this package, from releasekit's nox kit.

    nox -l                              # list them
    nox -s check                        # run the policies (secret scan, quality, yours)
    nox -s quality                      # the quality score breakdown
    nox -s stage -- --dry-run           # what would be staged, all local
    nox -s stage                        # stage the next version (CI does this)
    nox -s stage_list                   # staged versions waiting for approval
    nox -s approve -- <stage-id>        # approve one, with your 2FA code (never on CI)

Arguments after ``--`` go to ``lpm`` and win over the options below.
"""

from __future__ import annotations

import nox

from releasekit.nox import KitOptions, register_sessions

nox.options.sessions = ["check"]

register_sessions(
    KitOptions(
        # The npm package, relative to this file. A monorepo lists its packages instead,
        # and gets one session per package: nox -s "stage(pkg='packages/a')".
        package_dir=".",
        # packages=["packages/a", "packages/b"],
        # Policy folders beyond releasekit.yaml's policies.paths.
        policy_paths=(),
        # True: `check` also runs the read-only registry rules (lpm check --remote).
        remote=False,
        # Quality gate; None uses releasekit.yaml's quality.min_score.
        min_score=None,
        # Dist-tag and provenance for `stage`; None lets lpm decide (flags, publishConfig, config).
        tag=None,
        provenance=None,
        # "none" reuses the releasekit that runs nox (fast). Use "venv" or "uv" to install
        # releasekit into each session's own environment instead.
        venv_backend="none",
    )
)
