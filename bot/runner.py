"""One run: scan -> parse -> index -> rules -> edits -> render -> (write).

`plan_run` computes every change in memory and touches nothing on disk, which is all a dry run
needs; bot/write_back.py then writes them. Each rule sees the vault as the rules before it left
it: the notes a rule changes are parsed again from their new text (bot/reparse.py) and the index is updated
(bot/vault_update.py), so duplicates marked by dedupe-meetings are already left out of Recent
Context in the same run, and a second run changes nothing.

In a git vault where the run commits, planning reads the committed view
(bot/view.py): notes git does not know are left out, notes with uncommitted
changes are read as HEAD has them and never changed, so no commit holds text
derived from uncommitted notes, and the dry run plans exactly what the real run does.

A run that starts from a remembered clean state (bot/memo.py), with the vault changed since by
notes edited, added or removed (bot/delta.py says which such changes qualify), has each rule
check only what those changes affect and reaches the same result as a full run. What the memo
needs of a run is kept in the plan's `memo` (bot/memo_record.py).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from bot.change import Change
from bot.config import Config
from bot.delta import VaultDelta
from bot.edits import AppendTasks, Edit, MoveNote, NoteEdit, Report, RewriteLinks
from bot.errors import RunFailed
from bot.memo import CleanRunMemo
from bot.memo_record import MemoRecord, note_problems, recall
from bot.note import Note, ParseSettings
from bot.note_text import TextReader, reader, text_to_edit
from bot.obsidian import ObsidianSettings, read_settings
from bot.problem import Problem, rule_problem
from bot.reading import parse_files
from bot.reparse import note_after_edits
from bot.scan import FileStat, ScanResult, scan_vault
from bot.scope import notes_in_scope
from bot.since_clean import delta_since_clean_state, link_warnings, run_context
from bot.together import ties, untie, without_unmet_requirements
from bot.vault import VaultIndex
from bot.vault_update import with_notes
from bot.view import UNCOMMITTED, CommittedView, narrow, untracked_problems, waiting_problems
from rules import RULES, Rule


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
    memo: MemoRecord | None = None  # what the clean-run memo needs of the run, when it was given one (bot/memo_record.py)
    # Changes the run planned but will not make (a note with uncommitted changes, a move git would
    # not commit): the vault is then not clean, whatever the rules say.
    incomplete: bool = False
    config: Config | None = None  # the configuration the run planned with (what `vaultbot explain` reads options from)


def selected_rules(config: Config, rule_ids: Sequence[str] = ()) -> list[Rule]:
    """The rules to run, in registry order: those named (enabled or not), else all enabled ones."""
    if rule_ids:
        return [rule for rule in RULES if rule.ID in set(rule_ids)]
    return [rule for rule in RULES if config.rules[rule.ID].enabled]


def parse_settings(config: Config, settings: ObsidianSettings) -> ParseSettings:
    return ParseSettings(
        date_keys=config.date_keys,
        daily_format=settings.daily_format,
        generated_headings=config.generated_headings,
        entity_types=tuple(kind.lower() for kind in config.entity_types),
    )


class Loaded(NamedTuple):
    notes: Mapping[str, Note]  # a parse cache's are read when asked for (bot/lazy_notes.py)
    problems: list[Problem]  # the notes that could not be used, and why
    # Notes parsed again because their file changed: the cached version, with the stat of the
    # file it came from (a string when that version could not be used). Only a cache has them.
    previous: dict[str, tuple[FileStat, Note | str]]
    new: frozenset[str] = frozenset()  # notes the cache did not know
    gone: Mapping[str, tuple[FileStat, Note | str]] = {}  # notes the cache knew that are gone, as it knew them
    previous_blobs: Mapping[str, str] = {}  # path in `previous` -> the git blob id of that version, when known


NoteLoader = Callable[[Path, ScanResult, ParseSettings], Loaded]
ViewSource = Callable[[ScanResult], CommittedView]  # the committed view of a scan (bot/view.py)
# progress(stage, done, total, detail): "scan" once the notes are counted (parsing starts),
# "parse" once they are loaded, "delta" with the number of notes edited since the last
# clean run when only those are rechecked, "rule" before each rule and once after the last;
# or, after "scan", "remembered" when the vault is the last clean run's (bot/memo_record.py),
# with "stat" or "content" for how it was recognised: nothing is parsed, no rule runs.
# The caller decides how, and whether, to show it: the runner knows no terminal.
Progress = Callable[[str, int, int, str], None]


def _no_progress(stage: str, done: int, total: int, detail: str) -> None:
    pass


def load_notes(root: Path, scan: ScanResult, settings: ParseSettings) -> Loaded:
    notes: dict[str, Note] = {}
    problems: list[Problem] = []
    for path, result in parse_files(root, scan.files, settings).items():
        if isinstance(result, Note):
            notes[path] = result
        else:
            problems.append(Problem(path, f"skipped: {result.reason}"))
    return Loaded(notes, problems, {})


class RuleFailed(RunFailed):
    """A rule's `check` raised, or edited a note the vault does not hold: a defect in the rule (or the engine),
    not in the notes. The run stops before writing a note, and the message names the rule (exit 3, no traceback)."""


_DEFECT = "(a defect in the rule; please report it); nothing was written"


def _group_edits(
    rule: Rule, vault: VaultIndex, options: object, today: datetime.date, targets: frozenset[str] | None, problems: list[Problem]
) -> dict[str, list[Edit]]:
    edits: dict[str, list[Edit]] = defaultdict(list)
    try:
        items = list(rule.check(vault, options, today, notes_in_scope(rule.SCOPE, vault, targets)))
    except Exception as error:  # a defect in the rule: stop the run, before anything is written, naming it
        raise RuleFailed(f"rule {rule.ID} failed: {type(error).__name__}: {error} {_DEFECT}") from error
    for item in items:
        if not isinstance(item, NoteEdit):  # `yield SetProperty(...)` would fail below as "cannot unpack", naming no rule
            raise TypeError(f"rule {rule.ID}: check() gave {item!r}, not a NoteEdit(path, edit)")
        path, edit = item
        if isinstance(edit, Report):
            problems.append(rule_problem(path, rule.ID, edit.message))
        elif path not in vault.notes:  # dropping it would hide the mistake, and the rule's other edits may rely on it
            raise RuleFailed(f"rule {rule.ID} failed: it edits {path}, which is not a note of the vault {_DEFECT}")
        elif not vault.notes[path].opted_out(rule.ID):
            edits[path].append(edit)
    return edits


@dataclass
class RulesResult:
    vault: VaultIndex  # after every rule
    changed_by: dict[str, list[str]]  # path -> the rules that changed it
    moved: dict[str, tuple[str, Note]]  # path -> (destination, note)
    problems: dict[str, list[Problem]]  # rule id -> its warnings, by path
    requires: dict[str, set[str]] = field(default_factory=dict)  # path -> the notes written only with it (WriteOnlyWith)
    read_again: dict[str, Note] = field(default_factory=dict)  # edited notes kept without text, read again (the diff's before)
    unread: set[str] = field(default_factory=set)  # notes changed on disk since they were parsed: not edited
    # rule id -> the notes it edited in place, as they were before it (for bot/recheck.py); None: not kept
    versions: dict[str, dict[str, Note]] | None = None


def apply_rules(
    vault: VaultIndex,
    rules: Iterable[Rule],
    config: Config,
    settings: ParseSettings,
    today: datetime.date,
    progress: Progress = _no_progress,
    delta: VaultDelta | None = None,
    clean_problems: Mapping[str, Sequence[Problem]] | None = None,
    refuse_moves: bool = False,
    keep_versions: bool = True,
    *,
    read_text: TextReader,
) -> RulesResult:
    """Run the rules in order, each over the vault as the ones before it left it.

    A moved note leaves the index as soon as its rule has run: the rules after
    it see the vault as the next run will, where it is no longer scanned.

    With a `delta` from a clean state (bot/delta.py), each rule checks only the
    notes it names as affected; for the others it keeps the clean state's
    warnings (`clean_problems`), since its result there was "nothing to change".

    With `refuse_moves`, a rule that moves notes makes none of its moves, nor the
    edits that exist for them (links rewritten to point past a moved note, content
    carried over from it); its other edits stay.
    """
    changed_by: dict[str, list[str]] = defaultdict(list)
    moved: dict[str, tuple[str, Note]] = {}
    problems: dict[str, list[Problem]] = {}
    requires: dict[str, set[str]] = defaultdict(set)
    read_again: dict[str, Note] = {}
    unread: set[str] = set()
    versions: dict[str, dict[str, Note]] | None = {} if keep_versions else None
    rules = list(rules)
    for index, rule in enumerate(rules):
        progress("rule", index, len(rules), rule.ID)
        options = config.rule_options(rule.ID)
        targets = rule.affected(delta, options) if delta is not None else None
        # The clean state's warnings on the notes neither rechecked nor changed (none on a note removed
        # since). A rechecked note may warn about another (recent-context and open-tasks about a related
        # note): while that one is unchanged, its warning is found again, and is kept once, where it was.
        rechecked = targets | delta.paths | delta.removed.keys() if targets is not None and delta is not None else None
        kept = [p for p in (clean_problems or {}).get(rule.ID, ()) if rechecked is not None and p.path not in rechecked]
        found = [p for p in kept if p.path in vault.notes]
        fresh: list[Problem] = []
        updated: dict[str, Note] = {}
        moving: dict[str, str] = {}
        grouped = _group_edits(rule, vault, options, today, targets, fresh)
        known = set(found)
        found += [p for p in fresh if p not in known]
        if refuse_moves and any(isinstance(edit, MoveNote) for edits in grouped.values() for edit in edits):
            moving_kinds = (MoveNote, RewriteLinks, AppendTasks)
            kept_kinds: dict[str, list[Edit]] = {p: [e for e in edits if not isinstance(e, moving_kinds)] for p, edits in grouped.items()}
            grouped = {p: edits for p, edits in kept_kinds.items() if edits}
        for path, edits in grouped.items():
            note = text_to_edit(read_text, vault.notes[path], read_again, unread, found)
            if note is None:
                continue
            destination = next((edit.destination for edit in edits if isinstance(edit, MoveNote)), None)
            after = note_after_edits(note, edits, settings, rule.ID, found)
            if after is None or (after is note and destination is None):
                continue
            updated[path] = after
            if destination is not None:
                moving[path] = destination
        found += untie(rule.ID, grouped, updated, moving)
        for path in updated:
            changed_by[path].append(rule.ID)
            requires[path] |= ties(grouped[path])
        # By path (stable), so a run that rechecked a few notes reports in the same order as a full one.
        problems[rule.ID] = sorted(found, key=lambda problem: problem.path)
        if updated:
            for path, destination in moving.items():
                moved[path] = (destination, updated.pop(path))
            edited = {path: vault.notes[path] for path in updated}
            if versions is not None:
                versions[rule.ID] = edited
            vault = with_notes(vault, updated, removed=moving)
            if delta is not None:
                delta = None if moving else delta.advanced(vault, edited)
    requirements = {p: paths for p, paths in requires.items() if paths}
    return RulesResult(vault, changed_by, moved, problems, requirements, read_again, unread, versions)


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
    view_of: ViewSource | None = None,
    keep_versions: bool = True,
) -> RunPlan:
    """Every change a run would make, computed in memory. Nothing is written.

    With `view_of`, the run plans on the committed view it gives (bot/view.py). Without
    `keep_versions` (a dry run), the rules' edited notes are not kept for a re-check (bot/recheck.py)."""
    with collector_paused():
        return _plan_run(root, config, today, rule_ids, loader, progress, memo, view_of, keep_versions)


def _plan_run(
    root: Path,
    config: Config,
    today: datetime.date,
    rule_ids: Sequence[str],
    loader: NoteLoader,
    progress: Progress,
    memo: CleanRunMemo | None,
    view_of: ViewSource | None,
    keep_versions: bool,
) -> RunPlan:
    settings, setting_problems = read_settings(root)
    problems = [Problem(path, message) for path, message in setting_problems]
    scan = scan_vault(root, settings, config.scan_exclude)
    problems.extend(scan.problems)
    rules = selected_rules(config, rule_ids)
    ids = tuple(r.ID for r in rules)
    view = view_of(scan) if view_of is not None else None
    context = run_context(settings, config, ids, view.key if view is not None else "")
    progress("scan", len(scan.files), len(scan.files), "")
    clean, record = recall(memo, today, root, scan, context) if memo is not None else (None, None)
    if record is not None and record.remembered:
        progress("remembered", len(scan.files), len(scan.files), "content" if record.keys is not None else "stat")
        return RunPlan(root, [], problems + record.note_problems, len(scan.files), ids, scan=scan, memo=record, config=config)
    parse = parse_settings(config, settings)
    loaded = loader(root, scan, parse)
    if view_of is not None:  # asked again once the notes are read: one edited meanwhile is read from HEAD
        view = view_of(scan)
        context = run_context(settings, config, ids, view.key)
    notes, load_problems, previous = loaded.notes, loaded.problems, loaded.previous
    worktree = loaded.notes  # the view may replace some notes and leave out others
    progress("parse", len(scan.files), len(scan.files), "")
    files = scan.files
    if view is not None:
        narrowed = narrow(view, scan, notes, load_problems, previous, parse)
        notes, load_problems, previous, files = narrowed.notes, narrowed.problems, narrowed.previous, narrowed.files
    unparsed = frozenset(files) - notes.keys()
    original = VaultIndex(notes, scan.folders, settings, config.index, unparsed, scan.left_out)
    view_problems = [*untracked_problems(view), *waiting_problems(view, original, worktree)] if view is not None else []
    delta = delta_since_clean_state(clean, original, scan, previous, context, loaded.new, loaded.gone)
    if delta is None and clean is not None and record is not None and record.keys is not None:  # a fresh clone
        delta = record.keys.delta(clean, original, scan, previous, loaded.previous_blobs, context)
    if delta is None:
        clean = None
    else:
        progress("delta", len(delta.before) + len(delta.added) + len(delta.removed), len(scan.files), "")
    by_rule = clean.by_rule if clean else None  # the clean state's warnings, kept where nothing is rechecked
    rules_run = functools.partial(apply_rules, original, rules, config, parse, today, progress, delta, by_rule)
    result = rules_run(keep_versions=keep_versions, read_text=reader(root))
    changes = _changes(notes, result)
    skipped = []
    refused = view.ignored_paths([c.destination for c in changes if c.destination]) if view is not None else set()
    if refused:
        result = rules_run(refuse_moves=True, keep_versions=keep_versions, read_text=reader(root))
        changes = _changes(notes, result)
        first = min(refused)
        skipped.append(
            Problem(
                "(git)",
                f"no note moved: git ignores {first}, so a moved note would leave the repository; moves (and the link and task edits made for them) are skipped",
            )
        )
    if view is not None:
        skipped.extend(Problem(c.path, UNCOMMITTED) for c in changes if c.path in view.changed)
        changes = [change for change in changes if change.path not in view.changed]
        changes, held = without_unmet_requirements(changes)
        skipped.extend(held)
    progress("rule", len(rules), len(rules), "")
    link_problems = link_warnings(original, delta, clean)
    found = note_problems(view_problems, load_problems, ids, result.problems, link_problems)
    if record is not None:
        record = MemoRecord(
            context,
            record.digest_under(context, scan),
            note_problems=found,
            load_problems=load_problems,
            view_problems=view_problems,
            rule_problems=result.problems,
            link_problems=link_problems,
            edited_since_clean=delta.paths if delta else None,
            versions=result.versions,
        )
    return RunPlan(
        root,
        changes,
        problems + found + skipped,
        len(files),
        ids,
        result.vault,
        original,
        scan,
        record,
        incomplete=bool(skipped or result.unread),
        config=config,
    )


def _changes(notes: Mapping[str, Note], result: RulesResult) -> list[Change]:
    changes = []
    for path, rule_list in sorted(result.changed_by.items()):
        destination, note = result.moved[path] if path in result.moved else (None, result.vault.notes[path])
        before, after = result.read_again.get(path, notes[path]).to_bytes(), note.to_bytes()
        if before != after or destination is not None:
            changes.append(
                Change(path, tuple(dict.fromkeys(rule_list)), before, after, destination, tuple(sorted(result.requires.get(path, ()))))
            )
    return changes
