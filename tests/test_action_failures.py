"""The GitHub Action when the run fails: the step's outputs and job summary still say what happened and why."""

from __future__ import annotations

from pathlib import Path

from tests.test_action import ON_A_RUNNER, outputs, run_action, runner, workspace  # noqa: F401 (fixtures)
from tests.vaults import git


@ON_A_RUNNER
def test_a_rejected_push_fails_the_step_and_the_summary_says_why(workspace: Path, runner: Path, tmp_path: Path) -> None:
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = run_action(workspace, runner, {"vault-path": "notes"})
    assert result.returncode == 3
    sha = git(workspace, "rev-parse", "HEAD").strip()
    assert outputs(runner) == {"changed": "2", "commit": sha, "pull-request": ""}
    summary = (runner / "summary").read_text()
    assert summary.endswith(
        "The run failed (exit 3).\n\n"
        f"- push to origin/main failed: [remote rejected] (pre-receive hook declined); the commit {sha[:12]} is kept locally\n"
    )


@ON_A_RUNNER
def test_a_misspelt_yes_or_no_input_stops_the_action_instead_of_writing(workspace: Path, runner: Path, tmp_path: Path) -> None:
    # `dry-run: ture` once meant a real run, committed and pushed: a typo fell on the unsafe side.
    head = git(workspace, "rev-parse", "HEAD").strip()
    result = run_action(workspace, runner, {"vault-path": "notes", "dry-run": "ture"})
    assert result.returncode == 2
    assert "vaultbot: input dry-run: expected true or false, got 'ture'\n" in result.stderr
    assert git(workspace, "rev-parse", "HEAD").strip() == head and git(workspace, "status", "--porcelain") == ""
    assert git(tmp_path / "remote.git", "rev-parse", "main").strip() == head
    assert outputs(runner) == {"changed": "0", "commit": "", "pull-request": ""}
    assert "input dry-run: expected true or false, got 'ture'" in (runner / "summary").read_text()
    for name in ("push", "pull-request"):
        assert run_action(workspace, runner, {"vault-path": "notes", name: "maybe"}).returncode == 2
    assert git(workspace, "rev-parse", "HEAD").strip() == head


def test_yes_and_no_inputs_read_as_github_and_yaml_write_them() -> None:
    from bot.action import vaultbot_args

    for yes in ("true", "True", " TRUE ", "yes", "1", "on"):
        assert "--dry-run" in vaultbot_args({"INPUT_DRY_RUN": yes, "INPUT_TIMEZONE": "UTC"})
    for no in ("false", "False", "no", "0", "off", ""):
        assert "--dry-run" not in vaultbot_args({"INPUT_DRY_RUN": no, "INPUT_TIMEZONE": "UTC"})
