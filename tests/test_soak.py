"""SIGKILL soak for a committing run: a git vault whose run is killed at random points of
its write and commit stages, then run once more, ends exactly where one uninterrupted run ends: HEAD
holds every change, nothing of vaultbot's is left uncommitted or staged, the user's staging and
uncommitted edit are as they left them."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.cli import main
from tests.test_faults import SEED, busy_vault, note_bytes
from tests.vaults import git

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

TODAY = "2026-11-24"
TRIALS = 50
USERS_NOTE = "Customers/C3/2026-10-28 Meeting 139.md"  # edited by the user and never committed


def command(vault: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY, "-q"]


def head_tree(repo: Path) -> str:
    return git(repo, "ls-tree", "-r", "HEAD")


def state(repo: Path) -> tuple[str, str, str, dict[str, bytes]]:
    """(HEAD's files, `git status`, what the user's index holds beyond HEAD, the notes' bytes)."""
    return head_tree(repo), git(repo, "status", "--porcelain"), git(repo, "diff", "--cached", "--name-only"), note_bytes(repo)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple]:
    """(a git vault before its first run, the state one uninterrupted run leaves)."""
    base = tmp_path_factory.mktemp("soak")
    repo = busy_vault(base / "pristine", customers=4, meetings=140)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    (repo / "todo.txt").write_text("staged by the user\n")
    git(repo, "add", "todo.txt")
    with open(repo / USERS_NOTE, "a") as note:
        note.write("My uncommitted thought.\n")
    reference = shutil.copytree(repo, base / "reference", symlinks=True)
    done = subprocess.run(command(reference), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    expected = state(reference)
    assert expected[2] == "todo.txt\n" and "My uncommitted thought." in expected[3][USERS_NOTE].decode()
    return repo, expected


def _first_write(vault: Path, first: str, process: subprocess.Popen) -> bool:
    inode = (vault / first).stat().st_ino
    while process.poll() is None:
        if (vault / first).stat().st_ino != inode:
            return True
        time.sleep(0.0005)
    return False


def _kill_trial(trial: int, pristine: Path, work: Path, phase: float) -> Path:
    rng = random.Random(SEED * 7 + trial)
    vault = shutil.copytree(pristine, work / f"trial-{trial}", symlinks=True)
    process = subprocess.Popen(command(vault), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if trial % 5 == 0:  # any moment, start-up, planning and hashing included
        time.sleep(rng.uniform(0, 0.8 + phase))
    elif _first_write(vault, "Customers/C0/2026-10-01 Meeting 000.md", process):  # the writes and the commit
        time.sleep(rng.uniform(0, phase))
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10  # a git command the run started finishes on its own
    while (vault / ".git/index.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return vault


def test_sigkill_during_writing_and_committing_is_finished_by_the_next_run(pristine, tmp_path: Path) -> None:
    repo, expected = pristine
    probe = shutil.copytree(repo, tmp_path / "probe", symlinks=True)
    process = subprocess.Popen(command(probe), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic() if _first_write(probe, "Customers/C0/2026-10-01 Meeting 000.md", process) else None
    process.wait()
    phase = max(time.monotonic() - (started or time.monotonic()), 0.05)  # first write to the end of the commit

    with ThreadPoolExecutor(max_workers=3) as pool:
        vaults = list(pool.map(lambda t: _kill_trial(t, repo, tmp_path, phase), range(TRIALS)))

    unfinished = 0
    for trial, vault in enumerate(vaults):
        unfinished += (vault / ".git/vaultbot/journal.json").exists()
        assert main(["run", str(vault), "--today", TODAY, "-q"]) == 0, f"trial {trial}"
        assert state(vault) == expected, f"trial {trial}: not where an uninterrupted run ends"
        assert not list(vault.rglob("*.tmp")) and not (vault / ".git/vaultbot/journal.json").exists(), f"trial {trial}"
        shutil.rmtree(vault)
    print(f"SIGKILL soak: {TRIALS} trials (seed {SEED}), {unfinished} left a journal for the next run to finish")
    assert unfinished >= TRIALS // 3, "most kills must land between the journal and the end of the commit"
