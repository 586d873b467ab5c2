"""Which meeting notes record the same meeting, and which of a group is canonical (dedupe-meetings).

Pure, like the rule: it reads the vault index and nothing else. Apart from the rule's
edits (rules/dedupe_meetings.py), so that each module keeps to one job.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Protocol, Sequence

from bot.markdown import find_wikilinks_in_value

if TYPE_CHECKING:
    from bot.dates import NoteDate
    from bot.note import Note
    from bot.vault import VaultIndex

PARTICIPANT_KEYS = ("participants", "attendees")
MAX_MINUTES_APART = 30
_WORD = re.compile(r"\w+")


class GroupOptions(Protocol):
    """The options grouping reads (dedupe-meetings' Options)."""

    @property
    def meeting_types(self) -> tuple: ...

    @property
    def similarity(self) -> int | None: ...

    def __hash__(self) -> int: ...  # a frozen dataclass: the meeting types are cached by options


def participants(vault: VaultIndex, path: str) -> frozenset[str]:
    """Resolved participant notes; an unresolved name stands for itself (case-folded)."""
    found = set()
    for key in PARTICIPANT_KEYS:
        value = vault.notes[path].get(key)
        for item in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
            if not isinstance(item, str) or not item.strip():
                continue
            targets = [link.target for link in find_wikilinks_in_value(item)] or [item.strip()]
            for target in targets:
                found.add(vault.resolve(target, path) or "?" + target.strip().casefold())
    return frozenset(found)


class _Groups:
    """Union-find over note paths."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, path: str) -> str:
        root = self.parent.setdefault(path, path)
        while root != self.parent[root]:
            root = self.parent[root]
        self.parent[path] = root
        return root

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for path in self.parent:
            members[self.find(path)].append(path)
        return [sorted(group) for group in members.values() if len(group) > 1]


def _minutes(vault: VaultIndex, path: str) -> int | None:
    time = vault.notes[path].date.time
    return None if time is None else time[0] * 60 + time[1]


def summary_similarity(vault: VaultIndex, a: str, b: str) -> float:
    """Percent of words the two summaries share (Jaccard index); 0 when either has none."""
    words_a, words_b = (set(_WORD.findall((vault.notes[p].summary or "").casefold())) for p in (a, b))
    if not words_a or not words_b:
        return 0.0
    return 100 * len(words_a & words_b) / len(words_a | words_b)


def _similar(vault: VaultIndex, options: GroupOptions, a: str, b: str) -> bool:
    return options.similarity is None or summary_similarity(vault, a, b) >= options.similarity


@functools.lru_cache(maxsize=8)
def _meeting_types(options: GroupOptions) -> frozenset[str]:
    return frozenset(t.casefold() for t in options.meeting_types)


def is_meeting(note: Note, options: GroupOptions) -> bool:
    kind = note.type  # a property that reads the frontmatter: asked once per note of the vault
    return kind is not None and kind.casefold() in _meeting_types(options)


def _source(note: Note) -> str | None:
    source = note.get("source")
    if isinstance(source, (str, int)) and not isinstance(source, bool) and str(source).strip():
        return str(source).strip()
    return None


def _day(note: Note) -> NoteDate | None:
    day = note.date.date
    return day if day is not None and day.day is not None else None


def duplicate_groups(vault: VaultIndex, options: GroupOptions, among: Sequence[str] | None = None) -> list[list[str]]:
    """Groups of notes recording the same meeting, each sorted by path (only meetings in `among`, in note order, when given)."""
    meetings = [p for p in (vault.notes if among is None else among) if is_meeting(vault.notes[p], options)]
    groups = _Groups()
    same_day: dict[tuple, list[str]] = defaultdict(list)
    same_source: dict[str, list[str]] = defaultdict(list)
    for path in meetings:
        note = vault.notes[path]
        source = _source(note)
        if source is not None:
            same_source[source].append(path)
        day = _day(note)
        if day is not None:
            same_day[(day, vault.owner(path))].append(path)
    same_meeting: dict[tuple, list[str]] = defaultdict(list)
    for (day, owner), paths in same_day.items():
        if len(paths) < 2:  # alone on its day: resolving its participants cannot matter
            continue
        for path in paths:
            people = participants(vault, path)
            if people:
                same_meeting[(day, owner, people)].append(path)
    for paths in same_source.values():
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                if _similar(vault, options, a, b):
                    groups.join(a, b)
    for paths in same_meeting.values():
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                ta, tb = _minutes(vault, a), _minutes(vault, b)
                if (ta is None or tb is None or abs(ta - tb) < MAX_MINUTES_APART) and _similar(vault, options, a, b):
                    groups.join(a, b)
    return sorted(groups.groups())


def why_grouped(vault: VaultIndex, group: Sequence[str]) -> str:
    """What made the notes one meeting (for `vaultbot explain`): a source, or day, owner, participants and times."""
    sources = {_source(vault.notes[path]) for path in group}
    if len(sources) == 1 and None not in sources:
        return f"the same source {next(iter(sources))!r}"
    days = ", ".join(sorted({str(_day(vault.notes[path])) for path in group}))
    owners = ", ".join(sorted({vault.owner(path) or "no owner" for path in group}))
    people = ", ".join(sorted({person for path in group for person in participants(vault, path)}))
    times = ", ".join("unknown" if (m := _minutes(vault, path)) is None else f"{m // 60:02d}:{m % 60:02d}" for path in group)
    return f"the same day ({days}), owner ({owners}) and participants ({people}); times {times} (less than {MAX_MINUTES_APART} minutes apart, or unknown)"


def group_keys(note: Note) -> list[tuple]:
    """What two meetings must share to be in one group: a day, or a source."""
    day, source = _day(note), _source(note)
    return [key for key in (("day", day), ("source", source)) if key[1] is not None]


def canonical(vault: VaultIndex, group: list[str]) -> str:
    """Most notes linking to it, then the longest body, then the smallest path."""
    return min(group, key=lambda p: (-len(vault.backlinks(p)), -vault.notes[p].body_length, p))
