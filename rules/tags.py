"""Frontmatter `tags` that follow the note's type, tidy and valid.

## What it does
Regenerates frontmatter `tags`. For each `derive` entry (default
`{type: "type/{value}"}`) the tag built from the note's current field value is
present, first, and stale tags of the same family (`type/*`) are removed. All
other tags keep their order and are normalized: no leading `#`, no surrounding
spaces, inner spaces become `-`, empty items dropped, duplicates removed
case-insensitively (the first spelling wins). A comma- or space-separated
string becomes a YAML list; a list keeps its flow or block style. Tags that
Obsidian rejects (only digits, or characters other than letters, digits, emoji
and `_ - /`) are reported, not dropped. A note whose field is missing keeps its
family tags as they are: there is nothing to derive them from.

## Why
Tags drift: a note retyped from `meeting` to `call` keeps `type/meeting`, and
scripts write `tags: 'a, b'`, which Obsidian marks invalid.

## Example
```yaml
type: call
tags: "#type/meeting, follow up, Follow up"
```

Use instead:
```yaml
type: call
tags:
  - type/call
  - follow-up
```

## Options
- `derive` (default `{type: "type/{value}"}`): frontmatter field -> tag
  template; `{value}` is the field's value.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from bot.edits import NoteEdit, Report, SetProperty

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.note import Note
    from bot.vault import VaultIndex

ID = "tags"
_SEPARATORS = re.compile(r"[,\s]+")
_SPACES = re.compile(r"\s+")
_EMOJI_JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}


@dataclass(frozen=True)
class Options:
    derive: dict = field(default_factory=lambda: {"type": "type/{value}"}, metadata={"type": dict})


def normalize(tag: str) -> str:
    return _SPACES.sub("-", tag.strip().lstrip("#").strip())


def is_valid_tag(tag: str) -> bool:
    """Obsidian's rule: at least one non-digit; only letters, digits, emoji, `_`, `-`, `/`."""
    if not tag or tag.isdigit() or all(ch.isdigit() or ch == "/" for ch in tag):
        return False
    return all(
        ch.isalnum() or ch in "_-/" or ch in _EMOJI_JOINERS or unicodedata.category(ch) in ("So", "Sk", "Mn")
        for ch in tag
    )


def _current_tags(value: object) -> list[str] | None:
    """The tags as a list of strings; None when `tags` is something else (a mapping)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in _SEPARATORS.split(value) if part]
    if isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
        return ["" if item is None else str(item) for item in value]
    return None


def _derived(note: Note, options: Options) -> tuple[list[str], list[str]]:
    """(tags derived from the note's fields, the families whose other members are stale)."""
    tags, families = [], []
    for key, template in options.derive.items():
        value = note.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            tags.append(normalize(template.replace("{value}", str(value).strip())))
            families.append(template.split("{value}", 1)[0].lower())
    return tags, families


def tidy(current: list[str], derived: list[str], families: list[str]) -> list[str]:
    """Derived tags first, then the others in order, normalized, without stale or repeated tags."""
    derived_folded = {tag.lower() for tag in derived}
    seen: set[str] = set()
    result = []
    for tag in [*derived, *map(normalize, current)]:
        folded = tag.lower()
        if not tag or folded in seen:
            continue
        if folded not in derived_folded and any(family and folded.startswith(family) for family in families):
            continue
        seen.add(folded)
        result.append(tag)
    return result


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    """A note's tags depend on that note alone."""
    return delta.paths


def check(vault: VaultIndex, options: Options, today: datetime.date, targets: frozenset[str] | None = None) -> Iterator[NoteEdit]:
    for path, note in vault.notes.items():
        if note.frontmatter is None or (targets is not None and path not in targets):
            continue
        raw = note.frontmatter.get("tags")
        current = _current_tags(raw)
        if current is None:
            shape = "a mapping" if isinstance(raw, dict) else "a list with nested items" if isinstance(raw, list) else repr(raw)
            yield NoteEdit(path, Report(f"tags is {shape}, not a list of tags; left as it is"))
            continue
        derived, families = _derived(note, options)
        wanted = tidy(current, derived, families)
        for tag in wanted:
            if not is_valid_tag(tag):
                yield NoteEdit(path, Report(f"tag {tag!r} is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)"))
        if raw is None and not wanted:  # missing or bare `tags:`: nothing to write
            continue
        if not isinstance(raw, list) or wanted != raw:
            yield NoteEdit(path, SetProperty("tags", wanted))
