"""The policy framework: collect ``policy_*`` functions, inject fixtures, run, report.

Modules, one concept each (after pytest's ``_pytest``):

- ``collect``: find policy files and functions, import them under unique names;
- ``item``: a collected ``Policy`` and what its markers say;
- ``fixtures`` / ``builtin_fixtures``: values injected by argument name;
- ``mark`` (and ``mark.expression``): markers and ``-k`` selection;
- ``hookspec`` / ``hookmarkers`` / ``plugins`` / ``pluginoptions``: pluggy hooks and plugin loading;
- ``runner`` / ``assertion`` / ``outcomes`` / ``findings``: run one policy and explain its outcome;
- ``score``: the 0-100 quality score and its gate;
- ``result``: per-policy and per-run results;
- ``session``: one run, behind :func:`releasekit.run_policies`;
- ``reports``: console summary, JSON, JUnit XML and SARIF.
"""
