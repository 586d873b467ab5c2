"""Recognising a remembered clean state by content, so a fresh clone of an unchanged vault replays it.

The clean-run memo (bot/memo.py) keys the vault on every note's stat, which a
fresh checkout renews: in CI, where every job clones the vault anew, the memo
would never hold. So when the memo is meant to travel to other checkouts (its
cache folder is named by `VAULTBOT_CACHE_DIR`, as the GitHub Action does to
carry it with actions/cache: `CleanRunMemo.by_content`) and the vault is in git, it also keeps a digest by
content, over the same paths, folders and context, where each note is known by:

- its size and git's blob id, when git tracks it and the file matches the index
  (one `git ls-files -s`, one `git diff-files`) and the file still has the stat
  the scan saw (so an edit made while git looked is not taken for the indexed bytes);
- otherwise (untracked, modified, or changed since the scan) its stat, as in the
  stat digest: such a note never matches on another checkout.

The size keeps apart checkouts whose line-ending conversion differs
(`core.autocrlf`: the same blob, other bytes, other sizes), and the digest also
covers the git settings that decide a checkout's bytes (`core.autocrlf`,
`core.eol`, filter drivers). A note known by content enters the digest as a
`FileStat` whose mtime is `BY_CONTENT` and whose inode is the blob id read as a
number, so the stat digest and the delta from a clean state (bot/since_clean.py)
serve both keys unchanged.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from bot.delta import VaultDelta
from bot.git_blobs import checkout_settings, tracked_blobs
from bot.memo import CleanState, state_digest
from bot.note import Note
from bot.scan import FileStat, ScanResult
from bot.since_clean import delta_since_clean_state
from bot.vault import VaultIndex

BY_CONTENT = -1  # the mtime of a FileStat that stands for a note known by its size and blob id
BLOB_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories


def by_content(size: int, blob: str) -> FileStat:
    return FileStat(size, BY_CONTENT, int(blob, 16), 0)


@dataclass(frozen=True)
class ContentKeys:
    files: dict[str, FileStat]  # each file of the scan, known by content where it can be (see the module doc)
    checkout: str  # the git settings that decide a checkout's bytes

    def digest(self, scan: ScanResult, context: str) -> str:
        return state_digest(self.files, scan.folders, f"{context}|{self.checkout}", scan.left_out)

    def delta(
        self,
        clean: CleanState,
        vault: VaultIndex,
        scan: ScanResult,
        previous: Mapping[str, tuple[FileStat, Note | str]],
        blobs: Mapping[str, str],
        context: str,
    ) -> VaultDelta | None:
        """The vault against the clean state, checked by content: the check the stat digest makes
        (bot/since_clean.py), on content keys, with the parse cache's previous versions known by
        their blob ids (`blobs`). None when one of those is unknown, or the memo has no digest by content."""
        if not clean.content or any(not BLOB_ID.fullmatch(blobs.get(path, "")) for path in previous):
            return None
        return delta_since_clean_state(
            dataclasses.replace(clean, digest=clean.content),
            vault,
            dataclasses.replace(scan, files=self.files),
            {path: (by_content(stat.size, blobs[path]), note) for path, (stat, note) in previous.items()},
            f"{context}|{self.checkout}",
        )


def content_keys(root: Path, files: Mapping[str, FileStat], scan: object | None = None) -> ContentKeys | None:
    """The content keys of `files` (vault path -> the stat a scan saw, or vaultbot wrote); None when git
    cannot say. `scan`: the scan `files` are from, whose git answer the parse cache then reuses."""
    blobs = tracked_blobs(root, scan)
    checkout = checkout_settings(root)
    if blobs is None or checkout is None:
        return None
    keyed = {}
    base = os.fspath(root)  # os.path, not pathlib: this runs for every note of the vault
    for path, stat in files.items():
        blob = blobs.get(path)
        keyed[path] = by_content(stat.size, blob) if blob is not None and _unchanged(os.path.join(base, path), stat) else stat
    return ContentKeys(keyed, checkout)


def _unchanged(file: str, stat: FileStat) -> bool:
    """The file still has the size and mtime `stat` gives (not the inode, which a scan on Windows lacks)."""
    try:
        now = os.lstat(file)
    except OSError:
        return False
    return (now.st_size, now.st_mtime_ns) == (stat.size, stat.mtime_ns)
