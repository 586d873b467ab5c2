"""Parsed notes stay small (bot/note_shared.py, bot/note.py): equal strings and dates parsed in one
run are one object, a note has no `__dict__`, a task no second copy of its text, and a typical
note's facts fit a byte budget; pickles and copies keep the facts already worked out."""

from __future__ import annotations

import dataclasses
import os
import pickle
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.note_shared
from bot.markdown import find_links, find_tasks
from bot.note import UNKNOWN, Note, ParseSettings, Source, parse_note
from bot.reading import parse_files
from bot.scan import FileStat
from tests.vaults import PARSE_DEFAULTS, write_vault

MEETINGS = 300
KEPT_WITHOUT_TEXT = ParseSettings(generated_headings=PARSE_DEFAULTS.generated_headings, entity_types=("customer",))


def _meeting(n: int) -> str:
    return (
        f"---\ntype: meeting\ndate: 2026-11-{n % 20 + 1:02d}\nparticipants: ['[[Alice Smith]]', '[[Bob Jones]]']\ntags: [sync, acme]\n---\n"
        f"# Sync {n}\n\nWe spoke with [[Acme Corp]] about [[Project Falcon|the project]] and the [[Roadmap#Q3]].\n\n"
        f"- [ ] Send the proposal to Acme, draft {n}\n- [x] Book the room for meeting {n}\n"
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, FileStat]:
    write_vault(tmp_path, {f"Meetings/Sync {n}.md": _meeting(n) for n in range(MEETINGS)})
    return {f"Meetings/Sync {n}.md": _stat(tmp_path / f"Meetings/Sync {n}.md") for n in range(MEETINGS)}


def _stat(path: Path) -> FileStat:
    found = path.stat()
    return FileStat(found.st_size, found.st_mtime_ns, found.st_ino, 0, found.st_ctime_ns)


def _parsed(root: Path, files: dict[str, FileStat], workers: int) -> list[Note]:
    notes = list(parse_files(root, files, KEPT_WITHOUT_TEXT, workers=workers).values())
    assert all(isinstance(note, Note) for note in notes)
    return notes  # type: ignore[return-value]


def _copies(values: list[object]) -> int:
    """How many distinct objects hold these equal values."""
    assert len({repr(value) for value in values}) == 1
    return len({id(value) for value in values})


@pytest.mark.parametrize("workers", [1, 2])
def test_equal_strings_and_dates_are_one_object_per_parsing_process(tmp_path: Path, files: dict[str, FileStat], workers: int) -> None:
    if workers > 1 and not hasattr(os, "fork"):
        pytest.skip("parsing in parallel needs os.fork")
    notes = _parsed(tmp_path, files, workers)
    keys = [key for note in notes for key in (note.frontmatter or {}) if key == "participants"]
    values = [note.get("type") for note in notes]
    participants = [note.get("participants")[0] for note in notes]
    targets = [link.target for note in notes for link in note.links if link.target == "Acme Corp"]
    names = [name for note in notes for name in note.link_names if name == "acme corp"]
    same_day = [note.date for note in notes if str(note.date.date) == "2026-11-01"]
    assert len(targets) == len(names) == MEETINGS and len(same_day) == MEETINGS // 20
    for shared in (keys, values, participants, targets, names, same_day):
        assert _copies(shared) <= workers  # each parsing process shares its own; pickling keeps it shared
    assert bot.note_shared._strings is None, "the table lives as long as the parse: nothing kept between runs"


def test_a_typical_notes_facts_fit_the_budget(tmp_path: Path, files: dict[str, FileStat]) -> None:
    """A meeting note kept without its text: 3 links (and 2 in its frontmatter), 2 tasks, a summary.
    Its facts took 4,360 bytes before they were made compact, 2,010 after (Python 3.11)."""
    notes = _parsed(tmp_path, files, workers=1)
    assert all(note.text is None for note in notes)
    seen = {id(value) for item in files.items() for value in item}  # the paths and stats the scan holds
    per_note = sum(_deep_size(note, seen) for note in notes) / len(notes)
    assert per_note < 2_200, per_note
    assert not hasattr(notes[0], "__dict__")


def _deep_size(value: object, seen: set[int]) -> int:
    """Bytes of `value` and what it refers to, each object counted once across calls (`seen`)."""
    total, pending = 0, [value]
    while pending:
        item = pending.pop()
        if id(item) in seen or item is None or isinstance(item, (bool, type)) or item is UNKNOWN:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            pending.extend((*item.keys(), *item.values()))
        elif isinstance(item, (tuple, list, set, frozenset)):
            pending.extend(item)
        elif hasattr(item, "__slots__"):
            pending.extend(getattr(item, name) for name in item.__slots__)
    return total


def test_pickles_and_copies_keep_the_facts_worked_out() -> None:
    note = parse_note("Meetings/Sync 1.md", _meeting(1), False, None, PARSE_DEFAULTS)
    assert note._summary is UNKNOWN and note._tasks is not UNKNOWN  # parsing from disk finds the tasks, not the summary
    summary = note.summary
    for copy in (pickle.loads(pickle.dumps(note, protocol=pickle.HIGHEST_PROTOCOL)), dataclasses.replace(note, stat=None)):
        assert copy == note and copy._summary == summary and copy._tasks == note.tasks and copy._headings is UNKNOWN
    kept = note.without_text(Source.of(_meeting(1).encode()))
    assert kept.text is None and kept._headings is UNKNOWN
    assert (kept.summary, kept.tasks, kept.body_length, kept.commented_tasks) == (summary, note.tasks, note.body_length, ())
    assert kept.with_text(note.full_text()).headings == note.headings


_TASK = re.compile(r"\n(?P<line>(?P<marker>[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[^\]\n]\])(?P<task>[ \t][^\n]*|\r)?)(?=\n|\Z)")


@settings(deadline=None)  # a busy machine stalls single examples
@given(st.lists(st.sampled_from(["- [ ] ", "- [x]", "> 1. [/]\t", "* [?]  ", " a ", "b", "\r", " \u2003", "%%", "[[L]]"]), max_size=8))
def test_a_tasks_text_is_what_followed_its_checkbox(parts: list[str]) -> None:
    """`Task.text`, read from the line, is the trimmed text after the checkbox that tasks once kept beside it."""
    text = "".join(parts) + "\n" + "".join(reversed(parts))
    expected = [(found.group("task") or "").strip() for found in _TASK.finditer("\n" + text)]
    assert [task.text for task in find_tasks(text)] == expected


@settings(deadline=None)  # a busy machine stalls single examples
@given(st.lists(st.sampled_from(["[[A]]", "![[B#h|c]]", "[t](C.md)", " x ", "`[[D]]`", "\n", "[[E|"]), max_size=8))
def test_a_notes_links_are_the_links_found_with_their_key(parts: list[str]) -> None:
    body = "".join(parts)
    note = parse_note("N.md", body, False, None, PARSE_DEFAULTS)
    assert [link.link for link in note.links] == find_links(body)
    assert all(link.key is None and link.target == link.link.target for link in note.links)
