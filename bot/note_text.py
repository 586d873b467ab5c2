"""The text of a note kept without it, read again from disk when the engine needs it.

Parsing keeps most notes without their text (bot/note.py): the engine reads it
again for a note a rule edits (to render the edits onto), for the diff of such a
note, and for `vaultbot explain`. The bytes must be those the note was parsed
from (its `source`: size and digest): every fact rules decided on came from them.
A file that no longer matches was changed while vaultbot ran; its edits are
dropped with a problem naming it, never rendered onto other bytes, and the next
run parses the note as it is then.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Callable

from bot.errors import NoteError
from bot.note import BadNote, Note, Source, decode
from bot.problem import Problem

CHANGED = "changed while vaultbot ran; not written (the next run picks up the change)"
GONE = "removed or renamed while vaultbot ran; not written (the next run picks up the change)"  # bot/write_back.py's


class ChangedWhileRunning(NoteError):
    """The note's file is gone or holds other bytes than those it was parsed from."""


def with_text(root: Path, note: Note) -> Note:
    """`note` with its text: itself when it kept it, else read again from disk and checked
    against `source`; ChangedWhileRunning when the file no longer holds those bytes."""
    if note.text is not None:
        return note
    try:
        with open(os.path.join(root, note.path), "rb") as stream:
            data = stream.read()
    except FileNotFoundError:
        raise ChangedWhileRunning(GONE) from None
    except OSError as error:
        raise ChangedWhileRunning(f"cannot be read again: {error.strerror or error}; not written") from None
    if note.source is None or Source.of(data) != note.source:
        raise ChangedWhileRunning(CHANGED)
    try:
        text, _ = decode(note.path, data)
    except BadNote:  # the same bytes decoded when parsed: only a defect gets here
        raise ChangedWhileRunning(CHANGED) from None
    return note.with_text(text)


TextReader = Callable[[Note], Note]  # `with_text` of one vault: the note with its text, or ChangedWhileRunning


def reader(root: Path) -> TextReader:
    return functools.partial(with_text, root)


def text_to_edit(read_text: TextReader, note: Note, read_again: dict[str, Note], unread: set[str], problems: list[Problem]) -> Note | None:
    """The note a rule edits, with its text: read again (`read_text`) once a run (`read_again`) when it was kept without it;
    None when its file changed since it was parsed: the note is not edited, and says so (once a run)."""
    if note.text is None and note.path not in read_again and note.path not in unread:
        try:
            read_again[note.path] = read_text(note)
        except ChangedWhileRunning as error:
            problems.append(Problem(note.path, str(error)))
            unread.add(note.path)
    return note if note.text is not None else read_again.get(note.path)
