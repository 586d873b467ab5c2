"""The vault's notes as a mapping that unpickles a cached note's facts only when asked for it.

A warm run over a large vault reads every note's cache entry but looks inside very few notes:
those a changed note reaches. What the index and the delta need of every note (its type,
aliases, duplicate mark, link names and date) is a `Brief`, kept in the parse cache apart from
the note's full facts (bot/cache.py); `LazyNotes` holds a brief for each note the cache had and
the parsed `Note` for the others, and turns a brief into its note (`StoredNotes.note`, unpickled
once and kept) only when `notes[path]` asks. Code that walks every note reads `facts(path)`,
which is the brief where the note was not asked for, and the note itself where it was: both
answer `type`, `get`, `link_names`, `folder` and `name` alike (`NoteFacts`).

A brief keeps the frontmatter's text values (any of them may be the duplicate mark, whose key is
the rules' to choose), the note's type, aliases, link names, link targets and date's first day:
nothing the index reads of a note it was not asked for is missing from it.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Iterable, Iterator, KeysView, Mapping, NamedTuple, Protocol, Sequence

from bot.note import Note
from bot.note_facts import aliases


class NoteFacts(Protocol):
    """What walks over every note read of one: a `Note`, or the `Brief` standing in for it."""

    @property
    def path(self) -> str: ...
    @property
    def link_names(self) -> tuple[str, ...]: ...
    @property
    def type(self) -> str | None: ...
    @property
    def folder(self) -> str: ...
    @property
    def name(self) -> str: ...
    def get(self, key: str, default: Any = None) -> Any: ...


class Brief(NamedTuple):
    """A note's facts that every run reads of every note (`brief_of`): plain values, cheap to unpickle
    (unlike the objects of its links and date), and read as fields, not worked out again."""

    path: str
    type: str | None  # as Note.type
    aliases: tuple[str, ...]  # as bot/note_facts.py `aliases`
    frontmatter: dict[str, str] | None  # the text values (a duplicate mark is one); None: no frontmatter
    link_names: tuple[str, ...]
    targets: tuple[str, ...]  # each link's target as written, once
    day: int | None  # the ordinal of the note date's first day

    def get(self, key: str, default: Any = None) -> Any:
        return self.frontmatter.get(key, default) if self.frontmatter else default

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1][:-3]

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


def brief_of(note: Note) -> Brief:
    frontmatter = None
    if note.frontmatter is not None:
        frontmatter = {key: value for key, value in note.frontmatter.items() if isinstance(value, str)}
    date = note.date.date
    targets = tuple(dict.fromkeys(link.link.target for link in note.links))
    day = None if date is None else date.first_day().toordinal()
    return Brief(note.path, note.type, tuple(aliases(note)), frontmatter, note.link_names, targets, day)


def aliases_of(facts: NoteFacts) -> Sequence[str]:
    if isinstance(facts, Brief):
        return facts.aliases
    assert isinstance(facts, Note)
    return aliases(facts)


def first_day(facts: NoteFacts) -> datetime.date | None:
    """The first day of the note's date, if it has one."""
    if isinstance(facts, Brief):
        return None if facts.day is None else datetime.date.fromordinal(facts.day)
    assert isinstance(facts, Note)
    return None if facts.date.date is None else facts.date.date.first_day()


def day_ordinals(facts_by_path: Mapping[str, NoteFacts]) -> set[int]:
    """The ordinals of the notes' dates' first days, read from briefs as stored (a note's worked out)."""
    days: set[int | None] = set()
    for facts in facts_by_path.values():
        if type(facts) is Brief:
            days.add(facts.day)
        else:
            day = first_day(facts)
            days.add(None if day is None else day.toordinal())
    days.discard(None)
    return days  # type: ignore[return-value]  # None is gone


class LazyNotes(Mapping[str, Note]):
    """path -> Note, in note order; a path whose value is a Brief is unpickled by `stored` when first asked."""

    def __init__(self, facts: dict[str, Note | Brief], stored: Callable[[str], Note]) -> None:
        self._facts = facts
        self._stored = stored

    def __getitem__(self, path: str) -> Note:
        found = self._facts[path]
        return found if isinstance(found, Note) else self._stored(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def __contains__(self, path: object) -> bool:
        return path in self._facts

    def keys(self) -> KeysView[str]:  # the dict's own view: fast set operations
        return self._facts.keys()

    def facts(self, path: str) -> NoteFacts:
        return self._facts[path]

    @property
    def facts_by_path(self) -> Mapping[str, Note | Brief]:
        return self._facts

    def replaced(self, updated: Mapping[str, Note], removed: Iterable[str] = ()) -> LazyNotes:
        """These notes with `updated` in place (a new path last) and `removed` gone, as `{**notes, **updated}` orders them."""
        facts = {**self._facts, **updated}
        for path in removed:
            facts.pop(path, None)
        return LazyNotes(facts, self._stored)

    def selected(self, paths: Iterable[str], replacing: Mapping[str, Note]) -> LazyNotes:
        """The notes at `paths`, in that order, each from `replacing` where it has one."""
        return LazyNotes({path: replacing[path] if path in replacing else self._facts[path] for path in paths}, self._stored)


def replaced(notes: Mapping[str, Note], updated: Mapping[str, Note], removed: Iterable[str] = ()) -> Mapping[str, Note]:
    """`notes` with `updated` in place and `removed` gone, keeping unasked notes unread."""
    if isinstance(notes, LazyNotes):
        return notes.replaced(updated, removed)
    fresh = {**notes, **updated}
    for path in removed:
        fresh.pop(path, None)
    return fresh


def selected(notes: Mapping[str, Note], paths: Iterable[str], replacing: Mapping[str, Note]) -> Mapping[str, Note]:
    """The notes at `paths` in that order, from `replacing` where it has them."""
    if isinstance(notes, LazyNotes):
        return notes.selected(paths, replacing)
    return {path: replacing[path] if path in replacing else notes[path] for path in paths}
