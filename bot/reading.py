"""Reading and parsing notes from disk, on every core when there are many.

Parsing is most of a cold run: libyaml, links, dates and summaries for
every note, all of it CPU work in one interpreter. With more than
`PARALLEL_FROM` notes to parse, the files are split between this process and
forked children; each child parses its share and sends the parsed notes back
through a pipe as a pickle, without the text of the notes that do not keep it
(bot/note.py), which was most of the pickle. Forking (not spawning) means the
children start in a few milliseconds with the code and settings already loaded.

It stays serial where a fork is not safe or not possible (bot/forked.py: Windows, other
threads running, as in the daemon) and on one core. A child that fails in any way costs
only time: its share is parsed again here.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from pathlib import Path
from typing import Callable, Iterator, Mapping, NamedTuple

from bot import forked
from bot.counting import counter
from bot.note import BadNote, Note, ParseSettings, Source, decode, keeps_text, parse_note
from bot.note_shared import sharing
from bot.scan import FileStat

# Below this, a fork and a pickle cost more than they save.
PARALLEL_FROM = 1_000


class Unusable(NamedTuple):
    """A note that cannot be used, and why."""

    reason: str
    lasting: bool  # the file itself is bad (cacheable), not a failure to read it (try again next run)


def read_note(root: Path, path: str, stat: FileStat, settings: ParseSettings) -> Note:
    """Parse one note from disk; BadNote or OSError when it cannot be used. A note rules write no
    sections in is kept without its text (bot/note.py), here, before a child pickles it."""
    with open(os.path.join(root, path), "rb") as stream:
        data = stream.read()
    text, bom = decode(path, data)
    note = parse_note(path, text, bom, stat, settings)
    return note if keeps_text(note, settings) else note.without_text(Source.of(data))


def _parse_serially(
    root: Path, files: list[tuple[str, FileStat]], settings: ParseSettings, report: Callable[[int], None] | None = None
) -> list[Note | Unusable]:
    results: list[Note | Unusable] = []
    for path, stat in files:
        try:
            results.append(read_note(root, path, stat, settings))
        except BadNote as error:
            results.append(Unusable(str(error), lasting=True))
        except OSError as error:
            results.append(Unusable(f"cannot be read: {error.strerror or error}", lasting=False))
        if report is not None:
            report(len(results))
    return results


def _workers() -> int:
    return forked.cores() if forked.fork_safe() else 1


def parse_files(
    root: Path, files: Mapping[str, FileStat], settings: ParseSettings, workers: int | None = None
) -> dict[str, Note | Unusable]:
    """Each file parsed, in the order given: its note, or why it cannot be used."""
    with _cycle_collection_paused(), sharing():  # equal strings and dates, one object (bot/note_shared.py)
        return _parse_files(root, files, settings, workers)


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while notes are parsed or unpickled: parsing leaves next to
    no cycles behind (a handful per thousand notes), but the collector, run every few hundred new
    objects, walks the ever larger set of notes kept so far, a quarter of the parse's CPU."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_files(
    root: Path, files: Mapping[str, FileStat], settings: ParseSettings, workers: int | None = None
) -> dict[str, Note | Unusable]:
    items = list(files.items())
    workers = _workers() if workers is None else workers
    if workers < 2 or len(items) < PARALLEL_FROM:
        return dict(zip(files, _parse_serially(root, items, settings, counter("parse", len(items)))))
    shares = [items[index::workers] for index in range(workers)]  # interleaved: big notes cluster by folder
    children = [forked.start(functools.partial(_parse_serially, root, share, settings)) for share in shares[1:]]
    # Only this process counts (bot/counting.py): the children parse shares of the same size at
    # about its pace, so its own count times the number of shares is what is shown until they report.
    count = counter("parse", len(items), scale=len(shares))
    results = {path: result for (path, _), result in zip(shares[0], _parse_serially(root, shares[0], settings, count))}
    for share, child in zip(shares[1:], children):
        parsed = forked.answer(child, list) if child is not None else None
        if parsed is None or len(parsed) != len(share):
            parsed = _parse_serially(root, share, settings)
        results.update(zip((path for path, _ in share), parsed))
    if count is not None:
        count(len(items))
    return {path: results[path] for path in files}
