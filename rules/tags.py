"""Frontmatter `tags` that follow the note's type, tidy and valid.

## What it does
Regenerates frontmatter `tags`. For each `derive` entry (default
`{type: "type/{value}"}`) the tag built from the note's current field value is
present, first, and stale tags of the same family (`type/*`) are removed. All
other tags keep their order and are normalized: no leading `#`, no surrounding
spaces, inner spaces become `-`, empty items dropped, duplicates removed
case-insensitively (the first spelling wins). A string of tags becomes a YAML
list: split at commas when it has any (`a, follow up` is `a` and `follow-up`),
else at spaces. A list keeps its flow or block style, and is edited item by
item: the items kept keep their quoting, and comments in and after the list
stay. Tags that Obsidian rejects (only digits, or characters other than
letters, digits, emoji and `_ - /`) are reported, not dropped or rewritten. A
note whose field is missing keeps its family tags as they are: there is
nothing to derive them from.

It writes only when the tags Obsidian shows change: empty placeholder items
(`tags:` with a lone `- `), `tags: []`, quoting (`[2024]` against `["2024"]`)
and flow or block style are never a reason to write.

`tag` and `Tags` are not `tags`: Obsidian deprecated `tag` in 1.4 and no
longer reads it as tags since 1.9 (its help page on properties), and `Tags`
is another key to YAML and to most tools. A note with such a key is reported
and its tags left alone, so that no second `tags` key appears silently beside
it; with `merge_tag_keys: true` their values move into `tags` (after its own)
and the old key is removed, the conversion Obsidian's help recommends.

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

"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.edits import DeleteProperty, NoteEdit, Report, SetProperty
from bot.scope import EVERY_NOTE
from bot.yaml_reader import scalar_text

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.note import Note
    from bot.vault import VaultIndex

ID = "tags"
SCOPE = EVERY_NOTE
OWNED_KEYS: tuple[str, ...] = ("tags",)
_COMMAS = re.compile(r"\s*,\s*")
_SPACES = re.compile(r"\s+")
_EMOJI_JOINERS = {"\u200d", "\ufe0f", "\ufe0e"}


@dataclass(frozen=True)
class Options:
    derive: dict = field(
        default_factory=lambda: {"type": "type/{value}"},
        metadata={"type": dict, "doc": "frontmatter field -> tag template; `{value}` is the field's value."},
    )
    merge_tag_keys: bool = field(
        default=False,
        metadata={"doc": "move the values of `tag` and of `tags` spelled in another case (`Tags`) into `tags`, removing the old key."},
    )


# A vault's notes share a few dozen tags: each is normalized and judged once (both pure).
@functools.lru_cache(maxsize=4096)
def normalize(tag: str) -> str:
    return _SPACES.sub("-", tag.strip().lstrip("#").strip())


@functools.lru_cache(maxsize=4096)
def is_valid_tag(tag: str) -> bool:
    """Obsidian's rule: at least one non-digit; only letters, digits, emoji, `_`, `-`, `/`."""
    if not tag or tag.isdigit() or all(ch.isdigit() or ch == "/" for ch in tag):
        return False
    return all(ch.isalnum() or ch in "_-/" or ch in _EMOJI_JOINERS or unicodedata.category(ch) in ("So", "Sk", "Mn") for ch in tag)


def _current_tags(value: object) -> list[str] | None:
    """The tags as Obsidian shows them (empty items left out); None when `tags` is something else (a mapping)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (_COMMAS if "," in value else _SPACES).split(value.strip()) if part]
    if isinstance(value, list) and all(not isinstance(item, (dict, list)) for item in value):
        return [text for text in map(scalar_text, value) if text.strip()]
    return None


def _other_tag_keys(frontmatter: Mapping[str, object]) -> list[str]:
    """Keys that look like `tags` and are not it: `tag`, `Tags`, `TAG`."""
    return [key for key in frontmatter if isinstance(key, str) and key != "tags" and key.lower() in ("tag", "tags")]


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


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    for path in notes:
        note = vault.notes[path]
        if note.frontmatter is None:
            continue
        raw = note.frontmatter.get("tags")
        current = _current_tags(raw)
        if current is None:
            shape = "a mapping" if isinstance(raw, dict) else "a list with nested items" if isinstance(raw, list) else repr(raw)
            yield NoteEdit(path, Report(f"tags is {shape}, not a list of tags; left as it is"))
            continue
        others = _other_tag_keys(note.frontmatter)
        if others and not options.merge_tag_keys:
            for key in others:
                why = "is deprecated (Obsidian 1.9 no longer reads it)" if key.lower() == "tag" else "is 'tags' in another case"
                yield NoteEdit(path, Report(f"{key!r} {why}; tags left as they are (merge_tag_keys: true moves it into 'tags')"))
            continue
        merged = list(current)
        for key in others:
            values = _current_tags(note.frontmatter[key])
            if values is None:
                yield NoteEdit(path, Report(f"{key!r} is not a list of tags; left as it is"))
                break
            merged.extend(values)
        else:
            yield from _tag_edits(path, note, raw, current, merged, others, options)


def _tag_edits(
    path: str, note: Note, raw: object, shown: list[str], current: list[str], others: list[str], options: Options
) -> Iterator[NoteEdit]:
    derived, families = _derived(note, options)
    wanted = tidy(current, derived, families)
    for tag in wanted:
        if not is_valid_tag(tag):
            yield NoteEdit(path, Report(f"tag {tag!r} is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)"))
    # Only a change Obsidian shows is written: not quoting, style or empty placeholder items.
    # A string of several tags is one Obsidian marks invalid: it becomes a list.
    several_in_a_string = isinstance(raw, str) and len(shown) > 1
    changed = wanted != shown or several_in_a_string or others
    if changed and (raw is not None or wanted or others):
        yield NoteEdit(path, SetProperty("tags", wanted))
    for key in others:
        yield NoteEdit(path, DeleteProperty(key))
