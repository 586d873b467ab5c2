"""The CLI's conventions end to end, in a real `vaultbot` subprocess: -q, a closed pipe, --color,
finding the vault upward, a vault outside git, config errors with their line, the time zone
that decides "today", and UTF-8 output off a console."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest

from rules import RULES
from tests.vaults import EXAMPLE_VAULT, git, read_terminal, run_cli, tree_state, write_vault

TODAY = "2026-11-24"
CLOSING = "vaultbot: 11 notes would change, 0 warnings (dry run, nothing written)"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE_VAULT, tmp_path / "vault"))


def _repository(vault: Path) -> Path:
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "notes")
    return vault


# -q


@pytest.mark.parametrize(
    ("flags", "code", "closing"),
    [
        (("--dry-run",), 0, CLOSING),
        (("--check",), 1, CLOSING),
        (("--no-commit",), 0, "vaultbot: 11 notes updated, 0 warnings (not a git repository: nothing committed)"),
    ],
    ids=["dry-run", "check", "real"],
)
def test_quiet_prints_the_closing_line_only_in_every_mode(vault: Path, flags: tuple[str, ...], code: int, closing: str) -> None:
    result = run_cli("run", vault, "-q", "--today", TODAY, *flags)
    assert result.returncode == code, result.stderr
    assert result.stdout == closing + "\n"
    assert result.stderr == ""


def test_quiet_never_hides_why_a_run_failed(vault: Path, tmp_path: Path) -> None:
    """A note's folder replaced by a file while the run waits to write: the note cannot be written,
    exit 3, and the reason (a warning naming the note) shows under -q."""
    _repository(vault)
    pause = tmp_path / "pause"
    pause.mkdir()
    env = {**os.environ, "VAULTBOT_TEST_PAUSE_AT": "before-write", "VAULTBOT_TEST_PAUSE_DIR": str(pause)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", str(vault), "-q", "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        for _ in range(6000):
            if (pause / "before-write.reached").exists() or process.poll() is not None:
                break
            time.sleep(0.01)
        shutil.rmtree(vault / "People/Priya Raman")
        (vault / "People/Priya Raman").write_text("not a folder any more\n", encoding="utf-8")
        (pause / "before-write.go").touch()
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 3, stderr
    assert "warning: People/Priya Raman/Priya Raman.md: cannot be written: Not a directory; the note is unchanged" in stderr.splitlines()
    assert stdout.splitlines()[-1].startswith("vaultbot: 10 notes updated")


def test_quiet_never_hides_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", tmp_path / "nowhere", "-q")
    assert result.returncode == 2
    assert result.stderr == f"vaultbot: {tmp_path / 'nowhere'}: does not exist\n"


# A reader that stops reading


@pytest.fixture
def big_diff(tmp_path: Path) -> Path:
    """A vault whose dry run prints ~250 KB of diff: far more than a pipe holds, so the writer meets the closed end."""
    return write_vault(
        tmp_path / "big",
        {".obsidian/app.json": "{}", **{f"P{index}.md": f"---\ntype: person\n---\n\n# P{index}\n" for index in range(2500)}},
    )


@pytest.mark.parametrize(("mode", "code"), [("--dry-run", 0), ("--check", 1)])
def test_a_closed_pipe_ends_quietly_with_the_runs_exit_code(big_diff: Path, mode: str, code: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "bot", "run", str(big_diff), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = [process.stdout.readline() for _ in range(3)]  # as `| head -3` does
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == code, stderr
    assert first == [b"--- a/P0.md\n", b"+++ b/P0.md\n", b"@@ -1,5 +1,7 @@\n"]
    assert stderr == ""


def test_rules_into_a_closed_pipe_ends_quietly() -> None:
    process = subprocess.Popen([sys.executable, "-m", "bot", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


# --color

BOLD, CYAN, RED, GREEN, RESET = "\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[32m", "\x1b[m"
PERSON = "People/Tomás Ortega/Tomás Ortega.md"


def test_color_always_colours_the_diff_as_git_does(vault: Path) -> None:
    result = run_cli("run", vault, "--dry-run", "--today", TODAY, "--color", "always")
    lines = result.stdout.splitlines()
    assert f"{BOLD}--- a/{PERSON}{RESET}" in lines and f"{BOLD}+++ b/{PERSON}{RESET}" in lines
    assert f"{RED}-last_contact:{RESET}" in lines and f"{GREEN}+last_contact: 2026-11-20{RESET}" in lines
    assert any(line.startswith(f"{CYAN}@@ -") and line.endswith(f"@@{RESET}") for line in lines)
    assert " ---" in lines, "context lines stay plain"
    assert lines[-1] == CLOSING, "the summary is not part of the diff"


@pytest.mark.parametrize(
    ("flags", "env"),
    [(("--color", "never"), {}), ((), {}), (("--color", "auto"), {"NO_COLOR": "1"})],
    ids=["never", "auto-in-a-pipe", "no-color"],
)
def test_no_colour_when_never_in_a_pipe_or_with_no_color(vault: Path, flags: tuple[str, ...], env: dict[str, str]) -> None:
    result = run_cli("run", vault, "--dry-run", "--today", TODAY, *flags, env=env)
    assert result.returncode == 0
    assert "\x1b" not in result.stdout and "-last_contact:" in result.stdout


def _stdout_on_a_terminal(*args: str | Path, env: dict[str, str]) -> str:
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *map(str, args)], stdout=terminal, stderr=subprocess.DEVNULL, env={**os.environ, **env}
    )
    os.close(terminal)
    received = read_terminal(controller)
    assert process.wait(timeout=120) == 0
    os.close(controller)
    return received.decode()


@pytest.mark.posix("pseudo-terminals (pty) exist only on POSIX systems")
@pytest.mark.parametrize(("no_color", "coloured"), [("", True), ("1", False)], ids=["terminal", "terminal-no-color"])
def test_auto_colours_a_terminal_unless_no_color_is_set(vault: Path, no_color: str, coloured: bool) -> None:
    shown = _stdout_on_a_terminal("run", vault, "--dry-run", "--today", TODAY, env={"NO_COLOR": no_color})
    assert (f"{GREEN}+last_contact: 2026-11-20{RESET}" in shown) is coloured
    assert ("\x1b[" in shown) is coloured


# Which folder is the vault


def test_run_from_a_subfolder_sees_the_whole_vault(vault: Path) -> None:
    for folder in (vault / "People", vault / "People" / "Tomás Ortega"):
        result = run_cli("run", "--dry-run", "--today", TODAY, cwd=folder)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == CLOSING
        assert f"--- a/{PERSON}" in result.stdout.splitlines()
        assert result.stderr == ""


def test_a_folder_marked_only_by_the_config_file_is_a_vault(tmp_path: Path) -> None:
    write_vault(tmp_path / "v", {".vaultbot.yaml": "rules:\n  tags:\n    enabled: false\n", "Sub/Note.md": "---\ntype: person\n---\n"})
    result = run_cli("run", "--dry-run", cwd=tmp_path / "v" / "Sub")
    assert result.returncode == 0 and result.stderr == ""
    assert "tags:" not in result.stdout, "the config above the current folder was read"


def test_no_vault_above_is_the_current_folder_with_a_warning(tmp_path: Path) -> None:
    write_vault(tmp_path / "plain", {"Note.md": "# x\n"})
    result = run_cli("run", "--dry-run", cwd=tmp_path / "plain")
    assert result.returncode == 0
    here = (tmp_path / "plain").resolve()
    assert result.stderr == f"warning: no .obsidian/ or .vaultbot.yaml in {here} or any folder above it: using {here} as the vault\n"


def test_a_given_vault_without_a_marker_gets_a_warning(tmp_path: Path) -> None:
    write_vault(tmp_path / "plain", {"Note.md": "# x\n"})
    result = run_cli("run", tmp_path / "plain", "--dry-run")
    assert result.returncode == 0
    assert result.stderr == f"warning: no .obsidian/ or .vaultbot.yaml in {tmp_path / 'plain'}: is this the vault?\n"


def test_explain_from_a_subfolder_reads_the_whole_vault(vault: Path) -> None:
    result = run_cli("explain", "Priya Raman", "--today", TODAY, cwd=vault / "Meetings")
    assert result.returncode == 0, result.stderr
    whole = run_cli("explain", vault, "Priya Raman", "--today", TODAY)
    assert result.stdout == whole.stdout


def test_daemon_from_a_subfolder_reads_the_vaults_config(tmp_path: Path) -> None:
    # Every registered rule, so that a rule added to the registry cannot leave one enabled (a daemon that never ends).
    config = "rules:\n" + "".join(f"  {rule.ID}:\n    enabled: false\n" for rule in RULES)
    write_vault(tmp_path / "v", {".vaultbot.yaml": config, "People/A.md": "# A\n"})
    result = subprocess.run(
        [sys.executable, "-m", "bot", "daemon"], cwd=tmp_path / "v" / "People", capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "no rule is enabled" in result.stderr


# A vault outside git


def test_a_vault_outside_git_says_nothing_was_committed(vault: Path) -> None:
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "vaultbot: 11 notes updated, 0 warnings (not a git repository: nothing committed)"


def test_a_vault_in_git_names_its_commit(vault: Path) -> None:
    _repository(vault)
    result = run_cli("run", vault, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    head = git(vault, "rev-parse", "HEAD").strip()
    assert result.stdout.splitlines()[-1] == f"vaultbot: 11 notes updated, 0 warnings, commit {head[:12]}"


def test_a_vault_in_a_subfolder_of_a_repository_run_from_there_is_committed(tmp_path: Path) -> None:
    write_vault(tmp_path / "repo", {"notes/.obsidian/app.json": "{}", "notes/A.md": "---\ntype: person\n---\n\n# A\n"})
    _repository(tmp_path / "repo")
    result = run_cli("run", "-q", cwd=tmp_path / "repo" / "notes")
    assert result.returncode == 0, result.stderr
    head = git(tmp_path / "repo", "rev-parse", "HEAD").strip()
    assert result.stdout == f"vaultbot: 1 note updated, 0 warnings, commit {head[:12]}\n"


def test_push_outside_git_is_a_usage_error_before_anything_is_written(vault: Path) -> None:
    before = tree_state(vault)
    result = run_cli("run", vault, "--push", "-q", "--today", TODAY)
    assert result.returncode == 2
    assert result.stderr == f"vaultbot: --push: {vault} is not in a git repository, so there is nothing to push; nothing was written\n"
    assert tree_state(vault) == before


# Config errors and paths


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "rules:\n  recent-context:\n    max_entries: ten\n",
            ".vaultbot.yaml, line 3: rules.recent-context.max_entries: expected an integer, got 'ten'",
        ),
        ("schedule: '@hourly'\ncolour: blue\n", ".vaultbot.yaml, line 2: colour: unknown setting"),
        ("rules:\n  tags: {}\n  tagz: {}\n", ".vaultbot.yaml, line 3: rules.tagz: unknown rule"),
        ("rules: [\n", "{config_file}, line 2, column 1: "),
        ("a: 1\n  b: 2\n", "{config_file}, line 2, column 4: mapping values are not allowed here"),
    ],
)
def test_config_errors_name_the_file_the_line_and_the_key_once(tmp_path: Path, config: str, message: str) -> None:
    """A key's error names the file as `--config` would (the vault's own: `.vaultbot.yaml`); a syntax
    error names it by its whole path, as any error reading the file does."""
    write_vault(tmp_path, {".vaultbot.yaml": config, "Note.md": "# x\n"})
    result = run_cli("run", tmp_path, "-q")
    assert result.returncode == 2
    assert result.stderr.startswith(f"vaultbot: config error: {message.format(config_file=tmp_path / '.vaultbot.yaml')}")
    assert result.stderr.count("\n") == 1
    assert "<unicode string>" not in result.stderr and "line:" not in result.stderr
    key = message.split(": ")[1] if "column" not in message else None
    assert key is None or result.stderr.count(key) == 1


def test_a_config_file_given_is_named_with_its_line(tmp_path: Path) -> None:
    write_vault(tmp_path, {"vault/Note.md": "# x\n", "settings.yaml": "\ngit:\n  author: nobody\n"})
    result = run_cli("run", tmp_path / "vault", "--config", tmp_path / "settings.yaml")
    assert result.returncode == 2
    assert f"vaultbot: config error: {tmp_path / 'settings.yaml'}, line 3: git.author: expected 'Name <email>'" in result.stderr


def test_a_file_given_as_the_vault_is_not_a_folder(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "# x\n"})
    result = run_cli("run", tmp_path / "Note.md")
    assert result.returncode == 2
    assert result.stderr == f"vaultbot: {tmp_path / 'Note.md'}: not a folder\n"


# Which date is today


def _meeting_vault(root: Path, zone: str, day: datetime.date) -> Path:
    return write_vault(
        root,
        {
            ".vaultbot.yaml": f"timezone: {zone}\nrules:\n  recent-context:\n    enabled: false\n  related:\n    enabled: false\n",
            "People/Ann.md": "---\ntype: person\nlast_contact: unknown\ntags:\n  - type/person\n---\n\n# Ann\n",
            f"Meetings/{day} - Sync.md": f"---\ntype: meeting\ndate: {day}\ntags:\n  - type/meeting\n---\n\n# Sync\n\nWith [[Ann]].\n",
        },
    )


@pytest.mark.parametrize("command", ["run", "explain"])
def test_the_configured_time_zone_decides_today(tmp_path: Path, command: str) -> None:
    """At any instant the date at UTC+14 (Etc/GMT-14) is one or two days after the date at UTC-12
    (Etc/GMT+12): a meeting dated today at UTC+14 counts there and is "after today" at UTC-12."""
    ahead = datetime.datetime.now(zoneinfo.ZoneInfo("Etc/GMT-14")).date()
    outcomes = {}
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):
        vault = _meeting_vault(tmp_path / zone.replace("/", "-"), zone, ahead)
        if command == "run":
            result = run_cli("run", vault, "--dry-run")
            outcomes[zone] = f"+last_contact: {ahead}" in result.stdout.splitlines()
        else:
            result = run_cli("explain", vault, "People/Ann.md")
            there = datetime.datetime.now(zoneinfo.ZoneInfo(zone)).date()
            assert f"today {there})" in result.stdout
            outcomes[zone] = f"after today ({there})" not in result.stdout
        assert result.returncode == 0, result.stderr
    if datetime.datetime.now(zoneinfo.ZoneInfo("Etc/GMT-14")).date() != ahead:
        pytest.skip("midnight at UTC+14 passed during the test")
    assert outcomes == {"Etc/GMT-14": True, "Etc/GMT+12": False}


# Output off a console


def test_a_note_name_outside_the_output_code_page_is_printed_as_utf8(tmp_path: Path) -> None:
    name = "People/王小明 🙂.md"
    write_vault(tmp_path, {".obsidian/app.json": "{}", name: "---\ntype: person\n---\n\n# 王小明\n"})
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", str(tmp_path), "--dry-run"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert f"--- a/{name}\n".encode() in result.stdout
    assert result.stderr == b""
