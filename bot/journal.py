"""The crash journal: a run that dies between writing notes and committing them is finished by the next.

Before the first note is written (and after every new content is stored as a
blob), a committing run records in `.git/vaultbot/journal.json`, written
atomically and flushed to disk: for each note, its path (and where it moves),
the blob and the sha256 of the bytes vaultbot is about to write, and the blob
and sha256 of the bytes it replaces. The journal goes once the commit is made
and the user's index points at it.

The next run, holding the run lock and before it plans anything, reads a
journal left behind and finishes that run: every note whose work-tree bytes
are still vaultbot's is committed (a half-done move is completed first, when
the original still holds the bytes vaultbot read); a note that holds anything
else is someone's edit, reported and never overwritten or committed. Then the
user's index is brought in line (bot/git_commit.py) and the journal cleared.
All of this is safe to repeat, so a run killed while recovering changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from git import Repo

from bot import git_commit
from bot.git import commit_message, files_by_rule, head_commit, prefix, private_dir, tree_entries
from bot.git_commit import IndexUpdate
from bot.problem import Problem
from bot.writer import sync_folders

FORMAT = "vaultbot journal 1"
JOURNAL = "journal.json"


class JournalNote(NamedTuple):
    path: str  # vault-relative
    rules: tuple[str, ...]
    blob: str  # of the bytes vaultbot writes
    sha256: str
    mode: str
    replaced: str | None  # the blob HEAD had at `path`
    original_sha256: str  # of the bytes vaultbot read (and replaces)
    destination: str | None = None  # vault-relative: the note moves there


class Journal(NamedTuple):
    head: str | None
    notes: list[JournalNote]
    first_line: str | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def journal_path(repo: Repo) -> Path:
    return private_dir(repo) / JOURNAL


def write_journal(repo: Repo, journal: Journal) -> None:
    """Record `journal` atomically and durably: after this returns, a crash cannot lose it."""
    path = journal_path(repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "head": journal.head, "first_line": journal.first_line, "notes": [note._asdict() for note in journal.notes]}
    handle, temporary = tempfile.mkstemp(prefix=".journal-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folders([path.parent])


def read_journal(repo: Repo) -> Journal | None:
    """The journal a run left behind, or None. One that cannot be read is a GitError-free None:
    it was never completely written, so its run wrote no note."""
    try:
        data = json.loads(journal_path(repo).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        notes = [JournalNote(**{**note, "rules": tuple(note["rules"])}) for note in data["notes"]]
        return Journal(data["head"], notes, data.get("first_line"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_journal(repo: Repo) -> None:
    journal_path(repo).unlink(missing_ok=True)
    sync_folders([journal_path(repo).parent])


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class Recovery(NamedTuple):
    commit: str | None  # the commit that finished the run, None when HEAD already held it all
    committed: list[str]  # vault paths (a move's destination)
    problems: list[Problem]  # notes someone changed after the dead run wrote them


USERS = "written by a vaultbot run that stopped before committing, then changed by someone; your version is kept and not committed"


def _settle(root: Path, note: JournalNote) -> tuple[bytes | None, str | None]:
    """(vaultbot's bytes to commit, or None; a problem to report, or None) for one journaled note,
    finishing a half-done move when the original still holds what vaultbot read."""
    if note.destination is None:
        data = _bytes(root / note.path)
        if data is None or sha256(data) == note.original_sha256:
            return None, None  # never written (or deleted since: nothing of vaultbot's is there)
        return (data, None) if sha256(data) == note.sha256 else (None, USERS)
    source, target = root / note.path, root / note.destination
    placed, left = _bytes(target), _bytes(source)
    if placed is None or sha256(placed) != note.sha256:
        return None, None if placed is None else f"{note.destination} exists and is not vaultbot's; the move is not finished"
    if left is not None and sha256(left) == note.original_sha256:
        source.unlink()  # the copy is in place and the original unchanged: finish the move
        sync_folders([source.parent])
        left = None
    if left is not None:  # someone edited the original after the copy was made: theirs wins
        target.unlink()
        return None, USERS
    return placed, None


def _head_allows(in_head: dict, vault_prefix: str, note: JournalNote) -> bool:
    """HEAD still has what the dead run replaced at the note's path, or already has the run's result."""
    before = in_head.get(vault_prefix + note.path)
    if note.destination is None:
        return (before.blob if before else None) in (note.replaced, note.blob)
    after = in_head.get(vault_prefix + note.destination)
    if before is not None:
        return before.blob == note.replaced and after is None
    return after is not None and after.blob == note.blob


def recover(repo: Repo, root: Path, author: str) -> Recovery | None:
    """Finish the run a journal describes (see the module doc); None when there is no journal."""
    journal = read_journal(repo)
    git_commit.remove_leftovers(repo)
    if journal is None:
        clear_journal(repo)
        return None
    vault_prefix = prefix(repo, root)
    head = head_commit(repo)
    journaled = [vault_prefix + path for note in journal.notes for path in (note.path, note.destination) if path is not None]
    in_head = tree_entries(repo, head, vault_prefix, journaled)
    problems: list[Problem] = []
    ours: list[tuple[JournalNote, bytes]] = []
    for note in journal.notes:
        data, problem = _settle(root, note)
        if problem is not None:
            problems.append(Problem(note.path, problem))
        if data is None:
            continue
        if not _head_allows(in_head, vault_prefix, note):  # committed differently since: not ours to replace
            problems.append(
                Problem(note.path, "changed in a commit after a vaultbot run stopped early; that run's version is not committed")
            )
            continue
        ours.append((note, data))
    blobs = git_commit.hash_contents(repo, [(vault_prefix + (n.destination or n.path), data) for n, data in ours])
    updates: list[IndexUpdate] = []
    for (note, _), blob in zip(ours, blobs):
        if note.destination is not None:
            updates.append(IndexUpdate(vault_prefix + note.path, note.mode, None, note.replaced))
            updates.append(IndexUpdate(vault_prefix + note.destination, note.mode, blob, None))
        else:
            updates.append(IndexUpdate(vault_prefix + note.path, note.mode, blob, note.replaced))
    listed = [(f"{n.path} -> {n.destination}" if n.destination else n.path, n.rules) for n, _ in ours]
    message = commit_message(files_by_rule(listed), len(ours), journal.first_line)
    message += "\nFinishes a vaultbot run that stopped before committing.\n"
    commit = git_commit.build_commit(repo, head, updates, message, author) if updates else None
    if commit is not None:
        git_commit.advance_head(repo, commit, head)
    git_commit.sync_user_index(repo, vault_prefix, updates)
    clear_journal(repo)
    return Recovery(commit, [n.destination or n.path for n, _ in ours], problems)
