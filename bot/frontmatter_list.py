"""Rewriting a list value item by item, so that what surrounds the items stays.

A rule that changes a list (`tags`) changes a few items; the comments beside and
between the items (`  - project  # main project`, `  # - old-tag`, a comment
in a multi-line `[...]`), the items it keeps (with their quoting: `2024` stays
unquoted, `"a"` stays quoted) and the list's layout are the user's. The old
items are matched to the new ones by the text Obsidian shows for them
(`scalar_text`); a kept item keeps its bytes, a changed one is rewritten in
its place, a removed one goes with its own line or separator, and a new one is
added beside its neighbours. The caller checks that the result reads back as
the list it asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import NamedTuple


class Item(NamedTuple):
    """One old list item: where its node starts and ends (line, column), and its text."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str


# `position`: the old item's index in the list (`index` would hide the tuple's own method).
class Keep(NamedTuple):
    position: int


class Replace(NamedTuple):
    position: int
    text: str


class Drop(NamedTuple):
    position: int


class Add(NamedTuple):
    text: str


Step = Keep | Replace | Drop | Add
Render = Callable[[str], str]  # the text of one new item as it is written


def steps(old: Sequence[str], new: Sequence[str]) -> list[Step]:
    """The old items, in order, each kept, replaced or dropped, with the new items added between them."""
    result: list[Step] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, list(old), list(new), autojunk=False).get_opcodes():
        if op == "equal":
            result.extend(Keep(i) for i in range(i1, i2))
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        result.extend(Replace(i1 + k, new[j1 + k]) for k in range(paired))
        result.extend(Drop(i) for i in range(i1 + paired, i2))
        result.extend(Add(text) for text in new[j1 + paired : j2])
    return result


def edit_block(
    lines: list[str], items: Sequence[Item], plan: list[Step], dash_column: int, render: Render, newline: str
) -> list[str] | None:
    """`lines` (the key's lines, the key line first) with a block list's items edited;
    None when an item's `- ` line cannot be found (the caller writes the whole key).
    Items added after an old one go right after its lines, before the comment
    lines that follow it; a dropped item takes the blank lines before it along."""
    dash_lines = []
    for n, item in enumerate(items):
        floor = items[n - 1].end[0] + 1 if n else 1
        dash = next((k for k in range(item.start[0], floor - 1, -1) if _is_dash(lines[k], dash_column)), None)
        if dash is None:
            return None
        dash_lines.append(dash)
    pad = lines[dash_lines[0]][:dash_column]
    head: list[str] = []
    actions: list[Step] = []
    added_after: list[list[str]] = []
    for step in plan:
        if isinstance(step, Add):
            (added_after[-1] if actions else head).append(f"{pad}- {render(step.text)}{newline}")
        else:
            actions.append(step)
            added_after.append([])
    out = lines[: dash_lines[0]] + head
    for n, (step, added) in enumerate(zip(actions, added_after)):
        last = _last_line(items[n])
        if isinstance(step, Replace):
            out.extend(_replaced(lines[dash_lines[n] : last + 1], items[n], dash_lines[n], pad, render(step.text), newline))
        elif isinstance(step, Keep):
            out.extend(lines[dash_lines[n] : last + 1])
        else:  # dropped, with the blank lines that set it apart
            while not out[-1].strip():
                out.pop()
        if added and not out[-1].endswith("\n"):
            # The frontmatter's last line may lack its line end: an item added after it needs one.
            out[-1] += newline
        out.extend(added)
        out.extend(lines[last + 1 : dash_lines[n + 1] if n + 1 < len(items) else len(lines)])
    return out


def _replaced(own: list[str], item: Item, dash_line: int, pad: str, text: str, newline: str) -> list[str]:
    """An item's lines with its value replaced by `text`, keeping the comment after it."""
    if len(own) != 1 or item.start[0] != dash_line:
        return [f"{pad}- {text}{newline}"]  # an item over several lines becomes one
    line = own[0]
    rest = line[item.end[1] :]
    if not rest.strip():
        rest = line[len(line.rstrip("\r\n")) :]
    head = line[: item.start[1]] if item.start != item.end else f"{pad}- "  # an empty item: `-` alone
    return [head + text + rest]


def _is_dash(line: str, column: int) -> bool:
    return not line[:column].strip(" ") and line[column : column + 1] == "-" and line[column + 1 : column + 2] in (" ", "\n", "\r", "")


def _last_line(item: Item) -> int:
    # A block scalar's node ends at column 0 of the line after it.
    if item.end[1] == 0 and item.end[0] > item.start[0]:
        return item.end[0] - 1
    return item.end[0]


def edit_flow(text: str, offsets: Sequence[tuple[int, int]], plan: list[Step], render: Render) -> str:
    """`text`, the inside of `[...]`, with its items edited; `offsets` are each old
    item's start and end in it. A kept item keeps the separator after it (its
    comma, line break and comment); a dropped item's comment stays in place."""
    if not offsets:
        return text
    lead, tail = text[: offsets[0][0]], text[offsets[-1][1] :]
    gaps = [text[offsets[n][1] : offsets[n + 1][0]] for n in range(len(offsets) - 1)]
    pieces = [lead]
    separator: str | None = None  # what goes before the next item written
    for step in plan:
        if isinstance(step, Drop):
            if step.position < len(gaps) and "#" in gaps[step.position]:
                comment = gaps[step.position].replace(",", "", 1)
                if separator is None:
                    pieces.append(comment)
                else:  # on a line of its own after the separator's line break: no extra indent
                    separator += comment.lstrip(" \t") if separator.rstrip(" \t").endswith("\n") else comment
            continue
        if separator is not None:
            pieces.append(separator)
        if isinstance(step, Add):
            pieces.append(render(step.text))
            separator = ", "
        else:
            start, end = offsets[step.position]
            pieces.append(text[start:end] if isinstance(step, Keep) else render(step.text))
            separator = gaps[step.position] if step.position < len(gaps) else ", "
    if separator is not None and "#" in separator:
        pieces.append(separator.replace(",", "", 1))
    pieces.append(tail)
    return "".join(pieces)
