"""The parse cache: parsed notes kept between runs, so unchanged files are not read again.

An entry is keyed by the note's vault path, size, mtime_ns, inode and change time; each file
of the cache as a whole by vaultbot's version, the parse settings (from the
config and `.obsidian/`) and the source of the parsing modules. Any difference
means the entry, or the whole file, is not used: a note is re-parsed whenever its
inputs may have changed. A note a rule rewrites gets a new inode
(bot/writer.py replaces the file), so it is parsed again from disk or stored
fresh after the write.

Keyed by content too: a fresh clone (CI) gives every note a new mtime and inode,
so an entry also records the note's git blob id when git tracks the note and its
file matches the index. When some stats miss and the vault is in git, one `git
ls-files -s` and one `git diff-files` give those ids for the notes that match
the index, and an entry with the same blob id and size is used (its stat
updated). The size check keeps a clone whose line-ending conversion differs
(`core.autocrlf`) from using another clone's parse of other bytes.

Where: a folder `parse-<hash of the vault's real path>` (two vaults never share
entries) in `<git dir>/vaultbot/` when the vault is (inside) a git repository,
which git never tracks; else in `$XDG_CACHE_HOME/vaultbot/` (default
`~/.cache/vaultbot/`). `VAULTBOT_CACHE_DIR` names a folder to hold it instead, so
a CI job can restore it (actions/cache) beside any checkout path. Only a real run
writes the cache (after writing notes); a dry run and `--check` only read it.

Text: only the notes rules write sections in keep theirs (bot/note.py); every
other note is stored as parsing keeps it, with its facts and a digest of its bytes,
and one written by a run is stored the same way. A warm run then unpickles facts,
not the vault's text.

Shards: a large vault's cache is still megabytes (22 MB at 10,000 notes, 57 MB
with their text); rewriting all of it after a few notes changed cost more than
the rest of such a run. The entries are split by a stable hash of the note path over
SHARDS files `00.pickle` .. `255.pickle`, and a save rewrites only the shards
whose entries changed (a note parsed again, written, or gone). A damaged shard
costs only its own notes.

Format of a shard: a magic line, then a pickle. Pickle is acceptable here because
the files live in the user's own `.git/` or cache directory, which only that user
can write (anyone who can write there can already run code through git hooks);
still, unpickling is limited to the few classes a parsed note is made of, so a
foreign or damaged file fails to load instead of constructing arbitrary objects.
A shard that fails any check is discarded with a warning, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Iterable, Mapping

from bot import __version__, shard_memory
from bot.git_blobs import git_blob_id, tracked_blobs
from bot.note import Note, ParseSettings, Source, keeps_text
from bot.problem import Problem
from bot.reading import Unusable, parse_files
from bot.runner import Loaded
from bot.scan import FileStat, ScanResult

MAGIC_NAME = b"vaultbot parse cache "  # then the format's number
MAGIC = MAGIC_NAME + b"5\n"  # 5: notes rules write no sections in are kept without their text
# Enough that touching a handful of notes rewrites a small part of a 10,000-note
# cache (about 40 notes per touched note), few enough that opening them all stays
# cheap next to unpickling.
SHARDS = 256
# The modules whose code decides what a parsed note holds; editing one (an
# editable install, a patch release that kept its version) invalidates the cache.
PARSE_MODULES = ("reading", "note", "note_inputs", "note_shared", "hidden", "yaml_reader", "markdown", "dates", "summary", "scan")
_ALLOWED_BUILTINS = frozenset({"set", "frozenset", "bytes", "bytearray", "complex"})
_FOREIGN = "written by another vaultbot version or settings"

CACHE_DIR_VARIABLE = "VAULTBOT_CACHE_DIR"
# Blob ids are asked of git only when more notes than this miss by stat (a clone, a checkout, a
# cold run, which stores them for the next clone): the two git calls cost about what parsing as
# many notes does, so a few edited notes are simply parsed again.
CONTENT_KEYS_FROM = 64

# (size, mtime_ns, ino, Note | str, blob id or "", ctime_ns): a parsed note, or the reason it is unusable,
# the git blob id of the bytes it was parsed from when git held them, and the file's change time.
Entry = tuple


def git_dir(start: Path) -> Path | None:
    """The git directory of the repository holding `start`, or None. Follows a
    `.git` file (worktrees, submodules) to the directory it names."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            try:
                line = dot_git.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if line.startswith("gitdir:"):
                target = Path(line[len("gitdir:") :].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def cache_dir(root: Path) -> Path:
    """The folder holding the cache shards of the vault at `root`."""
    named = os.environ.get(CACHE_DIR_VARIABLE)
    if named:  # the parse folder and the clean-run memos beside it (bot/memo.py) all inside it
        return Path(named) / "parse"
    real = Path(os.path.realpath(root))
    name = "parse-" + hashlib.sha256(str(real).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    repository = git_dir(real)
    if repository is not None:
        return repository / "vaultbot" / name
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vaultbot" / name


def shard_of(path: str) -> int:
    """The shard holding a note's entry. CRC-32 is the same on every machine and Python
    (unlike the salted built-in hash) and costs a few milliseconds for 10,000 paths."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


def shard_file(folder: Path, shard: int) -> Path:
    return folder / f"{shard:02d}.pickle"


def fingerprint(settings: ParseSettings) -> str:
    """What, besides a file's bytes, decides how it parses."""
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{settings!r}|{SHARDS}".encode())
    package = Path(__file__).parent
    for module in PARSE_MODULES:
        try:
            digest.update((package / f"{module}.py").read_bytes())
        except OSError:
            digest.update(b"missing " + module.encode())
    return digest.hexdigest()


class _NoteUnpickler(pickle.Unpickler):
    """Builds only what a parsed note is made of: vaultbot's own classes, dates, plain data."""

    def find_class(self, module: str, name: str) -> object:
        if module.startswith("bot.") or module == "datetime" or (module == "builtins" and name in _ALLOWED_BUILTINS):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected class {module}.{name}")


def _read(path: Path, expected: str) -> tuple[dict[str, Entry], str | None]:
    """The entries stored at `path`, and a warning when the file had to be discarded."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(MAGIC))
            if head != MAGIC:  # an older format's cache is an older vaultbot's, the usual case after an upgrade
                return {}, f"{_FOREIGN} (another cache format)" if head.startswith(MAGIC_NAME) else "not a vaultbot parse cache"
            data = _NoteUnpickler(io.BufferedReader(stream, 1 << 20)).load()
    except FileNotFoundError:
        return {}, None
    except Exception as error:  # a damaged pickle raises nearly anything; none of it is trusted
        return {}, f"unreadable ({type(error).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        return {}, "unexpected contents"
    if data.get("fingerprint") != expected:
        return {}, f"{_FOREIGN} ({data.get('version', '?')})"
    return data["entries"], None


def _valid(entry: object, path: str, stat: FileStat | None) -> bool:
    """A well-formed entry for `path`, stored for a file with this stat (any stat when None)."""
    if not (isinstance(entry, tuple) and len(entry) == 6 and isinstance(entry[4], str)):
        return False
    if not all(isinstance(n, int) for n in (*entry[:3], entry[5])):
        return False
    if stat is not None and (*entry[:3], entry[5]) != (stat.size, stat.mtime_ns, stat.ino, stat.ctime_ns):
        return False
    result = entry[3]
    return isinstance(result, str) or (isinstance(result, Note) and result.path == path)


def _restated(result: Note | str, stat: FileStat) -> Note | str:
    """The note under the stat of the file it is now read from, with what it worked out (summary, tasks)."""
    if isinstance(result, str):
        return result
    return dataclasses.replace(result, stat=stat)  # the facts worked out are fields too (bot/note.py)


def _write(path: Path, data: object) -> shard_memory.Stat:
    """Replace `path` atomically: a reader sees the old shard or the new one, never half of one.
    Returns the new file's stat (a rename keeps it)."""
    handle, temporary = tempfile.mkstemp(prefix=".parse-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(MAGIC)
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.flush()
            stat = shard_memory.stat_of(os.fstat(stream.fileno()))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return stat


def _unchanged_since_scan(root: Path, path: str, stat: FileStat) -> bool:
    """The note's file still has the stat the scan saw. git named its blob before the note was
    read: a note saved in between was parsed from other bytes than that blob, and an entry
    claiming both would hand another checkout of the old blob the new note's parse."""
    try:
        now = os.stat(os.path.join(root, path))
    except OSError:
        return False
    return (now.st_size, now.st_mtime_ns, now.st_ino, now.st_ctime_ns) == (stat.size, stat.mtime_ns, stat.ino, stat.ctime_ns)


class ParseCache:
    """A cached `load_notes` for `plan_run(loader=...)`, and the save after a real run."""

    def __init__(self, root: Path, warn: Callable[[str], None], location: Path | None = None) -> None:
        self.root = root
        self.folder = location or cache_dir(root)
        self.warn = warn
        self.shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        self.fingerprint = ""
        self.settings: ParseSettings | None = None  # those of `load_notes`
        self.dirty: set[int] = set()
        self.hits = 0
        self.parsed = 0

    def load_notes(self, root: Path, scan: ScanResult, settings: ParseSettings) -> Loaded:
        self.fingerprint = fingerprint(settings)
        self.settings = settings
        stored = self._read_shards()
        notes: dict[str, Note] = {}
        problems: list[Problem] = []
        previous: dict[str, tuple[FileStat, Note | str]] = {}
        previous_blobs: dict[str, str] = {}  # their blob ids, for the clean-run memo by content (bot/memo_content.py)
        shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        kept: dict[str, Entry] = {}
        for path, stat in scan.files.items():
            entry = stored[shard_of(path)].get(path)
            if entry is not None and _valid(entry, path, stat):
                kept[path] = entry
            elif entry is not None and _valid(entry, path, None):
                previous[path] = (FileStat(entry[0], entry[1], entry[2], 0, entry[5]), entry[3])
                previous_blobs[path] = entry[4]
        missed = len(scan.files) - len(kept)
        blobs = (tracked_blobs(root, scan) or {}) if missed > CONTENT_KEYS_FROM and git_dir(root) is not None else {}
        for path in list(previous):  # a fresh clone: the same bytes under a new stat
            stat, entry = scan.files[path], stored[shard_of(path)][path]
            if blobs.get(path) and entry[4] == blobs[path] and entry[0] == stat.size:
                del previous[path]
                kept[path] = (stat.size, stat.mtime_ns, stat.ino, _restated(entry[3], stat), entry[4], stat.ctime_ns)
                self.dirty.add(shard_of(path))
        self.hits = len(kept)
        parsed = parse_files(root, {path: stat for path, stat in scan.files.items() if path not in kept}, settings)
        self.parsed = len(parsed)
        for path, stat in scan.files.items():
            shard = shard_of(path)
            entry = kept.get(path)
            if entry is None:
                self.dirty.add(shard)
                result = parsed[path]
                if isinstance(result, Unusable) and not result.lasting:  # not cached: the next run tries again
                    problems.append(Problem(path, f"skipped: {result.reason}"))
                    continue
                blob = blobs.get(path, "")
                if blob and not _unchanged_since_scan(root, path, stat):
                    blob = ""
                reason_or_note = result.reason if isinstance(result, Unusable) else result
                entry = (stat.size, stat.mtime_ns, stat.ino, reason_or_note, blob, stat.ctime_ns)
            shards[shard][path] = entry
            result = entry[3]
            if isinstance(result, str):
                problems.append(Problem(path, f"skipped: {result}"))
            else:
                notes[path] = result
        # Every kept entry of an untouched shard was a hit, so a shorter shard lost an entry (a note gone).
        self.dirty.update(shard for shard in range(SHARDS) if len(shards[shard]) != len(stored[shard]))
        self.shards = shards
        # What the cache knew that the scan no longer finds, and what it never knew: with `previous`,
        # how the vault differs from the last run's (bot/since_clean.py checks that against the memo).
        new = frozenset(path for path in scan.files if path not in stored[shard_of(path)])
        gone = {
            path: (FileStat(entry[0], entry[1], entry[2], 0, entry[5]), entry[3])
            for entries in stored
            for path, entry in entries.items()
            if path not in scan.files and _valid(entry, path, None)
        }
        return Loaded(notes, problems, previous, new, gone, previous_blobs)

    def _read_shards(self) -> list[dict[str, Entry]]:
        """Every shard's entries; a shard that fails a check is empty, marked dirty, and warned about
        (one warning per reason, so a settings change does not print one line per shard)."""
        stored: list[dict[str, Entry]] = []
        discarded: dict[str, list[int]] = {}
        for shard in range(SHARDS):
            entries, warning = shard_memory.read(shard_file(self.folder, shard), self.fingerprint, _read)
            stored.append(entries)
            if warning is not None:
                discarded.setdefault(warning, []).append(shard)
        for warning, shards in discarded.items():
            self.dirty.update(shards)
            if len(shards) == 1:
                self.warn(f"parse cache {shard_file(self.folder, shards[0])}: {warning}; discarded, its notes are parsed again")
            else:
                names = ", ".join(shard_file(self.folder, shard).name for shard in shards)
                self.warn(f"parse cache {self.folder}: {len(shards)} shards ({names}) {warning}; discarded, their notes are parsed again")
        return stored

    def record_written(self, notes: Iterable[Note], stats: Mapping[str, FileStat]) -> None:
        """Store notes as just written, under the stat of the file vaultbot placed, kept as parsing
        keeps them (without their text where rules write no sections)."""
        for note in notes:
            shard = shard_of(note.path)
            stat = stats[note.path]
            data = note.to_bytes()
            blob = git_blob_id(data)
            kept = _restated(note, stat)
            if isinstance(kept, Note) and self.settings is not None and not keeps_text(kept, self.settings):
                kept = kept.without_text(Source.of(data))
            self.shards[shard][note.path] = (stat.size, stat.mtime_ns, stat.ino, kept, blob, stat.ctime_ns)
            self.dirty.add(shard)

    def save(self) -> None:
        """Rewrite the shards whose entries changed, each atomically; failing to is a warning, not an error."""
        if not self.dirty or not self.fingerprint:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _remove_single_file_cache(self.folder)
            for shard in sorted(self.dirty):
                path = shard_file(self.folder, shard)
                if self.shards[shard]:
                    stat = _write(path, {"version": __version__, "fingerprint": self.fingerprint, "entries": self.shards[shard]})
                    shard_memory.written(path, stat, self.fingerprint, self.shards[shard])
                else:
                    path.unlink(missing_ok=True)
                    shard_memory.written(path, None, self.fingerprint, {})
                self.dirty.discard(shard)
        except OSError as error:
            self.warn(f"parse cache {self.folder}: cannot be written: {error.strerror or error}")


def _remove_single_file_cache(folder: Path) -> None:
    """The layout before shards kept the whole cache in one `parse-<hash>.pickle` beside this folder;
    nothing reads it any more."""
    folder.with_suffix(".pickle").unlink(missing_ok=True)
