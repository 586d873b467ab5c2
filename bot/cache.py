"""The parse cache: parsed notes kept between runs, so unchanged files are not read again.

An entry is keyed by the note's vault path, size, mtime_ns and inode; the file
as a whole by vaultbot's version, the parse settings (from the config and
`.obsidian/`) and the source of the parsing modules. Any difference means the
entry, or the whole file, is not used: a note is re-parsed whenever its inputs
may have changed. A note a rule rewrites gets a new inode (bot/writer.py
replaces the file), so it is parsed again from disk or stored fresh after the
write.

Where: `<git dir>/vaultbot/` when the vault is (inside) a git repository, which
git never tracks; else `$XDG_CACHE_HOME/vaultbot/` (default `~/.cache/vaultbot/`).
The file name carries a hash of the vault's real path, so two vaults never share
entries. Only a real run writes the cache (after writing notes); a dry run and
`--check` only read it.

Format: a magic line, then a pickle. Pickle is acceptable here because the file
lives in the user's own `.git/` or cache directory, which only that user can
write (anyone who can write there can already run code through git hooks); still,
unpickling is limited to the few classes a parsed note is made of, so a foreign
or damaged file fails to load instead of constructing arbitrary objects. A file
that fails any check is discarded with a warning, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Mapping

from bot import __version__
from bot.note import BadNote, Note, ParseSettings
from bot.problem import Problem
from bot.runner import read_note
from bot.scan import FileStat, ScanResult

MAGIC = b"vaultbot parse cache 1\n"
# The modules whose code decides what a parsed note holds; editing one (an
# editable install, a patch release that kept its version) invalidates the cache.
PARSE_MODULES = ("note", "markdown", "dates", "summary", "scan")
_ALLOWED_BUILTINS = frozenset({"set", "frozenset", "bytes", "bytearray", "complex"})

Entry = tuple  # (size, mtime_ns, ino, Note | str): a parsed note, or the reason it is unusable


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


def cache_file(root: Path) -> Path:
    """Where the cache of the vault at `root` lives."""
    real = Path(os.path.realpath(root))
    name = "parse-" + hashlib.sha256(str(real).encode("utf-8", "surrogateescape")).hexdigest()[:16] + ".pickle"
    repository = git_dir(real)
    if repository is not None:
        return repository / "vaultbot" / name
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vaultbot" / name


def fingerprint(settings: ParseSettings) -> str:
    """What, besides a file's bytes, decides how it parses."""
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{settings!r}".encode())
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
            if stream.read(len(MAGIC)) != MAGIC:
                return {}, "not a vaultbot parse cache"
            data = _NoteUnpickler(io.BufferedReader(stream, 1 << 20)).load()
    except FileNotFoundError:
        return {}, None
    except Exception as error:  # a damaged pickle raises nearly anything; none of it is trusted
        return {}, f"unreadable ({type(error).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        return {}, "unexpected contents"
    if data.get("fingerprint") != expected:
        return {}, f"written by another vaultbot version or settings ({data.get('version', '?')})"
    return data["entries"], None


def _valid(entry: object, path: str, stat: FileStat) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 4 and entry[:3] == (stat.size, stat.mtime_ns, stat.ino)):
        return False
    result = entry[3]
    return isinstance(result, str) or (isinstance(result, Note) and result.path == path)


class ParseCache:
    """A cached `load_notes` for `plan_run(loader=...)`, and the save after a real run."""

    def __init__(self, root: Path, warn: Callable[[str], None], location: Path | None = None) -> None:
        self.root = root
        self.path = location or cache_file(root)
        self.warn = warn
        self.entries: dict[str, Entry] = {}
        self.fingerprint = ""
        self.dirty = False
        self.hits = 0
        self.parsed = 0

    def load_notes(self, root: Path, scan: ScanResult, settings: ParseSettings) -> tuple[dict[str, Note], list[Problem]]:
        self.fingerprint = fingerprint(settings)
        stored, warning = _read(self.path, self.fingerprint)
        if warning is not None:
            self.warn(f"parse cache {self.path}: {warning}; discarded, every note is parsed again")
            self.dirty = True
        notes: dict[str, Note] = {}
        problems: list[Problem] = []
        entries: dict[str, Entry] = {}
        for path, stat in scan.files.items():
            entry = stored.get(path)
            if entry is not None and _valid(entry, path, stat):
                self.hits += 1
            else:
                self.parsed += 1
                try:
                    entry = (stat.size, stat.mtime_ns, stat.ino, read_note(root, path, stat, settings))
                except BadNote as error:
                    entry = (stat.size, stat.mtime_ns, stat.ino, str(error))
                except OSError as error:  # not cached: the next run tries again
                    problems.append(Problem(path, f"skipped: cannot be read: {error.strerror or error}"))
                    continue
            entries[path] = entry
            result = entry[3]
            if isinstance(result, str):
                problems.append(Problem(path, f"skipped: {result}"))
            else:
                notes[path] = result
        self.dirty = self.dirty or self.parsed > 0 or len(entries) != len(stored)
        self.entries = entries
        return notes, problems

    def record_written(self, notes: Iterable[Note], stats: Mapping[str, FileStat]) -> None:
        """Store notes as just written, under the stat of the file vaultbot placed."""
        for note in notes:
            self.dirty = True
            stat = stats[note.path]
            self.entries[note.path] = (stat.size, stat.mtime_ns, stat.ino, dataclasses.replace(note, stat=stat))

    def save(self) -> None:
        """Write the cache atomically when anything changed; failing to is a warning, not an error."""
        if not self.dirty or not self.fingerprint:
            return
        data = {"version": __version__, "fingerprint": self.fingerprint, "entries": self.entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".parse-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(MAGIC)
                    pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:
            self.warn(f"parse cache {self.path}: cannot be written: {error.strerror or error}")
            return
        self.dirty = False
