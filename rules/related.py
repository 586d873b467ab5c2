"""The `## Related` section of entity notes: the other entities they share notes with.

## What it does
Regenerates the `## Related` section (heading configurable) of every entity
note that has one (or every entity note with `create_missing: true`). It lists
the other entity notes that share related notes with it (the notes Recent
Context lists: a meeting that links both, a meeting in one's home folder that
links the other, a meeting listing both as participants), most shared notes
first, then by name (A-Z, any case); at most `max_entries`, and only those
sharing at least `min_shared` notes. One line each, the link written the way
Obsidian writes a new link, then the entity's type and the count:

    - [[Microsoft]] (customer, 4 shared notes)

An entity no link written here can open (its name starts or ends with white
space, which a link trims, or holds `#`, `|`, `%%`, ...) is left out and
reported, as Recent Context leaves out such notes.

An entity the note already links to by hand elsewhere is listed too: the
section is the complete picture. HTML comments in the section (template hints
such as `<!-- Wikilinks to related entities -->`) stay, on top; everything else
in it is regenerated. Like every generated section's, the links in it count for
no rule, in any note: a `## Related` heading is the bot's wherever it appears.

## Why
Who else is involved with a customer is spread over its meetings; a hand-kept
list of them is incomplete the day after it is written.

## Example
```markdown
<!-- Customers/Acme.md -->
---
type: customer
---
# Acme

## Related

<!-- Wikilinks to related entities -->
- [[Northwind Traders]]
```

```yaml
# People/Priya Raman.md
type: person
```

```yaml
# Projects/Data Lake Migration.md
type: project
```

```yaml
# Customers/Northwind Traders.md
type: customer
```

```markdown
<!-- Meetings/2025-10-14 Quarterly review.md -->
With [[Acme]], [[Priya Raman]] and [[Northwind Traders]].
```

```markdown
<!-- Meetings/2025-11-02 Migration sync.md -->
With [[Acme]] and [[Priya Raman]] on [[Data Lake Migration]].
```

Use instead:
```markdown
<!-- Customers/Acme.md -->
---
type: customer
---
# Acme

## Related

<!-- Wikilinks to related entities -->
- [[Priya Raman]] (person, 2 shared notes)
- [[Data Lake Migration]] (project, 1 shared note)
- [[Northwind Traders]] (customer, 1 shared note)
```

"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from bot.edits import NoteEdit, ReplaceSection, Report
from bot.markdown import find_section
from bot.scope import ENTITY_NOTES
from bot.sections import mask_code
from rules.recent_context import unlinkable

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.explain_context import ExplainContext
    from bot.note import Note
    from bot.vault import VaultIndex

ID = "related"
SCOPE = ENTITY_NOTES
OWNED_KEYS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    heading: str = field(
        default="Related", metadata={"heading_text": True, "generated_section": True, "doc": "the level-2 heading of the section."}
    )
    max_entries: int = field(default=10, metadata={"range": (1, 1000), "doc": "the most entities listed."})
    min_shared: int = field(default=1, metadata={"range": (1, 1_000_000), "doc": "the fewest shared notes an entity needs to be listed."})
    create_missing: bool = field(default=False, metadata={"doc": "add the section to entity notes without one."})


def shared_notes(
    vault: VaultIndex, entity: str, today: datetime.date, entities_of: dict[str, set[str]] | None = None
) -> dict[str, list[str]]:
    """Each other entity sharing related notes with `entity` -> those notes. `entities_of`: each
    note's entities found so far, carried from entity to entity (most notes relate to several)."""
    known = {} if entities_of is None else entities_of
    shared: dict[str, list[str]] = defaultdict(list)
    for path in vault.related(entity, today):
        if path not in known:
            known[path] = vault.entities_of(path)
        for other in known[path]:
            if other != entity:
                shared[other].append(path)
    return shared


def ranked(vault: VaultIndex, shared: dict[str, list[str]], names: dict[str, str] | None = None) -> list[str]:
    """Most shared notes first, then by name (any case), then by path. `names`: each entity's name
    case-folded, carried from entity to entity (an entity shares notes with many)."""
    folded = {} if names is None else names
    for other in shared.keys() - folded.keys():
        folded[other] = vault.notes[other].name.casefold()
    return [other for _, _, other in sorted((-len(notes), folded[other], other) for other, notes in shared.items())]


def entry(vault: VaultIndex, entity: str, other: str, count: int) -> str:
    kind = vault.notes[other].type
    return f"- {vault.link_text(other, entity)} ({kind}, {count} shared note{'s' if count != 1 else ''})"


def entries(
    vault: VaultIndex,
    entity: str,
    options: Options,
    today: datetime.date,
    entities_of: dict[str, set[str]] | None = None,
    names: dict[str, str] | None = None,
) -> list[str]:
    return listed_entries(vault, entity, options, today, entities_of, names)[0]


def listed_entries(
    vault: VaultIndex,
    entity: str,
    options: Options,
    today: datetime.date,
    entities_of: dict[str, set[str]] | None = None,
    names: dict[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The section's lines, and the entities sharing enough notes that no link written in `entity`
    can open, each with the reason (rules/recent_context.py `unlinkable`): left out, as Recent
    Context leaves out such notes, rather than listed behind a link that opens another note or none."""
    shared = shared_notes(vault, entity, today, entities_of)
    enough = [other for other in ranked(vault, shared, names) if len(shared[other]) >= options.min_shared]
    reasons = {other: reason for other in enough if (reason := unlinkable(vault, entity, other)) is not None}
    listed = [other for other in enough if other not in reasons]
    return [entry(vault, entity, other, len(shared[other])) for other in listed[: options.max_entries]], reasons


def comments(note: Note, heading: str) -> list[str] | None:
    """The lines of the HTML comments in the note's section, in order; None when it has no such section.
    ValueError when a comment opens in the section and does not close there."""
    body = note.body
    sections = find_section(body, heading, headings=note.headings) if heading.lower() in body.lower() else []
    if len(sections) != 1:
        return None
    start, end = sections[0][0].end, sections[0][1]
    if "<!--" not in body[start:end]:
        return []
    # `<!--` in code is shown as written, not a comment: find code alone (offsets kept), each opener made plain text.
    code = mask_code(body.replace("<!--", "<!-\x00"))
    found: list[str] = []
    opening = body.find("<!--", start, end)
    while opening >= 0:
        if code[opening] != " ":
            closing = body.find("-->", opening + 4, end)
            if closing < 0:
                raise ValueError(f"an HTML comment opens in the '## {heading}' section and does not close there; fix the section by hand")
            found += [line.rstrip() for line in body[opening : closing + 3].splitlines()]
            opening = body.find("<!--", closing + 3, end)
        else:
            opening = body.find("<!--", opening + 4, end)
    return found


def explain(context: ExplainContext, options: Options) -> dict[str, Any]:
    """Every entity a related-note candidate also relates to: listed where, or left out why (after the run), for `vaultbot explain`."""
    before, after, entity = context.before, context.after, context.path
    shared = shared_notes(after, entity, context.today) if entity in after.notes else {}
    enough = [other for other in ranked(after, shared) if len(shared[other]) >= options.min_shared]
    unlinked = {other: reason for other in enough if (reason := unlinkable(after, entity, other)) is not None}
    listed = [other for other in enough if other not in unlinked]
    candidates = {other for source in before.related_candidates(entity) for other in before.entities_of(source)} - {entity}
    found = []
    for other in sorted(candidates | set(shared)):
        notes = shared.get(other, [])
        position = listed.index(other) + 1 if other in listed else None
        why = None
        if not notes:
            why = "shares only notes that are left out (duplicates, dated after today)"
        elif other in unlinked:
            why = f"no link can open it: {unlinked[other]}"
        elif position is None:
            why = f"shares {len(notes)} notes, fewer than min_shared ({options.min_shared})"
        elif position > options.max_entries:
            why, position = f"beyond max_entries ({options.max_entries}): it would be number {position}", None
        found.append({"path": other, "type": before.notes[other].type, "shared": notes, "listed_at": position, "left_out": why})
    return {
        "related_entities": sorted(found, key=lambda r: (r["listed_at"] is None, r["listed_at"] or 0, r["path"])),
        "related_options": {"max_entries": options.max_entries, "min_shared": options.min_shared},
    }


def explain_text(explanation: Mapping[str, Any]) -> list[str]:
    limits = explanation["related_options"]
    lines = [
        "",
        f"Entities sharing those notes (Related lists at most {limits['max_entries']}, each sharing at least {limits['min_shared']}):",
    ]
    for other in explanation["related_entities"]:
        status = f"listed #{other['listed_at']}" if other["listed_at"] else f"left out: {other['left_out']}"
        lines.append(f"  {other['path']} ({other['type']}, {len(other['shared'])} shared): {status}")
        lines += [f"      {note}" for note in other["shared"]]
    return lines


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    """An entity's section depends on its own note and its related notes, and on which entities those
    link to or live under: all read from the edited notes (types and names cannot change in a delta)."""
    return delta.entities()


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    entities_of: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for entity in notes:
        try:
            kept = comments(vault.notes[entity], options.heading)
        except ValueError as error:
            yield NoteEdit(entity, Report(str(error)))
            continue
        if kept is None and not options.create_missing:
            continue
        generated, unlinked = listed_entries(vault, entity, options, today, entities_of, names)
        for other, reason in unlinked.items():
            yield NoteEdit(other, Report(f"not listed in {options.heading} of {entity}: {reason}"))
        lines = (kept or []) + generated
        yield NoteEdit(entity, ReplaceSection(options.heading, tuple(lines), options.create_missing))
