"""The secret scan of a packed package, run in a forked child while the parent goes on.

The child reads the ``secrets`` settings, imports detect-secrets, builds the plugins and
the Hyperscan database and scans (forking workers of its own for a large package); the
parent meanwhile runs the other policies, or packs (``lpm check`` forks the child
before it imports its commands, then sends it the config and the files). This module
imports little, so that forking comes first. The parent takes the settings the child read
(:func:`~releasekit.scan.settings.remember_settings`), so it never imports detect-secrets
itself, and registers every found secret for redaction: the child's registry dies with it.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import threading
import warnings
import weakref
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from releasekit.scan.processes import forking_pays

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage
    from releasekit.scan.scanner import SecretFinding


def _scan_in_child(
    package: PackedPackage | None,
    config: tuple[Any] | None,
    sender: Connection,
    files_from: Connection,
    parents_ends: tuple[Connection, ...],
) -> None:
    """The child: ``config`` is ``(config,)`` when inherited, ``None`` when its ``secrets``
    section comes through ``files_from`` first; the files follow unless ``package`` is given."""
    os.setpgrp()  # a group of its own: cancelling stops its workers with it
    for end in parents_ends:  # inherited by the fork: with them open, no EOF would ever come
        end.close()
    from releasekit.progress import reporting

    try:
        with reporting(_no_progress):  # the parent's display is the parent's to draw
            from releasekit.scan import accelerated, scannable_files
            from releasekit.scan.tokens import PATTERNS

            if package is None:  # the token formats' database needs no detect-secrets: start it now
                accelerated.prepare_formats(PATTERNS, wait=False)
            from releasekit.scan.engine import plugin_classes
            from releasekit.scan.scanner import get_ready, scan_files
            from releasekit.scan.settings import ScanSettings

            plugin_classes()  # detect-secrets imported, before the parent has read the config
            if config is None:  # forked before it: its ``secrets`` section comes first
                settings = ScanSettings.from_section(files_from.recv())
            else:
                settings = ScanSettings.from_config(config[0])
            if package is None:
                get_ready(settings.plan)  # while the parent packs
                files = files_from.recv()
            else:
                files = [(f.path, f.data) for f in package.files]
            findings = scan_files(scannable_files(files, settings), settings.plan, settings.jobs)
            outcome: tuple[str, Any] = ("done", (settings, findings))
    except EOFError:
        return  # the parent never sent the files: nobody waits for an answer
    except Exception as exc:  # the parent scans itself and meets it there
        outcome = ("error", repr(exc))
    with contextlib.suppress(OSError):  # a parent that stopped waiting closed its end
        sender.send(outcome)
        sender.close()


def _no_progress(event: object) -> None:
    pass


# Below this many unpacked bytes the scan runs in the parent: starting a child (which
# imports detect-secrets and builds the plugins again) costs more than the scan it
# moves. A workspace of fifty small packages, staged in one process, pays it once.
BACKGROUND_MIN_BYTES = 1_000_000


# Above this many unpacked bytes a waiting child is not sent the files (a copy through
# a pipe, and a second copy in its memory): it is stopped, and the session scans as it
# would without it (a child forked after packing inherits the files instead).
SEND_MAX_BYTES = 64_000_000

# The config of a child forked before the config was read.
_NOT_YET: Any = object()


def start_before_packing(config: Any = _NOT_YET) -> BackgroundScan | None:
    """A child that gets ready to scan while the caller packs (``lpm check``); ``None``
    where it cannot help (no fork, one core). Without ``config`` it is forked before the
    config is read (``lpm`` forks it before importing its commands):
    :meth:`~BackgroundScan.configure` it then. Send it the package, and hand it to
    :func:`~releasekit.policy.session.run_policies` as ``secret_scan``."""
    if not forking_pays():
        return None
    scan = BackgroundScan(_NOT_YET)
    if config is not _NOT_YET:
        scan.configure(config)
    return scan


# Scans not yet cancelled: stopped at exit, before multiprocessing's own exit handler
# (registered earlier, so run later) would wait for a child that waits for its files.
_live: weakref.WeakSet[BackgroundScan] = weakref.WeakSet()


@atexit.register
def _cancel_live_scans() -> None:
    for scan in list(_live):
        scan.cancel()


class BackgroundScan:
    """The scan of a package with the settings ``config`` gives, running in a forked child.

    Given the ``package``, the child inherits it (its bytes are never copied). Without
    it, the child gets ready (detect-secrets imported, plugins and Hyperscan database
    built) while the caller packs, and waits for :meth:`send`. Forked before the config
    is read (:func:`start_before_packing` without one), it imports detect-secrets and
    waits for :meth:`configure` first. The outcome comes back through a pipe. The caller
    must :meth:`cancel` a scan it gives up on (a session does in its teardown).
    """

    def __init__(self, config: Any, package: PackedPackage | None = None) -> None:
        assert package is None or config is not _NOT_YET, "a package comes with its config"
        self.package = package
        self._config = config
        self._outcome: list[SecretFinding] | None = None
        receiver, sender = multiprocessing.Pipe(duplex=False)
        files_from, self._files_to = multiprocessing.Pipe(duplex=False)
        self._receiver: Connection | None = receiver
        inherited = None if config is _NOT_YET else (config,)
        with warnings.catch_warnings():
            # The packer's gzip thread may be running; the child never touches it.
            warnings.filterwarnings(
                "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
            )
            self._child: Any = multiprocessing.get_context("fork").Process(
                target=_scan_in_child,
                args=(package, inherited, sender, files_from, (receiver, self._files_to)),
                name="releasekit-scan",
                daemon=False,
            )
            self._child.start()
        self._sending: threading.Thread | None = None
        _live.add(self)
        sender.close()  # the child holds the other copies: EOF here when it dies
        files_from.close()
        if package is not None:
            self._files_to.close()

    def configure(self, config: Any) -> None:
        """Hand a child forked before the config was read the config's ``secrets`` settings (once)."""
        assert self._config is _NOT_YET, "the child has its config"
        self._config = config
        section = {} if config is None else config.section("secrets")
        self._post(section)  # plain dicts and lists: load_config made them so

    def send(self, package: PackedPackage) -> bool:
        """Hand a waiting child the packed files (once). ``False``, with the child stopped,
        for a package too large to copy through a pipe (:data:`SEND_MAX_BYTES`)."""
        assert self.package is None, "the child has its package"
        assert self._config is not _NOT_YET, "configure() comes first"
        if package.unpacked_size > SEND_MAX_BYTES:
            self.cancel()
            return False
        self.package = package
        self._post([(f.path, f.data) for f in package.files])
        return True

    def _post(self, message: object) -> None:
        """Send on a thread, after what was posted before: the pipe holds 64 KiB, and the
        child reads only once it is ready."""
        before = self._sending

        def deliver() -> None:
            if before is not None:
                before.join()
            with contextlib.suppress(OSError):  # the child is gone (or cancelled): result() says how
                self._files_to.send(message)

        self._sending = threading.Thread(target=deliver, name="releasekit-scan-send", daemon=True)
        self._sending.start()

    def result(self) -> list[SecretFinding] | None:
        """The findings; ``None`` if the child met an error (the caller scans itself, and
        meets it there). Waits for the child; one that died without answering (the OOM
        killer) is a ``BrokenProcessPool``.

        The settings the child read are remembered for this config
        (:meth:`ScanSettings.from_config` returns them), so that the parent never
        imports detect-secrets to read them again.
        """
        if self._outcome is None:
            if self._receiver is None or self.package is None:
                return None  # cancelled, never sent, or the child's error already answered
            try:
                kind, value = self._receiver.recv()
            except EOFError:
                self._child.join()
                from concurrent.futures.process import BrokenProcessPool

                raise BrokenProcessPool(
                    f"the secret scan's process died (exit code {self._child.exitcode})"
                ) from None
            finally:
                self.cancel()
            if kind == "error":
                return None
            from releasekit.progress import SCAN, report
            from releasekit.redaction import register_secret
            from releasekit.scan.settings import remember_settings

            settings, findings = value
            remember_settings(self._config, settings)
            for found in findings:  # found in this run: no output may print them from now on
                register_secret(found.secret)
            self._outcome = findings
            total = sum(len(f.data) for f in self.package.files)  # type: ignore[union-attr]
            report(SCAN, total, total, "bytes")
        return self._outcome

    def cancel(self) -> None:
        """Stop the child if it still runs (a scan nobody asks for any more); idempotent."""
        _live.discard(self)
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
        if self._child.is_alive():
            try:
                os.killpg(self._child.pid, signal.SIGTERM)
            except ProcessLookupError:  # not in its own group yet: it has no workers either
                self._child.terminate()
        self._child.join()
        if self._sending is not None:
            self._sending.join()  # the child is gone: the writes are done or fail
        self._files_to.close()
