"""File events for `vaultbot daemon --watch`: what changed, and when the vault is quiet again.

watchdog delivers the events (inotify, FSEvents, ReadDirectoryChangesW); where
the native mechanism cannot start (no inotify watches left, a file system that
has none), the watcher polls instead (`PollingObserver`, one pass a second) and
logs that it does; `VAULTBOT_WATCH_POLLING=1` asks for polling outright (network
or container mounts that accept a watch but never report a change).

Which events count:
- a note (a `.md` file outside any dot-folder, named without a leading dot) created,
  changed, moved or deleted; a folder created, moved or deleted. Dot-folders
  (`.git`, `.obsidian`, `.trash`) and dot-files (editors' swap files,
  vaultbot's own `.vaultbot-*.tmp`) never count, nor do reads (opened/closed
  without writing, as every run causes);
- in the repository's git directory, a change that moves HEAD to a commit the
  daemon has not seen: a committing run reads the committed view (bot/view.py),
  so a note only counts once it is committed, and the commit is the change that
  matters. The rest of what happens in `.git` (objects, the index, vaultbot's
  own journal, lock and commits) changes no HEAD the daemon has not seen.

`Changes` collects them and hands them out once no event came for the
debounce time, so an editor saving in steps, or a sync tool writing many
files, causes one run. `OwnWrites` then drops the notes whose bytes are the ones
vaultbot itself last wrote there, and the folders its moves created: its own
writes cause no run, whenever their events arrive.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from bot.runner import Change

POLL_SECONDS = 1.0
FORCE_POLLING = "VAULTBOT_WATCH_POLLING"
WRITES = frozenset({"created", "modified", "moved", "deleted", "closed"})  # "closed": closed after writing
IGNORED_IN_GIT = ("objects", "vaultbot")  # written by every commit, or vaultbot's own; HEAD is checked for the rest

log = logging.getLogger("vaultbot.daemon")


@dataclass(frozen=True)
class Batch:
    paths: frozenset[str]  # vault paths of the notes (and folders) events named
    git: bool  # something changed in the git directory: HEAD may have moved


class Changes:
    """Paths named by events since the last batch, handed out after `debounce` seconds without one."""

    def __init__(self, debounce: float) -> None:
        self.debounce = debounce
        self._condition = threading.Condition()
        self._paths: set[str] = set()
        self._git = False
        self._last = 0.0
        self._stopped = False

    def add(self, path: str | None = None, git: bool = False) -> None:
        with self._condition:
            if path is not None:
                self._paths.add(path)
            self._git = self._git or git
            self._last = time.monotonic()
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def next_batch(self) -> Batch | None:
        """Wait for a change and then for quiet; None once stopped."""
        with self._condition:
            while not self._stopped:
                if not (self._paths or self._git):
                    self._condition.wait()
                    continue
                remaining = self._last + self.debounce - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                batch = Batch(frozenset(self._paths), self._git)
                self._paths.clear()
                self._git = False
                return batch
            return None


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


FOLDER = b"folder"  # what OwnWrites keeps for a folder a move of vaultbot's created (no digest is this short)


class OwnWrites:
    """The bytes (as digests) vaultbot last left at each path it wrote; None where it removed a note;
    FOLDER for the folders a move into a new place created (`_archive/duplicates/People`)."""

    def __init__(self) -> None:
        self._left: dict[str, bytes | None] = {}

    def remember(self, changes: Iterable[Change]) -> None:
        for change in changes:
            if change.destination is None:
                self._left[change.path] = _digest(change.after)
            else:
                self._left[change.path] = None
                self._left[change.destination] = _digest(change.after)
                folders = change.destination.split("/")[:-1]
                # Kept whether the move made them or not: a folder that was there raises no event.
                self._left.update({"/".join(folders[: depth + 1]): FOLDER for depth in range(len(folders))})

    def others(self, root: Path, paths: Iterable[str]) -> list[str]:
        """The paths whose file is not as vaultbot left it: someone else's changes. Those are
        forgotten, so a later return to vaultbot's bytes (an undo) counts as a change too."""
        found = []
        for path in sorted(paths):
            if path in self._left:
                try:
                    now: bytes | None = (
                        (FOLDER if (root / path).is_dir() else None) if self._left[path] == FOLDER else _digest((root / path).read_bytes())
                    )
                except FileNotFoundError:
                    now = None
                except OSError:  # a folder, or unreadable: the run says what it is
                    now = b""
                if now == self._left[path]:
                    if now == FOLDER:  # a folder's creation comes once: a later folder moved here is someone's
                        del self._left[path]
                    continue
                del self._left[path]
            found.append(path)
        return found


def head_commit(root: Path) -> str:
    """HEAD's commit id ('' before the first commit or outside git): one short git call."""
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip()


def vault_path(root: str, path: str) -> str | None:
    """The vault path of a note or folder an event names; None when no rule could care."""
    relative = os.path.relpath(path, root)
    if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        return None
    parts = relative.split(os.sep)
    if any(part.startswith(".") for part in parts):
        return None
    return "/".join(parts)


class _Handler(FileSystemEventHandler):
    """Turns watchdog's events into `Changes.add` calls (on watchdog's thread)."""

    def __init__(self, root: Path, git_dir: Path | None, changes: Changes) -> None:
        self.root = os.path.realpath(root)
        self.git_dir = os.path.realpath(git_dir) if git_dir else None
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in WRITES:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(raw)
            if not path:
                continue
            if self.git_dir and (path == self.git_dir or path.startswith(self.git_dir + os.sep)):
                inside = os.path.relpath(path, self.git_dir).split(os.sep)[0]
                if inside not in IGNORED_IN_GIT:
                    self.changes.add(git=True)
                continue
            if event.is_directory and event.event_type in ("modified", "closed"):
                continue  # a folder's entry list changed: its notes' own events say how
            found = vault_path(self.root, path)
            if found is not None and (event.is_directory or found.endswith(".md")):
                self.changes.add(found)


def start_observer(handler: FileSystemEventHandler, folders: Iterable[Path], native: Callable[[], BaseObserver] = Observer) -> BaseObserver:
    """A started observer for `folders`: the native one, else polling (logged)."""
    folders = list(folders)
    reason = f"{FORCE_POLLING} is set" if os.environ.get(FORCE_POLLING) == "1" else None
    if reason is None:
        observer = native()
        try:
            for folder in folders:
                observer.schedule(handler, str(folder), recursive=True)
            observer.start()
            return observer
        except OSError as error:  # e.g. inotify's watch limit (ENOSPC) or instance limit (EMFILE)
            reason = f"native file events are unavailable ({error.strerror or error})"
            observer.unschedule_all()
    log.info("%s: polling the vault every %g s instead", reason, POLL_SECONDS)
    observer = PollingObserver(timeout=POLL_SECONDS)
    for folder in folders:
        observer.schedule(handler, str(folder), recursive=True)
    observer.start()
    return observer


class Watcher:
    """Watches the vault (and its git directory) and calls `on_batch` with each debounced batch,
    on its own thread, one batch at a time."""

    def __init__(self, root: Path, git_dir: Path | None, debounce: float, on_batch: Callable[[Batch], None]) -> None:
        self.changes = Changes(debounce)
        # Real paths throughout, so the events' paths start with the folders the handler compares.
        root, git_dir = Path(os.path.realpath(root)), Path(os.path.realpath(git_dir)) if git_dir else None
        folders = [root] + ([git_dir] if git_dir is not None and not _inside(git_dir, root) else [])
        self.observer = start_observer(_Handler(root, git_dir, self.changes), folders)
        self.thread = threading.Thread(target=self._loop, args=(on_batch,), name="vaultbot-watch")
        self.thread.start()

    def _loop(self, on_batch: Callable[[Batch], None]) -> None:
        while (batch := self.changes.next_batch()) is not None:
            on_batch(batch)

    def stop(self) -> None:
        """Stop watching; a batch being handled finishes first."""
        self.changes.stop()
        self.observer.stop()
        self.thread.join()
        self.observer.join()


def _inside(path: Path, folder: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base + os.sep)
