"""Fault injection: kills, full disks, refused writes, concurrent
edits, a stale git lock and a vault that vanishes. Whatever happens, no note is
ever truncated, half-written or lost, and the next run finishes the job."""

from __future__ import annotations

import errno
import json
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

import bot.execute
import bot.reading
import bot.write_back
import bot.writer
from bot.cli import main
from bot.config import load_config
from bot.obsidian import read_settings
from bot.scan import scan_vault
from tests.vaults import REPO, write_vault

TODAY = "2026-11-24"
KILL_TRIALS = 50
SEED = int(os.environ.get("VAULTBOT_FAULT_SEED", "20261124"))
FILLER = "".join(f"Line {i} of the notes, with [[a link]] and `code [[not a link]]`.\n" for i in range(30))


def busy_vault(root: Path, customers: int = 4, meetings: int = 28) -> Path:
    """A vault where one run rewrites every note: string tags become lists, and each
    customer gets its last contact and Recent Context."""
    files = {}
    for c in range(customers):
        files[f"Customers/C{c}/C{c}.md"] = (
            f"---\ntype: customer\nlast_contact: unknown\ntags: 'crm, key account'\n---\n# C{c}\n\n## Recent Context\n\n## Notes\n{FILLER}"
        )
    for i in range(meetings):
        c, day = i % customers, 1 + i % 28
        files[f"Customers/C{c}/2026-10-{day:02d} Meeting {i:03d}.md"] = (
            f"---\ntype: meeting\ndate: 2026-10-{day:02d}\ntags: 'call, follow up'\n---\nMet [[C{c}]] about item {i}.\n\n{FILLER}"
        )
    return write_vault(root, files)


def note_bytes(root: Path) -> dict[str, bytes]:
    settings, _ = read_settings(root)
    return {path: (root / path).read_bytes() for path in scan_vault(root, settings, load_config(root).exclude).files}


def cli(vault: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "run", str(vault), "--no-commit", "--today", TODAY, "-q", *args]


def cli_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(REPO)}


def batched_env(cache: Path) -> dict[str, str]:
    """`cli_env` with the notes written in batches of 4 (bot/write_back.py): the 32 notes span 8
    batches, so a kill can land while temporary files are written, while a batch is made durable,
    between renames and between batches, not only in the one short burst of renames a single
    batch makes."""
    return {**cli_env(cache), bot.write_back.TEST_BATCH: "4"}


# -- SIGKILL at random points of a write-heavy run -----------------------------------------


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """(the pristine vault, its notes, the notes after one complete run)."""
    base = tmp_path_factory.mktemp("busy")
    pristine = busy_vault(base / "pristine")
    reference = shutil.copytree(pristine, base / "reference")
    result = subprocess.run(cli(reference), env=cli_env(base / "cache"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    original, final = note_bytes(pristine), note_bytes(reference)
    assert all(original[path] != final[path] for path in original), "every note is rewritten"
    return pristine, original, final


def _first_write_seen(vault: Path, first: str, process: subprocess.Popen) -> float | None:
    """Wait until the first note in write order was replaced (a new inode); None if the run ended first."""
    inode = (vault / first).stat().st_ino
    while process.poll() is None:
        try:
            if (vault / first).stat().st_ino != inode:
                return time.monotonic()
        except FileNotFoundError:  # only a broken writer would leave the note missing; checked later
            return time.monotonic()
        time.sleep(0.0005)
    return None


def _kill_trial(trial: int, pristine: Path, work: Path, original: dict, final: dict, write_phase: float) -> dict:
    rng = random.Random(SEED * 1000 + trial)
    vault = shutil.copytree(pristine, work / f"trial-{trial}")
    cache = work / f"cache-{trial}"
    process = subprocess.Popen(cli(vault), env=batched_env(cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if trial % 5 == 0:  # any moment of the run, start-up and planning included
        time.sleep(rng.uniform(0, 0.6 + write_phase))
    elif _first_write_seen(vault, min(original), process) is not None:  # somewhere in the writes
        time.sleep(rng.uniform(0, write_phase))
    process.send_signal(signal.SIGKILL)
    process.wait()

    notes = note_bytes(vault)
    assert notes.keys() == original.keys(), f"trial {trial}: notes lost or temporary files counted as notes"
    damaged = [p for p, data in notes.items() if data not in (original[p], final[p])]
    assert not damaged, f"trial {trial}: truncated or half-written: {damaged}"
    done = sum(notes[p] == final[p] for p in notes)
    return {"vault": vault, "cache": cache, "written_before_kill": done, "temporaries": len(list(vault.rglob("*.tmp")))}


@pytest.mark.posix("kills the run with SIGKILL")
def test_sigkill_at_random_points_never_loses_or_tears_a_note(busy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pristine, original, final = busy
    # How long the writes take here: the shortest of three uninterrupted runs. One run measured while
    # other work loaded the machine can last several times the trials' writes, and kills aimed into
    # that span would land after them.
    phases = []
    for probe_run in range(3):
        probe = shutil.copytree(pristine, tmp_path / f"probe-{probe_run}")
        process = subprocess.Popen(
            cli(probe), env=batched_env(tmp_path / f"c-{probe_run}"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        first = _first_write_seen(probe, min(original), process)
        process.wait()
        phases.append(max(time.monotonic() - (first or time.monotonic()), 0.05))
    write_phase = min(phases)

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda t: _kill_trial(t, pristine, tmp_path, original, final, write_phase), range(KILL_TRIALS)))

    for trial, outcome in enumerate(outcomes):  # the next run, in this process: no start-up cost
        vault = outcome["vault"]
        monkeypatch.setenv("XDG_CACHE_HOME", str(outcome["cache"]))  # it reads the killed run's cache
        assert main(["run", str(vault), "--no-commit", "--today", TODAY, "-q"]) == 0, f"trial {trial}"
        assert note_bytes(vault) == final, f"trial {trial}: the next run did not converge to the reference result"
        assert not list(vault.rglob("*.tmp")), f"trial {trial}: the next run cleans up what the killed one left"
        shutil.rmtree(vault)

    mid_write = sum(0 < o["written_before_kill"] < len(original) for o in outcomes)
    print(
        f"SIGKILL trials: {KILL_TRIALS} (seed {SEED}), {mid_write} landed mid-write, "
        f"{sum(o['temporaries'] for o in outcomes)} temporary files left behind, 0 notes lost or torn"
    )
    # The writes last a fraction of a second here (one sync per batch and one per folder, not one per
    # note), and a busy machine lands some aimed kills after them: one in five landing mid-write keeps
    # the test meaningful.
    assert mid_write >= KILL_TRIALS // 5, "kills must land while notes are being written"


# -- a write that fails: disk full, permission refused -------------------------------------

ENTITY = "---\ntype: customer\nlast_contact: unknown\n---\n# Acme\n\n## Recent Context\n\n## Notes\n"
MEETING = "---\ntype: meeting\ndate: 2026-11-02\nsummary: Kickoff with [[Acme]].\n---\n\nNotes.\n"


class _DiskFillsUp:
    """A file whose write stores half the bytes, then fails as a full disk does."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def __enter__(self) -> _DiskFillsUp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str):
        return getattr(self.handle, name)


def temporaries_of(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Record which note each temporary file the writer makes is for: temporary path -> note name."""
    made: dict[str, str] = {}
    real = bot.writer._temporary_path

    def recording(target: Path) -> Path:
        temporary = real(target)
        made[str(temporary)] = target.name
        return temporary

    monkeypatch.setattr(bot.writer, "_temporary_path", recording)
    return made


@pytest.mark.parametrize(
    ("where", "error"),
    [("write", errno.ENOSPC), ("open", errno.EACCES), ("replace", errno.EACCES), ("replace", errno.ENOSPC)],
)
def test_a_failed_write_keeps_the_original_and_the_run_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str, error: int
) -> None:
    """As root, permissions stop nothing, so the failures are injected where the writer meets the OS."""
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    real_open, real_replace = open, os.replace
    temporaries = temporaries_of(monkeypatch)

    def failing_open(path, mode="r", *args, **kwargs):
        if temporaries.get(str(path)) != "Acme.md":
            return real_open(path, mode, *args, **kwargs)
        if where == "open":
            raise OSError(error, os.strerror(error))
        return _DiskFillsUp(real_open(path, mode, *args, **kwargs))

    def failing_replace(source, target, *args, **kwargs):
        if str(target).endswith("Acme.md"):
            raise OSError(error, os.strerror(error))
        return real_replace(source, target, *args, **kwargs)

    if where == "replace":
        monkeypatch.setattr(bot.writer.os, "replace", failing_replace)
    else:
        monkeypatch.setattr(bot.writer, "open", failing_open, raising=False)

    code = main(["run", str(tmp_path), "--no-commit", "--no-cache", "--today", TODAY, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 3
    assert (tmp_path / "Acme.md").read_text() == ENTITY, "the original is intact"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Acme.md", "Meeting.md"], "no temporary file is left"
    assert {"path": "Acme.md", "rule": None, "message": f"cannot be written: {os.strerror(error)}; the note is unchanged"} in report[
        "warnings"
    ]
    assert [c["path"] for c in report["changed"]] == ["Meeting.md"], "the other notes are still written"
    monkeypatch.undo()
    assert main(["run", str(tmp_path), "--no-commit", "--no-cache", "--today", TODAY, "-q"]) == 0, "the next run completes"
    assert "last_contact: 2026-11-02" in (tmp_path / "Acme.md").read_text()


# -- someone else edits a note while the run is in progress ---------------------------------


def test_a_note_edited_between_reading_and_renaming_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user saves the note after vaultbot wrote its temporary file, just before the rename."""
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    users_text = ENTITY + "\nTyped in Obsidian while vaultbot ran.\n"
    real_chmod = os.chmod
    temporaries = temporaries_of(monkeypatch)

    def chmod_then_user_saves(path, mode, *args, **kwargs):
        real_chmod(path, mode, *args, **kwargs)
        if temporaries.get(str(path)) == "Acme.md":
            (tmp_path / "Acme.md").write_text(users_text)

    monkeypatch.setattr(bot.writer.os, "chmod", chmod_then_user_saves)
    code = main(["run", str(tmp_path), "--no-commit", "--no-cache", "--today", TODAY, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (tmp_path / "Acme.md").read_text() == users_text
    assert {
        "path": "Acme.md",
        "rule": None,
        "message": "changed on disk while vaultbot ran; not overwritten (the next run picks it up)",
    } in report["warnings"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Acme.md", "Meeting.md"]
    monkeypatch.undo()
    assert main(["run", str(tmp_path), "--no-commit", "--no-cache", "--today", TODAY, "-q"]) == 0
    assert (tmp_path / "Acme.md").read_text().endswith("Typed in Obsidian while vaultbot ran.\n"), "the next run keeps the edit"


def test_a_note_edited_while_the_rules_run_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    users_text = MEETING.replace("Notes.", "Notes, edited by hand.")
    real_plan = bot.execute.plan_run

    def plan_then_user_saves(*args, **kwargs):
        plan = real_plan(*args, **kwargs)
        (tmp_path / "Meeting.md").write_text(users_text)
        return plan

    monkeypatch.setattr(bot.execute, "plan_run", plan_then_user_saves)
    assert main(["run", str(tmp_path), "--no-commit", "--no-cache", "--today", TODAY, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (tmp_path / "Meeting.md").read_text() == users_text
    assert [c["path"] for c in report["changed"]] == ["Acme.md"]
    assert any(w["path"] == "Meeting.md" and "not overwritten" in w["message"] for w in report["warnings"])


# -- git: a lock taken by another git command in the middle of the run ------------------------


def test_an_index_lock_appearing_mid_run_fails_cleanly_with_no_partial_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock present at the start is tests/bot/test_git.py's; this one appears after the checks."""
    identity = ("-c", "user.name=T", "-c", "user.email=t@example.com")
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "notes"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, capture_output=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout
    real_write = bot.execute.write_changes

    def write_then_lock(*args, **kwargs):
        result = real_write(*args, **kwargs)
        (tmp_path / ".git" / "index.lock").write_text("")  # another git command starts here
        return result

    monkeypatch.setattr(bot.execute, "write_changes", write_then_lock)
    code = main(["run", str(tmp_path), "--no-cache", "--today", TODAY])
    err = capsys.readouterr().err
    assert code == 3
    assert "index.lock" in err and "not committed" in err and "Traceback" not in err
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout == head
    (tmp_path / ".git" / "index.lock").unlink()
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert staged == "", "nothing half-staged"
    monkeypatch.undo()
    assert main(["run", str(tmp_path), "--no-cache", "--today", TODAY]) == 0
    assert "finished a run that stopped before committing: 2 notes committed" in capsys.readouterr().err
    assert subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True).stdout == ""


# -- the vault folder vanishes mid-run ------------------------------------------------------


@pytest.mark.parametrize("moment", ["while reading", "while writing"])
def test_the_vault_vanishing_mid_run_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], moment: str
) -> None:
    vault = busy_vault(tmp_path / "vault", customers=2, meetings=6)
    if moment == "while reading":
        real_read = bot.reading.read_note

        def read_then_vanish(root, path, *args):
            if path.endswith("Meeting 003.md"):
                shutil.rmtree(vault)
            return real_read(root, path, *args)

        monkeypatch.setattr(bot.reading, "read_note", read_then_vanish)
    else:
        real_stage = bot.write_back.stage_write
        calls = []

        def stage_then_vanish(target, new, expected):
            calls.append(target)
            if len(calls) == 3:
                shutil.rmtree(vault)
            return real_stage(target, new, expected)

        monkeypatch.setattr("bot.write_back.stage_write", stage_then_vanish)
    code = main(["run", str(vault), "--no-commit", "--no-cache", "--today", TODAY])
    err = capsys.readouterr().err
    assert code == 3
    assert f"vaultbot: error: {vault}: the vault folder disappeared during the run (moved or deleted)" in err
    assert "Traceback" not in err


# -- SIGKILL during a committing run ---------------------------------------------------------


@pytest.mark.posix("kills the run with SIGKILL")
def test_the_run_after_a_kill_commits_what_the_killed_run_wrote(tmp_path: Path) -> None:
    from tests.vaults import git

    for attempt in range(10):  # until a kill lands between the first and the last write
        vault = busy_vault(tmp_path / f"vault-{attempt}", customers=6, meetings=120)
        git(vault, "init", "-q")
        git(vault, "add", "-A")
        git(vault, "commit", "-qm", "notes")
        original = note_bytes(vault)
        command = [arg for arg in cli(vault) if arg != "--no-commit"]
        process = subprocess.Popen(command, env=cli_env(tmp_path / "cache"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = _first_write_seen(vault, min(original), process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        written = sum(data != original[path] for path, data in note_bytes(vault).items())
        if seen is not None and 0 < written < len(original) and git(vault, "log", "--format=%s") == "notes\n":
            break
    else:
        pytest.skip("no kill landed mid-write")
    result = subprocess.run(command, env=cli_env(tmp_path / "cache"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert git(vault, "status", "--porcelain") == "", "every note vaultbot wrote is in a commit"
