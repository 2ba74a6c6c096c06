"""Limits for a student's notebook: time per cell and per notebook, memory and processes, nothing left over.

A notebook is graded in a process of its own (``run.py``), which becomes a *child subreaper* on Linux: every
process the kernel starts stays among its descendants, even one whose parent died (a JVM, a forked child,
a program run with ``subprocess``). A watcher thread sums their memory and counts them a few times a
second; over a limit, it kills them all. Address-space limits (``RLIMIT_AS``) do not fit: a JVM reserves
gigabytes it never uses. ``RLIMIT_NPROC`` counts all of a user's processes and threads, and root ignores
it; where it applies it is set as a backstop against running out of process ids.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass

import psutil

PR_SET_CHILD_SUBREAPER = 36
NPROC_BACKSTOP = 4096  # tasks (processes and threads) on top of the user's own: Spark's JVM runs ~200 threads
FILE_SIZE_LIMIT = 2 * 2**30  # bytes: no single file written by a notebook grows past 2 GiB


@dataclass(frozen=True)
class Limits:
    """How long and how big one notebook's run may get (``lab-grade --help`` lists the options)."""

    cell_s: float = 120.0
    notebook_s: float = 900.0
    memory_mb: int = 4096  # resident memory of the kernel and everything it started, together
    processes: int = 64  # the kernel and everything it started (a Spark notebook needs about 5)

    def describe(self) -> str:
        return (
            f"{self.cell_s:g} s per cell, {self.notebook_s:g} s per notebook, "
            f"{self.memory_mb:,} MB of memory, {self.processes} processes"
        )


def become_subreaper() -> bool:
    """Adopt every orphaned descendant (Linux), so none escapes the watcher by losing its parent."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def set_backstops() -> None:
    """Rlimits that the kernel inherits: no core files, no giant files, and (not root) a process cap."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft == resource.RLIM_INFINITY or soft > FILE_SIZE_LIMIT:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, hard))
    if os.getuid() != 0:
        tasks = 0
        for process in psutil.process_iter(["uids", "num_threads"]):
            uids = process.info["uids"]
            if uids is not None and uids.real == os.getuid():
                tasks += process.info["num_threads"] or 1
        soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        cap = tasks + NPROC_BACKSTOP
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_NPROC, (cap, hard))


def descendants() -> list[psutil.Process]:
    """Every process below this one (with the subreaper, everything a kernel ever started)."""
    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def reap() -> None:
    """Collect exited children (a subreaper inherits zombies it must wait for)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def kill_tree(grace_s: float = 0.0) -> list[str]:
    """Kill every descendant, again and again until none is left (a fork loop keeps making more).

    Returns the names of those still there after 10 s (none, unless something ignores SIGKILL).
    """
    own_group = os.getpgrp()
    if grace_s:
        for process in descendants():
            with contextlib.suppress(psutil.Error):
                process.terminate()
        psutil.wait_procs(descendants(), timeout=grace_s)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in descendants() if _status(p) not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD, "")]
        reap()
        if not alive:
            return []
        for process in alive:
            with contextlib.suppress(psutil.Error, OSError):
                group = os.getpgid(process.pid)
                if group != own_group:
                    os.killpg(group, 9)  # the whole group at once, forks in flight included
                process.kill()
        time.sleep(0.05)
    reap()
    return [_name(p) for p in descendants() if _status(p) != psutil.STATUS_ZOMBIE]


def _status(process: psutil.Process) -> str:
    try:
        return str(process.status())
    except psutil.Error:
        return ""


def _name(process: psutil.Process) -> str:
    try:
        return f"{process.name()} ({process.pid})"
    except psutil.Error:
        return str(process.pid)


class TreeWatch(threading.Thread):
    """Watch this process's descendants; past the memory or process limit, kill them all and say why."""

    def __init__(self, limits: Limits, interval_s: float = 0.2) -> None:
        super().__init__(name="grading-tree-watch", daemon=True)
        self.limits = limits
        self.interval_s = interval_s
        self.tripped: str | None = None  # why the tree was stopped, once it was
        self.peak_mb = 0.0
        self.peak_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            self.check()

    def check(self) -> None:
        reap()  # exited processes adopted from a stopped tree are not counted
        processes = [p for p in descendants() if _status(p) not in (psutil.STATUS_ZOMBIE, "")]
        count = len(processes)
        self.peak_processes = max(self.peak_processes, count)
        if count > self.limits.processes:
            self._trip(
                f"the notebook started more than {self.limits.processes} processes (a loop that forks?), "
                "so everything it ran was stopped"
            )
            return
        rss = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                rss += process.memory_info().rss
        used_mb = rss / 2**20
        self.peak_mb = max(self.peak_mb, used_mb)
        if used_mb > self.limits.memory_mb:
            self._trip(
                f"the notebook used {used_mb:,.0f} MB of memory, over the {self.limits.memory_mb:,} MB "
                "limit, so everything it ran was stopped"
            )

    def _trip(self, reason: str) -> None:
        if self.tripped is None:
            self.tripped = reason
        kill_tree()

    def stop(self) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
