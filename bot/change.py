"""One note's planned change: what a run writes (or would write) to one path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    path: str
    rules: tuple[str, ...]
    before: bytes
    after: bytes
    destination: str | None = None  # the note moves there (written at the new path, removed here)
    requires: tuple[str, ...] = ()  # written only with the changes to these notes (bot/together.py)
