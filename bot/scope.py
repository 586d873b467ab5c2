"""What a rule is handed: the notes of its scope, walked by the engine.

A rule declares its `SCOPE` (rules/__init__.py); the engine walks it, in note
order, narrowed to the notes a partial run rechecks (`targets`, bot/delta.py).
Opt-outs are applied to the edits a rule returns (bot/runner.py), not here: a
note that opts out is still judged, so what the rule reports about it is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.vault import VaultIndex

ENTITY_NOTES = "entity notes"  # notes whose `type` is one of `entity_types`
EVERY_NOTE = "every note"
# The rule forms groups of notes itself (dedupe-meetings' duplicate groups): it is handed
# every note (or the rechecked ones) and judges each group it finds among them.
GROUPS = "groups"
SCOPES = (ENTITY_NOTES, EVERY_NOTE, GROUPS)


def notes_in_scope(scope: str, vault: VaultIndex, targets: frozenset[str] | None) -> tuple[str, ...]:
    """The notes of `scope` in note order, only those in `targets` when given."""
    if scope == ENTITY_NOTES:
        paths: tuple[str, ...] = vault.entities
    elif scope in (EVERY_NOTE, GROUPS):
        paths = tuple(vault.notes)
    else:
        raise ValueError(f"unknown rule scope {scope!r} (known: {', '.join(SCOPES)})")
    return paths if targets is None else tuple(path for path in paths if path in targets)
