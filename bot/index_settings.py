"""The few settings the vault index reads, apart from Obsidian's own (bot/obsidian.py).

`bot/config.py` builds them from `.vaultbot.yaml` and the rules' declarations
(rules/__init__.py), so the index depends on neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.markdown import find_wikilinks_in_value

if TYPE_CHECKING:
    from bot.lazy_notes import NoteFacts


@dataclass(frozen=True)
class IndexSettings:
    entity_types: tuple[str, ...] = ("customer", "person", "project", "company", "partner")
    resolve_aliases: bool = True  # a link matching no note but one note's alias opens that note
    # The frontmatter key that marks a note as a duplicate of the note it names (a
    # marked duplicate is no related note); None when no rule declares one.
    duplicate_key: str | None = None
    rule_ids: tuple[str, ...] = ()  # what a note's `vaultbot: {skip: [...]}` can name; empty: not checked


def duplicate_mark(note: NoteFacts, key: str | None) -> str | None:
    """The link target of the note's duplicate mark (a wikilink, or plain text naming a note), if any."""
    value = note.get(key) if key is not None else None
    if not isinstance(value, str) or not value.strip():
        return None
    links = find_wikilinks_in_value(value)
    return links[0].target if links else value.strip()
