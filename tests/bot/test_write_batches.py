"""Notes written in batches (bot/write_back.py, bot/durable.py): every temporary file of a batch is
written, then all are made durable with one sync, then each is checked and renamed, in write order."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

import pytest

import bot.durable
import bot.write_back
import bot.writer
from bot.runner import Change
from bot.write_back import write_changes
from tests.vaults import write_vault

batching = pytest.mark.skipif(not bot.durable.in_batches(), reason="this platform fsyncs each file (bot/durable.py)")


def _vault(root: Path, notes: int, folders: int) -> list[Change]:
    files = {f"F{i % folders}/N{i:03d}.md": f"old {i}\n" for i in range(notes)}
    write_vault(root, files)
    return [Change(path, ("r",), text.encode(), text.replace("old", "new").encode()) for path, text in files.items()]


def _record(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every fsync, syncfs and rename the write path makes, in order."""
    events: list[tuple[str, object]] = []
    real_fsync, real_replace, real_syncfs = os.fsync, os.replace, bot.durable._syncfs()

    def fsync(descriptor: int) -> None:
        events.append(("fsync", descriptor))
        real_fsync(descriptor)

    def replace(source: object, target: object) -> None:
        events.append(("replace", Path(str(target)).name))
        real_replace(source, target)  # type: ignore[arg-type]

    def syncfs(descriptor: int) -> None:
        events.append(("syncfs", descriptor))
        assert real_syncfs is not None
        real_syncfs(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    if real_syncfs is not None:
        monkeypatch.setattr(bot.durable, "_syncfs", lambda: syncfs)
    return events


@batching
def test_syncs_do_not_grow_with_the_notes_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = _vault(tmp_path, notes=120, folders=4)
    events = _record(monkeypatch)
    monkeypatch.setattr(os, "sync", lambda: events.append(("sync", None)))  # never the whole machine's file systems
    result = write_changes(tmp_path, changes)
    assert len(result.written) == 120
    kinds = [kind for kind, _ in events]
    assert kinds.count("replace") == 120
    assert [kind for kind in kinds if kind != "replace"] == ["syncfs", "syncfs"], "one for the batch, one for the 4 folders"
    assert kinds.index("syncfs") < kinds.index("replace"), "no note is replaced before its new bytes are on disk"
    assert kinds[-1] == "syncfs", "the renames are made durable after the last one"


@batching
def test_each_batch_is_on_disk_before_any_of_its_notes_is_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = _vault(tmp_path, notes=5, folders=1)
    monkeypatch.setenv(bot.write_back.TEST_BATCH, "3")
    events = _record(monkeypatch)
    write_changes(tmp_path, changes)
    assert [kind for kind, _ in events] == ["syncfs", "replace", "replace", "replace", "syncfs", "replace", "replace", "fsync"]
    assert [name for kind, name in events if kind == "replace"] == [f"N{i:03d}.md" for i in range(5)], "in write order"


def test_a_folder_whose_file_system_cannot_be_synced_is_synced_on_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vault(tmp_path, notes=4, folders=2)
    events = _record(monkeypatch)

    def refusing(descriptor: int) -> None:
        events.append(("syncfs", descriptor))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(bot.durable, "_syncfs", lambda: refusing)
    bot.writer.sync_folders([tmp_path / "F0", tmp_path / "F1"])
    assert [kind for kind, _ in events] == ["syncfs", "fsync", "fsync"]


def test_where_the_platform_cannot_batch_each_file_is_fsynced_before_its_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows, macOS and Linux before 5.8: the handle of each temporary file is fsynced as it is written."""
    changes = _vault(tmp_path, notes=3, folders=1)
    monkeypatch.setattr(bot.durable, "_syncfs", lambda: None)
    events = _record(monkeypatch)
    write_changes(tmp_path, changes)
    assert [kind for kind, _ in events] == ["fsync", "fsync", "fsync", "replace", "replace", "replace", "fsync"]
    assert [(tmp_path / c.path).read_bytes() for c in changes] == [c.after for c in changes]


def _temporaries_of(monkeypatch: pytest.MonkeyPatch) -> dict[Path, str]:
    made: dict[Path, str] = {}
    real = bot.writer._temporary_path

    def recording(target: Path) -> Path:
        made[real_path := real(target)] = target.name
        return real_path

    monkeypatch.setattr(bot.writer, "_temporary_path", recording)
    return made


@batching
def test_a_write_back_that_fails_costs_only_its_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fails writing one temporary file out: syncfs reports it, an fsync of each finds whose it was."""
    changes = _vault(tmp_path, notes=4, folders=2)
    temporaries = _temporaries_of(monkeypatch)
    real_with_descriptor = bot.durable._with_descriptor

    def failing(path: Path, call: Callable[[int], None]) -> None:
        if call is not os.fsync or temporaries.get(path) == "N002.md":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_with_descriptor(path, call)

    monkeypatch.setattr(bot.durable, "_with_descriptor", failing)
    result = write_changes(tmp_path, changes)
    assert [c.path for c in result.written] == ["F0/N000.md", "F1/N001.md", "F1/N003.md"]
    assert result.failed
    assert [(p.path, p.message) for p in result.problems] == [
        ("F0/N002.md", f"cannot be written: {os.strerror(errno.EIO)}; the note is unchanged")
    ]
    assert (tmp_path / "F0/N002.md").read_text() == "old 2\n"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["N000.md", "N001.md", "N002.md", "N003.md"]


def test_a_note_saved_while_its_batch_is_made_durable_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = _vault(tmp_path, notes=3, folders=1)
    real = bot.write_back.make_durable

    def user_saves_then_sync(staged: list[bot.writer.Staged]) -> dict[Path, OSError]:
        (tmp_path / "F0/N001.md").write_text("typed meanwhile\n")
        return real(staged)

    monkeypatch.setattr(bot.write_back, "make_durable", user_saves_then_sync)
    result = write_changes(tmp_path, changes)
    assert [c.path for c in result.written] == ["F0/N000.md", "F0/N002.md"]
    assert (tmp_path / "F0/N001.md").read_text() == "typed meanwhile\n"
    assert [p.path for p in result.problems] == ["F0/N001.md"]
    assert sorted(p.name for p in (tmp_path / "F0").iterdir()) == ["N000.md", "N001.md", "N002.md"], "no temporary file left"


def test_a_change_staged_with_its_requirement_is_not_placed_when_the_requirement_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bot/together.py across the phases: both are staged in one batch, then the source changes on disk."""
    write_vault(tmp_path, {"Roll-up.md": "- [x] t ([[Source]])\n", "Source.md": "- [ ] t\n"})
    changes = [
        Change("Roll-up.md", ("open-tasks",), b"- [x] t ([[Source]])\n", b"", requires=("Source.md",)),
        Change("Source.md", ("open-tasks",), b"- [ ] t\n", b"- [x] t\n"),
    ]
    real = bot.write_back.make_durable
    staged_names: list[str] = []

    def user_saves_then_sync(staged: list[bot.writer.Staged]) -> dict[Path, OSError]:
        staged_names.extend(each.target.name for each in staged)
        (tmp_path / "Source.md").write_text("- [ ] t\nsomeone typed this meanwhile\n")
        return real(staged)

    monkeypatch.setattr(bot.write_back, "make_durable", user_saves_then_sync)
    result = write_changes(tmp_path, changes)
    assert staged_names == ["Source.md", "Roll-up.md"], "both were staged together"
    assert result.written == []
    assert (tmp_path / "Roll-up.md").read_text() == "- [x] t ([[Source]])\n", "the tick the person made is still there"
    assert [p.path for p in result.problems] == ["Source.md", "Roll-up.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Roll-up.md", "Source.md"]


def test_a_full_disk_and_a_read_only_folder_mid_batch_cost_only_their_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The third note's temporary file meets a full disk after half its bytes; folder F1 refuses
    new files (as root, permissions stop nothing, so both are injected where the writer opens files)."""
    changes = _vault(tmp_path, notes=8, folders=2)
    temporaries = _temporaries_of(monkeypatch)
    real_open = open

    class HalfThenFull:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> HalfThenFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])  # type: ignore[attr-defined]
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def failing_open(path: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if Path(path).parent.name == "F1":
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        handle = real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]
        return HalfThenFull(handle) if temporaries.get(Path(path)) == "N002.md" else handle

    monkeypatch.setattr(bot.writer, "open", failing_open, raising=False)
    result = write_changes(tmp_path, changes)
    assert [c.path for c in result.written] == ["F0/N000.md", "F0/N004.md", "F0/N006.md"]
    assert result.failed
    denied, full = (f"cannot be written: {os.strerror(code)}; the note is unchanged" for code in (errno.EACCES, errno.ENOSPC))
    assert [(p.path, p.message) for p in result.problems] == [
        ("F1/N001.md", denied),
        ("F0/N002.md", full),
        ("F1/N003.md", denied),
        ("F1/N005.md", denied),
        ("F1/N007.md", denied),
    ]
    assert {c.path: (tmp_path / c.path).read_bytes() for c in changes} == {
        c.path: c.after if c in result.written else c.before for c in changes
    }
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [f"N{i:03d}.md" for i in range(8)], "no temporary file left"


def test_syncfs_is_trusted_only_on_local_disk_file_systems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mounts = tmp_path / "mountinfo"
    mounts.write_text(
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "90 27 0:52 / /home/ann/Vault rw,nosuid - fuse.gocryptfs gocryptfs rw,user_id=1000\n"
        "91 27 0:53 / /mnt/nas rw - nfs4 nas:/export rw\n"
    )
    monkeypatch.setattr(bot.durable, "MOUNTS", mounts)
    assert [bot.durable.syncs_whole(os.makedev(*pair)) for pair in ((254, 0), (0, 52), (0, 53), (8, 1))] == [True, False, False, False]


@batching
def test_on_a_file_system_syncfs_cannot_be_trusted_with_each_file_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vault on a FUSE mount, say: an fsync of each temporary file, then of each folder, and no syncfs."""
    changes = _vault(tmp_path, notes=4, folders=2)
    monkeypatch.setattr(bot.durable, "SYNCFS_KEEPS", frozenset())
    events = _record(monkeypatch)
    write_changes(tmp_path, changes)
    assert [kind for kind, _ in events] == ["fsync"] * 4 + ["replace"] * 4 + ["fsync"] * 2
