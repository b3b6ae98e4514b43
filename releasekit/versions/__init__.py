"""npm's version and dist-tag rules, as plain functions (the policies live in ``policies/policy_versions.py``)."""
