"""The secret scan of a packed package, run in a forked child while the other policies run.

The child reads the ``secrets`` settings, imports detect-secrets, builds the plugins and
the Hyperscan database and scans (forking workers of its own for a large package); the
parent meanwhile runs the other policies. The parent takes the settings the child read
(:func:`~releasekit.scan.settings.remember_settings`), so it never imports detect-secrets
itself, and registers every found secret for redaction: the child's registry dies with it.
"""

from __future__ import annotations

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


def _scan_in_child(package: PackedPackage, config: Any, sender: Connection) -> None:
    from releasekit.scan import scannable_files
    from releasekit.scan.scanner import scan_files
    from releasekit.scan.settings import ScanSettings

    os.setpgrp()  # a group of its own: cancelling stops its workers with it
    try:
        with reporting(_no_progress):  # the parent's display is the parent's to draw
            settings = ScanSettings.from_config(config)
            files = scannable_files(((f.path, f.data) for f in package.files), settings)
            findings = scan_files(files, settings.plan, settings.jobs)
            outcome: tuple[str, Any] = ("done", (settings, findings))
    except Exception as exc:  # the parent scans itself and meets it there
        outcome = ("error", repr(exc))
    sender.send(outcome)
    sender.close()


def _no_progress(event: object) -> None:
    pass


# Below this many unpacked bytes the scan runs in the parent: starting a child (which
# imports detect-secrets and builds the plugins again) costs more than the scan it
# moves. A workspace of fifty small packages, staged in one process, pays it once.
BACKGROUND_MIN_BYTES = 1_000_000


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class BackgroundScan:
    """The scan of ``package`` with the settings ``config`` gives, running in a forked child.

    The child inherits the package (its bytes are never copied) and sends back the
    settings it read and the findings, through a pipe.
    """

    def __init__(self, config: Any, package: PackedPackage) -> None:
        self.package = package
        self._config = config
        self._outcome: list[SecretFinding] | None = None
        receiver, sender = multiprocessing.Pipe(duplex=False)
        self._receiver: Connection | None = receiver
        with warnings.catch_warnings():
            # The packer's gzip thread may be running; the child never touches it.
            warnings.filterwarnings(
                "ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning
            )
            self._child: Any = multiprocessing.get_context("fork").Process(
                target=_scan_in_child, args=(package, config, sender), name="releasekit-scan", daemon=False
            )
            self._child.start()
        sender.close()  # the child holds the other copy: EOF here when it dies

    def result(self) -> list[SecretFinding] | None:
        """The findings; ``None`` if the child met an error (the caller scans itself, and
        meets it there). Waits for the child; one that died without answering (the OOM
        killer) is a ``BrokenProcessPool``.

        The settings the child read are remembered for this config
        (:meth:`ScanSettings.from_config` returns them), so that the parent never
        imports detect-secrets to read them again.
        """
        if self._outcome is None:
            assert self._receiver is not None, "cancelled"
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
            total = sum(len(f.data) for f in self.package.files)
            report(SCAN, total, total, "bytes")
        return self._outcome

    def cancel(self) -> None:
        """Stop the child if it still runs (a scan nobody asks for any more); idempotent."""
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None
        if self._child.is_alive():
            try:
                os.killpg(self._child.pid, signal.SIGTERM)
            except ProcessLookupError:  # not in its own group yet: it has no workers either
                self._child.terminate()
        self._child.join()
