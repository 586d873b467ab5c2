"""One run at a time per vault: the daemon's runs and `vaultbot run` share a lock.

The lock is an `flock` on `.git/vaultbot.lock` (never tracked, never seen by
Obsidian) or, without git, on the vault root folder itself, so a run adds no
file to a vault that has no `.git` to hide it in. The kernel releases an flock
when its process dies, so a crash never leaves a stale lock; the lock file
stays (deleting a lock file races with the next taker).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import Iterator

LOCK_FILE = "vaultbot.lock"
POLL_SECONDS = 0.1


class LockBusy(Exception):
    """Another vaultbot run held the lock for longer than we were willing to wait."""


def lock_path(vault: Path, git_dir: str | os.PathLike[str] | None) -> Path:
    return Path(git_dir) / LOCK_FILE if git_dir else vault


@contextlib.contextmanager
def hold_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the lock at `path`, waiting up to `wait_seconds` for it; LockBusy when it stays taken."""
    is_folder = path.is_dir()
    descriptor = os.open(path, os.O_RDONLY) if is_folder else os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another vaultbot run holds {path}") from None
                time.sleep(POLL_SECONDS)
        if not is_folder:  # the pid is only for a person wondering who holds the lock
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
