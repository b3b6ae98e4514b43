"""pluggy markers for the ``releasekit`` hook namespace."""

import pluggy

PROJECT_NAME = "releasekit"
ENTRY_POINT_GROUP = "releasekit"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
