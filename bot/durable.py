"""Making many new files durable at once, where the platform can.

A note's new bytes must be on disk before its temporary file is renamed over it, or a power cut
can leave an empty or partial note. One fsync per file makes the disk flush once per note. On
Linux 5.8 or later one `syncfs` of the file system holding the temporary files writes them all
out with one flush, and reports a failed write-back as fsync does (older kernels' `syncfs` always
returns 0, so they keep one fsync per file). `os.sync()` is no substitute: it reports no error at
all and flushes every file system of the machine. macOS `sync()` may return before the data is
written and Windows has no such call, so both fsync each file's handle as it is written.

`syncfs` is trusted only on local disk file systems (`SYNCFS_KEEPS`): on a FUSE mount (rclone,
gocryptfs, Cryptomator), NFS or SMB it can return before the storage behind the mount has the data,
while an fsync of the file asks that storage; files there are fsynced one by one.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Callable, Mapping, Sequence

SYNCFS_KEEPS = frozenset({"ext4", "ext3", "xfs", "btrfs", "f2fs"})
MOUNTS = Path("/proc/self/mountinfo")


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
    could not be, with why. One `syncfs` per file system that can be trusted with it; an fsync of
    each file elsewhere, and everywhere if a `syncfs` fails (it may be another program's file on that
    disk whose write-back failed: the fsyncs find whose it was)."""
    syncfs = _syncfs()
    if syncfs is None or not files:
        return {}
    trusted = {device for device in set(files.values()) if syncs_whole(device)}
    one_by_one = [path for path, device in files.items() if device not in trusted]
    try:
        for path in {device: path for path, device in files.items() if device in trusted}.values():
            _with_descriptor(path, syncfs)
    except OSError:
        one_by_one = list(files)
    failed: dict[Path, OSError] = {}
    for path in one_by_one:
        try:
            _with_descriptor(path, os.fsync)
        except OSError as error:
            failed[path] = error
    return failed


def syncs_whole(device: int) -> bool:
    """Whether the file system of `device` is one whose `syncfs` puts all its files on disk (a mounted one
    of SYNCFS_KEEPS' types); False when it cannot be told."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open(MOUNTS, encoding="utf-8", errors="replace") as mounts:
            for line in mounts:  # "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw"
                fields, _, described = line.partition(" - ")
                if fields.split()[2:3] == [wanted]:
                    kind = described.split()[:1]
                    return bool(kind) and kind[0] in SYNCFS_KEEPS
    except OSError:
        pass
    return False


def sync_folders_together(folders: Sequence[Path]) -> bool:
    """Make the entries of `folders` durable with one `syncfs` per file system (it commits the whole
    file system's metadata, renames included) instead of one fsync per folder; False where that
    cannot be done or failed, and the caller syncs each folder."""
    syncfs = _syncfs()
    if syncfs is None:
        return False
    try:
        by_device = {os.stat(folder).st_dev: folder for folder in folders}
        if not all(syncs_whole(device) for device in by_device):
            return False
        for folder in by_device.values():
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
