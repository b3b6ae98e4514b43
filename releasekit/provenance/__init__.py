"""Sigstore provenance for staged versions: settings, statement, signing, bundle checks.

The stage pipeline needs one call, :func:`releasekit.provenance.attach.provenance_attachment`.
Nothing here imports sigstore at module level; it loads when a bundle is signed or verified.
"""
