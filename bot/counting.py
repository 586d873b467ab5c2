"""Counts of long loops (notes parsed, notes written) for whoever listens: the CLI's progress line.

The loops live deep in the engine (bot/reading.py, bot/write_back.py) and are
called through layers that have no reason to carry a callback; a context
variable lets the CLI listen for the length of one run without any of those
layers knowing. Nobody listening costs one lookup per call.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator

# listener(stage, done, total): stage "parse" or "write"; done of total notes.
Listener = Callable[[str, int, int], None]
_listener: contextvars.ContextVar[Listener | None] = contextvars.ContextVar("vaultbot_counting", default=None)


@contextlib.contextmanager
def reporting_to(listener: Listener | None) -> Iterator[None]:
    """Send the counts made inside the `with` block to `listener` (None: to nobody)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def counter(stage: str, total: int, scale: int = 1) -> Callable[[int], None] | None:
    """A function to call with how many of `total` are done (times `scale`, capped at `total`),
    or None when nobody listens, so a loop can skip even the call."""
    listener = _listener.get()
    if listener is None:
        return None
    return lambda done: listener(stage, min(done * scale, total), total)
