"""What a run takes from the last clean run (bot/memo.py): its context, its delta, its warnings.

The clean-run memo's bookkeeping, apart from planning (bot/runner.py): the
string that says what besides the files decides a result, the delta from the
remembered clean state when the vault differs from it only by notes edited in
place (bot/delta.py), and the warnings kept from that state for the notes not
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
    clean: CleanState | None, vault: VaultIndex, scan: ScanResult, previous: Mapping[str, tuple[FileStat, Note | str]], context: str
) -> VaultDelta | None:
    """The vault against the remembered clean state, when it differs from it only by notes edited in place.

    The clean state is known to be the cache's previous versions of the notes
    parsed again when the vault with those versions put back has the remembered
    digest: same paths, folders, settings, config, rules and code.
    """
    if clean is None or not previous:
        return None
    as_it_was = {**scan.files, **{path: stat for path, (stat, _) in previous.items()}}
    if state_digest(as_it_was, scan.folders, context, scan.left_out) != clean.digest:
        return None
    return delta_since_clean(vault, {path: note for path, (_, note) in previous.items()}, previous)


def link_warnings(vault: VaultIndex, delta: VaultDelta | None, clean: CleanState | None) -> list[Problem]:
    """Ambiguous links in `vault`; given a delta from a clean state, the clean state's for the
    notes not edited since (their links and every note's path are as they were there)."""
    if delta is None or clean is None:
        return vault.problems()
    edited = delta.paths
    kept = [problem for problem in clean.link_problems if problem.path not in edited]
    fresh = vault.problems(path for path in edited if path in vault.notes)
    return sorted(kept + fresh, key=lambda problem: problem.path)  # note order, as a full run reports them
