"""Runs vaultbot refuses before writing anything: a push with nothing to push, a folder nobody named as a vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_conventions import TODAY, _repository, vault  # noqa: F401 (a fixture)
from tests.vaults import git, run_cli, tree_state, write_vault


@pytest.mark.parametrize(
    ("flags", "config", "reason"),
    [
        (["--no-commit"], "", "--no-commit"),
        ([], "git:\n  commit: false\n", "git.commit is false in the config"),
    ],
)
def test_push_with_nothing_committed_is_a_usage_error_before_anything_is_written(
    vault: Path, flags: list[str], config: str, reason: str
) -> None:
    # `--push --no-commit` used to write the notes, commit nothing, push nothing and exit 0.
    (vault / ".vaultbot.yaml").write_text(config)
    _repository(vault)
    before, head = tree_state(vault), git(vault, "rev-parse", "HEAD")
    result = run_cli("run", vault, "--push", *flags, "-q", "--today", TODAY)
    assert result.returncode == 2
    assert result.stderr == f"vaultbot: --push: {reason}, so there is nothing to push; nothing was written\n"
    assert tree_state(vault) == before and git(vault, "rev-parse", "HEAD") == head


def test_a_writing_run_with_no_vault_found_writes_nothing(tmp_path: Path) -> None:
    # `cd ~ && vaultbot run` rewrote every Markdown file's `tags` below the home folder with only a warning
    # (and no git to undo it with).
    write_vault(tmp_path / "blog", {"_posts/2024-01-01-hello.md": "---\nlayout: post\ntags: python Web\n---\nBody\n"})
    here, before = (tmp_path / "blog").resolve(), tree_state(tmp_path / "blog")
    for command in (["run", "-q"], ["daemon"]):
        result = run_cli(*command, cwd=tmp_path / "blog")
        assert result.returncode == 2, command
        assert result.stderr == (
            f"vaultbot: no .obsidian/ or .vaultbot.yaml in {here} or any folder above it: "
            "name the vault to run on this folder (vaultbot run .); nothing was written\n"
        )
    assert tree_state(tmp_path / "blog") == before
    named = run_cli("run", ".", "-q", cwd=tmp_path / "blog")
    assert named.returncode == 0 and tree_state(tmp_path / "blog") != before, "a folder named is the user's choice"


def test_a_writing_run_at_the_top_of_a_repository_without_a_marker_is_written(tmp_path: Path) -> None:
    # A vault repository that keeps .obsidian/ out of git (pre-commit's fixing hook in CI): git can undo the run.
    write_vault(tmp_path / "repo", {"People/Ann.md": "---\ntype: person\ntags: a b\n---\n"})
    _repository(tmp_path / "repo")
    result = run_cli("run", "--no-commit", "-q", cwd=tmp_path / "repo")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "repo" / "People/Ann.md").read_text() == "---\ntype: person\ntags:\n  - type/person\n  - a\n  - b\n---\n"


def test_a_commit_message_of_several_lines_is_a_usage_error_before_anything_is_written(vault: Path) -> None:
    # --commit-message is the commit's first line; "a\nb" ran the two into one subject, then the body.
    _repository(vault)
    before, head = tree_state(vault), git(vault, "rev-parse", "HEAD")
    result = run_cli("run", vault, "--commit-message", "chore: tidy\nsecond line", "-q", "--today", TODAY)
    assert result.returncode == 2
    assert result.stderr == "vaultbot: --commit-message: expected one line (the commit's first line), got 'chore: tidy\\nsecond line'\n"
    assert tree_state(vault) == before and git(vault, "rev-parse", "HEAD") == head
    # A YAML block scalar's closing line break is no second line.
    result = run_cli("run", vault, "--commit-message", "chore: tidy\n", "-q", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert git(vault, "log", "-1", "--format=%s") == "chore: tidy\n"
