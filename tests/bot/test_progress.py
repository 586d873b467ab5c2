"""Progress on stderr: only on a terminal, only for big vaults, never with -q or JSON."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import progress as progress_module
from bot.progress import THRESHOLD, TerminalProgress, for_run
from tests.vaults import TODAY, read_terminal, run_cli, write_vault


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def feed(progress: TerminalProgress, notes: int) -> None:
    progress("scan", notes, notes, "")
    progress("parse", notes, notes, "")
    progress("rule", 0, 2, "tags")
    progress("rule", 1, 2, "recent-context")
    progress("rule", 2, 2, "")
    progress.close()


def test_a_big_vault_shows_notes_scanned_and_rules_applied() -> None:
    stream = FakeTerminal()
    feed(TerminalProgress(stream), THRESHOLD + 1)
    shown = stream.getvalue()
    assert f"{THRESHOLD + 1:,} notes scanned" in shown
    assert "rule 2/2: recent-context" in shown and "2 rules applied" in shown
    assert shown.endswith("\r\x1b[K"), "the line is erased so the run's output starts clean"


def test_a_small_vault_shows_nothing() -> None:
    stream = FakeTerminal()
    feed(TerminalProgress(stream), THRESHOLD)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    "stream, quiet, json_output",
    [(FakeTerminal(), True, False), (FakeTerminal(), False, True), (io.StringIO(), False, False)],
    ids=["quiet", "json", "not-a-terminal"],
)
def test_no_progress_with_quiet_json_or_off_a_terminal(stream, quiet: bool, json_output: bool) -> None:
    assert for_run(stream, quiet=quiet, json_output=json_output) is None


def test_progress_on_a_terminal() -> None:
    assert isinstance(for_run(FakeTerminal(), quiet=False, json_output=False), TerminalProgress)


@pytest.fixture(scope="module")
def big_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big") / "vault"
    return write_vault(root, {f"Notes/{index:05d}.md": f"Note {index} about [[00000]].\n" for index in range(THRESHOLD + 1)})


def run_on_a_pty(*args: str | Path) -> tuple[str, str]:
    """`vaultbot ARGS` with stderr on a real pseudo-terminal: (stdout, what the terminal received)."""
    import pty  # POSIX only; the tests using it carry the posix marker

    controller, terminal = pty.openpty()
    env = {**os.environ, "XDG_CACHE_HOME": str(Path(args[1]).parent / "cache")}
    process = subprocess.Popen([sys.executable, "-m", "bot", *map(str, args)], stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    received = read_terminal(controller)
    stdout = process.stdout.read().decode()
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    os.close(controller)
    return stdout, received.decode()


def test_a_count_is_redrawn_at_most_ten_times_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    stream = FakeTerminal()
    progress = TerminalProgress(stream)
    progress("scan", 20_000, 20_000, "")
    for done in range(1, 20_001):
        clock[0] += 0.00025  # 4,000 notes a second: five seconds of parsing
        progress.counted("parse", done, 20_000)
    counts = re.findall(r"parsing ([\d,]+)/20,000 notes", stream.getvalue())
    assert counts[0] == "1" and counts[-1] == "20,000", "the first note and the last are always shown"
    assert 49 <= len(counts) <= 52, "about ten a second over five seconds"


@pytest.mark.posix("pseudo-terminals (pty) exist only on POSIX systems")
def test_a_terminal_sees_progress_of_a_big_run(big_vault: Path) -> None:
    stdout, terminal = run_on_a_pty("run", big_vault, "--dry-run", "--today", TODAY.isoformat(), "--no-cache")
    assert f"{THRESHOLD + 1:,} notes scanned" in terminal and "rules applied" in terminal
    assert f"\r\x1b[Kvaultbot: parsing {THRESHOLD + 1:,}/{THRESHOLD + 1:,} notes" in terminal
    assert re.search(rf"vaultbot: parsing [\d,]+/{THRESHOLD + 1:,} notes", terminal)
    assert "notes scanned" not in stdout and "parsing" not in stdout


@pytest.mark.posix("pseudo-terminals (pty) exist only on POSIX systems")
def test_a_terminal_sees_notes_written_counted(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {f"People/P{index}.md": "---\ntype: person\n---\n" for index in range(THRESHOLD + 1)})
    stdout, terminal = run_on_a_pty("run", vault, "--no-commit", "--today", TODAY.isoformat(), "--no-cache")
    assert f"\r\x1b[Kvaultbot: writing {THRESHOLD + 1:,}/{THRESHOLD + 1:,} notes" in terminal
    assert "writing" not in stdout and stdout.splitlines()[-1].startswith(f"vaultbot: {THRESHOLD + 1} notes updated")


@pytest.mark.posix("pseudo-terminals (pty) exist only on POSIX systems")
@pytest.mark.parametrize("flags", [("-q",), ("--format", "json")], ids=["quiet", "json"])
def test_a_terminal_sees_no_progress_with_quiet_or_json(big_vault: Path, flags: tuple[str, ...]) -> None:
    stdout, terminal = run_on_a_pty("run", big_vault, "--dry-run", "--today", TODAY.isoformat(), *flags)
    assert "notes scanned" not in terminal + stdout and "parsing" not in terminal + stdout


def test_a_pipe_sees_no_progress(big_vault: Path) -> None:
    result = run_cli("run", big_vault, "--dry-run", "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert "notes scanned" not in result.stderr + result.stdout and "\r" not in result.stderr
    assert "parsing" not in result.stderr + result.stdout
