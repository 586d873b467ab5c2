"""The parse cache: hits, invalidation, shards, damaged and foreign files, where it lives, who writes it."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cache import MAGIC, PARSE_MODULES, SHARDS, ParseCache, cache_dir, shard_file, shard_of
from bot.cache_shards import index_block, read_index
from bot.cli import main
from bot.config import load_config
from bot.note import Source
from bot.runner import RunPlan, plan_run
from tests.vaults import TODAY, run_cli, tree_state, write_vault

ENTITY = """---
type: customer
last_contact: unknown
---

# Acme

## Recent Context

## Notes
"""
MEETING = """---
type: meeting
date: 2025-10-06
participants: ["[[Acme]]"]
---

# Kickoff with [[Acme]]
"""
FILES = {
    "Customers/Acme/Acme.md": ENTITY,
    "Customers/Acme/2025-10-06 Kickoff.md": MEETING,
    "Daily/2025-10-07.md": "Called [[Acme]] again.\n",
    "Broken.md": "---\n[unclosed\n---\n",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_vault(tmp_path / "vault", FILES)


@pytest.fixture(autouse=True)
def private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every cache a test writes out of the user's ~/.cache."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def cached_plan(root: Path, warnings: list[str] | None = None) -> tuple[RunPlan, ParseCache]:
    cache = ParseCache(root, (warnings if warnings is not None else []).append)
    return plan_run(root, load_config(root), TODAY, loader=cache.load_notes), cache


def fresh_plan(root: Path) -> RunPlan:
    return plan_run(root, load_config(root), TODAY)


def same_outcome(a: RunPlan, b: RunPlan) -> bool:
    return a.changes == b.changes and sorted(map(str, a.problems)) == sorted(map(str, b.problems))


def warm(root: Path) -> None:
    _, cache = cached_plan(root)
    cache.save()


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def shard_holding(root: Path, note: str) -> Path:
    return shard_file(cache_dir(root), shard_of(note))


def shard_versions(root: Path) -> dict[str, tuple[int, int]]:
    """Each shard file's inode and mtime: a rewritten shard (temp file + rename) gets a new inode."""
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in cache_dir(root).glob("*.pickle")}


def notes_sharing_shard(note: str) -> int:
    return sum(shard_of(path) == shard_of(note) for path in FILES)


def test_second_run_reads_every_note_from_the_cache(vault: Path) -> None:
    first, cache = cached_plan(vault)
    assert (cache.hits, cache.parsed) == (0, len(FILES))
    cache.save()
    second, cache = cached_plan(vault)
    assert (cache.hits, cache.parsed) == (len(FILES), 0)
    assert same_outcome(second, first) and same_outcome(second, fresh_plan(vault))
    assert any("Broken.md" in str(p) for p in second.problems), "an unusable note is remembered as unusable"


def test_a_touched_note_alone_is_parsed_again(vault: Path) -> None:
    warm(vault)
    note = vault / "Daily/2025-10-07.md"
    note.write_text("Called [[Acme]] and [[Globex]] again.\n")
    plan, cache = cached_plan(vault)
    assert (cache.hits, cache.parsed) == (len(FILES) - 1, 1)
    assert "Globex" in {link.link.target for link in plan.vault.notes["Daily/2025-10-07.md"].links}
    assert same_outcome(plan, fresh_plan(vault))


def _new_mtime(note: Path) -> None:
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def _new_size(note: Path) -> None:
    stat = note.stat()
    note.write_text(note.read_text() + "More.\n")
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _new_inode(note: Path) -> None:
    """Same size, same mtime, different bytes, replaced the way editors and vaultbot save."""
    stat = note.stat()
    replacement = note.with_name("replacement.tmp")
    replacement.write_text(note.read_text().replace("again", "AGAIN"))
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, note)
    assert note.stat().st_ino != stat.st_ino


@pytest.mark.parametrize("change", [_new_mtime, _new_size, _new_inode], ids=["mtime", "size", "inode"])
def test_any_change_of_size_mtime_or_inode_invalidates_the_entry(vault: Path, change) -> None:
    warm(vault)
    change(vault / "Daily/2025-10-07.md")
    plan, cache = cached_plan(vault)
    assert cache.parsed == 1
    assert plan.vault.notes["Daily/2025-10-07.md"].source == Source.of((vault / "Daily/2025-10-07.md").read_bytes())


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", MAGIC, MAGIC + b"\x80\x05not a pickle", MAGIC + pickle.dumps({"entries": []}), MAGIC + pickle.dumps([1, 2])],
    ids=["empty", "no-magic", "truncated", "bad-pickle", "wrong-shape", "not-a-dict"],
)
def test_a_damaged_shard_is_discarded_with_a_warning_and_the_others_still_hit(vault: Path, content: bytes) -> None:
    warm(vault)
    damaged = shard_holding(vault, "Daily/2025-10-07.md")
    damaged.write_bytes(content)
    warnings: list[str] = []
    plan, cache = cached_plan(vault, warnings)
    assert len(warnings) == 1 and "discarded" in warnings[0] and str(damaged) in warnings[0]
    lost = notes_sharing_shard("Daily/2025-10-07.md")
    assert (cache.parsed, cache.hits) == (lost, len(FILES) - lost)
    assert same_outcome(plan, fresh_plan(vault))
    cache.save()
    assert cached_plan(vault)[1].hits == len(FILES), "the next real run replaces it"


def test_a_cache_from_another_version_or_setting_is_discarded(vault: Path) -> None:
    warm(vault)
    for path in cache_dir(vault).glob("*.pickle"):
        data = pickle.loads(path.read_bytes()[len(MAGIC) + len(index_block(b"")) :])
        data.update(fingerprint="another", version="0.0.1")
        path.write_bytes(MAGIC + index_block(pickle.dumps(data)))
    warnings: list[str] = []
    _, cache = cached_plan(vault, warnings)
    assert cache.parsed == len(FILES)
    assert len(warnings) == 1 and "another vaultbot version" in warnings[0], "one warning, not one per shard"


def test_a_cache_of_another_format_is_named_another_versions_not_something_else(vault: Path) -> None:
    """A cache carried over an upgrade (VAULTBOT_CACHE_DIR shared, the Action's cache) starts with another
    format's line: it is the older vaultbot's, not a file that is no parse cache at all."""
    warm(vault)
    for path in cache_dir(vault).glob("*.pickle"):
        path.write_bytes(b"vaultbot parse cache 4\n" + path.read_bytes()[len(MAGIC) :])
    warnings: list[str] = []
    _, cache = cached_plan(vault, warnings)
    assert cache.parsed == len(FILES)
    assert len(warnings) == 1 and "written by another vaultbot version or settings (another cache format)" in warnings[0]


def test_a_changed_parse_setting_is_a_foreign_cache(vault: Path) -> None:
    warm(vault)
    (vault / ".vaultbot.yaml").write_text("rules:\n  recent-context:\n    heading: Latest\n")
    warnings: list[str] = []
    _, cache = cached_plan(vault, warnings)
    assert cache.parsed == len(FILES) and warnings


class _Planted:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def test_a_cache_never_builds_objects_a_note_is_not_made_of(vault: Path, tmp_path: Path) -> None:
    marker = tmp_path / "planted"
    cache_dir(vault).mkdir(parents=True)
    shard_holding(vault, "Broken.md").write_bytes(MAGIC + index_block(pickle.dumps({"entries": {"Broken.md": _Planted(str(marker))}})))
    warnings: list[str] = []
    plan, _ = cached_plan(vault, warnings)
    assert not marker.exists() and len(warnings) == 1 and "UnpicklingError" in warnings[0], "refused by the unpickler, not the CRC"
    assert same_outcome(plan, fresh_plan(vault))


def test_cache_lives_in_the_git_dir_and_never_in_tracked_files(vault: Path) -> None:
    git_init(vault)
    assert cache_dir(vault).parent == vault / ".git" / "vaultbot"
    assert main(["run", str(vault), "--no-commit", "--today", TODAY.isoformat(), "-q"]) == 0
    assert shard_holding(vault, "Broken.md").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=vault, capture_output=True, text=True, check=True
    )
    assert "vaultbot/" not in status.stdout and ".pickle" not in status.stdout
    assert not any("parse-" in path for path in tree_state(vault) if not path.startswith(".git/"))


def test_a_vault_inside_a_repository_uses_that_repository(tmp_path: Path) -> None:
    git_init(tmp_path / "repo")
    vault = write_vault(tmp_path / "repo" / "notes", FILES)
    assert cache_dir(vault).parent == tmp_path / "repo" / ".git" / "vaultbot"


def test_outside_git_the_cache_goes_to_the_user_cache_dir(vault: Path, private_cache_home: Path) -> None:
    assert cache_dir(vault).parent == private_cache_home / "vaultbot"
    assert main(["run", str(vault), "--today", TODAY.isoformat(), "-q"]) == 0
    assert shard_holding(vault, "Broken.md").is_file()
    other = write_vault(vault.parent / "other", FILES)
    assert cache_dir(other) != cache_dir(vault), "each vault has its own cache"


def test_a_real_run_stores_the_notes_it_wrote(vault: Path) -> None:
    git_init(vault)
    assert main(["run", str(vault), "--no-commit", "--today", TODAY.isoformat(), "-q"]) == 0
    plan, cache = cached_plan(vault)
    assert (cache.hits, cache.parsed) == (len(FILES), 0)
    assert plan.changes == [] and same_outcome(plan, fresh_plan(vault))


@pytest.mark.parametrize("mode", ["--dry-run", "--check"])
def test_a_dry_run_never_writes_the_cache(vault: Path, mode: str) -> None:
    git_init(vault)
    result = run_cli("run", vault, mode, "--today", TODAY.isoformat())
    assert result.returncode in (0, 1), result.stderr
    assert not (vault / ".git" / "vaultbot").exists()


def test_no_cache_neither_reads_nor_writes_it(vault: Path) -> None:
    git_init(vault)
    location = shard_holding(vault, "Broken.md")
    location.parent.mkdir(parents=True)
    location.write_bytes(b"damaged")
    result = run_cli("run", vault, "--no-cache", "--no-commit", "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert "parse cache" not in result.stderr
    assert location.read_bytes() == b"damaged"
    shutil.rmtree(location.parent)
    assert run_cli("run", vault, "--no-cache", "--no-commit", "--today", TODAY.isoformat()).returncode == 0
    assert not location.parent.exists()


def test_a_save_rewrites_only_the_shard_holding_a_touched_note(vault: Path) -> None:
    warm(vault)
    before = shard_versions(vault)
    assert len(before) == len({shard_of(path) for path in FILES}) and len(before) <= SHARDS
    touched = "Daily/2025-10-07.md"
    (vault / touched).write_text("Called [[Acme]] and [[Globex]] again.\n")
    _, cache = cached_plan(vault)
    cache.save()
    after = shard_versions(vault)
    rewritten = {name for name in before if after[name] != before[name]}
    assert rewritten == {shard_holding(vault, touched).name}
    assert cached_plan(vault)[1].hits == len(FILES)


def test_an_unchanged_vault_writes_no_shard(vault: Path) -> None:
    warm(vault)
    before = shard_versions(vault)
    _, cache = cached_plan(vault)
    cache.save()
    assert shard_versions(vault) == before


def test_a_deleted_notes_entry_disappears_from_its_shard(vault: Path) -> None:
    warm(vault)
    gone = "Daily/2025-10-07.md"
    (vault / gone).unlink()
    before = shard_versions(vault)
    _, cache = cached_plan(vault)
    assert (cache.hits, cache.parsed) == (len(FILES) - 1, 0)
    cache.save()
    after = shard_versions(vault)
    shard = shard_holding(vault, gone)
    assert {name for name in before if after.get(name) != before[name]} == {shard.name}
    if shard.exists():  # still holds other notes
        assert gone.encode() not in shard.read_bytes()
    assert cached_plan(vault)[1].hits == len(FILES) - 1


def test_the_single_file_cache_of_the_earlier_layout_is_removed(vault: Path) -> None:
    old = cache_dir(vault).with_suffix(".pickle")
    old.parent.mkdir(parents=True)
    old.write_bytes(b"vaultbot parse cache 1\n")
    warm(vault)
    assert not old.exists() and cache_dir(vault).is_dir()


def test_every_module_parsing_runs_is_in_the_cache_fingerprint() -> None:
    """The cache is keyed by the code that decides what a parsed note holds (`PARSE_MODULES`): an
    edited line scan or frontmatter reader (an editable install, a patch kept at its version) must
    not hand out notes read by the code before it. Every bot module that parsing imports counts."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bot.reading, bot.scan, bot.lazy_notes; print(*sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    parsing = {name.removeprefix("bot.") for name in loaded if name.startswith("bot.")}
    assert parsing - set(PARSE_MODULES) == set()


def test_a_shard_whose_index_was_damaged_yet_still_unpickles_is_discarded(vault: Path) -> None:
    """The briefs are read whole and trusted for every note the run does not ask for: a byte changed in
    them (a disk's, a sync tool's) must cost the shard, never change what a link names or a note's type."""
    warm(vault)
    damaged = shard_holding(vault, "Daily/2025-10-07.md")
    data = damaged.read_bytes()
    facts_start = read_index(damaged, cached_plan(vault)[1].fingerprint)[0].facts_start
    index = data[:facts_start]
    assert b"Acme" in index and b"acme" in index, "the daily note's brief names its link"
    # Same lengths: the pickle still loads, only what it says changed.
    damaged.write_bytes(index.replace(b"Acme", b"Acmf").replace(b"acme", b"acmf") + data[facts_start:])
    warnings: list[str] = []
    plan, cache = cached_plan(vault, warnings)
    assert len(warnings) == 1 and "discarded" in warnings[0] and str(damaged) in warnings[0]
    lost = notes_sharing_shard("Daily/2025-10-07.md")
    assert (cache.parsed, cache.hits) == (lost, len(FILES) - lost)
    assert same_outcome(plan, fresh_plan(vault))


def test_a_save_removes_the_half_written_shards_of_killed_runs_and_no_others(vault: Path) -> None:
    """A run killed while saving leaves its temporary shard file; nothing reads it, so without this
    each such kill kept a shard's size on disk for good. A recent one may be another vault's run in
    progress (a shared VAULTBOT_CACHE_DIR): it stays."""
    warm(vault)
    folder = cache_dir(vault)
    killed, in_progress = folder / ".parse-killed", folder / ".parse-writing"
    killed.write_bytes(MAGIC + b"half a shard")
    in_progress.write_bytes(MAGIC + b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(killed, (two_hours_ago, two_hours_ago))
    (vault / "Daily/2025-10-07.md").write_text("Called [[Acme]] twice.\n")
    warm(vault)
    assert not killed.exists() and in_progress.exists()
