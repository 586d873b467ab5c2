"""vaultbot's rules, one module each, in the order a run applies them.

A rule module has:

- `ID`: the rule id used in config, `--rule` and reports;
- its docstring: ruff-style documentation (`vaultbot rules` prints it), whose
  first line is the one-line description;
- `Options`: a frozen dataclass declaring every option and its default
  (`bot/config.py` validates `.vaultbot.yaml` against it);
- `check(vault, options, today, targets=None) -> Iterable[NoteEdit]`: pure; it
  reads the vault index and returns edits as data. It never opens a file, calls
  git or reads the clock. With `targets`, it checks only those notes, and its
  edits and reports name only them;
- `affected(delta, options) -> frozenset[str] | None`: the notes whose result
  may differ when the vault differs from a clean state by `delta`
  (bot/delta.py), as `targets` for `check`; None to check everything.

A rule's documented example is a test (tests/rules/test_rule_docs.py runs
every rule in `RULES`): its `## Example` holds one or more fenced blocks, each
one note of a small vault, and `Use instead:` the notes the rule changes, as
one run of that rule alone leaves them; every note not shown there must stay
as it was, and the run must report nothing. A block's first line may name its
note's vault path: `# Customers/Acme.md` in a ```yaml block (the note's
frontmatter, with no body) or `<!-- Customers/Acme.md -->` in a ```markdown
block (the whole note). An unnamed Example block is `Note.md`; an unnamed
`Use instead:` block is the Example's first note. Examples run with the rule's
default options and the default configuration, on 2026-01-01.

Order matters and is deliberate: each rule sees the vault as the rules before
it left it, so `recent-context` and `last-contact` leave out the duplicates
that `dedupe-meetings` marks in the same run.

A rule may edit notes besides the ones it judges (dedupe-meetings' archive
mode, open-tasks ticking a task in its source note); `WriteOnlyWith` ties such
edits together so the engine writes them all or none.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from rules import dedupe_meetings, last_contact, open_tasks, recent_context, related, tags

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.edits import NoteEdit
    from bot.vault import VaultIndex


class Rule(Protocol):
    ID: str
    Options: Any
    __doc__: str | None

    def check(self, vault: VaultIndex, options: Any, today: datetime.date, targets: frozenset[str] | None = None) -> Iterable[NoteEdit]: ...

    def affected(self, delta: VaultDelta, options: Any) -> frozenset[str] | None: ...


RULES: tuple[Rule, ...] = (dedupe_meetings, last_contact, tags, recent_context, open_tasks, related)


def get_rule(rule_id: str) -> Rule:
    for rule in RULES:
        if rule.ID == rule_id:
            return rule
    raise KeyError(rule_id)
