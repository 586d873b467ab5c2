"""Text + edits -> text. Pure: no disk, no clock.

Only the bytes an edit owns change: one frontmatter key (bot/frontmatter_edit.py
replaces that key's lines and nothing else), the body of one generated
section, task lines added at the end of a section, or the links being
rewritten or the lines being replaced (each checked to still read as the rule
saw it). Line endings follow the note's own; a missing final newline stays
missing.
"""

from __future__ import annotations

from typing import Sequence

from bot.blocks import Heading
from bot.edits import AppendTasks, DeleteProperty, Edit, MoveNote, ReplaceLines, ReplaceSection, RewriteLinks, SetProperty, WriteOnlyWith
from bot.errors import NoteError
from bot.markdown import find_links, retarget_link
from bot.note import BadNote, split_frontmatter
from bot.sections import find_headings, find_section, insertion_doubt, section_doubt

# What a fence (` ~), math ($$), an HTML block or comment (<), a %% comment or indented code (a tab,
# four spaces, as in a list item's or a quote's) needs on its opening line. Each looked for on its
# own: a search for one character is a memchr, several times faster than one pattern of them all.
_BLOCK_OPENERS = ("`", "~", "$", "<", "%", "\t", "    ")


class RenderError(NoteError):
    """An edit cannot be applied safely; the note is reported and left as it was."""


def _edit_property(text: str, edit: SetProperty | DeleteProperty, newline: str) -> str:
    # Loaded on the first edit: ruamel.yaml and the editor's patterns cost a warm run
    # that changes nothing (most runs) a few hundredths of a second.
    from bot.frontmatter_edit import FrontmatterEditError, delete_key, set_key

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


def _replace_section(text: str, body_start: int, edit: ReplaceSection, newline: str, headings: Sequence[Heading] | None) -> str:
    body = text[body_start:]
    sections = find_section(body, edit.heading, headings=headings)
    if len(sections) > 1:
        raise RenderError(f"the heading '## {edit.heading}' appears {len(sections)} times; keep one")
    final_newline = text.endswith("\n")
    if sections:
        heading, end = sections[0]
        _check_section_end(body, heading, end, edit.heading)
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
    headings = find_headings(body) if headings is None else headings
    title = next((h for h in headings if h.level == 1), None)
    following = [h for h in headings if title is None or h.start > title.start]
    at = following[0].start if following else len(body)
    _check_insertion(body, at, edit.heading)
    before, after = body[:at], body[at:]
    if before and not before.endswith("\n"):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline
    section = f"## {edit.heading}{newline}" + section_body(edit.lines, newline, bool(after), final_newline)
    return text[:body_start] + before + section + after


def may_open_a_block(text: str) -> bool:
    """Whether a block a reader could see differently (code, math, HTML, a comment; what `section_doubt`
    looks for) may open in `text`: each needs one of these characters on its first line, or an indent of
    four columns. A generated section nearly never holds one: the whole note is then not scanned."""
    return any(opener in text for opener in _BLOCK_OPENERS)


def _check_section_end(body: str, heading: Heading, end: int, title: str) -> None:
    # Replacing a section whose end another reader (Obsidian, another Markdown tool) may
    # see elsewhere would delete the text between the two ends, or leave half a comment.
    if not may_open_a_block(body[heading.end : end]):
        return
    doubt = section_doubt(body, heading, end)
    if doubt is not None:
        raise RenderError(f"the end of the '## {title}' section is not certain: {doubt}; fix the section by hand")


def _check_insertion(body: str, at: int, title: str) -> None:
    doubt = insertion_doubt(body, at)
    if doubt is not None:
        raise RenderError(f"no '## {title}' section added: {doubt}; close it or add the heading by hand")


def _rewrite_links(text: str, body_start: int, edit: RewriteLinks) -> str:
    body = text[body_start:]
    limit = len(body)
    # Last to first, so each replacement leaves the offsets before it valid.
    for link, path in sorted(edit.replacements, key=lambda r: r.link.start, reverse=True):
        old = body[link.start : link.end] if link.end <= limit else ""
        found = find_links(old)
        if len(found) != 1 or found[0] != link._replace(start=0, end=len(old)):
            raise RenderError(f"the link {old!r} is no longer where it was; links not rewritten")
        body = body[: link.start] + retarget_link(old, link, path) + body[link.end :]
        limit = link.start
    return text[:body_start] + body


def _replace_lines(text: str, body_start: int, edit: ReplaceLines) -> str:
    body = text[body_start:]
    # Last to first, so each replacement leaves the offsets before it valid.
    for replacement in sorted(edit.replacements, key=lambda r: r.start, reverse=True):
        start = replacement.start
        end = body.find("\n", start)
        end = len(body) if end < 0 else end
        line = body[start:end].rstrip("\r")
        if start > len(body) or (start > 0 and body[start - 1] != "\n") or line != replacement.old:
            raise RenderError(f"the line {replacement.old!r} is no longer where it was; lines not replaced")
        body = body[:start] + replacement.new + body[start + len(line) :]  # a CRLF line keeps its "\r"
    return text[:body_start] + body


def _append_tasks(text: str, body_start: int, edit: AppendTasks, newline: str, headings: Sequence[Heading] | None) -> str:
    if not edit.tasks:
        return text
    body = text[body_start:]
    sections = find_section(body, edit.heading, headings=headings)
    if len(sections) > 1:
        raise RenderError(f"the heading '## {edit.heading}' appears {len(sections)} times; keep one")
    if sections:
        heading, end = sections[0]
        _check_section_end(body, heading, end, edit.heading)
        content = body[heading.end : end].rstrip(" \t\r\n")
        if content:  # right after the section's last line, before the blank lines that end it
            at = heading.end + len(content)
            added = "".join(newline + task for task in edit.tasks)
        else:
            at = heading.end
            lead = newline if body[:at].endswith("\n") else newline * 2
            added = lead + "".join(task + newline for task in edit.tasks)
            if at == len(body) and not body.endswith("\n"):
                added = added[: -len(newline)]
        return text[:body_start] + body[:at] + added + body[at:]
    _check_insertion(body, len(body), edit.heading)
    final_newline = body.endswith("\n")
    before = body
    if before and not before.endswith("\n"):
        before += newline
    if before.strip() and not before.endswith(newline * 2):
        before += newline
    section = f"## {edit.heading}{newline}{newline}" + newline.join(edit.tasks) + (newline if final_newline or not body else "")
    return text[:body_start] + before + section


def render(text: str, body_start: int, newline: str, edits: Sequence[Edit], headings: Sequence[Heading] | None = None) -> str:
    """The note's text (without BOM) after applying `edits` in order. `headings`: those of the
    body as given (`Note.headings`), when known; found again once an edit changed the body."""
    for edit in edits:
        body = text[body_start:] if headings is not None else None
        if isinstance(edit, (SetProperty, DeleteProperty)):
            before = len(text)
            text = _edit_property(text, edit, newline)
            body_start += len(text) - before
        elif isinstance(edit, ReplaceSection):
            text = _replace_section(text, body_start, edit, newline, headings)
        elif isinstance(edit, AppendTasks):
            text = _append_tasks(text, body_start, edit, newline, headings)
        elif isinstance(edit, RewriteLinks):
            text = _rewrite_links(text, body_start, edit)
        elif isinstance(edit, ReplaceLines):
            text = _replace_lines(text, body_start, edit)
        elif not isinstance(edit, (MoveNote, WriteOnlyWith)):  # those change no text: the runner carries them
            raise TypeError(f"no renderer for the edit {edit!r}")
        if body is not None and text[body_start:] != body:
            headings = None
    return text
