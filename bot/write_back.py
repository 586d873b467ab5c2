"""Putting a plan on disk: write each change, then remember whether the vault is now clean.

`write_changes` writes the notes in batches through bot/writer.py; a conflict or an
I/O error costs that note only. `remember_clean_state` records the clean-run
memo (bot/memo.py) when the vault provably is clean after the writes: the
re-check that proves it (`recheck_of`) may run in a child started before the
first write (bot/recheck_child.py).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from bot.config import Config
from bot.counting import counter
from bot.lazy_notes import day_ordinals
from bot.memo import CleanRunMemo, CleanState, DateWindow, state_digest
from bot.memo_content import content_keys
from bot.memo_record import note_problems as problems_of_notes
from bot.note_text import reader
from bot.problem import Problem
from bot.recheck import Recheck, recheck_written
from bot.recheck_child import PendingRecheck
from bot.runner import Change, RunPlan, collector_paused, parse_settings
from bot.scan import FileStat
from bot.together import unwritten_requirement, write_order
from bot.writer import Staged, WriteConflict, discard, make_durable, place, place_moved, stage_move, stage_write, sync_folders
from rules import get_rule

T = TypeVar("T")
# Notes staged before they are made durable and placed: bounds the bytes held, the temporary files a
# kill can leave and the time between a note's check at staging and at its rename.
BATCH = 256
TEST_BATCH = "VAULTBOT_TEST_WRITE_BATCH"
GONE = "removed or renamed while vaultbot ran; not written (the next run picks up the change)"


@dataclass
class WriteResult:
    written: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # an I/O error (not a conflict) stopped a write
    stats: dict[str, FileStat] = field(default_factory=dict)  # path as written -> the file vaultbot placed


def recheck_of(plan: RunPlan, config: Config, today: datetime.date) -> Callable[[], Recheck]:
    """The written vault's re-check (bot/recheck.py), to compute now or in a child (bot/recheck_child.py)."""

    def compute() -> Recheck:
        assert plan.memo is not None and plan.vault is not None
        record = plan.memo
        with collector_paused():
            return recheck_written(
                plan.vault,
                [get_rule(i) for i in plan.rules],
                record.versions,
                record.rule_problems,
                record.link_problems,
                config,
                parse_settings(config, plan.vault.settings),
                today,
                reader(plan.root),
            )

    return compute


def needs_recheck(plan: RunPlan) -> bool:
    """Whether a real run of `plan` that writes every change may be remembered clean only after a re-check."""
    record = plan.memo
    in_place = all(change.destination is None for change in plan.changes)
    return bool(plan.changes) and record is not None and not record.remembered and not plan.incomplete and in_place


def pending_recheck(plan: RunPlan, config: Config, today: datetime.date) -> PendingRecheck:
    """The written vault's re-check, in a child started now when that is worth it; the wait for the
    child's answer is bounded by the vault's size (bot/recheck_child.py)."""
    return PendingRecheck(recheck_of(plan, config, today), len(plan.changes), len(plan.vault.notes) if plan.vault else 0)


def remember_clean_state(
    plan: RunPlan, written: WriteResult, config: Config, today: datetime.date, memo: CleanRunMemo, pending: PendingRecheck | None = None
) -> bool:
    """After a real run, record the vault as clean, if it provably is.

    Provably: every planned change was written (no conflict, no note left for
    someone's uncommitted edit, no move, whose target the scan never sees), and
    the rules, run once more over the vault as written, change nothing. They are
    rerun only where the run's own edits reach (bot/recheck.py), by `pending`'s
    child when the run started one.
    """
    record = plan.memo
    if record is not None and record.remembered:
        clean = memo.recall(today)
        if record.keys is not None and clean is not None and clean.window is not None:
            # Recognised by content (a fresh clone): remember this checkout's stats too, so its next run is a scan.
            memo.remember(dataclasses.replace(clean, digest=record.digest), clean.window)
        return True
    placed = [change.path for change in plan.changes if change.destination is None and change.path in written.stats]
    if record is None or plan.scan is None or plan.vault is None or plan.incomplete or len(placed) != len(plan.changes):
        memo.forget()
        return False
    note_problems, rule_problems, link_problems = record.note_problems, record.rule_problems, record.link_problems
    if plan.changes:
        again = pending.result() if pending is not None else recheck_of(plan, config, today)()
        # Not clean: a rule that is not idempotent here; None: the re-check's child hung. Never claim the vault clean.
        if again is None or not again.clean:
            memo.forget()
            return False
        rule_problems, link_problems = again.rule_problems, again.link_problems
        note_problems = problems_of_notes(record.view_problems, record.load_problems, plan.rules, rule_problems, link_problems)
    files = {**plan.scan.files, **{path: written.stats[path] for path in placed}}
    days = day_ordinals(plan.vault.facts_by_path())  # without reading unread notes (bot/lazy_notes.py)
    digest = record.digest if not placed else state_digest(files, plan.scan.folders, record.context, plan.scan.left_out)
    # After the commit, written notes are in the index: git is asked again. Nothing written, the scan's answer holds.
    keys = content_keys(plan.root, files, None if placed else plan.scan) if memo.by_content else None
    content = keys.digest(plan.scan, record.context) if keys is not None else ""
    memo.remember(CleanState(digest, note_problems, rule_problems, link_problems, content), DateWindow.around_days(today, days))
    return True


def write_changes(root: Path, changes: Iterable[Change]) -> WriteResult:
    """Write each change atomically; a conflict or an I/O error skips that note, and the changes that require it.

    Notes go in batches of at most BATCH: every temporary file of a batch is written, then all
    are made durable together (bot/durable.py), then each is checked against the note on disk
    and renamed over it, in write order. Each folder is synced once, after its notes are written:
    a crash before that can cost a rename, never a note."""
    result = WriteResult()
    unsynced: set[Path] = set()
    try:
        _write_each(root, write_order(list(changes)), result, unsynced)
    finally:
        sync_folders(unsynced)
    return result


def _batch_size() -> int:
    """BATCH, or (tests only) the size VAULTBOT_TEST_WRITE_BATCH names, so a small vault spans several batches."""
    return int(os.environ.get(TEST_BATCH) or BATCH)


def _write_each(root: Path, ordered: Sequence[Change], result: WriteResult, unsynced: set[Path]) -> None:
    count = counter("write", len(ordered))  # for a progress line (bot/counting.py)
    size = _batch_size()
    for start in range(0, len(ordered), size):
        if count is not None:
            count(start)
        _write_batch(root, ordered[start : start + size], result, unsynced)
    if count is not None:
        count(len(ordered))


def _write_batch(root: Path, batch: Sequence[Change], result: WriteResult, unsynced: set[Path]) -> None:
    staged: list[tuple[Change, Staged]] = []
    try:
        for change in batch:  # a change whose requirement already failed is not even staged
            if _held(change, [*result.written, *(done for done, _ in staged)], result):
                continue
            made = _attempt(change, result, partial(_stage, root, change))
            if made is not None:
                staged.append((change, made))
        failed = make_durable([made for _, made in staged])
        for change, made in staged:
            if made.temporary in failed:
                discard(made)
                _report(change, failed[made.temporary], result)
            elif not _held(change, result.written, result):
                placed = _attempt(change, result, partial(_place, root, change, made, unsynced))
                if placed is not None:
                    result.stats[change.destination or change.path] = placed
                    result.written.append(change)
            else:
                discard(made)
    except BaseException:  # an interrupt: no temporary file stays behind (a kill's are the next run's)
        for _, made in staged:
            discard(made)
        raise


def _held(change: Change, written: Sequence[Change], result: WriteResult) -> bool:
    held = unwritten_requirement(change, written)
    if held is not None:
        result.problems.append(held)
    return held is not None


def _stage(root: Path, change: Change) -> Staged:
    if change.destination is None:
        return stage_write(root / change.path, change.after, change.before)
    return stage_move(root / change.path, root / change.destination, change.after, change.before)


def _place(root: Path, change: Change, made: Staged, unsynced: set[Path]) -> FileStat:
    if change.destination is None:
        return place(made, change.before, unsynced)
    return place_moved(made, root / change.path, change.before, unsynced)


def _attempt(change: Change, result: WriteResult, step: Callable[[], T]) -> T | None:
    """`step()`, or None with the reason in `result` when it failed."""
    try:
        return step()
    except (WriteConflict, OSError) as error:
        _report(change, error, result)
        return None


def _report(change: Change, error: WriteConflict | OSError, result: WriteResult) -> None:
    if isinstance(error, FileExistsError):
        result.problems.append(Problem(change.path, f"not moved: {change.destination} already exists; the note is unchanged"))
    elif isinstance(error, WriteConflict):
        result.problems.append(Problem(change.path, "changed on disk while vaultbot ran; not overwritten (the next run picks it up)"))
    elif isinstance(error, (FileNotFoundError, IsADirectoryError)):
        # Deleted or renamed by someone since it was read (a folder may take its name): their change, not a failure.
        result.problems.append(Problem(change.path, GONE))
    else:
        result.failed = True
        result.problems.append(Problem(change.path, f"cannot be written: {error.strerror or error}; the note is unchanged"))
