"""A note after the engine rendered a rule's edits onto it: parsed again, or its facts carried over.

The runner parses every note a rule changed before the next rule reads the vault
(bot/runner.py). Most such edits rewrite one generated section of an entity
(recent-context, open-tasks, related: three times per entity in a run), and
the links in generated sections never count: what parsing would find again, the
frontmatter, the links outside the section and the headings, is the note's
own, with the offsets after the section moved by the change in its length.
Finding the headings and links again was most of a re-parse's cost.

Carried only where that is certain, else parsed (`parse_note`, which itself reuses what
an edit left byte for byte alone): one ReplaceSection of a generated heading that the
note had exactly once, with a newline ending its heading line and a next heading (if
any) that is an ATX heading at a line start (a setext heading's first line depends on
the lines before it); the frontmatter and everything outside the section unchanged;
and new section lines that can neither open a block (code, math, a comment, HTML:
what may change how the rest is read) nor read as a heading, a setext underline or
a thematic break. Before and after, the section's end is where a heading starts at
the top level, so what follows it reads the same. Facts worked out when first asked
(tasks, summary, body length) are not carried: they are worked out from the new text.
tests/bot/test_reparse.py holds the carried notes to a fresh parse of the same text.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from bot.edits import Edit, ReplaceSection
from bot.note import Note, NoteLink, ParseSettings, parse_note
from bot.render import may_open_a_block
from bot.sections import find_section

# A line that could be (or underline, or break before) a heading: `#` after at most three spaces,
# or only `-`, `=`, `*`, `_` and blanks. Generated lines are list items, and never match.
_HEADING_LIKE = re.compile(r"^(?: {0,3}#|[ \t]*[-=*_][-=*_ \t]*\r?$)", re.MULTILINE)


def parsed_after_edits(path: str, text: str, note: Note, edits: Sequence[Edit], settings: ParseSettings) -> Note:
    """`note` (with its text) after `edits` turned its text into `text`, as `parse_note` reads it."""
    carried = _after_section_edit(text, note, edits, settings)
    return carried if carried is not None else parse_note(path, text, note.bom, note.stat, settings, previous=note)


def _after_section_edit(text: str, note: Note, edits: Sequence[Edit], settings: ParseSettings) -> Note | None:
    """The note with its facts carried over, when `edits` rewrote one generated section only (the module's docstring); else None."""
    if len(edits) != 1 or not isinstance(edits[0], ReplaceSection):
        return None
    title = edits[0].heading.strip().casefold()
    if title not in {heading.strip().casefold() for heading in settings.generated_headings}:
        return None
    old = note.full_text()
    body_start = note.body_start
    body = old[body_start:]
    headings = note.headings
    sections = find_section(body, title, headings=headings)
    if len(sections) != 1:
        return None
    heading, end = sections[0]
    if not body.endswith("\n", 0, heading.end) or (end < len(body) and body[end] != "#"):
        return None
    content_start = body_start + heading.end
    tail = old[body_start + end :]
    content_end = len(text) - len(tail)
    if content_end < content_start or not text.startswith(old[:content_start]) or not text.endswith(tail):
        return None
    content = text[content_start:content_end]
    if may_open_a_block(content) or _HEADING_LIKE.search(content):
        return None
    shift = len(text) - len(old)
    links = []
    for note_link in note.links:
        link = note_link.link
        if note_link.key is not None or link.end <= heading.start:
            links.append(note_link)
        elif link.start >= end:
            links.append(NoteLink(link._replace(start=link.start + shift, end=link.end + shift), None))
        else:  # a link counted inside a generated section: not a note this module knows how to read
            return None
    newline_at = text.find("\n")
    carried = dataclasses.replace(
        note,
        text=text,
        links=tuple(links),
        newline="\r\n" if newline_at > 0 and text[newline_at - 1] == "\r" else "\n",
        source=None,
    )
    moved = [dataclasses.replace(h, start=h.start + shift, end=h.end + shift) for h in headings if h.start >= end]
    carried.__dict__["headings"] = (*(h for h in headings if h.start < end), *moved)
    return carried
