"""vaultbot's commit is exactly what it wrote: built from blobs in a private index,
never from the work tree or the user's index, at any scale; a run that dies is finished by the next."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bot.git
import bot.writer
from bot.cli import main
from bot.execute import EDITED
from bot.write_back import GONE
from tests.vaults import (
    git,
    no_git_identity,  # noqa: F401 (a fixture the autouse one uses)
    write_vault,
)

TODAY = "2026-11-24"
ANN = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n"
CALL = "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]] about pricing.\n"
NOTES = {"People/Ann.md": ANN, "Meetings/2026-11-20 Call.md": CALL, "Ideas.md": "# Ideas\n"}


@pytest.fixture(autouse=True)
def no_identity(no_git_identity: None) -> None:
    """Every test here runs with no git identity (tests/vaults.py `no_git_identity`)."""


def make_repo(root: Path, notes: dict[str, str]) -> Path:
    """A repository whose vault is its `Vault/` subfolder, all committed; returns the vault."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_vault(root, {"README.md": "outside the vault\n"})
    write_vault(root / "Vault", notes)
    (root / "Vault" / ".obsidian").mkdir()  # what marks a vault: without it vaultbot warns "is this the vault?"
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    return root / "Vault"


def start_run(vault: Path, pause: Path, stage: str, *args: str) -> subprocess.Popen:
    """A real `vaultbot run` that stops at `stage` until the test says go (bot/execute.py: pause_for_tests)."""
    pause.mkdir(exist_ok=True)
    env = {**os.environ, "VAULTBOT_TEST_PAUSE_AT": stage, "VAULTBOT_TEST_PAUSE_DIR": str(pause)}
    command = [sys.executable, "-m", "bot", "run", str(vault), "--format", "json", "--today", TODAY, *args]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (pause / f"{stage}.reached").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never reached the pause"
        time.sleep(0.01)
    return process


def finish(process: subprocess.Popen, pause: Path, stage: str) -> tuple[int, dict, str]:
    (pause / f"{stage}.go").touch()
    out, err = process.communicate(timeout=60)
    return process.returncode, json.loads(out), err


def head_file(repo: Path, path: str, rev: str = "HEAD") -> bytes:
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=repo, check=True, capture_output=True).stdout


def test_an_edit_between_vaultbot_writing_and_committing_stays_the_users(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", NOTES)
    repo, pause = vault.parent, tmp_path / "pause"
    process = start_run(vault, pause, "before-commit")
    written = (vault / "People/Ann.md").read_bytes()
    assert b"last_contact: 2026-11-20" in written, "paused after the write"
    with open(vault / "People/Ann.md", "ab") as note:
        note.write(b"A line the user typed meanwhile.\n")
    code, result, err = finish(process, pause, "before-commit")
    assert code == 0, err
    assert head_file(repo, "Vault/People/Ann.md") == written, "HEAD holds vaultbot's bytes"
    assert (vault / "People/Ann.md").read_bytes() == written + b"A line the user typed meanwhile.\n"
    assert git(repo, "status", "--porcelain") == " M Vault/People/Ann.md\n", "the user's line is their uncommitted change"
    assert {"path": "People/Ann.md", "rule": None, "message": EDITED} in result["warnings"]
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_a_note_removed_or_renamed_while_vaultbot_runs_is_the_users_change_not_a_failure(tmp_path: Path) -> None:
    """Deleting or renaming a note in Obsidian while a run plans is an edit like any other: that note
    is not written (and nothing recreates it), the others are committed, and the run does not fail."""
    vault = make_repo(
        tmp_path / "repo", {**NOTES, "People/Bob.md": ANN.replace("Ann", "Bob"), "Meetings/2026-11-21 Bob.md": CALL.replace("Ann", "Bob")}
    )
    repo, pause = vault.parent, tmp_path / "pause"
    process = start_run(vault, pause, "before-write")
    (vault / "People/Ann.md").unlink()
    (vault / "People/Bob.md").rename(vault / "People/Robert.md")
    code, result, err = finish(process, pause, "before-write")
    assert code == 0, err
    assert not (vault / "People/Ann.md").exists() and not (vault / "People/Bob.md").exists()
    assert {"path": "People/Ann.md", "rule": None, "message": GONE} in result["warnings"]
    assert {"path": "People/Bob.md", "rule": None, "message": GONE} in result["warnings"]
    assert git(repo, "status", "--porcelain").splitlines() == [
        " D Vault/People/Ann.md",
        " D Vault/People/Bob.md",
        "?? Vault/People/Robert.md",
    ]
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_head_moving_before_update_ref_fails_cleanly_and_the_next_run_commits(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", NOTES)
    repo, pause = vault.parent, tmp_path / "pause"
    process = start_run(vault, pause, "before-update-ref")
    (repo / "README.md").write_text("someone commits while vaultbot runs\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "a concurrent commit")
    theirs = git(repo, "rev-parse", "HEAD").strip()
    code, result, err = finish(process, pause, "before-update-ref")
    assert code == 3
    assert len(result["errors"]) == 1 and result["errors"][0].startswith("commit failed: git update-ref failed:")
    assert "HEAD moved while vaultbot ran" in result["errors"][0] and "the next run commits them" in result["errors"][0]
    assert "Traceback" not in err
    assert git(repo, "rev-parse", "HEAD").strip() == theirs, "the concurrent commit is never overwritten"
    assert git(repo, "diff", "--cached", "--name-only") == "", "nothing of vaultbot's is staged"
    assert (repo / ".git/vaultbot/journal.json").exists()

    again = subprocess.run([sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "finished a run that stopped before committing: 2 notes committed" in again.stderr
    assert git(repo, "rev-parse", "HEAD~1").strip() == theirs
    assert b"last_contact: 2026-11-20" in head_file(repo, "Vault/People/Ann.md")
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git/vaultbot/journal.json").exists()


def test_a_user_staged_version_of_a_note_stays_staged(tmp_path: Path) -> None:
    """A note whose index entry the user changed after vaultbot planned: its entry is theirs."""
    vault = make_repo(tmp_path / "repo", NOTES)
    repo, pause = vault.parent, tmp_path / "pause"
    process = start_run(vault, pause, "before-commit")
    staged = ANN.replace("# Ann", "# Ann (staged by the user)")
    blob = (
        subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=staged.encode(), capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    git(repo, "update-index", "--cacheinfo", f"100644,{blob},Vault/People/Ann.md")
    code, _, err = finish(process, pause, "before-commit")
    assert code == 0, err
    assert git(repo, "ls-files", "-s", "Vault/People/Ann.md").split()[1] == blob, "the user's staged version stays staged"
    assert (
        git(repo, "ls-files", "-s", "Vault/Meetings/2026-11-20 Call.md").split()[1]
        == git(repo, "rev-parse", "HEAD:Vault/Meetings/2026-11-20 Call.md").strip()
    )


def test_after_a_run_even_git_plumbing_sees_the_work_tree_clean(tmp_path: Path) -> None:
    """`git diff-index --quiet HEAD` (what scripts and auto-commit hooks ask) reads the index's stat
    data without refreshing it: entries vaultbot pointed at its blobs must carry the files' stats."""
    vault = make_repo(tmp_path / "repo", NOTES)
    repo = vault.parent
    assert main(["run", str(vault), "--today", TODAY, "-q"]) == 0
    assert git(repo, "log", "-1", "--format=%an").strip() == "vaultbot"
    assert subprocess.run(["git", "diff-files", "--name-only"], cwd=repo, capture_output=True, text=True).stdout == ""
    assert subprocess.run(["git", "diff-index", "--quiet", "HEAD", "--"], cwd=repo).returncode == 0


def test_twenty_thousand_notes_in_one_commit_and_no_path_in_any_argument_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    count = 20_000
    notes = {f"Notes/{i // 1000:02d}/Note {i:05d}.md": f"---\ntags: 'a, b'\n---\n# Note {i}\n" for i in range(count)}
    vault = make_repo(tmp_path / "repo", notes)
    repo = vault.parent
    argv: list[list[str]] = []
    real_run = bot.git.subprocess.run

    def recording(command, *args, **kwargs):
        argv.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(bot.git.subprocess, "run", recording)
    # Syncing 20,000 files to disk one by one is the writer's job (tests/test_faults.py), not this test's.
    monkeypatch.setattr(bot.writer.os, "fsync", lambda descriptor: None)
    started = time.monotonic()
    assert main(["run", str(vault), "--today", TODAY, "-q", "--no-cache"]) == 0, capsys.readouterr().err
    monkeypatch.undo()
    print(f"{count} notes planned, written and committed in {time.monotonic() - started:.1f} s")
    assert git(repo, "log", "-1", "--format=%s") == f"vaultbot: {count} notes updated (tags {count})\n"
    assert len(git(repo, "diff", "--name-only", "HEAD~1", "HEAD").splitlines()) == count
    assert git(repo, "status", "--porcelain") == ""
    assert head_file(repo, "Vault/Notes/19/Note 19999.md") == b"---\ntags:\n  - a\n  - b\n---\n# Note 19999\n"
    assert argv and max(sum(len(a) for a in command) for command in argv) < 500, "no argument list grows with the vault"
    assert not [command for command in argv if any("Note " in arg for arg in command)]


def kill_at(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


def test_a_run_killed_before_committing_is_finished_and_a_later_edit_stays_the_users(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", NOTES)
    repo, pause = vault.parent, tmp_path / "pause"
    kill_at(start_run(vault, pause, "before-commit"))  # SIGKILL: every note written, nothing committed
    with open(vault / "Meetings/2026-11-20 Call.md", "ab") as note:
        note.write(b"Typed after the crash.\n")
    users = (vault / "Meetings/2026-11-20 Call.md").read_bytes()
    again = subprocess.run(
        [sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY, "--format", "json"], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "finished a run that stopped before committing: 1 note committed" in again.stderr
    warnings = json.loads(again.stdout)["warnings"]
    assert {
        "path": "Meetings/2026-11-20 Call.md",
        "rule": None,
        "message": "written by a vaultbot run that stopped before committing, then changed by someone; your version is kept and not committed",
    } in warnings
    assert (vault / "Meetings/2026-11-20 Call.md").read_bytes() == users, "never overwritten"
    assert head_file(repo, "Vault/Meetings/2026-11-20 Call.md") == CALL.encode(), "and never committed"
    assert b"last_contact: 2026-11-20" in head_file(repo, "Vault/People/Ann.md")
    assert git(repo, "status", "--porcelain") == ' M "Vault/Meetings/2026-11-20 Call.md"\n'


DUPLICATES = {
    "People/Ann.md": ANN,
    "Meetings/2026-11-20 Call.md": "---\ndate: 2026-11-20\ntype: meeting\nparticipants: ['[[Ann]]']\n---\nCall with [[Ann]] about pricing, the long write-up.\n",
    "Meetings/2026-11-20 Call copy.md": "---\ndate: 2026-11-20\ntype: meeting\nparticipants: ['[[Ann]]']\n---\nCall.\n",
    ".vaultbot.yaml": "rules:\n  dedupe-meetings: {mode: archive}\n",
}


def test_a_half_done_move_is_completed_by_the_next_run(tmp_path: Path) -> None:
    vault = make_repo(tmp_path / "repo", DUPLICATES)
    repo, pause = vault.parent, tmp_path / "pause"
    process = start_run(vault, pause, "before-commit")
    source, target = vault / "Meetings/2026-11-20 Call copy.md", vault / "_archive/duplicates/Meetings/2026-11-20 Call copy.md"
    assert target.exists() and not source.exists()
    source.write_text(DUPLICATES["Meetings/2026-11-20 Call copy.md"])  # as if killed between the copy and the removal
    kill_at(process)
    again = subprocess.run([sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert not source.exists() and target.exists()
    renames = [line for line in git(repo, "log", "-M", "--name-status", "--format=", "-1").splitlines() if line.startswith("R")]
    assert [r[4:] for r in renames] == [
        "\tVault/Meetings/2026-11-20 Call copy.md\tVault/_archive/duplicates/Meetings/2026-11-20 Call copy.md"
    ]
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("failing", ["_store_unfiltered", "build_commit"])
def test_a_failing_git_step_is_one_line_exit_3_and_nothing_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, failing: str
) -> None:
    import bot.git_commit

    vault = make_repo(tmp_path / "repo", NOTES)
    repo = vault.parent

    def no_space(*args, **kwargs):
        raise bot.git.GitError("git write-tree failed: fatal: unable to write new index file: No space left on device")

    monkeypatch.setattr(bot.git_commit, failing, no_space)
    assert main(["run", str(vault), "--today", TODAY, "-q"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vaultbot: error: ") and "No space left on device" in err
    assert git(repo, "diff", "--cached", "--name-only") == "" and git(repo, "rev-list", "--count", "HEAD") == "1\n"
    if failing == "_store_unfiltered":
        assert "preparing the commit failed" in err and "nothing was written" in err
        assert git(repo, "status", "--porcelain") == ""
    else:
        assert "commit failed" in err and "the next run commits them" in err
    monkeypatch.undo()
    assert main(["run", str(vault), "--today", TODAY, "-q"]) == 0
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-list", "--count", "HEAD") == "2\n"


def test_line_ending_settings_apply_to_the_blobs_as_git_add_would(tmp_path: Path) -> None:
    """With core.autocrlf a CRLF note is stored with LF; with `-text` it is stored as it is."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "core.autocrlf", "true")
    crlf = ANN.replace("\n", "\r\n").encode()
    write_vault(
        repo,
        {
            ".gitattributes": "raw/** -text\n",
            "People/Ann.md": crlf,
            "raw/Bob.md": crlf.replace(b"Ann", b"Bob"),
            "Call.md": CALL.replace("[[Ann]]", "[[Ann]] and [[Bob]]"),
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    assert main(["run", str(repo), "--today", TODAY, "-q"]) == 0
    assert (repo / "People/Ann.md").read_bytes().count(b"\r\n") == (repo / "People/Ann.md").read_bytes().count(b"\n"), "the note keeps CRLF"
    assert b"\r" not in head_file(repo, "People/Ann.md") and b"last_contact: 2026-11-20" in head_file(repo, "People/Ann.md")
    assert b"last_contact: 2026-11-20\r\n" in head_file(repo, "raw/Bob.md"), "-text: stored byte for byte"
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("settings", [("* text=auto\n", None), ("", "true"), ("", "input"), ("*.md text eol=crlf\n", None)])
def test_every_line_ending_mix_is_stored_as_git_add_would_store_it(tmp_path: Path, settings: tuple[str, str | None]) -> None:
    """LF notes skip `git hash-object` when only line endings could change: whatever the mix of
    CRLF, lone LF, lone CR and NUL, each committed blob is the one `git add` makes of the bytes written."""
    attributes, autocrlf = settings
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    if autocrlf:
        git(repo, "config", "core.autocrlf", autocrlf)
    endings = {"lf": b"\n", "crlf": b"\r\n", "mixed": b"\r\n", "lone-cr": b"\n", "nul": b"\n"}
    notes: dict[str, str | bytes] = {
        ".gitattributes": attributes,
        "Call.md": CALL.replace("[[Ann]]", " ".join(f"[[{n}]]" for n in endings)),
    }
    for name, ending in endings.items():
        text = ANN.replace("Ann", name).encode().replace(b"\n", ending)
        notes[f"People/{name}.md"] = text + {"mixed": b"lone LF\n", "lone-cr": b"lone\rCR\n", "nul": b"a\0b\n"}.get(name, b"")
    write_vault(repo, notes)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    assert main(["run", str(repo), "--today", TODAY, "-q"]) == 0
    for name in endings:
        path = f"People/{name}.md"
        assert b"last_contact: 2026-11-20" in (repo / path).read_bytes(), path
        added = subprocess.run(
            ["git", "hash-object", f"--path={path}", "--stdin"], cwd=repo, input=(repo / path).read_bytes(), capture_output=True
        )
        assert git(repo, "rev-parse", f"HEAD:{path}").encode() == added.stdout, path
    assert git(repo, "status", "--porcelain") == ""


def _objects(repo: Path) -> dict[str, int]:
    counted = git(repo, "count-objects", "-v").splitlines()
    return {key: int(value) for key, value in (line.split(": ") for line in counted) if key in ("count", "packs")}


@pytest.mark.parametrize(
    ("settings", "expected"), [({"gc.autoPackLimit": "1"}, "packed"), ({"gc.auto": "0", "gc.autoPackLimit": "1"}, "left")]
)
def test_a_commit_runs_git_gc_auto_as_git_commit_does(tmp_path: Path, settings: dict[str, str], expected: str) -> None:
    """Each run adds its objects (loose, for a few notes): a daemon committing hourly for a year would
    leave tens of thousands. After its commit a run asks `git gc --auto`, which packs everything into
    one pack once git's thresholds are passed (here: more than one pack), and does nothing when the
    user turned it off."""
    vault = make_repo(tmp_path / "repo", NOTES)
    repo = vault.parent
    git(repo, "repack", "-d", "-q")
    write_vault(vault, {"Later.md": "# Later\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")
    git(repo, "repack", "-d", "-q")
    for key, value in {**settings, "gc.autoDetach": "false"}.items():  # in the foreground: done when the run is
        git(repo, "config", key, value)
    assert _objects(repo) == {"count": 0, "packs": 2}
    assert main(["run", str(vault), "--today", TODAY, "-q"]) == 0
    assert git(repo, "log", "-1", "--format=%an").strip() == "vaultbot"
    after = _objects(repo)
    if expected == "packed":
        assert after == {"count": 0, "packs": 1}
    else:
        assert after["count"] > 0 and after["packs"] == 2, "vaultbot's objects, loose"
    assert git(repo, "fsck", "--no-progress") == ""
    assert subprocess.run(["git", "diff-index", "--quiet", "HEAD", "--"], cwd=repo).returncode == 0
