"""Rules as pure functions: a vault built in memory from `{path: text}`, no disk.

`index` parses the notes and builds the vault index a rule reads, as a run
would from the same files; `run_rules` runs rules over it in the engine's
order (bot/runner.py `apply_rules`, which is pure) and returns each changed
note's new text and the warnings. Tests of a rule are then tables of cases:
notes in, texts and warnings out.

What a run on disk adds around that is the scan (which files are notes), the
writer and git; the warnings here are those a run reports for the same notes,
in its order: notes that could not be used, then each rule's, then ambiguous
links.
"""

from __future__ import annotations

import datetime
import posixpath
from typing import Any, Mapping, NamedTuple, Sequence

from bot.config import Config, parse_config
from bot.note import BadNote, Note, Source, decode, keeps_text, parse_note
from bot.note_text import CHANGED, ChangedWhileRunning, TextReader
from bot.obsidian import ObsidianSettings
from bot.problem import Problem
from bot.runner import apply_rules, parse_settings, selected_rules
from bot.scan import matches_glob
from bot.since_clean import link_warnings
from bot.vault import VaultIndex
from rules import Rule

TODAY = datetime.date(2026, 1, 1)
Notes = Mapping[str, "str | bytes"]  # vault path -> the file's text (bytes: as stored, e.g. not UTF-8)


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


class Parsed(NamedTuple):
    vault: VaultIndex
    unusable: list[Problem]  # "skipped: why", as a run reports a note it cannot use


def _parse(notes: Notes, settings: Config, obsidian: ObsidianSettings, folders: Sequence[str]) -> Parsed:
    parse = parse_settings(settings, obsidian)
    parsed: dict[str, Note] = {}
    unusable = []
    left_out = set()
    for path, content in sorted(notes.items()):
        if not path.endswith(".md"):
            continue  # no note, as the scan has it
        if obsidian.is_ignored(path) or any(matches_glob(path, pattern) for pattern in settings.scan_exclude):
            left_out.add(path)  # kept out of the index (an archive folder, `exclude`), as the scan keeps it
            continue
        try:
            data = _bytes(content)
            text, bom = decode(path, data)
            note = parse_note(path, text, bom, None, parse)
            # Kept as a run from disk keeps it (bot/reading.py): rules see the facts, not the text, of other notes.
            parsed[path] = note if keeps_text(note, parse) else note.without_text(Source.of(data))
        except BadNote as error:
            unusable.append(Problem(path, f"skipped: {error}"))
    unparsed = [problem.path for problem in unusable]
    vault = VaultIndex(parsed, _folders([*notes, *folders]) | set(folders), obsidian, settings.index, unparsed, left_out)
    return Parsed(vault, unusable)


def index(
    notes: Notes, settings: Config | None = None, folders: Sequence[str] = (), obsidian: ObsidianSettings | None = None
) -> VaultIndex:
    """The vault index of `notes` (vault path -> text), with their folders and any extra empty `folders`."""
    return _parse(notes, settings or config(), obsidian or ObsidianSettings(), folders).vault


class Outcome(NamedTuple):
    changed: dict[str, str]  # path -> its new text, BOM included (a moved note: its new path -> its text)
    warnings: list[str]  # "path: message", in the order a run reports them


class Run(NamedTuple):
    """Everything one run in memory decided, for the tests that look past texts and warnings."""

    changed: dict[str, str]
    warnings: list[str]
    moved: dict[str, str]  # path -> where the note goes
    requires: dict[str, tuple[str, ...]]  # path -> the notes it is written only with (WriteOnlyWith)

    def after(self, notes: Notes) -> dict[str, str | bytes]:
        """The vault as the run leaves it: `notes` with the changes written and the moved notes moved."""
        kept = {path: text for path, text in notes.items() if path not in self.moved}
        return {**kept, **self.changed}


def run(
    rules: Sequence[Rule] | None,
    notes: Notes,
    settings: Config | None = None,
    today: datetime.date = TODAY,
    obsidian: ObsidianSettings | None = None,
) -> Run:
    """What running `rules` (in this order; None: every enabled rule, as a plain run) over `notes` decides."""
    settings = settings or config()
    obsidian = obsidian or ObsidianSettings()
    rules = selected_rules(settings) if rules is None else rules
    original, unusable = _parse(notes, settings, obsidian, ())
    result = apply_rules(original, rules, settings, parse_settings(settings, obsidian), today, read_text=_reader(notes))
    changed, moved = {}, {}
    for path in result.changed_by:
        destination, note = result.moved.get(path, (path, result.vault.notes.get(path)))
        text = note.to_bytes().decode("utf-8") if note is not None else None
        if text is not None and (text != _text(notes[path]) or destination != path):
            changed[destination] = text
            if destination != path:
                moved[path] = destination
    problems = [*unusable, *(problem for rule in rules for problem in result.problems[rule.ID]), *link_warnings(original, None, None)]
    requires = {path: tuple(sorted(paths)) for path, paths in result.requires.items() if path in changed or path in moved}
    return Run(changed, [str(problem) for problem in problems], moved, requires)


def _reader(notes: Notes) -> TextReader:
    """bot/note_text.py `with_text` over the notes in memory instead of files."""

    def read(note: Note) -> Note:
        data = _bytes(notes[note.path])
        if Source.of(data) != note.source:
            raise ChangedWhileRunning(CHANGED)
        return note.with_text(decode(note.path, data)[0])

    return read


def _bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _text(content: str | bytes) -> str:
    return content.decode("utf-8", "surrogateescape") if isinstance(content, bytes) else content


def run_rules(
    rules: Sequence[Rule] | None,
    notes: Notes,
    settings: Config | None = None,
    today: datetime.date = TODAY,
    obsidian: ObsidianSettings | None = None,
) -> Outcome:
    """What running `rules` over `notes` changes, computed in memory as a run does: texts and warnings."""
    result = run(rules, notes, settings, today, obsidian)
    return Outcome(result.changed, result.warnings)


def twice(
    rules: Sequence[Rule] | None,
    notes: Notes,
    settings: Config | None = None,
    today: datetime.date = TODAY,
    obsidian: ObsidianSettings | None = None,
) -> tuple[Outcome, Outcome]:
    """A run, then a second run over what the first left: the second should change nothing."""
    first = run(rules, notes, settings, today, obsidian)
    return Outcome(first.changed, first.warnings), run_rules(rules, first.after(notes), settings, today, obsidian)
