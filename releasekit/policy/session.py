"""One run: load plugins, collect, select, run every policy, score, gate, report.

:func:`run_policies` is the one library call behind ``lpm check``,
``lpm stage publish``, approve-time re-checks and the nox kit.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasekit.config import Config, load_config
from releasekit.errors import ConfigError, ExitCode, UsageError
from releasekit.options import StageOptions
from releasekit.policy import collect
from releasekit.policy.collect import BUILTIN_PREFIX, ImportContext, PolicyRoot, PythonCollector
from releasekit.policy.fixtures import FixtureManager
from releasekit.policy.item import InvalidMarkError, Policy
from releasekit.policy.mark.expression import Expression
from releasekit.policy.outcomes import Failed, OutcomeException, Skipped
from releasekit.policy.pluginoptions import OptionParser
from releasekit.policy.plugins import BUILTIN_PLUGINS, PluginManager, entry_points, import_named_plugin
from releasekit.policy.result import CollectionError, Outcome, PolicyResult, SessionResult
from releasekit.policy.score import compute_score, score_gate_message
from releasekit.progress import POLICIES, ProgressCallback, reporting
from releasekit.progress import report as report_progress

if TYPE_CHECKING:
    import pluggy

    from releasekit.package.model import PackedPackage
    from releasekit.policy.reports import ReportFormat
    from releasekit.scan.background import BackgroundScan


class Session:
    """The state of one run, handed to every hook as ``session``."""

    def __init__(
        self,
        project_dir: Path,
        *,
        config: Config,
        options: StageOptions,
        package: PackedPackage | None,
        roots: list[PolicyRoot],
    ) -> None:
        self.project_dir = project_dir
        self.config = config
        self.options = options
        self.package = package
        self.roots = roots
        self.plugin_options: dict[str, Any] = {}
        self.fixtures = FixtureManager()
        self.fixtures.add("session", lambda: self, "releasekit")
        self.pluginmanager = PluginManager(self.fixtures)
        self.imports = ImportContext()
        self.collection_errors: list[CollectionError] = []
        self.items: list[Policy] = []
        # The secret scan, started in the background as soon as the package is packed
        # when other policies can run meanwhile; ``found_secrets`` waits for it.
        self.overlap_scan = False
        self.secret_scan: BackgroundScan | None = None

    @property
    def hook(self) -> pluggy.HookRelay:
        return self.pluginmanager.hook

    # -- paths ---------------------------------------------------------------

    def root_of(self, path: Path) -> PolicyRoot | None:
        for root in self.roots:
            if root.contains(path):
                return root
        return None

    def display_path(self, path: Path) -> str:
        """How reports name a file: ``builtin/...``, project-relative, or as given."""
        root = self.root_of(path)
        if root is not None and root.builtin:
            return f"{BUILTIN_PREFIX}/{path.relative_to(root.folder).as_posix()}"
        for base in (self.project_dir, Path.cwd()):
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
        return path.as_posix()

    # -- plugins -------------------------------------------------------------

    def _register(self, plugin: object, name: str, where: str) -> None:
        import pluggy

        try:
            self.pluginmanager.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            self.collection_errors.append(
                CollectionError(where, None, f"invalid plugin: {exc}", phase="plugin")
            )

    def load_plugins(self, extra: Iterable[object | str]) -> None:
        import importlib

        self.pluginmanager.register(PythonCollector(), name="releasekit.python")
        for name in BUILTIN_PLUGINS:
            self.pluginmanager.register(importlib.import_module(name), name=name)
        for entry in entry_points():
            if self.pluginmanager.has_plugin(entry.name) or self.pluginmanager.is_blocked(entry.name):
                continue
            where = f"entry point {entry.name} = {entry.value}"
            try:
                plugin = entry.load()
            except (Exception, SystemExit) as exc:
                self.collection_errors.append(
                    CollectionError(
                        where, None, f"cannot load plugin: {type(exc).__name__}: {exc}", phase="plugin"
                    )
                )
                continue
            self._register(plugin, entry.name, where)
        configured = self.config.get("policies.plugins", []) or []
        source = str(self.config.path or "releasekit.yaml") + ": policies.plugins"
        for item in [*configured, *extra]:
            if isinstance(item, str):
                plugin = import_named_plugin(
                    item, source=source if item in configured else "run_policies(plugins=...)"
                )
                name = item
            else:
                plugin, name = item, getattr(item, "__name__", None) or repr(item)
            if not self.pluginmanager.is_registered(plugin):
                self._register(plugin, name, name)
        for root in self.roots:
            for path in collect.conftests(root):
                self._load_conftest(path)
        self._check_pending()

    def _load_conftest(self, path: Path) -> None:
        display = self.display_path(path)
        if any(getattr(p, "__file__", None) == str(path) for p in self.pluginmanager.get_plugins()):
            return
        try:
            module = collect.import_file(path, self.imports)
        except (Exception, SystemExit, OutcomeException) as exc:
            self.collection_errors.append(collect.collection_error(exc, path, display, phase="plugin"))
            return
        self._register(module, f"policyconf:{display}", display)

    def _check_pending(self) -> None:
        import pluggy

        try:
            self.pluginmanager.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self.pluginmanager.get_name(exc.plugin) or repr(exc.plugin)
            self.collection_errors.append(
                CollectionError(name.removeprefix("policyconf:"), None, str(exc), phase="plugin")
            )

    def configure(self, given_options: Mapping[str, Any]) -> None:
        parser = OptionParser()
        self.hook.releasekit_addoption.call_historic(kwargs={"parser": parser})
        configured = self.config.get("policies.options", {}) or {}
        self.plugin_options = parser.parse({**configured, **given_options})
        self.hook.releasekit_configure.call_historic(kwargs={"session": self})

    def report_formats(self) -> dict[str, ReportFormat]:
        formats: dict[str, ReportFormat] = {}
        for answer in self.hook.releasekit_report_formats():  # latest registered plugin first
            for fmt in answer or ():
                formats.setdefault(fmt.name, fmt)
        return formats

    # -- collection ----------------------------------------------------------

    def collect(self) -> list[Policy]:
        items: list[Policy] = []
        for root in self.roots:
            for path in collect.walk(root):
                try:
                    answers = self.hook.releasekit_collect_file(file_path=path, session=self)
                except Skipped:
                    continue  # releasekit.skip() at module level skips the whole file
                except (Exception, SystemExit, Failed) as exc:
                    error = collect.collection_error(exc, path, self.display_path(path))
                    error.line = error.line or collect.marker_error_line(exc)
                    self.collection_errors.append(error)
                    continue
                for answer in answers:
                    items.extend(answer or ())
        for plugin_answer in self._added_policies():
            items.append(plugin_answer)
        self.hook.releasekit_collection_modifyitems(session=self, items=items)
        self.items = items
        return items

    def _added_policies(self) -> list[Policy]:
        added: list[Policy] = []
        for impl in self.hook.releasekit_add_policies.get_hookimpls():
            plugin_name = impl.plugin_name.removeprefix("policyconf:")
            try:
                answer: Any = impl.function(session=self)
            except Exception as exc:
                self.collection_errors.append(
                    CollectionError(
                        plugin_name,
                        None,
                        f"releasekit_add_policies raised {type(exc).__name__}: {exc}",
                        phase="plugin",
                    )
                )
                continue
            for obj in answer or ():
                if isinstance(obj, Policy):
                    added.append(obj)
                    continue
                code = getattr(obj, "__code__", None)
                path = Path(code.co_filename) if code is not None else Path(plugin_name)
                try:
                    added.append(
                        Policy.from_function(obj, path=path, id=f"plugin:{plugin_name}::{obj.__name__}")
                    )
                except InvalidMarkError as exc:
                    self.collection_errors.append(
                        CollectionError(plugin_name, None, f"{obj.__name__}: {exc}", phase="plugin")
                    )
        return added

    def select(self, items: list[Policy], keyword: str | None) -> tuple[list[Policy], list[Policy]]:
        expression = Expression.compile(keyword or "")
        disabled = set(self.config.get("policies.disable", []) or [])
        selected, deselected = [], []
        for policy in items:
            if policy.name in disabled or policy.id in disabled or not expression.evaluate(_matcher(policy)):
                deselected.append(policy)
            else:
                selected.append(policy)
        return selected, deselected

    # -- running -------------------------------------------------------------

    def run_one(self, policy: Policy) -> PolicyResult:
        result = self.hook.releasekit_runtest_protocol(policy=policy, session=self)
        self.hook.releasekit_report_result(result=result, session=self)
        return result  # type: ignore[no-any-return]

    def start_secret_scan(self) -> None:
        """Start the secret scan in a forked child (:mod:`releasekit.scan.background`) when
        it is worth it: other policies to run meanwhile (``overlap_scan``), more than one
        core, and enough to scan (a small package costs less than the child's start)."""
        if self.secret_scan is not None or not self.overlap_scan or self.package is None:
            return
        from releasekit.scan.background import BACKGROUND_MIN_BYTES, BackgroundScan
        from releasekit.scan.processes import forking_pays

        if forking_pays() and self.package.unpacked_size >= BACKGROUND_MIN_BYTES:
            self.secret_scan = BackgroundScan(self.config, self.package)

    def packed(self, package: PackedPackage) -> None:
        """The ``package`` fixture packed the project."""
        self.package = package
        self.start_secret_scan()

    def scan_for_redaction(self) -> None:
        """Scan the packed package if no policy did, so that its secrets are redacted from every output."""
        from releasekit.errors import FixtureError

        if self.package is None:
            return
        # A failing scan is reported by the secrets policy when it is selected.
        with contextlib.suppress(FixtureError, OutcomeException):
            self.fixtures.get("found_secrets", "releasekit")

    def teardown(self) -> None:
        if self.secret_scan is not None:
            self.secret_scan.cancel()
        for error in self.fixtures.teardown():
            self.collection_errors.append(
                CollectionError(error.origin, None, error.message, error.details, phase="teardown")
            )


def _matcher(policy: Policy) -> Callable[[str], bool]:
    names = [policy.name.lower(), policy.path.stem.lower()]
    keywords = {k.lower() for k in policy.keywords} | {k.lower().replace(" ", "_") for k in policy.keywords}

    def match(word: str) -> bool:
        word = word.lower()
        return word in keywords or any(word in name for name in names) or any(word in k for k in keywords)

    return match


def policy_roots(
    project_dir: Path, config: Config, extra_paths: Sequence[Path | str], builtin: bool
) -> list[PolicyRoot]:
    """The folders (and files) to collect from, each once, built-ins first."""
    roots: list[PolicyRoot] = []
    seen: set[Path] = set()

    def add(root: PolicyRoot) -> None:
        if root.path not in seen:
            seen.add(root.path)
            roots.append(root)

    if builtin and config.get("policies.builtin", True):
        builtin_dir = collect.builtin_policies_dir()
        if builtin_dir is not None:
            add(PolicyRoot(builtin_dir, builtin=True))
    files = tuple(config.get("policies.python_files") or collect.DEFAULT_FILES)
    functions = tuple(config.get("policies.python_functions") or collect.DEFAULT_FUNCTIONS)
    configured = list(config.get("policies.paths") or [])
    for entry in configured:
        path = (project_dir / entry).resolve()
        if path.exists():
            add(PolicyRoot(path, files, functions))
        elif configured != ["policies"]:  # the default folder may be absent; a configured one may not
            where = config.path or project_dir / "releasekit.yaml"
            raise ConfigError(f"{where}: policies.paths: {entry!r} does not exist (looked for {path})")
    for entry in extra_paths:
        path = Path(entry).expanduser()
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not path.exists():
            raise UsageError(f"policy path {str(entry)!r} does not exist")
        add(PolicyRoot(path, files, functions))
    return roots


def run_policies(
    project_dir: Path | str,
    *,
    options: StageOptions | None = None,
    config: Config | None = None,
    package: PackedPackage | None = None,
    keyword: str | None = None,
    paths: Sequence[Path | str] | None = None,
    builtin: bool = True,
    plugins: Iterable[object | str] = (),
    plugin_options: Mapping[str, Any] | None = None,
    reports: Mapping[str, Path | str] | None = None,
    collect_only: bool = False,
    progress: ProgressCallback | None = None,
    secret_scan: BackgroundScan | None = None,
) -> SessionResult:
    """Collect and run the policies for the project at ``project_dir``.

    ``options``: the stage options (``min_score`` overrides ``quality.min_score``).
    ``config``: the loaded ``releasekit.yaml`` (loaded from ``project_dir`` if ``None``).
    ``package``: an already packed package; otherwise the ``package`` fixture packs lazily.
    ``keyword``: a ``-k`` expression. ``paths``: extra policy folders or files, after
    ``policies.paths``. ``builtin``: include releasekit's built-in policies (config
    ``policies.builtin`` can turn them off too). ``plugins``: plugin objects or module
    names to register. ``plugin_options``: values for plugin-declared options.
    ``reports``: report files to write, ``{format name: path}`` (``junitxml``, ``sarif``,
    ``json`` or a plugin's format). ``collect_only``: collect and select, run nothing.
    ``progress``: told how packing, the scan and the policies advance.
    ``secret_scan``: the secret scan of ``package``, already started (``lpm check``
    starts it before packing, :func:`releasekit.scan.background.start_before_packing`);
    the session owns it from here and stops it when nobody asked for it.

    Raises :class:`~releasekit.errors.UsageError` / ``ConfigError`` for bad input
    (unknown report format, bad ``-k``, missing policy path); policy problems never
    raise: they are in the result.
    """
    started = time.perf_counter()
    project = Path(project_dir).resolve()
    if not project.is_dir():
        raise UsageError(f"project directory {str(project_dir)!r} does not exist")
    config = config if config is not None else load_config(project)
    options = options if options is not None else StageOptions()
    Expression.compile(keyword or "")  # a bad -k is a usage error before anything runs
    roots = policy_roots(project, config, list(paths or ()), builtin)
    session = Session(project, config=config, options=options, package=package, roots=roots)
    session.secret_scan = secret_scan
    result = SessionResult(project_dir=project, collect_only=collect_only)
    with reporting(progress), session.imports:
        try:
            if package is not None and keyword is None and not collect_only:
                # every policy will run (and the scan is needed for redaction anyway):
                # start it before collecting them
                session.overlap_scan = True
                session.start_secret_scan()
            session.load_plugins(plugins)
            session.configure(plugin_options or {})
            formats = session.report_formats()
            requested = {name: Path(path) for name, path in (reports or {}).items()}
            _check_reports(requested, formats)
            items = session.collect()
            selected, deselected = session.select(items, keyword)
            result.collected = [p.describe() for p in selected]
            result.deselected = [p.id for p in deselected]
            if not collect_only:
                session.overlap_scan = session.overlap_scan or len(selected) > 1
                session.start_secret_scan()
                for done, policy in enumerate(selected):
                    report_progress(POLICIES, done, len(selected), "policies")
                    result.results.append(session.run_one(policy))
                report_progress(POLICIES, len(selected), len(selected), "policies")
                session.scan_for_redaction()
        finally:
            session.teardown()
        result.collection_errors = session.collection_errors
        result.package = session.package
        _judge(result, selected, options, config)
        result.duration = time.perf_counter() - started
        session.hook.releasekit_sessionfinish(session=session, result=result)
    for name, path in requested.items():
        from releasekit.policy.reports import write_report

        write_report(path, formats[name].render(result))
        result.reports_written[name] = str(path)
    return result


def _check_reports(requested: Mapping[str, Path], formats: Mapping[str, ReportFormat]) -> None:
    for name, path in requested.items():
        if name not in formats:
            raise UsageError(f"unknown report format {name!r}; available: {', '.join(sorted(formats))}")
        if not path.parent.is_dir():
            problem = "is not a folder" if path.parent.exists() else "does not exist"
            raise UsageError(f"cannot write the {name} report to {path}: {path.parent} {problem}")
        if path.is_dir():
            raise UsageError(f"cannot write the {name} report to {path}: it is a folder")


def _judge(result: SessionResult, selected: list[Policy], options: StageOptions, config: Config) -> None:
    """Score, gate and exit code."""
    result.score = compute_score(result.results)
    min_score = (
        options.min_score if options.min_score is not None else int(config.get("quality.min_score", 0) or 0)
    )
    result.min_score = min_score
    messages = []
    failing = [r for r in result.results if r.outcome.fails_gate]
    failed = [r.id for r in failing if r.outcome == Outcome.FAILED]
    errors = [r.id for r in failing if r.outcome == Outcome.ERROR]
    if failed:
        messages.append(
            f"{len(failed)} polic{'y' if len(failed) == 1 else 'ies'} failed: {', '.join(failed)}"
        )
    if errors:
        messages.append(
            f"{len(errors)} polic{'y' if len(errors) == 1 else 'ies'} raised an error: {', '.join(errors)}"
        )
    if result.collection_errors:
        messages.append(
            f"{len(result.collection_errors)} collection error(s): "
            + ", ".join(e.location for e in result.collection_errors)
        )
    if result.score is not None and min_score:
        below = score_gate_message(result.score, min_score)
        if below:
            messages.append(below)
    result.gate_messages = messages
    result.gate_passed = not messages
    if not selected and not result.collection_errors:
        result.exit_code = ExitCode.NO_POLICIES
    else:
        result.exit_code = ExitCode.OK if result.gate_passed else ExitCode.REFUSED
