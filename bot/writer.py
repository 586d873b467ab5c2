"""The only module that writes notes: atomically, and never over someone's edit.

A note is written in three steps, each of which a caller may do for many notes
at once (bot/write_back.py does, in batches): `stage` writes the new bytes to a
temporary file beside the note (same folder, so the rename stays on one file
system) and gives it the original's mode; `make_durable` puts the temporary
files on disk (bot/durable.py: one `syncfs` per batch where the platform allows,
else one fsync per file as it is written); `place` renames one over its note. No
note is replaced by a temporary file whose bytes are not on disk yet. Just before
the rename the original is read again: if its bytes are not the ones the run
read, someone edited it meanwhile and it is left alone (the next run picks the
change up). `write_note` does the three for one note.

A note that moves (`move_note`, `place_moved`) is written the same way at its new
path, which must not exist yet; only then, and only if the original still holds
the bytes the run read, is the original removed. At every moment the note's
content exists on disk at one path or the other.

Temporary names are short and fixed in length (`.vaultbot-<12 hex>.tmp`), so
they fit beside a note whose own name uses all 255 bytes a file system allows.
A run killed mid-write may leave some behind: the scan (bot/scan.py) notes every
such file it passes, at no extra cost, and the next real run removes them
(`remove_leftovers`) before it writes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from bot import durable
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


@dataclass(frozen=True)
class Staged:
    """New bytes in a temporary file beside `target`, not yet in its place."""

    target: Path
    temporary: Path
    stat: FileStat  # the temporary file's, which the note keeps once renamed
    device: int  # the file system it is on (make_durable syncs each one once)


def stage(target: Path, data: bytes, mode: int) -> Staged:
    """`data` in a temporary file beside `target` with `mode`; on disk already only where files are
    not made durable in batches. If anything fails, the temporary file goes."""
    temporary = _temporary_path(target)
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            if not durable.in_batches():  # Windows, macOS, older Linux: fsync the handle we hold
                os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        status = os.stat(temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return Staged(target, temporary, FileStat.of(status), status.st_dev)


def make_durable(staged: Sequence[Staged]) -> dict[Path, OSError]:
    """Put the temporary files of `staged` on disk; those that could not be (by temporary path), with why."""
    return durable.make_durable({each.temporary: each.device for each in staged})


def discard(staged: Staged) -> None:
    staged.temporary.unlink(missing_ok=True)


def place(staged: Staged, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Rename the (durable) temporary file over its note, whose content must still be `expected`; the new file's stat.

    Raises WriteConflict when the note changed since it was read, OSError when it cannot be
    replaced; in both cases the note is untouched and the temporary file removed. With `unsynced`,
    the folder whose entry changed is added to it instead of being synced here (`sync_folders` then
    syncs each folder once for many notes)."""
    try:
        if not _holds(staged.target, expected):
            raise WriteConflict(str(staged.target))
        os.replace(staged.temporary, staged.target)
    except BaseException:
        discard(staged)
        raise
    _sync_later(staged.target.parent, unsynced)
    return _as_placed(staged.target, staged.stat)


def place_moved(staged: Staged, source: Path, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Put the (durable) temporary file at its new path, which must not exist, and remove `source`, whose
    content must still be `expected`; the new file's stat.

    Raises FileExistsError when the new path exists, WriteConflict when `source` changed since it was
    read, OSError when either cannot be written; in each case `source` is untouched and neither the
    new path nor the temporary file is left behind."""
    try:
        if not _holds(source, expected):
            raise WriteConflict(str(source))
        _place_new(staged.temporary, staged.target)
    except BaseException:
        discard(staged)
        raise
    placed = _as_placed(staged.target, staged.stat)
    _sync_folder(staged.target.parent)  # the copy is on disk before the original goes
    try:
        if not _holds(source, expected):
            raise WriteConflict(str(source))
        source.unlink()
    except BaseException:
        # Someone edited the original meanwhile (or it cannot be removed): theirs wins, the copy goes.
        staged.target.unlink(missing_ok=True)
        raise
    _sync_later(source.parent, unsynced)
    return placed


def stage_move(source: Path, destination: Path, data: bytes, expected: bytes) -> Staged:
    """`stage` for a move of `source` to `destination`: refused early (WriteConflict, FileExistsError)
    when `source` changed or `destination` exists; `place_moved` checks both again."""
    if not _holds(source, expected):
        raise WriteConflict(str(source))
    if destination.exists():
        raise FileExistsError(str(destination))
    destination.parent.mkdir(parents=True, exist_ok=True)
    return stage(destination, data, stat.S_IMODE(source.stat().st_mode))


def stage_write(target: Path, data: bytes, expected: bytes) -> Staged:
    """`stage` for a rewrite of `target`: refused early (WriteConflict) when it changed; `place` checks again."""
    if not _holds(target, expected):
        raise WriteConflict(str(target))
    return stage(target, data, stat.S_IMODE(target.stat().st_mode))


def _holds(note: Path, expected: bytes) -> bool:
    """Whether the note is still a file of its own (the scan never takes a symlink for a note) holding `expected`.
    One made a link meanwhile, even to the same bytes, is someone's edit: renaming over it would undo it."""
    return not note.is_symlink() and note.read_bytes() == expected


def _durable(staged: Staged) -> Staged:
    failed = make_durable([staged])
    if failed:
        discard(staged)
        raise failed[staged.temporary]
    return staged


def write_note(target: Path, new: bytes, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Replace `target` (whose content must still be `expected`) with `new`; the new file's stat.

    The stat is taken from the temporary file before the rename, so it describes
    vaultbot's own bytes even if someone edits the note right afterwards (after the
    rename only its change time is taken, while the file is still the one placed).
    Raises WriteConflict when the file changed since it was read, OSError when
    it cannot be written; in both cases the original file is untouched.
    """
    return place(_durable(stage_write(target, new, expected)), expected, unsynced)


def move_note(source: Path, destination: Path, new: bytes, expected: bytes, unsynced: set[Path] | None = None) -> FileStat:
    """Write `new` at `destination` and remove `source` (whose content must still be `expected`); the new file's stat.

    Raises FileExistsError when `destination` exists, WriteConflict when `source`
    changed since it was read, OSError when either cannot be written; in each case
    `source` is untouched and `destination` is not left behind.
    """
    return place_moved(_durable(stage_move(source, destination, new, expected)), source, expected, unsynced)


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
    """Make the renames in `folders` durable: one sync per folder, however many notes changed there,
    or, for several folders where the platform can, one per file system (bot/durable.py)."""
    folders = list(folders)
    if len(folders) > 1 and durable.sync_folders_together(folders):
        return
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
