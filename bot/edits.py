"""What a rule asks for: edits as data. Rules return them; the engine applies them.

bot/render.py applies the text edits; MoveNote changes no text: the runner
carries it to bot/writer.py, which writes the note at its new path. Nor does
WriteOnlyWith: the runner ties the note's change to other notes' changes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from bot.markdown import Link


def unwritable(value: object) -> str | None:
    """Why `value` cannot be a property's new value, or None when it can: text, a date (not a
    date and time) or a list of text. These are the values the rules write; a number or a
    mapping would need a YAML rendering nobody has checked against Obsidian's."""
    if isinstance(value, (list, tuple)):
        wrong = [type(item).__name__ for item in value if not isinstance(item, str)]
        return f"a list value must hold only str items, not {wrong[0]}" if wrong else None
    if isinstance(value, str) or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
        return None
    return f"cannot write a {type(value).__name__} value (a property is set to text, a date or a list of text)"


@dataclass(frozen=True)
class SetProperty:
    """Set one frontmatter key; every other byte of the frontmatter stays.

    `value` is text, a `datetime.date` or a list of text; anything else is refused when the
    edit is made (a TypeError naming the key), so a rule's mistake shows where it was made."""

    key: str
    value: object

    def __post_init__(self) -> None:
        reason = unwritable(self.value)
        if reason is not None:
            raise TypeError(f"SetProperty({self.key!r}): {reason}")


@dataclass(frozen=True)
class DeleteProperty:
    """Remove one frontmatter key the rule owns; every other byte stays."""

    key: str


@dataclass(frozen=True)
class ReplaceSection:
    """Regenerate the section under a level-2 heading (heading, blank line, lines, blank line)."""

    heading: str
    lines: tuple[str, ...]
    create: bool = False  # add the section when the note has none


@dataclass(frozen=True)
class MoveNote:
    """Move the note to `destination` (a vault path); the engine writes it there and removes the original."""

    destination: str


@dataclass(frozen=True)
class AppendTasks:
    """Add task lines (`- [ ] ...`) at the end of a level-2 section, created at the end of the note when missing."""

    heading: str
    tasks: tuple[str, ...]


class LinkReplacement(NamedTuple):
    """Point `link` (as parsed: its offsets are in the note's body) at the note `path` names (the link
    path Obsidian would write, without `.md`). The renderer rewrites the link as written there
    (`retarget_link`), once it has checked that the body still holds that link: the rule that asks
    may not have the text, which is kept only for some notes (bot/note.py)."""

    link: Link
    path: str


@dataclass(frozen=True)
class RewriteLinks:
    """Replace links in the body; each span is checked before it is replaced."""

    replacements: tuple[LinkReplacement, ...]


class LineReplacement(NamedTuple):
    """Replace the line at body offset `start` (without its line ending), which must still read `old`, with `new`."""

    start: int
    old: str
    new: str


@dataclass(frozen=True)
class ReplaceLines:
    """Replace whole lines of the body; each is checked to still read as the rule saw it."""

    replacements: tuple[LineReplacement, ...]


@dataclass(frozen=True)
class WriteOnlyWith:
    """Changes no text: the note's changes may be written only when the changes to `paths` are
    written too (a roll-up that drops a task ticked there must not outlive a tick left unwritten)."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """Something a person should look at; changes nothing."""

    message: str


Edit = SetProperty | DeleteProperty | ReplaceSection | MoveNote | AppendTasks | RewriteLinks | ReplaceLines | WriteOnlyWith | Report


class NoteEdit(NamedTuple):
    path: str
    edit: Edit
