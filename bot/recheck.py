"""Proving a written vault clean by rechecking only where the run's own edits reach.

After a real run, the clean-run memo (bot/memo.py) may record the vault as clean
only when the rules, run once more over the vault as written, change nothing.
Running them over the whole vault costs a second rules phase; this module gives
the same answer, and the same warnings, from a recheck of each rule where the
run's edits reach.

Why that is the same answer. Rule i ran over the vault as the rules before it
left it (V[i-1]), and its check there gave its edits and its warnings. The
vault as written (V[n]) differs from V[i-1] by exactly the notes rule i and the
rules after it edited; with each such note's version in V[i-1] (the run keeps
them: `MemoRecord.versions`), that difference is a delta (bot/delta.py), so
rule i's result in V[n] can differ from its result in V[i-1] only on the notes
its `affected(delta)` names. Those are rechecked, and so is every note rule i
edited (forced, whatever `affected` says): its own edits are where it may not
be idempotent, and a note whose check gave an edit in V[i-1] must not be taken
to give "nothing" now. Every other note's result is its result in V[i-1]: no
edit, and the warnings the run reported, which are kept. Each rule is rechecked
against V[n] on its own: the full re-check runs the rules in order, but while
none changes anything each of them sees V[n], and once one does, neither
re-check calls the vault clean.

A difference a delta cannot describe (a rule changed a note's type, aliases,
title or duplicate mark, as dedupe-meetings does when it marks a duplicate)
means that rule is rechecked over the whole vault, as before; so is a rule whose every note
the delta holds (at 10,000 generated notes a first run edits every entity, and open-tasks'
`affected` then costs as much as its check). Ambiguous-link
warnings are likewise the run's for the notes no rule edited, found afresh for
the edited ones (bot/since_clean.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from bot.config import Config
from bot.delta import VaultDelta, delta_since_clean
from bot.edits import NoteEdit
from bot.note import Note, ParseSettings
from bot.note_text import TextReader
from bot.problem import Problem
from bot.runner import apply_rules
from bot.scope import notes_in_scope
from bot.since_clean import links_since
from bot.vault import VaultIndex
from rules import Rule


@dataclass(frozen=True)
class Recheck:
    clean: bool  # no rule changes anything in the vault as written
    rule_problems: dict[str, list[Problem]]  # each rule's warnings there, as a full run reports them
    link_problems: list[Problem]  # its ambiguous links


class _WithOwnEdits:
    """`rule`, also judging the notes it edited in the run, whatever its `affected` names."""

    def __init__(self, rule: Rule, edited: Iterable[str]) -> None:
        self.rule = rule
        self.edited = frozenset(edited)
        self.ID, self.SCOPE, self.OWNED_KEYS, self.Options, self.__doc__ = rule.ID, rule.SCOPE, rule.OWNED_KEYS, rule.Options, rule.__doc__

    def check(self, vault: VaultIndex, options: Any, today: datetime.date, notes: Sequence[str]) -> Iterable[NoteEdit]:
        return self.rule.check(vault, options, today, notes)

    def affected(self, delta: VaultDelta, options: Any) -> frozenset[str] | None:
        found = self.rule.affected(delta, options)
        return None if found is None else found | self.edited


def recheck_written(
    vault: VaultIndex,
    rules: Sequence[Rule],
    versions: Mapping[str, Mapping[str, Note]] | None,
    problems: Mapping[str, Sequence[Problem]],
    link_problems: Sequence[Problem],
    config: Config,
    parse: ParseSettings,
    today: datetime.date,
    read_text: TextReader,
) -> Recheck:
    """Rerun `rules` over `vault`, the run's result, where the run's edits reach: `versions` holds, per
    rule, the notes it edited as they were before it, `problems` each rule's warnings in the run and
    `link_problems` the ambiguous links of the vault the run started from. Without `versions`
    (a plan made without keeping them) every rule is rerun over the whole vault."""
    if versions is None:
        full = apply_rules(vault, rules, config, parse, today, read_text=read_text)
        return Recheck(not full.changed_by and not full.unread, full.problems, vault.problems())
    since: dict[str, Note] = {}  # the notes rule i and the rules after it edited, as they were in V[i-1]
    deltas: list[VaultDelta | None] = []
    for rule in reversed(rules):
        since = {**since, **versions.get(rule.ID, {})}
        deltas.append(delta_since_clean(vault, since, since.keys()))
    deltas.reverse()
    found: dict[str, list[Problem]] = {}
    for rule, delta in zip(rules, deltas):
        edited = versions.get(rule.ID, {}).keys()
        if delta is not None and delta.paths.issuperset(notes_in_scope(rule.SCOPE, vault, None)):
            delta = None  # the edits reach every note the rule judges: naming them would cost more than it saves
        again = apply_rules(
            vault, [_WithOwnEdits(rule, edited)], config, parse, today, delta=delta, clean_problems=problems, read_text=read_text
        )
        # Not idempotent here, or a note changed on disk since the run read it: the vault as written is not clean.
        if again.changed_by or again.unread:
            return Recheck(False, {}, [])
        found[rule.ID] = again.problems[rule.ID]
    # The first rule's delta holds every note any rule edited, as it was before the run.
    links = links_since(vault, deltas[0], link_problems) if deltas and deltas[0] is not None else vault.problems()
    return Recheck(True, found, links)
