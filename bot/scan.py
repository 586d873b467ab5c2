"""Which files of a vault are notes.

Every `*.md` file under the root, except dot-folders and dot-files (`.obsidian/`,
`.git/`, `.trash/`, ...), Obsidian's templates folders and `userIgnoreFilters`,
and the config's `exclude` globs. Symlinks are never followed: one that points
outside the vault is reported, one inside is skipped silently because its target
is scanned under its own path.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Iterable, NamedTuple

from bot.obsidian import ObsidianSettings
from bot.problem import Problem


class FileStat(NamedTuple):
    size: int
    mtime_ns: int
    ino: int
    mode: int
    # Any write renews the change time and no one can set it back, as `touch -d` does the mtime: an
    # edit in place that keeps the size and puts the mtime back still changes it (git checks it too).
    # On Windows it is the creation time: no help there, and no harm.
    ctime_ns: int = 0

    @classmethod
    def of(cls, st: os.stat_result) -> FileStat:
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode, st.st_ctime_ns)


@dataclass(frozen=True)
class ScanResult:
    files: dict[str, FileStat]  # vault path -> stat, in path order
    folders: frozenset[str]  # every folder that is not hidden, notes or not (home folders need them)
    problems: tuple[Problem, ...]
    # `.md` files outside dot-folders that are not notes (`exclude`, ignore filters, templates, an
    # archive folder): a rule that moves a note must know whether its destination is taken.
    left_out: frozenset[str] = frozenset()
    # Temporary files a killed run of vaultbot left beside notes (bot/writer.py removes them).
    leftovers: tuple[str, ...] = ()


# bot/writer.py's temporary names, and those of versions before it (`.<note>.vaultbot-<pid>.tmp`).
LEFTOVER = re.compile(r"\.vaultbot-[0-9a-f]{12}\.tmp|\..+\.vaultbot-[0-9]+\.tmp", re.DOTALL)


def vault_relative(pattern: str) -> str:
    """A configured path or glob in the form vault paths take (`Old\\dups/`, ` ./Old/x/.. ` -> `Old/dups`,
    `Old`). dedupe-meetings moves notes to the archive folder in this form, and the scan leaves
    out that folder in this form: read two ways, archived copies were indexed and archived again."""
    normal = posixpath.normpath(pattern.strip().replace("\\", "/")).strip("/")
    return "" if normal == "." else normal


NOT_UTF8 = "file name is not valid UTF-8 (Obsidian cannot open or link it); skipped"


def _undecodable(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir gave the name's bad bytes as lone surrogates
        return True
    return False


def matches_glob(path: str, pattern: str) -> bool:
    """`exclude` semantics: a glob on the vault path; a folder name excludes all below it, taken
    as written too (a folder named `[old]` is no character class)."""
    folder = vault_relative(pattern)
    if not folder:
        return False
    return path.startswith(folder + "/") or path == folder or fnmatch.fnmatchcase(path, folder) or fnmatch.fnmatchcase(path, folder + "/*")


def _points_outside(entry: os.DirEntry, root: str) -> bool:
    try:
        target = os.path.realpath(entry.path)
    except OSError:
        return True
    return not (target == root or target.startswith(root + os.sep))


def scan_vault(root: Path, settings: ObsidianSettings, exclude: Iterable[str] = ()) -> ScanResult:
    real_root = os.path.realpath(root)
    patterns = tuple(exclude)
    files: dict[str, FileStat] = {}
    folders: set[str] = set()
    left_out: set[str] = set()
    problems: list[Problem] = []
    leftovers: list[str] = []
    pending = [("", str(root))]
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            problems.append(Problem(prefix.rstrip("/") or ".", f"folder cannot be read: {error.strerror or error}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                if LEFTOVER.fullmatch(entry.name):
                    leftovers.append(prefix + entry.name)
                continue
            path = prefix + entry.name
            if entry.is_symlink():
                if (entry.name.endswith(".md") or os.path.isdir(entry.path)) and _points_outside(entry, real_root):
                    problems.append(Problem(path, "symlink points outside the vault; not followed"))
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                folders.add(path)
                pending.append((path + "/", entry.path))
            elif entry.name.endswith(".md"):
                if _undecodable(path):  # no link can name it; Obsidian cannot open it
                    problems.append(Problem(path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"), NOT_UTF8))
                    continue
                if settings.is_ignored(path) or any(matches_glob(path, p) for p in patterns):
                    left_out.add(path)
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except OSError as error:
                    problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
                    continue
                if not S_ISREG(stat.st_mode):  # a FIFO or device would block or never end
                    problems.append(Problem(path, "not a regular file; skipped"))
                    continue
                files[path] = FileStat.of(stat)
    return ScanResult(dict(sorted(files.items())), frozenset(folders), tuple(problems), frozenset(left_out), tuple(leftovers))
