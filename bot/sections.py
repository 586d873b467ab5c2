"""What is code, where headings are, where a section ends, and when that end is not certain.

Pure functions on strings. `mask_code` keeps offsets intact, so a match in the masked
text is a match at the same offsets in the note. The block structure comes from
bot/blocks.py (CommonMark plus Obsidian's `%%` and `$$`); `mask_code` asks for it only
when the note holds something a line scan could misread, so an ordinary note costs a
few substring tests.
"""

from __future__ import annotations

import functools
import re
from typing import Sequence

from bot.blocks import Heading, Region, structure
from bot.line_scan import blank, emptied, may_hold_html_block, may_hold_indented_code, scanned_fences, scanned_headings

__all__ = [
    "Heading",
    "find_headings",
    "find_section",
    "insertion_doubt",
    "mask_code",
    "masked_regions",
    "may_hold_section",
    "section_doubt",
]

# "``*", not "`+": the same runs, but a pattern that opens with a literal is searched for with a
# fast scan, and "`+" is tried at every offset (several times slower on a note's long lines).
_INLINE_START = re.compile(r"``*|<!--")
_BACKTICKS = re.compile(r"``*")
_OPAQUE = ("fence", "indented code", "math")


def _scanned_code(text: str) -> list[Region] | None:
    """The code blocks a line scan finds for certain (bot/line_scan.py); None when only the
    parser can tell."""
    fences = scanned_fences(text)
    if fences is None:
        return None
    # The fences read as blank lines: a line indented after one is code. Emptied rather than
    # blanked with spaces for this question (the answer is the same: a line of spaces is blank
    # and no code itself), so the pattern need not crawl through long runs of spaces.
    outside = emptied(text, [(fence.start, fence.end) for fence in fences]) if fences else text
    return None if may_hold_indented_code(outside) else fences


def _regions(text: str) -> tuple[Region, ...]:
    """Every block that is not Markdown text. The line scan knows only code: an HTML block
    (`<pre>` left open runs past every heading after it) needs the parser."""
    scanned = _scanned_code(text)
    if scanned is not None and not may_hold_html_block(text):
        return tuple(scanned)
    return structure(text).regions


def masked_regions(text: str) -> list[tuple[int, int]]:
    """The block-level spans `mask_code` blanks: code blocks, math blocks, HTML comment blocks."""
    scanned = _scanned_code(text)
    if scanned is not None:
        return [(fence.start, fence.end) for fence in scanned]
    spans = []
    for region in structure(text).regions:
        if region.kind in _OPAQUE:
            spans.append((region.start, region.end))
        elif region.comment_start >= 0:
            spans.append((region.comment_start, _comment_end(text, region)))
    return spans


def _comment_end(text: str, region: Region) -> int:
    close = text.find("-->", region.comment_start + 4, region.end)
    return region.end if close < 0 else close + 3


def mask_code(text: str) -> str:
    """Return text with code and HTML comments blanked out, offsets unchanged.

    Fenced and indented code, `$$` math blocks, HTML comment blocks (CommonMark's: one
    opened at a line start and never closed runs to the end of its container), inline
    code spans (within one line) and inline `<!-- -->` comments (closed within their
    paragraph; otherwise the `<!--` is plain text) become spaces; line breaks stay.
    `%%comments%%` are not masked because Obsidian counts the links inside them.
    """
    # One-character tests first: they cost a memchr, a longer substring a slower search.
    if (
        "`" not in text
        and "\t" not in text
        and ("<" not in text or "<!--" not in text)
        and ("$" not in text or "$$" not in text)
        and ("~" not in text or "~~~" not in text)
        and "    " not in text
    ):
        return text
    spans: list[tuple[int, int]] = []
    scanned = _scanned_code(text)
    if scanned is None:
        _mask_with_structure(text, spans)
        return blank(text, spans) if spans else text
    without_fences = blank(text, [(fence.start, fence.end) for fence in scanned]) if scanned else text
    _mask_inline(without_fences, 0, len(text), spans, comments=False)
    return blank(without_fences, spans) if spans else without_fences


def _mask_with_structure(text: str, spans: list[tuple[int, int]]) -> None:
    blocks = structure(text)
    # (start, end, how): blanked whole, or scanned for inline code with or without comments.
    segments: list[tuple[int, int, str]] = [(start, end, "leaf") for start, end in blocks.leaves]
    for region in blocks.regions:
        if region.kind in _OPAQUE:
            segments.append((region.start, region.end, "opaque"))
        elif region.kind == "%%":
            segments.append((region.start, region.end, "leaf"))
        elif region.comment_start >= 0:
            comment_end = _comment_end(text, region)
            segments.append((region.start, region.comment_start, "plain"))
            segments.append((region.comment_start, comment_end, "opaque"))
            segments.append((comment_end, region.end, "plain"))
    segments.sort()
    covered = 0
    for start, end, how in segments:
        if start < covered:  # an empty piece of a comment block, or nested in one already done
            continue
        if covered < start:  # lines in no block (a link reference definition, say)
            _mask_inline(text, covered, start, spans, comments=False)
        if how == "opaque":
            spans.append((start, end))
        else:
            _mask_inline(text, start, end, spans, comments=how == "leaf")
        covered = max(covered, end)
    if covered < len(text):
        _mask_inline(text, covered, len(text), spans, comments=False)


def _mask_inline(text: str, start: int, end: int, spans: list[tuple[int, int]], comments: bool) -> None:
    """Code spans (within a line) and, when `comments`, `<!-- -->` comments in text[start:end]."""
    if text.find("`", start, end) < 0 and not (comments and text.find("<!--", start, end) >= 0):
        return
    opening_pattern = _INLINE_START if comments else _BACKTICKS
    position = start
    comment_can_close = comments
    # Per line, each tick length that found no closing run: a later run of it will not either.
    unmatched_lengths: set[int] = set()
    unmatched_line_end = line_end = -1
    while (found := opening_pattern.search(text, position, end)) is not None:
        opening, after = found.span()
        position = after
        if text[opening] == "<":
            if comment_can_close:
                close = text.find("-->", after, end)
                if close < 0:
                    comment_can_close = False  # none after this one can close either: stays linear
                else:
                    spans.append((opening, close + 3))
                    position = close + 3
            continue
        if after > unmatched_line_end:  # found once per line: a long line is not rescanned per run
            line_end = text.find("\n", after, end)
            line_end = end if line_end < 0 else line_end
        if line_end != unmatched_line_end:
            unmatched_lengths, unmatched_line_end = set(), line_end
        length = after - opening
        if length in unmatched_lengths:
            continue
        closing = _closing_ticks(length).search(text, after, line_end)
        if closing is None:
            unmatched_lengths.add(length)  # an unmatched backtick run is literal text
        else:
            spans.append((opening, closing.end()))
            position = closing.end()


@functools.lru_cache(maxsize=64)
def _closing_ticks(length: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!`)`{{{length}}}(?!`)")


def find_headings(text: str) -> list[Heading]:
    """Top-level headings (ATX and setext) outside code, comments and math, in order."""
    if "#" not in text and "=" not in text and "-" not in text:
        return []
    scanned = _scanned_code(text)
    headings = scanned_headings(text, scanned) if scanned is not None else None
    return headings if headings is not None else list(structure(text).headings)


def find_section(text: str, title: str, level: int = 2, headings: Sequence[Heading] | None = None) -> list[tuple[Heading, int]]:
    """Each heading of `level` titled `title` (any case) with its section's end.

    A section ends where the next heading of any level starts, or at the end
    of the text. All matches are returned so a duplicate can be reported.
    `headings`: `find_headings(text)`, when the caller has it (a parsed note keeps its body's).
    """
    wanted = title.strip().casefold()
    headings = find_headings(text) if headings is None else headings
    sections = []
    for index, heading in enumerate(headings):
        if heading.level == level and heading.title.casefold() == wanted:
            end = headings[index + 1].start if index + 1 < len(headings) else len(text)
            sections.append((heading, end))
    return sections


# The lines a level-2 heading's title can be on: an ATX `## ` line, or the line before a `---` underline.
_LEVEL_2_LINE = re.compile(r"\n(?: {0,3}##(?:[ \t][^\n]*)?|(?P<underline> {0,3}-+[ \t]*))(?=\n|\Z)")


def may_hold_section(text: str, titles: Sequence[str]) -> bool:
    """False only when `text` has no level-2 heading titled one of `titles` (casefolded, as sections
    are found): a few lines looked at, where searching the whole text for each title took several
    passes over it. True whenever that is not certain: beyond ASCII (casefolding can turn `ß` into
    `ss`), with a carriage return (the parser reads a lone one as a line end), or for titles other
    than one line of ASCII without white space at its ends."""
    keys = _ascii_keys(tuple(titles))
    if keys is None or not text.isascii() or "\r" in text:
        return True
    if not keys:
        return False
    lines = "\n" + text
    for found in _LEVEL_2_LINE.finditer(lines):
        # A title is part of its line: the `##` line, or above an underline the paragraph's (one) line.
        end = found.start() if found.group("underline") is not None else found.end()
        line = lines[lines.rfind("\n", 0, end) + 1 : end].lower()
        if any(key in line for key in keys):
            return True
    return False


@functools.lru_cache(maxsize=16)
def _ascii_keys(titles: tuple[str, ...]) -> tuple[str, ...] | None:
    """The titles in lower case when each is one line of ASCII, not empty, without white space at its
    ends (its casefolded form is then its lower case); None otherwise."""
    if all(title.isascii() and title and title == title.strip() and "\n" not in title and "\r" not in title for title in titles):
        return tuple(title.lower() for title in titles)
    return None


_HEADING_LINE = re.compile(r"^[ \t>]*#{1,6}(?:[ \t][^\n]*)?\r?$", re.MULTILINE)
_MATH_OPENER_LINE = re.compile(r"^[ \t>]*\$\$", re.MULTILINE)
_WHAT = {
    "fence": "a code fence",
    "indented code": "an indented code block",
    "math": "a $$ math block",
    "html": "an HTML block",
    "%%": "a %% comment",
}


def section_doubt(text: str, heading: Heading, end: int) -> str | None:
    """Why the section from `heading` to `end` may end elsewhere for another reader, or None.

    Doubtful: a block opened in the section that is never closed (it runs to the end of
    the note), a heading line hidden in a block (a reader that missed the block would end
    the section there), and an inline `%%` or a `$$` line left open before the section ends
    (Obsidian hides text up to the next one, across headings).
    """
    for region in _regions(text):
        if not heading.end <= region.start < end:
            continue
        what = "an HTML comment" if region.comment_start >= 0 else _WHAT[region.kind]
        if not region.closed and not text[region.end :].strip():  # it ran to the note's end
            return f"{what} opened in it is never closed"
        hidden = _HEADING_LINE.search(text, region.start, region.end)
        if hidden is not None:
            return f"{what} in it holds a heading line ({hidden.group().strip()!r})"
    return _open_inline_marker(text, heading.end, end, "in it")


def insertion_doubt(text: str, at: int) -> str | None:
    """Why a new section inserted at offset `at` (a line start) could land inside a comment,
    code or math instead of starting a section, or None."""
    for region in _regions(text):
        inside = region.start < at < region.end or (region.start < at and not region.closed and not text[region.end :].strip())
        if inside:
            what = "an HTML comment" if region.comment_start >= 0 else _WHAT[region.kind]
            return f"it would go inside {what}"
    return _open_inline_marker(text, 0, at, "before it")


def _open_inline_marker(text: str, start: int, end: int, where: str) -> str | None:
    if "%%" not in text and "$$" not in text:
        return None
    masked = mask_code(text)
    if masked.count("%%", start, end) % 2:
        return f"a %% comment opened {where} is not closed"
    # Closed math blocks are masked; a `$$` line left is one dollarmath did not close.
    comments = [region for region in _regions(text) if region.kind == "%%"]
    for opener in _MATH_OPENER_LINE.finditer(masked, start, end):
        if not any(region.start <= opener.start() < region.end for region in comments):
            return f"a $$ math block opened {where} is not closed"
    return None
