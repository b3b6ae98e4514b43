"""Review before approval: read staged tarballs safely, diff them, re-check, wait for a decision."""
