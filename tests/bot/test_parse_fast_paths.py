"""Parsing's shortcuts give what the longer way gives, for every note."""

from __future__ import annotations

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
    _task_lines,
    _wikilink,
    find_tasks,
    find_wikilinks_in_value,
    iter_frontmatter_links,
)
from bot.sections import mask_code
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
