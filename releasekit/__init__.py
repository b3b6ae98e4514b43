"""releasekit: safe, scriptable npm staged publishing from Python tooling.

The names a policy author needs are importable from here::

    import releasekit

    @releasekit.mark.severity("warning")
    def policy_has_readme(package):
        assert "README.md" in package, "ship a README"

Imports are lazy so that ``lpm --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from releasekit.lazyimport import lazy_attributes

__version__ = "0.1.0"

_EXPORTS = {
    "fail": "releasekit.policy.outcomes",
    "skip": "releasekit.policy.outcomes",
    "Failed": "releasekit.policy.outcomes",
    "Skipped": "releasekit.policy.outcomes",
    "Finding": "releasekit.policy.findings",
    "Severity": "releasekit.policy.findings",
    "Points": "releasekit.policy.findings",
    "mark": "releasekit.policy.mark",
    "fixture": "releasekit.policy.fixtures",
    "hookimpl": "releasekit.policy.hookmarkers",
    "hookspec": "releasekit.policy.hookmarkers",
    "run_policies": "releasekit.policy.session",
    "StageOptions": "releasekit.options",
    "PackedPackage": "releasekit.package.model",
    "PackedFile": "releasekit.package.model",
    "ReleasekitError": "releasekit.errors",
}

__all__ = [
    "Failed",
    "Finding",
    "PackedFile",
    "PackedPackage",
    "Points",
    "ReleasekitError",
    "Severity",
    "Skipped",
    "StageOptions",
    "fail",
    "fixture",
    "hookimpl",
    "hookspec",
    "mark",
    "run_policies",
    "skip",
    "__version__",
]

if TYPE_CHECKING:
    from releasekit.errors import ReleasekitError
    from releasekit.options import StageOptions
    from releasekit.package.model import PackedFile, PackedPackage
    from releasekit.policy.findings import Finding, Points, Severity
    from releasekit.policy.fixtures import fixture
    from releasekit.policy.hookmarkers import hookimpl, hookspec
    from releasekit.policy.mark import mark
    from releasekit.policy.outcomes import Failed, Skipped, fail, skip
    from releasekit.policy.session import run_policies


__getattr__ = lazy_attributes(__name__, _EXPORTS, globals())
