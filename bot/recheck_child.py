"""The written vault's re-check (bot/recheck.py), computed by a forked child while the run writes and commits.

The re-check reads only the plan, in memory: not the files written, not git. So a
run with many changes forks a child before its first write; the child reruns the
rules where the run's edits reach and pickles the result to a pipe, on the
second core, while the parent spends its time waiting for the disk (the write
stage's flushes) and for git (the commit). After the commit the parent reads the
result instead of computing it; the run's CPU time is the same, its wall time
shorter by up to the re-check's.

The child's answer is used only when it is whole (bot/forked.py): otherwise the
parent computes the re-check itself, as it does when no child is started (a few
changes, where a fork costs more than it saves; one core; where a fork is not
safe). A run that stops before asking (an error) ends the child: `close` kills
and reaps it; a child whose parent was killed outright ends itself.

A child that never answers (hung: a deadlock, a stopped process, a disk that never
returns) would keep the parent, and the run, waiting forever. The parent waits for
its answer at most `WAIT_SECONDS` plus `WAIT_PER_NOTE_SECONDS` a note of the vault
from the child's start, tens of times what a re-check of the whole vault takes on a
busy machine; then the child is killed and reaped, and `result` gives None: the
memo is not recorded (the next run checks the vault as usual) and the run's result,
written and committed by then, is what it was. The parent does not compute the
re-check itself then: whatever held the child may hold it too.
"""

from __future__ import annotations

import os
import select
import time
from typing import Callable

from bot import forked
from bot.recheck import Recheck

# Below this many changes the re-check takes less than a fork and a pickle of its result cost.
CHILD_FROM = 200
TEST_CHILD_FROM = "VAULTBOT_TEST_RECHECK_CHILD_FROM"
# The longest wait for the child's answer: a re-check takes well under a millisecond a note.
WAIT_SECONDS = 300.0
WAIT_PER_NOTE_SECONDS = 0.01


def _child_from() -> int:
    """CHILD_FROM, or (tests only) the number VAULTBOT_TEST_RECHECK_CHILD_FROM names, so a small vault's run forks its child."""
    return int(os.environ.get(TEST_CHILD_FROM) or CHILD_FROM)


class PendingRecheck:
    """`compute()`'s result, from a child started now when `changes` make that worth it, else computed when asked."""

    def __init__(self, compute: Callable[[], Recheck], changes: int, notes: int = 0) -> None:
        self.compute = compute
        worth_it = changes >= _child_from() and forked.fork_safe() and forked.cores() > 1
        self.child = forked.start(compute) if worth_it else None
        self.deadline = time.monotonic() + WAIT_SECONDS + WAIT_PER_NOTE_SECONDS * notes  # `notes`: the vault's

    def result(self) -> Recheck | None:
        """The child's re-check when it gave one whole, else the re-check computed here; None when
        the child gave no answer by the deadline (it is killed): nothing proves the vault clean."""
        child, self.child = self.child, None
        if child is not None and not _answering(child, self.deadline):
            forked.end(child)
            return None
        found = forked.answer(child, Recheck) if child is not None else None
        return found if found is not None else self.compute()

    def close(self) -> None:
        """End a child whose result nobody will ask for (the run stopped before), and reap it."""
        child, self.child = self.child, None
        if child is not None:
            forked.end(child)


def _answering(child: forked.Child, deadline: float) -> bool:
    """Whether the child's pipe has something to read (its answer, which it writes once computed,
    or the end of it: the child ended) before `deadline`."""
    ready, _, _ = select.select([child.read_end], [], [], max(0.0, deadline - time.monotonic()))
    return bool(ready)
