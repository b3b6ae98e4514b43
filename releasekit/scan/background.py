"""The secret scan, started in a forked child before anyone asks for it.

The child reads the ``secrets`` settings, imports detect-secrets, builds the plugins and
starts the Hyperscan build, then scans (forking workers of its own for a large
package). A session starts it as soon as it knows the scan will be needed: with the
package already packed (``lpm stage publish`` packs first), while the other policies
run; or before packing, which then goes on in the parent while the child gets ready,
and the packed files are sent to it. The parent takes the settings the child read
(:func:`~releasekit.scan.settings.remember_settings`), so it never imports detect-secrets
itself, and registers every found secret for redaction: the child's registry dies with it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import warnings
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from releasekit.progress import SCAN, report, reporting
from releasekit.redaction import register_secret
from releasekit.scan.settings import remember_settings

if TYPE_CHECKING:
    from releasekit.package.model import PackedPackage
    from releasekit.scan.scanner import SecretFinding


def _scan_in_child(
    package: PackedPackage | None, config: Any, sender: Connection, files_from: Connection
) -> None:
    from releasekit.scan import scannable_files
    from releasekit.scan.scanner import scan_files, warm_up
    from releasekit.scan.settings import ScanSettings

    os.setpgrp()  # a group of its own: cancelling stops its workers with it
    try:
        with reporting(_no_progress):  # the parent's display is the parent's to draw
            settings = ScanSettings.from_config(config)
            warm_up(settings.plan)
            files = [(f.path, f.data) for f in package.files] if package is not None else files_from.recv()
            findings = scan_files(scannable_files(files, settings), settings.plan, settings.jobs)
            outcome: tuple[str, Any] = ("done", (settings, findings))
    except Exception as exc:  # the parent scans itself and meets it there
        outcome = ("error", repr(exc))
    sender.send(outcome)
    sender.close()


def _no_progress(event: object) -> None:
    pass


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class BackgroundScan:
    """The scan of a package with the settings ``config`` gives, running in a forked child.

    Given the ``package``, the child inherits it (its bytes are never copied); without
    it, the child gets ready and waits for :meth:`send`. The outcome comes back
    through a pipe.
    """

    def __init__(self, config: Any, package: PackedPackage | None = None) -> None:
        self._package = package
        self._config = config
        self._outcome: list[SecretFinding] | None = None
        receiver, sender = multiprocessing.Pipe(duplex=False)
        files_from, self._files_to = multiprocessing.Pipe(duplex=False)
        self._receiver: Connection | None = receiver
        with warnings.catch_warnings():
            # The packer's gzip thread may be running; the child never touches it.
            warnings.filterwarnings(
                "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
            )
            self._child: Any = multiprocessing.get_context("fork").Process(
                target=_scan_in_child,
                args=(package, config, sender, files_from),
                name="releasekit-scan",
                daemon=False,
            )
            self._child.start()
        sender.close()  # the child holds the other copies: EOF here when it dies
        files_from.close()

    @property
    def package(self) -> PackedPackage | None:
        """The package being scanned (``None`` until :meth:`send`)."""
        return self._package

    def send(self, package: PackedPackage) -> None:
        """Hand the child the packed files it waits for (once)."""
        assert self._package is None, "the child has its package"
        self._package = package
        with contextlib.suppress(OSError):  # the child is gone: result() says how
            self._files_to.send([(f.path, f.data) for f in package.files])
        self._files_to.close()

    def result(self) -> list[SecretFinding] | None:
        """The findings; ``None`` if the child met an error (the caller scans itself, and
        meets it there). Waits for the child; one that died without answering (the OOM
        killer) is a ``BrokenProcessPool``.

        The settings the child read are remembered for this config
        (:meth:`ScanSettings.from_config` returns them), so that the parent never
        imports detect-secrets to read them again.
        """
        if self._outcome is None:
            assert self._receiver is not None and self._package is not None, "cancelled, or never sent"
            try:
                kind, value = self._receiver.recv()
            except EOFError:
                self._child.join()
                raise BrokenProcessPool(
                    f"the secret scan's process died (exit code {self._child.exitcode})"
                ) from None
            finally:
                self.cancel()
            if kind == "error":
                return None
            settings, findings = value
            remember_settings(self._config, settings)
            for found in findings:  # found in this run: no output may print them from now on
                register_secret(found.secret)
            self._outcome = findings
            total = sum(len(f.data) for f in self._package.files)
            report(SCAN, total, total, "bytes")
        return self._outcome

    def cancel(self) -> None:
        """Stop the child if it still runs (a scan nobody asks for any more); idempotent."""
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
            self._files_to.close()
        if self._child.is_alive():
            try:
                os.killpg(self._child.pid, signal.SIGTERM)
            except ProcessLookupError:  # not in its own group yet: it has no workers either
                self._child.terminate()
        self._child.join()
