"""The written vault's re-check (bot/recheck.py), computed by a forked child while the run writes and commits.

The re-check reads only the plan, in memory: not the files written, not git. So a
run with many changes forks a child before its first write; the child reruns the
rules where the run's edits reach and pickles the result to a pipe, on the
second core, while the parent spends its time waiting for the disk (the write
stage's flushes) and for git (the commit). After the commit the parent reads the
result instead of computing it; the run's CPU time is the same, its wall time
shorter by up to the re-check's.

The child's answer is used only when it is whole: a child that failed, was
killed or sent a truncated pickle means the parent computes the re-check itself,
as it does when no child is started (a few changes, where a fork costs more than
it saves; one core; no `os.fork`, on Windows; other threads running, as in the
daemon, where a thread holding a lock at the fork would leave that lock held in
the child forever). A run that stops before asking (an error, a kill of the
child's parent) ends the child: `close` kills and reaps it. A parent killed
outright (SIGKILL, a CI job's timeout) cannot: its child ends itself within a
tenth of a second of noticing it has a new parent, and it holds none of the
run's standard streams meanwhile (their fds are /dev/null in the child), so a
caller reading the run's output (`vaultbot run | cat`) sees it end with the run.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from typing import Callable

from bot.recheck import Recheck

PARENT_POLL_SECONDS = 0.1  # how soon a child notices that its parent is gone
# Below this many changes the re-check takes less than a fork and a pickle of its result cost.
CHILD_FROM = 200
TEST_CHILD_FROM = "VAULTBOT_TEST_RECHECK_CHILD_FROM"


def _child_from() -> int:
    """CHILD_FROM, or (tests only) the number VAULTBOT_TEST_RECHECK_CHILD_FROM names, so a small vault's run forks its child."""
    return int(os.environ.get(TEST_CHILD_FROM) or CHILD_FROM)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use, not what the machine has
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _fork_safe() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1 and _cores() > 1


class PendingRecheck:
    """`compute()`'s result, from a child started now when `changes` make that worth it, else computed when asked."""

    def __init__(self, compute: Callable[[], Recheck], changes: int) -> None:
        self.compute = compute
        self.child = self._fork() if changes >= _child_from() and _fork_safe() else None

    def _fork(self) -> tuple[int, int] | None:
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: never returns, never runs the parent's cleanup or flushes its buffers
            status = 1
            try:
                os.close(read_end)
                _detach_from(parent)
                with open(write_end, "wb") as stream:
                    pickle.dump(self.compute(), stream, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return pid, read_end

    def result(self) -> Recheck:
        """The child's re-check when it gave one whole, else the re-check computed here."""
        found = self._collect()
        return found if found is not None else self.compute()

    def _collect(self) -> Recheck | None:
        if self.child is None:
            return None
        pid, read_end = self.child
        self.child = None
        try:
            with open(read_end, "rb") as stream:
                found = pickle.load(stream)
        except Exception:  # a child killed or failed halfway: a truncated pickle
            found = None
        return found if _reaped(pid) == 0 and isinstance(found, Recheck) else None

    def close(self) -> None:
        """End a child whose result nobody will ask for (the run stopped before), and reap it."""
        if self.child is None:
            return
        pid, read_end = self.child
        self.child = None
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # it has just exited
        os.close(read_end)
        _reaped(pid)


def _detach_from(parent: int) -> None:
    """In the child: leave the run's standard streams to it, and end when `parent` does."""
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.close(null)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)  # orphaned: nobody will read the answer

    threading.Thread(target=watch, daemon=True).start()


def _reaped(pid: int) -> int | None:
    """The child's exit status once it has ended; None when it was not ours to reap (already reaped)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None
