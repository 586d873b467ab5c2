"""A run's clean-run memo bookkeeping (bot/memo.py), kept apart from planning (bot/runner.py).

Planning a run that was given a memo needs to know whether the vault is the
remembered clean state (then nothing is parsed and the remembered warnings are
replayed), and a real run that ends clean needs enough of the plan to record the
state for the next run: what decides the result besides the files, the state
digest, the warnings by origin, and the notes each rule edited as they were
before it (where the written vault's re-check looks, bot/recheck.py). `MemoRecord` holds that; `RunPlan.memo` carries it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from bot.memo import CleanRunMemo, CleanState, state_digest
from bot.memo_content import ContentKeys, content_keys
from bot.note import Note
from bot.problem import Problem
from bot.scan import ScanResult


@dataclass
class MemoRecord:
    context: str  # what besides the files decides the result (bot/since_clean.py `run_context`)
    digest: str  # the scanned vault's state digest
    remembered: bool = False  # the result is the clean-run memo's: nothing was parsed or run
    # The scan's content keys (bot/memo_content.py), when the memo is keyed by content and its stat
    # digest did not hold: a fresh clone, where the clean state is recognised by content.
    keys: ContentKeys | None = None
    # Warnings that follow from the notes' contents (parsing, rules, links), as opposed to
    # the settings and the scan, which every run checks afresh; and their parts, by origin.
    note_problems: list[Problem] = field(default_factory=list)
    load_problems: list[Problem] = field(default_factory=list)  # the notes that could not be parsed
    view_problems: list[Problem] = field(default_factory=list)  # notes left out of the committed view (bot/view.py)
    rule_problems: dict[str, list[Problem]] = field(default_factory=dict)  # the rules' warnings, per rule id
    link_problems: list[Problem] = field(default_factory=list)  # ambiguous links
    # When the vault differs from the last clean run only by notes edited in place (bot/delta.py): those notes.
    edited_since_clean: frozenset[str] | None = None
    # rule id -> the notes it edited in place, as they were before it: where a re-check of the
    # written vault must look (bot/recheck.py); None when the run did not keep them.
    versions: Mapping[str, Mapping[str, Note]] | None = None

    def digest_under(self, context: str, scan: ScanResult) -> str:
        """This scan's digest under `context` (a committed view asked again after reading may change it)."""
        return self.digest if context == self.context else state_digest(scan.files, scan.folders, context, scan.left_out)


def recall(memo: CleanRunMemo, today: datetime.date, root: Path, scan: ScanResult, context: str) -> tuple[CleanState | None, MemoRecord]:
    """The remembered clean state that holds on `today`, if any, and the record of this scan.
    The record says `remembered` when the vault is that clean state, by stat or by content:
    the run is then over."""
    clean = memo.recall(today)
    record = MemoRecord(context, state_digest(scan.files, scan.folders, context, scan.left_out))
    if clean is None:
        return None, record
    if clean.digest != record.digest and memo.by_content and clean.content:
        record.keys = content_keys(root, scan.files, scan)
    if clean.digest == record.digest or (record.keys is not None and record.keys.digest(scan, context) == clean.content):
        record.remembered = True
        record.note_problems = clean.problems
    return clean, record


def note_problems(
    view_problems: Sequence[Problem],
    load_problems: Sequence[Problem],
    rule_ids: Sequence[str],
    by_rule: Mapping[str, Sequence[Problem]],
    link_problems: Sequence[Problem],
) -> list[Problem]:
    """The warnings that follow from the notes, in the order reported: notes left out of the committed
    view, unusable notes, each rule's, ambiguous links."""
    return [*view_problems, *load_problems, *(problem for rule in rule_ids for problem in by_rule[rule]), *link_problems]
