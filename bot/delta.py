"""What differs from the vault's last clean state, so a rule checks only what that affects.

A clean state is one in which the rules, run over the whole vault, changed
nothing (bot/memo.py records it). When the vault now differs from it only by
notes edited in place (no note added, removed or moved, no folder added or
removed, no note that failed to parse before or now, and no edited note with a
new type, aliases or title), then link resolution, entities, home folders,
owners and the names links are written with are all as they were. A rule's
result can then differ from "nothing to change" only where it reads an edited
note. Each rule names those notes (`affected(delta, options)`); the runner
checks only them and keeps the clean state's warnings for the rest.

Notes a rule edits during the run join the delta for the rules after it, with
their version from before the edit: those rules see the vault as the earlier
rules left it, and that differs from the clean state by exactly these notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping

from bot.note import Note
from bot.note_facts import identity
from bot.vault import VaultIndex


@dataclass(frozen=True)
class VaultDelta:
    vault: VaultIndex  # the vault now
    before: Mapping[str, Note]  # each edited note as it was in the clean state

    @cached_property
    def paths(self) -> frozenset[str]:
        """The edited notes."""
        return frozenset(self.before)

    def linked(self) -> set[str]:
        """The notes an edited note links to, before or after its edit (their backlinks changed)."""
        found: set[str] = set()
        for path, old in self.before.items():
            for note in (old, self.vault.notes[path]):
                for link in note.links:
                    target = self.vault.resolve(link.link.target, path)
                    if target is not None:
                        found.add(target)
        return found

    def entities(self) -> frozenset[str]:
        """Entities whose own note or related notes include an edited note: the edited
        entities, the entities an edited note links to (before or after), and the edited notes' owners."""
        vault = self.vault
        found = {path for path in self.linked() if vault.is_entity(path)}
        for path in self.before:
            if vault.is_entity(path):
                found.add(path)
            owner = vault.owner(path)
            if owner is not None:
                found.add(owner)
        return frozenset(found)

    def advanced(self, vault: VaultIndex, edited: Mapping[str, Note]) -> VaultDelta | None:
        """The delta after a rule edited `edited` (each note as it was before that rule) and left `vault`;
        None when an edit changed what other notes see of a note, so later rules must check everything."""
        before = dict(self.before)
        for path, old in edited.items():
            if identity(old, vault.index.duplicate_key) != identity(vault.notes[path], vault.index.duplicate_key):
                return None
            before.setdefault(path, old)
        return VaultDelta(vault, before)


def delta_since_clean(vault: VaultIndex, previous: Mapping[str, Note | str], edited: Iterable[str]) -> VaultDelta | None:
    """The delta from the clean state, given each edited note's clean-state version
    (`previous`, a string when it could not be parsed then); None when it is not an in-place edit."""
    before = {}
    for path in edited:
        old = previous.get(path)
        new = vault.notes.get(path)
        if not isinstance(old, Note) or new is None or identity(old, vault.index.duplicate_key) != identity(new, vault.index.duplicate_key):
            return None
        before[path] = old
    return VaultDelta(vault, before)
