"""What a run tells a person: unified diffs, per-rule counts, warnings, JSON."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from typing import Iterable, Sequence

from bot.problem import Problem
from bot.runner import Change


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def unified_diff(change: Change) -> str:
    """The change as `git diff` would show it, `\\ No newline at end of file` included; a move as a rename."""
    new_path = change.destination or change.path
    out = []
    if change.destination:
        out.append(f"diff --git a/{change.path} b/{new_path}\nrename from {change.path}\nrename to {new_path}\n")
    for line in difflib.unified_diff(_lines(change.before), _lines(change.after), f"a/{change.path}", f"b/{new_path}"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def rule_counts(changes: Iterable[Change], rules: Sequence[str]) -> dict[str, int]:
    counts = Counter(rule for change in changes for rule in change.rules)
    return {rule: counts.get(rule, 0) for rule in rules}


def _notes(count: int) -> str:
    return f"{count} note{'s' if count != 1 else ''}"


def summary_lines(changes: Sequence[Change], rules: Sequence[str]) -> list[str]:
    return [f"{rule}: {_notes(count)}" for rule, count in rule_counts(changes, rules).items()]


NOT_IN_GIT = "not a git repository: nothing committed"


def headline(changed: int, warnings: int, *, dry_run: bool, commit: str | None = None, aside: str | None = None) -> str:
    """The one line a person reads at a glance; `aside` says what a reader could wrongly assume (NOT_IN_GIT)."""
    verb = "would change" if dry_run else "updated"
    line = f"vaultbot: {_notes(changed)} {verb}, {warnings} warning{'s' if warnings != 1 else ''}"
    if commit:
        line += f", commit {commit[:12]}"
    if dry_run:
        aside = "dry run, nothing written"
    return line + (f" ({aside})" if aside else "")


def as_json(changes: Sequence[Change], problems: Sequence[Problem], commit: str | None, errors: Sequence[str] = ()) -> str:
    """The run as one JSON object; `errors` (what made the run fail, exit 3, or kept it from
    starting, exit 2) only when there are any."""
    return json.dumps(
        {
            "changed": [
                {"path": c.path, "rules": list(c.rules), **({"moved_to": c.destination} if c.destination else {})} for c in changes
            ],
            "warnings": [{"path": p.path, "rule": p.rule, "message": p.message} for p in problems],
            "commit": commit,
            **({"errors": list(errors)} if errors else {}),
        },
        ensure_ascii=False,
        indent=2,
    )
