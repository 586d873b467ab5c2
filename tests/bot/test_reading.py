"""Parsing on several processes gives exactly what parsing here gives, and falls back to it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

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

    monkeypatch.setattr(bot.reading.pickle, "dump", broken_pipe)
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
