"""What of a note Obsidian does not show as text: code, HTML comments, `%%` comments.

Here rather than in the rule that first needed it (open-tasks) because parsing works it out
too: a note kept without its text (bot/note.py) keeps which of its tasks a comment hides.
"""

from __future__ import annotations

import re
from typing import Callable

from bot.sections import mask_code


def hidden_offsets(text: str) -> Callable[[int], bool]:
    """Whether Obsidian shows the character at an offset as anything but text: in code, in an HTML
    comment, or between two `%%` (one left open hides the rest of the note)."""
    masked = mask_code(text)
    marks = [found.start() for found in re.finditer("%%", masked)]
    closings = [closing + 2 for closing in marks[1::2]] + [len(text)]
    spans = list(zip(marks[0::2], closings))
    return lambda at: masked[at] != text[at] or any(opening <= at < closing for opening, closing in spans)
