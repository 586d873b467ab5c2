"""Loading frontmatter for an edit, and checking the edit's result.

Both loaders are safe: the reader's (bot/yaml_reader.py) for values, with
frontmatter over 64 KiB and alias bombs refused; ruamel.yaml's round trip to
refuse what it refuses (duplicate keys, a flow mapping) and to locate things.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import YAMLError as RuamelYAMLError

from bot.errors import NoteError
from bot.yaml_reader import CoreSchemaLoader, scalar_text

MAX_FRONTMATTER_BYTES = 64 * 1024  # larger frontmatter is bad input
MAX_EXPANDED_NODES = 100_000  # alias bombs: nodes after expanding every alias
DELETE = object()  # the value that deletes a key


class FrontmatterEditError(NoteError, ValueError):
    """The frontmatter cannot be edited safely (invalid YAML, not a mapping, a
    duplicate key, a result that would not re-parse to the intended values). The
    caller reports the note and leaves it untouched."""


def check_with_ruamel(text: str) -> None:
    """Refuse what ruamel.yaml's round trip refuses: invalid YAML, duplicate keys,
    a frontmatter that is no mapping or a flow mapping (`{...}`)."""
    if re.search("\r(?!\n)", text):
        raise FrontmatterEditError("a bare carriage return line break")
    loader = YAML(typ="rt")
    loader.preserve_quotes = True
    try:
        data = loader.load(text)
    except DuplicateKeyError as error:
        raise FrontmatterEditError(f"duplicate key: {error.problem}") from error
    except RuamelYAMLError as error:
        raise FrontmatterEditError(f"invalid YAML: {first_line(error)}") from error
    except RecursionError as error:
        raise FrontmatterEditError("nested too deeply") from error
    except (ValueError, OverflowError):
        # ruamel refuses an impossible date (`2025-02-29`), which the reader reads as
        # text; the node tree still shows the mapping and its keys.
        _check_top_level(compose_with_ruamel(text))
        return
    if data is not None and not isinstance(data, CommentedMap):
        raise FrontmatterEditError(f"frontmatter is a {type(data).__name__}, not a mapping")
    if data is not None and data.fa.flow_style():
        raise FrontmatterEditError(_FLOW_MAPPING)


_FLOW_MAPPING = "frontmatter is a flow mapping ({...}); it cannot be edited line by line"


def _check_top_level(root: Any) -> None:
    if root is None:
        return
    if root.id != "mapping":
        raise FrontmatterEditError(f"frontmatter is a {root.id}, not a mapping")
    if root.flow_style:
        raise FrontmatterEditError(_FLOW_MAPPING)
    keys = [key.value for key, _ in root.value if key.id == "scalar"]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise FrontmatterEditError(f"duplicate key: {repeated[0]!r}")


def compose_with_ruamel(text: str) -> Any:
    """ruamel.yaml's node tree (call after `round_trip_load` accepted the text):
    the positions the round trip records, for every node."""
    return YAML(typ="rt").compose(text)


def safe_load(text: str) -> dict[Any, Any]:
    return safe_load_with_node(text)[0]


def safe_load_with_node(text: str, inspect: Callable[[yaml.Node], None] | None = None) -> tuple[dict[Any, Any], yaml.Node | None]:
    """The data and its node tree; `inspect` sees the tree before constructing
    (which rewrites merge keys `<<` in place)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FRONTMATTER_BYTES:
        raise FrontmatterEditError(f"frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KiB")
    loader = CoreSchemaLoader(text)
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
        raise FrontmatterEditError(f"invalid YAML: {first_line(error)}") from error
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
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else (node.value if isinstance(node, yaml.SequenceNode) else [])
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


def verify(old: dict[Any, Any], new: dict[Any, Any], key: str, value: object) -> None:
    others_old = [(k, v) for k, v in old.items() if k != key]
    others_new = [(k, v) for k, v in new.items() if k != key]
    if not same(others_old, others_new):
        raise FrontmatterEditError(f"editing {key!r} would change other keys; left untouched")
    if value is DELETE:
        if key in new:
            raise FrontmatterEditError(f"{key!r} is still there after deleting it")
    elif key not in new or not reads_as(new[key], value):
        raise FrontmatterEditError(f"{key!r} would not read back as {value!r}; left untouched")


def reads_as(read: object, value: object) -> bool:
    """Whether a key read back as the value written. A list of str matches a list
    whose items show that text (`scalar_text`): an item the edit kept as the user
    wrote it (`2024`, `true`) is read as they wrote it, not as the str the rule saw."""
    if isinstance(value, (list, tuple)):
        return (
            isinstance(read, list)
            and len(read) == len(value)
            and all(not isinstance(item, (list, dict)) and scalar_text(item) == text for item, text in zip(read, value))
        )
    return same(read, value)


def same(a: object, b: object) -> bool:
    """Equality that tells `1` from `True` and lets NaN equal NaN."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return same(list(a.items()), list(b.items()))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (bool, int, float)) and type(a) is not type(b):
        return False
    return a == b


def first_line(error: Exception) -> str:
    return " ".join(str(error).split("\n")[:3]).strip()
