"""Changes written together or not at all (bot/edits.py `WriteOnlyWith`).

A roll-up that drops a task because it was ticked there must not be written
when the tick in the task's own note is not: the tick would be lost. So a
change that requires others is made only when they are (`untie`, while the
rules run), and written only after they are written (`write_changes` in
bot/write_back.py): a note left for someone's uncommitted edit, a conflict on
disk or a failed write holds back every change that requires it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from bot.edits import Edit, WriteOnlyWith
from bot.problem import Problem, rule_problem

if TYPE_CHECKING:
    from bot.change import Change


def _reason(path: str, missing: str) -> Problem:
    return Problem(path, f"not changed: its change goes with the change to {missing}, which is not written; the next run tries again")


def ties(edits: Iterable[Edit]) -> set[str]:
    """The notes whose changes a note's edits must be written with."""
    return {path for edit in edits if isinstance(edit, WriteOnlyWith) for path in edit.paths}


def untie(rule_id: str, edits: Mapping[str, Sequence[Edit]], updated: dict[str, Any], moving: dict[str, str]) -> list[Problem]:
    """Drop from a rule's `updated` (and `moving`) notes each change that requires a change the rule
    could not make (its render failed), repeatedly; a problem for each."""
    requires = {path: ties(edits[path]) for path in updated}
    problems = []
    while broken := [
        (path, min(p for p in needed if p not in updated))
        for path, needed in requires.items()
        if path in updated and not needed <= updated.keys()
    ]:
        for path, missing in broken:
            del updated[path]
            moving.pop(path, None)
            problems.append(rule_problem(path, rule_id, f"not changed: it goes with a change to {missing}, which cannot be made"))
    return problems


def write_order(changes: Sequence[Change]) -> list[Change]:
    """The changes other changes require first (a requirement never requires anything itself)."""
    return sorted(changes, key=lambda change: bool(change.requires))


def unwritten_requirement(change: Change, written: Sequence[Change]) -> Problem | None:
    """Why `change` must not be written now: a change it requires is not among those `written`."""
    paths = {done.path for done in written} if change.requires else set()
    missing = next((path for path in change.requires if path not in paths), None)
    return None if missing is None else _reason(change.path, missing)


def without_unmet_requirements(changes: Sequence[Change]) -> tuple[list[Change], list[Problem]]:
    """The changes whose required changes are all among them (repeatedly), and why each other one is held back."""
    kept = list(changes)
    held: list[Problem] = []
    while True:
        paths = {change.path for change in kept}
        unmet = [(change, missing) for change in kept if (missing := next((p for p in change.requires if p not in paths), None))]
        if not unmet:
            return kept, held
        held.extend(_reason(change.path, missing) for change, missing in unmet)
        dropped = {change.path for change, _ in unmet}
        kept = [change for change in kept if change.path not in dropped]
