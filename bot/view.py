"""The committed view: what a committing run reads in a git vault.

vaultbot commits no text derived from notes that are not committed. So when a
run will commit (a git vault, `git.commit` on, no `--no-commit`), it plans on
the vault as HEAD has it, known from one `git status` and one `git cat-file
--batch` (bot/git.py):

- a note git does not know yet (untracked, or added but never committed) and a
  note git ignores are left out, as if they did not exist;
- a note with uncommitted changes (staged or not) is read as HEAD has it, and
  the run never changes it: its edits are dropped and reported;
- an entity whose related notes include such a note is reported ("waits for
  uncommitted ...") and converges on the first run after they are committed:
  the view's key is part of the clean-run memo's context (bot/memo.py), so
  committing a note makes the next run look again.

A dry run, `--check` and `--format json` use the same view, so they predict the
real run exactly. Notes deleted in the work tree but still in HEAD are not read
(the scan never sees them).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from bot.lazy_notes import selected
from bot.note import BadNote, Note, ParseSettings, decode, parse_note
from bot.problem import Problem
from bot.scan import ScanResult

if TYPE_CHECKING:
    from git import Repo

    from bot.vault import VaultIndex

NAMED_UNTRACKED = 5  # more untracked notes than this are reported in one line
NAMED_WAITING = 20  # entities reported one by one; the rest in one line
UNCOMMITTED = "not changed: has uncommitted changes; left as it is (the first run after they are committed updates it)"


@dataclass(frozen=True)
class CommittedView:
    not_in_head: frozenset[str]  # notes of the scan that are untracked or only added (vault paths)
    ignored: frozenset[str]
    changed: Mapping[str, bytes]  # notes of the scan with uncommitted changes -> their bytes in HEAD
    ignored_paths: Callable[[Sequence[str]], set[str]]  # which of these vault paths git ignores

    @property
    def left_out(self) -> frozenset[str]:
        return self.not_in_head | self.ignored

    @property
    def key(self) -> str:
        """What of the view the files' stats do not show (which notes are in or out, and HEAD's
        version of the changed ones), for the clean-run memo's context."""
        digest = hashlib.sha256()
        for label, paths in (("new", self.not_in_head), ("ignored", self.ignored)):
            for path in sorted(paths):
                digest.update(f"{label}\0{path}\n".encode("utf-8", "surrogateescape"))
        for path in sorted(self.changed):
            digest.update(f"changed\0{path}\0".encode("utf-8", "surrogateescape") + hashlib.sha256(self.changed[path]).digest())
        return digest.hexdigest()


def committed_view(repo: Repo, root: Path, scan: ScanResult) -> CommittedView:
    """The view of `scan`'s notes that HEAD gives (one `git status`, one `ls-tree` and one `cat-file`)."""
    from bot import git

    state = git.work_state(repo, root)
    changed = [path for path in state.changed if path in scan.files]
    committed: dict[str, bytes] = {}
    if changed:
        vault_prefix = git.prefix(repo, root)
        in_head = git.tree_entries(repo, git.head_commit(repo), vault_prefix, [vault_prefix + path for path in changed])
        blobs = {path: in_head[vault_prefix + path].blob for path in changed if vault_prefix + path in in_head}
        contents = git.read_blobs(repo, list(blobs.values()))
        committed = {path: contents[blob] for path, blob in blobs.items() if blob in contents}
    return CommittedView(
        _in(scan, state.not_in_head) | frozenset(p for p in changed if p not in committed),
        _in(scan, state.ignored),
        committed,
        lambda paths: git.ignored_paths(repo, root, paths),
    )


def _in(scan: ScanResult, listed: frozenset[str]) -> frozenset[str]:
    """The scan's notes among `listed`, where a folder ("x/", or "" for the whole vault) stands for
    every note under it: git status names an ignored folder, or an untracked repository inside
    the vault, and not the notes in it."""
    folders = tuple(path for path in listed if path == "" or path.endswith("/"))
    return frozenset(path for path in scan.files if path in listed or (folders and path.startswith(folders)))


@dataclass
class Narrowed:
    notes: Mapping[str, Note]
    problems: list[Problem]
    previous: dict
    files: dict  # the view's files: vault path -> stat


def narrow(
    view: CommittedView,
    scan: ScanResult,
    notes: Mapping[str, Note],
    problems: Sequence[Problem],
    previous: Mapping,
    settings: ParseSettings,
) -> Narrowed:
    """The loaded notes cut down to the view: left-out notes gone, changed notes parsed from HEAD's bytes
    (never from the parse cache, which holds the work tree's)."""
    skip = view.left_out | view.changed.keys()
    from_head: dict[str, Note] = {}
    found = [problem for problem in problems if problem.path not in skip]
    for path, data in view.changed.items():
        try:
            text, bom = decode(path, data)
            from_head[path] = parse_note(path, text, bom, scan.files[path], settings)
        except BadNote as error:
            found.append(Problem(path, f"skipped: {error} (as committed; the note also has uncommitted changes)"))
    paths = [path for path in scan.files if (path in notes and path not in skip) or path in from_head]
    ordered = selected(notes, paths, from_head)  # the notes left unread stay so (bot/lazy_notes.py)
    left_out = view.left_out  # a union built per access: once, not once per note
    files = {path: stat for path, stat in scan.files.items() if path not in left_out}
    return Narrowed(ordered, found, {path: entry for path, entry in previous.items() if path not in skip}, files)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def untracked_problems(view: CommittedView) -> list[Problem]:
    """The notes left out because git does not know them yet: named when few, else one line."""
    new = sorted(view.not_in_head)
    why = "vaultbot reads and changes only committed notes"
    if len(new) <= NAMED_UNTRACKED:
        return [Problem(path, f"is not committed to git yet (untracked); {why}, so it is left out until it is committed") for path in new]
    return [
        Problem(
            "(git)",
            f"{_plural(len(new), 'note')} are not committed to git yet (untracked; first: {new[0]}); {why}, so they are left out until they are committed",
        )
    ]


def waiting_problems(view: CommittedView, vault: VaultIndex, worktree: Mapping[str, Note]) -> list[Problem]:
    """Entities in the view whose related notes include an uncommitted note (untracked, or with
    uncommitted changes): they are updated from it once it is committed."""
    entity_types = {t.lower() for t in vault.index.entity_types}
    waiting: dict[str, set[str]] = defaultdict(set)
    for path in sorted(view.not_in_head | view.changed.keys()):
        versions = [note for note in (worktree.get(path), vault.notes.get(path)) if note is not None]
        if not versions or any(note.type and note.type.lower() in entity_types for note in versions):
            continue  # only notes that are not entities are related notes
        entities = {vault.owner(path)} | {vault.resolve(link.target, path) for note in versions for link in note.links}
        for entity in entities:
            if entity is not None and entity != path and vault.is_entity(entity) and entity not in view.changed:
                waiting[entity].add(path)
    problems = []
    for entity in sorted(waiting)[:NAMED_WAITING]:
        paths = sorted(waiting[entity])
        more = f" and {_plural(len(paths) - 1, 'more uncommitted note')}" if len(paths) > 1 else ""
        problems.append(Problem(entity, f"waits for uncommitted {paths[0]}{more}; it is updated from them once they are committed"))
    if len(waiting) > NAMED_WAITING:
        unnamed = len(waiting) - NAMED_WAITING
        problems.append(Problem("(git)", f"{unnamed} more {'entity waits' if unnamed == 1 else 'entities wait'} for uncommitted notes"))
    return problems
