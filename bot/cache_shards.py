"""One parse-cache shard file (bot/cache.py): its entries read whole, each note's facts read when asked.

Layout: a magic line, the index's length and CRC-32 (`_INDEX_HEADER`), a pickle of the shard's index, then the facts area: the shard's random
token, then each note's pickled `Note` one after another. The index holds, per note, its stat,
git blob id, `Brief` (bot/lazy_notes.py) or the reason it is unusable, and where its facts are
in the facts area with their CRC-32: `(offset, length, crc)`. A warm run reads every shard's
index and unpickles a note's facts only when the run asks for that note (`read_facts`).

Files are never changed in place, only replaced (bot/cache.py `write_shard`): a facts read
checks the token at the start of the facts area against the index it came from, so a shard
another run replaced in between is never read at the old offsets, and the CRC-32 keeps a damaged
note's bytes from being unpickled. The index has a CRC-32 of its own: its briefs stand in for every
note the run does not ask for, and a changed byte that still unpickles (a link name, a type) would
otherwise be trusted as that note's facts. Either failure answers None: the caller parses the note again.

Pickle is acceptable here because the files live in the user's own `.git/` or cache directory,
which only that user can write (anyone who can write there can already run code through git
hooks); still, unpickling is limited to the few classes a parsed note is made of, so a foreign
or damaged file fails to load instead of constructing arbitrary objects.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from bot import shard_memory

MAGIC_NAME = b"vaultbot parse cache "  # then the format's number
# 5: notes rules write no sections in are kept without their text; 6: an index of briefs, each note's facts read when asked;
# 7: the index's length and CRC-32 before it
MAGIC = MAGIC_NAME + b"7\n"
_INDEX_HEADER = struct.Struct("<QI")  # the index pickle's length and CRC-32
TOKEN_BYTES = 16
_ALLOWED_BUILTINS = frozenset({"set", "frozenset", "bytes", "bytearray", "complex"})
FOREIGN = "written by another vaultbot version or settings"
TEMPORARY_PREFIX = ".parse-"  # a shard being written, renamed into place when whole
# A temporary file older than this is a killed run's: a shard is written in milliseconds. Not any
# temporary file: a VAULTBOT_CACHE_DIR may serve runs on other vaults, which hold other locks.
STALE_TEMPORARY_SECONDS = 3600

Entry = tuple  # see bot/cache.py
Where = tuple  # (offset in the facts area after the token, length, CRC-32)


@dataclass
class Shard:
    entries: dict[str, Entry] = field(default_factory=dict)
    facts_start: int = 0  # where the facts area (its token first) starts in the file
    token: bytes = b""


class _NoteUnpickler(pickle.Unpickler):
    """Builds only what a parsed note is made of: vaultbot's own classes, dates, plain data."""

    def find_class(self, module: str, name: str) -> object:
        found = _classes.get((module, name))
        if found is not None:  # each note's pickle names its classes again: look them up once per process
            return found
        if module.startswith("bot.") or module == "datetime" or (module == "builtins" and name in _ALLOWED_BUILTINS):
            found = _classes[(module, name)] = super().find_class(module, name)
            return found
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")


_classes: dict[tuple[str, str], object] = {}  # the allowed classes found so far


def unpickle(data: bytes) -> object:
    return _NoteUnpickler(io.BytesIO(data)).load()


def read_index(path: Path, expected: str) -> tuple[Shard, str | None]:
    """The shard stored at `path`, and a warning when the file had to be discarded."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(MAGIC))
            if head != MAGIC:  # an older format's cache is an older vaultbot's, the usual case after an upgrade
                return Shard(), f"{FOREIGN} (another cache format)" if head.startswith(MAGIC_NAME) else "not a vaultbot parse cache"
            header = stream.read(_INDEX_HEADER.size)
            length, crc = _INDEX_HEADER.unpack(header) if len(header) == _INDEX_HEADER.size else (-1, 0)
            index = stream.read(length) if length >= 0 else b""
            if len(index) != length or zlib.crc32(index) != crc:
                return Shard(), "damaged (its index fails its CRC-32)"
            data = unpickle(index)
            start = stream.tell()  # the facts area follows the index
            token = stream.read(TOKEN_BYTES)
    except FileNotFoundError:
        return Shard(), None
    except Exception as error:  # a damaged pickle raises nearly anything; none of it is trusted
        return Shard(), f"unreadable ({type(error).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        return Shard(), "unexpected contents"
    if data.get("fingerprint") != expected:
        return Shard(), f"{FOREIGN} ({data.get('version', '?')})"
    if data.get("token") != token or len(token) != TOKEN_BYTES:
        return Shard(), "unexpected contents"
    return Shard(data["entries"], start, token), None


def index_block(index: bytes) -> bytes:
    """A pickled index as a shard file holds it after the magic line: its length and CRC-32 first."""
    return _INDEX_HEADER.pack(len(index), zlib.crc32(index)) + index


def read_facts(path: str, shard: Shard, where: Where) -> bytes | None:
    """A note's pickled facts, as the index `shard` placed them; None when the file is another or they are damaged.
    Two positioned reads on a bare descriptor: a run that reaches every note (dedupe-meetings' groups) reads each so."""
    offset, length, crc = where
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if _read_at(handle, TOKEN_BYTES, shard.facts_start) != shard.token:
            return None
        data = _read_at(handle, length, shard.facts_start + TOKEN_BYTES + offset)
    except OSError:
        return None
    finally:
        os.close(handle)
    return data if len(data) == length and zlib.crc32(data) == crc else None


def _read_at(handle: int, length: int, position: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(handle, length, position)
    os.lseek(handle, position, os.SEEK_SET)  # Windows has no pread
    return os.read(handle, length)


def facts_area(path: Path, shard: Shard) -> bytes | None:
    """The whole facts area after the token (to copy unasked notes into a rewritten shard); None as `read_facts`."""
    try:
        with open(path, "rb") as stream:
            stream.seek(shard.facts_start)
            if stream.read(TOKEN_BYTES) != shard.token:
                return None
            return stream.read()
    except OSError:
        return None


def write_shard(
    path: Path, header: Mapping[str, object], entries: Mapping[str, Entry], facts: Callable[[str, Entry], bytes | None]
) -> tuple[Shard, shard_memory.Stat] | None:
    """Replace `path` atomically with `entries` (the last field of each replaced by where `facts` put its
    bytes; an entry without facts bytes is left out): a reader sees the old shard or the new one, never half
    of one. Returns the shard as written and the file's stat (a rename keeps it)."""
    token = os.urandom(TOKEN_BYTES)
    blobs: list[bytes] = []
    stored: dict[str, Entry] = {}
    offset = 0
    for note_path, entry in entries.items():
        if entry[6] is None:  # an unusable note: its reason, no facts
            stored[note_path] = entry
            continue
        data = facts(note_path, entry)
        if data is None:
            continue
        stored[note_path] = (*entry[:6], (offset, len(data), zlib.crc32(data)))
        blobs.append(data)
        offset += len(data)
    if not stored:
        return None
    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(MAGIC)
            stream.write(index_block(pickle.dumps({**header, "token": token, "entries": stored}, protocol=pickle.HIGHEST_PROTOCOL)))
            start = stream.tell()
            stream.write(token)
            stream.writelines(blobs)
            stream.flush()
            stat = shard_memory.stat_of(os.fstat(stream.fileno()))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return Shard(stored, start, token), stat


def remove_stale_temporaries(folder: Path) -> None:
    """Remove the half-written shards runs killed while saving left behind (a shard's size each, kept
    for good otherwise: nothing reads them)."""
    stale_before = time.time() - STALE_TEMPORARY_SECONDS
    for temporary in folder.glob(TEMPORARY_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if temporary.stat().st_mtime < stale_before:
                temporary.unlink()
