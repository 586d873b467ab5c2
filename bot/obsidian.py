"""What vaultbot reads from a vault's `.obsidian/` settings.

Only the settings that change which files are notes, how a daily note is named,
and how Obsidian writes a new link. A missing or unreadable settings file means
Obsidian's defaults; an unreadable one is reported, never fatal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

TEMPLATER_SETTINGS = ".obsidian/plugins/templater-obsidian/data.json"


@dataclass(frozen=True)
class ObsidianSettings:
    templates_folders: tuple[str, ...] = ()
    ignore_filters: tuple[str, ...] = ()
    daily_format: str = "YYYY-MM-DD"
    new_link_format: str = "shortest"  # shortest | absolute | relative
    use_markdown_links: bool = False

    def is_ignored(self, path: str) -> bool:
        """Whether Obsidian would hide `path` (templates folders and `userIgnoreFilters`).

        Obsidian treats a filter written as `/regex/` as a regular expression and
        any other filter as a plain prefix of the vault path.
        """
        prefixes, patterns = self._ignore_rules
        return path.startswith(prefixes) or any(pattern.search(path) for pattern in patterns)

    @cached_property
    def _ignore_rules(self) -> tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]:
        prefixes = [folder + "/" for folder in self.templates_folders]
        patterns = []
        for rule in self.ignore_filters:
            if len(rule) > 2 and rule.startswith("/") and rule.endswith("/"):
                try:
                    patterns.append(re.compile(rule[1:-1]))
                except re.error:
                    continue  # Obsidian ignores a filter it cannot compile, too
            else:
                prefixes.append(rule)
        return tuple(prefixes), tuple(patterns)


def _read_json(path: Path, warnings: list[tuple[str, str]], rel: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        warnings.append((rel, f"unreadable Obsidian settings, using defaults: {error}"))
        return {}
    return data if isinstance(data, dict) else {}


def _folder(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    folder = value.strip().strip("/")
    return folder or None


def read_settings(root: Path) -> tuple[ObsidianSettings, list[tuple[str, str]]]:
    """The vault's Obsidian settings and a (path, message) list of problems reading them."""
    warnings: list[tuple[str, str]] = []
    app = _read_json(root / ".obsidian/app.json", warnings, ".obsidian/app.json")
    templates = _read_json(root / ".obsidian/templates.json", warnings, ".obsidian/templates.json")
    templater = _read_json(root / TEMPLATER_SETTINGS, warnings, TEMPLATER_SETTINGS)
    daily = _read_json(root / ".obsidian/daily-notes.json", warnings, ".obsidian/daily-notes.json")

    folders = [_folder(templates.get("folder")), _folder(templater.get("templates_folder"))]
    filters = app.get("userIgnoreFilters") or []
    link_format = app.get("newLinkFormat", "shortest")
    daily_format = daily.get("format")
    return (
        ObsidianSettings(
            templates_folders=tuple(dict.fromkeys(f for f in folders if f)),
            ignore_filters=tuple(f for f in filters if isinstance(f, str) and f),
            daily_format=daily_format if isinstance(daily_format, str) and daily_format.strip() else "YYYY-MM-DD",
            new_link_format=link_format if link_format in ("shortest", "absolute", "relative") else "shortest",
            use_markdown_links=app.get("useMarkdownLinks") is True,
        ),
        warnings,
    )
