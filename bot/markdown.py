"""Obsidian Markdown structure: what is code, where links and headings are.

Pure functions on strings. Code and HTML comments are hidden with
`mask_code` (bot/sections.py), which keeps offsets intact, so a match in the
masked text is a match at the same offsets in the note.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import NamedTuple, Sequence
from urllib.parse import quote, unquote

# Re-exported: headings and sections were found here before bot/sections.py took them over.
from bot.sections import Heading as Heading
from bot.sections import find_headings as find_headings
from bot.sections import find_section as find_section
from bot.sections import mask_code


class Link(NamedTuple):
    """One wikilink, embed or internal markdown link, as written in the note.

    A named tuple, not a frozen dataclass: notes hold tens of thousands of links,
    and a tuple is several times cheaper to build, to cache and to send between
    processes (bot/reading.py)."""

    target: str  # trimmed, without #subpath; "" for [[#Heading]]; markdown: decoded
    subpath: str  # "", "#Heading" or "#^blockid"
    display: str | None  # None for a wikilink without "|"
    embed: bool  # ![[...]] or ![...](...)
    markdown: bool  # [text](target) rather than a wikilink
    start: int  # offset of "[" or of the embed's "!"
    end: int  # offset just past "]]" or ")"


# A named tuple built from a tuple: its class's `__new__` is a Python function, and a note's links
# and tasks are built by the tens of thousands.
_new_link = functools.partial(tuple.__new__, Link)

# One regex for both kinds, starting with a literal "[" so the engine can
# jump between brackets; a "!" before it (an embed) is checked by hand.
# Wikilinks come first so `[[x]](y)` is a wikilink. A wikilink's inside may
# hold single brackets but never "[[" (the last "[[" starts the link) nor
# "]]" (the first "]]" ends it).
_WIKILINK_INSIDE = r"(?P<wiki>[^\[\]\n]*(?:(?:\[(?!\[)|\](?!\]))[^\[\]\n]*)*)"
_LINK = re.compile(
    r"\[(?:\[" + _WIKILINK_INSIDE + r"\]\]"
    r"|(?P<md_text>[^\[\]\n\\]*(?:\\.[^\[\]\n\\]*)*)\]\([ \t]*"
    r"(?:<(?P<md_angle>[^<>\n]*)>|(?P<md_bare>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+))"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\))"""
)
_WIKILINK = re.compile(r"\[\[" + _WIKILINK_INSIDE + r"\]\]")
_ONE_LINK = re.compile(r"\[\[[^\[\]\n]*\]\]")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def fold(text: str) -> str:
    """The form Obsidian compares link paths in: NFC, lower case."""
    return unicodedata.normalize("NFC", text).lower()


def link_name(target: str) -> str:
    """The file name a link target can open, folded and without `.md`: the link resolves only
    to a note with that name, or through an alias ending in it (bot/vault.py)."""
    # Kept for the next link to the same target (a note's links are mostly to a few hundred entities,
    # and each of its notes' names then is one string); a long target is worked out every time.
    return _kept_link_name(target) if len(target) <= _KEPT_UP_TO else _link_name(target)


_KEPT_UP_TO = 200  # characters


def _link_name(target: str) -> str:
    target = target.strip()
    if target.startswith(("./", "../")):
        target = posixpath.normpath(target)
    name = fold(target).rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".md") else name


_kept_link_name = functools.lru_cache(maxsize=8192)(_link_name)


def find_links(text: str, masked: str | None = None, skip: Sequence[tuple[int, int]] = ()) -> list[Link]:
    """Every wikilink, embed and internal markdown link outside code, in order. `masked`:
    `mask_code(text)` when the caller has it already (parsing masks once for links and tasks).
    `skip`: spans, in order, each from a line start to a line start, whose links are not wanted
    (generated sections); a link never spans lines, so none is cut by them."""
    if "[[" not in text and "](" not in text:
        return []
    scanned = mask_code(text) if masked is None else masked
    links: list[Link] = []
    position = 0
    for skip_start, skip_end in (*skip, (len(text), len(text))):
        if skip_start > position:
            _links_between(text, scanned, position, skip_start, links)
        position = max(position, skip_end)
    return links


def _links_between(text: str, scanned: str, begin: int, stop: int, links: list[Link]) -> None:
    """Append the links found in text[begin:stop] (`scanned`: the text with code masked)."""
    for found in _LINK.finditer(scanned, begin, stop):
        bracket, end = found.span()
        start = bracket - 1 if bracket and scanned[bracket - 1] == "!" else bracket
        if found.group("wiki") is not None:
            # Sliced from the note, not the masked text: inline code inside
            # the brackets is part of the target.
            link = _wikilink(text[bracket + 2 : end - 2], start, end, embed=start < bracket)
        else:
            link = _markdown_link(text, found, start)
        if link is not None:
            links.append(link)


def find_wikilinks_in_value(value: str) -> list[Link]:
    """Wikilinks in one frontmatter string value; offsets relative to it."""
    if "[[" not in value:
        return []
    links = []
    for found in _WIKILINK.finditer(value):
        bracket, end = found.span()
        start = bracket - 1 if bracket and value[bracket - 1] == "!" else bracket
        link = _wikilink(value[bracket + 2 : end - 2], start, end, embed=start < bracket)
        if link is not None:
            links.append(link)
    return links


def _wikilink(inside: str, start: int, end: int, embed: bool) -> Link | None:
    if "|" not in inside and "#" not in inside:  # most links: the target alone, built at once
        target = inside.strip()
        return _new_link((target, "", None, embed, False, start, end)) if target else None
    if "\\|" in inside:
        # Inside a table `\|` stands for the pipe; elsewhere it is the same link.
        inside = inside.replace("\\|", "|")
    path, has_display, display = inside.partition("|")
    target, hash_sign, heading = path.partition("#")
    target = target.strip()
    subpath = (hash_sign + heading).strip()
    if not target and not subpath:
        return None
    return Link(
        target=target,
        subpath=subpath,
        display=display.strip() if has_display else None,
        embed=embed,
        markdown=False,
        start=start,
        end=end,
    )


def _markdown_link(text: str, found: re.Match[str], start: int) -> Link | None:
    destination_group = "md_angle" if found.group("md_angle") is not None else "md_bare"
    destination = text[found.start(destination_group) : found.end(destination_group)]
    path, hash_sign, heading = destination.partition("#")
    # Pure anchors point into the same rendered page; URLs leave the vault.
    if not path.strip() or _URL_SCHEME.match(path.lstrip()):
        return None
    return Link(
        target=unquote(path).strip(),
        subpath=unquote(hash_sign + heading).strip(),
        display=text[found.start("md_text") : found.end("md_text")].strip(),
        embed=start < found.start(),
        markdown=True,
        start=start,
        end=found.end(),
    )


def iter_frontmatter_links(frontmatter: object) -> list[tuple[str, Link]]:
    """(top-level key, Link) for every wikilink in a loaded frontmatter mapping.

    Strings at any depth under a key count. A frontmatter that is not a
    mapping has no properties in Obsidian, so it yields nothing.
    """
    if not isinstance(frontmatter, Mapping):
        return []
    found: list[tuple[str, Link]] = []
    for key, value in frontmatter.items():
        top_key = str(key)
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            # Most properties: a string or a flat list of strings (participants, tags).
            for item in [value] if isinstance(value, str) else value:
                if "[[" not in item:
                    continue
                # A value that is one link (`"[[Alice]]"`), as a list of participants holds: the pattern's
                # only match, found without searching, and kept for the next note.
                one = _one_link(item) if item.startswith("[[") and item.endswith("]]") and len(item) <= _KEPT_UP_TO else None
                found.extend((top_key, link) for link in (find_wikilinks_in_value(item) if one is None else one))
            continue
        # Iterative, and each container visited once: YAML aliases can make
        # a structure refer to itself.
        pending: list[object] = [value]
        visited: set[int] = set()
        while pending:
            item = pending.pop()
            if isinstance(item, str):
                found.extend((top_key, link) for link in find_wikilinks_in_value(item))
            elif isinstance(item, (Mapping, list, tuple, set, frozenset)) and id(item) not in visited:
                visited.add(id(item))
                children = item.values() if isinstance(item, Mapping) else item
                pending.extend(reversed(list(children)))
    return found


@functools.lru_cache(maxsize=4096)
def _one_link(value: str) -> tuple[Link, ...] | None:
    """The links in a frontmatter value `[[...]]` that is one link, as `find_wikilinks_in_value` finds
    them (one, or none for `[[ ]]`); None when it may be more. Links are tuples: one object serves
    every note that holds the value."""
    if not _ONE_LINK.fullmatch(value):
        return None
    link = _wikilink(value[2:-2], 0, len(value), embed=False)
    return () if link is None else (link,)


# Line patterns start with "\n" (the text is scanned with one prepended) so
# the engine jumps from line to line instead of trying `^` at every offset.
# `marker` is what must lie outside code for the line to count: masking can
# turn "`x`# y" into "   # y", which only looks like a heading.
def _lines_outside_code(text: str, masked: str | None, candidates: list[re.Match[str]]) -> Iterator[re.Match[str]]:
    """Of a line pattern's matches in "\n" + text (`candidates`), those whose `marker` is not code or a
    comment (`masked`: `mask_code(text)`, when known).

    Offsets in the matches are one past the text's, for the prepended "\n".
    """
    if not candidates:
        return
    masked = mask_code(text) if masked is None else masked
    for found in candidates:
        marker_start, marker_end = found.start("marker") - 1, found.end("marker") - 1
        if masked[marker_start:marker_end] == text[marker_start:marker_end]:
            yield found


# Any task state: `[x]`, `[-]`, `[/]` ... a task already done counts as present.
_TASK_LINE = re.compile(
    r"\n(?P<line>(?P<marker>[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[^\]\n]\])(?P<task>[ \t][^\n]*|\r)?)(?=\n|\Z)"
)
_WHITE_SPACE = re.compile(r"\s+")
_TASK_BOX = re.compile(r"\[[^\]\n]\]")


def _task_lines(text: str) -> list[re.Match[str]]:
    """`_TASK_LINE.finditer("\n" + text)`, trying only the lines that hold a box: each match is one
    whole line, and a task line holds one, so no other line can match."""
    lines = "\n" + text
    found = []
    position = 0
    # Searched for again from each tried line's end, not iterated box by box: a line of many
    # boxes (`[x][x]...`) is tried once without a step per box.
    while (box := _TASK_BOX.search(lines, position)) is not None:
        line_start = lines.rfind("\n", 0, box.start())
        match = _TASK_LINE.match(lines, line_start)
        if match is not None:
            found.append(match)
        position = lines.find("\n", box.end())
        if position < 0:
            break
    return found


def task_key(line: str) -> str:
    """What a task says, to compare tasks: the text after its checkbox, white space trimmed and collapsed."""
    found = _TASK_LINE.match("\n" + line)
    text = found.group("task") or "" if found else line
    return _WHITE_SPACE.sub(" ", text).strip()


class Task(NamedTuple):
    """One task line, as written. Its `text` is read from `line` when asked, not kept beside it:
    every note keeps its tasks (bot/note.py), and a second copy of each was a tenth of its facts."""

    start: int  # offset of the line's first character
    line: str  # without its line ending
    box: int  # offset of the status character within `line` (the one between the brackets)

    @property
    def status(self) -> str:
        return self.line[self.box]

    @property
    def text(self) -> str:
        """After the checkbox, white space trimmed."""
        return self.line[self.box + 2 :].strip()


def find_tasks(text: str, masked: str | None = None) -> list[Task]:
    """Every task line (any status, any list depth, callouts too) outside code and HTML comments, in order.
    `masked`: `mask_code(text)`, when the caller has it already."""
    if "[" not in text:
        return []
    candidates = _task_lines(text)
    # Nothing masked (`mask_code` gave the text itself back): every line is outside code.
    lines = candidates if masked is text else _lines_outside_code(text, masked, candidates)
    found = []
    for match in lines:
        line, marker = match.group(1, 2)
        found.append(_new_task((match.start(1) - 1, line.rstrip("\r"), len(marker) - 2)))
    return found


_new_task = functools.partial(tuple.__new__, Task)


_MARKDOWN_DESTINATION = re.compile(r"(?<!\\)\]\([ \t]*(?:<(?P<angle>[^<>\n]*)>|(?P<bare>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+))")
_WIKILINK_PIPE = re.compile(r"\\?\|")
_LINK_TEXT_SPECIAL = re.compile(r"[\\\[\]]")
_UNSAFE_IN_DESTINATION = re.compile(r"[\s\x00-\x1f\x7f`\\]")


def markdown_destination(path: str) -> str:
    """`path` as a markdown link's destination, the way Obsidian writes one (`%` and spaces
    percent-encoded, `Note%20(1).md`); parentheses that do not pair up are encoded too, since
    CommonMark ends a bare destination at an unbalanced one (`[it](Sync%20(final.md)` is no link),
    and so is `#`, which would start a heading (`Q#2.md` would open `Q` at its heading `2.md`).
    Any other white space or control character would end the destination as a space does, a
    backslash would escape the character after it, and a backtick could open inline code that
    swallows the link: all are encoded."""
    encoded = path.replace("%", "%25").replace(" ", "%20").replace("#", "%23")
    if _UNSAFE_IN_DESTINATION.search(encoded):
        encoded = _UNSAFE_IN_DESTINATION.sub(lambda found: quote(found.group(), safe=""), encoded)
    return encoded if _balanced(encoded) else encoded.replace("(", "%28").replace(")", "%29")


def markdown_link_text(text: str) -> str:
    """`text` as a markdown link's text: `[`, `]` and `\\` backslash-escaped, as CommonMark reads them
    back (`[a \\[b\\] c](...)` shows `a [b] c`); unescaped, `[a [b] c](...)` is no link at all."""
    return _LINK_TEXT_SPECIAL.sub(r"\\\g<0>", text) if _LINK_TEXT_SPECIAL.search(text) else text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                return False
    return depth == 0


def retarget_link(raw: str, link: Link, note_path: str) -> str:
    """`raw` (the link as written) pointing at `note_path` instead, in the same form.

    `note_path` is the link path Obsidian would write, without `.md` (`Name` or
    `Folder/Name`). Everything else stays as written: the embed `!`, the
    `#heading` or `#^block` part, the `|shown text` (a table's `\\|` too), a
    markdown link's text and title. A markdown destination is written by
    `markdown_destination`, with `.md`.
    """
    if not link.markdown:
        opening = raw.index("[[") + 2
        inside = raw[opening:-2]
        pipe = _WIKILINK_PIPE.search(inside)
        target_part, rest = (inside[: pipe.start()], inside[pipe.start() :]) if pipe else (inside, "")
        subpath = target_part[target_part.index("#") :] if "#" in target_part else ""
        return raw[:opening] + note_path + subpath + rest + "]]"
    found = _MARKDOWN_DESTINATION.search(raw)
    assert found is not None, "a markdown link has a destination"
    group = "angle" if found.group("angle") is not None else "bare"
    destination = found.group(group)
    fragment = destination[destination.index("#") :] if "#" in destination else ""
    encoded = markdown_destination(note_path + ".md")
    return raw[: found.start(group)] + encoded + fragment + raw[found.end(group) :]
