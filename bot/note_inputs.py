"""What a note is parsed from: the settings, and the bytes it was read from (their `Source`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple


class Source(NamedTuple):
    """The bytes a note was parsed from, as read from disk (the BOM included)."""

    size: int
    digest: bytes

    @classmethod
    def of(cls, data: bytes) -> Source:
        # SHA-1: with the CPU's SHA instructions half BLAKE2b's cost (0.04 s at 10,000 notes); no one forges their own note.
        return cls(len(data), hashlib.sha1(data).digest())


@dataclass(frozen=True)
class ParseSettings:
    date_keys: tuple[str, ...] = ("date", "meeting_date")
    daily_format: str = "YYYY-MM-DD"
    # The level-2 headings of the sections rules generate: links inside them never count. No default:
    # they are the rules' (rules/__init__.py `generated_headings`, as configured), never the parser's.
    generated_headings: tuple[str, ...] = field(kw_only=True)
    # The `type`s (lower case) of the notes rules write those sections in (None: every note). Only
    # there is a repeated heading a reason to skip the note: a meeting's own two `## Related` are not.
    entity_types: tuple[str, ...] | None = None
