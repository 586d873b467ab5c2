"""bot/writer.py: temporary names that fit any legal file name, and the syncs that make renames durable."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.writer
from bot.writer import move_note, write_note

LONGEST_ASCII = "n" * 252 + ".md"  # 255 bytes, the most a file name may have
CJK = "会議" * 40 + "メ.md"  # 240 + 3 bytes of CJK, then ".md": 246 bytes


@pytest.mark.parametrize("name", [LONGEST_ASCII, CJK], ids=["255 bytes", "CJK"])
def test_a_note_with_the_longest_legal_name_can_be_written_and_moved(tmp_path: Path, name: str) -> None:
    assert len(name.encode()) in (255, 246)
    target = tmp_path / name
    target.write_bytes(b"old\n")
    write_note(target, b"new\n", b"old\n")
    assert target.read_bytes() == b"new\n"
    (tmp_path / "archive").mkdir()
    move_note(target, tmp_path / "archive" / name, b"moved\n", b"new\n")
    assert (tmp_path / "archive" / name).read_bytes() == b"moved\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["archive", name])


def test_a_move_syncs_both_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[Path] = []
    monkeypatch.setattr(bot.writer, "_sync_folder", synced.append)
    (tmp_path / "from").mkdir()
    (tmp_path / "from/N.md").write_bytes(b"old\n")
    move_note(tmp_path / "from/N.md", tmp_path / "to/N.md", b"new\n", b"old\n")
    assert synced == [tmp_path / "to", tmp_path / "from"], "the copy is durable, then the removal"


def test_a_write_can_leave_its_folder_sync_to_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[Path] = []
    monkeypatch.setattr(bot.writer, "_sync_folder", synced.append)
    unsynced: set[Path] = set()
    for name in ("A.md", "B.md"):
        (tmp_path / name).write_bytes(b"old\n")
        write_note(tmp_path / name, b"new\n", b"old\n", unsynced)
    assert synced == [] and unsynced == {tmp_path}
    bot.writer.sync_folders(unsynced)
    assert synced == [tmp_path]
