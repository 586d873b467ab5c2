"""Making many new files durable at once, where the platform can.

A note's new bytes must be on disk before its temporary file is renamed over it, or a power cut
can leave an empty or partial note. One fsync per file makes the disk flush once per note. On
Linux 5.8 or later one `syncfs` of the file system holding the temporary files writes them all
out with one flush, and reports a failed write-back as fsync does (older kernels' `syncfs` always
returns 0, so they keep one fsync per file). `os.sync()` is no substitute: it reports no error at
all and flushes every file system of the machine. macOS `sync()` may return before the data is
written and Windows has no such call, so both fsync each file's handle as it is written.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence


@functools.lru_cache(maxsize=1)
def _syncfs() -> Callable[[int], None] | None:
    """`syncfs` raising OSError on failure, or None where it cannot be trusted to report one."""
    version = re.match(r"(\d+)\.(\d+)", os.uname().release) if sys.platform.startswith("linux") else None
    if version is None or (int(version[1]), int(version[2])) < (5, 8):
        return None
    import ctypes  # only here: a run that writes nothing does not pay for loading it

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # a C library without it
        return None
    function.argtypes, function.restype = [ctypes.c_int], ctypes.c_int

    def syncfs(descriptor: int) -> None:
        if function(descriptor) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))

    return syncfs


def in_batches() -> bool:
    """Whether written files are made durable together (`make_durable`) rather than one by one as they are written."""
    return _syncfs() is not None


def make_durable(files: Mapping[Path, int]) -> dict[Path, OSError]:
    """Put the written and closed `files` (path -> the st_dev of its file system) on disk; those that
    could not be, with why. One `syncfs` per file system; if one fails, an fsync of each file
    finds whose write-back failed (the failure may be another program's file on that disk)."""
    syncfs = _syncfs()
    if syncfs is None or not files:
        return {}
    try:
        for path in {device: path for path, device in files.items()}.values():
            _with_descriptor(path, syncfs)
        return {}
    except OSError:
        pass
    failed: dict[Path, OSError] = {}
    for path in files:
        try:
            _with_descriptor(path, os.fsync)
        except OSError as error:
            failed[path] = error
    return failed


def sync_folders_together(folders: Sequence[Path]) -> bool:
    """Make the entries of `folders` durable with one `syncfs` per file system (it commits the whole
    file system's metadata, renames included) instead of one fsync per folder; False where that
    cannot be done or failed, and the caller syncs each folder."""
    syncfs = _syncfs()
    if syncfs is None:
        return False
    try:
        for folder in {os.stat(folder).st_dev: folder for folder in folders}.values():
            _with_descriptor(folder, syncfs)
    except OSError:
        return False
    return True


def _with_descriptor(path: Path, call: Callable[[int], None]) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        call(descriptor)
    finally:
        os.close(descriptor)
