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

Lazily: a warm run over a large vault asks for the facts of few notes (those a changed note
reaches), yet unpickling every note's facts was most of its cost (3.5 s at 100,000 notes). A
shard holds an index read whole, with each note's `Brief` (bot/lazy_notes.py: what the index
and the delta read of every note), and each note's full facts pickled on their own, unpickled
only when the run asks for that note (bot/cache_shards.py has the file's layout and its
checks). A shard whose index fails any check is discarded with a warning, never trusted; a
note whose facts fail theirs (the shard replaced by another run since, damaged bytes) is
parsed again from its file, with a warning.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Callable, Iterable, Mapping

from bot import __version__, shard_memory
from bot.cache_shards import MAGIC, Entry, Shard, facts_area, read_facts, read_index, remove_stale_temporaries, unpickle, write_shard
from bot.errors import RunFailed
from bot.git_blobs import git_blob_id, tracked_blobs
from bot.lazy_notes import Brief, LazyNotes, brief_of
from bot.note import Note, ParseSettings, Source, keeps_text
from bot.problem import Problem
from bot.reading import Unusable, parse_files
from bot.runner import Loaded
from bot.scan import FileStat, ScanResult

__all__ = [
    "MAGIC",
    "SHARDS",
    "CACHE_DIR_VARIABLE",
    "CONTENT_KEYS_FROM",
    "ParseCache",
    "cache_dir",
    "git_blob_id",
    "git_dir",
    "shard_file",
    "shard_of",
]

# Enough that touching a handful of notes rewrites a small part of a 10,000-note
# cache (about 40 notes per touched note), few enough that opening them all stays
# cheap next to reading their indexes.
SHARDS = 256
# The modules whose code decides what a parsed note holds; editing one (an
# editable install, a patch release that kept its version) invalidates the cache.
# Every bot module parsing imports (tests/bot/test_cache.py): the line scan and the YAML fast path decide
# as much as bot/note.py does, and hashing a module that decides nothing costs a rebuild at most.
PARSE_MODULES = (
    *("reading", "note", "note_inputs", "note_shared", "note_facts", "hidden", "yaml_reader", "yaml_simple"),
    *("markdown", "sections", "line_scan", "blocks", "dates", "summary", "scan", "lazy_notes", "obsidian"),
    *("opt_out", "index_settings", "counting", "errors", "forked", "problem"),
)

CACHE_DIR_VARIABLE = "VAULTBOT_CACHE_DIR"
# Blob ids are asked of git only when more notes than this miss by stat (a clone, a checkout, a
# cold run, which stores them for the next clone): the two git calls cost about what parsing as
# many notes does, so a few edited notes are simply parsed again.
CONTENT_KEYS_FROM = 64

# An entry: (size, mtime_ns, ino, Brief | str, blob id or "", ctime_ns, facts): a parsed note's brief
# or the reason it is unusable, the git blob id of the bytes it was parsed from when git held them, the
# file's change time, and the note's facts: where the shard file holds them (bot/cache_shards.py
# `Where`), the Note itself when parsed or written in this run, None for an unusable note.


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


def _valid(entry: object, path: str, stat: FileStat | None) -> bool:
    """A well-formed stored entry for `path`, stored for a file with this stat (any stat when None).
    The stat is compared first and field by field: this runs for every note of every warm run."""
    if type(entry) is not tuple or len(entry) != 7:
        return False
    if stat is not None:
        if entry[0] != stat.size or entry[1] != stat.mtime_ns or entry[2] != stat.ino or entry[5] != stat.ctime_ns:
            return False
    elif not all(type(n) is int for n in (*entry[:3], entry[5])):
        return False
    brief, where = entry[3], entry[6]
    if type(brief) is str:
        return type(entry[4]) is str and where is None
    return type(brief) is Brief and brief.path == path and type(entry[4]) is str and type(where) is tuple and len(where) == 3


def _restated(note: Note, stat: FileStat) -> Note:
    """The note under the stat of the file it is now read from, with what it worked out (summary, tasks)."""
    if note.stat == stat:
        return note
    return dataclasses.replace(note, stat=stat)  # the facts worked out are fields too (bot/note.py)


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
        self.stored: list[Shard] = [Shard() for _ in range(SHARDS)]  # as read: where their notes' facts are
        self.shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        self.fingerprint = ""
        self.settings: ParseSettings | None = None  # those of `load_notes`
        self.dirty: set[int] = set()
        self.hits = 0
        self.parsed = 0
        self.unpickled: set[str] = set()  # the notes whose facts were read from a shard (the other hits stay briefs)
        self._stats: Mapping[str, FileStat] = {}
        self._notes: dict[str, Note] = {}  # the stored notes asked for so far

    def load_notes(self, root: Path, scan: ScanResult, settings: ParseSettings) -> Loaded:
        self.fingerprint = fingerprint(settings)
        self.settings = settings
        self._stats = scan.files
        stored = self._read_shards()
        by_path = {path: entry for entries in stored for path, entry in entries.items()}
        problems: list[Problem] = []
        previous: dict[str, tuple[FileStat, Note | str]] = {}
        previous_blobs: dict[str, str] = {}  # their blob ids, for the clean-run memo by content (bot/memo_content.py)
        shards: list[dict[str, Entry]] = [{} for _ in range(SHARDS)]
        kept: dict[str, Entry] = {}
        for path, stat in scan.files.items():
            entry = by_path.get(path)
            if entry is not None and _valid(entry, path, stat):
                kept[path] = entry
            elif entry is not None and _valid(entry, path, None):
                previous[path] = (FileStat(entry[0], entry[1], entry[2], 0, entry[5]), self._version(path, entry))
                previous_blobs[path] = entry[4]
        missed = len(scan.files) - len(kept)
        blobs = (tracked_blobs(root, scan) or {}) if missed > CONTENT_KEYS_FROM and git_dir(root) is not None else {}
        for path in list(previous):  # a fresh clone: the same bytes under a new stat
            stat, entry = scan.files[path], by_path[path]
            if blobs.get(path) and entry[4] == blobs[path] and entry[0] == stat.size:
                del previous[path]
                kept[path] = (stat.size, stat.mtime_ns, stat.ino, *entry[3:5], stat.ctime_ns, entry[6])
                self.dirty.add(shard_of(path))
        self.hits = len(kept)
        parsed = parse_files(root, {path: stat for path, stat in scan.files.items() if path not in kept}, settings)
        self.parsed = len(parsed)
        facts: dict[str, Note | Brief] = {}
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
                if isinstance(result, Unusable):
                    entry = (stat.size, stat.mtime_ns, stat.ino, result.reason, blob, stat.ctime_ns, None)
                else:
                    entry = (stat.size, stat.mtime_ns, stat.ino, brief_of(result), blob, stat.ctime_ns, result)
            shards[shard][path] = entry
            if isinstance(entry[3], str):
                problems.append(Problem(path, f"skipped: {entry[3]}"))
            else:
                facts[path] = entry[6] if isinstance(entry[6], Note) else entry[3]
        # Every kept entry of an untouched shard was a hit, so a shorter shard lost an entry (a note gone).
        self.dirty.update(shard for shard in range(SHARDS) if len(shards[shard]) != len(stored[shard]))
        self.shards = shards
        # What the cache knew that the scan no longer finds, and what it never knew: with `previous`,
        # how the vault differs from the last run's (bot/since_clean.py checks that against the memo).
        new = frozenset(path for path in scan.files if path not in by_path)
        gone = {
            path: (FileStat(entry[0], entry[1], entry[2], 0, entry[5]), self._version(path, entry))
            for path, entry in by_path.items()
            if path not in scan.files and _valid(entry, path, None)
        }
        return Loaded(LazyNotes(facts, self._note), problems, previous, new, gone, previous_blobs)

    def _unpickled(self, path: str, where: tuple) -> Note | None:
        """The note whose facts the shard holding `path` has at `where`, if they read back as that note."""
        shard = shard_of(path)
        data = read_facts(os.path.join(self.folder, f"{shard:02d}.pickle"), self.stored[shard], where)  # no Path: once per note
        if data is None:
            return None
        try:
            note = unpickle(data)
        except Exception:  # the CRC-32 matched, so only a defect gets here; nothing of it is trusted
            return None
        self.unpickled.add(path)
        return note if isinstance(note, Note) and note.path == path else None

    def _version(self, path: str, entry: Entry) -> Note | str:
        """A stored entry's note as it was stored (a version the scan no longer sees), or its reason."""
        if isinstance(entry[3], str):
            return entry[3]
        return self._unpickled(path, entry[6]) or "its cached version could not be read"

    def _note(self, path: str) -> Note:
        """The note at `path` as the cache holds it, unpickled when first asked (LazyNotes' `stored`)."""
        note = self._notes.get(path)
        if note is not None:
            return note
        shard = shard_of(path)
        entry = self.shards[shard][path]
        stat = self._stats[path]
        found = entry[6] if isinstance(entry[6], Note) else self._unpickled(path, entry[6])
        if found is None:
            self.warn(
                f"parse cache {shard_file(self.folder, shard)}: the entry of {path} is damaged or was replaced; discarded, the note is parsed again"
            )
            assert self.settings is not None
            result = parse_files(self.root, {path: stat}, self.settings)[path]
            if isinstance(result, Unusable):  # it was a note when the run began: changed since
                raise RunFailed(f"{path}: changed while vaultbot ran ({result.reason}); nothing was written, run again")
            found = result
            self.shards[shard][path] = (*entry[:3], brief_of(found), "", entry[5], found)
            self.dirty.add(shard)
        note = _restated(found, stat)
        self._notes[path] = note
        return note

    def _read_shards(self) -> list[dict[str, Entry]]:
        """Every shard's entries; a shard that fails a check is empty, marked dirty, and warned about
        (one warning per reason, so a settings change does not print one line per shard)."""
        discarded: dict[str, list[int]] = {}
        for shard in range(SHARDS):
            self.stored[shard], warning = shard_memory.read(shard_file(self.folder, shard), self.fingerprint, read_index)
            if warning is not None:
                discarded.setdefault(warning, []).append(shard)
        for warning, shards in discarded.items():
            self.dirty.update(shards)
            if len(shards) == 1:
                self.warn(f"parse cache {shard_file(self.folder, shards[0])}: {warning}; discarded, its notes are parsed again")
            else:
                names = ", ".join(shard_file(self.folder, shard).name for shard in shards)
                self.warn(f"parse cache {self.folder}: {len(shards)} shards ({names}) {warning}; discarded, their notes are parsed again")
        return [shard.entries for shard in self.stored]

    def record_written(self, notes: Iterable[Note], stats: Mapping[str, FileStat]) -> None:
        """Store notes as just written, under the stat of the file vaultbot placed, kept as parsing
        keeps them (without their text where rules write no sections)."""
        for note in notes:
            shard = shard_of(note.path)
            stat = stats[note.path]
            data = note.to_bytes()
            blob = git_blob_id(data)
            kept = _restated(note, stat)
            if self.settings is not None and not keeps_text(kept, self.settings):
                kept = kept.without_text(Source.of(data))
            self.shards[shard][note.path] = (stat.size, stat.mtime_ns, stat.ino, brief_of(kept), blob, stat.ctime_ns, kept)
            self.dirty.add(shard)

    def save(self) -> None:
        """Rewrite the shards whose entries changed, each atomically; failing to is a warning, not an error."""
        if not self.dirty or not self.fingerprint:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _remove_single_file_cache(self.folder)
            remove_stale_temporaries(self.folder)
            for shard in sorted(self.dirty):
                path = shard_file(self.folder, shard)
                written = write_shard(
                    path, {"version": __version__, "fingerprint": self.fingerprint}, self.shards[shard], self._facts_of(shard)
                )
                if written is None:
                    path.unlink(missing_ok=True)
                    shard_memory.written(path, None, self.fingerprint, None)
                else:
                    self.stored[shard], stat = written
                    self.shards[shard] = dict(written[0].entries)
                    shard_memory.written(path, stat, self.fingerprint, written[0])
                self.dirty.discard(shard)
        except OSError as error:
            self.warn(f"parse cache {self.folder}: cannot be written: {error.strerror or error}")

    def _facts_of(self, shard: int) -> Callable[[str, Entry], bytes | None]:
        """Each entry's facts bytes for a rewrite of `shard`: a note of this run pickled, a stored one copied
        from the shard file as read (None, left out, when that file was replaced since)."""
        area: list[bytes | None] = []

        def facts(path: str, entry: Entry) -> bytes | None:
            if isinstance(entry[6], Note):
                return pickle.dumps(entry[6], protocol=pickle.HIGHEST_PROTOCOL)
            if not area:
                area.append(facts_area(shard_file(self.folder, shard), self.stored[shard]))
            offset, length, crc = entry[6]
            whole = area[0]
            data = whole[offset : offset + length] if whole is not None else None
            return data if data is not None and zlib.crc32(data) == crc else None

        return facts


def _remove_single_file_cache(folder: Path) -> None:
    """The layout before shards kept the whole cache in one `parse-<hash>.pickle` beside this folder;
    nothing reads it any more."""
    folder.with_suffix(".pickle").unlink(missing_ok=True)
