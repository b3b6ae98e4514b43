"""The node-tar oracle, one process for the whole session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.tar_oracle.node_tar import NodeTar, npm_dir


@pytest.fixture(scope="session")
def node_tar() -> Iterator[NodeTar]:
    npm = npm_dir()
    if npm is None:
        if os.environ.get("CI"):
            raise RuntimeError(
                "npm with its bundled node-tar and pacote is required for the differential tests"
            )
        pytest.skip("npm (with node-tar and pacote) is not on PATH")
    oracle = NodeTar(npm)
    yield oracle
    oracle.close()
