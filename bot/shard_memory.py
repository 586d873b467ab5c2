"""Parse-cache shards kept in memory by a long-lived process (`vaultbot daemon --watch`).

Reading the whole parse cache is most of a warm run over a vault that barely
changed (at 10,000 notes, unpickling 256 shards and freeing them again at the
end). A watching daemon runs again and again over the same cache, so it keeps
each shard's index as it last read or wrote it, under the stat (size, mtime,
inode) of the shard file it is in (a note's facts are read from the file when asked,
bot/cache_shards.py). A shard file with another stat is read
again: every write replaces the file (bot/cache.py), so another process's write
always gives it a new inode. The kept entries are only ever read, never changed.
A one-off run (the CLI) keeps nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.cache_shards import Shard

Stat = tuple[int, int, int]
Reader = Callable[[Path, str], "tuple[Shard, str | None]"]

_kept: dict[Path, tuple[Stat | None, str, Shard]] | None = None  # shard file -> (its stat or None, fingerprint, shard)


def keep_in_memory() -> None:
    """From now on, keep the shards read and written in this process."""
    global _kept
    if _kept is None:
        _kept = {}


def stat_of(result: os.stat_result) -> Stat:
    return result.st_size, result.st_mtime_ns, result.st_ino


def read(path: Path, fingerprint: str, reader: Reader) -> tuple[Shard, str | None]:
    """The shard stored at `path` (`reader` reads the file when no kept copy matches it)."""
    if _kept is None:
        return reader(path, fingerprint)
    try:
        stat: Stat | None = stat_of(os.stat(path))
    except OSError:
        stat = None
    kept = _kept.get(path)
    if kept is not None and kept[0] == stat and kept[1] == fingerprint:
        return kept[2], None
    # Stat first, then read: a file replaced in between is newer than its stat says, and is read again next time.
    shard, warning = reader(path, fingerprint)
    if warning is None:  # a missing file too (no stat): one that appears later has a stat
        _kept[path] = (stat, fingerprint, shard)
    else:
        _kept.pop(path, None)
    return shard, warning


def written(path: Path, stat: Stat | None, fingerprint: str, shard: Shard | None) -> None:
    """`shard` was just written to `path`, whose file now has `stat` (None: removed)."""
    if _kept is None:
        return
    if stat is None or shard is None:
        _kept.pop(path, None)
    else:
        _kept[path] = (stat, fingerprint, shard)
