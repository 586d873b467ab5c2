"""The vault as rules see it: notes, resolved links, backlinks, entities and owners.

Built once per run from parsed notes (bot/note.py); immutable afterwards, and
free of I/O, so rules stay pure. Follows Obsidian's semantics:

- Resolution is Obsidian's `getFirstLinkpathDest`: candidates are notes whose
  path ends with the link target (compared case-insensitively after NFC); an
  exact vault path wins, then a note in the linking note's own folder, then the
  shortest path, ties broken by path order (and reported). Paths that differ only
  by case or Unicode normalization (`Acme.md` and `acme.md`) are such a tie too.
  One step further than Obsidian: a target matching no note but exactly one
  note's alias resolves to it.
- `./` and `../` targets are relative to the linking note; nothing resolves
  outside the vault.
- An entity's home folder is `X/Name/` for `X/Name/Name.md`, or for `X/Name.md`
  beside a folder `X/Name/`; a note's owner is the entity whose home folder is
  its nearest ancestor.
"""

from __future__ import annotations

import datetime
import posixpath
from collections import defaultdict
from functools import cached_property
from typing import Callable, Iterable, Mapping, TypeVar

from bot.duplicate_marks import mark_problems, marks_lead_back
from bot.index_settings import IndexSettings, duplicate_mark
from bot.lazy_notes import Brief, LazyNotes, NoteFacts, aliases_of, first_day
from bot.markdown import fold, markdown_destination, markdown_link_text
from bot.note import Note, NoteLink
from bot.note_facts import told_apart, without_md
from bot.obsidian import ObsidianSettings
from bot.problem import Problem

T = TypeVar("T")

# `backlinks` looks this many notes up one by one before it maps the whole vault's links.
FEW_BACKLINKS = 64


class VaultIndex:
    def __init__(
        self,
        notes: Mapping[str, Note],
        folders: Iterable[str],
        settings: ObsidianSettings,
        index: IndexSettings,
        unparsed: Iterable[str] = (),
        left_out: Iterable[str] = (),
    ) -> None:
        # A parse cache's notes stay unread until asked for (bot/lazy_notes.py); what is read of every
        # note below comes from `facts`, which does not unpickle them.
        self.notes: Mapping[str, Note] = notes if isinstance(notes, LazyNotes) else dict(notes)
        self.folders = frozenset(folders)
        self.settings = settings
        self.index = index
        # Notes that could not be parsed still exist for Obsidian: links resolve to
        # them, and their names count when a link must be unambiguous. Rules never see them.
        self.unparsed = frozenset(unparsed)
        # `.md` files the scan found but left out (excluded, ignored, archived): not notes, but
        # a note moved onto one of their paths would meet them (bot/scan.py `left_out`).
        self.left_out = frozenset(left_out)
        self._by_path: dict[str, str] = {}  # the first path in path order with that form
        self._twins: dict[str, tuple[str, ...]] = {}  # a form that several paths share (case, NFC/NFD) -> those paths
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_alias: dict[str, set[str]] = defaultdict(set)
        self._folded: dict[str, str] = {}  # path -> the form links are compared in
        facts = self.facts_by_path()
        for path in sorted(self.notes.keys() | self.unparsed):
            key = fold(without_md(path))
            self._folded[path] = key
            first = self._by_path.setdefault(key, path)
            if first != path:
                self._twins[key] = (*self._twins.get(key, (first,)), path)
            self._by_name[key.rsplit("/", 1)[-1]].append(path)  # file_name(path)
            found = facts.get(path) if index.resolve_aliases else None
            if found is not None:
                for alias in aliases_of(found):
                    self._by_alias[fold(alias)].add(path)
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._resolved_anywhere: dict[str, str | None] = {}  # targets that open one note from every folder
        # (target, source, wikilink) -> link_text: a rule writes the same links again and again (and
        # sorts by them); like _resolved, it holds for as long as no path changes (`with_notes`).
        self._link_texts: dict[tuple[str, str, bool], str] = {}
        self._ambiguous: dict[tuple[str, str], tuple[str, ...]] = {}  # (target, folder) -> tied paths
        self._related: dict[tuple[str, datetime.date], list[str]] = {}
        self._per_entity: dict[tuple[str, datetime.date, str], object] = {}  # (entity, today, name) -> `per_entity`'s value
        self._some_backlinks: dict[str, tuple[str, ...]] = {}  # looked up one by one (`backlinks`)
        self._duplicate_targets: dict[str, str | None] = {}  # `duplicate_target`, per note
        entity_types = {t.lower() for t in index.entity_types}
        self.entities = tuple(p for p, note in facts.items() if (kind := note.type) and kind.lower() in entity_types)

    def facts_by_path(self) -> Mapping[str, NoteFacts]:
        """Each note's facts (`facts`), for walks over every note."""
        notes = self.notes
        return notes.facts_by_path if isinstance(notes, LazyNotes) else notes

    def facts(self, path: str) -> NoteFacts:
        """What walks over every note read of the note at `path`, without reading it where it is unread."""
        notes = self.notes
        return notes.facts(path) if isinstance(notes, LazyNotes) else notes[path]

    def _targets(self, path: str) -> set[str]:
        """The notes `path` links to (itself aside)."""
        found = self._targets_with_self(path)
        found.discard(path)
        return found

    def _targets_with_self(self, path: str) -> set[str]:
        """The notes `path` links to, from its brief where the note is unread (bot/lazy_notes.py)."""
        facts = self.facts(path)
        if isinstance(facts, Brief) and "outgoing" not in self.__dict__:
            found = {self.resolve(target, path) for target in facts.targets}
        else:
            found = {target for _, target in self._links(path)}
        found.discard(None)
        return found  # type: ignore[return-value]  # None is gone

    @cached_property
    def _position(self) -> dict[str, int]:
        return {path: index for index, path in enumerate(self.notes)}

    # -- links ---------------------------------------------------------------

    def resolve(self, target: str, source: str) -> str | None:
        """The note a link in `source` to `target` opens, or None."""
        if target in self._resolved_anywhere:
            return self._resolved_anywhere[target]
        folder = source.rsplit("/", 1)[0] if "/" in source else ""
        memo_key = (target, folder)
        if memo_key not in self._resolved:
            found, from_anywhere = self._resolve(target.strip(), folder)
            self._resolved[memo_key] = found
            if from_anywhere:
                self._resolved_anywhere[target] = found
        return self._resolved[memo_key]

    def _resolve(self, target: str, folder: str) -> tuple[str | None, bool]:
        """The note, and whether a link from any folder opens it and none is reported as a tie (most
        links name a note by a name no other note has: `resolve` then looks them up by target alone)."""
        if not target:
            return None, True
        if target.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(folder, target))
            if joined == ".." or joined.startswith("../"):
                return None, False
            return self._exact(fold(without_md(joined)), target, folder), False
        wanted = fold(without_md(target.lstrip("/")))
        if wanted in self._by_path:
            return self._exact(wanted, target, folder), wanted not in self._twins
        name = wanted.rsplit("/", 1)[-1]
        suffix = "/" + wanted
        same_name = self._by_name.get(name, [])
        # A bare name not matched exactly above is a suffix of every note with that name.
        candidates = [p for p in same_name if self._folded[p].endswith(suffix)] if "/" in wanted else same_name
        if not candidates:
            owners = self._by_alias.get(wanted, ())
            return (next(iter(owners)) if len(owners) == 1 else None), True
        if len(candidates) == 1:
            return candidates[0], True
        in_folder = [p for p in candidates if (p.rsplit("/", 1)[0] if "/" in p else "") == folder]
        if in_folder:  # more than one only for twins that differ by case or normalization
            tied = in_folder
        else:  # measured as compared: NFC and NFD twins are one path, not a shorter and a longer one
            shortest = min(len(self._folded[p]) for p in candidates)
            tied = [p for p in candidates if len(self._folded[p]) == shortest]
        if len(tied) > 1:
            self._ambiguous[(target, folder)] = tuple(tied)
        return tied[0], False

    def _exact(self, key: str, target: str, folder: str) -> str | None:
        """The note at the folded vault path `key`: the first by path order when twins share it (reported)."""
        twins = self._twins.get(key)
        if twins:
            self._ambiguous[(target, folder)] = twins
        return self._by_path.get(key)

    def named(self, name: str) -> tuple[str, ...]:
        """The notes, parsed or not, whose file name is `name` (bot/note_facts.py `file_name`)."""
        return tuple(self._by_name.get(name, ()))

    def occupied(self, path: str) -> bool:
        """A file the scan found, note or not, is at vault path `path`. Compared as links compare
        paths (case and normalization folded): on macOS and Windows `A.md` and `a.md` are one file."""
        return fold(path) in self._occupied

    @cached_property
    def _occupied(self) -> frozenset[str]:
        return frozenset(fold(path) for path in (*self._folded, *self.left_out))

    @cached_property
    def outgoing(self) -> dict[str, tuple[tuple[NoteLink, str | None], ...]]:
        """Per note, each link (generated sections excluded) with the note it resolves to."""
        return {path: self._links_of(path) for path in self.notes}

    def _links_of(self, path: str) -> tuple[tuple[NoteLink, str | None], ...]:
        return tuple((nl, self.resolve(nl.target, path)) for nl in self.notes[path].links)

    def _links(self, path: str) -> tuple[tuple[NoteLink, str | None], ...]:
        return self.outgoing[path] if "outgoing" in self.__dict__ else self._links_of(path)

    @cached_property
    def _backlinks(self) -> dict[str, tuple[str, ...]]:
        sources: dict[str, dict[str, None]] = defaultdict(dict)
        for path, links in self.outgoing.items():
            for _, target in links:
                if target is not None and target != path:
                    sources[target][path] = None
        return {target: tuple(found) for target, found in sources.items()}

    def backlinks(self, path: str) -> tuple[str, ...]:
        """Notes that link to `path` (each once), outside generated sections, in note order.

        The first few notes asked about (a run that rechecks a few entities) are looked up
        one by one, which resolves only the links that name them; after that, every link in
        the vault is resolved once and the lookups come from that map.
        """
        if "_backlinks" in self.__dict__ or len(self._some_backlinks) >= FEW_BACKLINKS:
            return self._backlinks.get(path, ())
        if path not in self._some_backlinks:
            self._some_backlinks[path] = self._find_backlinks(path)
        return self._some_backlinks[path]

    def _find_backlinks(self, path: str) -> tuple[str, ...]:
        names = {self._folded[path].rsplit("/", 1)[-1]}
        if self.index.resolve_aliases and path in self.notes:
            names.update(fold(alias).rsplit("/", 1)[-1] for alias in aliases_of(self.facts(path)))
        candidates = {source for name in names for source in self._by_link_name.get(name, ())}
        found = [source for source in candidates if source != path and path in self._targets_with_self(source)]
        return tuple(sorted(found, key=self._position.__getitem__))

    @cached_property
    def _by_link_name(self) -> dict[str, list[str]]:
        """Link name (bot/markdown.py `link_name`) -> the notes with a link of that name."""
        sources: dict[str, list[str]] = defaultdict(list)
        for path, note in self.facts_by_path().items():
            for name in note.link_names:
                sources[name].append(path)
        return sources

    def problems(self, paths: Iterable[str] | None = None) -> list[Problem]:
        """Links that match several notes equally well, duplicate marks that name no other note
        and `vaultbot` settings that cannot be read, on the note that holds them (among `paths`)."""
        found = []
        for path in self.notes if paths is None else paths:
            found.extend(mark_problems(self.notes[path], self.index.duplicate_key, self.duplicate_target, self.notes, path))
            unread_opt_out = self.notes[path].opt_out_problem(self.index.rule_ids)
            found.extend([Problem(path, unread_opt_out)] if unread_opt_out else [])
            links = self._links(path)
            folder = self.notes[path].folder
            for target in dict.fromkeys(nl.target.strip() for nl, _ in links):
                tied = self._ambiguous.get((target, folder))
                if tied:
                    found.append(
                        Problem(
                            path,
                            f"link [[{target}]] matches {len(tied)} notes equally well: {', '.join(map(told_apart, tied))}; Obsidian opens the first",
                        )
                    )
        return found

    def link_text(self, target: str, source: str, *, wikilink: bool = False) -> str:
        """A link to `target` written in `source` as Obsidian writes a new link (`.obsidian/app.json`)."""
        # Only a relative link depends on where it is written: the others are remembered once per target.
        key = (target, source if self.settings.new_link_format == "relative" else "", wikilink)
        if key not in self._link_texts:
            self._link_texts[key] = self._link_text(target, source, wikilink)
        return self._link_texts[key]

    def _link_text(self, target: str, source: str, wikilink: bool) -> str:
        name = target.rsplit("/", 1)[-1][:-3]
        style = self.settings.new_link_format
        if style == "relative":
            path = posixpath.relpath(target, self.notes[source].folder or ".")
            # A bare `Name` would open a root note called Name first (an exact path wins).
            if not path.startswith("../") and self.resolve(without_md(path), source) != target:
                path = "./" + path
        elif style == "absolute" or len(self._by_name.get(fold(name), ())) > 1:  # `.get`: a lookup adds no empty entry
            path = target
        else:
            path = target.rsplit("/", 1)[-1]
        if self.settings.use_markdown_links and not wikilink:
            # `%` first: the link is percent-decoded when read back.
            return f"[{markdown_link_text(name)}]({markdown_destination(path)})"
        return f"[[{without_md(path)}]]"

    # -- entities ------------------------------------------------------------

    def is_entity(self, path: str) -> bool:
        return path in self._entity_set

    @cached_property
    def _entity_set(self) -> frozenset[str]:
        return frozenset(self.entities)

    @cached_property
    def _homes(self) -> dict[str, str]:
        """Home folder -> entity. A folder note (`X/Name/Name.md`) wins over `X/Name.md`."""
        homes: dict[str, str] = {}
        for path in self.entities:
            note = self.facts(path)
            folder = note.folder
            if folder and folder.rsplit("/", 1)[-1] == note.name:
                homes[folder] = path
        for path in self.entities:
            sibling = path[:-3]
            if sibling in self.folders:
                homes.setdefault(sibling, path)
        return homes

    def home_folder(self, entity: str) -> str | None:
        for folder, owner in self._homes.items():
            if owner == entity:
                return folder
        return None

    def owner(self, path: str) -> str | None:
        """The entity whose home folder is the note's nearest ancestor (never the note itself)."""
        folder = path.rsplit("/", 1)[0] if "/" in path else ""  # a note's `folder`, known without reading it
        while folder:
            owner = self._homes.get(folder)
            if owner is not None and owner != path:
                return owner
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
        return None

    # -- related notes ---------------------------------------------------------

    @cached_property
    def _owned(self) -> dict[str, list[str]]:
        owned: dict[str, list[str]] = defaultdict(list)
        for path in self.notes:
            owner = self.owner(path)
            if owner is not None:
                owned[owner].append(path)
        return owned

    def related_candidates(self, entity: str) -> dict[str, tuple[str, ...]]:
        """Non-entity notes that link to `entity` or that it owns, with why ("link", "owner")."""
        reasons: dict[str, list[str]] = defaultdict(list)
        for source in self.backlinks(entity):
            reasons[source].append("link")
        for path in self._owned.get(entity, ()):
            reasons[path].append("owner")
        return {p: tuple(r) for p, r in sorted(reasons.items()) if not self.is_entity(p)}

    def _mark(self, note: NoteFacts) -> str | None:
        return duplicate_mark(note, self.index.duplicate_key)

    def duplicate_target(self, path: str) -> str | None:
        """The note the note's duplicate mark names (a wikilink or a plain name, resolved as links are), if any."""
        if path not in self._duplicate_targets:  # related() follows every candidate's marks, for every entity
            mark = self._mark(self.facts(path))
            self._duplicate_targets[path] = None if mark is None else self.resolve(mark, path)
        return self._duplicate_targets[path]

    def entities_of(self, path: str) -> set[str]:
        """The entities a note is a related note of, when it is one: those it links to, and its owner."""
        found = {target for target in self._targets(path) if self.is_entity(target)}
        owner = self.owner(path)
        if owner is not None:
            found.add(owner)
        return found

    def is_marked_duplicate(self, path: str) -> bool:
        """Marked as a duplicate of another note that exists: a mark naming no note, the note itself,
        or a note whose marks lead back to it, would hide the meeting for good (reported by `problems`)."""
        return self.duplicate_target(path) not in (None, path) and not marks_lead_back(self.duplicate_target, self.notes, path)

    def related(self, entity: str, today: datetime.date) -> list[str]:
        """The entity's related notes (recent-context): no marked duplicates, nothing dated after today."""
        key = (entity, today)
        if key not in self._related:  # last-contact and recent-context both ask, per entity
            self._related[key] = [
                path
                for path in self.related_candidates(entity)
                if not self.is_marked_duplicate(path) and ((day := first_day(self.facts(path))) is None or day <= today)
            ]
        return list(self._related[key])

    def per_entity(self, name: str, entity: str, today: datetime.date, compute: Callable[[], T]) -> T:
        """`compute()`, worked out once per entity, day and `name`, and carried through `with_notes` for as
        long as the entity's related notes are (`related`): for what a rule works out from those notes'
        paths, dates and the links written to them, which several rules ask for (recent-context's order).
        It must read nothing else of them (a summary, tasks): an edit to that keeps the related notes."""
        key = (entity, today, name)
        if key not in self._per_entity:
            self._per_entity[key] = compute()
        return self._per_entity[key]  # type: ignore[return-value]
