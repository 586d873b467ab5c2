"""dedupe-meetings (archive mode): moves, link rewriting, task carry-over, similarity, git renames."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.writer import WriteConflict, move_note
from tests.vaults import git, plan, run_cli, tree_state, write_vault

ARCHIVE = "rules:\n  dedupe-meetings:\n    mode: archive\n"
CANON = "M/2026-11-02 - Sync.md"
DUP = "M/2026-11-02 - Sync copy.md"
DUP2 = "M/2026-11-02 - Sync (AI).md"
ARCHIVED = "_archive/duplicates/" + DUP
ARCHIVED2 = "_archive/duplicates/" + DUP2
# Two notes link to the canonical, so it keeps winning however many link to a duplicate.
HUBS = {"Hub1.md": "[[2026-11-02 - Sync]]\n", "Hub2.md": "[[2026-11-02 - Sync]]\n"}


def meeting(body: str = "Notes.\n", extra: str = "", time: str | None = None, summary: str | None = None) -> str:
    clock = f'time: "{time}"\n' if time else ""
    about = f"summary: {summary}\n" if summary else ""
    return f'---\ntype: meeting\ndate: 2026-11-02\n{clock}participants: ["[[Ann]]", "[[Bo]]"]\n{about}{extra}---\n{body}'


def vault_with(tmp_path: Path, files: dict[str, str], config: str = ARCHIVE) -> Path:
    return write_vault(tmp_path, {".vaultbot.yaml": config, CANON: meeting(), DUP: meeting(), **HUBS, **files})


def after(tmp_path: Path) -> dict[str, str]:
    """Path (the destination for a move) -> new text, for one dedupe-meetings run in memory."""
    return {c.destination or c.path: c.after.decode() for c in plan(tmp_path, "dedupe-meetings").changes}


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
def test_links_to_a_duplicate_are_rewritten(tmp_path: Path, label: str, text: str, expected: str) -> None:
    vault_with(tmp_path, {"Notes/Linker.md": text})
    changed = after(tmp_path)
    assert changed["Notes/Linker.md"] == expected
    assert ARCHIVED in changed and DUP not in changed


def test_a_note_linking_to_two_duplicates_of_one_group(tmp_path: Path) -> None:
    vault_with(tmp_path, {DUP2: meeting(), "Linker.md": "[[2026-11-02 - Sync copy|one]] and [[2026-11-02 - Sync (AI)#Top]]\n"})
    changed = after(tmp_path)
    assert changed["Linker.md"] == "[[2026-11-02 - Sync|one]] and [[2026-11-02 - Sync#Top]]\n"
    assert {ARCHIVED, ARCHIVED2} <= changed.keys()


def test_links_to_another_note_with_the_same_name_are_left_alone(tmp_path: Path) -> None:
    other = "Other/2026-11-02 - Sync copy.md"
    linker = "[[2026-11-02 - Sync copy]] [[M/2026-11-02 - Sync copy|dup]] [[Other/2026-11-02 - Sync copy]]\n"
    vault_with(tmp_path, {other: "# Not a meeting\n", "Other/Linker.md": linker})
    changed = after(tmp_path)
    # In Other/ the bare name opens the note beside it; only the link that opens the duplicate moves.
    assert changed["Other/Linker.md"] == "[[2026-11-02 - Sync copy]] [[2026-11-02 - Sync|dup]] [[Other/2026-11-02 - Sync copy]]\n"
    assert other not in changed


def test_duplicate_is_moved_with_duplicate_of_and_shown_as_a_rename(tmp_path: Path) -> None:
    vault_with(tmp_path, {})
    (change,) = [c for c in plan(tmp_path, "dedupe-meetings").changes if c.path == DUP]
    assert change.destination == ARCHIVED
    assert change.after.decode() == meeting(extra='duplicate_of: "[[2026-11-02 - Sync]]"\n')
    result = run_cli("run", tmp_path, "--dry-run", "--rule", "dedupe-meetings")
    assert f"rename from {DUP}\nrename to {ARCHIVED}\n--- a/{DUP}\n+++ b/{ARCHIVED}\n" in result.stdout
    assert '+duplicate_of: "[[2026-11-02 - Sync]]"' in result.stdout


def test_archive_folder_is_configurable(tmp_path: Path) -> None:
    vault_with(tmp_path, {}, ARCHIVE + "    archive_folder: Old/dups/\n")
    assert "Old/dups/" + DUP in after(tmp_path)


@pytest.mark.parametrize(
    ("folder", "archived"),
    [
        ('"_old/../Old"', "Old/"),
        ('"Old\\\\dups"', "Old/dups/"),
        ('" Old "', "Old/"),
        ('"[old]"', "[old]/"),
    ],
    ids=["dot-dot", "backslash", "spaces", "glob-characters"],
)
def test_an_archive_folder_however_written_is_left_out_and_archives_once(tmp_path: Path, folder: str, archived: str) -> None:
    # The scan must leave out exactly the folder the notes were moved to; when the two read the
    # setting differently, every run archived the archived copy once more (Old/M/... -> Old/Old/M/...).
    vault_with(tmp_path, {}, ARCHIVE + f"    archive_folder: {folder}\n")
    for _ in range(2):
        result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
        assert result.returncode == 0, result.stderr
    assert (tmp_path / (archived + DUP)).read_text() == meeting(extra='duplicate_of: "[[2026-11-02 - Sync]]"\n')
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")) == sorted([CANON, archived + DUP, *HUBS])


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


def test_open_tasks_are_carried_over_once(tmp_path: Path) -> None:
    dup = "- [ ] Send   deck\n- [ ] Book room \n- [ ] Call Ann\n  - [ ]  Call  Ann\n- [x] Done elsewhere\n```\n- [ ] in code\n```\n"
    vault_with(tmp_path, {CANON: meeting(CANON_WITH_TASKS), DUP: meeting(dup), DUP2: meeting("> - [ ] Call Ann\n- [ ] Write summary\n")})
    assert after(tmp_path)[CANON] == meeting(
        CANON_WITH_TASKS.replace("- [ ] Book room\n", "- [ ] Book room\n- [ ] Call Ann\n- [ ] Write summary\n")
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
def test_action_items_section(tmp_path: Path, body: str, expected: str) -> None:
    vault_with(tmp_path, {CANON: meeting(body), DUP: meeting("- [ ] Call Ann\n")})
    assert after(tmp_path)[CANON] == meeting(expected)


def test_second_run_changes_nothing_and_archive_is_not_indexed(tmp_path: Path) -> None:
    person = "---\ntype: person\n---\n# Ann\n\n## Recent Context\n\n"
    vault_with(
        tmp_path,
        {
            "People/Ann/Ann.md": person,
            DUP: meeting("Met [[Ann]].\n- [ ] Call Ann\n"),
            DUP2: meeting(),
            "Linker.md": "[[2026-11-02 - Sync copy]]\n",
        },
    )
    first = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24")
    assert first.returncode == 0, first.stderr
    assert not (tmp_path / DUP).exists() and (tmp_path / ARCHIVED).exists()
    before = tree_state(tmp_path)
    second = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24")
    assert second.returncode == 0 and "0 notes updated" in second.stdout, second.stdout
    assert tree_state(tmp_path) == before
    # The archived copy is no related note of Ann's, though it links to her.
    assert "Sync copy" not in (tmp_path / "People/Ann/Ann.md").read_text()


def test_opted_out_canonical_leaves_the_group_alone(tmp_path: Path) -> None:
    vault_with(tmp_path, {CANON: meeting(extra="vaultbot: false\n"), "Linker.md": "[[2026-11-02 - Sync copy]]\n"})
    result = plan(tmp_path, "dedupe-meetings")
    assert result.changes == []
    assert any("canonical of a duplicate group opts out" in p.message for p in result.problems)


def test_opted_out_duplicate_stays_and_so_do_links_to_it(tmp_path: Path) -> None:
    vault_with(tmp_path, {DUP: meeting(extra="vaultbot: false\n"), "Linker.md": "[[2026-11-02 - Sync copy]]\n"})
    assert after(tmp_path) == {}


def test_opted_out_linker_is_reported(tmp_path: Path) -> None:
    vault_with(tmp_path, {"Linker.md": "---\nvaultbot: false\n---\n[[2026-11-02 - Sync copy]]\n"})
    result = plan(tmp_path, "dedupe-meetings")
    assert "Linker.md" not in {c.path for c in result.changes}
    assert any(p.path == "Linker.md" and "left as they are" in p.message for p in result.problems)


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
def test_similarity(tmp_path: Path, similarity: int | None, summary: str, grouped: bool) -> None:
    config = ARCHIVE + (f"    similarity: {similarity}\n" if similarity is not None else "")
    vault_with(tmp_path, {CANON: meeting(summary=SIMILAR), DUP: meeting(summary=summary)}, config)
    assert (ARCHIVED in after(tmp_path)) is grouped


def test_similarity_needs_summaries(tmp_path: Path) -> None:
    vault_with(tmp_path, {CANON: meeting(""), DUP: meeting("")}, ARCHIVE + "    similarity: 10\n")
    assert after(tmp_path) == {}


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


def test_existing_destination_refuses_the_whole_group(tmp_path: Path) -> None:
    # A refused group: no link rewrites, no task copies, no marks; only the report.
    vault_with(
        tmp_path,
        {
            ARCHIVED: "an older archived copy\n",
            DUP: meeting("- [ ] Call Ann\n"),
            DUP2: meeting(),
            "Linker.md": "[[2026-11-02 - Sync copy|sync]]\n",
        },
    )
    before = tree_state(tmp_path)
    result = run_cli("run", tmp_path, "--no-commit", "--rule", "dedupe-meetings")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: {DUP}: dedupe-meetings: not archived: {ARCHIVED} already exists; its duplicate group is left as it is (canonical {CANON})"
    ]
    assert tree_state(tmp_path) == before


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


def test_a_markdown_link_retargeted_to_a_name_with_a_parenthesis_stays_a_link(tmp_path: Path) -> None:
    keeper = "M/2026-11-02 - Sync (final.md"
    files = {
        ".vaultbot.yaml": ARCHIVE,
        keeper: meeting(body="The longer notes of the two.\n"),
        DUP: meeting(),
        "Linker.md": "See [it](M/2026-11-02%20-%20Sync%20copy.md#Top).\n",
        **{f"Hub{i}.md": "[[2026-11-02 - Sync (final]]\n" for i in range(2)},
    }
    write_vault(tmp_path, files)
    text = after(tmp_path)["Linker.md"]
    destination = text[text.index("[it](") + len("[it](") : text.rindex("#Top)")]
    assert "final" in destination
    bare = destination.replace("\\(", "").replace("\\)", "")
    assert destination.startswith("<") or bare.count("(") == bare.count(")"), text


def test_a_plain_name_mark_on_another_note_follows_the_archived_duplicate(tmp_path: Path) -> None:
    # `duplicate_of: 2026-11-02 - Sync copy` (no brackets) hides a note just as a wikilink does; once
    # the copy is archived it must name the canonical, or the note shows up again, warned about.
    other = "M/2026-11-02 - Sync notes.md"
    vault_with(tmp_path, {other: '---\ntype: note\nduplicate_of: "2026-11-02 - Sync copy"\n---\nMore.\n'})
    assert after(tmp_path)[other] == '---\ntype: note\nduplicate_of: "[[2026-11-02 - Sync]]"\n---\nMore.\n'
