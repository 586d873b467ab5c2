"""A run's warning: something found in one file, reported with its path and reason, never fatal.

This is the one type for what a run reports short of failing: a rule's `Report`
edit becomes one (bot/runner.py), and so does every file the engine could not
read, write or commit. `rule` names the rule that found it (None for the
engine's own stages); `message` is the text people read, which for a rule's
warning starts with the rule id, as it always has.
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    path: str  # vault-relative, POSIX separators
    message: str
    rule: str | None = None  # the rule id, for a rule's warning

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def rule_problem(path: str, rule_id: str, message: str) -> Problem:
    """A rule's warning: its message read with the rule id in front."""
    return Problem(path, f"{rule_id}: {message}", rule_id)
