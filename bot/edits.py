"""What a rule asks for: edits as data. Rules return them; the engine applies them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Union


@dataclass(frozen=True)
class SetProperty:
    """Set one frontmatter key; every other byte of the frontmatter stays."""

    key: str
    value: object


@dataclass(frozen=True)
class DeleteProperty:
    """Remove one frontmatter key the rule owns; every other byte stays."""

    key: str


@dataclass(frozen=True)
class ReplaceSection:
    """Regenerate the section under a level-2 heading (heading, blank line, lines, blank line)."""

    heading: str
    lines: tuple[str, ...]
    create: bool = False  # add the section when the note has none


@dataclass(frozen=True)
class Report:
    """Something a person should look at; changes nothing."""

    message: str


Edit = Union[SetProperty, DeleteProperty, ReplaceSection, Report]


class NoteEdit(NamedTuple):
    path: str
    edit: Edit
