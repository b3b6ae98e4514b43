"""Options that plugins declare (``releasekit_addoption``) and users set by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from releasekit.errors import UsageError


@dataclass(frozen=True)
class PluginOption:
    name: str
    default: Any = None
    help: str = ""
    type: Callable[[str], Any] | None = None  # converts a value given as text


@dataclass
class OptionParser:
    """Collects plugin options; ``parse`` checks and converts the given values."""

    options: dict[str, PluginOption] = field(default_factory=dict)

    def addoption(
        self, name: str, *, default: Any = None, help: str = "", type: Callable[[str], Any] | None = None
    ) -> None:
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"plugin option names are words with - or _, got {name!r}")
        if name in self.options:
            raise ValueError(f"plugin option {name!r} is declared twice")
        self.options[name] = PluginOption(name, default, help, type)

    def parse(self, given: Mapping[str, Any]) -> dict[str, Any]:
        values = {name: option.default for name, option in self.options.items()}
        for name, raw in given.items():
            option = self.options.get(name)
            if option is None:
                known = ", ".join(sorted(self.options)) or "(none declared)"
                raise UsageError(f"unknown plugin option {name!r}; known options: {known}")
            if option.type is not None and isinstance(raw, str):
                try:
                    raw = option.type(raw)
                except (TypeError, ValueError) as exc:
                    raise UsageError(f"plugin option {name!r}: invalid value {raw!r}: {exc}") from exc
            values[name] = raw
        return values
