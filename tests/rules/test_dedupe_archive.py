"""dedupe-meetings (archive mode): moves, link rewriting, task carry-over, similarity, git renames.

Cases run in memory (tests/rules/memory.py): notes in, the notes moved, the changed texts and
the warnings out, exactly, and a second run over the result changes nothing. On disk: the
rename a dry run shows, an archive folder as the scan reads it, settings refused before
anything is read, the writer's refusals, and one commit holding the rename.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Sequence

import pytest

from bot.writer import WriteConflict, move_note
from rules import dedupe_meetings
from tests.rules.memory import config, run, twice
from tests.vaults import git, run_cli, tree_state, write_vault

ARCHIVE = "rules:\n  dedupe-meetings:\n    mode: archive\n"
CANON = "M/2026-11-02 - Sync.md"
DUP = "M/2026-11-02 - Sync copy.md"
DUP2 = "M/2026-11-02 - Sync (AI).md"
ARCHIVED = "_archive/duplicates/" + DUP
ARCHIVED2 = "_archive/duplicates/" + DUP2
TODAY = datetime.date(2026, 11, 24)
# Two notes link to the canonical, so it keeps winning however many link to a duplicate.
HUBS = {"Hub1.md": "[[2026-11-02 - Sync]]\n", "Hub2.md": "[[2026-11-02 - Sync]]\n"}


def meeting(body: str = "Notes.\n", extra: str = "", time: str | None = None, summary: str | None = None) -> str:
    clock = f'time: "{time}"\n' if time else ""
    about = f"summary: {summary}\n" if summary else ""
    return f'---\ntype: meeting\ndate: 2026-11-02\n{clock}participants: ["[[Ann]]", "[[Bo]]"]\n{about}{extra}---\n{body}'


def vault_with(tmp_path: Path, files: dict[str, str], config: str = ARCHIVE) -> Path:
    return write_vault(tmp_path, {".vaultbot.yaml": config, CANON: meeting(), DUP: meeting(), **HUBS, **files})


MARKED = meeting(extra='duplicate_of: "[[2026-11-02 - Sync]]"\n')  # the duplicate as archived


def archive(
    files: dict[str, str], expected: dict[str, str], warnings: Sequence[str] = (), again: Sequence[str] | None = None, **options: Any
) -> None:
    """One archive run over the canonical, its copy, two hubs and `files` writes exactly `expected`
    (path -> text; a moved note under its new path) and warns `warnings`; a second run changes
    nothing and warns `again` (by default the same)."""
    notes = {CANON: meeting(), DUP: meeting(), **HUBS, **files}
    settings = config({"rules": {"dedupe-meetings": {"mode": "archive", **options}}})
    first, second = twice([dedupe_meetings], notes, settings)
    assert first == (expected, list(warnings))
    assert second == ({}, list(warnings if again is None else again))


def moved(*duplicates: str) -> dict[str, str]:
    """The archived copies, each marked a duplicate of the canonical."""
    texts = {DUP: MARKED, DUP2: MARKED}
    return {"_archive/duplicates/" + path: texts[path] for path in duplicates}


LINK_CASES = [
    ("wikilink", "See [[2026-11-02 - Sync copy]].\n", "See [[2026-11-02 - Sync]].\n"),
    ("shown text", "See [[2026-11-02 - Sync copy|the sync]].\n", "See [[2026-11-02 - Sync|the sync]].\n"),
    ("heading", "See [[2026-11-02 - Sync copy#Decisions|why]].\n", "See [[2026-11-02 - Sync#Decisions|why]].\n"),
    ("block", "See [[2026-11-02 - Sync copy#^d1]].\n", "See [[2026-11-02 - Sync#^d1]].\n"),
    ("embed", "![[2026-11-02 - Sync copy#Decisions]]\n", "![[2026-11-02 - Sync#Decisions]]\n"),
    ("full path", "See [[M/2026-11-02 - Sync copy]].\n", "See [[2026-11-02 - Sync]].\n"),
    ("table pipe", "| a | [[2026-11-02 - Sync copy\\|sync]] |\n", "| a | [[2026-11-02 - Sync\\|sync]] |\n"),
    (
        "markdown link with %20",
        'See [the sync](M/2026-11-02%20-%20Sync%20copy.md#Decisions "title").\n',
        'See [the sync](2026-11-02%20-%20Sync.md#Decisions "title").\n',
    ),
    ("markdown embed in angle brackets", "![x](<2026-11-02 - Sync copy.md>)\n", "![x](<2026-11-02%20-%20Sync.md>)\n"),
    (
        "code is never rewritten",
        "`[[2026-11-02 - Sync copy]]`\n\n```\n[[2026-11-02 - Sync copy]]\n```\n[[2026-11-02 - Sync copy]]\n",
        "`[[2026-11-02 - Sync copy]]`\n\n```\n[[2026-11-02 - Sync copy]]\n```\n[[2026-11-02 - Sync]]\n",
    ),
    (
        "frontmatter string and list",
        '---\nrelated: "[[2026-11-02 - Sync copy|sync]]"\nrefs: ["[[Ann]]", "[[2026-11-02 - Sync copy#^d1]]"]\n---\nBody [[Ann]].\n',
        '---\nrelated: "[[2026-11-02 - Sync|sync]]"\nrefs: ["[[Ann]]", "[[2026-11-02 - Sync#^d1]]"]\n---\nBody [[Ann]].\n',
    ),
]


@pytest.mark.parametrize(("label", "text", "expected"), LINK_CASES, ids=[c[0] for c in LINK_CASES])
def test_links_to_a_duplicate_are_rewritten(label: str, text: str, expected: str) -> None:
    archive({"Notes/Linker.md": text}, {"Notes/Linker.md": expected, **moved(DUP)})


def test_a_note_linking_to_two_duplicates_of_one_group() -> None:
    archive(
        {DUP2: meeting(), "Linker.md": "[[2026-11-02 - Sync copy|one]] and [[2026-11-02 - Sync (AI)#Top]]\n"},
        {"Linker.md": "[[2026-11-02 - Sync|one]] and [[2026-11-02 - Sync#Top]]\n", **moved(DUP, DUP2)},
    )


def test_links_to_another_note_with_the_same_name_are_left_alone() -> None:
    other = "Other/2026-11-02 - Sync copy.md"
    linker = "[[2026-11-02 - Sync copy]] [[M/2026-11-02 - Sync copy|dup]] [[Other/2026-11-02 - Sync copy]]\n"
    # In Other/ the bare name opens the note beside it; only the link that opens the duplicate moves.
    archive(
        {other: "# Not a meeting\n", "Other/Linker.md": linker},
        {"Other/Linker.md": "[[2026-11-02 - Sync copy]] [[2026-11-02 - Sync|dup]] [[Other/2026-11-02 - Sync copy]]\n", **moved(DUP)},
    )


def test_the_duplicate_is_moved_marked_and_nothing_else_changes() -> None:
    assert run(
        [dedupe_meetings], {CANON: meeting(), DUP: meeting(), **HUBS}, config({"rules": {"dedupe-meetings": {"mode": "archive"}}})
    ) == (
        {ARCHIVED: MARKED},
        [],
        {DUP: ARCHIVED},
        {},
    )


def test_duplicate_is_shown_as_a_rename_end_to_end(tmp_path: Path) -> None:
    vault_with(tmp_path, {})
    result = run_cli("run", tmp_path, "--dry-run", "--rule", "dedupe-meetings")
    assert f"rename from {DUP}\nrename to {ARCHIVED}\n--- a/{DUP}\n+++ b/{ARCHIVED}\n" in result.stdout
    assert '+duplicate_of: "[[2026-11-02 - Sync]]"' in result.stdout


def test_archive_folder_is_configurable() -> None:
    archive({}, {"Old/dups/" + DUP: MARKED}, archive_folder="Old/dups/")


FOLDERS_WRITTEN = [("_old/../Old", "Old/"), ("Old\\dups", "Old/dups/"), (" Old ", "Old/"), ("[old]", "[old]/")]


@pytest.mark.parametrize(("folder", "archived"), FOLDERS_WRITTEN, ids=["dot-dot", "backslash", "spaces", "glob-characters"])
def test_an_archive_folder_however_written_is_left_out_and_archives_once(folder: str, archived: str) -> None:
    # The index must leave out exactly the folder the notes were moved to; when the two read the
    # setting differently, every run archived the archived copy once more (Old/M/... -> Old/Old/M/...).
    archive({}, {archived + DUP: MARKED}, archive_folder=folder)


def test_an_archive_folder_however_written_is_left_out_by_the_scan_end_to_end(tmp_path: Path) -> None:
    vault_with(tmp_path, {}, ARCHIVE + '    archive_folder: "Old\\\\dups"\n')
    for _ in range(2):
        result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
        assert result.returncode == 0, result.stderr
    assert (tmp_path / ("Old/dups/" + DUP)).read_text(encoding="utf-8") == MARKED
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")) == sorted([CANON, "Old/dups/" + DUP, *HUBS])


@pytest.mark.parametrize("folder", ['"."', '"Old/.."', '"./"'])
def test_an_archive_folder_that_is_the_vault_itself_archives_nothing(tmp_path: Path, folder: str) -> None:
    vault_with(tmp_path, {}, ARCHIVE + f"    archive_folder: {folder}\n")
    before = tree_state(tmp_path)
    result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
    # A configuration error, named by its key, before anything is read or written.
    assert result.returncode == 2, result.stderr
    assert tree_state(tmp_path) == before
    named = folder.strip('"')
    assert f"rules.dedupe-meetings.archive_folder: {named!r} is the vault root" in result.stderr


CANON_WITH_TASKS = "# Sync\n\n## Action Items\n\n- [x] Send deck\n- [ ] Book room\n\n## Notes\n\nLong enough to win.\n"


def test_open_tasks_are_carried_over_once() -> None:
    dup = "- [ ] Send   deck\n- [ ] Book room \n- [ ] Call Ann\n  - [ ]  Call  Ann\n- [x] Done elsewhere\n```\n- [ ] in code\n```\n"
    dup2 = "> - [ ] Call Ann\n- [ ] Write summary\n"
    carried = CANON_WITH_TASKS.replace("- [ ] Book room\n", "- [ ] Book room\n- [ ] Call Ann\n- [ ] Write summary\n")
    archive(
        {CANON: meeting(CANON_WITH_TASKS), DUP: meeting(dup), DUP2: meeting(dup2)},
        {
            CANON: meeting(carried),
            ARCHIVED: meeting(dup, 'duplicate_of: "[[2026-11-02 - Sync]]"\n'),
            ARCHIVED2: meeting(dup2, 'duplicate_of: "[[2026-11-02 - Sync]]"\n'),
        },
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Sync\n\nLong enough to win the group.\n", "# Sync\n\nLong enough to win the group.\n\n## Action Items\n\n- [ ] Call Ann\n"),
        ("# Sync\n\nLong enough to win, no newline", "# Sync\n\nLong enough to win, no newline\n\n## Action Items\n\n- [ ] Call Ann"),
        ("# Sync long enough\n\n## Action Items\n\n## Notes\n", "# Sync long enough\n\n## Action Items\n\n- [ ] Call Ann\n\n## Notes\n"),
    ],
    ids=["created at the end", "no final newline stays missing", "empty section"],
)
def test_action_items_section(body: str, expected: str) -> None:
    archive(
        {CANON: meeting(body), DUP: meeting("- [ ] Call Ann\n")},
        {CANON: meeting(expected), ARCHIVED: meeting("- [ ] Call Ann\n", 'duplicate_of: "[[2026-11-02 - Sync]]"\n')},
    )


def test_second_run_changes_nothing_and_archive_is_not_indexed() -> None:
    person = "---\ntype: person\n---\n# Ann\n\n## Recent Context\n\n"
    notes = {
        CANON: meeting(),
        **HUBS,
        "People/Ann/Ann.md": person,
        DUP: meeting("Met [[Ann]].\n- [ ] Call Ann\n"),
        DUP2: meeting(),
        "Linker.md": "[[2026-11-02 - Sync copy]]\n",
    }
    first, second = twice(None, notes, config({"rules": {"dedupe-meetings": {"mode": "archive"}}}), TODAY)
    assert first.warnings == []
    assert DUP not in first.changed and {ARCHIVED, ARCHIVED2} <= first.changed.keys()
    # The archived copy is no related note of Ann's, though it links to her.
    assert first.changed["People/Ann/Ann.md"] == (
        "---\ntype: person\ntags:\n  - type/person\n---\n# Ann\n\n## Recent Context\n\n- 2026-11-02: [[2026-11-02 - Sync]] - Notes.\n"
    )
    assert second == ({}, [])


# (notes besides the canonical, its copy and two hubs; what the run writes; its warnings)
OPTED_OUT = [
    pytest.param(
        {CANON: meeting(extra="vaultbot: false\n"), "Linker.md": "[[2026-11-02 - Sync copy]]\n"},
        {},
        [f"{CANON}: dedupe-meetings: canonical of a duplicate group opts out of dedupe-meetings; group left alone: {DUP}"],
        id="opted-out-canonical-leaves-the-group-alone",
    ),
    pytest.param(
        {DUP: meeting(extra="vaultbot: false\n"), "Linker.md": "[[2026-11-02 - Sync copy]]\n"},
        {},
        [],
        id="opted-out-duplicate-stays-and-so-do-links-to-it",
    ),
    pytest.param(
        {"Linker.md": "---\nvaultbot: false\n---\n[[2026-11-02 - Sync copy]]\n"},
        moved(DUP),
        ["Linker.md: dedupe-meetings: links to archived duplicates left as they are: the note opts out of dedupe-meetings"],
        id="opted-out-linker-is-reported",
    ),
    pytest.param(
        # A refused group: no link rewrites, no task copies, no marks; only the report.
        {
            ARCHIVED: "an older archived copy\n",
            DUP: meeting("- [ ] Call Ann\n"),
            DUP2: meeting(),
            "Linker.md": "[[2026-11-02 - Sync copy|sync]]\n",
        },
        {},
        [f"{DUP}: dedupe-meetings: not archived: {ARCHIVED} already exists; its duplicate group is left as it is (canonical {CANON})"],
        id="existing-destination-refuses-the-whole-group",
    ),
]


@pytest.mark.parametrize(("files", "expected", "warnings"), OPTED_OUT)
def test_what_a_group_leaves_alone(files: dict[str, str], expected: dict[str, str], warnings: list[str]) -> None:
    archive(files, expected, warnings, again=[] if expected else None)  # once archived, the group is gone


SIMILAR = "Pricing for Northwind, the pilot discount and the renewal date"
SIMILAR_REWORDED = "The renewal date, Northwind pricing and a pilot discount"
DIFFERENT = "Hiring plan for the platform team in Q1"


@pytest.mark.parametrize(
    ("similarity", "summary", "grouped"),
    [
        (None, DIFFERENT, True),
        (50, SIMILAR_REWORDED, True),
        (50, DIFFERENT, False),
        (0, DIFFERENT, True),
        (100, SIMILAR, True),
        (100, SIMILAR_REWORDED, False),
    ],
)
def test_similarity(similarity: int | None, summary: str, grouped: bool) -> None:
    files = {CANON: meeting(summary=SIMILAR), DUP: meeting(summary=summary)}
    archived = {ARCHIVED: meeting(summary=summary, extra='duplicate_of: "[[2026-11-02 - Sync]]"\n')}
    archive(files, archived if grouped else {}, **({} if similarity is None else {"similarity": similarity}))


def test_similarity_needs_summaries() -> None:
    archive({CANON: meeting(""), DUP: meeting("")}, {}, similarity=10)


def test_similarity_outside_0_to_100_names_the_key(tmp_path: Path) -> None:
    vault_with(tmp_path, {}, ARCHIVE + "    similarity: 150\n")
    result = run_cli("run", tmp_path, "--dry-run")
    assert result.returncode == 2
    assert "rules.dedupe-meetings.similarity" in result.stderr


# -- the writer ------------------------------------------------------------------


def test_move_refuses_an_existing_destination(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": "old\n", "archive/a.md": "someone else's\n"})
    with pytest.raises(FileExistsError):
        move_note(tmp_path / "a.md", tmp_path / "archive/a.md", b"new\n", b"old\n")
    assert (tmp_path / "a.md").read_bytes() == b"old\n"
    assert (tmp_path / "archive/a.md").read_bytes() == b"someone else's\n"


def test_move_refuses_a_source_changed_since_it_was_read(tmp_path: Path) -> None:
    write_vault(tmp_path, {"a.md": "edited by a person\n"})
    with pytest.raises(WriteConflict):
        move_note(tmp_path / "a.md", tmp_path / "archive/a.md", b"new\n", b"old\n")
    assert (tmp_path / "a.md").read_bytes() == b"edited by a person\n"
    assert not (tmp_path / "archive/a.md").exists()


# -- git -------------------------------------------------------------------------


def test_archive_in_git_is_one_commit_with_a_rename(tmp_path: Path) -> None:
    vault_with(
        tmp_path,
        {
            DUP: meeting("Met Ann and Bo about the pilot; long notes here.\n- [ ] Call Ann\n"),
            "Linker.md": "[[2026-11-02 - Sync copy|sync]]\n",
        },
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "notes from the recorder")
    result = run_cli("run", tmp_path, "--rule", "dedupe-meetings")
    assert result.returncode == 0, result.stderr
    assert git(tmp_path, "rev-list", "--count", "HEAD").strip() == "2"
    status = git(tmp_path, "show", "-M", "--name-status", "--format=", "HEAD").splitlines()
    assert f"R100\t{DUP}\t{ARCHIVED}" not in status  # duplicate_of was added: a rename with an edit
    assert any(line.startswith("R") and line.endswith(f"\t{DUP}\t{ARCHIVED}") for line in status), status
    assert sorted(line.split("\t")[-1] for line in status) == sorted([ARCHIVED, CANON, "Linker.md"])
    history = git(tmp_path, "log", "--follow", "--format=%s", "--", ARCHIVED).splitlines()
    assert history[-1] == "notes from the recorder" and len(history) == 2
    assert git(tmp_path, "status", "--porcelain") == ""


def test_a_markdown_link_retargeted_to_a_name_with_a_parenthesis_stays_a_link() -> None:
    keeper = "M/2026-11-02 - Sync (final.md"
    notes = {
        keeper: meeting(body="The longer notes of the two.\n"),
        DUP: meeting(),
        "Linker.md": "See [it](M/2026-11-02%20-%20Sync%20copy.md#Top).\n",
        **{f"Hub{i}.md": "[[2026-11-02 - Sync (final]]\n" for i in range(2)},
    }
    first = run([dedupe_meetings], notes, config({"rules": {"dedupe-meetings": {"mode": "archive"}}}))
    assert first.warnings == [] and first.moved == {DUP: ARCHIVED}
    assert first.changed["Linker.md"] == "See [it](2026-11-02%20-%20Sync%20%28final.md#Top).\n"  # no bare parenthesis to end it early


def test_a_plain_name_mark_on_another_note_follows_the_archived_duplicate() -> None:
    # `duplicate_of: 2026-11-02 - Sync copy` (no brackets) hides a note just as a wikilink does; once
    # the copy is archived it must name the canonical, or the note shows up again, warned about.
    other = "M/2026-11-02 - Sync notes.md"
    archive(
        {other: '---\ntype: note\nduplicate_of: "2026-11-02 - Sync copy"\n---\nMore.\n'},
        {other: '---\ntype: note\nduplicate_of: "[[2026-11-02 - Sync]]"\n---\nMore.\n', **moved(DUP)},
    )
