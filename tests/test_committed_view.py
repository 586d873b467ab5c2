"""The committed view (bot/view.py): no bot commit holds text derived from uncommitted notes, the
entity converges once they are committed, and the dry run predicts the real run exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_commit import head_file, make_repo, no_identity  # noqa: F401  (no_identity: an autouse fixture)
from tests.vaults import (
    git,
    no_git_identity,  # noqa: F401 (a fixture the autouse one uses)
    run_cli,
    write_vault,
)

TODAY = "2026-11-24"
ANN = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n\n## Recent Context\n\n## Notes\n"
BOB = "---\ntype: person\nlast_contact: unknown\n---\n# Bob\n\n## Recent Context\n"


def meeting(day: int, who: str, summary: str, tags: str = "[type/meeting, call]") -> str:
    return f"---\ntype: meeting\ndate: 2026-11-{day:02d}\nsummary: {summary}\ntags: {tags}\n---\nWith [[{who}]].\n"


NOTES = {
    "People/Ann.md": ANN,
    "People/Bob.md": BOB,
    "Meetings/2026-11-02 Kickoff.md": meeting(2, "Ann", "Kickoff"),
    "Meetings/2026-11-05 Pricing.md": meeting(5, "Ann", "Pricing as agreed"),
    "Meetings/2026-11-06 Review.md": meeting(6, "Bob", "Review", tags="'needs, fixing'"),
}


def run_json(vault: Path, *args: str) -> tuple[int, dict, str]:
    result = run_cli("run", vault, "--format", "json", "--today", TODAY, *args)
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    """A vault with an unstaged edit, a staged edit and an untracked note, each feeding an entity."""
    vault = make_repo(tmp_path / "repo", NOTES)
    write_vault(vault, {"Meetings/2026-11-05 Pricing.md": meeting(5, "Ann", "DRAFT the secret discount")})  # modified
    write_vault(vault, {"Meetings/2026-11-06 Review.md": meeting(6, "Bob", "Review, staged", tags="'needs, fixing'")})
    git(vault.parent, "add", "Vault/Meetings/2026-11-06 Review.md")  # staged
    write_vault(vault, {"Meetings/2026-11-09 Lunch.md": meeting(9, "Ann", "An untracked lunch")})  # untracked
    return vault


def test_no_commit_holds_text_from_uncommitted_notes_and_the_dry_run_predicts_the_run(dirty: Path) -> None:
    repo = dirty.parent
    dry_code, dry, _ = run_json(dirty, "--dry-run")
    check = run_cli("run", dirty, "--check", "--today", TODAY)
    code, real, stderr = run_json(dirty)
    assert code == 0 and dry_code == 0, stderr
    assert check.returncode == 1
    assert dry["changed"] == real["changed"] and dry["warnings"] == real["warnings"], "the dry run predicts the real run"
    assert [c["path"] for c in real["changed"]] == ["People/Ann.md", "People/Bob.md"]
    assert real["warnings"] == [
        {
            "path": "Meetings/2026-11-09 Lunch.md",
            "rule": None,
            "message": "is not committed to git yet (untracked); vaultbot reads and changes only committed notes, so it is left out until it is committed",
        },
        {
            "path": "People/Ann.md",
            "rule": None,
            "message": "waits for uncommitted Meetings/2026-11-05 Pricing.md and 1 more uncommitted note; it is updated from them once they are committed",
        },
        {
            "path": "People/Bob.md",
            "rule": None,
            "message": "waits for uncommitted Meetings/2026-11-06 Review.md; it is updated from them once they are committed",
        },
        {
            "path": "Meetings/2026-11-06 Review.md",
            "rule": None,
            "message": "not changed: has uncommitted changes; left as it is (the first run after they are committed updates it)",
        },
    ]
    check_warnings = [line for line in check.stderr.splitlines() if line.startswith("warning:")]
    assert check_warnings == [f"warning: {w['path']}: {w['message']}" for w in real["warnings"]]
    committed = head_file(repo, "Vault/People/Ann.md").decode()
    assert "- 2026-11-05: [[2026-11-05 Pricing]] - Pricing as agreed" in committed, "HEAD's version of the edited note"
    assert "DRAFT" not in committed and "Lunch" not in committed
    assert "- 2026-11-06: [[2026-11-06 Review]] - Review\n" in head_file(repo, "Vault/People/Bob.md").decode()
    assert git(repo, "status", "--porcelain").splitlines() == [
        ' M "Vault/Meetings/2026-11-05 Pricing.md"',
        'M  "Vault/Meetings/2026-11-06 Review.md"',
        '?? "Vault/Meetings/2026-11-09 Lunch.md"',
    ], "the user's changes, staged and not, are as they left them"


def test_the_entity_converges_once_its_notes_are_committed(dirty: Path) -> None:
    repo = dirty.parent
    assert run_json(dirty)[0] == 0
    assert run_json(dirty)[1]["changed"] == [], "nothing more while the notes stay uncommitted"
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the user commits the drafts")  # no file changes on disk: only git knows
    code, result, stderr = run_json(dirty)
    assert code == 0, stderr
    assert [c["path"] for c in result["changed"]] == ["Meetings/2026-11-06 Review.md", "People/Ann.md", "People/Bob.md"]
    ann = head_file(repo, "Vault/People/Ann.md").decode()
    assert "- 2026-11-09: [[2026-11-09 Lunch]] - An untracked lunch" in ann and "DRAFT the secret discount" in ann
    assert result["warnings"] == []
    assert git(repo, "status", "--porcelain") == ""


def test_a_new_repository_with_every_note_untracked_gets_one_clear_message(tmp_path: Path) -> None:
    write_vault(tmp_path, {f"Meetings/2026-11-{d:02d} M{i}.md": meeting(d, "Ann", f"m {i}") for i in range(40) for d in [1 + i % 20]})
    write_vault(tmp_path, {"People/Ann.md": ANN})
    git(tmp_path, "init", "-q", "-b", "main")
    code, result, stderr = run_json(tmp_path)
    assert code == 0, stderr
    assert result == {
        "changed": [],
        "warnings": [
            {
                "path": "(git)",
                "rule": None,
                "message": "41 notes are not committed to git yet (untracked; first: Meetings/2026-11-01 M0.md); "
                "vaultbot reads and changes only committed notes, so they are left out until they are committed",
            }
        ],
        "commit": None,
    }


def test_with_no_commit_the_work_tree_is_read_as_it_is(dirty: Path) -> None:
    """`--no-commit` commits nothing, so nothing needs the committed view: the work tree counts."""
    code, result, stderr = run_json(dirty, "--no-commit")
    assert code == 0, stderr
    assert "DRAFT the secret discount" in (dirty / "People/Ann.md").read_text()
    assert result["warnings"] == []


@pytest.mark.parametrize("ignore", ["Private/", "Private", "/Vault/Private/*", "*.md\n!/Vault/*/*.md\n!/Vault/*/"])
def test_a_note_in_an_ignored_folder_is_neither_read_nor_committed(tmp_path: Path, ignore: str) -> None:
    """`git status --ignored=matching` names an ignored folder, not the notes in it: each of them
    must still be left out, or its text (and the note itself) would be published in vaultbot's commit."""
    vault = make_repo(tmp_path / "repo", NOTES)
    repo = vault.parent
    write_vault(repo, {".gitignore": ignore + "\n"})
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore the private folder")
    write_vault(vault, {"Private/Deep/2026-11-10 Secret.md": meeting(10, "Ann", "PRIVATE salary talk")})
    dry_code, dry, _ = run_json(vault, "--dry-run")
    code, real, stderr = run_json(vault)
    assert code == 0 and dry_code == 0, stderr
    assert dry["changed"] == real["changed"] and dry["warnings"] == real["warnings"]
    assert "Private/Deep/2026-11-10 Secret.md" not in [c["path"] for c in real["changed"]]
    shown = git(repo, "show", "HEAD")
    assert "PRIVATE" not in shown and "Secret" not in shown
    assert git(repo, "ls-files", "Vault/Private") == ""
    assert git(repo, "status", "--porcelain") == ""


def test_notes_of_another_repository_inside_the_vault_are_left_out(tmp_path: Path) -> None:
    """git status lists a repository nested in the vault as one untracked folder (`?? Vault/Other/`)."""
    vault = make_repo(tmp_path / "repo", NOTES)
    nested = vault / "Other"
    write_vault(nested, {"2026-11-10 Theirs.md": meeting(10, "Ann", "NESTED repository's note")})
    git(nested, "init", "-q", "-b", "main")
    git(nested, "add", "-A")
    git(nested, "commit", "-q", "-m", "theirs")
    code, real, stderr = run_json(vault)
    assert code == 0, stderr
    assert "Other/2026-11-10 Theirs.md" not in [c["path"] for c in real["changed"]]
    assert "NESTED" not in git(vault.parent, "show", "HEAD")
    assert git(nested, "status", "--porcelain") == "", "the nested repository's note is not written"


def test_a_vault_in_an_ignored_folder_is_not_committed(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", {"placeholder.md": "x\n"})
    write_vault(vault.parent, {".gitignore": "/Vault/\n"})
    git(vault.parent, "add", ".gitignore")
    git(vault.parent, "commit", "-q", "-m", "the vault is ignored")
    write_vault(vault, NOTES)
    code, real, stderr = run_json(vault)
    assert code == 0, stderr
    assert real["changed"] == [] and real["commit"] is None
    assert git(vault.parent, "log", "--format=%s") == "the vault is ignored\nnotes\n"


def test_a_note_edited_right_after_git_status_is_not_read_as_committed(tmp_path: Path) -> None:
    """The committed view asks git which notes differ from HEAD, then the notes are read: an edit
    landing between the two (a user saving while vaultbot starts) must not pass as committed text."""
    import datetime

    from bot import git as bot_git
    from bot.config import load_config
    from bot.runner import plan_run
    from bot.view import committed_view

    vault = make_repo(tmp_path / "repo", NOTES)
    edits = []

    def view_then_the_user_saves(scan):  # type: ignore[no-untyped-def]
        view = committed_view(repo, vault, scan)
        if not edits:
            write_vault(vault, {"Meetings/2026-11-05 Pricing.md": meeting(5, "Ann", "DRAFT typed just now")})
            edits.append(True)
        return view

    with bot_git.open_repo(vault) as repo:
        assert repo is not None
        plan = plan_run(vault, load_config(vault), datetime.date(2026, 11, 24), (), view_of=view_then_the_user_saves)
    assert edits
    assert not [c.path for c in plan.changes if b"DRAFT" in c.after]
    assert "Meetings/2026-11-05 Pricing.md" not in [c.path for c in plan.changes]


def _archive_call(extra: str) -> str:
    """A meeting of 2026-11-03 from recording rec-7, its body ending in `extra`."""
    return f"---\ntype: meeting\ndate: 2026-11-03\nsource: rec-7\nsummary: Call\n---\nWith [[Ann]].\n{extra}"


# Archive mode, and two notes of one meeting: the canonical (longer, linked) and a copy holding a task.
ARCHIVE_PAIR = {
    **NOTES,
    ".vaultbot.yaml": "rules:\n  dedupe-meetings:\n    mode: archive\n",
    "Meetings/2026-11-03 Call.md": _archive_call("Long canonical body, linked.\n"),
    "Meetings/2026-11-03 Call (copy).md": _archive_call("- [ ] Send the contract\n"),
}


def test_a_duplicate_whose_tasks_go_to_an_uncommitted_canonical_is_not_archived(tmp_path: Path) -> None:
    """Archive mode copies a duplicate's open tasks into the canonical; when the canonical has
    uncommitted changes that copy is not written, so the duplicate must not move either: its task
    would be left only in the archive, and every roll-up would drop it on the next run."""

    vault = make_repo(
        tmp_path / "repo",
        {
            **ARCHIVE_PAIR,
            "Meetings/2026-11-04 Follow-up.md": meeting(4, "2026-11-03 Call", "Follow-up"),
        },
    )
    write_vault(vault, {"Meetings/2026-11-03 Call.md": _archive_call("Long canonical body, linked.\nAn uncommitted line.\n")})
    dry_code, dry, _ = run_json(vault, "--dry-run")
    code, real, stderr = run_json(vault)
    assert code == 0 and dry_code == 0, stderr
    assert dry["changed"] == real["changed"] and dry["warnings"] == real["warnings"]
    assert (vault / "Meetings/2026-11-03 Call (copy).md").exists(), "not moved"
    assert not (vault / "_archive").exists()
    assert "Meetings/2026-11-03 Call (copy).md" not in [c["path"] for c in real["changed"]]
    ann = (vault / "People/Ann.md").read_text()
    assert "- [ ] Send the contract" not in ann or "[[2026-11-03 Call (copy)]]" in ann
    again_code, again, _ = run_json(vault)
    assert again_code == 0 and again["changed"] == [], "nothing more until the canonical is committed"


def test_the_dry_run_lists_an_archive_run_s_changes_in_the_real_run_s_order(tmp_path: Path) -> None:
    """The real run writes a note that goes with others' changes after them (bot/together.py);
    what it reports must still be the dry run's list, in the same order."""

    vault = make_repo(
        tmp_path / "repo",
        {
            **ARCHIVE_PAIR,
        },
    )
    dry_code, dry, _ = run_json(vault, "--dry-run")
    code, real, stderr = run_json(vault)
    assert code == 0 and dry_code == 0, stderr
    assert not (vault / "Meetings/2026-11-03 Call (copy).md").exists(), "archived"
    assert dry["changed"] == real["changed"]
