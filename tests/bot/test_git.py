"""Commits, pushes and refusals against real git repositories and a real bare remote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.lock import hold_lock, lock_path
from tests.vaults import (
    GIT_USER,
    git,
    no_git_identity,  # noqa: F401 (a fixture the autouse one uses)
    run_cli,
    write_vault,
)

TODAY = "2026-11-24"
ANN = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n"
CALL = "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]] about pricing.\n"
NOTES = {"People/Ann.md": ANN, "Meetings/2026-11-20 Call.md": CALL, "Ideas.md": "# Ideas\n\nNothing to tidy here.\n"}


@pytest.fixture(autouse=True)
def no_identity(no_git_identity: None) -> None:
    """Every test here runs with no git identity (tests/vaults.py `no_git_identity`)."""


def make_repo(root: Path, notes: dict[str, str] = NOTES) -> Path:
    """A repository whose vault is its `Vault/` subfolder, all committed; returns the vault."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_vault(root, {"README.md": "outside the vault\n"})
    write_vault(root / "Vault", notes)
    (root / "Vault" / ".obsidian").mkdir()  # what marks a vault: without it vaultbot warns "is this the vault?"
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    return root / "Vault"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def run_json(vault: Path, *args: str) -> tuple[int, dict | None, str]:
    result = run_cli("run", vault, "--format", "json", "--today", TODAY, *args)
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else None, result.stderr


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def committed_files(repo: Path, rev: str = "HEAD") -> list[str]:
    return git(repo, "show", "--name-only", "--format=", rev).split("\n")[:-1]


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_a_run_makes_one_commit_with_identity_message_and_body(vault: Path) -> None:
    repo = vault.parent
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert commit_count(repo) == 2
    assert result["commit"] == head(repo)
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == "vaultbot <vaultbot@localhost>|vaultbot <vaultbot@localhost>"
    message = git(repo, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "vaultbot: 2 notes updated (tags 2, last-contact 1)"
    assert "tags (2):\n  Vault/Meetings/2026-11-20 Call.md\n  Vault/People/Ann.md\n" not in message  # vault-relative names
    assert "tags (2):\n  Meetings/2026-11-20 Call.md\n  People/Ann.md\n" in message
    assert "last-contact (1):\n  People/Ann.md\n" in message
    assert sorted(committed_files(repo)) == ["Vault/Meetings/2026-11-20 Call.md", "Vault/People/Ann.md"]
    assert git(repo, "status", "--porcelain") == ""


def test_text_output_ends_with_the_headline_and_commit(vault: Path) -> None:
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"vaultbot: 2 notes updated, 0 warnings, commit {head(vault.parent)[:12]}"


def test_commit_message_option_replaces_the_first_line(vault: Path) -> None:
    code, _, stderr = run_json(vault, "--commit-message", "chore: tidy the vault")
    assert code == 0, stderr
    message = git(vault.parent, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "chore: tidy the vault"
    assert "last-contact (1):" in message


def test_a_second_run_makes_no_empty_commit(vault: Path) -> None:
    assert run_json(vault)[0] == 0
    code, result, _ = run_json(vault)
    assert code == 0 and result == {"changed": [], "warnings": [], "commit": None}
    assert commit_count(vault.parent) == 2


def test_only_written_files_are_committed(vault: Path) -> None:
    repo = vault.parent
    (repo / "README.md").write_text("the user's staged edit\n")
    git(repo, "add", "README.md")
    write_vault(vault, {"scratch.txt": "untracked\n", "Inbox/draft.md": "# Draft\n"})
    code, _, stderr = run_json(vault)
    assert code == 0, stderr
    assert sorted(committed_files(repo)) == ["Vault/Meetings/2026-11-20 Call.md", "Vault/People/Ann.md"]
    assert git(repo, "diff", "--cached", "--name-only") == "README.md\n", "the user's staged file stays staged"
    assert sorted(git(repo, "ls-files", "--others").split()) == ["Vault/Inbox/draft.md", "Vault/scratch.txt"]


@pytest.mark.parametrize("stage", [False, True], ids=["modified", "staged"])
def test_a_note_with_uncommitted_edits_is_skipped_and_left_alone(vault: Path, stage: bool) -> None:
    repo = vault.parent
    edited = ANN + "\nMy unsaved thought.\n"
    (vault / "People/Ann.md").write_text(edited)
    if stage:
        git(repo, "add", "Vault/People/Ann.md")
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert (vault / "People/Ann.md").read_text() == edited
    assert [c["path"] for c in result["changed"]] == ["Meetings/2026-11-20 Call.md"]
    assert any(w["path"] == "People/Ann.md" and "uncommitted changes" in w["message"] for w in result["warnings"])
    assert committed_files(repo) == ["Vault/Meetings/2026-11-20 Call.md"]


def test_an_untracked_note_is_never_written_or_committed(vault: Path) -> None:
    new = "---\ntype: meeting\ndate: 2026-11-22\n---\nLunch with [[Ann]].\n"
    write_vault(vault, {"Meetings/2026-11-22 Lunch.md": new})
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert (vault / "Meetings/2026-11-22 Lunch.md").read_text() == new
    assert "Vault/Meetings/2026-11-22 Lunch.md" not in committed_files(vault.parent)
    assert any(w["path"] == "Meetings/2026-11-22 Lunch.md" and "untracked" in w["message"] for w in result["warnings"])


def note_bytes(vault: Path) -> dict[str, bytes]:
    return {p.relative_to(vault).as_posix(): p.read_bytes() for p in vault.rglob("*.md")}


def test_no_write_and_no_commit_during_a_merge(vault: Path) -> None:
    repo = vault.parent
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "README.md").write_text("theirs\n")
    git(repo, "commit", "-q", "-am", "theirs")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("ours\n")
    git(repo, "commit", "-q", "-am", "ours")
    assert subprocess.run(["git", *GIT_USER, "merge", "other"], cwd=repo, capture_output=True).returncode != 0
    before, commits = note_bytes(vault), commit_count(repo)
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 3
    assert "a merge is in progress" in result.stderr and "nothing was written" in result.stderr
    assert note_bytes(vault) == before and commit_count(repo) == commits


@pytest.mark.parametrize(
    ("marker", "operation"), [("rebase-merge", "a rebase"), ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert")]
)
def test_no_write_during_other_operations(vault: Path, marker: str, operation: str) -> None:
    git_dir = vault.parent / ".git"
    if marker.startswith("rebase"):
        (git_dir / marker).mkdir()
    else:
        (git_dir / marker).write_text(head(vault.parent) + "\n")
    before = note_bytes(vault)
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 3 and f"{operation} is in progress" in result.stderr
    assert note_bytes(vault) == before


def test_a_stale_index_lock_stops_the_run_before_writing(vault: Path) -> None:
    (vault.parent / ".git" / "index.lock").write_text("")
    before = note_bytes(vault)
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 3
    assert "index.lock exists" in result.stderr
    assert note_bytes(vault) == before and commit_count(vault.parent) == 1


def test_detached_head_commits_and_says_push_needs_a_branch(vault: Path) -> None:
    repo = vault.parent
    git(repo, "checkout", "-q", "--detach")
    code, result, stderr = run_json(vault, "--push")
    assert code == 0, stderr
    assert result["commit"] == head(repo) and commit_count(repo) == 2
    assert any("pushing needs a branch" in w["message"] for w in result["warnings"])


def test_gitattributes_filters_apply_to_what_is_committed(tmp_path: Path) -> None:
    """GitPython's index.add would store the raw bytes; the git CLI runs the clean filter."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "filter.redact.clean", "sed -e s/SECRET/REDACTED/")
    git(repo, "config", "filter.redact.smudge", "cat")
    write_vault(repo, {".gitattributes": "*.md filter=redact\n"})
    vault = repo / "Vault"
    write_vault(vault, {**NOTES, "People/Ann.md": ANN + "Password: SECRET\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    code, _, stderr = run_json(vault)
    assert code == 0, stderr
    committed = git(repo, "show", "HEAD:Vault/People/Ann.md")
    assert "last_contact: 2026-11-20" in committed
    assert "REDACTED" in committed and "SECRET" not in committed
    assert "SECRET" in (vault / "People/Ann.md").read_text()


DUPLICATES = {
    "People/Ann.md": ANN,
    "Meetings/2026-11-20 Call.md": "---\ndate: 2026-11-20\ntype: meeting\nparticipants: ['[[Ann]]']\n---\nCall with [[Ann]] about pricing, the long write-up.\n",
    "Meetings/2026-11-20 Call copy.md": "---\ndate: 2026-11-20\ntype: meeting\nparticipants: ['[[Ann]]']\n---\nCall.\n",
    ".vaultbot.yaml": "rules:\n  dedupe-meetings: {mode: archive}\n",
}


def test_an_archived_note_is_committed_as_a_rename(tmp_path: Path) -> None:
    """Archive mode moves notes: the commit removes the old path and adds the new one, which git shows as a rename."""
    vault = make_repo(tmp_path / "repo", DUPLICATES)
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert {
        "path": "Meetings/2026-11-20 Call copy.md",
        "rules": ["dedupe-meetings"],
        "moved_to": "_archive/duplicates/Meetings/2026-11-20 Call copy.md",
    } in result["changed"]
    renames = [
        line.split("\t")
        for line in git(vault.parent, "show", "-M", "--name-status", "--format=", "HEAD").splitlines()
        if line.startswith("R")
    ]
    assert [r[1:] for r in renames] == [
        ["Vault/Meetings/2026-11-20 Call copy.md", "Vault/_archive/duplicates/Meetings/2026-11-20 Call copy.md"]
    ]
    assert git(vault.parent, "status", "--porcelain") == ""


def test_a_run_that_changes_nothing_makes_no_commit(vault: Path) -> None:
    assert run_json(vault)[0] == 0
    code, result, _ = run_json(vault, "--rule", "tags")
    assert code == 0 and result["commit"] is None
    assert commit_count(vault.parent) == 2


def test_a_held_lock_makes_a_second_run_skip(vault: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("bot.execute.LOCK_WAIT_SECONDS", 0.2)
    before = note_bytes(vault)
    with hold_lock(lock_path(vault, vault.parent / ".git"), 0):
        assert main(["run", str(vault), "--today", TODAY]) == 3
    assert "another vaultbot run holds" in capsys.readouterr().err
    assert note_bytes(vault) == before
    assert main(["run", str(vault), "--today", TODAY]) == 0


# --- pushing to a real bare remote -------------------------------------------------------------


@pytest.fixture
def remote(tmp_path: Path, vault: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(vault.parent, "remote", "add", "origin", str(bare))
    git(vault.parent, "push", "-q", "-u", "origin", "main")
    return bare


def test_push(vault: Path, remote: Path) -> None:
    code, result, stderr = run_json(vault, "--push")
    assert code == 0, stderr
    assert git(remote, "rev-parse", "main").strip() == result["commit"] == head(vault.parent)


def test_push_from_config(vault: Path, remote: Path) -> None:
    write_vault(vault, {".vaultbot.yaml": "git:\n  push: true\n  author: Vault Bot <bot@example.org>\n"})
    git(vault.parent, "add", "-A")
    git(vault.parent, "commit", "-q", "-m", "config")
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert git(remote, "log", "-1", "--format=%an <%ae>", "main").strip() == "Vault Bot <bot@example.org>"
    assert git(remote, "rev-parse", "main").strip() == result["commit"]


def test_a_rejected_push_is_retried_after_pull_rebase(tmp_path: Path, vault: Path, remote: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "README.md").write_text("pushed first from another clone\n")
    git(other, "commit", "-q", "-am", "from the other clone")
    git(other, "push", "-q")
    code, result, stderr = run_json(vault, "--push")
    assert code == 0, stderr
    assert git(remote, "rev-parse", "main").strip() == result["commit"] == head(vault.parent)
    assert git(remote, "log", "--format=%s", "-2", "main").splitlines() == [
        "vaultbot: 2 notes updated (tags 2, last-contact 1)",
        "from the other clone",
    ]
    assert (vault.parent / "README.md").read_text() == "pushed first from another clone\n"


def test_a_failed_push_keeps_the_local_commit_and_exits_3(vault: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no pushes today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = git(remote, "rev-parse", "main").strip()
    code, result, stderr = run_json(vault, "--push")
    assert code == 3
    assert result["commit"] == head(vault.parent) != before
    assert commit_count(vault.parent) == 2
    assert result["errors"] == [
        f"push to origin/main failed: [remote rejected] (pre-receive hook declined); the commit {head(vault.parent)[:12]} is kept locally"
    ]
    assert git(remote, "rev-parse", "main").strip() == before


def test_a_push_that_cannot_rebase_keeps_the_local_commit(tmp_path: Path, vault: Path, remote: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "Vault/People/Ann.md").write_text(ANN.replace("unknown", "2020-01-01"))
    git(other, "commit", "-q", "-am", "conflicting edit")
    git(other, "push", "-q")
    code, result, _ = run_json(vault, "--push")
    assert code == 3
    assert result["commit"] == head(vault.parent)
    assert result["errors"] == [
        (
            "push to origin/main was rejected and `git pull --rebase` failed (CONFLICT (content): Merge conflict in Vault/People/Ann.md); "
            f"the commit {head(vault.parent)[:12]} is kept locally"
        )
    ], "the reason, not git's fetch progress"
    assert git(vault.parent, "log", "-1", "--format=%s").startswith("vaultbot: 2 notes updated")
    assert not (vault.parent / ".git" / "rebase-merge").exists() and not (vault.parent / ".git" / "rebase-apply").exists()
    assert git(vault.parent, "status", "--porcelain") == ""


def other_clone_pushes(tmp_path: Path, remote: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "NEWS.md").write_text("pushed first from another clone\n")
    git(other, "add", "NEWS.md")
    git(other, "commit", "-q", "-m", "from the other clone")
    git(other, "push", "-q")


def test_a_rejected_push_that_succeeds_after_rebasing_logs_no_error(tmp_path: Path, vault: Path, remote: Path) -> None:
    other_clone_pushes(tmp_path, remote)
    result = run_cli("run", vault, "--push", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "no git error text for a push that worked in the end"
    assert git(remote, "rev-parse", "main").strip() == head(vault.parent)


def test_a_failed_push_is_an_error_shown_with_quiet(vault: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = run_cli("run", vault, "--push", "-q", "--today", TODAY)
    assert result.returncode == 3
    sha = head(vault.parent)
    assert (
        result.stderr
        == f"vaultbot: error: push to origin/main failed: [remote rejected] (pre-receive hook declined); the commit {sha[:12]} is kept locally\n"
    )
    assert result.stdout == f"vaultbot: 2 notes updated, 0 warnings, commit {sha[:12]}\n"


def test_a_rejected_push_never_touches_uncommitted_changes(tmp_path: Path, vault: Path, remote: Path) -> None:
    repo = vault.parent
    other_clone_pushes(tmp_path, remote)
    (repo / "README.md").write_text("my unsaved work\n")
    git(repo, "add", "README.md")
    (repo / "README.md").write_text("my unsaved work, and more\n")
    code, result, _ = run_json(vault, "--push")
    assert code == 3
    assert len(result["errors"]) == 1 and "would have to stash your uncommitted changes, so vaultbot did not run it" in result["errors"][0]
    assert f"the commit {head(repo)[:12]} is kept locally" in result["errors"][0]
    assert (repo / "README.md").read_text() == "my unsaved work, and more\n"
    assert git(repo, "show", ":README.md") == "my unsaved work\n", "the staged version stays staged"
    assert git(repo, "stash", "list") == ""
    assert git(repo, "log", "-1", "--format=%s").startswith("vaultbot: 2 notes updated")


# --- archive destinations ------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [".git/archive", ".", "./", "../outside", "/tmp/archive"])
def test_an_archive_folder_that_cannot_hold_notes_is_a_config_error(vault: Path, folder: str) -> None:
    write_vault(vault, {".vaultbot.yaml": f"rules:\n  dedupe-meetings: {{mode: archive, archive_folder: '{folder}'}}\n"})
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 2
    assert "rules.dedupe-meetings.archive_folder" in result.stderr


def test_an_ignored_archive_folder_moves_nothing_and_stages_nothing(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", {**DUPLICATES, ".gitignore": "_archive/\n"})
    repo = vault.parent
    code, result, stderr = run_json(vault)
    assert code == 0, stderr
    assert {
        "path": "(git)",
        "rule": None,
        "message": "no note moved: git ignores _archive/duplicates/Meetings/2026-11-20 Call copy.md, so a moved note would leave the repository; moves (and the link and task edits made for them) are skipped",
    } in result["warnings"]
    assert not any("moved_to" in change for change in result["changed"])
    assert not (vault / "_archive").exists()
    assert 'duplicate_of: "[[2026-11-20 Call]]"' in git(repo, "show", "HEAD:Vault/Meetings/2026-11-20 Call copy.md"), (
        "the duplicate is still marked"
    )
    assert git(repo, "status", "--porcelain") == ""
