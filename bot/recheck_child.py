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
"""

from __future__ import annotations

import os
from typing import Callable

from bot import forked
from bot.recheck import Recheck

# Below this many changes the re-check takes less than a fork and a pickle of its result cost.
CHILD_FROM = 200
TEST_CHILD_FROM = "VAULTBOT_TEST_RECHECK_CHILD_FROM"


def _child_from() -> int:
    """CHILD_FROM, or (tests only) the number VAULTBOT_TEST_RECHECK_CHILD_FROM names, so a small vault's run forks its child."""
    return int(os.environ.get(TEST_CHILD_FROM) or CHILD_FROM)


class PendingRecheck:
    """`compute()`'s result, from a child started now when `changes` make that worth it, else computed when asked."""

    def __init__(self, compute: Callable[[], Recheck], changes: int) -> None:
        self.compute = compute
        worth_it = changes >= _child_from() and forked.fork_safe() and forked.cores() > 1
        self.child = forked.start(compute) if worth_it else None

    def result(self) -> Recheck:
        """The child's re-check when it gave one whole, else the re-check computed here."""
        child, self.child = self.child, None
        found = forked.answer(child, Recheck) if child is not None else None
        return found if found is not None else self.compute()

    def close(self) -> None:
        """End a child whose result nobody will ask for (the run stopped before), and reap it."""
        child, self.child = self.child, None
        if child is not None:
            forked.end(child)
