"""The stage commands as library calls: publish, list and view, download, diff, approve, reject.

Each takes the command's inputs plus callbacks for whatever talks to a person and
returns a result with ``to_dict()``; :mod:`releasekit.cli.stage` only parses and renders.
"""
