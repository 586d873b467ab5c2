"""`vaultbot daemon --watch` end to end: a real daemon subprocess on a real git vault, real file events.

Runs are counted in the daemon's log: each run logs one `[watch] ...` line."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from watchdog.events import FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from bot.runner import Change
from bot.watch import FORCE_POLLING, Changes, OwnWrites, start_observer, vault_path
from tests.test_daemon import WAIT_SECONDS, vaultbot_commits, wait_for
from tests.vaults import REPO, git, run_cli, write_vault

DEBOUNCE = 0.8
TODAY = datetime.date.today()
CUSTOMER = "Customers/Acme.md"


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "vault"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_vault(
        root,
        {
            ".vaultbot.yaml": "schedule: '@daily'\n",
            ".obsidian/app.json": "{}\n",
            CUSTOMER: "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n",
            "People/Ann.md": "---\ntype: person\n---\n# Ann\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    return root


def watch_runs(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if "] [watch] " in line or line.split(" ", 2)[-1].startswith("[watch] ")]


class Daemon:
    """`vaultbot daemon VAULT --watch` as a subprocess, its stderr in a log file."""

    def __init__(self, vault: Path, log: Path, *flags: str, env: dict[str, str] | None = None) -> None:
        self.log = log
        with open(log, "w") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "daemon", str(vault), "--watch", str(DEBOUNCE), *flags],
                cwd=REPO,
                stderr=stream,
                stdout=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
            )
        wait_for(lambda: "watching " in log.read_text(), "the daemon to start watching")

    def runs(self) -> list[str]:
        assert self.process.poll() is None, self.log.read_text()
        return watch_runs(self.log)

    def quiet(self, runs: int) -> None:
        """Wait long enough that a run due to anything done before would have started and ended."""
        time.sleep(DEBOUNCE * 3 + 1)
        wait_for(lambda: len(self.runs()) == runs, f"exactly {runs} watch run(s)")

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=WAIT_SECONDS) == 0, self.log.read_text()
        text = self.log.read_text()
        assert "Traceback" not in text, text
        return text


def save_in_steps(path: Path, text: str) -> None:
    """An editor's save: the note truncated and written in parts, then a copy written beside it
    and renamed over it (what atomic-save editors and sync tools do)."""
    with open(path, "w", encoding="utf-8") as stream:
        stream.flush()
        time.sleep(0.1)
        stream.write(text[: len(text) // 2])
        stream.flush()
        time.sleep(0.1)
        stream.write(text[len(text) // 2 :])
    time.sleep(0.1)
    swap = path.with_name(f".{path.name}.swp")
    swap.write_text(text, encoding="utf-8")
    os.replace(swap, path)


@pytest.mark.posix("stops the daemon with SIGTERM")
def test_a_committed_meeting_note_reaches_its_customer_in_one_run_and_vaultbots_own_writes_cause_none(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path / "daemon.log")
    try:
        meeting = vault / f"Meetings/{TODAY} Acme sync.md"
        meeting.parent.mkdir()
        save_in_steps(meeting, f"---\ntype: meeting\ndate: {TODAY}\n---\nRenewal call with [[Acme]] and [[Ann]].\n")
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "a meeting")  # as a sync tool would; the run reads the committed view
        wait_for(lambda: len(daemon.runs()) >= 1, "a watch run")
        daemon.quiet(1)  # the steps, the commit and vaultbot's own writes and commit: one run
        assert "[watch] 2 paths changed (Meetings, ...); a new commit: 3 notes changed" in daemon.runs()[0]  # the folder and the note
        assert f"[[{TODAY} Acme sync]]" in (vault / CUSTOMER).read_text()
        commit = vaultbot_commits(vault)[0]
        assert CUSTOMER in git(vault, "show", "--name-only", "--format=", commit).split("\n")
        assert git(vault, "status", "--porcelain") == ""

        # Nothing a rule reads: settings, git's own files, dot-files, a note read but not written.
        (vault / ".obsidian/app.json").write_text('{"x": 1}\n')
        git(vault, "status")
        git(vault, "gc", "-q")
        (vault / "Customers/.Acme.md.swp").write_text("draft")
        (vault / "Customers/notes.txt").write_text("not a note")
        (vault / CUSTOMER).read_bytes()
        os.utime(vault / "People")
        daemon.quiet(1)

        # A note changed in place without a commit still counts: one run, which leaves it to the user.
        save_in_steps(vault / "People/Ann.md", "---\ntype: person\n---\n# Ann\n\nLikes tea.\n")
        wait_for(lambda: len(daemon.runs()) >= 2, "a second watch run")
        daemon.quiet(2)
        assert "1 path changed (People/Ann.md)" in daemon.runs()[1]
    finally:
        log = daemon.stop()
    assert "daemon stopped" in log.splitlines()[-1]


def nothing_left_to_do(vault: Path) -> None:
    """A full run from scratch (no cache, no memo) would change nothing: the watch runs did all of it."""
    result = run_cli("run", vault, "--dry-run", "--no-cache", "-q")
    assert result.returncode == 0 and "0 notes would change" in result.stderr + result.stdout, result.stdout + result.stderr
    assert git(vault, "status", "--porcelain") == ""


@pytest.mark.posix("stops the daemon with SIGTERM")
def test_notes_added_renamed_and_removed_by_a_sync_each_reach_the_customer_in_one_run(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path / "daemon.log")
    first, renamed = f"Meetings/{TODAY} Renewal.md", f"Meetings/{TODAY} Renewal call.md"
    try:
        write_vault(vault, {first: f"---\ntype: meeting\ndate: {TODAY}\n---\nRenewal with [[Acme]].\n", "Meetings/Other.md": "[[Ann]]\n"})
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "a meeting")
        wait_for(lambda: f"[[{TODAY} Renewal]]" in (vault / CUSTOMER).read_text(), "the new meeting to reach the customer")
        daemon.quiet(1)
        nothing_left_to_do(vault)

        git(vault, "mv", first, renamed)  # in the same folder: no folder comes or goes
        git(vault, "commit", "-q", "-m", "renamed")
        wait_for(lambda: f"[[{TODAY} Renewal call]]" in (vault / CUSTOMER).read_text(), "the renamed meeting to reach the customer")
        daemon.quiet(2)
        assert f"[[{TODAY} Renewal]] " not in (vault / CUSTOMER).read_text()
        nothing_left_to_do(vault)

        git(vault, "rm", "-q", renamed)
        git(vault, "commit", "-q", "-m", "removed")
        wait_for(lambda: "Renewal" not in (vault / CUSTOMER).read_text(), "the removed meeting to leave the customer")
        daemon.quiet(3)
        nothing_left_to_do(vault)
    finally:
        daemon.stop()


@pytest.mark.posix("stops the daemon with SIGTERM")
def test_schedules_still_run_and_polling_is_a_logged_fallback(vault: Path, tmp_path: Path) -> None:
    daemon = Daemon(vault, tmp_path / "daemon.log", "--run-now", env={FORCE_POLLING: "1"})
    try:
        wait_for(lambda: "[@daily] " in daemon.log.read_text(), "the scheduled run --run-now asks for")
        write_vault(vault, {f"Meetings/{TODAY} Call.md": f"---\ntype: meeting\ndate: {TODAY}\n---\nCall with [[Acme]].\n"})
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "a call")
        wait_for(lambda: f"[[{TODAY} Call]]" in (vault / CUSTOMER).read_text(), "the polled change to reach the customer")
        daemon.quiet(1)
    finally:
        log = daemon.stop()
    assert f"{FORCE_POLLING} is set: polling the vault every 1 s instead" in log


def test_watch_needs_a_positive_quiet_time(vault: Path) -> None:
    result = run_cli("daemon", vault, "--watch", "0")
    assert result.returncode == 2
    assert "--watch 0: the quiet time must be more than 0 seconds" in result.stderr


def test_changes_come_as_one_batch_after_the_quiet_time() -> None:
    changes = Changes(0.3)
    batches = []
    thread = threading.Thread(target=lambda: batches.append(changes.next_batch()))
    thread.start()
    for path in ("a.md", "b.md", "a.md"):
        changes.add(path)
        time.sleep(0.1)  # each event restarts the quiet time
    started = time.monotonic()
    thread.join(5)
    assert time.monotonic() - started >= 0.15
    assert batches and batches[0] is not None and batches[0].paths == {"a.md", "b.md"} and not batches[0].git
    changes.stop()
    assert changes.next_batch() is None


def test_own_writes_are_recognised_by_their_bytes_and_forgotten_once_someone_else_changes_them(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"vaultbot's")
    (tmp_path / "moved.md").write_bytes(b"moved")
    own = OwnWrites()
    own.remember(
        [Change("a.md", ("tags",), b"before", b"vaultbot's"), Change("old.md", ("x",), b"moved", b"moved", destination="moved.md")]
    )
    assert own.others(tmp_path, ["a.md", "old.md", "moved.md", "user.md"]) == ["user.md"]
    (tmp_path / "a.md").write_bytes(b"the user's")
    assert own.others(tmp_path, ["a.md"]) == ["a.md"]
    (tmp_path / "a.md").write_bytes(b"vaultbot's")  # an undo back to vaultbot's bytes is a change too
    assert own.others(tmp_path, ["a.md"]) == ["a.md"]


def test_the_folders_a_move_of_vaultbots_created_are_its_own_writes(tmp_path: Path) -> None:
    # Archive mode moved a duplicate to `_archive/duplicates/People/`: the three folders it
    # created came as events of their own and caused a second run that changed nothing.
    (tmp_path / "_archive/duplicates/People").mkdir(parents=True)
    (tmp_path / "_archive/duplicates/People/M b.md").write_bytes(b"moved")
    own = OwnWrites()
    own.remember([Change("People/M b.md", ("dedupe-meetings",), b"moved", b"moved", destination="_archive/duplicates/People/M b.md")])
    created = ["_archive", "_archive/duplicates", "_archive/duplicates/People", "_archive/duplicates/People/M b.md", "People/M b.md"]
    assert own.others(tmp_path, created) == []
    (tmp_path / "_archive/duplicates/People/M b.md").unlink()
    (tmp_path / "_archive/duplicates/People").rmdir()  # someone removed what vaultbot made: that counts
    assert own.others(tmp_path, ["_archive/duplicates/People", "_archive/duplicates/People/M b.md"]) == [
        "_archive/duplicates/People",
        "_archive/duplicates/People/M b.md",
    ]


def test_event_paths_outside_dot_folders_only(tmp_path: Path) -> None:
    root = str(tmp_path)
    assert vault_path(root, str(tmp_path / "Notes" / "a.md")) == "Notes/a.md"
    for hidden in (".git/index", ".obsidian/app.json", "Notes/.vaultbot-0123456789ab.tmp", ".trash/a.md"):
        assert vault_path(root, str(tmp_path / hidden)) is None
    assert vault_path(root, str(tmp_path.parent / "elsewhere.md")) is None


class _Unavailable(BaseObserver):
    def __init__(self) -> None:
        super().__init__(emitter_class=object)  # type: ignore[arg-type]

    def schedule(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        raise OSError(28, "inotify watch limit reached")


def test_without_native_events_the_observer_polls_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="vaultbot.daemon")
    observer = start_observer(FileSystemEventHandler(), [tmp_path], native=_Unavailable)
    try:
        assert type(observer).__name__ == "PollingObserver"
    finally:
        observer.stop()
        observer.join()
    assert "native file events are unavailable (inotify watch limit reached): polling the vault every 1 s instead" in caplog.text
