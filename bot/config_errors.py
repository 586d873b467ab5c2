"""A config error as a person reads it: the file, the line and the key, once.

bot/config.py validates the loaded YAML and names the key
(`rules.recent-context.max_entries`); the line is found here by reading the file
again with positions kept, only when there is an error to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from bot.config import CONFIG_FILE, ConfigError


def describe(error: ConfigError, vault: Path, config_file: Path | None) -> str:
    """`error`'s message with the line of its key: `.vaultbot.yaml, line 3: rules.x.y: expected ...`."""
    message = str(error)
    source = str(config_file) if config_file is not None else CONFIG_FILE
    prefix = f"{source}: {error.key}: "
    if not error.key or not message.startswith(prefix):
        return message
    line = key_line(config_file if config_file is not None else vault / CONFIG_FILE, error.key)
    if line is None:
        return message
    return f"{source}, line {line}: {error.key}: {message[len(prefix) :]}"


def key_line(path: Path, key: str) -> int | None:
    """The 1-based line of the dotted `key` in the YAML file at `path`, or None when it cannot be told."""
    try:
        document = YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, ValueError):  # changed since it was loaded: no line, the message stays
        return None
    return _find(document, key.split("."))


def _find(node: Any, parts: list[str]) -> int | None:
    """Walk the mappings along `parts`; a key holding dots (a folder map's own keys) is tried whole too."""
    if not isinstance(node, CommentedMap) or not parts:
        return None
    for taken in range(len(parts), 0, -1):
        name = ".".join(parts[:taken])
        if name not in node:
            continue
        line = int(node.lc.key(name)[0]) + 1
        rest = parts[taken:]
        return (_find(node[name], rest) or line) if rest else line
    return None
