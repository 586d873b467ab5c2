"""Parsing on several processes gives exactly what parsing here gives, and falls back to it."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest

import bot.forked
import bot.reading
from bot.reading import Unusable, parse_files
from bot.scan import FileStat
from tests.vaults import PARSE_DEFAULTS, write_vault

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parsing in parallel needs os.fork")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, FileStat]:
    notes = {
        f"Meetings/2026-11-{n % 28 + 1:02d} - Sync {n}.md": f"---\ntype: meeting\nparticipants: ['[[P{n % 7}]]']\n---\nAbout [[Acme]] {n}.\n"
        for n in range(60)
    }
    notes["Bad.md"] = "---\ntype: [\n---\n"
    notes["Latin1.md"] = b"caf\xe9\n"
    notes["Gone.md"] = "soon gone\n"
    write_vault(tmp_path, notes)
    stats = {path: FileStat.of((tmp_path / path).stat()) for path in sorted(notes)}
    (tmp_path / "Gone.md").unlink()  # scanned, then deleted before it is read
    return stats


def test_parallel_parse_equals_serial_parse(tmp_path: Path, files: dict[str, FileStat], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.reading, "PARALLEL_FROM", 1)
    serial = parse_files(tmp_path, files, PARSE_DEFAULTS, workers=1)
    for workers in (2, 3):
        parallel = parse_files(tmp_path, files, PARSE_DEFAULTS, workers=workers)
        assert list(parallel) == list(files), "results come back in the order asked"
        assert parallel == serial
    assert serial["Bad.md"] == Unusable("invalid YAML in frontmatter: did not find expected node content (line 3)", lasting=True)
    assert serial["Latin1.md"] == Unusable("not UTF-8 text (byte 0xe9 at offset 3)", lasting=True)
    assert serial["Gone.md"] == Unusable("cannot be read: No such file or directory", lasting=False)


def test_a_failing_child_costs_only_time(tmp_path: Path, files: dict[str, FileStat], monkeypatch: pytest.MonkeyPatch) -> None:
    serial = parse_files(tmp_path, files, PARSE_DEFAULTS, workers=1)
    monkeypatch.setattr(bot.reading, "PARALLEL_FROM", 1)

    def broken_pipe(*args: object, **kwargs: object) -> None:  # runs in the child, which inherited the patch
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(bot.forked.pickle, "dump", broken_pipe)
    assert parse_files(tmp_path, files, PARSE_DEFAULTS, workers=2) == serial


def test_no_fork_while_other_threads_run() -> None:
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert bot.reading._workers() == 1
    finally:
        release.set()
        waiting.join()


def test_the_cycle_collector_rests_while_notes_are_parsed_and_wakes_after(
    tmp_path: Path, files: dict[str, FileStat], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It walked every note kept so far, over and over (a quarter of the parse's CPU); parsing
    makes next to no cycles, and the collector's state is restored, even after a failure."""
    seen: list[bool] = []
    real_parse_note = bot.reading.parse_note

    def parse_note(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real_parse_note(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.reading, "parse_note", parse_note)
    assert gc.isenabled()
    serial = parse_files(tmp_path, files, PARSE_DEFAULTS, workers=1)
    assert seen and not any(seen)
    assert gc.isenabled()
    monkeypatch.setattr(bot.reading, "PARALLEL_FROM", 1)
    assert parse_files(tmp_path, files, PARSE_DEFAULTS, workers=2) == serial
    assert gc.isenabled()

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.reading, "parse_note", broken)
    with pytest.raises(RuntimeError):
        parse_files(tmp_path, files, PARSE_DEFAULTS, workers=1)
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(bot.reading, "parse_note", real_parse_note)
        parse_files(tmp_path, files, PARSE_DEFAULTS, workers=1)
        assert not gc.isenabled(), "a collector paused by the caller stays paused"
    finally:
        gc.enable()
