"""What a rule's `explain` hook is handed (rules/__init__.py): the note, the vault before and after the run, today.

`vaultbot explain` (bot/explain.py) makes one per note and hands it to each rule that
declares the hook; the rule says, as data, what it would do with the note and why.
`left_out` is the engine's own reason a note is no related note (the index's
`related` leaves out marked duplicates and notes dated after today), which every rule
that lists related notes names alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from bot.vault import VaultIndex


@dataclass(frozen=True)
class ExplainContext:
    path: str  # the note explained
    before: VaultIndex  # the vault as read
    after: VaultIndex  # the vault as the rules leave it (duplicates marked or archived)
    today: datetime.date
    # Each duplicate a rule finds in `before` -> (the note it duplicates, that rule's id); rules/__init__.py `duplicates`.
    duplicates: Mapping[str, tuple[str, str]]

    def left_out(self, path: str) -> str | None:
        """Why the note at `path` (a related-note candidate) is no related note after the run, or None."""
        found = self.duplicates.get(path)
        if path not in self.after.notes:  # a rule moved it out of the index: an archived duplicate
            canonical, rule = found or ("?", "?")
            return f"duplicate of {canonical} (archived by {rule})"
        key = self.after.index.duplicate_key
        if key is not None and self.after.is_marked_duplicate(path):  # a mark that names no other note hides nothing
            return f"duplicate of {found[0] if found else self.after.notes[path].get(key)}"
        date = self.after.notes[path].date.date
        if date is not None and date.first_day() > self.today:
            return f"dated {date}, after today ({self.today})"
        return None
