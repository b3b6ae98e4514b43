"""How many processes the scan may use here: the cores it is given, and whether it can fork.

Kept apart from the scanner so that deciding to fork costs no import of the scan itself
(``lpm check`` forks its scan's child before anything heavy is imported).
"""

from __future__ import annotations

import multiprocessing
import os


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forking_pays() -> bool:
    """Whether work moved to a forked process can run beside this one: fork is available
    and more than one core is ours."""
    return can_fork() and default_jobs() > 1
