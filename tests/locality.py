"""An independent oracle for locality: what a run may change in a note.

The rules own the frontmatter keys and the body sections (each up to the next
heading) they declare (rules/__init__.py: `OWNED_KEYS`, options marked
`generated_section`, with their default headings), read from the registry at
each call, so a rule registered later is honoured too. Everything else must
come out byte for byte: this module
cuts the owned parts out of a note's text and compares what is left, without
using vaultbot's own parser. (open-tasks also ticks a task ticked in its roll-up
in the task's own note: tests/rules/test_open_tasks.py checks those bytes exactly.)
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from rules import default_generated_headings, owned_keys

_CLOSING = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_TOP_LEVEL_KEY = re.compile(r"""^(?:"[^"\n]*"|'[^'\n]*'|[^\s#"'\-?][^:\n]*?|-[^\s:\n][^:\n]*?)[ \t]*:(?:[ \t]|\r?\n|$)""")
_HEADING = re.compile(r"^#{1,6}[ \t]+\S[^\n]*$|^#{1,6}[ \t]*\r?$", re.MULTILINE)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _managed_heading() -> re.Pattern[str]:
    """A heading line of a section some registered rule generates."""
    names = "|".join(map(re.escape, default_generated_headings()))
    return re.compile(r"^##[ \t]+(?:" + names + r")[ \t]*#*[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)


def split(text: str) -> tuple[str, str | None, str, str]:
    """(opening fence, frontmatter YAML or None, closing fence line, body)."""
    for fence in ("---\n", "---\r\n"):
        if text.startswith(fence):
            closing = _CLOSING.search(text, len(fence))
            if closing is None:
                return "", None, "", text
            body_start = min(closing.end() + 1, len(text))
            return fence, text[len(fence) : closing.start()], text[closing.start() : body_start], text[body_start:]
    return "", None, "", text


def _key_of(line: str) -> str | None:
    match = _TOP_LEVEL_KEY.match(line)
    if not match:
        return None
    key = match.group(0).rstrip().rstrip(":").rstrip()
    return key[1:-1] if key[:1] in "\"'" and key[-1:] == key[:1] else key


def unmanaged_frontmatter(yaml_text: str) -> str:
    """The YAML text without the lines of the managed keys.

    A key's lines run to the next top-level key, less trailing blank and
    column-0 comment lines (those sit between keys and belong to neither).
    """
    lines = yaml_text.splitlines(keepends=True)
    starts = [(index, _key_of(line)) for index, line in enumerate(lines) if _key_of(line) is not None]
    drop: set[int] = set()
    managed = owned_keys()
    for position, (index, key) in enumerate(starts):
        if key not in managed:
            continue
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        while end > index + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        drop.update(range(index, end))
    return "".join(line for index, line in enumerate(lines) if index not in drop)


def unmanaged_body(body: str) -> str:
    """The body without the managed sections (each from its heading line up to the next heading)."""
    managed = _managed_heading()
    while (found := managed.search(body)) is not None:
        following = _HEADING.search(body, found.end())
        body = body[: found.start()] + body[following.start() if following else len(body) :]
    return body


def residue(data: bytes) -> tuple[str, str, str, str]:
    """(BOM and opening fence, frontmatter outside managed keys, closing fence, body outside the managed section)."""
    text = data.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    fence, yaml_text, closing, body = split(text[len(bom) :])
    return bom + fence, unmanaged_frontmatter(yaml_text) if yaml_text is not None else "", closing, unmanaged_body(body)


def unmanaged_properties(data: bytes) -> dict[str, Any] | None:
    text = data.decode("utf-8").lstrip("\ufeff")
    _, yaml_text, _, _ = split(text)
    if yaml_text is None:
        return None
    loaded = yaml.load(yaml_text, Loader=_SafeLoader) or {}
    managed = owned_keys()
    return {key: value for key, value in loaded.items() if key not in managed}


def locality_violations(before: bytes, after: bytes) -> list[str]:
    """What changed outside the parts the rules own; [] when the change is local."""
    problems = []
    old, new = residue(before), residue(after)
    old_properties, new_properties = unmanaged_properties(before), unmanaged_properties(after)
    if old_properties is None:  # a rule may add a frontmatter block holding only managed keys
        if new_properties:
            problems.append(f"new frontmatter keys outside the managed ones: {sorted(new_properties)}")
        if old[0].startswith("\ufeff") != new[0].startswith("\ufeff"):
            problems.append("the BOM changed")
        if old[3] != new[3]:
            problems.append("body outside the managed section changed")
        return problems
    if old[0] != new[0] or old[2] != new[2]:
        problems.append(f"BOM or fences changed: {old[0]!r} {old[2]!r} -> {new[0]!r} {new[2]!r}")
    if old[1] != new[1]:
        problems.append(f"frontmatter lines outside managed keys changed:\n{old[1]!r}\n{new[1]!r}")
    if old_properties != new_properties:
        problems.append(f"parsed frontmatter outside managed keys changed: {old_properties!r} -> {new_properties!r}")
    if old[3] != new[3]:
        problems.append("body outside the managed section changed")
    return problems
