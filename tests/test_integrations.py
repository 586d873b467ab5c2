"""The files that run vaultbot elsewhere: systemd units, the launchd agent, the Task Scheduler
line, and the pre-commit hooks. Each is parsed and checked for what makes it work as copied;
systemd-analyze verifies the units where it exists, and the hooks' commands run on a vault."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.vaults import REPO, git, run_cli, write_vault

EXAMPLES = REPO / "examples"
README = (REPO / "README.md").read_text(encoding="utf-8")
UNITS = ("vaultbot.service", "vaultbot-run.service", "vaultbot-run.timer")
# Options that need user namespaces in a user manager: where those are off, the unit fails
# with 226/NAMESPACE before vaultbot starts.
NAMESPACED = {
    "PrivateTmp",
    "PrivateDevices",
    "PrivateNetwork",
    "PrivateUsers",
    "PrivateMounts",
    "ProtectSystem",
    "ProtectHome",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectControlGroups",
    "ProtectHostname",
    "ProtectClock",
    "ReadOnlyPaths",
    "ReadWritePaths",
    "InaccessiblePaths",
    "TemporaryFileSystem",
    "BindPaths",
}


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.mark.parametrize("name", UNITS)
def test_user_units_start_on_a_stock_user_session(name: str) -> None:
    sections = unit(name)
    keys = {key for section in sections.values() for key in section}
    assert not keys & NAMESPACED, "sandboxing that needs user namespaces"
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert "network-online.target" not in text.replace("# ", ""), "a user manager has no network-online.target"


@pytest.mark.parametrize(("name", "command"), [("vaultbot.service", "daemon"), ("vaultbot-run.service", "run")])
def test_services_start_the_vaultbot_that_pipx_installs(name: str, command: str) -> None:
    (exec_start,) = unit(name)["Service"]["ExecStart"]
    program, subcommand, vault, *options = shlex.split(exec_start)
    assert (program, subcommand, vault) == ("%h/.local/bin/vaultbot", command, "%h/Notes")
    assert name in README


def test_the_timer_runs_hourly_catches_up_and_is_enabled_by_the_timers_target() -> None:
    timer = unit("vaultbot-run.timer")
    assert timer["Timer"]["OnCalendar"] == ["*-*-* *:17:00"]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    assert unit("vaultbot-run.service")["Service"]["Type"] == ["oneshot"]
    assert "Install" not in unit("vaultbot-run.service"), "the timer starts it; enabling it alone would do nothing"
    assert unit("vaultbot.service")["Install"]["WantedBy"] == ["default.target"]


@pytest.mark.linux("systemd-analyze")
def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    home, runtime = tmp_path / "home", tmp_path / "run"
    (home / ".local" / "bin").mkdir(parents=True)
    installed = home / ".local" / "bin" / "vaultbot"  # where the README's pipx install puts it
    installed.write_text("#!/bin/sh\n")
    installed.chmod(0o755)
    runtime.mkdir(mode=0o700)
    for name in UNITS:
        shutil.copy(EXAMPLES / name, tmp_path / name)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    result = subprocess.run([analyze, "--user", "verify", *UNITS], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    if "Failed to initialize manager" in result.stderr or "Failed to connect" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run a user manager here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    installed.unlink()
    missing = subprocess.run(
        [analyze, "--user", "verify", "vaultbot.service"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert "vaultbot is not executable" in missing.stderr, "verify checks the ExecStart path"


def test_the_launchd_agent_runs_hourly_with_logs_once_your_home_is_filled_in() -> None:
    text = (EXAMPLES / "local.vaultbot.plist").read_text(encoding="utf-8")
    install = 'sed "s|/Users/YOU|$HOME|g" examples/local.vaultbot.plist > ~/Library/LaunchAgents/local.vaultbot.plist'
    assert install in text and install in README
    agent = plistlib.loads(text.replace("/Users/YOU", "/Users/ann").encode("utf-8"))
    assert agent["Label"] == "local.vaultbot"
    assert agent["ProgramArguments"] == ["/Users/ann/.local/bin/vaultbot", "run", "/Users/ann/Notes", "--push", "--quiet"]
    assert agent["StartCalendarInterval"] == {"Minute": 17}
    assert agent["StandardOutPath"] == agent["StandardErrorPath"] == "/Users/ann/Library/Logs/vaultbot.log"
    assert "YOU" not in str(agent)


def test_the_task_scheduler_line_runs_the_vaultbot_that_pipx_installs() -> None:
    script = (EXAMPLES / "vaultbot-task.cmd").read_bytes()
    assert script.count(b"\r\n") == script.count(b"\n"), "cmd.exe files keep CRLF"
    (line,) = [line for line in script.decode("ascii").splitlines() if line.startswith("schtasks ")]
    assert line in README
    assert line.startswith("schtasks /Create /TN vaultbot /SC HOURLY /ST 00:17 /TR ")
    task = line.split(" /TR ", 1)[1].rsplit(" /F", 1)[0]
    assert task == '"\\"%USERPROFILE%\\.local\\bin\\vaultbot.exe\\" run \\"%USERPROFILE%\\Notes\\" --push --quiet"'
    assert len(task) < 200, "schtasks refuses a /TR over 261 characters once %USERPROFILE% is expanded"


# -- pre-commit ---------------------------------------------------------------------------------

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
MANIFEST_KEYS = {"id", "name", "entry", "language"}  # what pre-commit requires of every hook
OPTIONAL_KEYS = {"description", "pass_filenames", "always_run", "require_serial", "files", "exclude", "types", "args", "stages", "verbose"}


def test_the_pre_commit_manifest_has_a_check_and_a_fixing_hook() -> None:
    assert isinstance(HOOKS, list)
    for hook in HOOKS:
        assert MANIFEST_KEYS <= set(hook) <= MANIFEST_KEYS | OPTIONAL_KEYS, hook
        assert hook["language"] == "python", "pre-commit installs this repository, which puts `vaultbot` on the hook's PATH"
        assert hook["pass_filenames"] is False and hook["always_run"] is True, "the rules read the whole vault"
    assert {hook["id"]: hook["entry"] for hook in HOOKS} == {
        "vaultbot-check": "vaultbot run --check",
        "vaultbot": "vaultbot run --no-commit",
    }
    for hook_id in ("vaultbot-check", "vaultbot"):
        assert f"id: {hook_id}" in README


@pytest.fixture
def vault_repository(tmp_path: Path) -> Path:
    repository = tmp_path / "vault"
    write_vault(
        repository,
        {
            "People/Ann.md": "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n",
            "Meetings/2026-11-20 Call.md": "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]].\n",
        },
    )
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "notes")
    return repository


def test_the_hooks_commands_check_then_fix_the_vault_they_run_in(vault_repository: Path) -> None:
    """What pre-commit runs: each entry, in the repository root, with no file names."""
    entries = {hook["id"]: shlex.split(hook["entry"])[1:] for hook in HOOKS}
    head = git(vault_repository, "rev-parse", "HEAD")
    check = run_cli(*entries["vaultbot-check"], "--today", "2026-11-24", cwd=vault_repository)
    assert check.returncode == 1, "changes found fail the check"
    assert "+last_contact: 2026-11-20" in check.stdout
    assert git(vault_repository, "status", "--porcelain") == ""

    fix = run_cli(*entries["vaultbot"], "--today", "2026-11-24", cwd=vault_repository)
    assert fix.returncode == 0, fix.stderr
    assert git(vault_repository, "status", "--porcelain").splitlines() == [' M "Meetings/2026-11-20 Call.md"', " M People/Ann.md"]
    assert git(vault_repository, "rev-parse", "HEAD") == head, "pre-commit's user commits, not vaultbot"
    assert run_cli(*entries["vaultbot-check"], "--today", "2026-11-24", cwd=vault_repository).returncode == 0


def test_ci_runs_the_suite_on_three_systems_with_the_oldest_and_newest_python() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["tests"]
    assert job["strategy"]["matrix"] == {"os": ["ubuntu-latest", "macos-latest", "windows-latest"], "python-version": ["3.10", "3.14"]}
    assert job["strategy"]["fail-fast"] is False, "one system's failure hides none of the others'"
    setup = next(step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == "pyproject.toml"
    assert [step["run"] for step in job["steps"] if "run" in step][-1] == "python -m pytest -q"
