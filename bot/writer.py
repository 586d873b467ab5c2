"""The only module that writes notes: atomically, and never over someone's edit.

A note is written to a temporary file beside it (same folder, so the rename
stays on one file system), flushed to disk, given the original's mode, and
renamed over the original. Just before the rename the original is read again:
if its bytes are not the ones the run read, someone edited it meanwhile and it
is left alone (the next run picks the change up).

A note that moves (`move_note`) is written the same way at its new path, which
must not exist yet; only then, and only if the original still holds the bytes
the run read, is the original removed. At every moment the note's content
exists on disk at one path or the other.

Temporary names are short and fixed in length (`.vaultbot-<12 hex>.tmp`), so
they fit beside a note whose own name uses all 255 bytes a file system allows.
A run killed mid-write may leave one behind: the scan (bot/scan.py) notes every
such file it passes, at no extra cost, and the next real run removes them
(`remove_leftovers`) before it writes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import Iterable, Iterator

from bot.errors import NoteError
from bot.scan import FileStat


class WriteConflict(NoteError):
    """The note changed on disk after vaultbot read it."""


def _temporary_path(target: Path) -> Path:
    # A dot-file: Obsidian and vaultbot's own scan both ignore it if a crash leaves it behind.
    return target.with_name(f".vaultbot-{secrets.token_hex(6)}.tmp")


def remove_leftovers(root: Path, paths: Iterable[str]) -> None:
    """Remove temporary files a killed run left (vault paths the scan found). Runs never overlap
    (bot/lock.py), so none of them belongs to a run in progress."""
    for path in paths:
        with contextlib.suppress(OSError):
            (root / path).unlink()


@contextlib.contextmanager
def _staged(target: Path, data: bytes, mode: int) -> Iterator[tuple[Path, FileStat]]:
    """`data` in a temporary file beside `target`, on disk and with `mode`, and its stat.

    The block puts it in place; if the block fails, the temporary file goes.
    """
    temporary = _temporary_path(target)
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        yield temporary, FileStat.of(os.stat(temporary))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_note(target: Path, new: bytes, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Replace `target` (whose content must still be `expected`) with `new`; the new file's stat.

    The stat is taken from the temporary file before the rename, so it describes
    vaultbot's own bytes even if someone edits the note right afterwards (after the
    rename only its change time is taken, while the file is still the one placed). With
    `unsynced`, the folder whose entry changed is added to it instead of being
    synced here (`sync_folders` then syncs each folder once for many notes).
    Raises WriteConflict when the file changed since it was read, OSError when
    it cannot be written; in both cases the original file is untouched.
    """
    if target.read_bytes() != expected:
        raise WriteConflict(str(target))
    with _staged(target, new, stat.S_IMODE(target.stat().st_mode)) as (temporary, placed):
        if target.read_bytes() != expected:
            raise WriteConflict(str(target))
        os.replace(temporary, target)
    _sync_later(target.parent, unsynced)
    return _as_placed(target, placed)


def move_note(source: Path, destination: Path, new: bytes, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Write `new` at `destination` and remove `source` (whose content must still be `expected`); the new file's stat.

    Raises FileExistsError when `destination` exists, WriteConflict when `source`
    changed since it was read, OSError when either cannot be written; in each case
    `source` is untouched and `destination` is not left behind.
    """
    if source.read_bytes() != expected:
        raise WriteConflict(str(source))
    if destination.exists():
        raise FileExistsError(str(destination))
    destination.parent.mkdir(parents=True, exist_ok=True)
    with _staged(destination, new, stat.S_IMODE(source.stat().st_mode)) as (temporary, placed):
        _place_new(temporary, destination)
    placed = _as_placed(destination, placed)
    _sync_folder(destination.parent)  # the copy is on disk before the original goes
    try:
        if source.read_bytes() != expected:
            raise WriteConflict(str(source))
        source.unlink()
    except BaseException:
        # Someone edited the original meanwhile (or it cannot be removed): theirs wins, the copy goes.
        destination.unlink(missing_ok=True)
        raise
    _sync_later(source.parent, unsynced)
    return placed


def _as_placed(target: Path, placed: FileStat) -> FileStat:
    """The stat of the file now at `target` when it is still the one placed (same inode, size, mtime and
    mode): putting it in place renewed its change time, which the next scan sees. Else `placed`, which
    then matches no scan, so the note is read again."""
    try:
        now = FileStat.of(os.stat(target))
    except OSError:
        return placed
    return now if now[:4] == placed[:4] else placed


def _place_new(temporary: Path, destination: Path) -> None:
    """Rename `temporary` to `destination`, never replacing a file that appeared there meanwhile."""
    try:
        os.link(temporary, destination)  # fails when the destination exists, unlike a rename
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if destination.exists():
            raise FileExistsError(str(destination)) from None
        os.replace(temporary, destination)
        return
    temporary.unlink()


def _sync_later(folder: Path, unsynced: set[Path] | None) -> None:
    if unsynced is None:
        _sync_folder(folder)
    else:
        unsynced.add(folder)


def sync_folders(folders: Iterable[Path]) -> None:
    """Make the renames in `folders` durable: one sync per folder, however many notes changed there."""
    for folder in folders:
        _sync_folder(folder)


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
