"""Progress of a run on a terminal: notes scanned, parsed and written as they go, rules applied.

Shown on stderr only when it is a terminal and the vault has more than
`THRESHOLD` notes: a small vault finishes before anyone would read it, and a
log file, a pipe, `-q` or `--format json` must not receive carriage returns.
The line is rewritten in place, the parse counter at most `REFRESH_PER_SECOND`
times a second (a terminal drawing every note would slow the parse it counts),
and erased when the run is done, so the run's own output starts on a clean line.
"""

from __future__ import annotations

import time
from typing import TextIO

THRESHOLD = 2_000
REFRESH_PER_SECOND = 10
_ERASE = "\r\x1b[K"


class TerminalProgress:
    """A `bot.runner.Progress` callback that rewrites one status line on `stream`."""

    def __init__(self, stream: TextIO, threshold: int = THRESHOLD) -> None:
        self.stream = stream
        self.threshold = threshold
        self.active = False
        self.notes = 0
        self.shown_at = float("-inf")

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        if stage == "scan":
            self.notes = total
            self.active = total > self.threshold
            self._show(f"{total:,} notes scanned; parsing...")
        elif stage == "parse":
            self._show(f"{total:,} notes parsed")
        elif stage == "rule" and done < total:
            self._show(f"{self.notes:,} notes; rule {done + 1}/{total}: {detail}")
        elif stage == "rule":
            self._show(f"{self.notes:,} notes; {total} rules applied")

    def counted(self, stage: str, done: int, total: int) -> None:
        """A `bot.counting` listener: `parsing 4,812/20,000 notes` (or `writing`), redrawn at most
        REFRESH_PER_SECOND times a second; the first count and the last are always drawn."""
        now = time.monotonic()
        if 0 < done < total and now - self.shown_at < 1 / REFRESH_PER_SECOND:
            return
        self.shown_at = now
        self._show(f"{'parsing' if stage == 'parse' else 'writing'} {done:,}/{total:,} notes")

    def _show(self, message: str) -> None:
        if self.active:
            self.stream.write(f"{_ERASE}vaultbot: {message}")
            self.stream.flush()

    def close(self) -> None:
        """Erase the status line, if one was shown."""
        if self.active:
            self.stream.write(_ERASE)
            self.stream.flush()
            self.active = False


class VerboseLog:
    """`-v`: one log line per stage with the time since the run started, on any stream."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        if stage == "scan":
            message = f"{total:,} notes scanned"
        elif stage == "parse":
            message = f"{total:,} notes parsed"
        elif stage == "delta":
            message = f"{done:,} notes edited since the last clean run; the rules check what those affect"
        elif stage == "write":
            message = f"{done:,} of {total:,} notes written"
        elif stage == "commit":  # the detail is the commit stage's own time, the blobs stored before the writes included
            message = f"{total:,} notes committed; the commit stage took {detail}"
        elif stage == "remembered":
            message = (
                f"the vault is as the last clean run left it (recognised by {detail}): its warnings replayed, no note read, no rule run"
            )
        elif done < total:
            message = f"rule {done + 1}/{total}: {detail}"
        else:
            message = f"{total} rules applied"
        print(f"vaultbot: {time.perf_counter() - self.started:7.3f}s {message}", file=self.stream, flush=True)

    def close(self) -> None:
        pass


def for_run(stream: TextIO, *, quiet: bool, json_output: bool, verbose: bool = False) -> TerminalProgress | VerboseLog | None:
    """The progress display a run should use, or None: not with -q or JSON, not off a terminal."""
    if verbose:
        return VerboseLog(stream)
    if quiet or json_output:
        return None
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        return None
    return TerminalProgress(stream) if interactive else None
