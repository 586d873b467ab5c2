"""The vault index after a rule's edits (`with_notes`): what carries over, what is worked out again.

Rules change a few notes at a time and almost never a path, an alias or a type.
When none changed, the name tables, link resolution, entities, home folders and
owners all still hold and are carried over; so are the links of untouched notes,
the backlinks of notes no edited note links to (before or after), and the
related notes of entities whose candidates kept their links, dates and duplicate
status, with what rules worked out from them (`VaultIndex.per_entity`). A
changed duplicate mark (dedupe-meetings marks hundreds of meetings in one run)
changes the duplicate status of every note whose marks lead through it
(`marked_through`); only those notes' entities lose their related notes. Any
other change (a path, an alias, a type, a note removed) builds a new index.

This module reads the index's private tables: it is the index's own update,
kept apart so that each module keeps to one job. tests/bot/test_vault_memo.py
holds every carried table to what a fresh index of the same notes works out.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable, Mapping

from bot.lazy_notes import replaced
from bot.note_facts import aliases

if TYPE_CHECKING:
    from bot.note import Note
    from bot.vault import VaultIndex


def with_notes(index: VaultIndex, updated: Mapping[str, Note], removed: Iterable[str] = ()) -> VaultIndex:
    """A new index with `updated` notes replaced and `removed` ones gone."""
    removed = list(removed)
    notes = replaced(index.notes, updated, removed)  # unread notes stay unread (bot/lazy_notes.py)
    same_shape = not removed and all(path in index.notes and _shape(note) == _shape(index.notes[path]) for path, note in updated.items())
    if not same_shape:
        return type(index)(notes, index.folders, index.settings, index.index, index.unparsed, index.left_out)
    fresh = copy.copy(index)
    fresh.notes = notes
    for derived in ("outgoing", "_backlinks"):  # the cached views that read note contents (with _by_link_name)
        fresh.__dict__.pop(derived, None)
    if any(note.link_names != index.notes[path].link_names for path, note in updated.items()):
        fresh.__dict__.pop("_by_link_name", None)
    if "outgoing" in index.__dict__:
        outgoing = dict(index.outgoing)
        for path in updated:
            outgoing[path] = fresh._links_of(path)
        fresh.__dict__["outgoing"] = outgoing
    before = {path: index._targets(path) for path in updated}
    after = {path: fresh._targets(path) for path in updated}
    if "_backlinks" in index.__dict__:
        fresh.__dict__["_backlinks"] = _updated_backlinks(index, before, after)
    changed = {target for path in updated for target in before[path] ^ after[path]}
    fresh._some_backlinks = {target: sources for target, sources in index._some_backlinks.items() if target not in changed}
    fresh._duplicate_targets = {path: target for path, target in index._duplicate_targets.items() if path not in updated}
    affected: set[str | None] = set()
    for path, note in updated.items():
        old = index.notes[path]
        if index.is_entity(path) or (note.links == old.links and note.date == old.date):
            continue  # never a related note, or no link or date related() reads changed
        affected |= before[path] | after[path] | {index.owner(path)}
    remarked = {path for path, note in updated.items() if index._mark(note) != index._mark(index.notes[path])}
    for path in marked_through(index, remarked) if remarked and index._related else ():
        if not index.is_entity(path):  # its duplicate status may have changed: so may its entities' related notes
            targets = before[path] | after[path] if path in updated else index._targets(path)
            affected |= targets | {index.owner(path)}
    fresh._related = {key: paths for key, paths in index._related.items() if key[0] not in affected}
    fresh._per_entity = {key: value for key, value in index._per_entity.items() if key[0] not in affected}
    return fresh


def _shape(note: Note) -> tuple:
    """What the index's tables read of a note besides its path and links: its type (entities, home
    folders, owners) and aliases (resolution). Its title and duplicate mark are read when asked."""
    return note.type, tuple(aliases(note))


def marked_through(index: VaultIndex, paths: set[str]) -> set[str]:
    """`paths` and every note whose duplicate marks lead to one of them. Whether a note is a marked
    duplicate (`is_marked_duplicate`) reads the marks along its chain up to where it stops, so a
    changed mark can change it only for the notes whose chain reaches the changed note; up to the
    first changed note a chain is the same before and after the change, so `index`'s marks tell."""
    marked_by: dict[str, list[str]] = defaultdict(list)  # a note -> the notes whose mark names it
    for path in index.notes:
        if index._mark(index.facts(path)) is not None:
            target = index.duplicate_target(path)
            if target is not None:
                marked_by[target].append(path)
    found = set(paths)
    pending = list(paths)
    while pending:
        for source in marked_by.get(pending.pop(), ()):
            if source not in found:
                found.add(source)
                pending.append(source)
    return found


def _updated_backlinks(index: VaultIndex, before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    """`index`'s backlinks after the notes in `before` changed their link targets to `after`'s, sources in note order."""
    backlinks = dict(index._backlinks)
    for path in before:
        for target in before[path] - after[path]:
            backlinks[target] = tuple(source for source in backlinks[target] if source != path)
        for target in after[path] - before[path]:
            backlinks[target] = tuple(sorted((*backlinks.get(target, ()), path), key=index._position.__getitem__))
    return {target: sources for target, sources in backlinks.items() if sources}
