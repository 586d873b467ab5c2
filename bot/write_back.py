"""Putting a plan on disk: write each change, then remember whether the vault is now clean.

`write_changes` writes one note at a time through bot/writer.py; a conflict or an
I/O error costs that note only. `remember_clean_state` records the clean-run
memo (bot/memo.py) when the vault provably is clean after the writes.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from bot.config import Config
from bot.counting import counter
from bot.memo import CleanRunMemo, CleanState, DateWindow, state_digest
from bot.memo_content import content_keys
from bot.memo_record import note_problems as problems_of_notes
from bot.problem import Problem
from bot.runner import Change, RunPlan, apply_rules, collector_paused, parse_settings
from bot.scan import FileStat
from bot.since_clean import link_warnings
from bot.together import unwritten_requirement, write_order
from bot.writer import WriteConflict, move_note, sync_folders, write_note
from rules import get_rule

GONE = "removed or renamed while vaultbot ran; not written (the next run picks up the change)"


@dataclass
class WriteResult:
    written: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # an I/O error (not a conflict) stopped a write
    stats: dict[str, FileStat] = field(default_factory=dict)  # path as written -> the file vaultbot placed


def remember_clean_state(plan: RunPlan, written: WriteResult, config: Config, today: datetime.date, memo: CleanRunMemo) -> bool:
    """After a real run, record the vault as clean, if it provably is.

    Provably: every planned change was written (no conflict, no note left for
    someone's uncommitted edit, no move, whose target the scan never sees), and
    the rules, run once more over the vault as written, change nothing. A run
    that started from a clean state reruns them only where its own edits and the
    notes edited since that state reach.
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
        parse = parse_settings(config, plan.vault.settings)
        delta = record.delta  # None unless the run started from a clean state
        with collector_paused():
            again = apply_rules(
                plan.vault,
                [get_rule(i) for i in plan.rules],
                config,
                parse,
                today,
                delta=delta,
                clean_problems=record.clean.by_rule if delta and record.clean else None,
            )
        if again.changed_by:  # a rule that is not idempotent here: never claim the vault is clean
            memo.forget()
            return False
        rule_problems = again.problems
        link_problems = link_warnings(plan.vault, delta, record.clean)
        note_problems = problems_of_notes(record.view_problems, record.load_problems, plan.rules, rule_problems, link_problems)
    files = {**plan.scan.files, **{path: written.stats[path] for path in placed}}
    dates = [note.date.date.first_day() for note in plan.vault.notes.values() if note.date.date is not None]
    digest = record.digest if not placed else state_digest(files, plan.scan.folders, record.context, plan.scan.left_out)
    keys = content_keys(plan.root, files) if memo.by_content else None  # after the commit: written notes are in the index
    content = keys.digest(plan.scan, record.context) if keys is not None else ""
    memo.remember(CleanState(digest, note_problems, rule_problems, link_problems, content), DateWindow.around(today, dates))
    return True


def write_changes(root: Path, changes: Iterable[Change]) -> WriteResult:
    """Write each change atomically; a conflict or an I/O error skips that note, and the changes that require it.

    Each folder is synced once, after its notes are written (a note's own bytes are
    synced before its rename): a crash before that can cost a rename, never a note."""
    result = WriteResult()
    unsynced: set[Path] = set()
    try:
        _write_each(root, changes, result, unsynced)
    finally:
        sync_folders(unsynced)
    return result


def _write_each(root: Path, changes: Iterable[Change], result: WriteResult, unsynced: set[Path]) -> None:
    ordered = write_order(list(changes))
    count = counter("write", len(ordered))  # for a progress line (bot/counting.py)
    for done, change in enumerate(ordered):
        if count is not None:
            count(done)
        held = unwritten_requirement(change, result.written)
        if held is not None:
            result.problems.append(held)
            continue
        try:
            if change.destination is None:
                result.stats[change.path] = write_note(root / change.path, change.after, change.before, unsynced)
            else:
                result.stats[change.destination] = move_note(
                    root / change.path, root / change.destination, change.after, change.before, unsynced
                )
        except FileExistsError:
            result.problems.append(Problem(change.path, f"not moved: {change.destination} already exists; the note is unchanged"))
        except WriteConflict:
            result.problems.append(Problem(change.path, "changed on disk while vaultbot ran; not overwritten (the next run picks it up)"))
        except FileNotFoundError:  # deleted or renamed by someone since it was read: their change, not a failure
            result.problems.append(Problem(change.path, GONE))
        except OSError as error:
            result.failed = True
            result.problems.append(Problem(change.path, f"cannot be written: {error.strerror or error}; the note is unchanged"))
        else:
            result.written.append(change)
    if count is not None:
        count(len(ordered))
