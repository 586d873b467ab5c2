"""The facts a note kept without its text holds (bot/note.py) are what the rules computed from its body
before: for every body, the old body-based code and the facts agree."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.edits import LinkReplacement, RewriteLinks
from bot.hidden import hidden_offsets
from bot.markdown import _TASK_LINE, _lines_outside_code, find_links, find_tasks, retarget_link, task_key
from bot.note import Note, ParseSettings, Source, parse_note
from bot.render import render
from bot.summary import note_summary
from rules.open_tasks import opens_comment
from tests.vaults import PARSE_DEFAULTS

# The body searches rules made before notes kept facts: the reference the facts must equal.
# Callout lines (`> - [ ] x`) count: Obsidian renders and indexes those tasks.
_UNCHECKED_TASK_LINE = re.compile(r"\n(?P<line>(?P<marker>[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+\[ \])(?:[ \t][^\n]*|\r)?)(?=\n|\Z)")


def _outside_code(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    return list(_lines_outside_code(text, None, list(pattern.finditer("\n" + text))))


def unchecked_tasks(text: str) -> list[str]:
    """Unchecked task lines outside code, as written, without line endings."""
    return [found.group("line").rstrip("\r") for found in _outside_code(_UNCHECKED_TASK_LINE, text)]


def task_keys(text: str) -> set[str]:
    """`task_key` of every task outside code, checked or not."""
    return {task_key(found.group("line")) for found in _outside_code(_TASK_LINE, text)}


KEPT_WITHOUT_TEXT = ParseSettings(generated_headings=PARSE_DEFAULTS.generated_headings, entity_types=("customer",))

PIECES = [
    "- [ ] call Ana",
    "- [x] done",
    "  * [ ] nested",
    "> - [ ] in a callout",
    "1. [ ] numbered",
    "- [ ]",
    "- [ ] ",
    "- [/] half",
    "- [ ] a %% opens",
    "%%",
    "%% hidden %%",
    "```",
    "~~~",
    "    - [ ] indented code",
    "`- [ ] code span`",
    "<!--",
    "-->",
    "## Summary",
    "# Title",
    "Plain words here.",
    "See [[Acme|the customer]] and ![[Acme#Plan]].",
    "[x](Old.md) and [[Old]] and [[ Old ]] and [[Old\\|shown]]",
    "| a | [[Old\\|b]] |",
    "",
    "   ",
]


@st.composite
def bodies(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(PIECES), max_size=12))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


def _parsed(body: str, frontmatter: str) -> tuple[Note, str]:
    text = f"---\n{frontmatter}---\n{body}" if frontmatter else body
    note = parse_note("Meetings/Sync.md", text, False, None, KEPT_WITHOUT_TEXT)
    return note.without_text(Source.of(text.encode())), note.body


def _old_open_tasks(body: str) -> list:
    """rules/open_tasks.py `open_tasks` as it read the body before the facts."""
    if "[ ]" not in body:
        return []
    hidden = hidden_offsets(body) if "%%" in body else None
    return [
        task
        for task in find_tasks(body)
        if task.status == " " and task.text and not opens_comment(task) and (hidden is None or not hidden(task.start + task.box))
    ]


@settings(max_examples=400, deadline=None)
@given(bodies(), st.sampled_from(["", "type: meeting\n", "summary: From the property\n", "description: ''\n"]))
def test_the_facts_equal_what_the_body_gave(body: str, frontmatter: str) -> None:
    note, parsed_body = _parsed(body, frontmatter)
    assert note.text is None and parsed_body == body
    assert list(note.tasks) == find_tasks(body)
    assert note.body_length == len(body.strip())  # dedupe-meetings and meeting-groups: the longest body
    assert {task_key(task.line) for task in note.tasks} == task_keys(body)  # dedupe-meetings: the canonical's tasks
    assert [task.line for task in note.tasks if task.status == " "] == unchecked_tasks(body)  # and the duplicates'
    kept_open = [t for t in note.tasks if t.status == " " and t.text and not opens_comment(t) and t.start not in note.commented_tasks]
    assert kept_open == _old_open_tasks(body)  # open-tasks
    assert note.summary == note_summary(note.frontmatter, body)  # recent-context, meeting-groups


@settings(max_examples=300, deadline=None)
@given(bodies())
def test_links_rewritten_by_the_renderer_equal_those_the_rule_rewrote_from_the_body(body: str) -> None:
    links = find_links(body)
    expected = body
    for link in sorted(links, key=lambda link: link.start, reverse=True):  # bot/relink.py before: from the body
        old = expected[link.start : link.end]
        expected = expected[: link.start] + retarget_link(old, link, "Archive/New") + expected[link.end :]
    edits = [RewriteLinks(tuple(LinkReplacement(link, "Archive/New") for link in links))] if links else []
    assert render(body, 0, "\n", edits) == expected
