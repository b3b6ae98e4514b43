"""The secret scan of what will be published (see docs/policies/secrets.md).

It scans the packed tarball's files, not the working tree, with detect-secrets'
plugins and semantics plus releasekit's detectors for token formats and file names
detect-secrets lacks. Credential formats fail the gate; heuristic rules (high-entropy
strings, keywords) warn; ``secrets.severity`` in releasekit.yaml changes either. A
finding that is not plausibly real (a documented example, a placeholder, a GitHub or npm
token whose CRC32 checksum fails) warns, with the reason.
Findings accepted by the detect-secrets baseline (``.secrets.baseline``) or by an
inline ``pragma: allowlist secret`` comment are not reported. ``--allow-secrets``
reports everything as a warning, with a count, and lets the stage go on.

A finding shows file, line, rule and the sha1 of the secret, never the secret.
"""

from __future__ import annotations

import releasekit


@releasekit.mark.category("security")
def policy_no_secrets(found_secrets, config, options, project_dir):
    """No secrets in the published files"""
    from releasekit.scan import ScanSettings
    from releasekit.scan.baseline import baseline_path, load_baseline

    settings = ScanSettings.from_config(config)
    findings = found_secrets
    baseline = load_baseline(baseline_path(project_dir, settings))
    accepted = []
    if baseline is not None:
        findings, accepted = baseline.split(findings)

    reported = 0
    for found in findings:
        severity = settings.severity_of(found.type)
        if severity == "off":
            continue
        reported += 1
        if found.line:
            message = f"{found.type} (sha1 {found.hashed_secret})"
        else:
            message = (
                f"{found.type}: this file should not be published (sha1 of its content {found.hashed_secret})"
            )
        if found.note:
            # a placeholder, an example or a failed checksum: shown, never gating
            severity = "warning"
            message += f"; not gating: {found.note}"
        yield releasekit.Finding(
            rule_id=found.type,
            message=message,
            file=found.file,
            line=found.line,
            severity="warning" if options.allow_secrets else severity,
            secret_hash=found.hashed_secret,
        )
    if options.allow_secrets and reported:
        yield releasekit.Finding(
            rule_id="allow-secrets",
            message=f"--allow-secrets: {reported} secret finding(s) reported as warnings, not gating",
            severity="warning",
        )
    if accepted:
        yield releasekit.Finding(
            rule_id="baseline",
            message=f"{len(accepted)} finding(s) accepted by {settings.baseline}",
            severity="info",
        )
