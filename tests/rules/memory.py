"""Rules as pure functions: a vault built in memory from `{path: text}`, no disk.

`index` parses the notes and builds the vault index a rule reads, as a run
would from the same files; `run_rules` runs rules over it in the engine's
order (bot/runner.py `apply_rules`, which is pure) and returns each changed
note's new text and the warnings. Tests of a rule are then tables of cases:
notes in, texts and warnings out.
"""

from __future__ import annotations

import datetime
import posixpath
from typing import Any, Mapping, NamedTuple, Sequence

from bot.config import Config, parse_config
from bot.note import parse_note
from bot.obsidian import ObsidianSettings
from bot.runner import apply_rules, parse_settings
from bot.vault import VaultIndex
from rules import Rule

TODAY = datetime.date(2026, 1, 1)


def config(data: Mapping[str, Any] | None = None) -> Config:
    """A validated configuration from the dict `.vaultbot.yaml` would hold (None: the defaults)."""
    return parse_config(dict(data) if data is not None else None)


def _folders(paths: Sequence[str]) -> set[str]:
    folders = set()
    for path in paths:
        folder = posixpath.dirname(path)
        while folder:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return folders


def index(notes: Mapping[str, str], settings: Config | None = None, folders: Sequence[str] = ()) -> VaultIndex:
    """The vault index of `notes` (vault path -> text), with their folders and any extra empty `folders`."""
    settings = settings or config()
    obsidian = ObsidianSettings()
    parse = parse_settings(settings, obsidian)
    parsed = {path: parse_note(path, text.removeprefix("\ufeff"), text.startswith("\ufeff"), None, parse) for path, text in notes.items()}
    return VaultIndex(parsed, _folders([*notes, *folders]) | set(folders), obsidian, settings.index)


class Outcome(NamedTuple):
    changed: dict[str, str]  # path -> its new text, BOM included (a moved note: its new path -> its text)
    warnings: list[str]  # "path: message", in the order a run reports them


def run_rules(rules: Sequence[Rule], notes: Mapping[str, str], settings: Config | None = None, today: datetime.date = TODAY) -> Outcome:
    """What running `rules` (in this order) over `notes` changes, computed in memory as a run does."""
    settings = settings or config()
    vault = index(notes, settings)
    result = apply_rules(vault, rules, settings, parse_settings(settings, vault.settings), today)
    changed = {}
    for path in result.changed_by:
        destination, note = result.moved.get(path, (path, result.vault.notes.get(path)))
        text = note.to_bytes().decode("utf-8") if note is not None else None
        if text is not None and (text != notes[path] or destination != path):
            changed[destination] = text
    warnings = [str(problem) for rule in rules for problem in result.problems[rule.ID]]
    return Outcome(changed, warnings)
