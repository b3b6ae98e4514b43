"""Fixtures: values injected into policies by argument name.

A fixture is a function decorated with :func:`fixture`, found in a plugin
(``policyconf.py``, an entry-point plugin, the built-ins) or a policy file.
Every fixture in the run is visible to every policy, and each one is computed
at most once per run: its value (or its error) is cached. A generator fixture
yields its value and finishes after the last policy ran (its teardown).
When two plugins define the same name, the one registered later wins, so a
``policyconf.py`` can override a built-in.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from releasekit.errors import FixtureCycleError, FixtureError, FixtureLookupError
from releasekit.policy.item import fixture_argnames

F = TypeVar("F", bound=Callable[..., Any])
FIXTURE_ATTRIBUTE = "__releasekit_fixture__"


@dataclass(frozen=True)
class FixtureMarker:
    name: str | None = None


@overload
def fixture(function: F, *, name: str | None = None) -> F: ...


@overload
def fixture(function: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def fixture(function: Any = None, *, name: str | None = None) -> Any:
    """Declare a fixture: ``@releasekit.fixture`` or ``@releasekit.fixture(name="x")``.

    The fixture's own arguments are other fixtures, requested by name.
    """
    if function is not None and not callable(function):
        raise TypeError("use @releasekit.fixture or @releasekit.fixture(name=...); the name is keyword-only")

    def decorate(func: F) -> F:
        setattr(func, FIXTURE_ATTRIBUTE, FixtureMarker(name))
        return func

    return decorate(function) if function is not None else decorate


def fixture_marker(obj: object) -> FixtureMarker | None:
    try:
        marker = getattr(obj, FIXTURE_ATTRIBUTE, None)
    except Exception:  # exotic objects in a plugin's namespace
        return None
    return marker if isinstance(marker, FixtureMarker) else None


@dataclass(frozen=True)
class FixtureDef:
    name: str
    function: Callable[..., Any]
    origin: str  # plugin name or file, for messages

    @property
    def argnames(self) -> tuple[str, ...]:
        return fixture_argnames(self.function)


@dataclass
class _Cached:
    value: Any = None
    error: BaseException | None = None


@dataclass
class TeardownError:
    fixture: str
    origin: str
    message: str
    details: str


@dataclass
class FixtureManager:
    """Holds the run's fixture definitions, their cached values and teardowns."""

    definitions: dict[str, FixtureDef] = field(default_factory=dict)
    _cache: dict[str, _Cached] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)
    _teardowns: list[tuple[str, str, Generator[Any, None, None]]] = field(default_factory=list)

    def add(self, name: str, function: Callable[..., Any], origin: str) -> None:
        self.definitions[name] = FixtureDef(name, function, origin)

    def parse(self, namespace: object, origin: str) -> list[str]:
        """Register every ``@fixture`` function found on a module or plugin object."""
        found = []
        items: Iterable[tuple[str, Any]]
        if isinstance(namespace, dict):
            items = namespace.items()
        elif hasattr(namespace, "__dict__") and inspect.ismodule(namespace):
            items = vars(namespace).items()
        else:
            items = ((n, getattr(namespace, n, None)) for n in dir(namespace) if not n.startswith("__"))
        for attr, obj in list(items):
            marker = fixture_marker(obj)
            if marker is None or not callable(obj):
                continue
            name = marker.name or attr
            self.add(name, obj, origin)
            found.append(name)
        return found

    @property
    def names(self) -> list[str]:
        return sorted(self.definitions)

    def resolve_arguments(self, argnames: Iterable[str], requester: str) -> dict[str, Any]:
        """Values for ``argnames``, computing fixtures as needed (at most once each)."""
        return {name: self.get(name, requester) for name in argnames}

    def get(self, name: str, requester: str) -> Any:
        cached = self._cache.get(name)
        if cached is None:
            cached = self._compute(name, requester)
        if cached.error is not None:
            raise cached.error
        return cached.value

    def _compute(self, name: str, requester: str) -> _Cached:
        if name in self._stack:
            cycle = " -> ".join([*self._stack[self._stack.index(name) :], name])
            raise FixtureCycleError(f"fixture cycle: {cycle}")
        definition = self.definitions.get(name)
        if definition is None:
            raise FixtureLookupError(
                f"{requester} requests unknown fixture {name!r}; available fixtures: {', '.join(self.names) or '(none)'}"
            )
        self._stack.append(name)
        try:
            kwargs = self.resolve_arguments(definition.argnames, f"fixture {name!r} ({definition.origin})")
            cached = _Cached(value=self._call(definition, kwargs))
        except FixtureCycleError:
            raise  # not cached: the cycle is reported from where it closes
        except FixtureError as exc:
            cached = _Cached(error=exc)
        except Exception as exc:
            cached = _Cached(
                error=FixtureError(
                    f"fixture {name!r} ({definition.origin}) raised {type(exc).__name__}: {exc}",
                    details="".join(traceback.format_exception(exc)),
                )
            )
        except BaseException as exc:  # skip()/fail() inside a fixture apply to every requester
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            cached = _Cached(error=exc)
        finally:
            self._stack.pop()
        self._cache[name] = cached
        return cached

    def _call(self, definition: FixtureDef, kwargs: dict[str, Any]) -> Any:
        if not inspect.isgeneratorfunction(definition.function):
            return definition.function(**kwargs)
        generator = definition.function(**kwargs)
        try:
            value = next(generator)
        except StopIteration:
            raise FixtureError(
                f"fixture {definition.name!r} ({definition.origin}) did not yield a value"
            ) from None
        self._teardowns.append((definition.name, definition.origin, generator))
        return value

    def teardown(self) -> list[TeardownError]:
        """Finish generator fixtures, last set up first; return what went wrong."""
        errors = []
        while self._teardowns:
            name, origin, generator = self._teardowns.pop()
            try:
                next(generator)
            except StopIteration:
                continue
            except Exception as exc:
                errors.append(
                    TeardownError(
                        name,
                        origin,
                        f"teardown of fixture {name!r} raised {type(exc).__name__}: {exc}",
                        "".join(traceback.format_exception(exc)),
                    )
                )
                continue
            generator.close()
            errors.append(TeardownError(name, origin, f"fixture {name!r} yielded more than once", ""))
        self._cache.clear()
        return errors
