"""Work handed to a forked child, whose answer comes back through a pipe as a pickle.

Two stages use a second core this way: parsing (bot/reading.py: each child parses a
share of the notes) and the written vault's re-check (bot/recheck_child.py). Forking,
not spawning, starts a child in milliseconds with the code and the data already loaded.

A fork is safe only where `os.fork` exists (not Windows) and no other thread runs (the
daemon's scheduler and watcher: a thread holding a lock at the fork would leave it held
in the child forever). A child's answer is used only when it is whole: a child that
failed, was killed or sent a truncated pickle gives None, and the caller does the work
itself. A child never holds the run's standard streams (they are /dev/null in it), so a
caller reading the run's output (`vaultbot run | cat`) sees it end with the run; and a
child whose parent was killed outright (SIGKILL, a CI job's timeout) ends itself within
a tenth of a second of noticing it has a new parent.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from typing import Callable, NamedTuple, TypeVar

T = TypeVar("T")
PARENT_POLL_SECONDS = 0.1  # how soon a child notices that its parent is gone


class Child(NamedTuple):
    pid: int
    read_end: int  # the pipe its pickled answer comes through


def cores() -> int:
    """The cores this process may use (not what the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def fork_safe() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def start(compute: Callable[[], object]) -> Child | None:
    """A child that pickles `compute()` to a pipe, or None when it cannot be started."""
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
                pickle.dump(compute(), stream, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Child(pid, read_end)


def answer(child: Child, kind: type[T]) -> T | None:
    """The child's answer when it gave a whole one of `kind`, else None; the child is reaped."""
    try:
        with open(child.read_end, "rb") as stream:
            found = pickle.load(stream)
    except Exception:  # a child killed or failed halfway: a truncated pickle
        found = None
    return found if _reaped(child.pid) == 0 and isinstance(found, kind) else None


def end(child: Child) -> None:
    """End a child whose answer nobody will ask for, and reap it."""
    try:
        os.kill(child.pid, signal.SIGKILL)
    except OSError:
        pass  # it has just exited
    os.close(child.read_end)
    _reaped(child.pid)


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
