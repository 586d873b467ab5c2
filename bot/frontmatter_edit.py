"""Set or delete one frontmatter key, leaving every other byte as it was.

ruamel.yaml's round-trip dump re-indents, re-wraps and drops trailing spaces, so
the mapping is never dumped: the round-trip loader only tells where each
top-level key starts and how a list is written, and the lines of the one key
being changed are rendered here. The result is then checked with the safe loader
against the intended values; anything else is a `FrontmatterEditError`, never a
damaged frontmatter.

A key's span is its first line through the line before the next top-level key,
less any trailing blank lines and comment lines at (or left of) the key's column:
those belong to the gap or to the next key and stay put.

The round-trip load costs about a millisecond, so an edit first tries a fast
path: libyaml's node tree (the safe load it needs anyway) carries the same
line and column marks ruamel records, and the few things ruamel reads from its
own types (a quoted string's quote, whether a plain item is a str in YAML 1.2)
come from the node styles and ruamel's resolver. Wherever the two parsers could
disagree (tabs, odd line breaks, anchors, tags, `?` keys, merge keys, duplicate
keys, non-str keys, a flow mapping) or the result fails its check, the edit
takes the ruamel path, so both give the same bytes or the same error
(tests/bot/test_frontmatter_edit.py compares them on generated frontmatter).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from typing import Any, Callable, NamedTuple, Sequence

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

__all__ = [
    "BLOCK",
    "FLOW",
    "FLOW_SPACED",
    "FrontmatterEditError",
    "delete_key",
    "render_value_lines",
    "set_key",
]

#: List styles `render_value_lines` understands (`existing_style`).
BLOCK = "block"  # tags:\n  - a
FLOW = "flow"  # tags: [a, b]
FLOW_SPACED = "flow_spaced"  # tags: [ a, b ]

MAX_FRONTMATTER_BYTES = 64 * 1024  # SPEC 4.7: larger frontmatter is bad input
MAX_EXPANDED_NODES = 100_000  # alias bombs: nodes after expanding every alias

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
# The key at the start of a block-mapping line: quoted, or plain up to the first
# `:` followed by white space or the end of the line.
_KEY = re.compile(
    r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s"'#][^\n]*?)"""
    r"""[ \t]*:(?=[ \t]|\r?\n|\Z)"""
)
# YAML 1.2 numbers PyYAML (YAML 1.1) reads as strings; Obsidian and ruamel do not.
_YAML12_NUMBER = re.compile(
    r"[-+]?(?:0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
# Characters YAML lets stand in a scalar as they are (c-printable), minus those
# YAML 1.1 reads as line breaks and the byte-order mark.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}

_DELETE = object()


class FrontmatterEditError(ValueError):
    """The frontmatter cannot be edited safely (invalid YAML, not a mapping, a
    duplicate key, a result that would not re-parse to the intended values). The
    caller reports the note and leaves it untouched."""


def set_key(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    """Return `frontmatter` with `key` set to `value` (a date, a str or a list of
    str); everything outside that key's lines is kept byte for byte. An existing
    key is rewritten in place, keeping its list style and its inline comment; a
    new key is appended at the end."""
    _check_value(value)
    return _edit(frontmatter, key, value, newline)


def delete_key(frontmatter: str, key: str, newline: str = "\n") -> str:
    """Return `frontmatter` without `key`'s lines (unchanged when it is absent)."""
    return _edit(frontmatter, key, _DELETE, newline)


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
            items = ", ".join(_render_str(item, quote, flow=True) for item in value)
            return [f"{key}: [{pad}{items}{pad}]{newline}"]
        if existing_style is None:
            indent = "  "
        return [f"{key}:{newline}"] + [
            f"{indent}- {_render_str(item, quote, flow=False)}{newline}" for item in value
        ]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return [f"{key}: {value.isoformat()}{newline}"]
    if isinstance(value, str):
        return [f"{key}: {_render_str(value, quote, flow=False)}{newline}"]
    raise TypeError(f"cannot write a {type(value).__name__} value")


# --- editing ---------------------------------------------------------------------


class _Layout(NamedTuple):
    """What an edit needs to know about the frontmatter, from either loader."""

    key_lines: list[int]  # the line of every top-level key
    indent: str  # the mapping's indentation (the first key's column), for a new key
    at: tuple[int, int] | None  # line and column of the key being edited; None when absent
    style: str | None  # the old value's list style (`render_value_lines`'s `existing_style`)
    item_indent: str  # what precedes `- ` on the old block list's items
    quote: str | None  # the quote character the old value was written with


class _NeedsRuamel(Exception):
    """The fast path cannot vouch that it gives the ruamel path's bytes."""


# Each path on its own, for the tests that hold the two to the same bytes.
def _set_key_fast(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    return _edit_fast(frontmatter, key, value, newline)


def _set_key_with_ruamel(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    return _edit_with_ruamel(frontmatter, key, value, newline)


def _delete_key_fast(frontmatter: str, key: str, newline: str = "\n") -> str:
    return _edit_fast(frontmatter, key, _DELETE, newline)


def _delete_key_with_ruamel(frontmatter: str, key: str, newline: str = "\n") -> str:
    return _edit_with_ruamel(frontmatter, key, _DELETE, newline)


def _edit(frontmatter: str, key: str, value: object, newline: str) -> str:
    try:
        return _edit_fast(frontmatter, key, value, newline)
    except _NeedsRuamel:
        return _edit_with_ruamel(frontmatter, key, value, newline)


def _edit_with_ruamel(frontmatter: str, key: str, value: object, newline: str) -> str:
    old_data = _safe_load(frontmatter)
    mapping = _round_trip_load(frontmatter)
    lines = _LINE.findall(frontmatter)
    try:
        layout = _ruamel_layout(lines, mapping, key, value)
    except (TypeError, KeyError, IndexError) as error:
        # ruamel records no position for some keys (a `<<:` merge key after comments):
        # without positions there is no safe line-by-line edit.
        raise FrontmatterEditError(f"YAML this editor cannot place line by line ({type(error).__name__})") from error
    result = _write(lines, layout, key, value, newline)
    if result is None:
        return frontmatter
    _verify(old_data, _safe_load(result), key, value)
    return result


def _edit_fast(frontmatter: str, key: str, value: object, newline: str) -> str:
    """The edit `_edit_with_ruamel` makes, found from libyaml's node marks (the
    same marks ruamel records) instead of a round-trip load, ten times faster.
    Raises `_NeedsRuamel` wherever the two parsers could disagree (YAML 1.1
    against 1.2, duplicate keys, anchors, tags, odd line breaks) and when the
    result fails its check, so that such a frontmatter gets the ruamel path's
    result or error."""
    if _not_fast(frontmatter):
        raise _NeedsRuamel
    old_data, root = _safe_load_with_node(frontmatter, _check_tree)
    lines = _LINE.findall(frontmatter)
    try:
        result = _write(lines, _node_layout(lines, root, key, value), key, value, newline)
        if result is None:
            return frontmatter
        if "&" in result:  # an anchor could share nodes: the full check
            _verify(old_data, _safe_load(result), key, value)
        elif not _result_reads_back(root, result, key, value):
            raise _NeedsRuamel
    except FrontmatterEditError as error:
        raise _NeedsRuamel from error
    return result


def _write(lines: list[str], layout: _Layout, key: str, value: object, newline: str) -> str | None:
    """The frontmatter with the edit made, unchecked; None when there is nothing to do."""
    if layout.at is None:
        if value is _DELETE:
            return None
        new = render_value_lines(
            layout.indent + _render_key(key), value, existing_style=None, indent="  ", quote=None, newline=newline
        )
        if lines and not lines[-1].endswith("\n"):
            lines = lines[:-1] + [lines[-1] + newline]
        return "".join(lines + new)
    first, col = layout.at
    end = _span_end(lines, layout.key_lines, first, col)
    new = [] if value is _DELETE else _rewrite(lines[first], key, value, first, col, layout, newline)
    return "".join(lines[:first] + new + lines[end:])


def _span_end(lines: list[str], key_lines: list[int], first: int, col: int) -> int:
    """Index of the first line after `key`'s span (see the module docstring)."""
    end = next((n for n in key_lines if n > first), len(lines))
    while end > first + 1:
        line = lines[end - 1]
        body = line.lstrip(" ")
        if body.strip(" \t\r\n") and not (body.startswith("#") and len(line) - len(body) <= col):
            break
        end -= 1
    return end


def _rewrite(key_line: str, key: str, value: object, first: int, col: int, layout: _Layout, newline: str) -> list[str]:
    match = _KEY.match(key_line, col)
    if match is None:
        raise FrontmatterEditError(f"cannot find where key {key!r} is written (line {first + 1})")
    new = render_value_lines(
        key_line[: match.end() - 1],
        value,
        existing_style=layout.style,
        indent=layout.item_indent,
        quote=layout.quote,
        newline=newline,
    )
    comment = _inline_comment(key_line)
    if comment:
        new[0] = new[0][: -len(newline)] + comment + newline
    return new


def _ruamel_layout(lines: list[str], mapping: CommentedMap, key: str, value: object) -> _Layout:
    key_lines = sorted(mapping.lc.key(k)[0] for k in mapping)
    indent = " " * mapping.lc.key(next(iter(mapping)))[1] if mapping else ""
    if key not in mapping:
        return _Layout(key_lines, indent, None, None, "  ", None)
    old = mapping[key]
    # The old quoting carries over only to a value of the same kind (str -> str,
    # list -> list): a string `tags: "a, b"` becomes a list in Obsidian's style.
    style, item_indent, quote = None, "  ", None
    if isinstance(old, str) and isinstance(value, str):
        quote = _quote_of([(_ruamel_quote(old), str(old))])
    elif isinstance(old, CommentedSeq) and isinstance(value, (list, tuple)):
        quote = _quote_of([(_ruamel_quote(item), str(item) if isinstance(item, str) else None) for item in old])
        if old.fa.flow_style() or not old:  # an empty list can only be flow (`[]`); ruamel leaves its style unset
            value_line, value_col = mapping.lc.value(key)
            style = FLOW_SPACED if lines[value_line][value_col:].startswith("[ ") else FLOW
        else:
            style, item_indent = BLOCK, _item_indent(lines[old.lc.line], old.lc.col)
    return _Layout(key_lines, indent, tuple(mapping.lc.key(key)), style, item_indent, quote)


def _node_layout(lines: list[str], root: yaml.MappingNode | None, key: str, value: object) -> _Layout:
    pairs = root.value if root is not None else []
    key_lines = sorted(k.start_mark.line for k, _ in pairs)
    indent = " " * pairs[0][0].start_mark.column if pairs else ""
    found = [(k, v) for k, v in pairs if k.value == key]
    if not found:
        return _Layout(key_lines, indent, None, None, "  ", None)
    key_node, old = found[0]
    style, item_indent, quote = None, "  ", None
    if isinstance(old, yaml.ScalarNode) and isinstance(value, str):
        # A plain scalar that ruamel reads as a number or a date gives no quote
        # either, so whether it is a str does not matter here.
        quote = _quote_of([(old.style if old.style in ("'", '"') else None, old.value)])
    elif isinstance(old, yaml.SequenceNode) and isinstance(value, (list, tuple)):
        quote = _quote_of([_node_item(item) for item in old.value])
        mark = old.start_mark
        if old.flow_style or not old.value:
            style = FLOW_SPACED if lines[mark.line][mark.column :].startswith("[ ") else FLOW
        else:
            style, item_indent = BLOCK, _item_indent(lines[mark.line], mark.column)
    return _Layout(key_lines, indent, (key_node.start_mark.line, key_node.start_mark.column), style, item_indent, quote)


def _item_indent(line: str, column: int) -> str:
    indent = line[:column]
    return "  " if indent.strip(" ") else indent


def _ruamel_quote(item: object) -> str | None:
    if isinstance(item, DoubleQuotedScalarString):
        return '"'
    if isinstance(item, SingleQuotedScalarString):
        return "'"
    return None


def _node_item(node: yaml.Node) -> tuple[str | None, str | None]:
    """(quote, the str ruamel would read) for one list item node, as `_quote_of` takes it."""
    if not isinstance(node, yaml.ScalarNode):
        return None, None
    if node.style in ("'", '"'):
        return node.style, node.value
    if not node.style and not _reads_as_str_in_ruamel(node.value):  # plain: libyaml's style is ""
        return None, None
    return None, node.value


# Forms where libyaml (YAML 1.1) and ruamel (YAML 1.2) might locate things
# differently, or that ruamel alone refuses: tabs, line breaks other than LF and
# CRLF, a byte-order mark, anchors, aliases, tags, `?` keys, directives and
# document markers. Such a frontmatter takes the ruamel path.
_RARE = re.compile("[\t\x85\u2028\u2029\ufeff&*!?%]")
_NOT_FAST = re.compile(r"[\t\x85\u2028\u2029\ufeff]|(?:\A|[\s\[{,])\?(?:\s|\Z)|^%", re.MULTILINE)
# What could start an anchor, an alias or a tag; most such text is inside a
# scalar (`title: Notes *draft*`), which the parser's events tell apart.
_MAYBE_PROPERTY = re.compile(r"(?:\A|[\s\[{,])(?:[&*][^\s\]},]|!)")
_MAX_FAST_DEPTH = 50  # deeper nesting takes the ruamel path, which refuses what recursion cannot load
_STR_TAG = "tag:yaml.org,2002:str"
_RUAMEL_RESOLVER = VersionedResolver()  # ruamel's round-trip loader resolves plain scalars with this (YAML 1.2)


def _not_fast(text: str) -> bool:
    """Whether `text` has one of the forms above (cheap checks first)."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return True
    if text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
        return True
    if not _RARE.search(text):
        return False
    return bool(_NOT_FAST.search(text)) or (bool(_MAYBE_PROPERTY.search(text)) and _has_node_properties(text))


def _has_node_properties(text: str) -> bool:
    """Whether libyaml finds an anchor, an alias or a tag."""
    loader = _SafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or (
                isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent))
                and (event.anchor is not None or event.tag is not None)
            ):
                return True
    except yaml.YAMLError:
        return False  # the load that follows fails alike on both paths
    finally:
        loader.dispose()
    return False


@functools.lru_cache(maxsize=4096)
def _reads_as_str_in_ruamel(plain: str) -> bool:
    return str(_RUAMEL_RESOLVER.resolve(RuamelScalarNode, plain, (True, False))) == _STR_TAG


def _result_reads_back(old_root: yaml.MappingNode | None, result: str, key: str, value: object) -> bool:
    """`_verify` on the parse trees, which skips constructing the result: true
    when the result parses, its other keys have the very nodes (tag, text and
    shape) they had, in order, and the key (once) reads back as `value`.
    Equal nodes construct equal values, so this passes only where `_verify`
    would; it may fail where `_verify` passes, and then the ruamel path decides."""
    if len(result.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES:
        return False
    old_pairs = old_root.value if old_root is not None else []
    loader = _SafeLoader(result)
    try:
        new_root = loader.get_single_node()
        if new_root is not None and not isinstance(new_root, yaml.MappingNode):
            return False
        new_pairs = new_root.value if new_root is not None else []
        at = [n for n, (k, _) in enumerate(new_pairs) if k.tag == _STR_TAG and k.value == key]
        others_old = [(k, v) for k, v in old_pairs if k.value != key]
        others_new = [pair for n, pair in enumerate(new_pairs) if n not in at]
        if not _same_pairs(others_old, others_new):
            return False
        if value is _DELETE:
            return not at
        if len(at) != 1:
            return False
        read = loader.construct_object(new_pairs[at[0]][1], deep=True)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return _same(read, list(value) if isinstance(value, tuple) else value)


def _same_pairs(a: list[tuple[yaml.Node, yaml.Node]], b: list[tuple[yaml.Node, yaml.Node]]) -> bool:
    return len(a) == len(b) and all(_same_node(k, l) and _same_node(v, w) for (k, v), (l, w) in zip(a, b))


def _same_node(a: yaml.Node, b: yaml.Node) -> bool:
    if type(a) is not type(b) or a.tag != b.tag:
        return False
    if isinstance(a, yaml.ScalarNode):
        return bool(a.value == b.value)
    if isinstance(a, yaml.SequenceNode):
        return len(a.value) == len(b.value) and all(map(_same_node, a.value, b.value))
    return _same_pairs(a.value, b.value)


def _check_tree(root: yaml.Node) -> None:
    """Raise `_NeedsRuamel` unless the frontmatter is a block mapping, every
    mapping key is a str both loaders agree on (so no merge key `<<`), no
    mapping repeats a key (ruamel refuses that, libyaml keeps the last) and
    nothing is nested too deeply for ruamel."""
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise _NeedsRuamel
    for key_node, _ in root.value:
        if key_node.tag != _STR_TAG:
            raise _NeedsRuamel
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_FAST_DEPTH:
            raise _NeedsRuamel
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value in seen:
                    raise _NeedsRuamel
                if not key_node.style and not _reads_as_str_in_ruamel(key_node.value):
                    raise _NeedsRuamel
                seen.add(key_node.value)
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _inline_comment(line: str) -> str:
    """The ` # comment` after a value written wholly on `line` (with the spaces
    before it), or after a bare `key:` whose block value follows; else ""."""
    body = line.rstrip("\r\n")
    if "#" not in body:
        return ""
    try:
        tokens = list(yaml.scan(body, Loader=_SafeLoader))  # columns count characters, not bytes
    except yaml.YAMLError:
        return ""  # the value goes on past this line; a comment inside it is the value's
    ends = [
        t.end_mark.column
        for t in tokens
        if not isinstance(t, (yaml.BlockEndToken, yaml.StreamEndToken, yaml.BlockMappingStartToken))
    ]
    rest = body[max(ends, default=0) :]
    return rest if rest.lstrip(" \t").startswith("#") else ""


def _quote_of(items: Sequence[tuple[str | None, str | None]]) -> str | None:
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


# --- rendering scalars -----------------------------------------------------------


def _render_str(text: str, quote: str | None, *, flow: bool) -> str:
    if quote == "'" and not _NOT_PRINTABLE.search(text) and not re.search("[\r\n]", text):
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
        or _NOT_PRINTABLE.search(text)
        or _YAML12_NUMBER.fullmatch(text)
    ):
        return False
    source, expected = (f"k: [{text}]", {"k": [text]}) if flow else (f"k: {text}", {"k": text})
    try:
        return bool(yaml.load(source, Loader=_SafeLoader) == expected)
    except yaml.YAMLError:
        return False


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _NOT_PRINTABLE.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


@functools.lru_cache(maxsize=256)
def _render_key(key: str) -> str:
    try:
        plain = yaml.load(f"{key}: 0", Loader=_SafeLoader) == {key: 0}
    except yaml.YAMLError:
        plain = False
    ok = plain and key == key.strip() and not _NOT_PRINTABLE.search(key) and not _YAML12_NUMBER.fullmatch(key)
    return key if ok else _double_quoted(key)


def _check_value(value: object) -> None:
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise TypeError("a list value must hold only str items")
    elif not isinstance(value, str) and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise TypeError(f"cannot write a {type(value).__name__} value")


# --- loading and checking --------------------------------------------------------


def _round_trip_load(text: str) -> CommentedMap:
    if re.search("\r(?!\n)", text):
        raise FrontmatterEditError("a bare carriage return line break")
    loader = YAML(typ="rt")
    loader.preserve_quotes = True
    try:
        data = loader.load(text)
    except DuplicateKeyError as error:
        raise FrontmatterEditError(f"duplicate key: {error.problem}") from error
    except RuamelYAMLError as error:
        raise FrontmatterEditError(f"invalid YAML: {_first_line(error)}") from error
    except RecursionError as error:
        raise FrontmatterEditError("nested too deeply") from error
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise FrontmatterEditError(f"frontmatter is a {type(data).__name__}, not a mapping")
    if data.fa.flow_style():
        raise FrontmatterEditError("frontmatter is a flow mapping ({...}); it cannot be edited line by line")
    return data


def _safe_load(text: str) -> dict[Any, Any]:
    return _safe_load_with_node(text)[0]


def _safe_load_with_node(
    text: str, inspect: Callable[[yaml.Node], None] | None = None
) -> tuple[dict[Any, Any], yaml.Node | None]:
    """The data and its node tree; `inspect` sees the tree before constructing
    (which rewrites merge keys `<<` in place)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES:
        raise FrontmatterEditError(f"frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KiB")
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, None
        if inspect is not None:
            inspect(node)
        if "&" in text:  # without an anchor no alias can share a node
            _check_expansion(node)
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise FrontmatterEditError(f"invalid YAML: {_first_line(error)}") from error
    except RecursionError as error:
        raise FrontmatterEditError("nested too deeply") from error
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise FrontmatterEditError(f"frontmatter is a {type(data).__name__}, not a mapping")
    return data, node


def _check_expansion(root: yaml.Node) -> None:
    """Reject alias bombs (and alias cycles): count the nodes every alias would
    expand to, sharing the count of each node that several aliases point at."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else []
        )
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            open_nodes.discard(id(node))
            if sizes[id(node)] > MAX_EXPANDED_NODES:
                raise FrontmatterEditError("aliases expand to too many values (alias bomb)")
        elif id(node) in open_nodes:
            raise FrontmatterEditError("an alias refers to a value that contains it")
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)


def _verify(old: dict[Any, Any], new: dict[Any, Any], key: str, value: object) -> None:
    others_old = [(k, v) for k, v in old.items() if k != key]
    others_new = [(k, v) for k, v in new.items() if k != key]
    if not _same(others_old, others_new):
        raise FrontmatterEditError(f"editing {key!r} would change other keys; left untouched")
    if value is _DELETE:
        if key in new:
            raise FrontmatterEditError(f"{key!r} is still there after deleting it")
    elif key not in new or not _same(new[key], list(value) if isinstance(value, tuple) else value):
        raise FrontmatterEditError(f"{key!r} would not read back as {value!r}; left untouched")


def _same(a: object, b: object) -> bool:
    """Equality that tells `1` from `True` and lets NaN equal NaN."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return _same(list(a.items()), list(b.items()))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (bool, int, float)) and type(a) is not type(b):
        return False
    return a == b


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split("\n")[:3]).strip()
