"""Every hook releasekit calls, with what it is for.

Plugins implement these with ``@releasekit.hookimpl``. A plugin is a module or
object registered with the run's pluggy ``PluginManager``; releasekit registers:

1. its built-in plugins (the Python collector, the built-in fixtures, the
   report formats);
2. every entry point in the ``releasekit`` group (as ``pytest11`` for pytest);
3. the modules named in ``policies.plugins`` of ``releasekit.yaml`` and those
   handed to ``run_policies(plugins=...)``;
4. every ``policyconf.py`` in the policy folders.

Every registered plugin may also define fixtures with ``@releasekit.fixture``.
The order of a run: ``releasekit_addoption``, ``releasekit_configure``,
``releasekit_collect_file`` for each file and ``releasekit_add_policies``,
``releasekit_collection_modifyitems``, then for each selected policy
``releasekit_runtest_protocol`` and ``releasekit_report_result``, and finally
``releasekit_sessionfinish``. ``releasekit_report_formats`` is asked when a
report file is requested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.policy.hookmarkers import hookspec

if TYPE_CHECKING:
    from releasekit.policy.item import Policy
    from releasekit.policy.pluginoptions import OptionParser
    from releasekit.policy.reports import ReportFormat
    from releasekit.policy.result import PolicyResult, SessionResult
    from releasekit.policy.session import Session


@hookspec(historic=True)
def releasekit_addoption(parser: OptionParser) -> None:
    """Declare plugin options with ``parser.addoption(name, default=..., help=...)``.

    Values come from ``lpm check -o NAME=VALUE``, ``run_policies(plugin_options=...)``
    or ``policies.options`` in ``releasekit.yaml``, and reach policies through
    the ``plugin_options`` fixture. Called once per plugin, also for plugins
    registered later in the run.
    """


@hookspec(historic=True)
def releasekit_configure(session: Session) -> None:
    """Called once the plugins are registered and options parsed, before collection.

    ``session`` gives the project directory, config, stage options, plugin
    options and the plugin manager (``session.pluginmanager``), so a plugin can
    register further plugins here.
    """


@hookspec
def releasekit_collect_file(file_path: Path, session: Session) -> Sequence[Policy] | None:
    """Return the policies found in ``file_path``, or ``None`` if this plugin does not collect it.

    Called for every file under each policy folder (hidden folders and
    ``__pycache__`` excepted). The built-in Python collector handles files that
    match ``policies.python_files``; a plugin may collect other files (YAML
    rules, say). Raise an exception to report a collection error for the file.
    The results of every plugin are concatenated.
    """


@hookspec
def releasekit_add_policies(session: Session) -> Iterable[Callable[..., Any] | Policy] | None:
    """Return extra policies that do not come from a policy file.

    Return plain functions (they get the id ``plugin:<plugin>::<name>`` and
    their markers are honoured) or ready ``Policy`` items.
    """


@hookspec
def releasekit_collection_modifyitems(session: Session, items: list[Policy]) -> None:
    """Filter, reorder or add to the collected policies, in place.

    Called before ``-k`` and ``policies.disable`` deselect anything.
    """


@hookspec(firstresult=True)
def releasekit_runtest_protocol(policy: Policy, session: Session) -> PolicyResult | None:
    """Run one policy and return its result; the first non-``None`` answer wins.

    The built-in implementation injects fixtures, calls the function and turns
    its return value, ``assert``, ``fail``/``skip`` or exception into a
    ``PolicyResult``. Implement this to run a policy differently (in a
    subprocess, with a timeout, ...).
    """


@hookspec
def releasekit_report_result(result: PolicyResult, session: Session) -> None:
    """Inspect or change one policy's result before it is counted and reported.

    ``result`` is mutable: a plugin may change its ``outcome``
    (``passed``/``failed``/``warned``/``skipped``/``error``), ``message``,
    ``findings`` or ``earned`` points. As always with pluggy, the plugin
    registered last is called first.
    """


@hookspec
def releasekit_report_formats() -> Iterable[ReportFormat] | None:
    """Return the report formats this plugin adds.

    A ``ReportFormat(name, render, description=...)`` turns the
    ``SessionResult`` into text; ``lpm check --report NAME=PATH`` (or
    ``run_policies(reports={NAME: PATH})``) writes it, atomically and through
    secret redaction. ``junitxml``, ``sarif`` and ``json`` are built in this way.
    """


@hookspec
def releasekit_sessionfinish(session: Session, result: SessionResult) -> None:
    """Called after every policy ran, the score is computed and fixtures are torn down.

    ``result`` is final except for the report files, which are written next.
    """
