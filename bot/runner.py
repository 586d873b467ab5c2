"""One run: scan -> parse -> index -> rules -> edits -> render -> (write).

`plan_run` computes every change in memory and touches nothing on disk, which
is all a dry run needs. `write_changes` then writes them one note at a time.
Each rule sees the vault as the rules before it left it: after a rule changes
notes, those notes are parsed again from their new text and the index is
rebuilt, so, for example, duplicates marked by dedupe-meetings are already
left out of Recent Context in the same run, and a second run changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from bot.config import Config
from bot.edits import Edit, MoveNote, Report
from bot.memo import CleanRunMemo, DateWindow, code_fingerprint, state_digest
from bot.note import BadNote, Note, ParseSettings, decode, parse_note
from bot.obsidian import ObsidianSettings, read_settings
from bot.problem import Problem
from bot.render import RenderError, render
from bot.scan import FileStat, ScanResult, scan_vault
from bot.vault import VaultIndex
from bot.writer import WriteConflict, move_note, write_note
from rules import RULES, Rule, get_rule


@dataclass(frozen=True)
class Change:
    path: str
    rules: tuple[str, ...]
    before: bytes
    after: bytes
    destination: str | None = None  # the note moves there (written at the new path, removed here)


@dataclass
class RunPlan:
    root: Path
    changes: list[Change]
    problems: list[Problem]
    notes_seen: int
    rules: tuple[str, ...]
    vault: VaultIndex | None = None  # after every rule
    original: VaultIndex | None = None  # as read, before any rule (what `vaultbot explain` describes)
    scan: ScanResult | None = None
    context: str = ""  # what besides the files decides the result (bot/memo.py)
    # Warnings that follow from the notes' contents (parsing, rules, links), as
    # opposed to the settings and the scan, which every run checks afresh.
    note_problems: list[Problem] = field(default_factory=list)
    load_problems: list[Problem] = field(default_factory=list)  # the notes that could not be parsed
    remembered: bool = False  # the result is the clean-run memo's: nothing was parsed or run


@dataclass
class WriteResult:
    written: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False  # an I/O error (not a conflict) stopped a write
    stats: dict[str, FileStat] = field(default_factory=dict)  # path as written -> the file vaultbot placed


def selected_rules(config: Config, rule_ids: Sequence[str] = ()) -> list[Rule]:
    """The rules to run, in registry order: those named (enabled or not), else all enabled ones."""
    if rule_ids:
        return [rule for rule in RULES if rule.ID in set(rule_ids)]
    return [rule for rule in RULES if config.rules[rule.ID].enabled]


def parse_settings(config: Config, settings: ObsidianSettings) -> ParseSettings:
    return ParseSettings(
        date_keys=config.date_keys,
        daily_format=settings.daily_format,
        generated_heading=config.rule_options("recent-context").heading,
    )


def read_note(root: Path, path: str, stat: FileStat, settings: ParseSettings) -> Note:
    """Parse one note from disk; BadNote or OSError when it cannot be used."""
    data = (root / path).read_bytes()
    text, bom = decode(path, data)
    return parse_note(path, text, bom, stat, settings)


NoteLoader = Callable[[Path, ScanResult, ParseSettings], "tuple[dict[str, Note], list[Problem]]"]
# progress(stage, done, total, detail): "scan" once the notes are counted (parsing starts),
# "parse" once they are loaded, "rule" before each rule and once after the last.
# The caller decides how, and whether, to show it: the runner knows no terminal.
Progress = Callable[[str, int, int, str], None]


def _no_progress(stage: str, done: int, total: int, detail: str) -> None:
    pass


def load_notes(root: Path, scan: ScanResult, settings: ParseSettings) -> tuple[dict[str, Note], list[Problem]]:
    notes: dict[str, Note] = {}
    problems: list[Problem] = []
    for path, stat in scan.files.items():
        try:
            notes[path] = read_note(root, path, stat, settings)
        except BadNote as error:
            problems.append(Problem(path, f"skipped: {error}"))
        except OSError as error:
            problems.append(Problem(path, f"skipped: cannot be read: {error.strerror or error}"))
    return notes, problems


def _group_edits(
    rule: Rule, vault: VaultIndex, options: object, today: datetime.date, problems: list[Problem]
) -> dict[str, list[Edit]]:
    edits: dict[str, list[Edit]] = defaultdict(list)
    for path, edit in rule.check(vault, options, today):
        if isinstance(edit, Report):
            problems.append(Problem(path, f"{rule.ID}: {edit.message}"))
        elif path in vault.notes and not vault.notes[path].opted_out(rule.ID):
            edits[path].append(edit)
    return edits


def apply_rules(
    vault: VaultIndex,
    rules: Iterable[Rule],
    config: Config,
    settings: ParseSettings,
    today: datetime.date,
    problems: list[Problem],
    progress: Progress = _no_progress,
) -> tuple[VaultIndex, dict[str, list[str]], dict[str, tuple[str, Note]]]:
    """The vault after every rule, which rules changed each note, and the notes moved (path -> (destination, note)).

    A moved note leaves the index as soon as its rule has run: the rules after
    it see the vault as the next run will, where it is no longer scanned.
    """
    changed_by: dict[str, list[str]] = defaultdict(list)
    moved: dict[str, tuple[str, Note]] = {}
    rules = list(rules)
    for index, rule in enumerate(rules):
        progress("rule", index, len(rules), rule.ID)
        updated: dict[str, Note] = {}
        moving: dict[str, str] = {}
        for path, edits in _group_edits(rule, vault, config.rule_options(rule.ID), today, problems).items():
            note = vault.notes[path]
            destination = next((edit.destination for edit in edits if isinstance(edit, MoveNote)), None)
            try:
                text = render(note.text, note.body_start, note.newline, edits)
                if text == note.text and destination is None:
                    continue
                updated[path] = note if text == note.text else parse_note(path, text, note.bom, note.stat, settings)
            except RenderError as error:
                problems.append(Problem(path, f"{rule.ID}: not changed: {error}"))
                continue
            except BadNote as error:  # our own output must parse; if not, keep the note as it was
                problems.append(Problem(path, f"{rule.ID}: not changed: the result would not parse ({error})"))
                continue
            except Exception as error:  # a defect in one edit must cost that note, not the run
                problems.append(Problem(path, f"{rule.ID}: not changed: unexpected {type(error).__name__}: {error} (please report)"))
                continue
            changed_by[path].append(rule.ID)
            if destination is not None:
                moving[path] = destination
        if updated:
            for path, destination in moving.items():
                moved[path] = (destination, updated.pop(path))
            vault = vault.with_notes(updated, removed=moving)
    return vault, changed_by, moved


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """A run builds hundreds of thousands of objects that live to its end and almost
    no cyclic garbage; Python's cyclic collector would walk them all again and
    again (in profiles, a third of a warm run). Reference counting still frees
    everything; the collector resumes when the run is over."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def plan_run(
    root: Path,
    config: Config,
    today: datetime.date,
    rule_ids: Sequence[str] = (),
    loader: NoteLoader = load_notes,
    progress: Progress = _no_progress,
    memo: CleanRunMemo | None = None,
) -> RunPlan:
    """Every change a run would make, computed in memory. Nothing is written."""
    with collector_paused():
        return _plan_run(root, config, today, rule_ids, loader, progress, memo)


def _plan_run(
    root: Path,
    config: Config,
    today: datetime.date,
    rule_ids: Sequence[str],
    loader: NoteLoader,
    progress: Progress,
    memo: CleanRunMemo | None,
) -> RunPlan:
    settings, setting_problems = read_settings(root)
    problems = [Problem(path, message) for path, message in setting_problems]
    scan = scan_vault(root, settings, config.scan_exclude)
    problems.extend(scan.problems)
    rules = selected_rules(config, rule_ids)
    ids = tuple(r.ID for r in rules)
    context = run_context(settings, config, ids)
    progress("scan", len(scan.files), len(scan.files), "")
    if memo is not None:
        remembered = memo.recall(state_digest(scan.files, scan.folders, context), today)
        if remembered is not None:
            progress("rule", len(rules), len(rules), "")
            return RunPlan(root, [], problems + remembered, len(scan.files), ids, scan=scan, context=context, note_problems=remembered, remembered=True)
    parse = parse_settings(config, settings)
    notes, load_problems = loader(root, scan, parse)
    note_problems = list(load_problems)
    progress("parse", len(scan.files), len(scan.files), "")
    unparsed = frozenset(scan.files) - notes.keys()
    original = VaultIndex(notes, scan.folders, settings, config, unparsed)
    final, changed_by, moved = apply_rules(original, rules, config, parse, today, note_problems, progress)
    progress("rule", len(rules), len(rules), "")
    note_problems.extend(original.problems())
    changes = []
    for path, rule_list in sorted(changed_by.items()):
        destination, note = moved.get(path, (None, final.notes.get(path)))
        before, after = notes[path].to_bytes(), note.to_bytes()
        if before != after or destination is not None:
            changes.append(Change(path, tuple(dict.fromkeys(rule_list)), before, after, destination))
    return RunPlan(root, changes, problems + note_problems, len(scan.files), ids, final, original, scan, context, note_problems, load_problems)


def run_context(settings: ObsidianSettings, config: Config, rule_ids: Sequence[str]) -> str:
    """Everything besides the vault's files that decides a run's result."""
    return f"{code_fingerprint()}|{settings!r}|{config!r}|{','.join(rule_ids)}"


def remember_clean_state(plan: RunPlan, written: WriteResult, config: Config, today: datetime.date, memo: CleanRunMemo) -> bool:
    """After a real run, record the vault as clean, if it provably is.

    Provably: every planned change was written (no conflict, no note left for
    someone's uncommitted edit, no move, whose target the scan never sees), and
    the rules, run once more over the vault as written, change nothing.
    """
    if plan.remembered:
        return True
    placed = [change.path for change in plan.changes if change.destination is None and change.path in written.stats]
    if plan.scan is None or plan.vault is None or len(placed) != len(plan.changes):
        memo.forget()
        return False
    note_problems = plan.note_problems
    if plan.changes:
        note_problems = list(plan.load_problems)
        parse = parse_settings(config, plan.vault.settings)
        with collector_paused():
            _, changed_again, _ = apply_rules(plan.vault, [get_rule(i) for i in plan.rules], config, parse, today, note_problems)
        if changed_again:  # a rule that is not idempotent here: never claim the vault is clean
            memo.forget()
            return False
        note_problems.extend(plan.vault.problems())
    files = {**plan.scan.files, **{path: written.stats[path] for path in placed}}
    dates = [note.date.date.first_day() for note in plan.vault.notes.values() if note.date.date is not None]
    memo.remember(state_digest(files, plan.scan.folders, plan.context), DateWindow.around(today, dates), note_problems)
    return True


def write_changes(root: Path, changes: Iterable[Change]) -> WriteResult:
    """Write each change atomically; a conflict or an I/O error skips that note only."""
    result = WriteResult()
    for change in changes:
        try:
            if change.destination is None:
                result.stats[change.path] = write_note(root / change.path, change.after, change.before)
            else:
                result.stats[change.destination] = move_note(root / change.path, root / change.destination, change.after, change.before)
        except FileExistsError:
            result.problems.append(Problem(change.path, f"not moved: {change.destination} already exists; the note is unchanged"))
        except WriteConflict:
            result.problems.append(Problem(change.path, "changed on disk while vaultbot ran; not overwritten (the next run picks it up)"))
        except OSError as error:
            result.failed = True
            result.problems.append(Problem(change.path, f"cannot be written: {error.strerror or error}; the note is unchanged"))
        else:
            result.written.append(change)
    return result
