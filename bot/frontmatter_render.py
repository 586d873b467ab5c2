"""How frontmatter values are written: one key's lines, quoting only where needed.

A string is written plain when it reads back as the same string with vaultbot's
reader (bot/yaml_reader.py, YAML 1.2 core schema) and with ruamel.yaml, and is
no number in any YAML version; otherwise it is double-quoted (single-quoted
when that was the value's style and can hold it).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence

import yaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver

from bot.edits import unwritable
from bot.yaml_reader import CoreSchemaLoader

#: List styles `render_value_lines` understands (`existing_style`).
BLOCK = "block"  # tags:\n  - a
FLOW = "flow"  # tags: [a, b]
FLOW_SPACED = "flow_spaced"  # tags: [ a, b ]

# Numbers in YAML 1.2 (and ruamel's underscores): a string that looks like one is quoted.
_YAML12_NUMBER = re.compile(
    r"[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9][0-9_]*|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Characters YAML lets stand in a scalar as they are (c-printable), minus those
# YAML 1.1 reads as line breaks and the byte-order mark.
NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_STR_TAG = "tag:yaml.org,2002:str"
_RUAMEL_RESOLVER = VersionedResolver()  # ruamel's round-trip loader resolves plain scalars with this (YAML 1.2)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def render_value_lines(
    key: str,
    value: object,
    *,
    existing_style: str | None,
    indent: str,
    quote: str | None,
    newline: str,
) -> list[str]:
    """Lines (each ending with `newline`) that write `key: value`.

    `key` is written as given (the caller passes the key as it was written, or
    `_render_key`'s output for a new key). A list is written in `existing_style`
    (`BLOCK`, `FLOW`, `FLOW_SPACED`; None means a new block list), block items
    prefixed by `indent` + `- `. `quote` (`'"'`, `"'"` or None) is the quote
    character the existing value used; strings that need quoting are quoted
    anyway, double-quoted unless single quotes were the style and can hold them.
    """
    if isinstance(value, (list, tuple)):
        if not value:
            return [f"{key}: []{newline}"]
        if existing_style in (FLOW, FLOW_SPACED):
            pad = " " if existing_style == FLOW_SPACED else ""
            items = ", ".join(render_str(item, quote, flow=True) for item in value)
            return [f"{key}: [{pad}{items}{pad}]{newline}"]
        if existing_style is None:
            indent = "  "
        return [f"{key}:{newline}"] + [f"{indent}- {render_str(item, quote, flow=False)}{newline}" for item in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return [f"{key}: {value.isoformat()}{newline}"]
    if isinstance(value, str):
        return [f"{key}: {render_str(value, quote, flow=False)}{newline}"]
    raise TypeError(f"cannot write a {type(value).__name__} value")


def quote_of(items: Sequence[tuple[str | None, str | None]]) -> str | None:
    """The quote character an existing value's strings were written with, from
    each item's (quote character or None, its text when it is a str).

    Judged on the items that would not need quotes (those are the writer's
    choice); when every item needs quotes, single quotes count if any were used.
    The rule is chosen so that writing a list and reading its style back agree,
    which keeps `set_key` idempotent."""
    free = {quote for quote, text in items if text is None or not _needs_quotes(text, False)}
    if free:
        return free.pop() if len(free) == 1 else None
    return "'" if any(quote == "'" for quote, _ in items) else None


def render_str(text: str, quote: str | None, *, flow: bool) -> str:
    if quote == "'" and not NOT_PRINTABLE.search(text) and not re.search("[\r\n]", text):
        return "'" + text.replace("'", "''") + "'"
    if quote is not None or _needs_quotes(text, flow):
        return _double_quoted(text)
    return text


def _needs_quotes(text: str, flow: bool) -> bool:
    # A wikilink is always quoted: unquoted `[[x]]` is a nested list.
    return text.startswith("[[") or not _reads_back_plain(text, flow)


@functools.lru_cache(maxsize=4096)
def _reads_back_plain(text: str, flow: bool) -> bool:
    if (
        not text
        or re.search("[\t\r\n]", text)  # libyaml and PyYAML disagree on tabs in plain scalars
        or text != text.strip(" ")
        or NOT_PRINTABLE.search(text)
        or _YAML12_NUMBER.fullmatch(text)
        or not reads_as_str_in_ruamel(text)
    ):
        return False
    source, expected = (f"k: [{text}]", {"k": [text]}) if flow else (f"k: {text}", {"k": text})
    try:
        return bool(yaml.load(source, Loader=CoreSchemaLoader) == expected)
    except yaml.YAMLError:
        return False


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif NOT_PRINTABLE.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@functools.lru_cache(maxsize=256)
def render_key(key: str) -> str:
    try:
        plain = yaml.load(f"{key}: 0", Loader=CoreSchemaLoader) == {key: 0}
    except yaml.YAMLError:
        plain = False
    ok = plain and key == key.strip() and not NOT_PRINTABLE.search(key) and not _YAML12_NUMBER.fullmatch(key)
    return key if ok else _double_quoted(key)


def check_value(value: object) -> None:
    reason = unwritable(value)
    if reason is not None:
        raise TypeError(reason)


@functools.lru_cache(maxsize=4096)
def reads_as_str_in_ruamel(plain: str) -> bool:
    return str(_RUAMEL_RESOLVER.resolve(RuamelScalarNode, plain, (True, False))) == _STR_TAG
