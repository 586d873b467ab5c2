"""`duplicate_of` marks as the vault index reads them (dedupe-meetings writes them).

SPEC 3 leaves a marked duplicate out of related notes: the note it names stands for
the meeting. A mark that names no note, the note itself, or a note whose own marks
lead back to it (A -> B -> A) names nothing that stands for the meeting; hiding the
note would hide the meeting for good, so such a mark hides nothing and is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.markdown import find_wikilinks_in_value
from bot.problem import Problem

if TYPE_CHECKING:
    from bot.note import Note
    from bot.vault import VaultIndex

DUPLICATE_KEY = "duplicate_of"
_LINE_BREAKS = "\n\r\x85\u2028\u2029"


def duplicate_mark(note: Note) -> str | None:
    """The link target of the note's `duplicate_of` (a wikilink, or plain text naming a note), if any."""
    value = note.get(DUPLICATE_KEY)
    if not isinstance(value, str) or not value.strip():
        return None
    links = find_wikilinks_in_value(value)
    return links[0].target if links else value.strip()


def shown_mark(note: Note) -> str:
    """The mark as a report names it: `[[target]]` for a link or a plain name, else the value as
    written, quoted on one line (a line break would end the report mid-sentence)."""
    value = note.get(DUPLICATE_KEY)
    mark = duplicate_mark(note)
    if mark is not None and not any(c in mark for c in "[]" + _LINE_BREAKS):
        return f"[[{mark}]]"
    return repr(value.strip() if isinstance(value, str) else value)


def marks_lead_back(vault: VaultIndex, path: str) -> bool:
    """Following `duplicate_of` marks from the note comes back to it (A -> B -> A)."""
    seen = {path}
    current = vault.duplicate_target(path)
    while current is not None and current in vault.notes:
        if current == path:
            return True
        if current in seen:  # a loop the note only leads into: it is a duplicate of a note in it
            return False
        seen.add(current)
        current = vault.duplicate_target(current)
    return False


def mark_problems(vault: VaultIndex, path: str) -> list[Problem]:
    """The note's mark, when it hides nothing: it names no note, the note itself, or leads back to it."""
    note = vault.notes[path]
    if duplicate_mark(note) is None:
        return []
    target = vault.duplicate_target(path)
    if target is None or target == path:
        what = "the note itself" if target == path else "no note in the vault"
        return [Problem(path, f"{DUPLICATE_KEY} {shown_mark(note)} names {what}; the note is not treated as a duplicate")]
    if marks_lead_back(vault, path):
        return [Problem(path, f"{DUPLICATE_KEY} {shown_mark(note)} leads back to the note itself; the note is not treated as a duplicate")]
    return []
