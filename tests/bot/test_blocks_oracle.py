"""bot/sections.py against a CommonMark oracle: markdown-it-py with front matter, `$$` math and `%%`.

Notes are generated from the constructs that decide where a section ends (headings,
fences and indented code inside and outside lists and quotes, HTML blocks, `%%` and
`$$` blocks, each closed or not, with spaces, tabs and CRLF) and read both ways: the
headings, the blanked code regions and every section's extent must be the oracle's.
The oracle parses the whole note, front matter included, with its own `%%` rule; the
bot reads the body alone and, for most notes, never calls the parser at all.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from bot.note import split_frontmatter
from bot.sections import find_headings, find_section, mask_code, masked_regions, section_doubt


def _oracle_comment(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Obsidian's `%%` block: opened by a line starting `%%`, closed by the next line holding `%%`."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line_text = state.src[state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]]
    if not line_text.startswith("%%"):
        return False
    closed_here = re.fullmatch(r"%%.*?%%\s*", line_text) is not None
    if "%%" in line_text[2:] and not closed_here:
        return False  # `%%x%% text`: an inline comment in a paragraph
    if silent:
        return True
    line = start_line + 1
    if not closed_here:
        while line < end_line:
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
            if text and state.sCount[line] < state.blkIndent:
                break
            line += 1
            if "%%" in text:
                break
    state.line = line
    token = state.push("comment_block", "", 0)
    token.map = [start_line, line]
    return True


def _oracle() -> MarkdownIt:
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(dollarmath_plugin, allow_labels=False, allow_blank_lines=True)
    md.block.ruler.before("fence", "comment_block", _oracle_comment, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md


ORACLE = _oracle()
_HIDDEN_HEADING = re.compile(r"^[ \t>]*#{1,6}(?:[ \t]|$)", re.MULTILINE)


def _contained(piece: str, container: str) -> str:
    lines = piece.split("\n")
    if container == "list":
        return "\n".join(["- " + lines[0]] + ["  " + line if line else "" for line in lines[1:]])
    if container == "ordered":
        return "\n".join(["1. " + lines[0]] + ["   " + line if line else "" for line in lines[1:]])
    if container == "quote":
        return "\n".join("> " + line for line in lines)
    return piece


FENCES = st.builds(
    lambda indent, marker, content, closed: "\n".join(
        [indent + marker + "python"[: len(content) % 3]] + [indent + line for line in content] + ([indent + marker] if closed else [])
    ),
    st.sampled_from(["", "  ", "   ", "    ", "\t", "- ", "1. "]),
    st.sampled_from(["```", "~~~", "````"]),
    st.lists(st.sampled_from(["code", "## Hidden", "[[In code]]", "", "# comment"]), max_size=3),
    st.booleans(),
)
PIECES = st.one_of(
    st.sampled_from(
        [
            "# Title",
            "## Recent Context",
            "## Contacts",
            "### Sub",
            "## Notes ##",
            "   ## Indented",
            "Para text\n---",
            "Title\n===",
            "Some text [[Link]]",
            "text with `code` and [[A]]",
            "- tip: comments start with <!-- in markdown",
            "",
            "- item",
            "1. step",
            "- [ ] task",
            "    - nested",
            "\t- nested with a tab",
            "    [[indented]]",
            "\tcode after a tab",
            "<!-- one line -->",
            "<!--\n## Hidden\n-->",
            "<!-- left open\n## Hidden",
            "<div>\n## in html\n</div>",
            "text <!-- mid\nline --> end",
            "%%\n## Hidden\n%%",
            "%% left open\n## Hidden",
            "%%inline%% text",
            "%%one line%%",
            "$$\n## Hidden\n$$",
            "$$\nx = 1",
            "$$x$$",
            "$$\n\n## Hidden\n\n$$",
            "> [!note] Title\n> text [[Quoted]]",
            "> ```\n> code",
            "> ## Quoted heading",
            "- item\n    ```\n    code",
            "- item\n\t```\n\tcode",
            "1. step\n    ~~~\n    code",
            "* * *",
        ]
    ),
    FENCES,
)
NOTES = st.builds(
    lambda frontmatter, pieces, crlf: (frontmatter + "\n".join(pieces)).replace("\n", "\r\n" if crlf else "\n"),
    st.sampled_from(["", "---\ntitle: x\n---\n"]),
    st.lists(
        st.builds(_contained, PIECES, st.sampled_from(["none", "none", "none", "list", "ordered", "quote"])),
        min_size=1,
        max_size=9,
    ),
    st.booleans(),
)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _oracle_view(text: str) -> tuple[int, list[tuple[int, str, int, int]], set[tuple[int, int]], list[tuple[int, int, str]]]:
    """(body's first line, top-level headings, code regions, blocks that may hide a heading)."""
    tokens = ORACLE.parse(text)
    body_line = 0
    headings = []
    regions = set()
    hiding = []
    for index, token in enumerate(tokens):
        if token.type == "front_matter":
            body_line = token.map[1]
        elif token.type == "heading_open" and token.level == 0:
            headings.append((int(token.tag[1]), tokens[index + 1].content.strip(), token.map[0], token.map[1]))
        elif token.type in ("fence", "code_block", "math_block"):
            regions.add(tuple(token.map))
            hiding.append((*token.map, token.type))
        elif token.type == "html_block":
            if token.content.lstrip(" ").startswith("<!--"):
                regions.add(tuple(token.map))
            hiding.append((*token.map, token.type))
        elif token.type == "comment_block":
            hiding.append((*token.map, token.type))
    return body_line, headings, regions, hiding


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTES)
def test_headings_code_and_sections_are_commonmarks(text: str) -> None:
    span = split_frontmatter(text)
    body_start = span[2] if span else 0
    body = text[body_start:]
    body_line, headings, regions, hiding = _oracle_view(text)
    assert body_line == _line_of(text, body_start)

    found = [
        (h.level, h.title, body_line + _line_of(body, h.start), body_line + _line_of(body, h.end - 1) + 1) for h in find_headings(body)
    ]
    assert found == headings

    masked = [(body_line + _line_of(body, start), body_line + _line_of(body, end - 1) + 1) for start, end in masked_regions(body)]
    assert set(masked) == regions and len(masked) == len(regions)

    blanked = mask_code(body)
    assert len(blanked) == len(body)
    body_lines, blanked_lines = body.split("\n"), blanked.split("\n")
    # Blanked whole: code and math lines, and an HTML comment's lines but its last (text may follow "-->").
    code_lines = {line - body_line for first, after, kind in hiding if kind != "comment_block" for line in range(first, after)}
    code_lines -= {after - 1 - body_line for first, after, kind in hiding if kind == "html_block"}
    code_lines &= {line - body_line for first, after in regions for line in range(first, after)}
    for number, (line, masked_line) in enumerate(zip(body_lines, blanked_lines)):
        if number in code_lines:  # blanked but for a list item's or a quote's markers
            assert masked_line.strip().lstrip("->1. \t") == "", (line, masked_line)
        elif "`" not in line and "<!--" not in body:  # no code span, no inline comment: kept
            assert masked_line == line

    total_lines = len(body_lines) + body_line
    starts = [heading[2] for heading in headings] + [total_lines]
    for (level, title, first, _), next_start in zip(headings, starts[1:]):
        if title.casefold() == "recent context" and level == 2:
            sections = find_section(body, "Recent Context")
            extents = [
                (body_line + _line_of(body, h.start), body_line + _line_of(body, end) if end < len(body) else total_lines)
                for h, end in sections
            ]
            assert (first, next_start) in extents
            heading, end = next((h, e) for h, e in sections if body_line + _line_of(body, h.start) == first)
            # Safety: a block opened in the section that holds a heading line is always doubted.
            for region_first, region_after, _ in hiding:
                inside = first < region_first < next_start
                region_text = "\n".join(text.split("\n")[region_first:region_after])
                if inside and _HIDDEN_HEADING.search(region_text):
                    assert section_doubt(body, heading, end) is not None
