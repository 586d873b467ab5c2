"""What git knows of the notes' contents without reading them: the blob ids of the index.

Two users: the parse cache (bot/cache.py) keys entries by blob id too, so a fresh
clone finds the notes it parsed elsewhere, and the clean-run memo (bot/memo_content.py)
recognises a vault it remembers on a fresh clone. Plain `git` subprocesses, not
GitPython: a run that never commits must not pay for importing it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import weakref
from pathlib import Path

# Settings of the environment that change what the pattern `*.md` matches (a literal name, or no
# match across folders), which would leave notes out silently.
PATHSPEC_VARIABLES = ("GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS")


# A clone may tell git to trust less of a file's stat (`core.trustctime=false`, `core.checkStat=minimal`):
# then an edit that keeps the size and puts the mtime back passes for the indexed blob. A note counts by
# content only when the whole stat, change time included, still matches the index.
FULL_STAT_CHECK = ("-c", "core.trustctime=true", "-c", "core.checkStat=default")
# Attributes that make a checkout's bytes other than the blob's in ways its size need not show (a
# re-encoding, a filter, `$Id$` expanded); line-ending conversion always changes the size.
RECODING_ATTRIBUTES = ("working-tree-encoding", "filter", "ident")


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {name: value for name, value in os.environ.items() if name not in PATHSPEC_VARIABLES}
    return subprocess.run(["git", *args], cwd=root, env=env, input=stdin, capture_output=True, check=True, timeout=120).stdout


# The last answer given for a scan: (the scan, weakly: a scan no longer held is never taken for a new one at
# its address; the vault; the answer).
_last_answer: tuple[weakref.ref[object], Path, dict[str, str] | None] | None = None


def tracked_blobs(root: Path, scan: object | None = None) -> dict[str, str] | None:
    """{vault path: blob id} of the notes git tracks whose file matches the index (None when git cannot
    say): one `git ls-files -s` for the ids, one `git diff-files` for the files that differ.

    `scan`: the scan (bot/scan.py) the answer serves. Asked again for the same scan, the first
    answer is given again: on a clone the clean-run memo misses, its check by content and then the
    parse cache each asked git, on every note of the vault. Any answer after the scan serves as
    well as a later one: each user keeps a blob id only for a file whose stat is still the scan's.
    Without `scan` (after a commit, which changes the index) git is asked afresh.

    An entry git was told not to check (`update-index --assume-unchanged` or `--skip-worktree`,
    a tag other than `H` in `ls-files -v`) is left out: diff-files never reports its edits. So is
    a note whose checkout an attribute recodes (`RECODING_ATTRIBUTES`, in `.gitattributes` as the
    work tree or the index has it): its bytes are not the blob's, nor always of another size."""
    global _last_answer
    last = _last_answer
    if scan is not None and last is not None and last[0]() is scan and last[1] == root:
        return last[2]
    blobs = _ask_git(root)
    if scan is not None:
        _last_answer = (weakref.ref(scan), root, blobs)
    return blobs


def _ask_git(root: Path) -> dict[str, str] | None:
    try:
        staged = _git(root, "ls-files", "-s", "-v", "-z", "--", "*.md")
        changed = _git(root, *FULL_STAT_CHECK, "diff-files", "--name-only", "-z", "--relative")
        recoded = _recoded(root, [record.partition(b"\t")[2] for record in staged.split(b"\0") if record])
    except (OSError, subprocess.SubprocessError):
        return None
    differ = set(changed.split(b"\0")) | recoded
    blobs = {}
    for record in staged.split(b"\0"):
        info, _, path = record.partition(b"\t")
        fields = info.split()
        if len(fields) == 4 and fields[0] == b"H" and fields[3] == b"0" and path not in differ:  # stage 0: not a conflict
            blobs[path.decode("utf-8", "surrogateescape")] = fields[2].decode("ascii")
    return blobs


def _recoded(root: Path, paths: list[bytes]) -> set[bytes]:
    """The `paths` that a recoding attribute applies to, by the work tree's `.gitattributes` or the index's."""
    if not paths:
        return set()
    recoded = set()
    listed = b"\0".join(paths) + b"\0"
    for source in ((), ("--cached",)):
        fields = _git(root, "check-attr", "-z", "--stdin", *source, *RECODING_ATTRIBUTES, stdin=listed).split(b"\0")
        for path, _, value in zip(fields[0::3], fields[1::3], fields[2::3]):  # path, attribute, value
            if value not in (b"unspecified", b"unset"):
                recoded.add(path)
    return recoded


def checkout_settings(root: Path) -> str | None:
    """The git settings that decide which bytes a checkout writes for a blob (line-ending
    conversion, filter drivers), as one string; None when git cannot say."""
    try:
        return _git(root, "config", "-z", "--get-regexp", r"^(core\.(autocrlf|eol)|filter\..*)$").decode("utf-8", "surrogateescape")
    except subprocess.CalledProcessError as error:
        return "" if error.returncode == 1 else None  # 1: none of them is set
    except (OSError, subprocess.SubprocessError):
        return None


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1 repositories, no conversion): what the index
    holds for a note vaultbot wrote once it is committed or added."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
