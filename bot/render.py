"""Text + edits -> text. Pure: no disk, no clock.

Only the bytes an edit owns change: one frontmatter key (bot/frontmatter_edit.py
replaces that key's lines and nothing else) or the body of one generated
section. Line endings follow the note's own; a missing final newline stays
missing.
"""

from __future__ import annotations

from typing import Sequence

from bot.edits import DeleteProperty, Edit, ReplaceSection, SetProperty
from bot.frontmatter_edit import FrontmatterEditError, delete_key, set_key
from bot.markdown import find_headings, find_section
from bot.note import BadNote, split_frontmatter


class RenderError(Exception):
    """An edit cannot be applied safely; the note is reported and left as it was."""


def _edit_property(text: str, edit: SetProperty | DeleteProperty, newline: str) -> str:
    try:
        span = split_frontmatter(text)
        if span is None:
            if isinstance(edit, DeleteProperty):
                return text
            return f"---{newline}{set_key('', edit.key, edit.value, newline)}---{newline}{text}"
        start, end, _ = span
        if isinstance(edit, DeleteProperty):
            yaml_text = delete_key(text[start:end], edit.key, newline)
        else:
            yaml_text = set_key(text[start:end], edit.key, edit.value, newline)
    except (BadNote, FrontmatterEditError) as error:
        raise RenderError(str(error)) from None
    return text[:start] + yaml_text + text[end:]


def section_body(lines: Sequence[str], newline: str, followed_by_heading: bool, final_newline: bool) -> str:
    """What follows the heading line: one blank line, the list, one blank line before the next heading."""
    if followed_by_heading:
        return newline + "".join(line + newline for line in lines) + (newline if lines else "")
    if not lines:
        return ""
    return newline + newline.join(lines) + (newline if final_newline else "")


def _replace_section(text: str, body_start: int, edit: ReplaceSection, newline: str) -> str:
    body = text[body_start:]
    sections = find_section(body, edit.heading)
    if len(sections) > 1:
        raise RenderError(f"the heading '## {edit.heading}' appears {len(sections)} times; keep one")
    final_newline = text.endswith("\n")
    if sections:
        heading, end = sections[0]
        head = body[: heading.end]
        tail = body[end:]
        if not head.endswith("\n"):  # the heading was the last line, without a newline
            head += newline
        new_body = head + section_body(edit.lines, newline, bool(tail), final_newline) + tail
        if not tail and not edit.lines and not final_newline:
            new_body = new_body[: -len(newline)]
        return text[:body_start] + new_body
    if not edit.create:
        return text
    # Insert before the first heading after the H1 title, never between a heading and
    # its text: a generated section runs to the next heading, so text after it would be
    # swallowed by the next run.
    headings = find_headings(body)
    title = next((h for h in headings if h.level == 1), None)
    following = [h for h in headings if title is None or h.start > title.start]
    if following:
        at = following[0].start
        before, after = body[:at], body[at:]
    else:
        before, after = body, ""
    if before and not before.endswith("\n"):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline
    section = f"## {edit.heading}{newline}" + section_body(edit.lines, newline, bool(after), final_newline)
    return text[:body_start] + before + section + after


def render(text: str, body_start: int, newline: str, edits: Sequence[Edit]) -> str:
    """The note's text (without BOM) after applying `edits` in order."""
    for edit in edits:
        if isinstance(edit, (SetProperty, DeleteProperty)):
            before = len(text)
            text = _edit_property(text, edit, newline)
            body_start += len(text) - before
        elif isinstance(edit, ReplaceSection):
            text = _replace_section(text, body_start, edit, newline)
    return text
