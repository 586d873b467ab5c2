"""One run at a time per vault: the daemon's runs and `vaultbot run` share a lock.

The lock is the `filelock` package's lock on a file: `flock` on Linux and macOS,
a Windows byte-range lock on Windows (where `fcntl` does not exist). The
operating system releases either when its process dies, so a crash never leaves
a stale lock.

Where: `.git/vaultbot.lock` in a git repository (never tracked, never seen by
Obsidian). A vault without git gets no file of vaultbot's inside it: its lock is
`lock-<hash of the vault's real path>` in vaultbot's cache folder
(`$XDG_CACHE_HOME/vaultbot/`, default `~/.cache/vaultbot/`), the folder that
already holds such a vault's parse cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from bot.errors import RunFailed

LOCK_FILE = "vaultbot.lock"
POLL_SECONDS = 0.1


class LockBusy(RunFailed):
    """Another vaultbot run held the lock for longer than we were willing to wait."""


class LockUnusable(LockBusy):
    """The lock file cannot be made or opened (its folder is read-only, or a file stands in its way).

    A LockBusy too: either way this run cannot know it is alone, so it is skipped with the reason."""


def lock_path(vault: Path, git_dir: str | os.PathLike[str] | None) -> Path:
    """The lock file of the vault at `vault`, whose repository's git directory is `git_dir` (None: no git)."""
    if git_dir:
        return Path(git_dir) / LOCK_FILE
    # normcase: Windows spells one folder many ways (C:\Notes, c:\notes); the lock must be one.
    real = os.path.normcase(os.path.realpath(vault))
    name = "lock-" + hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vaultbot" / name


@contextlib.contextmanager
def hold_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the lock at `path`, waiting up to `wait_seconds` for it; LockBusy when it stays taken."""
    # A new lock object per hold: two holds of one file, even in one process, exclude each other.
    lock = FileLock(str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=max(wait_seconds, 0), poll_interval=POLL_SECONDS)
    except Timeout:
        raise LockBusy(f"another vaultbot run holds {path}") from None
    except OSError as error:
        raise LockUnusable(f"cannot use the run lock {path}: {error.strerror or error}") from None
    try:
        yield
    finally:
        lock.release()
