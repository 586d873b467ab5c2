"""`vaultbot daemon` end to end: a real subprocess on a temporary git vault."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest

from bot.config import parse_config
from bot.daemon import describe_run, schedule_groups
from bot.execute import RunResult
from bot.problem import Problem
from bot.runner import Change
from rules import RULES
from tests.vaults import REPO, git, run_cli, write_vault

WAIT_SECONDS = 20.0


def wait_for(condition: Callable[[], object], what: str, seconds: float = WAIT_SECONDS) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {seconds:.0f} s waiting for {what}")


def children(pid: int) -> list[str]:
    """Command lines of the direct children of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return found


def vaultbot_commits(repo: Path) -> list[str]:
    return git(repo, "log", "--author=vaultbot", "--format=%H").split()


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "vault"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    write_vault(
        root,
        {
            ".vaultbot.yaml": "schedule: '@every 1s'\n",
            "People/Ann.md": "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n",
            f"Meetings/{yesterday} Call.md": f"---\ndate: {yesterday}\ntype: meeting\n---\nCall with [[Ann]].\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    return root


@pytest.mark.linux("counts the daemon's git processes in /proc, stops it with SIGTERM")
def test_daemon_commits_on_schedule_picks_up_new_notes_and_stops_on_sigterm(vault: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "daemon.log"
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "bot", "daemon", str(vault), "--run-now"], cwd=REPO, stderr=log, stdout=subprocess.DEVNULL
        )
    try:
        wait_for(lambda: vaultbot_commits(vault), "the first commit")
        # The meeting's date, read back from its name: the fixture may have run before midnight.
        [meeting] = (vault / "Meetings").glob("*Call.md")
        assert "last_contact: " + meeting.name[:10] in (vault / "People/Ann.md").read_text()

        today = datetime.date.today()
        write_vault(vault, {f"Meetings/{today} Lunch.md": f"---\ndate: {today}\ntype: meeting\n---\nLunch with [[Ann]].\n"})
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "a new meeting")
        new_commit = wait_for(
            lambda: git(vault, "log", "-1", "--author=vaultbot", "--format=%H", "HEAD^!").strip(), "a commit after the new note"
        )
        files = git(vault, "show", "--name-only", "--format=", str(new_commit)).split("\n")
        assert f"Meetings/{today} Lunch.md" in files  # tagged by the `tags` rule
        assert f"last_contact: {today}" in (vault / "People/Ann.md").read_text()

        def runs() -> int:
            return log_path.read_text().count("notes changed") + log_path.read_text().count("note changed")

        first = runs()
        most_cat_files = 0
        while runs() < first + 20:
            assert daemon.poll() is None, log_path.read_text()
            most_cat_files = max(most_cat_files, sum("cat-file" in line for line in children(daemon.pid)))
            wait_for(lambda count=runs(): runs() > count, "the next run")  # noqa: B008 (the count now, taken once)
        # One run's Repo has at most its two cat-file helpers; a leak would leave ~40 behind by now.
        assert most_cat_files <= 2, most_cat_files
        assert sum("cat-file" in line for line in children(daemon.pid)) <= 2
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=WAIT_SECONDS)
    assert code == 0, log_path.read_text()
    log_text = log_path.read_text()
    assert "daemon stopped" in log_text.splitlines()[-1]
    assert "Traceback" not in log_text
    assert git(vault, "status", "--porcelain") == ""


def test_bad_config_at_start_exits_2_naming_the_key(tmp_path: Path) -> None:
    write_vault(tmp_path, {".vaultbot.yaml": "rules:\n  tags:\n    schedule: '@every 0s'\n"})
    result = run_cli("daemon", tmp_path)
    assert result.returncode == 2
    assert "rules.tags.schedule" in result.stderr


def test_rules_sharing_a_schedule_form_one_group() -> None:
    config = parse_config({"schedule": "@daily", "rules": {"tags": {"schedule": "@every 5m"}, "dedupe-meetings": {"enabled": False}}})
    # Every other rule keeps the shared schedule, in registry order: a rule added to the registry joins it.
    daily = tuple(rule.ID for rule in RULES if rule.ID not in ("tags", "dedupe-meetings"))
    assert daily[:4] == ("last-contact", "recent-context", "open-tasks", "related")
    assert schedule_groups(config) == {"@daily": daily, "@every 5m": ("tags",)}


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (RunResult([Change("a.md", ("tags",), b"", b"x")], commit="0123456789abcdef"), "1 note changed, commit 0123456789ab, 0 warnings"),
        (RunResult(problems=[Problem("b.md", "bad YAML")]), "0 notes changed, commit none, 1 warning (first: b.md: bad YAML)"),
        (
            RunResult(commit="0123456789abcdef", errors=["push to origin/main failed: rejected; the commit 0123456789ab is kept locally"]),
            "0 notes changed, commit 0123456789ab, 0 warnings; run failed: push to origin/main failed: rejected; the commit 0123456789ab is kept locally",
        ),
    ],
)
def test_describe_run(result: RunResult, expected: str) -> None:
    assert describe_run(result) == expected


@pytest.mark.posix("stops the daemon with SIGINT")
def test_a_config_that_becomes_invalid_skips_runs_and_the_daemon_goes_on(vault: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "daemon.log"
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([sys.executable, "-m", "bot", "daemon", str(vault)], stderr=log, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: "daemon started" in log_path.read_text(), "the daemon to start")
        (vault / ".vaultbot.yaml").write_text("schedule: '@every 1s'\nbogus: 1\n")
        wait_for(lambda: "skipped: config error" in log_path.read_text() and "bogus" in log_path.read_text(), "a skipped run")
        (vault / ".vaultbot.yaml").write_text("schedule: '@every 1s'\n")
        wait_for(lambda: vaultbot_commits(vault), "a commit once the config is valid again")
        assert daemon.poll() is None
    finally:
        daemon.send_signal(signal.SIGINT)
        assert daemon.wait(timeout=WAIT_SECONDS) == 0
    assert os.path.exists(vault / ".git" / "vaultbot.lock")


def test_a_late_run_still_happens_once_and_runs_never_stack(tmp_path: Path) -> None:
    """APScheduler's default misfire_grace_time (1 s) would silently drop a run the machine slept through."""
    import threading

    from apscheduler.triggers.interval import IntervalTrigger

    from bot.daemon import Daemon

    daemon = Daemon(tmp_path, None)
    ran: list[datetime.datetime] = []
    ten_missed = datetime.datetime.now().astimezone() - datetime.timedelta(minutes=10, seconds=30)
    # As after a sleep: the job was due ten minutes ago, and every minute since.
    trigger = IntervalTrigger(minutes=1, start_date=ten_missed)
    daemon.scheduler.add_job(lambda: ran.append(datetime.datetime.now()), trigger, id="late", next_run_time=ten_missed)
    runner = threading.Thread(target=daemon.scheduler.start, daemon=True)
    runner.start()
    try:
        wait_for(lambda: ran, "the late run")
        time.sleep(1.0)  # long enough for any extra catch-up runs to show
        job = daemon.scheduler.get_job("late")
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
    finally:
        daemon.scheduler.shutdown(wait=False)
    assert len(ran) == 1, "ten missed runs coalesce into one"
