"""Parsing's shortcuts give what the longer way gives, for every note."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.line_scan import (
    _FENCE_LINE,
    _MAYBE_INDENTED_CODE,
    _MAYBE_SETEXT,
    _may_hold_setext,
    _next_fence_line,
    blank,
    emptied,
    may_hold_indented_code,
    scanned_fences,
)
from bot.markdown import (
    _TASK_BOX,
    _TASK_LINE,
    Link,
    _lines_outside_code,
    _link_name,
    _task_lines,
    _wikilink,
    find_links,
    find_tasks,
    find_wikilinks_in_value,
    iter_frontmatter_links,
    link_name,
)
from bot.note import UNKNOWN, BadNote, ParseSettings, Source, _body_links, parse_note
from bot.sections import find_headings, mask_code, may_hold_section
from bot.summary import _COMMENT_OPENER, _LINE_MARKERS, _atx_heading, _without_line_comments
from bot.yaml_simple import _KEY, _UNUSUAL, _block_scalar, _mapping, _resolved_plain, simple_load
from tests.bot.test_blocks_oracle import NOTES
from tests.vaults import REPO

_INDENTED = st.lists(
    st.sampled_from(
        ["", "text", "    code", "\tcode", "   \tx", "- item", "-     five", "1.\tx", ">     quoted", "> x", "```", "~~~", "    ```"]
    ),
    max_size=8,
).map("\n".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(NOTES, _INDENTED), st.sampled_from(["\n", "\r\n"]))
def test_indented_code_is_found_in_emptied_fences_as_in_blanked_ones(text: str, newline: str) -> None:
    """`_scanned_code` asks about the note with its fences emptied, not blanked with spaces as it
    did: the answer must be the same (the old question, asked directly, is the reference)."""
    text = text.replace("\n", newline)
    fences = scanned_fences(text)
    if fences is None:
        return
    spans = [(fence.start, fence.end) for fence in fences]
    assert may_hold_indented_code(emptied(text, spans)) == (_MAYBE_INDENTED_CODE.search("\n\n" + blank(text, spans)) is not None)


# Markdown built from the pieces the shortcuts decide on: task lines of every shape (in lists,
# quotes, code and comments too), links of each kind with `|`, `#`, `\|` and odd brackets,
# inline code, fences, CRLF, a byte-order mark and text beyond ASCII.
_PIECES = st.sampled_from(
    [
        "- [ ] task",
        "- [x] done",
        "* [-] gone",
        "1. [/] half",
        "> - [ ] quoted",
        "  - [ ]",
        "- [ ]x",
        "-[ ] no",
        "- [[Link]] item",
        "- [ab] two",
        "[x]",
        "see [[A]] and [[B|b]]",
        "![[Embed.png]]",
        "[[#Heading]]",
        "[[A#^block|x]]",
        "[[ spaced ]]",
        "[[]]",
        "[[a\\|b]]",
        "[[a [b] c]]",
        "[[a]b]]",
        "[text](Note.md)",
        "[t](<A b.md>)",
        "[u](https://x)",
        "`[[code]]`",
        "``- [ ] x``",
        "```",
        "~~~",
        "    - [ ] indented",
        "<!-- [[c]] -->",
        "%%[[c]]%%",
        "é [[Ünï]]",
        "",
        "\ufeff- [ ] bom",
        "- [ ] tab\tend",
    ]
)
_MARKDOWN = st.builds(
    lambda pieces, joiners, newline: "".join(piece + joiner for piece, joiner in zip(pieces, joiners)).replace("\n", newline),
    st.lists(_PIECES, max_size=12),
    st.lists(st.sampled_from(["\n", "\n", " ", "", "\n\n"]), min_size=12, max_size=12),
    st.sampled_from(["\n", "\r\n"]),
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_MARKDOWN, NOTES))
def test_tasks_found_from_their_boxes_are_the_tasks_a_line_scan_finds(text: str) -> None:
    masked = mask_code(text)
    reference = [
        (match.start("line") - 1, match.group("line").rstrip("\r"), len(match.group("marker")) - 2, (match.group("task") or "").strip())
        for match in _lines_outside_code(text, masked, list(_TASK_LINE.finditer("\n" + text)))
    ]
    assert [(task.start, task.line, task.box, task.text) for task in find_tasks(text, masked)] == reference
    assert [match.span() for match in _task_lines(text)] == [match.span() for match in _TASK_LINE.finditer("\n" + text)]


def _wikilink_reference(inside: str, start: int, end: int, embed: bool) -> Link | None:
    """bot/markdown.py's `_wikilink` before its shortcut for a link without `|` or `#`."""
    if "\\|" in inside:
        inside = inside.replace("\\|", "|")
    path, has_display, display = inside.partition("|")
    target, hash_sign, heading = path.partition("#")
    target = target.strip()
    subpath = (hash_sign + heading).strip()
    if not target and not subpath:
        return None
    return Link(target, subpath, display.strip() if has_display else None, embed, False, start, end)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab |#\\^ é\u00a0\t")), max_size=12), st.booleans())
def test_a_plain_wikilink_is_built_as_the_general_way_builds_it(inside: str, embed: bool) -> None:
    assert _wikilink(inside, 3, 9, embed) == _wikilink_reference(inside, 3, 9, embed)


_LINKISH = st.lists(st.sampled_from(["[[", "]]", "[[A]]", "[", "]", "a", " ", "|b", "#h", "!", "\n"]), max_size=6).map("".join)


@settings(max_examples=1500, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["people", "related", "x"]), st.one_of(_MARKDOWN, _LINKISH, st.lists(_MARKDOWN | _LINKISH, max_size=4)), max_size=3
    )
)
@example({"people": ["[[A]] and [[B]]", "[[a [b] c]]", "[[a]b]]", "[[]]", "![[x]]", "[[a\nb]]", "[[[a]]]"], "x": "[[A]]"})
def test_frontmatter_links_are_found_as_in_every_value_searched(frontmatter: dict[str, object]) -> None:
    reference = [
        (key, link)
        for key, value in frontmatter.items()
        for item in ([value] if isinstance(value, str) else value)
        for link in find_wikilinks_in_value(item)
    ]
    assert iter_frontmatter_links(frontmatter) == reference


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(NOTES, _MARKDOWN, _INDENTED), st.data())
def test_the_next_fence_line_is_the_one_a_search_finds(text: str, data: st.DataObject) -> None:
    lines = "\n" + text
    positions = sorted(data.draw(st.lists(st.integers(0, len(lines)), min_size=1, max_size=4)))
    ahead = [lines.find("```"), lines.find("~~~") if "~" in lines else -1]
    for position in positions:  # asked again from further on, with what was found ahead kept
        for found in (_next_fence_line(lines, position), _next_fence_line(lines, position, ahead)):
            reference = _FENCE_LINE.search(lines, position)
            assert (found and (found.span(), found.groupdict())) == (reference and (reference.span(), reference.groupdict()))


_SETEXT = st.lists(
    st.sampled_from(
        ["", " ", "Title", "  text", "\ttext", "\r", "x\r", "---", "===", "   --", "    ---", "- ---", "-- x", "=", "-", " = ", "--\t"]
    ),
    max_size=6,
).map("\n".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(NOTES, _MARKDOWN, _SETEXT))
def test_a_setext_underline_is_found_from_the_underlines_as_by_the_search(text: str) -> None:
    lines = "\n" + text
    assert _may_hold_setext(lines) == (_MAYBE_SETEXT.search(lines) is not None)


_FENCE_CHILD = """
import sys, time
from bot.sections import find_headings, mask_code
text = "```a`\\n" * 200_000 + "~~~\\n"  # 1.2 MB of lines that look like fences, one run of tildes at the end
started = time.perf_counter()
assert len(mask_code(text)) == len(text)
find_headings(text)
print(time.perf_counter() - started)
"""


def test_fence_lines_are_found_in_linear_time() -> None:
    """The next "~~~" is looked for once, not again from every line (1.2 MB: minutes, then)."""
    try:
        child = subprocess.run([sys.executable, "-c", _FENCE_CHILD], cwd=REPO, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("1.2 MB of fence-like lines still running after 60 s")
    assert child.returncode == 0, child.stderr
    assert float(child.stdout) < 10


def _least_cpu(work: Callable[[], object]) -> float:
    """The least CPU time of three runs: a loaded machine only ever adds to a run."""
    times = []
    for _ in range(3):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def test_a_line_of_many_boxes_is_tried_once_not_box_by_box() -> None:
    """4 MB of `[x]` on one line: the line is tried once. Stepping from box to box cost a Python
    step per box, about what listing the boxes costs the regex engine (the floor here, measured in
    the same run); trying the line once costs a few hundredths of it."""
    boxes = "[x]" * 1_400_000 + "\n- [ ] task\n"
    assert [task.text for task in find_tasks(boxes, boxes)] == ["task"]
    floor = _least_cpu(lambda: _TASK_BOX.findall(boxes))
    cost = _least_cpu(lambda: find_tasks(boxes, boxes))
    assert cost < floor / 5, f"{cost:.3f} s against a floor of {floor:.3f} s"


# bot/summary.py's patterns before their shortcuts, the reference for them.
_SUMMARY_HEADING = re.compile(r" {0,3}(?P<level>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*")
_SUMMARY_LINE_MARKERS = re.compile(
    r"^[ \t]*(?:>[ \t]*)*(?:\[![^\]\n]*\][+-]?[ \t]*)?(?:(?:[-*+]|\d+[.)])[ \t]+)?(?:\[.\](?:[ \t]+|$))?", re.MULTILINE
)
_HEADING_LINES = st.text(alphabet=st.sampled_from(list(" \t#ab\r\u00a0")), max_size=14)


@settings(max_examples=3000, deadline=None)
@given(_HEADING_LINES)
@example("## Title ##")
@example("## a ## b")
@example("## # ")
@example("## ##")
@example("####### seven")
@example("    # four spaces")
@example("#\t#")
def test_an_atx_heading_is_read_from_its_ends_as_the_pattern_reads_it(line: str) -> None:
    found = _SUMMARY_HEADING.fullmatch(line)
    assert _atx_heading(line) == (found and (len(found["level"]), found["title"] or ""))


_MARKER_LINES = st.lists(
    st.sampled_from(["", " ", "- ", "* [ ] x", "1. [x]", "> > - [/] q", "> [!note]+ t", "[!tip] ", "12) y", "\t- a", "-x", "[ ]", "text"]),
    max_size=5,
).map("\n".join)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_MARKER_LINES, _MARKDOWN, NOTES))
def test_a_summary_loses_the_same_line_markers_and_comments(text: str) -> None:
    assert _LINE_MARKERS.sub("\n", "\n" + text)[1:] == _SUMMARY_LINE_MARKERS.sub("", text)
    for line in text.split("\n"):
        assert _without_line_comments(line) == _line_comments_reference(line)


def _line_comments_reference(line: str) -> tuple[str, str]:
    """bot/summary.py's `_without_line_comments` before its shortcut for a line without either opener."""
    kept = []
    position = 0
    while True:
        opener = _COMMENT_OPENER.search(line, position)
        if not opener:
            kept.append(line[position:])
            return "".join(kept), ""
        closer = "%%" if opener[0] == "%%" else "-->"
        kept.append(line[position : opener.start()])
        end = line.find(closer, opener.end())
        if end < 0:
            return "".join(kept), closer
        position = end + len(closer)


def _mapping_reference(lines: list[str]) -> dict[object, object] | None:
    """bot/yaml_simple.py's `_mapping` before it kept what it read of each line."""
    data: dict[object, object] = {}
    key: object = None
    items: list[object] | None = None
    indent = -1
    for line in lines:
        if not line.strip(" ") or line[0] == "#":
            continue
        if items is not None:
            dash = len(line) - len(line.lstrip(" "))
            if line[dash] == "-" and line[dash + 1 : dash + 2] in ("", " ") and (indent < 0 or dash == indent):
                indent = dash
                items.append(_block_scalar(line[dash + 1 :].strip(" ")))
                continue
            if indent < 0:
                data[key] = None
            items = None
        found = _KEY.match(line)
        if found is None:
            raise ValueError("not simple")
        raw_key = found.group()[:-1]
        if raw_key[-1] == " " or len(raw_key) > 1000:
            raise ValueError("not simple")
        key = _resolved_plain(raw_key)
        value = line[found.end() :].strip(" ")
        if value:
            data[key] = _block_scalar(value)
        else:
            items, indent = [], -1
            data[key] = items
    if items is not None and indent < 0:
        data[key] = None
    return data or None


_YAML_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            ["type: meeting", "tags:", "tags: [a, 'b', 1]", "date: 2024-09-29", "  - generated", "  - [x, y]", "- z", "    - 2"]
        ),
        st.sampled_from(["", "   ", "# c", "x: 'it''s'", 'x: "[[A]]"', "x: y: z", "a b: 1.5", "  more", "-x", "t: ~", "- ", "-"]),
        st.text(alphabet=st.sampled_from(list("ab: -#'\"[],\u00a0")), max_size=12),
        st.just("summary: " + "word " * 30),
    ),
    max_size=8,
)


@settings(max_examples=3000, deadline=None)
@given(_YAML_LINES)
def test_frontmatter_lines_kept_from_note_to_note_read_as_read_afresh(lines: list[str]) -> None:
    """Read twice (the second time from what was kept of each line), as the reader read every line."""
    try:
        reference: object = _mapping_reference(lines)
    except ValueError:
        reference = ValueError
    for _ in range(2):
        try:
            found: object = _mapping(lines)
        except ValueError:
            found = ValueError
        assert repr(found) == repr(reference)
        assert (
            [type(value) for value in found.values()] == [type(value) for value in reference.values()] if isinstance(found, dict) else True
        )


def test_each_note_gets_its_own_lists_from_a_kept_line() -> None:
    text = "tags: [a, b]\npeople:\n  - [c]\n  - d\n"
    first, second = simple_load(text), simple_load(text)
    assert first == second == {"tags": ["a", "b"], "people": [["c"], "d"]}
    assert first is not None and second is not None
    first["tags"].append("x")
    first["people"][0].append("y")
    assert second == {"tags": ["a", "b"], "people": [["c"], "d"]}
    assert simple_load(text) == {"tags": ["a", "b"], "people": [["c"], "d"]}


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x80), max_size=20))
def test_ascii_frontmatter_is_unusual_where_the_pattern_finds_it_so(text: str) -> None:
    assert (simple_load("a: b\n" + text) is None) >= (_UNUSUAL.search(text) is not None)
    if text.isascii():
        assert (not text.replace("\n", "").isprintable()) == (_UNUSUAL.search(text) is not None)


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(_MARKDOWN, NOTES, st.sampled_from(["- [ ] a %% b", "%%\n- [ ] hidden\n%%\n- [ ] shown", "## Summary\n\nWords.", "  \n"])),
    st.sampled_from(["", "---\ntype: meeting\n---\n", "---\nsummary: The *gist*\n---\n", "---\ndescription: ''\n---\n"]),
)
def test_facts_worked_out_at_parse_are_what_the_note_works_out_when_asked(body: str, frontmatter: str) -> None:
    """A note kept without its text gets its facts at parse (bot/note.py `parse_note`); the same note
    kept with its text works them out when asked (its cached properties): the reference."""
    text = frontmatter + body
    kept = ParseSettings(generated_headings=("Related",), entity_types=("customer",))
    early = parse_note("Notes/A.md", text, False, None, kept)
    assert early._summary is not UNKNOWN and early._body_length is not UNKNOWN
    reference = parse_note("Notes/A.md", text, False, None, ParseSettings(generated_headings=("Related",)))
    assert reference._summary is UNKNOWN  # worked out when asked: the reference path
    for fact in ("summary", "tasks", "body_length", "commented_tasks"):
        assert getattr(early, fact) == getattr(reference, fact), fact
    assert early.without_text(Source.of(text.encode())).commented_tasks == reference.commented_tasks


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB ./#|É\u0301md")), max_size=12) | st.just("x" * 300 + ".md"))
def test_a_kept_link_name_is_the_one_worked_out(target: str) -> None:
    assert link_name(target) == _link_name(target) == link_name(target)


def _generated_spans_reference(body: str, titles: tuple[str, ...], written: bool) -> list[tuple[int, int]] | str:
    """bot/note.py `_body_links`' generated sections before `may_hold_section` (or the BadNote it raised)."""
    lowered = body.lower()
    wanted = {title.strip().casefold(): title for title in titles if title.lower() in lowered}
    generated: list[tuple[int, int]] = []
    if wanted:
        headings = find_headings(body)
        spans: dict[str, list[tuple[int, int]]] = {}
        for index, heading in enumerate(headings):
            if heading.level == 2 and heading.title.casefold() in wanted:
                end = headings[index + 1].start if index + 1 < len(headings) else len(body)
                spans.setdefault(heading.title.casefold(), []).append((heading.start, end))
        for title, found in spans.items():
            if len(found) > 1 and written:
                return f"the heading '## {wanted[title]}' appears {len(found)} times; keep one"
            generated.extend(found)
    return sorted(generated)


_SECTIONED = st.lists(
    st.sampled_from(
        [
            "## Related",
            "## related ##",
            "  ## RELATED",
            "### Related",
            "## Related work",
            "## Open Tasks",
            "Open tasks",
            "Related",
            "---",
            "  --- ",
            "===",
            "- [[A]]",
            "text about related things",
            "```",
            "<!--",
            "-->",
            "> ## Related",
            "- ## Related",
            "##\tRelated",
            "## Stra\u00dfe",
            "## STRASSE",
            "## Rel\u0130ated",
            "\r",
            "%%",
            "",
        ]
    ),
    max_size=10,
).map("\n".join)
_TITLES = st.sampled_from([("Related",), ("Related", "Open Tasks"), (" Related ",), ("Straße",), ("",), ("a\nb",), ()])


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_SECTIONED, NOTES, _MARKDOWN), _TITLES, st.booleans())
@example("Intro\n\nRelated\n---\n- [[A]]\n", ("Related",), False)
@example("  Open Tasks  \n  --\n[[A]]", ("Related", "Open Tasks"), False)
@example("x\nRelated\n---\n[[A]]", ("Related",), False)
@example("## Related\n[[A]]\nRelated\n-\n[[B]]", ("Related",), True)
@example("## related #\n[[A]]", ("Related",), False)
def test_generated_sections_are_found_after_the_cheap_test_as_before_it(body: str, titles: tuple[str, ...], written: bool) -> None:
    settings_ = ParseSettings(generated_headings=titles)
    reference = _generated_spans_reference(body, titles, written)
    if reference:
        assert may_hold_section(body, titles)
    try:
        links, _ = _body_links(body, settings_, written)
    except BadNote as error:
        assert str(error) == reference
        return
    assert isinstance(reference, list)
    everything = find_links(body)
    assert links == [link for link in everything if not any(start <= link.start < end for start, end in reference)]
