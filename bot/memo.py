"""Remembering that a run left the vault clean, so an untouched vault costs a scan.

After a real run, vaultbot runs its rules once more over the vault as it just
wrote it (in memory). When that changes nothing, it records a digest of
everything a run's result depends on: every note's path, size, mtime, inode and change time,
every folder (home folders depend on them), the Obsidian settings, the config,
the rules run, and the code that parses notes. The next run scans the vault
(stat only) and, when the digest is the same, reports the remembered warnings
without reading, parsing or running a rule.

"Today" matters only through notes dated after it (they are not contact yet), so
the record also keeps the window of days in which no note's date falls: the
latest date not after the recorded today and the earliest one after it. A run
whose today lies in that window gets the same result; any other day runs in full.

When the vault has changed since, but only by notes edited in place, the record
still serves: the cache holds those notes as they were in the clean state, and
the rules then check only what the edits affect (bot/delta.py), keeping the
remembered warnings of the rest. So the record keeps the rules' warnings per rule.

The record lives beside the parse cache (`.git/vaultbot/` or the user's cache
directory), one small JSON file per set of rules run (daemon schedule groups
that run different rules keep one each instead of overwriting each other's),
and is written only by a real run. Anything unexpected in it means it is ignored.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import rules
from bot import __version__
from bot.problem import Problem
from bot.scan import FileStat

FORMAT = "vaultbot clean-run memo 4"  # 3: a warning keeps its rule id; 4: a digest by content


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """vaultbot's version and the source of every engine and rule module: new code, new results."""
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}".encode())
    for package in (Path(__file__).parent, Path(rules.__file__).parent):
        for module in sorted(package.glob("*.py")):
            digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def memo_path(cache_folder: Path, rule_ids: Sequence[str]) -> Path:
    """The memo of the runs of `rule_ids`, beside the parse cache folder."""
    return cache_folder.with_suffix(f".clean-{hashlib.sha256(','.join(rule_ids).encode()).hexdigest()[:8]}.json")


def state_digest(files: Mapping[str, FileStat], folders: Iterable[str], context: str, left_out: Iterable[str] = ()) -> str:
    """A digest of the vault's files and folders, the paths of the `.md` files the scan left
    out (a move onto one is refused), and `context` (settings, config, rules, code)."""
    digest = hashlib.sha256(context.encode("utf-8", "surrogateescape"))
    for path, stat in files.items():
        digest.update(f"{path}\0{stat.size}\0{stat.mtime_ns}\0{stat.ino}\0{stat.ctime_ns}\n".encode("utf-8", "surrogateescape"))
    for folder in sorted(folders):
        digest.update(f"{folder}/\n".encode("utf-8", "surrogateescape"))
    for path in sorted(left_out):
        digest.update(f"-{path}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@dataclass(frozen=True)
class DateWindow:
    """Days on which the set of notes dated "not after today" is the same."""

    after: int | None  # ordinal of the latest note date not after the recorded today
    before: int | None  # ordinal of the earliest note date after it

    @classmethod
    def around(cls, today: datetime.date, dates: Iterable[datetime.date]) -> DateWindow:
        return cls.around_days(today, {d.toordinal() for d in dates})

    @classmethod
    def around_days(cls, today: datetime.date, days: Iterable[int]) -> DateWindow:
        """`around`, given the dates' ordinals (a parse cache's briefs hold them, bot/lazy_notes.py)."""
        ordinals = sorted(set(days))
        split = bisect.bisect_right(ordinals, today.toordinal())
        return cls(ordinals[split - 1] if split else None, ordinals[split] if split < len(ordinals) else None)

    def contains(self, today: datetime.date) -> bool:
        day = today.toordinal()
        return (self.after is None or self.after <= day) and (self.before is None or day < self.before)


@dataclass(frozen=True)
class CleanState:
    """A remembered clean run: its state digests and its warnings."""

    digest: str
    problems: list[Problem]  # every warning that followed from the notes, in the order reported
    by_rule: dict[str, list[Problem]]  # the rules' own warnings, per rule id (bot/delta.py keeps those it does not recheck)
    link_problems: list[Problem]  # ambiguous links (bot/vault.py), kept likewise for the notes not edited since
    content: str = ""  # the state digest by content (bot/memo_content.py), when the memo is keyed by content
    window: DateWindow | None = None  # the days it holds on (set when recalled)


def _problems(rows: Iterable) -> list[Problem]:
    return [Problem(str(path), str(message), None if rule is None else str(rule)) for path, message, rule in rows]


class CleanRunMemo:
    def __init__(self, path: Path, by_content: bool = False) -> None:
        self.path = path
        # Also keyed by content (bot/memo_content.py): for a memo carried to other checkouts.
        self.by_content = by_content

    def recall(self, today: datetime.date) -> CleanState | None:
        """The remembered clean run, if there is one and its date window holds `today`."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return None
            window = DateWindow(data["window"][0], data["window"][1])
            state = CleanState(
                str(data["digest"]),
                _problems(data["problems"]),
                {str(rule): _problems(found) for rule, found in data["by_rule"].items()},
                _problems(data["link_problems"]),
                str(data["content"]),
                window,
            )
            holds = window.contains(today)  # inside: a damaged window raises TypeError
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        return state if holds else None

    def remember(self, state: CleanState, window: DateWindow) -> None:
        """Record a clean state; a failure to write only costs the next run its shortcut."""
        data = {
            "format": FORMAT,
            "digest": state.digest,
            "window": [window.after, window.before],
            "problems": [list(p) for p in state.problems],
            "by_rule": {rule: [list(p) for p in found] for rule, found in state.by_rule.items()},
            "link_problems": [list(p) for p in state.link_problems],
            "content": state.content,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".memo-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, ensure_ascii=False)
            os.replace(temporary, self.path)
        except OSError:
            self.forget()

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass
