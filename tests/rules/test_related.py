"""related: which entities are listed, their order and counts, and what stays in the section.

Cases run in memory (tests/rules/memory.py): notes in, the changed texts and the warnings out,
exactly, and a second run over the result changes nothing; one end-to-end run of the CLI, and a
property over any vault: each count is the notes two entities share.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import related
from tests.rules.memory import config, index, run_rules, twice
from tests.vaults import run_cli, write_vault

TODAY = datetime.date(2026, 11, 24)


def _entity(*lines: str, kind: str = "customer") -> str:
    listed = "".join(f"{line}\n" for line in lines) + "\n" if lines else ""
    return f"---\ntype: {kind}\n---\n# Acme\n\n## Related\n\n{listed}## Notes\n\nkeep me\n"


ANN = "---\ntype: person\n---\n"
PEOPLE = {
    "People/Ann/Ann.md": ANN,
    "People/bob.md": "---\ntype: person\n---\n",
    "Projects/Apollo/Apollo.md": "---\ntype: project\n---\n",
    "Customers/Globex.md": "---\ntype: customer\n---\n",
}

# (notes, related options, the lines Acme lists, label)
LINES = [
    (
        {
            "Meetings/2026-11-01 a.md": "---\ntype: meeting\nparticipants: ['[[Acme]]', '[[Ann]]']\n---\n",
            "Meetings/2026-11-02 b.md": "[[Acme]] and [[Ann]] and [[bob]]\n",
            "Acme/2026-11-03 c.md": "With [[Apollo]] and [[bob]].\n",
            "Projects/Apollo/2026-11-04 d.md": "Apollo's own note about [[Acme]].\n",
            "Meetings/2026-11-05 e.md": "[[Globex]] only.\n",
        },
        {},
        [
            "- [[Ann]] (person, 2 shared notes)",
            "- [[Apollo]] (project, 2 shared notes)",
            "- [[bob]] (person, 2 shared notes)",
        ],
        "most-shared-first-then-name-any-case",
    ),
    (
        {"Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]] [[Globex]]\n", "Meetings/2026-11-02 b.md": "[[Acme]] [[Ann]]\n"},
        {"min_shared": 2},
        ["- [[Ann]] (person, 2 shared notes)"],
        "min-shared",
    ),
    (
        {"Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]] [[Globex]] [[bob]]\n", "Meetings/2026-11-02 b.md": "[[Acme]] [[bob]]\n"},
        {"max_entries": 2},
        ["- [[bob]] (person, 2 shared notes)", "- [[Ann]] (person, 1 shared note)"],
        "max-entries",
    ),
    (
        {
            "Meetings/2026-11-01 a.md": '---\nduplicate_of: "[[2026-11-01 b]]"\n---\n[[Acme]] [[Ann]]\n',
            "Meetings/2026-11-01 b.md": "[[Acme]] [[bob]]\n",
            "Meetings/2026-12-01 c.md": "[[Acme]] [[Globex]]\n",
            "Customers/Globex/Globex.md": "---\ntype: customer\n---\n[[Acme]] from an entity note, not a related note\n",
        },
        {},
        ["- [[bob]] (person, 1 shared note)"],
        "duplicates-future-notes-and-entity-notes-share-nothing",
    ),
]


def _lines(notes: dict[str, str], options: dict[str, Any], expected: list[str], label: str) -> Any:
    """Acme's stale list, the people and the notes: what the list becomes."""
    people = {path: text for path, text in PEOPLE.items() if not any(p.endswith(path.rsplit("/", 1)[-1]) for p in notes if p != path)}
    vault = {"Acme/Acme.md": _entity("- stale"), **people, **notes}
    return pytest.param(vault, options, {"Acme/Acme.md": _entity(*expected)}, [], id=label)


HINTED = (
    "---\ntype: customer\n---\n# Acme\n\nWorks with [[Ann]].\n\n## Related\n\n- [[Ann]]\n"
    "<!-- Wikilinks to related\nentities -->\nmy own words\n<!-- two -->\n"
)
IN_CODE = "---\ntype: customer\n---\n## Related\n\nHints look like `<!--` this.\n```\n<!-- shown -->\n```\n<!-- a real hint -->\n"

# (notes, related options, what the run writes, its warnings)
CASES = [
    *(_lines(notes, options, expected, label) for notes, options, expected, label in LINES),
    pytest.param(
        {"Acme/Acme.md": HINTED, **PEOPLE, "Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]]\n"},
        {},
        {
            "Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\nWorks with [[Ann]].\n\n## Related\n\n"
            "<!-- Wikilinks to related\nentities -->\n<!-- two -->\n- [[Ann]] (person, 1 shared note)\n"
        },
        [],
        id="hand-linked-entities-are-listed-and-comments-stay-on-top",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n---\n## Related\n\n<!-- open\n\nprecious text\n", **PEOPLE, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {},
        ["A.md: related: an HTML comment opens in the '## Related' section and does not close there; fix the section by hand"],
        id="a-comment-that-does-not-close-in-the-section-stops-the-rewrite",
    ),
    pytest.param(
        # `<!--` in a code span or block is shown as written: it neither stops the rewrite nor is kept as a hint.
        {"A.md": IN_CODE, **PEOPLE, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {"A.md": "---\ntype: customer\n---\n## Related\n\n<!-- a real hint -->\n- [[Ann]] (person, 1 shared note)\n"},
        [],
        id="comment-markers-in-code-are-not-comments",
    ),
    pytest.param(
        {"A.md": "---\r\ntype: customer\r\n---\r\n## Related\r\n", "People/Ann/Ann.md": ANN, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {"A.md": "---\r\ntype: customer\r\n---\r\n## Related\r\n\r\n- [[Ann]] (person, 1 shared note)\r\n"},
        [],
        id="crlf-kept",
    ),
    pytest.param(
        {"A.md": "\ufeff---\ntype: customer\n---\n## Related", "People/Ann/Ann.md": ANN, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {"A.md": "\ufeff---\ntype: customer\n---\n## Related\n\n- [[Ann]] (person, 1 shared note)"},
        [],
        id="bom-and-no-final-newline-kept",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n---\n~~~\n## Related\n~~~\n", "People/Ann/Ann.md": ANN, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {},
        [],
        id="heading-in-a-code-block-is-no-section",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n## Related\n", "People/Ann/Ann.md": ANN, "N.md": "[[A]] [[Ann]]\n"},
        {},
        {},
        ["A.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\nText.\n", **PEOPLE, "N.md": "[[Acme]] [[Ann]]\n"},
        {},
        {},
        [],
        id="notes-without-the-section-are-left-alone",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\nText.\n", "People/Ann/Ann.md": ANN, "N.md": "[[Acme]] [[Ann]]\n"},
        {"create_missing": True},
        {
            "Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\nText.\n\n## Related\n\n- [[Ann]] (person, 1 shared note)\n",
            "People/Ann/Ann.md": ANN + "## Related\n\n- [[Acme]] (customer, 1 shared note)\n",
        },
        [],
        id="create-missing-adds-the-section",
    ),
    pytest.param(
        # The Related and Open Tasks sections' own links make no note related to anything.
        {
            "Acme/Acme.md": _entity(),
            **PEOPLE,
            "Hub.md": "## Related\n\n- [[Acme]] [[Ann]]\n\n## Open Tasks\n\n- [ ] x ([[Acme]]) [[Ann]]\n",
        },
        {},
        {},
        [],
        id="links-in-generated-sections-do-not-count",
    ),
]


@pytest.mark.parametrize(("notes", "options", "expected", "warnings"), CASES)
def test_related(notes: dict[str, str], options: dict[str, Any], expected: dict[str, str], warnings: list[str]) -> None:
    first, second = twice([related], notes, config({"rules": {"related": options}}), TODAY)
    assert first == (expected, warnings)
    assert second == ({}, warnings), "a second run changes nothing"


MEETING = "---\ntype: meeting\n---\n# Sync with [[A]] and [[Ann]]\n\n## Related\n\n- x\n\n## Notes\n\n## Related\n\nmore\n"


def test_a_meeting_note_with_two_related_headings_is_not_skipped() -> None:
    """The bot writes `## Related` in entity notes only: a meeting template's own two are no reason to skip the meeting."""
    notes = {
        "A.md": "---\ntype: customer\n---\n## Related\n\n## Recent Context\n",
        "People/Ann/Ann.md": ANN,
        "M/2026-11-20 sync.md": MEETING,
    }
    assert run_rules(None, notes, today=TODAY) == (
        {
            "A.md": "---\ntype: customer\ntags:\n  - type/customer\n---\n## Related\n\n- [[Ann]] (person, 1 shared note)\n\n"
            "## Recent Context\n\n- 2026-11-20: [[2026-11-20 sync]] - x\n",
            "People/Ann/Ann.md": "---\ntype: person\ntags:\n  - type/person\n---\n",
            "M/2026-11-20 sync.md": MEETING.replace("type: meeting\n", "type: meeting\ntags:\n  - type/meeting\n"),
        },
        [],
    )
    notes["A.md"] = "---\ntype: customer\n---\n## Related\n\n## Related\n"
    assert run_rules(None, notes, today=TODAY).warnings == ["A.md: skipped: the heading '## Related' appears 2 times; keep one"]


def test_related_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": _entity("<!-- hint -->"), **PEOPLE, "Acme/2026-11-01 call.md": "With [[Ann]].\n"})
    result = run_cli("run", tmp_path, "--rule", "related", "--no-commit", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Acme/Acme.md").read_text() == _entity("<!-- hint -->", "- [[Ann]] (person, 1 shared note)")


# -- for any vault: each count is the notes both entities' Recent Context would list ------------

_NAMES = ["Acme", "Globex", "Ann", "Bob"]
_ENTITY_PATHS = {"Acme": "Customers/Acme/Acme.md", "Globex": "Customers/Globex.md", "Ann": "People/Ann/Ann.md", "Bob": "People/Bob.md"}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Customers/Acme", "Customers/Globex", "People/Ann", "Meetings"]),
            st.lists(st.sampled_from(_NAMES), max_size=3),
            st.sampled_from(["2026-11-01", "2026-12-30", None]),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_counts_are_the_notes_two_entities_share(meetings: list[tuple[str, list[str], str | None, bool]]) -> None:
    texts = {path: f"---\ntype: {'customer' if 'Customers' in path else 'person'}\n---\n## Related\n" for path in _ENTITY_PATHS.values()}
    for number, (folder, links, day, duplicate) in enumerate(meetings):
        front = (f"date: {day}\n" if day else "") + ('duplicate_of: "[[x]]"\n' if duplicate else "")
        texts[f"{folder}/m{number}.md"] = f"---\n{front}---\n" + " ".join(f"[[{name}]]" for name in links) + "\n"
    vault = index(texts, folders=["Customers/Acme", "Customers/Globex", "People/Ann"])
    today = TODAY
    options = related.Options(max_entries=1000)
    for entity in vault.entities:
        mine = set(vault.related(entity, today))
        expected = {other: len(mine & set(vault.related(other, today))) for other in vault.entities if other != entity}
        lines = related.entries(vault, entity, options, today)
        listed = {vault.notes[o].name: n for o, n in expected.items() if n}
        assert len(lines) == len(listed)
        for line in lines:
            name, count = re.fullmatch(r"- \[\[(.+)\]\] \(\w+, (\d+) shared notes?\)", line).groups()
            assert listed[name] == int(count)
        counts = [int(re.search(r"(\d+) shared", line).group(1)) for line in lines]
        assert counts == sorted(counts, reverse=True)
