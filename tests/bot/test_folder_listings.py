"""No per-note work grows with the folder: a run lists each folder a fixed number of times,
however many of its notes it writes (once, every write globbed its folder for leftovers)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.execute import RunRequest, run

TODAY = datetime.date(2026, 11, 24)


def listings_of_a_run(root: Path, notes: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """(directory listings of the notes' folder, notes written) in one real run that rewrites every
    note of a folder holding `notes` notes (the tags rule turns `tags: 'a, b'` into a list)."""
    folder = root / "Inbox"
    folder.mkdir(parents=True)
    for index in range(notes):
        (folder / f"Note {index:05d}.md").write_text(f"---\ntags: 'a, b'\n---\n# Note {index}\n", encoding="utf-8")
    (folder / ".vaultbot-0123456789ab.tmp").write_bytes(b"left by a killed run")
    listed: list[str] = []

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def listing(path: Any = ".", *args: Any) -> Any:
            listed.append(os.path.realpath(os.fsdecode(path)))
            return real(path, *args)

        return listing

    monkeypatch.setattr(os, "scandir", counted(os.scandir))
    monkeypatch.setattr(os, "listdir", counted(os.listdir))
    result = run(RunRequest(root, load_config(root), TODAY, ("tags",), use_cache=False))
    monkeypatch.undo()
    assert not result.failed, result.errors
    assert not (folder / ".vaultbot-0123456789ab.tmp").exists()  # the leftover was found without a listing of its own
    return listed.count(os.path.realpath(folder)), len(result.changes)


def test_writing_3000_notes_into_one_folder_lists_it_as_often_as_writing_30(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    few, written_few = listings_of_a_run(tmp_path / "few", 30, monkeypatch)
    many, written_many = listings_of_a_run(tmp_path / "many", 3000, monkeypatch)
    assert (written_few, written_many) == (30, 3000)
    assert many == few <= 2, (few, many)
