"""Benchmarks: each compares releasekit with a peer measured in the same run."""
