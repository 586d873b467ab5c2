"""`last_contact` on entity notes: the date of the latest related note.

## What it does
For each entity note that has a `last_contact` key (or every entity note with
`create_missing: true`), sets it to the latest date among the entity's related
notes (the notes Recent Context lists: notes that link to the entity or live in
its home folder, duplicates and notes dated after today left out). It never
moves the value backwards: a valid later date already there is kept. Values
that are not dates (`unknown`, empty) are replaced. Written as an unquoted ISO
date. Notes with only a month (`2025-10 - Tasks`) do not count: a contact has a
day. With no dated related note the key is left as it is.

## Why
`last_contact: unknown` on a customer you met last week hides who needs a call.

## Example
```yaml
# Customers/Acme.md
type: customer
last_contact: unknown
```

```markdown
<!-- Meetings/2025-12-19 - Pricing call.md -->
Pricing call with [[Acme]].
```

Use instead:
```yaml
# Customers/Acme.md
type: customer
last_contact: 2025-12-19
```

"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Sequence

from bot.edits import NoteEdit, SetProperty
from bot.scope import ENTITY_NOTES

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.vault import VaultIndex

ID = "last-contact"
KEY = "last_contact"
SCOPE = ENTITY_NOTES
OWNED_KEYS: tuple[str, ...] = (KEY,)


@dataclass(frozen=True)
class Options:
    create_missing: bool = field(default=False, metadata={"doc": "also add `last_contact` to entity notes that do not have it."})


def as_date(value: object) -> datetime.date | None:
    """A usable date from a frontmatter value, or None (`unknown`, empty, not a date)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def latest_contact(vault: VaultIndex, entity: str, today: datetime.date) -> datetime.date | None:
    days = (vault.notes[path].date.date for path in vault.related(entity, today))
    dates = [day.first_day() for day in days if day is not None and day.day is not None]
    return max(dates, default=None)


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    """An entity's last contact depends on its own note and its related notes."""
    return delta.entities()


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    for entity in notes:
        note = vault.notes[entity]
        if KEY not in (note.frontmatter or {}) and not options.create_missing:
            continue
        latest = latest_contact(vault, entity, today)
        current = as_date(note.get(KEY))
        if latest is not None and (current is None or latest > current):
            yield NoteEdit(entity, SetProperty(KEY, latest))
