"""Meetings written up more than once, marked as duplicates of one canonical note.

## What it does
Finds meeting notes (`type` in `meeting_types`) that record the same meeting.
Two are duplicates when they have the same day, the same owner (the entity
whose home folder holds them, or none for both), the same non-empty set of
participants (frontmatter `participants`/`attendees`, as resolved links; plain
names count as links), and times less than 30 minutes apart when both times are
known; or when both carry the same `source` value. Duplicates chain: if A
matches B and B matches C, all three are one group. In each group the
canonical note is the one with the most notes linking to it (generated
sections do not count), then the longest body, then the smallest path. Every
other member gets `duplicate_of: "[[canonical]]"`; nothing else changes. A
group whose canonical opts out (`vaultbot: false`) is left alone and reported.

Notes without participants are never grouped by day alone: two different
meetings on one day with nobody listed would look the same.

## Why
AI summarisers and recording scripts write the same meeting up several times;
the copies crowd Recent Context and split the links between them.

## Example
```yaml
# People/Jai Menon/2025-10-06 - Jason shared he has a complex offer.md
type: meeting
date: 2025-10-06
participants: ["[[Jason Vallery]]", "[[Jai Menon]]"]
```

Use instead:
```yaml
type: meeting
date: 2025-10-06
participants: ["[[Jason Vallery]]", "[[Jai Menon]]"]
duplicate_of: "[[2025-10-06 - Jason has a complex VAST offer]]"
```

## Options
- `meeting_types` (default `[meeting, call, recording]`): which note types are meetings.
- `mode` (default `mark`): `mark` only adds `duplicate_of`.
- `archive_folder` (default `_archive/duplicates`): where `archive` mode moves duplicates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from bot.edits import DeleteProperty, NoteEdit, Report, SetProperty
from bot.markdown import find_wikilinks_in_value

if TYPE_CHECKING:
    from bot.vault import VaultIndex

ID = "dedupe-meetings"
KEY = "duplicate_of"
PARTICIPANT_KEYS = ("participants", "attendees")
MAX_MINUTES_APART = 30


@dataclass(frozen=True)
class Options:
    meeting_types: tuple = field(default=("meeting", "call", "recording"), metadata={"type": tuple})
    mode: str = field(default="mark", metadata={"choices": ("mark",)})
    archive_folder: str = field(default="_archive/duplicates", metadata={"vault_path": True})


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


def duplicate_groups(vault: VaultIndex, options: Options) -> list[list[str]]:
    """Groups of notes recording the same meeting, each sorted by path."""
    types = {t.casefold() for t in options.meeting_types}
    meetings = [p for p, n in vault.notes.items() if n.type and n.type.casefold() in types]
    groups = _Groups()
    same_meeting: dict[tuple, list[str]] = defaultdict(list)
    same_source: dict[str, list[str]] = defaultdict(list)
    for path in meetings:
        note = vault.notes[path]
        source = note.get("source")
        if isinstance(source, (str, int)) and not isinstance(source, bool) and str(source).strip():
            same_source[str(source).strip()].append(path)
        day = note.date.date
        people = participants(vault, path)
        if day is not None and day.day is not None and people:
            same_meeting[(day, vault.owner(path), people)].append(path)
    for paths in same_source.values():
        for other in paths[1:]:
            groups.join(paths[0], other)
    for paths in same_meeting.values():
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                ta, tb = _minutes(vault, a), _minutes(vault, b)
                if ta is None or tb is None or abs(ta - tb) < MAX_MINUTES_APART:
                    groups.join(a, b)
    return sorted(groups.groups())


def canonical(vault: VaultIndex, group: list[str]) -> str:
    """Most notes linking to it, then the longest body, then the smallest path."""
    return min(group, key=lambda p: (-len(vault.backlinks(p)), -len(vault.notes[p].body.strip()), p))


def check(vault: VaultIndex, options: Options, today: datetime.date) -> Iterator[NoteEdit]:
    for group in duplicate_groups(vault, options):
        keeper = canonical(vault, group)
        if vault.notes[keeper].opted_out(ID):
            others = ", ".join(p for p in group if p != keeper)
            yield NoteEdit(keeper, Report(f"canonical of a duplicate group opts out of {ID}; group left alone: {others}"))
            continue
        current = vault.notes[keeper].get(KEY)
        if isinstance(current, str) and _points_into(vault, keeper, current, group):
            yield NoteEdit(keeper, DeleteProperty(KEY))
        for path in group:
            if path == keeper:
                continue
            existing = vault.notes[path].get(KEY)
            if isinstance(existing, str) and _resolves_to(vault, path, existing) == keeper:
                continue
            yield NoteEdit(path, SetProperty(KEY, vault.link_text(keeper, path, wikilink=True)))


def _resolves_to(vault: VaultIndex, source: str, value: str) -> str | None:
    links = find_wikilinks_in_value(value)
    return vault.resolve(links[0].target, source) if links else None


def _points_into(vault: VaultIndex, source: str, value: str, group: list[str]) -> bool:
    """A canonical's stale `duplicate_of` from an earlier run, when the choice has since flipped."""
    return _resolves_to(vault, source, value) in group
