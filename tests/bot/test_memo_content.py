"""Content keys of the clean-run memo: which notes git can vouch for, and which count by their stat."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.git_blobs import git_blob_id
from bot.memo import CleanState
from bot.memo_content import BY_CONTENT, ContentKeys, by_content, content_keys
from bot.obsidian import ObsidianSettings
from bot.scan import FileStat, scan_vault
from tests.rules.memory import index
from tests.vaults import git, write_vault

NOTES = {"clean.md": "same\n", "edited.md": "before\n", "untracked.md": "new\n", "told.md": "hidden\n", "later.md": "later\n"}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    write_vault(tmp_path, {path: text for path, text in NOTES.items() if path != "untracked.md"})
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "notes")
    write_vault(tmp_path, {"untracked.md": NOTES["untracked.md"], "edited.md": "after!\n"})
    git(tmp_path, "update-index", "--assume-unchanged", "told.md")
    return tmp_path


def test_only_notes_git_vouches_for_count_by_content(vault: Path) -> None:
    files = scan_vault(vault, ObsidianSettings(), ()).files
    later = vault / "later.md"
    os.utime(later, ns=(later.stat().st_atime_ns, later.stat().st_mtime_ns + 10**9))  # changed since the scan saw it
    keys = content_keys(vault, files)
    assert keys is not None
    assert keys.files["clean.md"] == by_content(5, git_blob_id(b"same\n"))
    assert keys.files["clean.md"].mtime_ns == BY_CONTENT
    for path in ("edited.md", "untracked.md", "told.md", "later.md"):
        assert keys.files[path] == files[path], path


def test_no_keys_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    write_vault(tmp_path / "vault", {"a.md": "a\n"})
    assert content_keys(tmp_path / "vault", scan_vault(tmp_path / "vault", ObsidianSettings(), ()).files) is None


@pytest.mark.parametrize("blob", ["", "zz", "not a blob id at all", "0" * 39])
def test_a_previous_version_without_a_usable_blob_id_gives_no_delta(blob: str) -> None:
    """A cache entry's blob id comes from a file on disk: a damaged one must cost the shortcut, not the run."""
    vault = index({"a.md": "a\n"})
    clean = CleanState("stat digest", [], {}, [], content="content digest")
    keys = ContentKeys({"a.md": by_content(2, git_blob_id(b"a\n"))}, "")
    scan = type("Scan", (), {})()  # never reached
    previous = {"a.md": (FileStat(2, 1, 1, 0), vault.notes["a.md"])}
    assert keys.delta(clean, vault, scan, previous, {"a.md": blob}, "context") is None  # type: ignore[arg-type]
