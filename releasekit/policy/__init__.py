"""The policy framework: collect ``policy_*`` functions, inject fixtures, run, report.

Modules, one concept each (after pytest's ``_pytest``):
``collect`` finds files and functions, ``fixtures`` injects arguments,
``mark`` selects, ``hookspec`` documents every hook, ``runner`` runs one
policy, ``session`` runs them all, ``reports`` writes the summary.
"""
