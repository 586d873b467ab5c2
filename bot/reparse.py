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
from typing import Sequence

from bot.blocks import Heading
from bot.edits import AppendTasks, Edit, ReplaceSection
from bot.note import UNKNOWN, BadNote, Note, ParseSettings, parse_note
from bot.problem import Problem, rule_problem
from bot.render import RenderError, may_open_a_block, render
from bot.sections import find_section


def note_after_edits(note: Note, edits: Sequence[Edit], settings: ParseSettings, rule_id: str, found: list[Problem]) -> Note | None:
    """`note` (with its text) with `edits` rendered onto it, parsed again; `note` itself when they change
    no text, None when they cannot be made (the rule's warning, why, added to `found`)."""
    try:
        sectioned = any(isinstance(edit, (ReplaceSection, AppendTasks)) for edit in edits)
        text = render(note.full_text(), note.body_start, note.newline, edits, note.headings if sectioned else None)
        return note if text == note.text else parsed_after_edits(note.path, text, note, edits, settings)
    except RenderError as error:
        found.append(rule_problem(note.path, rule_id, f"not changed: {error}"))
    except BadNote as error:  # our own output must parse; if not, keep the note as it was
        found.append(rule_problem(note.path, rule_id, f"not changed: the result would not parse ({error})"))
    except Exception as error:  # a defect in one edit must cost that note, not the run
        found.append(rule_problem(note.path, rule_id, f"not changed: unexpected {type(error).__name__}: {error} (please report)"))
    return None


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
    if may_open_a_block(content) or _may_read_as_heading(content):
        return None
    shift = len(text) - len(old)
    links = []
    for note_link in note.links:
        link = note_link.link
        if note_link.key is not None or link.end <= heading.start:
            links.append(note_link)
        elif link.start >= end:
            links.append(note_link._replace(start=link.start + shift, end=link.end + shift))
        else:  # a link counted inside a generated section: not a note this module knows how to read
            return None
    newline_at = text.find("\n")
    moved = [Heading(h.level, h.title, h.start + shift, h.end + shift) for h in headings if h.start >= end]
    # The body's other facts (tasks, summary, length) are worked out from the new text when first asked.
    return dataclasses.replace(
        note,
        text=text,
        links=tuple(links),
        newline="\r\n" if newline_at > 0 and text[newline_at - 1] == "\r" else "\n",
        source=None,
        _summary=UNKNOWN,
        _tasks=UNKNOWN,
        _body_length=UNKNOWN,
        _commented_tasks=UNKNOWN,
        _headings=(*(h for h in headings if h.start < end), *moved),
    )


def _may_read_as_heading(text: str) -> bool:
    """Whether a line of `text` could be (or underline, or break before) a heading: one that starts with `#`,
    or holds only `-`, `=`, `*`, `_` and blanks. Generated lines are list items: none is."""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and (stripped[0] == "#" or not stripped.strip("-=*_ \t")):
            return True
    return False
