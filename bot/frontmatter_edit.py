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
Both read values as the reader does (bot/yaml_reader.py, YAML 1.2 core schema).

A list replaced by a list is edited item by item (bot/frontmatter_list.py): the
items kept and the comments beside and between them stay as they were.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

from bot import frontmatter_list
from bot.frontmatter_fast import NeedsRuamel, check_tree, not_fast, result_reads_back
from bot.frontmatter_load import (
    DELETE,
    FrontmatterEditError,
    check_with_ruamel,
    compose_with_ruamel,
    safe_load,
    safe_load_with_node,
    verify,
)
from bot.frontmatter_render import (
    BLOCK,
    FLOW,
    FLOW_SPACED,
    check_value,
    quote_of,
    reads_as_str_in_ruamel,
    render_key,
    render_str,
    render_value_lines,
)
from bot.yaml_reader import CoreSchemaLoader, scalar_text

__all__ = [
    "BLOCK",
    "FLOW",
    "FLOW_SPACED",
    "FrontmatterEditError",
    "delete_key",
    "render_value_lines",
    "set_key",
]

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
# The key at the start of a block-mapping line: quoted, or plain up to the first
# `:` followed by white space or the end of the line.
_KEY = re.compile(
    r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s"'#][^\n]*?)"""
    r"""[ \t]*:(?=[ \t]|\r?\n|\Z)"""
)


def set_key(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    """Return `frontmatter` with `key` set to `value` (a date, a str or a list of
    str); everything outside that key's lines is kept byte for byte. An existing
    key is rewritten in place, keeping its list style and its inline comment; a
    new key is appended at the end."""
    check_value(value)
    return _edit(frontmatter, key, value, newline)


def delete_key(frontmatter: str, key: str, newline: str = "\n") -> str:
    """Return `frontmatter` without `key`'s lines (unchanged when it is absent)."""
    return _edit(frontmatter, key, DELETE, newline)


# --- editing ---------------------------------------------------------------------


class _Layout(NamedTuple):
    """What an edit needs to know about the frontmatter, from either parser's nodes."""

    key_lines: list[int]  # the line of every top-level key
    indent: str  # the mapping's indentation (the first key's column), for a new key
    at: tuple[int, int] | None  # line and column of the key being edited; None when absent
    style: str | None  # the old value's list style (`render_value_lines`'s `existing_style`)
    item_indent: str  # what precedes `- ` on the old block list's items
    quote: str | None  # the quote character the old value was written with
    # The old list's items and where the list starts and ends, to edit it item by
    # item; None when the old value is no list of scalars or the new one no list.
    items: tuple[frontmatter_list.Item, ...] | None = None
    list_span: tuple[tuple[int, int], tuple[int, int]] | None = None


# Each path on its own, for the tests that hold the two to the same bytes.
def _set_key_fast(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    return _edit_fast(frontmatter, key, value, newline)


def _set_key_with_ruamel(frontmatter: str, key: str, value: object, newline: str = "\n") -> str:
    return _edit_with_ruamel(frontmatter, key, value, newline)


def _delete_key_fast(frontmatter: str, key: str, newline: str = "\n") -> str:
    return _edit_fast(frontmatter, key, DELETE, newline)


def _delete_key_with_ruamel(frontmatter: str, key: str, newline: str = "\n") -> str:
    return _edit_with_ruamel(frontmatter, key, DELETE, newline)


def _edit(frontmatter: str, key: str, value: object, newline: str) -> str:
    try:
        return _edit_fast(frontmatter, key, value, newline)
    except NeedsRuamel:
        return _edit_with_ruamel(frontmatter, key, value, newline)


def _edit_with_ruamel(frontmatter: str, key: str, value: object, newline: str) -> str:
    old_data = safe_load(frontmatter)
    check_with_ruamel(frontmatter)
    lines = _LINE.findall(frontmatter)
    layout = _node_layout(lines, compose_with_ruamel(frontmatter), key, value)
    result = _write(lines, layout, key, value, newline)
    if result is None:
        return frontmatter
    verify(old_data, safe_load(result), key, value)
    return result


def _edit_fast(frontmatter: str, key: str, value: object, newline: str) -> str:
    """The edit `_edit_with_ruamel` makes, found from libyaml's node marks (the
    same marks ruamel records) instead of a round-trip load, ten times faster.
    Raises `NeedsRuamel` wherever the two parsers could disagree (duplicate
    keys, anchors, tags, odd line breaks) and when the
    result fails its check, so that such a frontmatter gets the ruamel path's
    result or error."""
    if not_fast(frontmatter):
        raise NeedsRuamel
    old_data, root = safe_load_with_node(frontmatter, check_tree)
    assert root is None or isinstance(root, yaml.MappingNode), "check_tree lets only a block mapping through"
    lines = _LINE.findall(frontmatter)
    try:
        result = _write(lines, _node_layout(lines, root, key, value), key, value, newline)
        if result is None:
            return frontmatter
        if "&" in result:  # an anchor could share nodes: the full check
            verify(old_data, safe_load(result), key, value)
        elif not result_reads_back(root, result, key, value):
            raise NeedsRuamel
    except FrontmatterEditError as error:
        raise NeedsRuamel from error
    return result


def _write(lines: list[str], layout: _Layout, key: str, value: object, newline: str) -> str | None:
    """The frontmatter with the edit made, unchecked; None when there is nothing to do."""
    if layout.at is None:
        if value is DELETE:
            return None
        new = render_value_lines(layout.indent + render_key(key), value, existing_style=None, indent="  ", quote=None, newline=newline)
        if lines and not lines[-1].endswith("\n"):
            lines = lines[:-1] + [lines[-1] + newline]
        return "".join(lines + new)
    first, col = layout.at
    end = _span_end(lines, layout.key_lines, first, col)
    if layout.items and value:
        edited = _edit_items(lines, first, end, layout, list(value), newline)  # type: ignore[call-overload]
        if edited is not None:
            return edited
    new = [] if value is DELETE else _rewrite(lines[first], key, value, first, col, layout, newline)
    return "".join(lines[:first] + new + lines[end:])


def _edit_items(lines: list[str], first: int, end: int, layout: _Layout, value: list[str], newline: str) -> str | None:
    """The frontmatter with the old list edited item by item (bot/frontmatter_list.py)."""
    assert layout.items is not None and layout.list_span is not None
    plan = frontmatter_list.steps([item.text for item in layout.items], value)
    flow = layout.style != BLOCK

    def render(text: str) -> str:
        return render_str(text, layout.quote, flow=flow)

    if not flow:
        shifted = [frontmatter_list.Item((i.start[0] - first, i.start[1]), (i.end[0] - first, i.end[1]), i.text) for i in layout.items]
        new = frontmatter_list.edit_block(lines[first:end], shifted, plan, layout.list_span[0][1], render, newline)
        return None if new is None else "".join(lines[:first] + new + lines[end:])
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    text = "".join(lines)
    inside = starts[layout.list_span[0][0]] + layout.list_span[0][1] + 1  # after `[`
    close = starts[layout.list_span[1][0]] + layout.list_span[1][1] - 1  # at `]`
    offsets = [(starts[i.start[0]] + i.start[1] - inside, starts[i.end[0]] + i.end[1] - inside) for i in layout.items]
    return text[:inside] + frontmatter_list.edit_flow(text[inside:close], offsets, plan, render) + text[close:]


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


def _node_layout(lines: list[str], root: Any, key: str, value: object) -> _Layout:
    """The layout from a node tree, libyaml's or ruamel's (the two have the same
    shape and marks; ruamel writes a plain scalar's style as None, libyaml as "")."""
    pairs = root.value if root is not None else []
    key_lines = sorted(k.start_mark.line for k, _ in pairs)
    indent = " " * pairs[0][0].start_mark.column if pairs else ""
    found = [(k, v) for k, v in pairs if k.value == key]
    if not found:
        return _Layout(key_lines, indent, None, None, "  ", None)
    key_node, old = found[0]
    style, item_indent, quote = None, "  ", None
    items, span = None, None
    if old.id == "scalar" and isinstance(value, str):
        # A plain scalar that ruamel reads as a number or a date gives no quote
        # either, so whether it is a str does not matter here.
        quote = quote_of([(old.style if old.style in ("'", '"') else None, old.value)])
    elif old.id == "sequence" and isinstance(value, (list, tuple)):
        quote = quote_of([_node_item(item) for item in old.value])
        mark = old.start_mark
        if old.flow_style or not old.value:
            style = FLOW_SPACED if lines[mark.line][mark.column :].startswith("[ ") else FLOW
        else:
            style, item_indent = BLOCK, _item_indent(lines[mark.line], mark.column)
        if old.value and all(item.id == "scalar" for item in old.value):
            items = tuple(
                frontmatter_list.Item(
                    (item.start_mark.line, item.start_mark.column),
                    (item.end_mark.line, item.end_mark.column),
                    scalar_text(_scalar_value(item)),
                )
                for item in old.value
            )
            span = ((mark.line, mark.column), (old.end_mark.line, old.end_mark.column))
    at = (key_node.start_mark.line, key_node.start_mark.column)
    return _Layout(key_lines, indent, at, style, item_indent, quote, items, span)


_VALUES = CoreSchemaLoader("")  # resolves and constructs single scalars, as the reader does


def _scalar_value(node: Any) -> object:
    """A scalar node's value as the reader reads it, from either parser's node."""
    if node.style:  # quoted, literal or folded: a str
        return node.value
    tag = _VALUES.resolve(yaml.ScalarNode, node.value, (True, False))
    return _VALUES.construct_document(yaml.ScalarNode(tag, node.value))


def _item_indent(line: str, column: int) -> str:
    indent = line[:column]
    return "  " if indent.strip(" ") else indent


def _node_item(node: Any) -> tuple[str | None, str | None]:
    """(quote, the str ruamel would read) for one list item node, as `quote_of` takes it."""
    if node.id != "scalar":
        return None, None
    if node.style in ("'", '"'):
        return node.style, node.value
    if not node.style and not reads_as_str_in_ruamel(node.value):  # plain
        return None, None
    return None, node.value


def _inline_comment(line: str) -> str:
    """The ` # comment` after a value written wholly on `line` (with the spaces
    before it), or after a bare `key:` whose block value follows; else ""."""
    body = line.rstrip("\r\n")
    if "#" not in body:
        return ""
    try:
        tokens = list(yaml.scan(body, Loader=CoreSchemaLoader))  # columns count characters, not bytes
    except yaml.YAMLError:
        return ""  # the value goes on past this line; a comment inside it is the value's
    ends = [t.end_mark.column for t in tokens if not isinstance(t, (yaml.BlockEndToken, yaml.StreamEndToken, yaml.BlockMappingStartToken))]
    rest = body[max(ends, default=0) :]
    return rest if rest.lstrip(" \t").startswith("#") else ""
