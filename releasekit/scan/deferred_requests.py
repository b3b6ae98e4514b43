"""detect-secrets imported without ``requests``, until something uses it.

detect-secrets' plugin modules import ``requests`` to verify secrets over the network,
which releasekit never asks of them; importing it (urllib3, http.client, charset
detection) is most of detect-secrets' import time, paid by every scan's process. So
while detect-secrets' plugins are first imported, ``requests`` is a stand-in module:
the plugins bind it, and the two that name ``requests.Response`` in a return annotation
get a placeholder class there. Any other use of the stand-in, then or later, imports
the real ``requests`` and is answered by it; after the import, ``import requests`` is
the real module for everyone else.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class UnimportedResponse:
    """What detect-secrets' annotations hold in place of ``requests.Response``."""


class _RequestsStandIn(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("requests")
        self.annotating = True  # while detect-secrets' plugin modules are executed

    def __getattr__(self, name: str) -> Any:
        if name == "Response" and self.annotating:
            return UnimportedResponse
        if sys.modules.get("requests") is self:
            del sys.modules["requests"]
        return getattr(importlib.import_module("requests"), name)


def import_plugins() -> dict[str, type[Any]]:
    """detect-secrets' plugin classes by secret type (its own cached mapping), imported
    with ``requests`` deferred when neither was imported yet."""
    if "requests" in sys.modules or "detect_secrets" in sys.modules:
        return _plugin_mapping()
    stand_in = _RequestsStandIn()
    sys.modules["requests"] = stand_in
    try:
        return _plugin_mapping()
    finally:
        stand_in.annotating = False
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


def _plugin_mapping() -> dict[str, type[Any]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return dict(get_mapping_from_secret_type_to_class())
