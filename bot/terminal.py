"""What the CLI's output streams need beyond print: UTF-8 off a console, a reader
that stops reading (`| head`), and git's colours for a diff.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import TextIO

# git's default diff colours (color.diff.*): meta bold, frag cyan, old red, new green.
BOLD, CYAN, RED, GREEN, RESET = "\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[32m", "\x1b[m"
_META = ("diff --git ", "--- ", "+++ ", "rename from ", "rename to ")


def use_utf8_off_console() -> None:
    """Write UTF-8 wherever the output is not a console (a pipe, a file, a CI log).

    Python's default there is the locale's code page (cp1252 on most Windows
    machines, or whatever PYTHONIOENCODING says), where a note named in Chinese or
    with an emoji cannot be written at all: the run would die printing its own
    result. A console keeps its own encoding (Windows writes it as UTF-16 anyway).
    Names that are not valid Unicode (undecodable bytes on POSIX) go to stdout as
    their original bytes and to stderr as a replacement character.
    """
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "replace")):
        if isinstance(stream, io.TextIOWrapper) and not _is_terminal(stream):
            stream.reconfigure(encoding="utf-8", errors=errors)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


def wants_colour(choice: str, stream: TextIO) -> bool:
    """`--color`: always, never, or (auto) on a terminal unless NO_COLOR is set to anything but empty.

    An explicit `always` wins over NO_COLOR, as no-color.org asks of command-line flags."""
    if choice != "auto":
        return choice == "always"
    return _is_terminal(stream) and not os.environ.get("NO_COLOR")


def colour_diff(diff: str) -> str:
    """One note's unified diff coloured as `git diff` colours it; each colour is closed before its line's end.

    Header lines are bold only before the first hunk: after it, `--- x` is a removed line `-- x`."""
    out = []
    in_header = True
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\n")
        end = line[len(body) :]
        in_header = in_header and not body.startswith("@@")
        colour = BOLD if in_header and body.startswith(_META) else _colour_of(body)
        out.append(f"{colour}{body}{RESET}{end}" if colour else line)
    return "".join(out)


def _colour_of(line: str) -> str:
    if line.startswith("@@"):
        return CYAN
    if line.startswith("-"):
        return RED
    if line.startswith("+"):
        return GREEN
    return ""


def reader_gone(error: OSError) -> bool:
    """Whether writing failed because the reading end of the pipe was closed: EPIPE, or on
    Windows EINVAL, which is what a write to a pipe closed there raises."""
    return isinstance(error, BrokenPipeError) or (sys.platform == "win32" and error.errno == errno.EINVAL)


def stdout_closed() -> None:
    """The reader of stdout went away (`vaultbot run --dry-run | head -3`): stop writing, quietly.

    What is left in stdout's buffer can never be written, and Python would try at
    exit and print "Exception ignored ... BrokenPipeError"; pointing stdout at the
    null device lets the run end with the exit code it would have had."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
