"""Frontmatter values as Obsidian shows them: YAML 1.2 core schema on libyaml.

PyYAML resolves plain scalars by YAML 1.1, which turns text a user typed into
something else: `On`, `off`, `yes` and `no` become booleans, `12:30` the
base-60 number 750, `1_000` the number 1000, `0755` the octal 493. Obsidian
reads YAML 1.2 and shows all of these as the text they are. `CoreSchemaLoader`
is libyaml's `CSafeLoader` (its speed: the parsing stays in C) with the
implicit resolvers replaced by the YAML 1.2 core schema's, and two choices
made for Obsidian rather than by the letter of the schema:

- `0x1F`, `0o17`, `.inf` and `.nan` are text. The core schema reads them as
  numbers, so a rule writing the value back would write `31`; Obsidian shows a
  text property as the text typed, and no rule computes with such a number.
  Decimal integers (`2024`, `007`), decimals (`1.5`, `1e3`), `true`/`false`
  and `null`/`~`/empty keep their YAML 1.2 types.
- Dates and datetimes (`2025-10-06`, `2025-10-06T09:30:00`) are read as dates,
  as Obsidian's date properties and ruamel.yaml do; one that names no real day
  or time (`2025-02-29`, `2025-03-03T24:30:00`) is text, never a reason to
  drop the note.

Safety is libyaml's safe loading: no Python objects, only the standard tags.
Size limits and alias bombs are checked by the callers (bot/note.py,
bot/frontmatter_edit.py).
"""

from __future__ import annotations

import datetime
import re
from typing import Any, ClassVar

import yaml

__all__ = ["CoreSchemaLoader", "scalar_text"]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_TIMESTAMP = re.compile(
    r"""[0-9]{4}-[0-9]{2}-[0-9]{2}\Z
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
     (?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?\Z""",
    re.VERBOSE,
)
_BASED_INT = re.compile(r"[-+]?0(?:x[0-9a-fA-F]+|o[0-7]+)\Z")


class CoreSchemaLoader(_Base):
    """libyaml's safe loader with YAML 1.2 core-schema resolvers (see the module docstring)."""

    # Its own table (PyYAML copies the parent's on the first `add_implicit_resolver`
    # otherwise, and YAML 1.1's resolvers would stay in it).
    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        # Only explicit `!!int 0x1F` reaches here with a prefix; a plain `0755` is decimal in 1.2.
        text = self.construct_scalar(node)
        return int(text, 0) if _BASED_INT.match(text) else int(text, 10)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> datetime.date | datetime.datetime | str:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return str(self.construct_scalar(node))  # `2025-02-29`: text, as Obsidian shows it


for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", re.compile(r"(?:~|null|Null|NULL|)\Z"), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
    ("tag:yaml.org,2002:timestamp", _TIMESTAMP, list("0123456789")),
    ("tag:yaml.org,2002:merge", re.compile(r"<<\Z"), ["<"]),  # ruamel.yaml honours merge keys too
):
    CoreSchemaLoader.add_implicit_resolver(_tag, _pattern, _first)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", CoreSchemaLoader.construct_yaml_int)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:timestamp", CoreSchemaLoader.construct_yaml_timestamp)
# `<<` merges as a key; as a value (`x: <<`) it is the text it is.
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:merge", CoreSchemaLoader.construct_yaml_str)


def scalar_text(value: object) -> str:
    """The text Obsidian shows for a list item such as a tag: a str as it is, a
    number or a date as written in YAML 1.2 form, nothing for an empty item."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
