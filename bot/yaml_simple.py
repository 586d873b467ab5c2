"""Frontmatter in the shapes most notes use, read without libyaml.

Loading YAML is most of parsing a note, and PyYAML builds its values in Python
even on libyaml's parser. Nearly every note's frontmatter is a flat block mapping
of one-line values: plain or quoted scalars, `[a, b]` lists and block lists of
such scalars. `simple_load` reads exactly that and returns None for anything
else, which then takes `CoreSchemaLoader` (bot/yaml_reader.py): comments in odd
places, multi-line or escaped scalars, nesting, anchors, tags, tabs, indicators
at a scalar's start, any character libyaml might treat specially. Every plain
scalar is resolved by the loader's own resolver table and built the way its
constructors build it, so the values are the ones libyaml would give, types
included; tests/bot/test_yaml_simple.py holds the two to that over generated
frontmatter.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

from bot.yaml_reader import CoreSchemaLoader

# Anything but printable text without tabs, the line breaks YAML 1.1 knows beyond
# LF (NEL, LS, PS), a byte-order mark or a carriage return outside CRLF.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# A scalar may not start with an indicator (nor with `<`, which could be a merge key).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`< ")
# `key:` at column 0, then a space or the line's end; a key is plain text without
# `:`, `#` or flow indicators, so the first `:` ends it.
_KEY = re.compile(r"[^ \-?:,\[\]{}#&*!|>'\"%@`<][^:#,\[\]{}]*:(?= |\Z)")
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'(?: +#.*)?\Z")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"(?: +#.*)?\Z')
# One item of a `[...]` list and what follows it: `,` or the closing `]`. Spaces inside a plain
# item are taken only before more of it, so no run of them is tried two ways (a lazy item
# before ` *` was quadratic in a long run of spaces).
_FLOW_ITEM = re.compile(r" *(?:'((?:[^']|'')*)'|\"([^\"\\]*)\"|([^ \-?:,\[\]{}#&*!|>'\"%@`<](?:[^ :,\[\]{}#]| +[^ :,\[\]{}#])*)) *([,\]])")
_FLOW_END = re.compile(r" *(?: #.*)?\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_RESOLVERS = CoreSchemaLoader.yaml_implicit_resolvers
_BOOLEANS = {"true": True, "false": False}
_MAX_KEY = 1000  # libyaml ends a simple key at 1024 characters
_MAX_NUMBER = 100  # past Python's int digit limit only the loader says what happens
_KEPT_UP_TO = 100  # characters: a longer plain scalar's value is not kept for the next note


# Raised as a ValueError where the text has a form `simple_load` leaves to libyaml; any other
# ValueError on the way (none is known) leaves it to libyaml alike, which is always safe.
_NOT_SIMPLE = "a form left to libyaml"


def simple_load(text: str) -> dict[Any, Any] | None:
    """The frontmatter mapping, when `text` has only the forms above; None otherwise (and for
    a frontmatter without keys), when the caller loads it with `CoreSchemaLoader`."""
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    # In ASCII text the usual characters are the printable ones and "\n": a test of flags at C speed.
    if not text.replace("\n", "").isprintable() if text.isascii() else _UNUSUAL.search(text):
        return None
    try:
        return _mapping(text.split("\n"))
    except ValueError:
        return None


def _mapping(lines: list[str]) -> dict[Any, Any] | None:
    data: dict[Any, Any] = {}
    key: Any = None
    items: list[Any] | None = None  # the block list being read, under `key`
    indent = -1  # its items' indentation, once known
    for line in lines:
        if not line or line[0] == "#" or (line[0] == " " and not line.strip(" ")):
            continue  # blank lines and whole-line comments at column 0
        short = len(line) <= _KEPT_UP_TO
        if items is not None:
            item = (_kept_list_item if short else _list_item)(line)
            if item is not None and (indent < 0 or item[0] == indent):
                indent = item[0]
                items.append(list(item[1]) if isinstance(item[1], tuple) else item[1])  # a kept list: a fresh copy
                continue
            if indent < 0:  # `key:` with no list after it: a null
                data[key] = None
            items = None
        key, value = (_kept_key_line if short else _key_line)(line)
        if value is _BLOCK_LIST:
            items, indent = [], -1
            data[key] = items
        else:
            data[key] = list(value) if isinstance(value, tuple) else value
    if items is not None and indent < 0:
        data[key] = None
    return data or None


# A line of frontmatter is read once: its values are kept for the next note, by line (keys, types,
# tags and people repeat from note to note), each with its `[...]` lists as tuples, made the lists
# they are again for each note (`_mapping`); a line too long to keep is read every time.
_BLOCK_LIST = object()  # `key:` with nothing after it: a block list may follow


def _key_line(line: str) -> tuple[Any, Any]:
    """`key: value` at column 0: the key and the value (`_BLOCK_LIST` when none follows)."""
    found = _KEY.match(line)
    if found is None:
        raise ValueError(_NOT_SIMPLE)
    raw_key = found.group()[:-1]
    if raw_key[-1] == " " or len(raw_key) > _MAX_KEY:
        raise ValueError(_NOT_SIMPLE)
    value = line[found.end() :].strip(" ")
    return _plain(raw_key), _kept_form(_block_scalar(value)) if value else _BLOCK_LIST


def _list_item(line: str) -> tuple[int, Any] | None:
    """`- value`, indented: its dash's column and the value; None when the line is no list item."""
    dash = len(line) - len(line.lstrip(" "))
    if line[dash] == "-" and line[dash + 1 : dash + 2] in ("", " "):
        return dash, _kept_form(_block_scalar(line[dash + 1 :].strip(" ")))
    return None


_kept_key_line = functools.lru_cache(maxsize=4096)(_key_line)
_kept_list_item = functools.lru_cache(maxsize=4096)(_list_item)


def _kept_form(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _block_scalar(value: str) -> Any:
    """A one-line value in block context: quoted, a `[...]` list, or plain."""
    if not value:
        return None
    first = value[0]
    if first == "'":
        found = _SINGLE_QUOTED.match(value)
        if found is None:
            raise ValueError(_NOT_SIMPLE)
        return found.group(1).replace("''", "'")
    if first == '"':
        found = _DOUBLE_QUOTED.match(value)
        if found is None:
            raise ValueError(_NOT_SIMPLE)
        return found.group(1)
    if first == "[":
        return _flow_list(value)
    if first in _INDICATORS:
        raise ValueError(_NOT_SIMPLE)
    comment = value.find(" #")
    if comment >= 0:
        value = value[:comment].rstrip(" ")
    if ": " in value or value[-1] == ":":
        raise ValueError(_NOT_SIMPLE)
    return _plain(value)


def _flow_list(value: str) -> list[Any]:
    """`[a, 'b', "c"]` on one line."""
    items: list[Any] = []
    position = 1
    if value[1:].lstrip(" ").startswith("]"):
        position = value.index("]") + 1
    else:
        while True:
            found = _FLOW_ITEM.match(value, position)
            if found is None:
                raise ValueError(_NOT_SIMPLE)
            single, double, plain, after = found.groups()
            if single is not None:
                items.append(single.replace("''", "'"))
            elif double is not None:
                items.append(double)
            else:
                items.append(_plain(plain))
            position = found.end()
            if after == "]":
                break
    if not _FLOW_END.match(value, position):
        raise ValueError(_NOT_SIMPLE)
    return items


def _plain(text: str) -> Any:
    """A plain scalar's value; a short one's is kept for the next note (every value is immutable):
    keys and many values repeat. A long one rarely does, and kept it would outlive its note: up
    to 4096 values of 64 KB each, for as long as a daemon runs."""
    return _kept_plain(text) if len(text) <= _KEPT_UP_TO else _resolved_plain(text)


def _resolved_plain(text: str) -> Any:
    """A plain scalar resolved by the loader's resolvers and built as its constructors build it."""
    tag = "tag:yaml.org,2002:str"
    for candidate, pattern in (*_RESOLVERS.get(text[0], ()), *_RESOLVERS.get(None, ())):
        if pattern.match(text):
            tag = candidate
            break
    if tag == "tag:yaml.org,2002:str":
        return text
    if len(text) > _MAX_NUMBER:
        raise ValueError(_NOT_SIMPLE)
    kind = tag.rsplit(":", 1)[1]
    if kind == "null":
        return None
    if kind == "bool":
        return _BOOLEANS[text.lower()]
    if kind == "int":
        return int(text, 10)  # the resolver's pattern allows only decimal digits after a sign
    if kind == "float":
        return _float(text)
    if kind == "timestamp":
        day = _DATE.match(text)
        if day is None:
            raise ValueError(_NOT_SIMPLE)  # a datetime: the loader's constructor reads its zone and fraction
        try:
            return datetime.date(int(day.group(1)), int(day.group(2)), int(day.group(3)))
        except ValueError:
            return text  # no real day: text, as CoreSchemaLoader reads it
    raise ValueError(_NOT_SIMPLE)


_kept_plain = functools.lru_cache(maxsize=4096)(_resolved_plain)


def _float(text: str) -> float:
    """PyYAML's SafeConstructor.construct_yaml_float for what the core schema's pattern lets through."""
    value = text.lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    return sign * float(value)
