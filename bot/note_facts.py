"""What the vault index reads of a note besides its links: its name without `.md`, its aliases,
whether it is dated after a day, how a report names its path, and what other notes see of it."""

from __future__ import annotations

import datetime
import unicodedata

from bot.index_settings import duplicate_mark
from bot.markdown import fold
from bot.note import Note


def without_md(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


def file_name(path: str) -> str:
    """A note's file name as links name it: folded, without `.md` (bot/markdown.py `link_name`)."""
    return fold(without_md(path)).rsplit("/", 1)[-1]


def aliases(note: Note) -> list[str]:
    found: list[str] = []
    for key in ("aliases", "alias"):
        value = note.get(key)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found.extend(v.strip() for v in values if isinstance(v, str) and v.strip())
    return found


def not_after(note: Note, today: datetime.date) -> bool:
    """Undated, or dated no later than `today`."""
    date = note.date.date
    return date is None or date.first_day() <= today


def identity(note: Note, mark_key: str | None) -> tuple:
    """What other notes see of a note besides its links and contents: its type, aliases and title,
    and its duplicate mark (closing or opening a loop of marks shows or hides every note in it)."""
    return note.type, tuple(aliases(note)), note.title, duplicate_mark(note, mark_key)


def told_apart(path: str) -> str:
    """A path as a report names it: an NFD twin looks exactly like its NFC twin, so it says which it is."""
    if unicodedata.is_normalized("NFC", path):
        return path
    return f"{path} (NFD)" if unicodedata.is_normalized("NFD", path) else f"{path} (not NFC)"
