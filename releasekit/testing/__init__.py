"""Test support shipped with releasekit: a local Verdaccio registry and RFC 6238 codes.

Used by releasekit's own tests and ``nox -s demo``; teams can use it to test
their policies against a real staging registry.
"""
