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
