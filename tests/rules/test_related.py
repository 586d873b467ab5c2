"""related: which entities are listed, their order and counts, and what stays in the section."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.note import ParseSettings, parse_note
from bot.obsidian import ObsidianSettings
from bot.vault import VaultIndex
from rules import related
from tests.vaults import changed_text, plan, run_cli, write_vault


def _entity(*lines: str, kind: str = "customer") -> str:
    listed = "".join(f"{line}\n" for line in lines) + "\n" if lines else ""
    return f"---\ntype: {kind}\n---\n# Acme\n\n## Related\n\n{listed}## Notes\n\nkeep me\n"


PEOPLE = {
    "People/Ann/Ann.md": "---\ntype: person\n---\n",
    "People/bob.md": "---\ntype: person\n---\n",
    "Projects/Apollo/Apollo.md": "---\ntype: project\n---\n",
    "Customers/Globex.md": "---\ntype: customer\n---\n",
}

CASES = [
    pytest.param(
        {
            "Meetings/2026-11-01 a.md": "---\ntype: meeting\nparticipants: ['[[Acme]]', '[[Ann]]']\n---\n",
            "Meetings/2026-11-02 b.md": "[[Acme]] and [[Ann]] and [[bob]]\n",
            "Acme/2026-11-03 c.md": "With [[Apollo]] and [[bob]].\n",
            "Projects/Apollo/2026-11-04 d.md": "Apollo's own note about [[Acme]].\n",
            "Meetings/2026-11-05 e.md": "[[Globex]] only.\n",
        },
        "",
        [
            "- [[Ann]] (person, 2 shared notes)",
            "- [[Apollo]] (project, 2 shared notes)",
            "- [[bob]] (person, 2 shared notes)",
        ],
        id="most-shared-first-then-name-any-case",
    ),
    pytest.param(
        {"Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]] [[Globex]]\n", "Meetings/2026-11-02 b.md": "[[Acme]] [[Ann]]\n"},
        "rules:\n  related:\n    min_shared: 2\n",
        ["- [[Ann]] (person, 2 shared notes)"],
        id="min-shared",
    ),
    pytest.param(
        {"Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]] [[Globex]] [[bob]]\n", "Meetings/2026-11-02 b.md": "[[Acme]] [[bob]]\n"},
        "rules:\n  related:\n    max_entries: 2\n",
        ["- [[bob]] (person, 2 shared notes)", "- [[Ann]] (person, 1 shared note)"],
        id="max-entries",
    ),
    pytest.param(
        {
            "Meetings/2026-11-01 a.md": '---\nduplicate_of: "[[2026-11-01 b]]"\n---\n[[Acme]] [[Ann]]\n',
            "Meetings/2026-11-01 b.md": "[[Acme]] [[bob]]\n",
            "Meetings/2026-12-01 c.md": "[[Acme]] [[Globex]]\n",
            "Customers/Globex/Globex.md": "---\ntype: customer\n---\n[[Acme]] from an entity note, not a related note\n",
        },
        "",
        ["- [[bob]] (person, 1 shared note)"],
        id="duplicates-future-notes-and-entity-notes-share-nothing",
    ),
]


@pytest.mark.parametrize(("notes", "config", "expected"), CASES)
def test_related_lines(tmp_path: Path, notes: dict[str, str], config: str, expected: list[str]) -> None:
    people = {path: text for path, text in PEOPLE.items() if not any(p.endswith(path.rsplit("/", 1)[-1]) for p in notes if p != path)}
    write_vault(tmp_path, {".vaultbot.yaml": config, "Acme/Acme.md": _entity("- stale"), **people, **notes})
    result = changed_text(tmp_path, "Acme/Acme.md", related.ID)
    assert result == _entity(*expected)
    write_vault(tmp_path, {"Acme/Acme.md": result})
    assert changed_text(tmp_path, "Acme/Acme.md", related.ID) is None, "a second run changes nothing"


def test_hand_linked_entities_are_listed_and_comments_stay_on_top(tmp_path: Path) -> None:
    entity = "---\ntype: customer\n---\n# Acme\n\nWorks with [[Ann]].\n\n## Related\n\n- [[Ann]]\n<!-- Wikilinks to related\nentities -->\nmy own words\n<!-- two -->\n"
    write_vault(tmp_path, {"Acme/Acme.md": entity, **PEOPLE, "Meetings/2026-11-01 a.md": "[[Acme]] [[Ann]]\n"})
    assert changed_text(tmp_path, "Acme/Acme.md", related.ID) == (
        "---\ntype: customer\n---\n# Acme\n\nWorks with [[Ann]].\n\n## Related\n\n"
        "<!-- Wikilinks to related\nentities -->\n<!-- two -->\n- [[Ann]] (person, 1 shared note)\n"
    )


def test_a_comment_that_does_not_close_in_the_section_stops_the_rewrite(tmp_path: Path) -> None:
    entity = "---\ntype: customer\n---\n## Related\n\n<!-- open\n\nprecious text\n"
    write_vault(tmp_path, {"A.md": entity, **PEOPLE, "N.md": "[[A]] [[Ann]]\n"})
    result = plan(tmp_path, related.ID)
    assert result.changes == []
    assert [p.message for p in result.problems if p.path == "A.md"] == [
        "related: an HTML comment opens in the '## Related' section and does not close there; fix the section by hand"
    ]


def test_comment_markers_in_code_are_not_comments(tmp_path: Path) -> None:
    """`<!--` in a code span or block is shown as written: it neither stops the rewrite nor is kept as a hint."""
    entity = "---\ntype: customer\n---\n## Related\n\nHints look like `<!--` this.\n```\n<!-- shown -->\n```\n<!-- a real hint -->\n"
    write_vault(tmp_path, {"A.md": entity, **PEOPLE, "N.md": "[[A]] [[Ann]]\n"})
    result = plan(tmp_path, related.ID)
    assert [p.message for p in result.problems] == []
    assert [c.after.decode() for c in result.changes] == [
        "---\ntype: customer\n---\n## Related\n\n<!-- a real hint -->\n- [[Ann]] (person, 1 shared note)\n"
    ]


def test_a_meeting_note_with_two_related_headings_is_not_skipped(tmp_path: Path) -> None:
    """The bot writes `## Related` in entity notes only: a meeting template's own two are no reason to skip the meeting."""
    meeting = "---\ntype: meeting\n---\n# Sync with [[A]] and [[Ann]]\n\n## Related\n\n- x\n\n## Notes\n\n## Related\n\nmore\n"
    write_vault(
        tmp_path, {"A.md": "---\ntype: customer\n---\n## Related\n\n## Recent Context\n", **PEOPLE, "M/2026-11-20 sync.md": meeting}
    )
    result = plan(tmp_path)
    assert [p.message for p in result.problems] == []
    changed = {c.path: c.after.decode() for c in result.changes}
    assert changed["A.md"] == (
        "---\ntype: customer\ntags:\n  - type/customer\n---\n## Related\n\n- [[Ann]] (person, 1 shared note)\n\n"
        "## Recent Context\n\n- 2026-11-20: [[2026-11-20 sync]] - x\n"
    )
    assert changed["M/2026-11-20 sync.md"] == meeting.replace("type: meeting\n", "type: meeting\ntags:\n  - type/meeting\n")
    twice = "---\ntype: customer\n---\n## Related\n\n## Related\n"
    write_vault(tmp_path, {"A.md": twice})
    assert [(p.path, p.message) for p in plan(tmp_path).problems] == [
        ("A.md", "skipped: the heading '## Related' appears 2 times; keep one")
    ]


def test_notes_without_the_section_are_left_alone_unless_create_missing(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\nText.\n", **PEOPLE, "N.md": "[[Acme]] [[Ann]]\n"})
    assert changed_text(tmp_path, "Acme/Acme.md", related.ID) is None
    write_vault(tmp_path, {".vaultbot.yaml": "rules:\n  related:\n    create_missing: true\n"})
    assert changed_text(tmp_path, "Acme/Acme.md", related.ID) == (
        "---\ntype: customer\n---\n# Acme\n\nText.\n\n## Related\n\n- [[Ann]] (person, 1 shared note)\n"
    )


def test_links_in_generated_sections_do_not_count(tmp_path: Path) -> None:
    """The Related and Open Tasks sections' own links make no note related to anything."""
    hub = "## Related\n\n- [[Acme]] [[Ann]]\n\n## Open Tasks\n\n- [ ] x ([[Acme]]) [[Ann]]\n"
    write_vault(tmp_path, {"Acme/Acme.md": _entity(), **PEOPLE, "Hub.md": hub})
    assert changed_text(tmp_path, "Acme/Acme.md", related.ID) is None


def test_related_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": _entity("<!-- hint -->"), **PEOPLE, "Acme/2026-11-01 call.md": "With [[Ann]].\n"})
    result = run_cli("run", tmp_path, "--rule", "related", "--no-commit", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Acme/Acme.md").read_text() == _entity("<!-- hint -->", "- [[Ann]] (person, 1 shared note)")


# -- for any vault: each count is the notes both entities' Recent Context would list ------------

_CONFIG = parse_config(None)
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
    settings_ = ParseSettings(generated_headings=_CONFIG.generated_headings)
    texts = {path: f"---\ntype: {'customer' if 'Customers' in path else 'person'}\n---\n## Related\n" for path in _ENTITY_PATHS.values()}
    for index, (folder, links, day, duplicate) in enumerate(meetings):
        front = (f"date: {day}\n" if day else "") + ('duplicate_of: "[[x]]"\n' if duplicate else "")
        texts[f"{folder}/m{index}.md"] = f"---\n{front}---\n" + " ".join(f"[[{name}]]" for name in links) + "\n"
    notes = {path: parse_note(path, text, False, None, settings_) for path, text in texts.items()}
    vault = VaultIndex(notes, {"Customers/Acme", "Customers/Globex", "People/Ann"}, ObsidianSettings(), _CONFIG.index)
    today = datetime.date(2026, 11, 24)
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
