"""What differs from the vault's last clean state, so a rule checks only what that affects.

A clean state is one in which the rules, run over the whole vault, changed
nothing (bot/memo.py records it). The vault may differ from it by notes edited
in place, added or removed (a move is both), as long as no folder was added or
removed, no note failed to parse then or now, no edited note has a new type,
aliases, title or duplicate mark, and no added or removed note is an entity,
has aliases or has a duplicate mark. Then entities, home folders and owners are
as they were, and so is every link's resolution except for links naming an
added or removed note's file name. A rule's result can then differ from "nothing
to change" only where it reads a changed note. Each rule names those notes
(`affected(delta, options)`); the runner checks only them and keeps the clean
state's warnings for the rest.

Names: a note added or removed changes what the links naming its file name open
(Obsidian's shortest-path resolution, a path, an alias) and how links to the
other notes of that name are written (as a path once the name is shared). Those
notes count as changed too (`relinked`), with what their links opened in the
clean state, read from the clean state's own index. An entity sharing such a
name, or a duplicate mark naming it (marks chain: a loop may close or open far
from the note), means a full run.

Notes a rule edits during the run join the delta for the rules after it, with
their version from before the edit: those rules see the vault as the earlier
rules left it, and that differs from the clean state by exactly these notes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping
from urllib.parse import unquote

from bot.index_settings import duplicate_mark
from bot.lazy_notes import replaced
from bot.markdown import find_links, find_section, fold, link_name
from bot.note import Note
from bot.note_facts import aliases, file_name, identity
from bot.vault import VaultIndex


@dataclass(frozen=True)
class VaultDelta:
    vault: VaultIndex  # the vault now
    before: Mapping[str, Note]  # each note edited in place, as it was in the clean state
    added: frozenset[str] = frozenset()  # notes the clean state did not have
    removed: Mapping[str, Note] = field(default_factory=dict)  # notes of the clean state that are gone, as they were
    names: frozenset[str] = frozenset()  # the file names (folded, without `.md`) of the added and removed notes
    relinked: frozenset[str] = frozenset()  # unchanged notes whose links name one of `names`, or that bear one

    @cached_property
    def paths(self) -> frozenset[str]:
        """The notes now in the vault that differ from the clean state, or whose links may."""
        return frozenset(self.before) | self.added | self.relinked

    @cached_property
    def clean(self) -> VaultIndex:
        """The clean state's index (built only when a link must be resolved as it was there)."""
        vault = self.vault
        notes = replaced(vault.notes, {**self.before, **self.removed}, self.added)
        return VaultIndex(notes, vault.folders, vault.settings, vault.index, vault.unparsed, vault.left_out)

    def _clean_targets(self, path: str, note: Note) -> set[str]:
        """The notes `note` (at `path` in the clean state) linked to there."""
        index = self.clean if not self.names.isdisjoint(note.link_names) else self.vault
        return {target for link in note.links if (target := index.resolve(link.target, path)) is not None}

    def linked(self) -> set[str]:
        """The notes a changed note links to, or linked to in the clean state (their backlinks changed)."""
        vault = self.vault
        found: set[str] = set()
        for path in self.paths:
            found.update(target for link in vault.notes[path].links if (target := vault.resolve(link.target, path)) is not None)
            if path in self.relinked:
                found |= self._clean_targets(path, vault.notes[path])
        for path, old in (*self.before.items(), *self.removed.items()):
            found |= self._clean_targets(path, old)
        return found

    def entities(self) -> frozenset[str]:
        """Entities whose own note or related notes include a changed note: the changed entities, the
        entities a changed note links to (now or in the clean state), and the changed notes' owners."""
        vault = self.vault
        found = {path for path in self.linked() if vault.is_entity(path)}
        for path in (*self.paths, *self.removed):
            if vault.is_entity(path):
                found.add(path)
            owner = vault.owner(path)  # home folders are as they were, so a removed note's owner is too
            if owner is not None:
                found.add(owner)
        return frozenset(found)

    def section_links_reach(self, heading: str, notes: set[str]) -> set[str]:
        """Entities whose `## heading` section has a link naming a note added or removed, or opening one
        of `notes` (a generated section's links are in no note's `links`, so nothing above finds them)."""
        vault = self.vault
        keys = set(self.names) | {file_name(path) for path in notes}
        keys |= {link_name(alias) for path in notes for alias in aliases(vault.notes[path])}
        found: set[str] = set()
        for entity in vault.entities if keys else ():
            body = vault.notes[entity].body
            text = fold(body) + (fold(unquote(body)) if "%" in body else "")  # a markdown link's target is URL-encoded
            if fold(heading) not in text or not any(key in text for key in keys):
                continue  # nearly always: the links there name none of them
            for start, end in find_section(body, heading, headings=vault.notes[entity].headings):
                targets = [link.target for link in find_links(body[start.end : end])]
                if any(link_name(target) in self.names or vault.resolve(target, entity) in notes for target in targets):
                    found.add(entity)
        return found

    def advanced(self, vault: VaultIndex, edited: Mapping[str, Note]) -> VaultDelta | None:
        """The delta after a rule edited `edited` (each note as it was before that rule) and left `vault`;
        None when an edit changed what other notes see of a note, so later rules must check everything."""
        before = dict(self.before)
        for path, old in edited.items():
            if identity(old, vault.index.duplicate_key) != identity(vault.notes[path], vault.index.duplicate_key):
                return None
            if path not in self.added:  # an added note's clean-state version is none at all
                before.setdefault(path, old)
        return dataclasses.replace(self, vault=vault, before=before, relinked=self.relinked - before.keys())


def delta_since_clean(
    vault: VaultIndex,
    previous: Mapping[str, Note | str],
    edited: Iterable[str],
    added: Iterable[str] = (),
    removed: Mapping[str, Note | str] | None = None,
) -> VaultDelta | None:
    """The delta from the clean state, given each edited note's clean-state version (`previous`, a
    string when it could not be parsed then), the notes added and the removed ones as they were;
    None when the difference is one a delta cannot describe (see the module doc)."""
    key = vault.index.duplicate_key
    before = {}
    for path in edited:
        old = previous.get(path)
        new = vault.notes.get(path)
        if not isinstance(old, Note) or new is None or identity(old, key) != identity(new, key):
            return None
        before[path] = old
    added = frozenset(added)
    gone: dict[str, Note] = {}
    for path, note in (removed or {}).items():
        if not isinstance(note, Note):
            return None
        gone[path] = note
    if not added and not gone:
        return VaultDelta(vault, before)
    if any(path not in vault.notes for path in added):  # it could not be parsed
        return None
    entity_types = {kind.lower() for kind in vault.index.entity_types}
    for note in (*(vault.notes[path] for path in added), *gone.values()):
        if (note.type and note.type.lower() in entity_types) or aliases(note) or duplicate_mark(note, key) is not None:
            return None
    names = frozenset(file_name(path) for path in (*added, *gone))
    bearers = {path for name in names for path in vault.named(name)}
    if any(vault.is_entity(path) for path in bearers):  # its links in every Related section may be written anew
        return None
    facts = vault.facts  # read of every note: its brief where it was not read (bot/lazy_notes.py)
    marks = (duplicate_mark(facts(path), key) for path in vault.notes) if key is not None else iter(())
    if any(mark is not None and link_name(mark) in names for mark in marks):
        return None  # a chain of marks through that note may now close or open a loop anywhere along it
    relinked = {path for path in vault.notes if not names.isdisjoint(facts(path).link_names)}
    relinked |= {path for path in bearers if path in vault.notes}
    return VaultDelta(vault, before, added, gone, names, frozenset(relinked) - before.keys() - added)
