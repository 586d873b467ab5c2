"""The only module that writes notes: atomically, and never over someone's edit.

A note is written to a temporary file beside it (same folder, so the rename
stays on one file system), flushed to disk, given the original's mode, and
renamed over the original. Just before the rename the original is read again:
if its bytes are not the ones the run read, someone edited it meanwhile and it
is left alone (the next run picks the change up).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class WriteConflict(Exception):
    """The note changed on disk after vaultbot read it."""


def _temporary_path(target: Path) -> Path:
    # A dot-file: Obsidian and vaultbot's own scan both ignore it if a crash leaves it behind.
    return target.with_name(f".{target.name}.vaultbot-{os.getpid()}.tmp")


def write_note(target: Path, new: bytes, expected: bytes) -> None:
    """Replace `target` (whose content must still be `expected`) with `new`.

    Raises WriteConflict when the file changed since it was read, OSError when
    it cannot be written; in both cases the original file is untouched.
    """
    if target.read_bytes() != expected:
        raise WriteConflict(str(target))
    mode = stat.S_IMODE(target.stat().st_mode)
    temporary = _temporary_path(target)
    try:
        with open(temporary, "xb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if target.read_bytes() != expected:
            raise WriteConflict(str(target))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
