"""Duplicate marks as the vault index reads them (the key a rule declares; dedupe-meetings' `duplicate_of`).

A run leaves a marked duplicate out of related notes: the note it names stands for
the meeting. A mark that names no note, the note itself, or a note whose own marks
lead back to it (A -> B -> A) names nothing that stands for the meeting; hiding the
note would hide the meeting for good, so such a mark hides nothing and is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Container

from bot.index_settings import duplicate_mark
from bot.problem import Problem

if TYPE_CHECKING:
    from bot.note import Note

# The index's lookup of the note a note's mark names (None: no mark, or it names no note). The
# functions here take it rather than the index, which calls them: the index sits above this module.
TargetOf = Callable[[str], "str | None"]

_LINE_BREAKS = "\n\r\x85\u2028\u2029"


def shown_mark(note: Note, key: str) -> str:
    """The mark as a report names it: `[[target]]` for a link or a plain name, else the value as
    written, quoted on one line (a line break would end the report mid-sentence)."""
    value = note.get(key)
    mark = duplicate_mark(note, key)
    if mark is not None and not any(c in mark for c in "[]" + _LINE_BREAKS):
        return f"[[{mark}]]"
    return repr(value.strip() if isinstance(value, str) else value)


def marks_lead_back(target_of: TargetOf, notes: Container[str], path: str) -> bool:
    """Following duplicate marks from the note (among `notes`) comes back to it (A -> B -> A)."""
    seen = {path}
    current = target_of(path)
    while current is not None and current in notes:
        if current == path:
            return True
        if current in seen:  # a loop the note only leads into: it is a duplicate of a note in it
            return False
        seen.add(current)
        current = target_of(current)
    return False


def mark_problems(note: Note, key: str | None, target_of: TargetOf, notes: Container[str], path: str) -> list[Problem]:
    """The note's mark under `key`, when it hides nothing: it names no note, the note itself, or leads back to it."""
    if key is None or duplicate_mark(note, key) is None:
        return []
    target = target_of(path)
    if target is None or target == path:
        what = "the note itself" if target == path else "no note in the vault"
        return [Problem(path, f"{key} {shown_mark(note, key)} names {what}; the note is not treated as a duplicate")]
    if marks_lead_back(target_of, notes, path):
        return [Problem(path, f"{key} {shown_mark(note, key)} leads back to the note itself; the note is not treated as a duplicate")]
    return []
