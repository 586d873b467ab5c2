"""What a line scan can tell about a note's blocks for certain, without the parser.

Most notes hold no HTML, no comments, no math, no possible indented code, and fences
only at column 0 (a line there is inside no list item and no quote). For those, code
blocks and headings are found here with a few regex searches; anything else returns
None and bot/sections.py asks the parser (bot/blocks.py), which costs some 50 times
more. tests/bot/test_blocks_oracle.py holds both paths to the parser's answers.

Patterns that match at line starts open with "\\n" and are searched in "\\n" + text:
the engine then jumps from line to line instead of trying every offset.
"""

from __future__ import annotations

import functools
import re

from bot.blocks import Heading, Region

# Where indented code may start (CommonMark 4.4): an indented line after a blank line, a
# heading or a rule (as a list item's or a quote's line too), a quote line indented
# four columns past its ">", a list item's first line five past its marker. Searched in
# "\n\n" + text: the note's first line reads as one after a blank line, as it should.
_MAYBE_INDENTED_CODE = re.compile(
    r"\n(?:[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|(?=\r?\n)))?(?:#[^\n]*|[-*_=][-*_= \t]*)?\r?\n"
    r"(?: {4}|[ ]{0,3}\t)[ \t]*[^ \t\r\n]"
    r"|[ \t]*>[ \t>]*(?: {4}|\t)"
    r"|[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:[-*+]|\d{1,9}[.)])(?: {5}|[ ]{0,4}\t))"
)
# Any line that looks like a fence, whatever its indentation, quote or list markers.
_FENCE_LINE = re.compile(r"\n(?P<prefix>(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)")
# An HTML block could hold a fence's opening line: only the parser can tell.
_HTML_BLOCK_START = re.compile(r"\n[ \t>]*<[A-Za-z/!?]")
_ATX_LINE = re.compile(r"\n(?P<indent>[ \t]*)(?P<hashes>#{1,6})(?P<title>[ \t][^\n]*|\r)?(?=\n|\Z)")
# A paragraph line followed by `===` or `---`: a setext heading, or a rule after a list
# item, depending on what holds the line. The parser decides.
_MAYBE_SETEXT = re.compile(r"\n[ \t]*[^ \t\r\n][^\n]*\n {0,3}(?:=+|-+)[ \t\r]*(?=\n|\Z)")
_UNDERLINE_LINE = re.compile(r"\n {0,3}(?:=+|-+)[ \t\r]*(?=\n|\Z)")
_TEXT_LINE_START = re.compile(r"[ \t]*[^ \t\r\n]")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t])#+$")
_LINE_TEXT = re.compile(r"[^\r\n]+")


def may_hold_indented_code(text: str) -> bool:
    # Each of the pattern's ways needs a tab or four spaces in a row: two memchr-fast tests
    # spare most notes the search.
    if "\t" not in text and "    " not in text:
        return False
    return _MAYBE_INDENTED_CODE.search("\n\n" + text) is not None


def may_hold_html_block(text: str) -> bool:
    return "<" in text and _HTML_BLOCK_START.search("\n" + text) is not None


def scanned_fences(text: str) -> list[Region] | None:
    """The fences, when each opens at column 0 in a note without HTML, comments or math
    (which could hold or hide one), nor a lone carriage return; None otherwise. Indented code is
    checked by the caller."""
    if ("<" in text and "<!--" in text) or ("$" in text and "$$" in text) or ("%" in text and "%%" in text):
        return None
    # The parser reads a lone "\r" as a space (bot/blocks.py): `\r## Title` is a heading indented one
    # column there, and these patterns, reading lines at "\n", would miss it (two counts at C speed).
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    if ("`" not in text or "```" not in text) and ("~" not in text or "~~~" not in text):
        return []
    if "<" in text and _HTML_BLOCK_START.search("\n" + text):
        return None
    lines = "\n" + text  # offsets in it are one past the note's: a match's "\n" is at the line's start
    fences = []
    position = 0
    ahead = [lines.find("```"), lines.find("~~~") if "~" in lines else -1]
    while (line := _next_fence_line(lines, position, ahead)) is not None:
        position = line.end()
        fence = line.group("fence")
        if fence[0] == "`" and "`" in line.group("info"):
            continue  # CommonMark: not a fence (inline code at a line's start)
        if line.group("prefix"):
            return None
        closing = _closing_fence(fence[0], len(fence)).search(lines, line.end())
        end = min(closing.end(), len(text)) if closing else _unclosed_end(text)  # past the newline
        fences.append(Region("fence", line.start(), end, closing is not None, -1))
        position = end
    return fences


def _next_fence_line(lines: str, position: int, ahead: list[int] | None = None) -> re.Match[str] | None:
    """`_FENCE_LINE.search(lines, position)`, tried only at the lines that hold three backticks
    or tildes in a row (a fence line does): the search tried every line. Found with `str.find`,
    several times faster than a pattern of the two. `ahead`: where the next "```" and "~~~" were
    found (-1: none), kept by a caller that asks again from further on, so a run far ahead is not
    searched for again from every line."""
    if ahead is None:
        ahead = [lines.find("```", position), lines.find("~~~", position) if "~" in lines else -1]
    while True:
        if 0 <= ahead[0] < position:
            ahead[0] = lines.find("```", position)
        if 0 <= ahead[1] < position:
            ahead[1] = lines.find("~~~", position)
        backticks, tildes = ahead
        run = tildes if backticks < 0 or 0 <= tildes < backticks else backticks
        if run < 0:
            return None
        line_start = lines.rfind("\n", 0, run)
        if line_start >= position:
            found = _FENCE_LINE.match(lines, line_start)
            if found is not None:
                return found
        position = lines.find("\n", run)
        if position < 0:
            return None


def _unclosed_end(text: str) -> int:
    # As the parser counts lines: a last line of white space without a newline is none.
    last_line = text.rfind("\n") + 1
    return last_line if last_line and not text[last_line:].strip() else len(text)


@functools.lru_cache(maxsize=64)
def _closing_fence(char: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"\n {{0,3}}{re.escape(char)}{{{length},}}[ \t\r]*(?=\n|\Z)")


def scanned_headings(text: str, fences: list[Region]) -> list[Heading] | None:
    """The top-level ATX headings outside `fences` (from `scanned_fences`, the note's only
    code), or None when an HTML block, a setext underline or an indented heading (in a
    list item?) needs the parser."""
    lines = "\n" + text
    if ("=" in text or "-" in text) and _may_hold_setext(lines):
        return None
    if "<" in text and _HTML_BLOCK_START.search(lines):
        return None  # an HTML block's lines are no headings
    headings = []
    fence_index = 0
    for found in _ATX_LINE.finditer(lines):
        start = found.start()
        while fence_index < len(fences) and fences[fence_index].end <= start:
            fence_index += 1
        if fence_index < len(fences) and fences[fence_index].start <= start:
            continue  # a line of code
        if found.group("indent"):
            return None
        title = _CLOSING_HASHES.sub("", (found.group("title") or "").strip()).strip()
        end = min(found.end(), len(text))  # past the newline: found.end() is one past the line's end
        headings.append(Heading(len(found.group("hashes")), title, start, end))
    return headings


def _may_hold_setext(lines: str) -> bool:
    """`_MAYBE_SETEXT.search(lines)`, from the underlines up: they are few, and the pattern
    tried every line, walking each paragraph's long line back for a newline."""
    for underline in _UNDERLINE_LINE.finditer(lines):
        line_end = underline.start()
        line_start = lines.rfind("\n", 0, line_end) + 1
        if _TEXT_LINE_START.match(lines, line_start, line_end):  # the line before holds text
            return True
    return False


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """Text with the characters of each span (sorted, apart) made spaces; line breaks stay."""
    pieces = []
    copied_up_to = 0
    for span_start, span_end in sorted(spans):
        pieces.append(text[copied_up_to:span_start])
        masked = text[span_start:span_end]
        if "\n" in masked or "\r" in masked:  # a run per line, not a call per character
            pieces.append(_LINE_TEXT.sub(lambda line: " " * (line.end() - line.start()), masked))
        else:
            pieces.append(" " * len(masked))
        copied_up_to = span_end
    pieces.append(text[copied_up_to:])
    return "".join(pieces)


def emptied(text: str, spans: list[tuple[int, int]]) -> str:
    """Text with the characters of each span (sorted, apart) taken out but for its line breaks:
    `blank` without the offsets, for questions about lines only."""
    pieces = []
    copied_up_to = 0
    for span_start, span_end in sorted(spans):
        pieces.append(text[copied_up_to:span_start])
        pieces.append(_LINE_TEXT.sub("", text[span_start:span_end]))
        copied_up_to = span_end
    pieces.append(text[copied_up_to:])
    return "".join(pieces)
