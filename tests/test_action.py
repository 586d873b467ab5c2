"""The GitHub Action's steps, run as a runner runs them, on a real temporary vault repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.vaults import REPO, git, write_vault

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ANN = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n"
CALL = "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]] about pricing.\n"


def expand(value: str, inputs: dict[str, str]) -> str:
    """What the runner does to `${{ }}` in a step's `env:`: only inputs and the action's path are used."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(REPO)
        assert expression.startswith("inputs."), expression
        name = expression.removeprefix("inputs.")
        return inputs.get(name, str(ACTION["inputs"][name].get("default", "")))

    return EXPRESSION.sub(one, value)


def run_action(workspace: Path, runner: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess:
    """Each `run:` step of action.yml in bash, with the runner's variables set.

    `uses:` steps (setup-python) and the install step are the runner's business:
    vaultbot is already installed in this interpreter, and reinstalling it from
    the checkout would replace the developer's editable install.
    """
    output, summary = runner / "output", runner / "summary"
    base = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(REPO),
    }
    result = None
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step["id"] == "install":
            continue
        env = {**base, **{name: expand(str(value), inputs) for name, value in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True, timeout=120)
        if result.returncode:
            break
    assert result is not None
    return result


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vault repository checked out from a bare remote, as actions/checkout leaves it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write_vault(origin / "notes", {".vaultbot.yaml": "rules:\n  last-contact: {create_missing: false}\n", "People/Ann.md": ANN, "Meetings/2026-11-20 Call.md": CALL})
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "notes")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(bare))
    workspace = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(workspace))
    return workspace


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    folder = tmp_path / "runner"
    folder.mkdir()
    return folder


def outputs(runner: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())


def test_no_input_is_expanded_inside_a_script() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["id"]
    workflow = (REPO / "examples" / "vault-maintenance.yml").read_text()
    for step in yaml.safe_load(workflow)["jobs"]["vaultbot"]["steps"]:
        assert "${{" not in step.get("run", "")


def test_the_action_commits_pushes_and_reports(workspace: Path, runner: Path, tmp_path: Path) -> None:
    result = run_action(workspace, runner, {"vault-path": "notes"})
    assert result.returncode == 0, result.stderr
    sha = git(workspace, "rev-parse", "HEAD").strip()
    assert outputs(runner) == {"changed": "2", "commit": sha}
    assert git(tmp_path / "remote.git", "rev-parse", "main").strip() == sha
    assert git(workspace, "log", "-1", "--format=%s").startswith("vaultbot: 2 notes updated")
    summary = (runner / "summary").read_text()
    assert "**2 notes updated**" in summary and f"`{sha[:12]}`" in summary
    assert "| Rule | Files |" in summary
    assert "| last-contact (1) | `People/Ann.md` |" in summary


def test_dry_run_changes_nothing_and_reports(workspace: Path, runner: Path) -> None:
    head = git(workspace, "rev-parse", "HEAD").strip()
    result = run_action(workspace, runner, {"vault-path": "notes", "dry-run": "true", "rules": "last-contact"})
    assert result.returncode == 0, result.stderr
    assert outputs(runner) == {"changed": "1", "commit": ""}
    assert git(workspace, "rev-parse", "HEAD").strip() == head and git(workspace, "status", "--porcelain") == ""
    assert "**1 note would change** (dry run)" in (runner / "summary").read_text()


def test_warnings_go_to_the_summary(workspace: Path, runner: Path) -> None:
    write_vault(workspace / "notes", {"Broken.md": "---\n: [unclosed\n---\nbody\n"})
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "broken note")
    result = run_action(workspace, runner, {"vault-path": "notes", "push": "false"})
    assert result.returncode == 0, result.stderr
    summary = (runner / "summary").read_text()
    assert "### Warnings (1)" in summary and "`Broken.md`" in summary
    assert "::warning::Broken.md" in result.stdout


def test_inputs_are_data_not_shell(workspace: Path, runner: Path) -> None:
    message = '"; touch pwned #'
    result = run_action(workspace, runner, {"vault-path": "notes", "commit-message": message, "push": "false"})
    assert result.returncode == 0, result.stderr
    assert git(workspace, "log", "-1", "--format=%s").strip() == message
    assert not list(workspace.parent.rglob("pwned")) and not (REPO / "pwned").exists()
    failed = run_action(workspace, runner, {"vault-path": "notes'; touch pwned #"})
    assert failed.returncode == 2
    assert not list(workspace.parent.rglob("pwned"))
    assert "The run failed (exit 2)" in (runner / "summary").read_text()
