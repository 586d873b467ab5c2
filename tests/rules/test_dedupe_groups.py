"""dedupe-meetings: what a group touches.

File-name times on dated meetings, a switch from mark to archive mode after the
links changed which note wins, a hand-marked note that wins, a refused move, and
`duplicate_of` marks that name no note.

Cases run in memory (tests/rules/memory.py), every enabled rule as a plain run (tags off),
texts and warnings exact; on disk, the two that hang on a remembered clean run.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.config import Config
from rules import dedupe_meetings
from tests.rules.memory import Notes, Run, config, run, run_rules, twice
from tests.vaults import plan, run_cli, tree_state, write_vault

NO_TAGS = "  tags:\n    enabled: false\n"  # the tags rule would add `type/...` tags to every note here
MARK = "rules:\n  dedupe-meetings:\n    mode: mark\n" + NO_TAGS
ARCHIVE = "rules:\n  dedupe-meetings:\n    mode: archive\n" + NO_TAGS
TODAY = datetime.date(2026, 11, 24)


def _settings(mode: str) -> Config:
    return config({"rules": {"dedupe-meetings": {"mode": mode}, "tags": {"enabled": False}}})


MODES = [_settings("mark"), _settings("archive")]


def plain_run(notes: Notes, settings: Config) -> Run:
    """A plain run (every enabled rule) in memory."""
    return run(None, notes, settings, TODAY)


PERSON = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n\n## Recent Context\n\n## Notes\n\nkeep me\n"


def meeting(extra: str = "", body: str = "Notes.\n") -> str:
    return f'---\ntype: meeting\ndate: 2026-11-02\nparticipants: ["[[Ann]]", "[[Bo]]"]\n{extra}---\n{body}'


def person(*lines: str, last_contact: str = "2026-11-02") -> str:
    listed = "".join(f"{line}\n" for line in lines)
    return f"---\ntype: person\nlast_contact: {last_contact}\n---\n# Ann\n\n## Recent Context\n\n{listed}\n## Notes\n\nkeep me\n"


def read(root: Path, path: str) -> str:
    return (root / path).read_text(encoding="utf-8")


MODE_IDS = ["mark", "archive"]


@pytest.mark.parametrize("settings", MODES, ids=MODE_IDS)
def test_file_name_times_tell_two_meetings_of_one_day_apart(settings: Config) -> None:
    # Item 9: `date:` dates both notes; the file names still say 09:00 and 16:00.
    standup = "People/Ana Pereira/2026-05-21 0900 - Standup.md"
    retro = "People/Ana Pereira/2026-05-21 1600 - Retro.md"
    note = '---\ntype: meeting\ndate: 2026-05-21\nparticipants: ["[[Ana Pereira]]", "[[Bo]]"]\n---\n{}\n'
    ana = "---\ntype: person\n---\n# Ana\n\n## Recent Context\n\n## Notes\n"
    notes = {"People/Ana Pereira/Ana Pereira.md": ana, standup: note.format("Standup."), retro: note.format("Retro.")}
    listed = "- 2026-05-21: [[2026-05-21 1600 - Retro]] - Retro.\n- 2026-05-21: [[2026-05-21 0900 - Standup]] - Standup.\n"
    first, second = twice(None, notes, settings, TODAY)
    assert first == (
        {"People/Ana Pereira/Ana Pereira.md": ana.replace("## Recent Context\n\n", "## Recent Context\n\n" + listed + "\n")},
        [],
    )
    assert second == ({}, [])


A = "People/Ann/2026-11-02 - Sync.md"
B = "People/Ann/2026-11-02 - Sync copy.md"
HUBS = {"Hub1.md": "[[2026-11-02 - Sync copy]]\n", "Hub2.md": "[[2026-11-02 - Sync copy]]\n"}
LINKER = {"Linker.md": "See [[2026-11-02 - Sync|it]].\n"}


def _marked_by_a_mark_run() -> dict[str, str | bytes]:
    """A mark-mode run picks A (ties: smallest path) and marks B; then two notes link to B."""
    notes = {"People/Ann/Ann.md": PERSON, A: meeting(), B: meeting(), **LINKER}
    first = plain_run(notes, _settings("mark"))
    assert first.changed[B] == meeting('duplicate_of: "[[2026-11-02 - Sync]]"\n')
    return {**first.after(notes), **HUBS}


def _hand_marked() -> dict[str, str | bytes]:
    """Someone marked B by hand, and B is the note most linked to."""
    return {"People/Ann/Ann.md": PERSON, A: meeting(), B: meeting('duplicate_of: "[[2026-11-02 - Sync]]"\n'), **LINKER, **HUBS}


@pytest.mark.parametrize("history", [_marked_by_a_mark_run, _hand_marked], ids=["after a mark run", "hand-marked"])
def test_archive_keeps_the_winner_unmarked_and_listed(history) -> None:
    # Item 10: the winner B was marked a duplicate of A; archiving A must drop B's mark,
    # not point it at B itself, and B must stay in Recent Context and last_contact.
    first, second = twice(None, history(), _settings("archive"), TODAY)
    assert first == (
        {
            B: meeting(),
            "_archive/duplicates/" + A: meeting('duplicate_of: "[[2026-11-02 - Sync copy]]"\n'),
            "Linker.md": "See [[2026-11-02 - Sync copy|it]].\n",
            "People/Ann/Ann.md": person("- 2026-11-02: [[2026-11-02 - Sync copy]] - Notes."),
        },
        [],
    )
    assert second == ({}, [])


@pytest.mark.parametrize(
    ("mark", "named"),
    [("[[Gone]]", "no note in the vault"), ("Gone", "no note in the vault"), ("[[2026-11-01 - Call]]", "the note itself")],
    ids=["missing link", "missing plain name", "itself"],
)
def test_duplicate_of_naming_no_other_note_is_reported_and_hides_nothing(mark: str, named: str) -> None:
    call = "People/Ann/2026-11-01 - Call.md"
    notes = {"People/Ann/Ann.md": PERSON, call: f'---\ntype: call\ndate: 2026-11-01\nduplicate_of: "{mark}"\n---\nCall.\n'}
    target = mark.strip("[]")
    assert plain_run(notes, _settings("mark"))[:2] == (
        {"People/Ann/Ann.md": person("- 2026-11-01: [[2026-11-01 - Call]] - Call.", last_contact="2026-11-01")},
        [f"{call}: duplicate_of [[{target}]] names {named}; the note is not treated as a duplicate"],
    )


def test_duplicate_of_naming_a_note_hides_it() -> None:
    notes = {
        "People/Ann/Ann.md": PERSON,
        "People/Ann/2026-11-01 - Call.md": '---\ntype: call\ndate: 2026-11-01\nduplicate_of: "[[Other]]"\n---\nCall.\n',
        "Other.md": "x\n",
    }
    # No related note left: the section stays empty, last_contact unknown.
    assert plain_run(notes, _settings("mark"))[:2] == ({}, [])


@pytest.mark.parametrize("settings", MODES, ids=MODE_IDS)
def test_a_winner_hand_marked_in_plain_text_loses_its_mark(settings: Config) -> None:
    # `duplicate_of: "2026-11-02 - Sync"` (no brackets) hides B just as a wikilink does; B wins on
    # its links, so its mark must go, or A (marked a duplicate of B) and B both vanish.
    notes = {"People/Ann/Ann.md": PERSON, A: meeting(), B: meeting('duplicate_of: "2026-11-02 - Sync"\n'), **HUBS}
    first, second = twice(None, notes, settings, TODAY)
    assert first.warnings == []
    assert first.changed[B] == meeting()
    assert first.changed["People/Ann/Ann.md"] == person("- 2026-11-02: [[2026-11-02 - Sync copy]] - Notes.")
    assert first.changed[A if A in first.changed else "_archive/duplicates/" + A] == meeting('duplicate_of: "[[2026-11-02 - Sync copy]]"\n')
    assert len(first.changed) == 3
    assert second == ({}, [])


def test_marks_that_come_back_to_the_note_hide_nothing_and_are_reported() -> None:
    # Two meetings of different days marked duplicates of each other by hand: following the marks
    # never reaches a note that stands for the meeting, so hiding either would hide both for good.
    one, two, three = "People/Ann/2026-11-01 - One.md", "People/Ann/2026-11-03 - Two.md", "People/Ann/2026-11-05 - Three.md"
    call = '---\ntype: call\ndate: {}\nduplicate_of: "[[{}]]"\n---\nCall.\n'
    notes = {
        "People/Ann/Ann.md": PERSON,
        one: call.format("2026-11-01", "2026-11-03 - Two"),
        two: call.format("2026-11-03", "2026-11-05 - Three"),
        three: call.format("2026-11-05", "2026-11-01 - One"),
    }
    assert plain_run(notes, _settings("mark"))[:2] == (
        {
            "People/Ann/Ann.md": person(
                "- 2026-11-05: [[2026-11-05 - Three]] - Call.",
                "- 2026-11-03: [[2026-11-03 - Two]] - Call.",
                "- 2026-11-01: [[2026-11-01 - One]] - Call.",
                last_contact="2026-11-05",
            )
        },
        [
            f"{path}: duplicate_of [[{mark}]] leads back to the note itself; the note is not treated as a duplicate"
            for path, mark in [(one, "2026-11-03 - Two"), (two, "2026-11-05 - Three"), (three, "2026-11-01 - One")]
        ],
    )


@pytest.mark.parametrize(
    ("mark", "shown"),
    [("[[Gone\\n::error::x]]", "'[[Gone\\n::error::x]]'"), ("[Other](Other.md)", "'[Other](Other.md)'")],
    ids=["line-break", "markdown-link"],
)
def test_a_mark_that_is_no_link_is_reported_on_one_line_as_written(mark: str, shown: str) -> None:
    # A line break would end the warning early (the rest could pass for a command of a CI log);
    # wrapping a markdown link in [[...]] showed a link nobody wrote.
    call = "People/Ann/2026-11-01 - Call.md"
    notes = {"Other.md": "x\n", call: f'---\ntype: call\ndate: 2026-11-01\nduplicate_of: "{mark}"\n---\nCall.\n'}
    assert plain_run(notes, _settings("mark")).warnings == [
        f"{call}: duplicate_of {shown} names no note in the vault; the note is not treated as a duplicate"
    ]


UNLINKABLE = (
    "canonical of a duplicate group cannot be linked to: its name holds `#`, `|`, `[`, `]` or a line break, "
    "or a link to it opens a note whose path differs only by case or Unicode normalization"
)


@pytest.mark.parametrize("settings", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("name", ["2026-11-02 - Sync #1", "2026-11-02 - Sync | 1", "2026-11-02 - Sync [1]"])
def test_a_canonical_no_wikilink_can_name_leaves_its_group_alone(settings: Config, name: str) -> None:
    # `[[2026-11-02 - Sync #1]]` opens a heading of a note named `2026-11-02 - Sync `: the mark would
    # name no note (hiding nothing, reported forever) and archive mode would break every link to B.
    keeper = f"People/Ann/{name}.md"
    encoded = keeper.replace(" ", "%20").replace("#", "%23").replace("|", "%7C").replace("[", "%5B").replace("]", "%5D")
    hubs = {f"Hub{i}.md": f"[it]({encoded})\n" for i in range(2)}  # two links to the keeper, one to B: the keeper wins
    notes = {"People/Ann/Ann.md": PERSON, keeper: meeting(), B: meeting(), "Linker.md": "See [[2026-11-02 - Sync copy]].\n", **hubs}
    assert run_rules([dedupe_meetings], notes, settings, TODAY) == ({}, [f"{keeper}: dedupe-meetings: {UNLINKABLE}; group left alone: {B}"])


@pytest.mark.parametrize("settings", MODES, ids=MODE_IDS)
def test_a_canonical_whose_links_open_its_case_twin_leaves_its_group_alone(settings: Config) -> None:
    # `[[People/Ann/2026-11-02 - sync]]` opens `...Sync.md`, the twin first by path order: marks
    # and relinked links would name the wrong note (the twin would be marked a duplicate of itself).
    # (Two such notes need a case-sensitive file system; in memory they need none.)
    twin, keeper = "People/Ann/2026-11-02 - Sync.md", "People/Ann/2026-11-02 - sync.md"
    notes = {"People/Ann/Ann.md": PERSON, twin: meeting(), keeper: meeting(body="Notes, the longest ones.\n"), B: meeting()}
    assert run_rules([dedupe_meetings], notes, settings, TODAY) == (
        {},
        [f"{keeper}: dedupe-meetings: {UNLINKABLE}; group left alone: {B}, {twin}"],
    )


# -- on disk: what a run remembers of the last clean one -----------------------------------------


def test_archive_collision_changes_nothing_in_any_rule_and_stays_so(tmp_path: Path) -> None:
    archived = "_archive/duplicates/" + B
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": ARCHIVE,
            A: meeting(body="Notes, the longer ones.\n"),
            B: meeting(body="- [ ] Call Bo\n"),
            archived: "an older archived copy\n",
            "Linker.md": "[[2026-11-02 - Sync copy]] and [[2026-11-02 - Sync copy#Top|top]]\n",
            "Refs.md": '---\nrefs: ["[[2026-11-02 - Sync copy]]"]\n---\n',
            "Hub1.md": "[[2026-11-02 - Sync]]\n",  # two notes link to each: A wins on its longer body
            "Hub2.md": "[[2026-11-02 - Sync]]\n",
        },
    )
    before = tree_state(tmp_path)
    for _ in range(2):  # the refusal is remembered as the clean state; it must still be reported
        result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
        assert result.returncode == 0, result.stderr
        assert (
            f"warning: {B}: dedupe-meetings: not archived: {archived} already exists; its duplicate group is left as it is (canonical {A})"
            in result.stderr.splitlines()
        )
        assert tree_state(tmp_path) == before
    (tmp_path / archived).rename(tmp_path / "elsewhere.txt")  # once the way is clear, the group is archived
    result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
    assert result.returncode == 0, result.stderr
    assert read(tmp_path, archived) == meeting('duplicate_of: "[[2026-11-02 - Sync]]"\n', "- [ ] Call Bo\n")
    assert read(tmp_path, "Linker.md") == "[[2026-11-02 - Sync]] and [[2026-11-02 - Sync#Top|top]]\n"
    assert read(tmp_path, A) == meeting(body="Notes, the longer ones.\n\n## Action Items\n\n- [ ] Call Bo\n")


def test_closing_a_loop_of_marks_shows_every_note_in_it_on_the_next_run(tmp_path: Path) -> None:
    # Closing the loop (an edit to Z alone) un-hides X and Y, which live under other people: the
    # run after the edit (parse cache and clean-run memo in use) must do what a full run does.
    people = {f"People/{name}/{name}.md": PERSON.replace("Ann", name) for name in ("Ann", "Bo", "Cy")}
    x, y, z = "People/Ann/2026-11-01 X.md", "People/Bo/2026-11-03 Y.md", "People/Cy/2026-11-05 Z.md"
    call = "---\ntype: call\ndate: {}\n{}---\nCall.\n"
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": MARK,
            **people,
            x: call.format("2026-11-01", 'duplicate_of: "[[2026-11-03 Y]]"\n'),
            y: call.format("2026-11-03", 'duplicate_of: "[[2026-11-05 Z]]"\n'),
            z: call.format("2026-11-05", ""),
        },
    )
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):  # the second run finds nothing to change: the clean state it remembers is what the next run starts from
        assert run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24", env=cache).returncode == 0
    write_vault(tmp_path, {z: call.format("2026-11-05", 'duplicate_of: "[[2026-11-01 X]]"\n')})
    result = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24", env=cache)
    assert result.returncode == 0, result.stderr
    assert len([line for line in result.stderr.splitlines() if "leads back to the note itself" in line]) == 3, result.stderr
    for path, line in [
        ("People/Ann/Ann.md", "- 2026-11-01: [[2026-11-01 X]] - Call."),
        ("People/Bo/Bo.md", "- 2026-11-03: [[2026-11-03 Y]] - Call."),
    ]:
        assert line in read(tmp_path, path)
    assert plan(tmp_path).changes == []
