"""A note's block structure as Obsidian reads it: CommonMark plus `%%` comments and `$$` math.

markdown-it-py (a CommonMark parser) with mdit-py-plugins' dollarmath and the `%%` rule
below finds the blocks; only the block pass runs (no inline parsing). bot/sections.py
turns the result into masks, headings and section ends; it reaches this module only for
the notes where a line scan (bot/line_scan.py) could be wrong, so the cost stays off the
common path (README, "How vaultbot reads your notes").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock


@dataclass(frozen=True)
class Heading:
    """One heading (ATX `## x`, or setext: a paragraph underlined with `===` or `---`)."""

    level: int  # 1-6
    title: str  # trimmed, closing #'s removed
    start: int  # offset of its first line's start
    end: int  # offset just past its last line's newline, or len(text)


@dataclass(frozen=True)
class Region:
    """A block whose lines are not Markdown text: code, math, an HTML block or a `%%` comment."""

    kind: str  # "fence", "indented code", "math", "html", "%%"
    start: int  # offset of its first line's start
    end: int  # offset just past its last line's newline, or len(text)
    closed: bool  # its closing line was found (a container's end also ends a fence, without one)
    comment_start: int  # an HTML comment block: offset of its "<!--"; otherwise -1


@dataclass(frozen=True)
class Structure:
    headings: tuple[Heading, ...]  # top level only: headings inside lists and quotes end no section
    regions: tuple[Region, ...]  # at any depth, in order
    leaves: tuple[tuple[int, int], ...]  # paragraphs, headings and HTML blocks: an inline comment closes inside one


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Obsidian's `%%` comment as a block: a line starting with `%%` opens it, the next line
    holding `%%` closes it, and one never closed runs to the end of its container (of the
    note, at the top level). `%%x%% more text` is an inline comment inside a paragraph."""
    if state.is_code_block(start_line):
        return False
    position = state.bMarks[start_line] + state.tShift[start_line]
    line_end = state.eMarks[start_line]
    if not state.src.startswith("%%", position, line_end):
        return False
    rest = state.src[position + 2 : line_end]
    closing = rest.find("%%")
    if closing >= 0 and rest[closing + 2 :].strip():
        return False
    if silent:
        return True
    line = start_line
    closed = closing >= 0
    while not closed:
        line += 1
        if line >= end_line:
            break
        first = state.bMarks[line] + state.tShift[line]
        if first < state.eMarks[line] and state.sCount[line] < state.blkIndent:
            break  # a list item ended, and the comment inside it with it
        closed = "%%" in state.src[first : state.eMarks[line]]
    state.line = line + 1 if closed else line
    token = state.push("obsidian_comment", "", 0)
    token.map = [start_line, state.line]
    token.markup = "%%"
    token.meta = {"closed": closed}
    return True


def comment_plugin(md: MarkdownIt) -> None:
    """Add the `%%` block. It interrupts a paragraph: Obsidian hides a comment wherever it starts."""
    md.block.ruler.before("fence", "obsidian_comment", _comment_block, {"alt": ["paragraph", "reference", "blockquote", "list"]})


@functools.lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    # Imported here: most runs never need it, and the import costs a few hundredths of a second.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    # Obsidian's math has no equation labels, and a blank line does not end a `$$` block.
    md = MarkdownIt("commonmark").use(dollarmath_plugin, allow_labels=False, allow_blank_lines=True).use(comment_plugin)
    md.core.ruler.disable(["inline", "text_join"])
    return md


_LONE_CR = re.compile(r"\r(?!\n)")
# HTML blocks 1-5 end at a closing marker (CommonMark 4.6); 6 and 7 at a blank line.
_HTML_ENDS = (
    (
        re.compile(r"<(?:pre|script|style|textarea)(?:[ \t>]|$)", re.IGNORECASE),
        re.compile(r"</(?:pre|script|style|textarea)>", re.IGNORECASE),
    ),
    (re.compile(r"<!--"), re.compile(r"-->")),
    (re.compile(r"<\?"), re.compile(r"\?>")),
    (re.compile(r"<![A-Za-z]"), re.compile(r">")),
    (re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
)


def _html_region(text: str, start: int, end: int, content: str) -> Region:
    """`content`: the block without its containers' markers (a list item's, a quote's)."""
    first_line = content.lstrip(" ")
    for opening, closing in _HTML_ENDS:
        if opening.match(first_line):
            content_at = text.find(first_line[:2], start, end)
            closed = closing.search(text, content_at + 2, end) is not None
            comment_start = content_at if first_line.startswith("<!--") else -1
            return Region("html", start, end, closed, comment_start)
    return Region("html", start, end, True, -1)


def _fence_closed(text: str, start: int, end: int, markup: str) -> bool:
    body = text[start:end].rstrip("\r\n")
    if "\n" not in body:
        return False
    last_line = body[body.rindex("\n") + 1 :]
    closing = last_line.lstrip(" \t>").strip()
    return len(closing) >= len(markup) and closing == markup[0] * len(closing)


@functools.lru_cache(maxsize=8)
def structure(text: str) -> Structure:
    """The blocks of `text` (a note's body). Cached: a note's sections are looked up several
    times while it is parsed and rendered."""
    # Offsets come from line numbers, and lines here end at "\n" only: a lone "\r" (which
    # would end a line for the parser) is read as a space.
    tokens = block_parser().parse(_LONE_CR.sub(" ", text) if "\r" in text else text)
    line_starts = [0]
    position = text.find("\n")
    while position >= 0:
        line_starts.append(position + 1)
        position = text.find("\n", position + 1)

    def offsets(line_range: list[int]) -> tuple[int, int]:
        first, after = line_range
        return line_starts[first], line_starts[after] if after < len(line_starts) else len(text)

    headings: list[Heading] = []
    regions: list[Region] = []
    leaves: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = offsets(token.map)
        if token.type == "heading_open":
            leaves.append((start, end))
            if token.level == 0:
                headings.append(Heading(int(token.tag[1]), tokens[index + 1].content.strip(), start, end))
        elif token.type == "paragraph_open":
            leaves.append((start, end))
        elif token.type == "fence":
            regions.append(Region("fence", start, end, _fence_closed(text, start, end, token.markup), -1))
        elif token.type == "code_block":
            regions.append(Region("indented code", start, end, True, -1))
        elif token.type == "math_block":
            regions.append(Region("math", start, end, True, -1))
        elif token.type == "obsidian_comment":
            regions.append(Region("%%", start, end, token.meta["closed"], -1))
        elif token.type == "html_block":
            region = _html_region(text, start, end, token.content)
            regions.append(region)
            if region.comment_start < 0:
                leaves.append((start, end))
    return Structure(tuple(headings), tuple(regions), tuple(leaves))
