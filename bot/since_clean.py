"""What a run takes from the last clean run (bot/memo.py): its context, its delta, its warnings.

The clean-run memo's bookkeeping, apart from planning (bot/runner.py): the
string that says what besides the files decides a result, the delta from the
remembered clean state when the vault differs from it by notes edited, added or
removed (bot/delta.py), and the warnings kept from that state for the notes not
rechecked.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from bot.config import Config
from bot.delta import VaultDelta, delta_since_clean
from bot.memo import CleanState, code_fingerprint, state_digest
from bot.note import Note
from bot.obsidian import ObsidianSettings
from bot.problem import Problem
from bot.scan import FileStat, ScanResult
from bot.vault import VaultIndex


def run_context(settings: ObsidianSettings, config: Config, rule_ids: Sequence[str], view_key: str = "") -> str:
    """Everything besides the vault's files that decides a run's result (`view_key`: the committed view's, bot/view.py)."""
    return f"{code_fingerprint()}|{settings!r}|{config!r}|{','.join(rule_ids)}|{view_key}"


def delta_since_clean_state(
    clean: CleanState | None,
    vault: VaultIndex,
    scan: ScanResult,
    previous: Mapping[str, tuple[FileStat, Note | str]],
    context: str,
    new: frozenset[str] = frozenset(),
    gone: Mapping[str, tuple[FileStat, Note | str]] | None = None,
) -> VaultDelta | None:
    """The vault against the remembered clean state, when a delta can describe the difference.

    The clean state is known to be the cache's previous versions of the notes
    parsed again, without the notes the cache did not know (`new`) and with the
    ones it knew that are gone (`gone`), when the vault so put back has the
    remembered digest: same paths, stats, folders, settings, config, rules and code.
    """
    gone = gone or {}
    if clean is None or not (previous or new or gone):
        return None
    files = {path: stat for path, stat in scan.files.items() if path not in new}
    files.update((path, stat) for path, (stat, _) in (*previous.items(), *gone.items()))
    as_it_was = dict(sorted(files.items()))  # in path order, as the scan lists them
    if state_digest(as_it_was, scan.folders, context, scan.left_out) != clean.digest:
        return None
    old = {path: note for path, (_, note) in previous.items()}
    return delta_since_clean(vault, old, previous, new, {path: note for path, (_, note) in gone.items()})


def link_warnings(vault: VaultIndex, delta: VaultDelta | None, clean: CleanState | None) -> list[Problem]:
    """Ambiguous links in `vault`; given a delta from a clean state, the clean state's for the
    notes not changed since (their links resolve as they did there)."""
    if delta is None or clean is None:
        return vault.problems()
    return links_since(vault, delta, clean.link_problems)


def links_since(vault: VaultIndex, delta: VaultDelta, before: Sequence[Problem]) -> list[Problem]:
    """Ambiguous links in `vault`, given `before`, those of the vault `delta` starts from: kept
    for the notes not changed since (their links resolve as they did there), found for the others."""
    changed = delta.paths | delta.removed.keys()
    kept = [problem for problem in before if problem.path not in changed]
    fresh = vault.problems(path for path in delta.paths if path in vault.notes)
    return sorted(kept + fresh, key=lambda problem: problem.path)  # note order, as a full run reports them
