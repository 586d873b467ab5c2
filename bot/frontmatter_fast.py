"""The fast path's guards: when libyaml's node tree may stand in for ruamel.yaml's.

bot/frontmatter_edit.py edits from libyaml's nodes when nothing here objects:
the frontmatter has none of the forms the two parsers might read differently,
its tree is a block mapping with plain str keys, and the result reads back with
every other key's nodes unchanged. Otherwise `NeedsRuamel` sends the edit down
the ruamel path, which gives the same bytes or the same error.
"""

from __future__ import annotations

import re

import yaml

from bot.frontmatter_load import DELETE, MAX_FRONTMATTER_BYTES, reads_as
from bot.frontmatter_render import reads_as_str_in_ruamel
from bot.yaml_reader import CoreSchemaLoader


class NeedsRuamel(Exception):
    """The fast path cannot vouch that it gives the ruamel path's bytes."""


# Forms where libyaml and ruamel might locate things
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


def not_fast(text: str) -> bool:
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
    loader = CoreSchemaLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent) or (
                isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and (event.anchor is not None or event.tag is not None)
            ):
                return True
    except yaml.YAMLError:
        return False  # the load that follows fails alike on both paths
    finally:
        loader.dispose()
    return False


def result_reads_back(old_root: yaml.MappingNode | None, result: str, key: str, value: object) -> bool:
    """`_verify` on the parse trees, which skips constructing the result: true
    when the result parses, its other keys have the very nodes (tag, text and
    shape) they had, in order, and the key (once) reads back as `value`.
    Equal nodes construct equal values, so this passes only where `_verify`
    would; it may fail where `_verify` passes, and then the ruamel path decides."""
    if len(result.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES:
        return False
    old_pairs = old_root.value if old_root is not None else []
    loader = CoreSchemaLoader(result)
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
        if value is DELETE:
            return not at
        if len(at) != 1:
            return False
        read = loader.construct_object(new_pairs[at[0]][1], deep=True)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return reads_as(read, value)


def _same_pairs(a: list[tuple[yaml.Node, yaml.Node]], b: list[tuple[yaml.Node, yaml.Node]]) -> bool:
    return len(a) == len(b) and all(
        _same_node(key_a, key_b) and _same_node(value_a, value_b) for (key_a, value_a), (key_b, value_b) in zip(a, b)
    )


def _same_node(a: yaml.Node, b: yaml.Node) -> bool:
    if type(a) is not type(b) or a.tag != b.tag:
        return False
    if isinstance(a, yaml.ScalarNode):
        return bool(a.value == b.value)
    if isinstance(a, yaml.SequenceNode):
        return len(a.value) == len(b.value) and all(map(_same_node, a.value, b.value))
    return _same_pairs(a.value, b.value)


def check_tree(root: yaml.Node) -> None:
    """Raise `NeedsRuamel` unless the frontmatter is a block mapping, every
    mapping key is a str both loaders agree on (so no merge key `<<`), no
    mapping repeats a key (ruamel refuses that, libyaml keeps the last) and
    nothing is nested too deeply for ruamel."""
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise NeedsRuamel
    for key_node, _ in root.value:
        if key_node.tag != _STR_TAG:
            raise NeedsRuamel
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_FAST_DEPTH:
            raise NeedsRuamel
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value in seen:
                    raise NeedsRuamel
                if not key_node.style and not reads_as_str_in_ruamel(key_node.value):
                    raise NeedsRuamel
                seen.add(key_node.value)
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
