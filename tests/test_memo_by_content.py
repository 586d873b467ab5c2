"""The clean-run memo carried to another checkout (VAULTBOT_CACHE_DIR) holds only for the same vault.

A real run on one clone records the memo; each test makes a fresh clone that differs
in one way a hostile user could think of and checks that the carried memo is not
taken for it, and that the run gives exactly what a run without any cache gives.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from bot.memo import FORMAT
from tests.vaults import TODAY, git, run_cli, write_vault

RECOGNISED = "the vault is as the last clean run left it (recognised by content)"
VAULT = {
    ".vaultbot.yaml": "rules:\n  last-contact: {create_missing: false}\n",
    "People/Ann.md": "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n",
    "Meetings/2026-11-20 Call.md": "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]] about pricing.\n",
    # After TODAY: not contact yet, so a later day that passes it must run in full.
    "Meetings/2026-12-10 Planned.md": "---\ndate: 2026-12-10\ntype: meeting\n---\nWorkshop with [[Ann]].\n",
    "Broken.md": "---\n: [unclosed\n---\nbody\n",
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vault repository `origin` on which a real run (committing) left the carried memo in the returned folder."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write_vault(origin, VAULT)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "notes")
    folder = tmp_path / "carried-cache"
    first = run_cli("run", origin, "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(folder)})
    assert first.returncode == 0, first.stderr
    assert "3 notes updated" in first.stdout
    return folder


def clone(tmp_path: Path, name: str, *options: str) -> Path:
    git(tmp_path, "clone", "-q", *options, str(tmp_path / "origin"), str(tmp_path / name))
    return tmp_path / name


def dry_run(vault: Path, cache_folder: Path, *args: str) -> tuple[bool, dict]:
    """Whether the carried memo was taken for `vault`, and what the run reports."""
    result = run_cli(
        "run",
        vault,
        "--dry-run",
        "-v",
        "--format",
        "json",
        "--today",
        TODAY.isoformat(),
        *args,
        env={"VAULTBOT_CACHE_DIR": str(cache_folder)},
    )
    assert result.returncode == 0, result.stderr
    return RECOGNISED in result.stderr, json.loads(result.stdout)


def assert_like_a_cold_run(vault: Path, cache_folder: Path, tmp_path: Path, *args: str) -> None:
    recognised, carried = dry_run(vault, cache_folder, *args)
    assert not recognised
    cold_folder = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    assert dry_run(vault, cold_folder, *args) == (False, carried)


def test_an_unchanged_fresh_clone_takes_the_memo_and_reports_what_a_cold_run_does(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "same")
    recognised, carried = dry_run(vault, cache)
    assert recognised and carried["changed"] == []
    assert [w["path"] for w in carried["warnings"]] == ["Broken.md"]
    assert dry_run(vault, tmp_path / "cold") == (False, carried)


def test_an_uncommitted_edit_of_the_same_size_and_mtime_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "edited")
    note = vault / "Meetings/2026-11-20 Call.md"
    before = os.stat(note)
    note.write_text(note.read_text().replace("[[Ann]]", "[[Bob]]"))  # same size
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert_like_a_cold_run(vault, cache, tmp_path)


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_an_edit_git_was_told_not_to_look_at_is_no_match(cache: Path, tmp_path: Path, flag: str) -> None:
    vault = clone(tmp_path, "hidden-edit")
    git(vault, "update-index", flag, "Meetings/2026-11-20 Call.md")  # `git diff-files` never reports it
    note = vault / "Meetings/2026-11-20 Call.md"
    note.write_text(note.read_text().replace("[[Ann]]", "[[Bob]]"))
    assert_like_a_cold_run(vault, cache, tmp_path)


def test_a_staged_edit_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "staged")
    write_vault(vault, {"Meetings/2026-11-20 Call.md": VAULT["Meetings/2026-11-20 Call.md"].replace("2026-11-20", "2026-11-22")})
    git(vault, "add", "-A")
    assert_like_a_cold_run(vault, cache, tmp_path)


def test_an_untracked_note_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "untracked")
    git(vault, "rm", "-q", "--cached", "Meetings/2026-11-20 Call.md")  # the same path and bytes, no longer tracked
    assert_like_a_cold_run(vault, cache, tmp_path)
    write_vault(vault, {"Meetings/2026-11-21 New.md": "---\ndate: 2026-11-21\ntype: meeting\n---\n[[Ann]]\n"})
    assert_like_a_cold_run(vault, cache, tmp_path)


def test_a_gitignore_change_holds_for_tracked_notes_and_not_for_the_ones_it_hides(cache: Path, tmp_path: Path) -> None:
    """git ignores no tracked note, so ignoring their folder changes no result; an ignored note that is not
    tracked is known only by its stat, which no other checkout shares."""
    vault = clone(tmp_path, "ignoring")
    write_vault(vault, {".gitignore": "Meetings/\n"})
    recognised, carried = dry_run(vault, cache)
    assert recognised and dry_run(vault, tmp_path / "cold") == (False, carried)
    write_vault(vault, {"Meetings/2026-11-21 Hidden.md": "---\ndate: 2026-11-21\ntype: meeting\n---\n[[Ann]]\n"})
    assert_like_a_cold_run(vault, cache, tmp_path)


def test_a_crlf_checkout_of_the_same_commit_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "crlf", "-c", "core.autocrlf=true")
    assert b"\r\n" in (vault / "People/Ann.md").read_bytes()
    assert_like_a_cold_run(vault, cache, tmp_path)


def test_a_memo_recorded_on_a_crlf_checkout_is_no_match_for_an_lf_one(cache: Path, tmp_path: Path) -> None:
    crlf = clone(tmp_path, "crlf", "-c", "core.autocrlf=true")
    crlf_cache = tmp_path / "crlf-cache"
    recorded = run_cli("run", crlf, "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(crlf_cache)})
    assert recorded.returncode == 0, recorded.stderr
    assert dry_run(clone(tmp_path, "crlf-again", "-c", "core.autocrlf=true"), crlf_cache)[0]
    assert_like_a_cold_run(clone(tmp_path, "lf"), crlf_cache, tmp_path)


def test_a_day_that_passes_a_notes_date_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "later")
    assert dry_run(vault, cache, "--today", "2026-12-09")[0]
    assert_like_a_cold_run(vault, cache, tmp_path, "--today", "2026-12-11")


def test_a_changed_config_is_no_match(cache: Path, tmp_path: Path) -> None:
    vault = clone(tmp_path, "configured")
    write_vault(vault, {".vaultbot.yaml": "rules:\n  last-contact: {create_missing: true}\n"})
    assert_like_a_cold_run(vault, cache, tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "",
        lambda text: json.dumps({**json.loads(text), "window": ["a", None]}),
        lambda text: json.dumps({**json.loads(text), "content": None}),
        lambda text: json.dumps([FORMAT]),
    ],
    ids=["truncated", "empty", "window-not-days", "content-not-text", "not-an-object"],
)
def test_a_damaged_memo_is_ignored(cache: Path, tmp_path: Path, damage) -> None:
    (memo,) = cache.glob("*.clean-*.json")
    memo.write_text(damage(memo.read_text()))
    assert_like_a_cold_run(clone(tmp_path, "damaged"), cache, tmp_path)


def test_another_vaults_memo_is_no_match(cache: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    write_vault(other, {**VAULT, "People/Ann.md": VAULT["People/Ann.md"].replace("# Ann", "# Ann Other")})
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "another vault")
    assert_like_a_cold_run(other, cache, tmp_path)


def test_a_real_run_on_a_clone_that_took_the_memo_remembers_its_own_stats(cache: Path, tmp_path: Path) -> None:
    """The next run on the same clone is then a scan, without asking git."""
    vault = clone(tmp_path, "twice")
    assert run_cli("run", vault, "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(cache)}).returncode == 0
    result = run_cli("run", vault, "--dry-run", "-v", "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert "the vault is as the last clean run left it (recognised by stat)" in result.stderr


def test_without_a_named_cache_folder_the_memo_has_no_digest_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo in `.git/vaultbot/` never reaches another checkout: no git calls are spent on keying it by content."""
    monkeypatch.delenv("VAULTBOT_CACHE_DIR", raising=False)
    vault = write_vault(tmp_path / "vault", VAULT)
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "notes")
    assert run_cli("run", vault, "--today", TODAY.isoformat()).returncode == 0
    (memo,) = (vault / ".git" / "vaultbot").glob("*.clean-*.json")
    assert json.loads(memo.read_text())["content"] == ""


def test_pathspec_settings_of_the_environment_do_not_hide_notes_from_git(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`GIT_LITERAL_PATHSPECS=1` (which vaultbot sets for its own commits) would make `*.md` a file name."""
    monkeypatch.setenv("GIT_LITERAL_PATHSPECS", "1")
    assert dry_run(clone(tmp_path, "literal"), cache)[0]


def edit_in_place_keeping_size_and_mtime(note: Path, old: str, new: str) -> None:
    """An edit that leaves size, mtime and inode as they were (`touch -d` after saving in place)."""
    before = os.stat(note)
    with open(note, "r+", encoding="utf-8", newline="") as stream:
        text = stream.read()
        assert len(old) == len(new) and old in text
        stream.seek(0)
        stream.write(text.replace(old, new))
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(note)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_an_edit_that_restores_size_and_mtime_on_the_same_clone_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run on a clone is the stat path; an edit in place with its mtime put back must still
    count (the change time, which no one can set back, tells). A vault that does not commit has no
    committed view (git status) to notice it either, so the memo's stat digest and the parse cache
    are all that stand between the edit and a replayed, stale result."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    vault = write_vault(tmp_path / "vault", {**VAULT, ".vaultbot.yaml": "git: {commit: false}\n" + VAULT[".vaultbot.yaml"]})
    git(vault, "init", "-q", "-b", "main")
    folder = tmp_path / "carried-cache"
    assert run_cli("run", vault, "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(folder)}).returncode == 0
    stale = run_cli("run", vault, "--dry-run", "-v", "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(folder)})
    assert "recognised by stat" in stale.stderr
    edit_in_place_keeping_size_and_mtime(vault / "Meetings/2026-11-20 Call.md", "date: 2026-11-20", "date: 2026-11-21")
    assert_like_a_cold_run(vault, folder, tmp_path)
    # With another note changed too, nothing is remembered: the parse cache must not give the old parse.
    write_vault(vault, {"People/Bob.md": "---\ntype: person\n---\n# Bob\n"})
    recognised, carried = dry_run(vault, folder)
    assert not recognised and [c["path"] for c in carried["changed"]] == ["People/Ann.md", "People/Bob.md"]
    assert dry_run(vault, tmp_path / "cold") == (False, carried)


def test_an_attribute_that_recodes_a_note_on_checkout_keeping_its_size_is_no_match(cache: Path, tmp_path: Path) -> None:
    """`.gitattributes` committed upstream decides a checkout's bytes as much as `core.autocrlf` does, and
    the size does not always tell: `ÜÜ` and two newlines are 6 bytes in UTF-8 with LF and in Latin-1 with
    CRLF. The blob is the same, git calls the checkout clean; the bytes are not the ones parsed."""
    origin = tmp_path / "origin"
    write_vault(origin, {"Notes/Umlaut.md": "ÜÜ\n\n"})
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "a note")
    assert run_cli("run", origin, "--today", TODAY.isoformat(), env={"VAULTBOT_CACHE_DIR": str(cache)}).returncode == 0
    assert dry_run(clone(tmp_path, "plain"), cache)[0]
    write_vault(origin, {".gitattributes": "Notes/Umlaut.md text eol=crlf working-tree-encoding=ISO-8859-1\n"})
    git(origin, "add", ".gitattributes")  # only: the note's blob stays as it is
    git(origin, "commit", "-q", "-m", "Latin-1 on checkout")
    vault = clone(tmp_path, "recoded")
    assert (vault / "Notes/Umlaut.md").read_bytes() == b"\xdc\xdc\r\n\r\n"
    assert_like_a_cold_run(vault, cache, tmp_path)


@pytest.mark.parametrize("setting", ["core.trustctime=false", "core.checkStat=minimal"])
def test_an_edit_that_restores_size_and_mtime_is_seen_whatever_the_clones_stat_settings(cache: Path, tmp_path: Path, setting: str) -> None:
    """git's own check of the file against the index decides whether a note counts by content; a clone
    set to trust less of the stat (as some backup tools need) must not let such an edit pass for the blob."""
    vault = clone(tmp_path, "loose", "-c", setting)
    time.sleep(1.1)  # then an index written now is newer than every note: git stops re-reading "racily clean" ones
    git(vault, "update-index", "--really-refresh")
    edit_in_place_keeping_size_and_mtime(vault / "Meetings/2026-11-20 Call.md", "date: 2026-11-20", "date: 2026-11-21")
    assert_like_a_cold_run(vault, cache, tmp_path)
