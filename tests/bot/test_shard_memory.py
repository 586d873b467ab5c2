"""bot/shard_memory.py: a watching daemon reads each parse-cache shard once, until another process rewrites it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import cache as cache_module
from bot import shard_memory
from bot.cache_shards import Shard
from bot.note import Source
from tests.bot.test_cache import FILES, cached_plan, fresh_plan, private_cache_home, same_outcome, shard_versions, vault, warm
from tests.vaults import run_cli

__all__ = ["private_cache_home", "vault"]  # fixtures


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Shards kept in memory, as `daemon --watch` does, and the names of the shard files read from disk."""
    monkeypatch.setattr(shard_memory, "_kept", {})
    read = cache_module.read_index
    files: list[str] = []

    def counted(path: Path, expected: str) -> tuple[Shard, str | None]:
        files.append(path.name)
        return read(path, expected)

    monkeypatch.setattr(cache_module, "read_index", counted)
    return files


def test_kept_shards_are_read_again_only_when_another_process_rewrote_them(vault: Path, reads: list[str]) -> None:
    warm(vault)  # reads every shard (most are missing) and writes those holding notes
    reads.clear()
    plan, cache = cached_plan(vault)
    assert reads == [] and (cache.hits, cache.parsed) == (len(FILES), 0)
    assert same_outcome(plan, fresh_plan(vault))

    before = shard_versions(vault)
    (vault / "Daily/2025-10-07.md").write_text("Called [[Acme]] twice.\n")
    result = run_cli("run", vault, "--no-commit")  # another process: it keeps nothing, and rewrites shards
    assert result.returncode == 0, result.stderr
    rewritten = sorted(name for name, version in shard_versions(vault).items() if before.get(name) != version)
    assert rewritten
    reads.clear()
    plan, cache = cached_plan(vault)
    assert sorted(reads) == rewritten
    assert (cache.hits, cache.parsed) == (len(FILES), 0), "the other process's entries are used, not the kept ones"
    assert plan.vault.notes["Daily/2025-10-07.md"].source == Source.of((vault / "Daily/2025-10-07.md").read_bytes())
    assert same_outcome(plan, fresh_plan(vault))


def test_a_one_off_run_keeps_nothing(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shard_memory, "_kept", None)
    warm(vault)
    _, cache = cached_plan(vault)
    assert shard_memory._kept is None and cache.hits == len(FILES)
