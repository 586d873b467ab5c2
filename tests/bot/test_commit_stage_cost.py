"""The commit stage is linear in the changed notes: a committing run starts the same git commands,
as many of them, whether it commits 30 notes or 3,000 in one folder, in a repository of 30 notes
or one of 3,000 more (no git command per note, per folder or per entry of the repository), and
`-v` logs the stage's own time."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

import bot.git
import bot.writer
from bot.config import load_config
from bot.execute import RunRequest, run
from tests.vaults import git, run_cli, write_vault

TODAY = datetime.date(2026, 11, 24)


def git_commands_of_a_run(
    root: Path, changed: int, unchanged: int, monkeypatch: pytest.MonkeyPatch, line_endings: bool = False
) -> list[str]:
    """The git subcommands (in order) one committing run starts to commit `changed` notes of one
    folder (the tags rule turns `tags: 'a, b'` into a list), beside `unchanged` notes it leaves as
    they are; with `line_endings`, in a repository whose settings normalise line endings."""
    notes = {f"Inbox/Note {index:05d}.md": f"---\ntags: 'a, b'\n---\n# Note {index}\n" for index in range(changed)}
    notes |= {f"Archive/{index // 500}/Old {index:05d}.md": "---\ntags:\n  - a\n---\n# Old\n" for index in range(unchanged)}
    write_vault(root, notes | ({".gitattributes": "* text=auto\n"} if line_endings else {}))
    (root / ".obsidian").mkdir()
    git(root, "init", "-q", "-b", "main")
    if line_endings:
        git(root, "config", "core.autocrlf", "input")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    commands: list[str] = []
    real_run = bot.git.subprocess.run

    def recording(command: list[str], *args: object, **kwargs: object) -> subprocess.CompletedProcess:
        commands.append(command[1])
        return real_run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(bot.git.subprocess, "run", recording)
    monkeypatch.setattr(bot.writer.os, "fsync", lambda descriptor: None)  # durability is tests/test_faults.py's
    result = run(RunRequest(root, load_config(root), TODAY, ("tags",), use_cache=False))
    monkeypatch.undo()
    assert not result.failed, result.errors
    assert len(result.changes) == changed and result.commit is not None
    assert git(root, "status", "--porcelain") == ""
    return commands


def test_committing_3000_notes_starts_the_same_git_commands_as_committing_30(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    few = git_commands_of_a_run(tmp_path / "few", 30, 0, monkeypatch)
    many = git_commands_of_a_run(tmp_path / "many", 3000, 0, monkeypatch)
    bigger_repository = git_commands_of_a_run(tmp_path / "bigger", 30, 3000, monkeypatch)
    assert many == few == bigger_repository, (few, many, bigger_repository)
    assert len(few) <= 20, few


def test_line_ending_settings_cost_no_git_command_per_note_whose_bytes_they_would_not_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`* text=auto` and core.autocrlf only turn CRLF into LF on the way in: LF notes are stored as
    they are, with the others, not by one `git hash-object` each (the helper checks that `git
    status` then shows every note clean, so the blobs are the ones `git add` makes)."""
    plain = git_commands_of_a_run(tmp_path / "plain", 300, 0, monkeypatch)
    normalised = git_commands_of_a_run(tmp_path / "normalised", 300, 0, monkeypatch, line_endings=True)
    assert normalised == plain, normalised


def test_verbose_logs_the_write_and_the_commit_stage_with_its_own_time(tmp_path: Path) -> None:
    root = write_vault(tmp_path / "vault", {"Note.md": "---\ntags: 'a, b'\n---\n# Note\n", "Other.md": "# Other\n"})
    (root / ".obsidian").mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    result = run_cli("run", root, "-v", "--today", TODAY.isoformat(), env=env)
    assert result.returncode == 0, result.stderr
    stages = [line.split("s ", 1)[1] for line in result.stderr.splitlines() if line.startswith("vaultbot: ")]
    assert stages[-2] == "1 of 1 notes written"
    took = stages[-1].removeprefix("1 notes committed; the commit stage took ")
    wall, cpu = took.split("s, CPU ")
    assert float(wall) > 0 and float(cpu.removesuffix("s")) >= 0, stages


def test_a_commit_ref_left_by_a_killed_run_is_removed_and_never_becomes_a_parent(tmp_path: Path) -> None:
    """fast-import records vaultbot's commit in a private ref, deleted at once; one a killed run left
    (here pointing at an unrelated commit) is removed by the next run, and the commit's only parent is HEAD."""
    from bot.git import open_repo
    from bot.git_commit import commit_ref

    root = write_vault(tmp_path / "vault", {"Note.md": "---\ntags: 'a, b'\n---\n# Note\n", ".obsidian/app.json": "{}"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    base = git(root, "rev-parse", "HEAD").strip()
    unrelated = git(root, "commit-tree", "-m", "unrelated", git(root, "mktree").strip() or "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
    with open_repo(root) as repo:
        assert repo is not None
        git(root, "update-ref", commit_ref(repo), unrelated.strip())
    result = run(RunRequest(root, load_config(root), TODAY, ("tags",)))
    assert not result.failed and result.commit is not None, result.errors
    assert git(root, "for-each-ref", "refs/vaultbot/") == ""
    assert git(root, "rev-list", "--parents", "-n", "1", "HEAD").split() == [result.commit, base]
    assert (
        git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s")
        == "vaultbot <vaultbot@localhost>|vaultbot <vaultbot@localhost>|vaultbot: 1 note updated (tags 1)\n"
    )
    assert git(root, "show", "HEAD:Note.md") == "---\ntags:\n  - a\n  - b\n---\n# Note\n"
    assert git(root, "status", "--porcelain") == ""
