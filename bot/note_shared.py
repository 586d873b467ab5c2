"""What parsed notes hold of their links, compactly, and one copy of the values many notes share.

Every note keeps its facts for the whole run (bot/note.py), so their size is most of a run's
memory: about 5 KB a note before these, 1.3 GB at 100,000 notes. Two things made them large:

- Wrappers: a link was a `Link` (bot/markdown.py) wrapped in a `(link, key)` pair, two tuples
  per link where one does: `NoteLink` holds the link's fields and the key.
- Copies: the same strings recur across thousands of notes (the link target `Acme Corp`, its
  link name `acme corp`, `type: meeting`, the frontmatter's keys, a participant `[[Alice]]`),
  and so do dates, yet each note held its own copies. While a vault is parsed (`sharing`),
  `shared` hands back the first equal string (or date) seen, so equal values are one object.
  The table lives only as long as the parse: nothing is kept from one run to the next (a
  daemon runs for months), unlike `sys.intern`, whose strings are immortal from Python 3.12 on.
  A forked parse child builds its own table from the parent's; pickling keeps what it shares,
  so a vault's notes hold at most one copy per parsing process.

Values are shared, never containers: lists and mappings stay each note's own, so nothing one
note holds can change with another's. Only exact `str` (not subclasses) and `DateInfo` values
are shared, each kind in a table of its own, so `1`, `1.0` and `True` (equal, with one hash)
are never taken for one another.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, NamedTuple

from bot.dates import DateInfo
from bot.markdown import Link

_strings: dict[str, str] | None = None
_dates: dict[tuple[Any, ...], Any] = {}  # DateInfo, NoteDate and pairs of ints (a time, a span)


class NoteLink(NamedTuple):
    """A link as a note holds it: the `Link`'s fields (bot/markdown.py), and the frontmatter key
    holding it. One tuple, not a Link wrapped in another: a vault holds hundreds of thousands."""

    target: str
    subpath: str
    display: str | None
    embed: bool
    markdown: bool
    start: int
    end: int
    key: str | None  # the frontmatter key holding the link; None for the body

    @property
    def link(self) -> Link:
        """The link alone, as bot/markdown.py finds and rewrites links."""
        return Link._make(self[:7])

    @classmethod
    def of(cls, link: Link, key: str | None) -> NoteLink:
        target = link[0]
        strings = _strings
        return cls._make((strings.setdefault(target, target) if strings is not None else target, *link[1:], key))


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Equal values parsed meanwhile are one object (`shared`); nested uses share one table."""
    global _strings
    outer = _strings
    if outer is None:
        _strings = {}
        _dates.clear()
    try:
        yield
    finally:
        if outer is None:
            _strings = None
            _dates.clear()


def shared(text: str) -> str:
    """`text`, or an equal string seen before while `sharing`."""
    strings = _strings
    return text if strings is None or type(text) is not str else strings.setdefault(text, text)


def shared_date(date: DateInfo) -> DateInfo:
    """`date`, or an equal one seen before while `sharing` (meetings of one day); its day, time
    and sources shared too. One table: a DateInfo, a NoteDate and a time differ in length, so
    none is ever equal to another kind (a time and a span are both pairs of ints: interchangeable)."""
    if _strings is None:
        return date
    found = _dates.get(date)
    if found is None:
        day, source, clock, clock_source = date
        day = day and _dates.setdefault(day, day)
        clock = clock and _dates.setdefault(clock, clock)
        found = _dates[date] = DateInfo(day, shared(source), clock, shared(clock_source))
    return found


def shared_tuple(values: tuple[int, int]) -> tuple[int, int]:
    """`values`, or an equal pair seen before while `sharing`: the frontmatter's span, in notes of one template."""
    return values if _strings is None else _dates.setdefault(values, values)


def shared_frontmatter(data: dict[str, Any]) -> dict[str, Any]:
    """The mapping with its keys, its string values and the strings of its flat lists shared; the
    same mapping, entry for entry, in the same order."""
    strings = _strings
    if strings is None:
        return data
    share = strings.setdefault
    kept: dict[str, Any] = {}
    for key, value in data.items():
        kind = type(value)
        if kind is str:
            value = share(value, value)
        elif kind is list and value and all(type(item) is str for item in value):
            value = [share(item, item) for item in value]
        kept[share(key, key) if type(key) is str else key] = value
    return kept
