"""Example policies: plain functions named policy_*, run on the packed package before staging.

Pass by returning, fail with ``assert`` or ``releasekit.fail()``, report
findings by yielding ``releasekit.Finding``, or ``releasekit.skip()`` when
a policy does not apply. Run them with ``lpm check`` or ``nox -s check``.
"""

from __future__ import annotations

import releasekit


@releasekit.mark.severity("error")
def policy_changelog_mentions_version(package, changelog):
    """Every staged version has a CHANGELOG entry (``changelog`` comes from policyconf.py)."""
    if changelog is None:
        releasekit.skip("the package ships no CHANGELOG")
    assert package.version in changelog, f"CHANGELOG has no entry for {package.version}"


@releasekit.mark.severity("warning")
def policy_no_console_log(package):
    """Warn about console.log left in shipped JavaScript (warnings never fail the gate)."""
    for file in package:
        if not file.path.endswith((".js", ".mjs", ".cjs")):
            continue
        text = package.text(file.path) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            if "console.log(" in line:
                yield releasekit.Finding(
                    rule_id="example/console-log",
                    message="console.log in shipped code",
                    file=file.path,
                    line=number,
                    severity="warning",
                )
